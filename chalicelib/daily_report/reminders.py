"""The reminder chain (自报 → 党员提醒 → 网格员兜底):

1. at the county's `party_reminder_at`, each party member linked to households (党员联户) gets, in the app, the
   list of their households not reported yet, and reminds them from there (`remind`: an SMS to the household
   head, at most one a day per household);
2. at `grid_reminder_at`, the grid workers of each grid get what is still missing, to report on the households'
   behalf (代报, recorded as such by `service.submit`).

`run_due` is called by the scheduled handler (events.py, every 5 minutes; once a minute under the local runner):
each stage runs once per county per day, claimed by a `Job` item before it runs and released if it fails.
"""

from __future__ import annotations

from pynamodb.exceptions import PutError

from ..core import clock, counties, notify, pii
from ..core.auth import service as auth
from ..core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.tenancy import PERMISSIONS, TenantContext, grants_from_json
from ..households import service as households
from ..inbox import service as inbox
from ..party import service as party
from ..places import service as places
from .models import Job, Reminder
from .service import county_settings, expires_in, local_hhmm

LIST_MAX = 20  # households named in one in-app reminder; the rest are counted


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


def party_stage(tenant: str, date: str) -> dict:
    links = party.all_links(tenant)
    found = households.get_many(tenant, [h for hids in links.values() for h in hids])
    told = 0
    for uid, hids in links.items():
        missing = [found[h] for h in hids if h in found and found[h].last_report_date != date]
        if missing:
            inbox.deliver(tenant, uid, f"党员联户提醒：{len(missing)} 户今日尚未上报",
                          f"您联系的 {_names(missing)} 今日尚未完成健康上报，请在“我的联户”中逐户提醒。",
                          category="daily_report")
            told += 1
    return {"party_members": told}


def grid_stage(tenant: str, date: str) -> dict:
    proxy_roles = PERMISSIONS["reports.proxy"]
    told = grids_missing = 0
    for grid in places.grids(tenant):
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


def run_due() -> dict[str, dict]:
    """Run every reminder stage that is due today and has not run, for every county using the daily report."""
    date, now = clock.today().isoformat(), local_hhmm()
    done: dict[str, dict] = {}
    for county in counties.active_with("daily_report"):
        tenant = county.code
        s = county_settings(tenant)
        for stage, attr, fn in STAGES:
            if now < getattr(s, attr):
                continue
            job = Job(*Job.keys(tenant, date, stage), started_at=clock.iso(), expires=expires_in(30))
            try:
                job.save(condition=Job.pk.does_not_exist())
            except PutError as e:
                if e.cause_response_code == "ConditionalCheckFailedException":
                    continue  # ran (or is running) today
                raise
            try:
                result = fn(tenant, date)
            except Exception:
                job.delete()  # release the claim: the next tick tries again
                raise
            job.update(actions=[Job.result.set(str(result))])
            done[f"{tenant}:{stage}"] = result
    return done
