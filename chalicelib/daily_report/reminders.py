"""The reminder chain (自报 → 党员提醒 → 网格员兜底):

1. at the county's `party_reminder_at`, each party member linked to households (党员联户) gets, in the app, the
   list of their households not reported yet, and reminds them from there (`remind`: an SMS to the household
   head, at most one a day per household);
2. at `grid_reminder_at`, the grid workers of each grid get what is still missing, to report on the households'
   behalf (代报, recorded as such by `service.submit`).

`run_due` is the job `report_reminders` (core.jobs): the schedule (schedule.py, every 5 minutes; once a minute
under the local runner) sends one message per county using the daily report, or one per township of a county over
jobs.TOWNSHIP_SPLIT_HOUSEHOLDS households (`units`), and the jobs queue's worker runs `run_due` for that county or
township. Each stage runs once per day per county, or per township of a split county, claimed by a `Job` item
before it runs and released if it fails (the message is then delivered again); a county that is split the same day
it ran whole (or the reverse) does not run again. The SMS themselves are sent by people (`remind`: at most one a
day per household, whoever sends it), never by the job.
"""

from __future__ import annotations

import datetime as dt

from pynamodb.exceptions import PutError

from ..core import clock, jobs, notify, pii
from ..core.auth import service as auth
from ..core.auth.models import StaffPost
from ..core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.tenancy import PERMISSIONS, TenantContext, grants_from_json
from ..households import service as households
from ..inbox import service as inbox
from ..party import service as party
from ..places import service as places
from .models import Job, Reminder
from .service import county_settings, expires_in, local_hhmm

LIST_MAX = 20  # households named in one in-app reminder; the rest are counted
# A stage's claim still without a result this long after it was taken belongs to a run that was killed (the
# worker's timeout is a minute; SQS delivers the message again after six): the retry takes it over.
ABANDONED_AFTER = dt.timedelta(minutes=5)


def remind(ctx: TenantContext, hid: str) -> dict:
    """A party member (the household's linked one) or a grid worker of its grid reminds a household by SMS."""
    tenant = ctx.require_tenant()
    hh, members = households.load(tenant, hid)
    linked = party.member_of(tenant, hid) == ctx.user_id
    if not linked and not ctx.can("reports.proxy", hh.grid):
        if households.can_read(ctx, hh):
            raise Forbidden("只有联系该户的党员或本网格网格员可以提醒", code="forbidden_scope")
        raise NotFound("找不到该户")
    date = clock.today().isoformat()
    if hh.last_report_date == date:
        raise Conflict("该户今日已上报", code="already_reported")
    head = next((m for m in members if m.relation == "户主"), None)
    phone = pii.decrypt(tenant, head.phone_enc) if head is not None and head.phone_enc else None
    if not phone:
        raise ValidationFailed("户主未登记手机号，请电话或上门提醒",
                               details=[{"field": "household", "code": "no_phone", "message": "户主未登记手机号"}])
    sender = auth.get_user(tenant, ctx.user_id)
    now = clock.iso()
    marker = Reminder(*Reminder.keys(tenant, hid, date), by_user=ctx.user_id, by_name=sender.name, at=now,
                      expires=expires_in(7))
    try:
        marker.save(condition=Reminder.pk.does_not_exist())
    except PutError as e:
        if e.cause_response_code != "ConditionalCheckFailedException":
            raise
        prior = Reminder.get(*Reminder.keys(tenant, hid, date))
        return {"household": hid, "channel": "sms", "reminded_at": prior.at, "by_name": prior.by_name,
                "already": True}
    role = "党员" if linked else "网格员"
    try:
        notify.sms().send(phone, notify.Sms("report_reminder", head=hh.head_name, sender=sender.name, role=role))
    except Exception as e:  # noqa: BLE001 - the SMS provider failed: let the next try send it
        marker.delete()
        raise ServiceUnavailable("短信发送失败，请稍后重试") from e
    return {"household": hid, "channel": "sms", "reminded_at": now, "by_name": sender.name, "already": False}


def _names(hhs: list) -> str:
    named = "、".join(f"{h.head_name}（{h.address}）" for h in hhs[:LIST_MAX])
    return named + (f" 等 {len(hhs)} 户" if len(hhs) > LIST_MAX else "")


def party_stage(tenant: str, date: str, township: str | None = None) -> dict:
    """Each linked party member's households not reported yet; for a township, the members posted in it (the
    posts index, a key range) and their households of it (the county's links are one Query of a few pages)."""
    links = party.all_links(tenant)
    if township:
        posted = {p.uid for p in StaffPost.gsi1.query(StaffPost.index(tenant), StaffPost.gsi1sk.startswith(township))}
        links = {uid: hids for uid, hids in links.items() if uid in posted}
    found = households.get_many(tenant, [h for hids in links.values() for h in hids])
    told = 0
    for uid, hids in links.items():
        missing = [found[h] for h in hids if h in found and found[h].last_report_date != date
                   and (township is None or found[h].grid.startswith(township))]
        if missing:
            inbox.deliver(tenant, uid, f"党员联户提醒：{len(missing)} 户今日尚未上报",
                          f"您联系的 {_names(missing)} 今日尚未完成健康上报，请在“我的联户”中逐户提醒。",
                          category="daily_report")
            told += 1
    return {"party_members": told}


def grid_stage(tenant: str, date: str, township: str | None = None) -> dict:
    proxy_roles = PERMISSIONS["reports.proxy"]
    told = grids_missing = 0
    for grid in places.grids(tenant, under=township):
        missing = households.grid_households(tenant, grid.code)
        missing = [h for h in missing if h.last_report_date != date]
        if not missing:
            continue
        grids_missing += 1
        for user in auth.staff_at(tenant, grid.code):
            if any(g.role in proxy_roles and g.place == grid.code for g in grants_from_json(user.grants)):
                inbox.deliver(tenant, user.uid, f"网格兜底：{grid.name} {len(missing)} 户今日尚未上报",
                              f"{_names(missing)} 今日尚未上报。请核实后在“代报”中代为填报。",
                              category="daily_report")
                told += 1
    return {"grids": grids_missing, "grid_workers": told}


STAGES = (("party", "party_reminder_at", party_stage), ("grid", "grid_reminder_at", grid_stage))


def units(tenant: str) -> list[str | None]:
    """The county in one piece, or its townships when it has more than jobs.TOWNSHIP_SPLIT_HOUSEHOLDS households
    (the coverage counters: one BatchGet)."""
    n = households.expected_households(tenant, [tenant])[tenant]
    return jobs.split_by_township(n, places.townships(tenant) if n > jobs.TOWNSHIP_SPLIT_HOUSEHOLDS else [])


@jobs.job("report_reminders", module="daily_report", units=units)
def run_due(tenant: str, township: str | None = None, at: dt.datetime | None = None) -> dict[str, dict]:
    """Run every reminder stage that is due at `at` (the time the schedule fired) and has not run that day, for a
    county or one of its townships."""
    at = at or clock.now()
    date, now = at.astimezone(clock.SHANGHAI).date().isoformat(), local_hhmm(at)
    if date != clock.today().isoformat():
        return {}  # a message of a day that is over (a late retry, a replay): its reminders are moot
    s = county_settings(tenant)
    done: dict[str, dict] = {}
    claims: dict[str, Job] | None = None
    for stage, attr, fn in STAGES:
        if now < getattr(s, attr):
            continue
        if claims is None:  # the day's claims, county-wide and per township: one Query
            claims = {j.sk: j for j in Job.query(Job.keys(tenant, date, "")[0])}
        unit = f"{stage}#{township}" if township else stage
        prior = claims.get(unit)
        abandoned = prior is not None and prior.result is None and prior.started_at < clock.iso(
            clock.now() - ABANDONED_AFTER)
        if prior is not None and not abandoned:
            continue  # ran today, or is running
        if unit != stage and stage in claims or unit == stage and any(c.startswith(f"{stage}#") for c in claims):
            continue  # ran today the other way (the county whole, or by township)
        job = Job(*Job.keys(tenant, date, unit), started_at=clock.iso(), expires=expires_in(30))
        try:
            # A claim whose run was killed (a timeout: it could not release it) is taken over by the retry.
            job.save(condition=(Job.started_at == prior.started_at) & Job.result.does_not_exist() if abandoned
                     else Job.pk.does_not_exist())
        except PutError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                continue  # claimed meanwhile by a duplicate delivery
            raise
        try:
            result = fn(tenant, date, township)
        except Exception:
            job.delete()  # release the claim: the message is delivered again
            raise
        job.update(actions=[Job.result.set(str(result))])
        done[f"{tenant}:{unit}"] = result
    return done
