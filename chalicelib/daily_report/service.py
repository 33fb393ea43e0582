"""The daily report (每日上报): submit (or replace) a household's report for today, read completion at any level,
the unreported households of a grid, trends, and the county's cut-off and reminder times.

A submission is one TransactWrite of per-household items only (the report, the day status, the household's last
report date and, for a yellow or red code, the alert), so a morning peak puts no shared key in the write path.
Completion counters follow from the day status's stream record (events.py), exactly once per version.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid

from pynamodb.exceptions import TransactWriteError

from ..core import clock, counties, pii
from ..core.auth.models import User
from ..core.config import page_size, settings
from ..core.db import cancellation_codes, save_versioned, transact
from ..core.errors import Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from ..households import service as households
from ..places import codes
from ..places import service as places
from .models import COUNTER_FIELDS, SHARDS, Alert, Counter, DayStatus, Report, ReportSettings

RANK = {"green": 0, "yellow": 1, "red": 2}
REPORT_DAYS = 90  # health reports are kept this long (PIPL: no longer than needed), then DynamoDB's TTL removes them
COUNTER_DAYS = 400  # aggregate counters hold no personal data; kept for a year of trends
ALERT_DAYS = 180


def expires_in(days: int) -> int:
    return clock.epoch() + days * 86400


# --- county settings ---------------------------------------------------------------------------------------------

_settings_cache: dict[str, tuple[float, ReportSettings]] = {}
_lock = threading.Lock()


def county_settings(tenant: str, fresh: bool = False) -> ReportSettings:
    ttl = settings().tenant_cache_seconds
    with _lock:
        hit = _settings_cache.get(tenant)
    if hit and not fresh and time.monotonic() - hit[0] < ttl:
        return hit[1]
    try:
        s = ReportSettings.get(*ReportSettings.keys(tenant), consistent_read=True)
    except ReportSettings.DoesNotExist:
        s = ReportSettings(*ReportSettings.keys(tenant))
    with _lock:
        _settings_cache[tenant] = (time.monotonic(), s)
    return s


def get_settings(ctx: TenantContext) -> ReportSettings:
    tenant = ctx.require_tenant()
    ctx.require("reports.read")
    return county_settings(tenant)


def put_settings(ctx: TenantContext, body) -> ReportSettings:
    tenant = ctx.require_tenant()
    ctx.require("reports.settings", tenant)
    s = county_settings(tenant, fresh=True)
    s.cutoff, s.party_reminder_at, s.grid_reminder_at = body.cutoff, body.party_reminder_at, body.grid_reminder_at
    s.updated_at, s.updated_by = clock.iso(), ctx.user_id
    save_versioned(s, "上报设置")
    with _lock:
        _settings_cache.pop(tenant, None)
    return s


def local_hhmm(t: dt.datetime | None = None) -> str:
    return (t or clock.now()).astimezone(clock.SHANGHAI).strftime("%H:%M")


# --- submitting --------------------------------------------------------------------------------------------------

def _reporter(ctx: TenantContext, hh) -> tuple[bool, str | None]:
    """(proxy?, proxy role): a member of the household reports for itself; a grid worker of its grid for it."""
    if hh.hid in ctx.households():
        return False, None
    grants = [g for g in ctx.grants_for("reports.proxy") if g.covers(hh.grid)]
    if grants:
        return True, grants[0].role
    if households.can_read(ctx, hh):
        raise Forbidden("只有本户成员或本网格网格员可以填报", code="forbidden_scope")
    raise NotFound("找不到该户")


def _check_members(body, members) -> dict[str, str]:
    names = {m.mid: m.name for m in members}
    errors = [{"field": f"members.{i}.member", "code": "unknown_member", "message": "该成员不在本户"}
              for i, mc in enumerate(body.members) if mc.member not in names]
    sent = {mc.member for mc in body.members}
    errors += [{"field": "members", "code": "member_missing", "message": f"请填报 {names[mid]} 的健康码颜色"}
               for mid in names if mid not in sent]
    if errors:
        raise ValidationFailed(details=errors)
    return names


def submit(ctx: TenantContext, body) -> dict:
    tenant = ctx.require_tenant()
    hh, members = households.load(tenant, body.household)
    proxy, proxy_role = _reporter(ctx, hh)
    names = _check_members(body, members)
    date = clock.today().isoformat()
    now = clock.iso()
    colours = [{"id": mc.member, "name": names[mc.member], "colour": mc.colour} for mc in body.members]
    outside = [o.model_dump() for o in body.outside]
    outside_persons = sum(o["count"] for o in outside)
    level = max((c["colour"] for c in colours), key=RANK.__getitem__)
    summary = {c: sum(1 for x in colours if x["colour"] == c) for c in RANK}
    before_cutoff = local_hhmm() < county_settings(tenant).cutoff
    rid = uuid.uuid4().hex[:16]
    by_name = _display_name(ctx, tenant, proxy)
    sk = f"H#{date}#{int(clock.now().timestamp() * 1000):013d}#{rid}"
    report = Report(Report.partition(tenant, hh.hid), sk, rid=rid, hid=hh.hid, date=date,
                    grid=hh.grid, village=hh.village, submitted_at=now, by_user=ctx.user_id, by_name=by_name,
                    proxy=proxy, proxy_role=proxy_role, level=level,
                    detail_enc=pii.encrypt(tenant, json.dumps({"members": colours, "outside": outside},
                                                              ensure_ascii=False)),
                    outside_persons=outside_persons, expires=expires_in(REPORT_DAYS))
    alert = None
    if level != "green":
        worst = [c for c in colours if c["colour"] != "green"]
        aid = rid
        alert = Alert(*Alert.keys(tenant, aid), aid=aid, rid=rid, hid=hh.hid, date=date, grid=hh.grid,
                      village=hh.village, level=level, count=len(worst), status="open", created_at=now,
                      detail_enc=pii.encrypt(tenant, json.dumps(
                          {"members": [{"name": c["name"], "colour": c["colour"]} for c in worst],
                           "address": hh.address, "head_name": hh.head_name}, ensure_ascii=False)),
                      gsi1pk=Alert.status_index(tenant, "open"), gsi1sk=f"{now}#{aid}",
                      expires=expires_in(ALERT_DAYS))
    for _attempt in range(3):  # a same-day race with another member: re-read the day status and go again
        day = _day_status(tenant, hh.hid, date)
        first_at = day.first_at if day else now
        on_time = bool(day and day.on_time) or before_cutoff
        new_day = DayStatus(Report.partition(tenant, hh.hid), f"D#{date}", hid=hh.hid, date=date, grid=hh.grid,
                            rid=rid, first_at=first_at, submitted_at=now, on_time=on_time, proxy=proxy,
                            summary_enc=pii.encrypt(tenant, json.dumps(summary)), outside_persons=outside_persons,
                            expires=expires_in(REPORT_DAYS))
        if day is not None:
            new_day.version = day.version  # the save checks it and writes version + 1
        try:
            with transact() as tx:
                tx.save(report, condition=Report.pk.does_not_exist())
                tx.save(new_day)
                households.mark_reported(tx, tenant, hh.hid, date)
                if alert is not None:
                    tx.save(alert, condition=Alert.pk.does_not_exist())
        except TransactWriteError as e:
            codes_ = cancellation_codes(e)
            if "ConditionalCheckFailed" in codes_ and "TransactionConflict" not in codes_:
                continue  # the day status moved under us (or the household vanished: next read says so)
            raise ServiceUnavailable() from e
        return report_out(tenant, report, current=True)
    raise ServiceUnavailable("本户今日报告正在被同时提交，请稍后重试")


def _display_name(ctx: TenantContext, tenant: str, proxy: bool) -> str:
    """Who reported, by the name the county knows them by (shown in the history; 代报 names the grid worker)."""
    try:
        return User.get(*User.keys(tenant, ctx.user_id)).name or ("网格员" if proxy else "村民")
    except User.DoesNotExist:
        return "网格员" if proxy else "村民"


def _day_status(tenant: str, hid: str, date: str) -> DayStatus | None:
    try:
        return DayStatus.get(Report.partition(tenant, hid), f"D#{date}", consistent_read=True)
    except DayStatus.DoesNotExist:
        return None


def report_out(tenant: str, r: Report, current: bool) -> dict:
    detail = json.loads(pii.decrypt(tenant, r.detail_enc))
    return {"id": r.rid, "household": r.hid, "date": r.date, "submitted_at": r.submitted_at, "level": r.level,
            "members": [{"member": c["id"], "name": c["name"], "colour": c["colour"]} for c in detail["members"]],
            "outside": detail["outside"], "outside_persons": int(r.outside_persons), "proxy": r.proxy,
            "by_name": r.by_name, "current": current}


def _readable(ctx: TenantContext, hid: str, with_members: bool = False):
    tenant = ctx.require_tenant()
    hh, members = households.load(tenant, hid)
    if hid not in ctx.households() and not ctx.can("reports.read", hh.grid):
        raise NotFound("找不到该户")
    return (tenant, hh, members) if with_members else (tenant, hh)


FORM_HISTORY = 5  # the report page's "last reports"


def form(ctx: TenantContext, hid: str) -> dict:
    """Everything the report page needs in one request: today's report, the last reports, and the household as the
    form shows it (address, head, members' names and relations; no ID or phone numbers)."""
    tenant, hh, members = _readable(ctx, hid, with_members=True)
    return {"today": _today(tenant, hid), "history": _history(tenant, hid, FORM_HISTORY, None),
            "household": {"id": hh.hid, "grid": hh.grid, "address": hh.address, "head_name": hh.head_name,
                          "members": [{"id": m.mid, "name": m.name, "relation": m.relation}
                                      for m in households.in_order(members)]}}


def today(ctx: TenantContext, hid: str) -> dict:
    """Today's report of a household (None before it reports) and the county's cut-off."""
    tenant, _ = _readable(ctx, hid)
    return _today(tenant, hid)


def _today(tenant: str, hid: str) -> dict:
    date = clock.today().isoformat()
    day = _day_status(tenant, hid, date)
    report = None
    if day:
        for r in Report.query(Report.partition(tenant, hid), Report.sk.startswith(f"H#{date}#"),
                              scan_index_forward=False, limit=5):
            if r.rid == day.rid:
                report = report_out(tenant, r, current=True)
                break
    return {"date": date, "cutoff": county_settings(tenant).cutoff, "report": report}


HOME_HOUSEHOLDS = 3  # a phone reports for a few households at most (the parents' too); the home shows the first


def home(ctx: TenantContext, me: dict) -> dict | None:
    """The home's today card: today's report of each of the caller's households (their villager grants)."""
    hids = list(dict.fromkeys(g["household"] for g in me.get("grants", []) if g.get("household")))
    if not hids:
        return None
    return {"today": {hid: today(ctx, hid) for hid in hids[:HOME_HOUSEHOLDS]}}


def history(ctx: TenantContext, hid: str, limit: int | None, cursor: str | None) -> dict:
    """Every submission of a household, newest first (replaced ones marked): one Query per page, plus one Query
    for the day statuses of the days on the page."""
    tenant, _ = _readable(ctx, hid)
    return _history(tenant, hid, limit, cursor)


def _history(tenant: str, hid: str, limit: int | None, cursor: str | None) -> dict:
    pk = Report.partition(tenant, hid)
    bound = f"history|{pk}"
    res = Report.query(pk, Report.sk.startswith("H#"), scan_index_forward=False, limit=page_size(limit),
                       last_evaluated_key=decode_cursor(cursor, bound))
    items = list(res)
    current: dict[str, str] = {}
    if items:
        lo, hi = items[-1].date, items[0].date
        for d in DayStatus.query(pk, DayStatus.sk.between(f"D#{lo}", f"D#{hi}")):
            current[d.date] = d.rid
    return {"items": [report_out(tenant, r, current=current.get(r.date) == r.rid) for r in items],
            "next_cursor": encode_cursor(res.last_evaluated_key, bound)}


# --- completion --------------------------------------------------------------------------------------------------

def counter_keys(tenant: str, date: str, place: str) -> list[tuple[str, str]]:
    if codes.level_of(place) in ("grid", "village"):
        return [Counter.keys(tenant, date, place)]
    return [Counter.keys(tenant, date, place, s) for s in range(SHARDS)]


def _read_counters(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Counter]:
    got: dict[tuple[str, str], Counter] = {}
    for i in range(0, len(keys), 100):
        for item in Counter.batch_get(keys[i:i + 100]):
            got[(item.pk, item.sk)] = item
    return got


def _completion(place: str, date: str, expected: int, items: list[Counter], name: str | None = None) -> dict:
    sums = {f: sum(int(getattr(c, f) or 0) for c in items) for f in COUNTER_FIELDS}
    reported = sums["reported"]
    return {"place": place, "name": name, "date": date, "expected": expected, **sums,
            "rate": round(reported / expected, 4) if expected else 0.0,
            "on_time_rate": round(sums["on_time"] / expected, 4) if expected else 0.0}


def completion(ctx: TenantContext, place: str, date: str | None, with_children: bool) -> dict:
    """One place (and optionally its direct children) for one day: the children's Query, one BatchGet of report
    counters and one of household counters per 100 items, whatever the number of households."""
    tenant = ctx.require_tenant()
    ctx.require("reports.read", place)
    date = date or clock.today().isoformat()
    targets = [place]
    own = places.find(tenant, place) if place != tenant else counties.get(tenant)  # the county record is cached
    names = {place: own.name} if own else {}
    if with_children:
        page = places.children(ctx, place, 100, None)
        targets += [p.code for p in page["items"]]
        names |= {p.code: p.name for p in page["items"]}
    wanted = {t: counter_keys(tenant, date, t) for t in targets}
    got = _read_counters([k for ks in wanted.values() for k in ks])
    expected = households.expected_households(tenant, targets)
    out = [_completion(t, date, expected[t], [got[k] for k in ks if k in got], names.get(t))
           for t, ks in wanted.items()]
    return {"place": out[0], "children": out[1:]}


def trend(ctx: TenantContext, place: str, days: int) -> dict:
    """The last `days` days of a place: one BatchGet per 100 counter items and one for the household count."""
    tenant = ctx.require_tenant()
    ctx.require("reports.read", place)
    end = clock.today()
    dates = [(end - dt.timedelta(days=i)).isoformat() for i in range(days - 1, -1, -1)]
    wanted = {d: counter_keys(tenant, d, place) for d in dates}
    got = _read_counters([k for ks in wanted.values() for k in ks])
    expected = households.expected_households(tenant, [place])[place]
    return {"place": place, "days": [_completion(place, d, expected, [got[k] for k in ks if k in got])
                                     for d, ks in wanted.items()]}


def unreported(ctx: TenantContext, grid: str, limit: int | None, cursor: str | None, contacts: bool = False) -> dict:
    """A grid's households not reported today: one Query per page, one GetItem for the grid's name and, with
    `contacts`, one BatchGet of the page's heads (the household keeps its head's member id) for their phones
    (decrypted with the tenant's cached data key; masked unless the caller has households.pii at the grid)."""
    tenant = ctx.require_tenant()
    ctx.require("reports.read", grid)
    date = clock.today().isoformat()
    page = households.unreported(tenant, grid, date, limit, cursor)
    place = places.find(tenant, grid)
    items = [{"id": h.hid, "address": h.address, "head_name": h.head_name, "ref": h.ref,
              "member_count": int(h.member_count), "last_report_date": h.last_report_date} for h in page["items"]]
    out = {"date": date, "grid": grid, "grid_name": place.name if place else None, "items": items,
           "next_cursor": page["next_cursor"]}
    if contacts:
        full = ctx.can("households.pii", grid)
        heads = households.heads(tenant, page["items"])
        for item in items:
            item["head_phone"] = _head_phone(tenant, heads.get(item["id"]), full)
        out["phones_masked"] = not full
    return out


def _head_phone(tenant: str, head, full: bool) -> str | None:
    phone = pii.decrypt(tenant, head.phone_enc) if head is not None and head.phone_enc else None
    return phone if full else pii.mask_phone(phone)


def member_today(tenant: str, hid: str, mid: str) -> tuple[bool, str | None]:
    """(reported today?, the member's colour in today's current report) for scan-to-pass: Get + one small Query."""
    date = clock.today().isoformat()
    day = _day_status(tenant, hid, date)
    if day is None:
        return False, None
    for r in Report.query(Report.partition(tenant, hid), Report.sk.startswith(f"H#{date}#"),
                          scan_index_forward=False, limit=5):
        if r.rid == day.rid:
            detail = json.loads(pii.decrypt(tenant, r.detail_enc))
            return True, next((c["colour"] for c in detail["members"] if c["id"] == mid), None)
    return True, None
