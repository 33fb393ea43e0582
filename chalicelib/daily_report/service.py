"""The daily report (每日上报): submit (or replace) a household's report for today, read completion at any level,
the unreported households of a grid, trends, and the county's cut-off and reminder times.

A submission is one conditional PutItem of the report (a TransactWrite with its alert for a yellow or red code),
so a morning peak puts no shared key in the write path; the household's day status (its last report date and the
report that counts, read by the unreported list and the reminders) and the completion counters follow from the
report's stream record (events.py), exactly once per report. Today's report is read from the day's reports
themselves. Its write units: docs/data-model.md, "Write units of a daily report".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import threading
import time
import uuid

from pynamodb.exceptions import PutError, TransactWriteError

from ..core import clock, counties, pii
from ..core.auth.models import User
from ..core.config import page_size, settings
from ..core.db import cancellation_codes, save_versioned, transact
from ..core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
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


def report_id(tenant: str, user: str, hid: str, date: str, idem_key: str | None) -> str:
    """A report's id: derived from the caller's Idempotency-Key for this household and day (a retry arrives at the
    same item and finds its report), random without a key."""
    if not idem_key:
        return uuid.uuid4().hex[:16]
    return hashlib.sha256(f"{tenant}#{user}#{hid}#{date}#{idem_key}".encode()).hexdigest()[:16]


def counts(on_time: bool, proxy: bool, summary: dict, outside_persons: int) -> dict[str, int]:
    """What one household's day adds to the completion counters."""
    return {"reported": 1, "on_time": int(bool(on_time)), "proxy": int(bool(proxy)), "green": summary["green"],
            "yellow": summary["yellow"], "red": summary["red"],
            "alert_households": int(summary["yellow"] + summary["red"] > 0),
            "outside_households": int(outside_persons > 0), "outside_persons": outside_persons}


def report_counts(tenant: str, r: Report, on_time: bool) -> dict[str, int]:
    detail = json.loads(pii.decrypt(tenant, r.detail_enc))
    summary = {c: sum(1 for x in detail["members"] if x["colour"] == c) for c in RANK}
    return counts(on_time, r.proxy, summary, int(r.outside_persons or 0))


def at_ms(r: Report) -> int:
    """When a report was made (old-layout reports carry it in their sort key)."""
    return int(r.at_ms) if r.at_ms is not None else int(r.sk.split("#")[2])


def order(r: Report) -> tuple[int, str]:
    """Of a household's reports of one day, the greatest counts."""
    return at_ms(r), r.rid


def day_reports(tenant: str, hid: str, date: str) -> list[Report]:
    """A household's reports of one day: one strongly consistent Query (a handful of small items)."""
    return list(Report.query(Report.partition(tenant, hid), Report.sk.startswith(f"H#{date}#"), consistent_read=True))


def submit(ctx: TenantContext, body, idem_key: str | None = None) -> dict:
    """One conditional PutItem of the report (with a yellow or red code, a TransactWrite of it and its alert): the
    household's day status and the completion counters follow from its stream record (events.py). A retry with the
    same Idempotency-Key meets its own report (the id derives from the key) and gets the same answer; the same key
    with another body is 422 idempotency_key_reused."""
    tenant = ctx.require_tenant()
    hh, members = households.load(tenant, body.household)
    proxy, proxy_role = _reporter(ctx, hh)
    names = _check_members(body, members)
    date = clock.today().isoformat()
    rid = report_id(tenant, ctx.user_id, hh.hid, date, idem_key)
    body_hash = hashlib.sha256(body.model_dump_json().encode()).hexdigest()[:16] if idem_key else None
    earlier = day_reports(tenant, hh.hid, date)
    mine = next((r for r in earlier if r.rid == rid), None)
    if mine is not None:
        return _replayed(tenant, mine, body_hash)
    colours = [{"id": mc.member, "name": names[mc.member], "colour": mc.colour} for mc in body.members]
    outside = [o.model_dump() for o in body.outside]
    outside_persons = sum(o["count"] for o in outside)
    level = max((c["colour"] for c in colours), key=RANK.__getitem__)
    now = clock.iso()
    # Later than every report of the day so far: the newest is the one that counts, whatever the clocks say.
    ms = max([int(clock.now().timestamp() * 1000)] + [at_ms(r) + 1 for r in earlier])
    report = Report(Report.partition(tenant, hh.hid), f"H#{date}#{rid}", rid=rid, hid=hh.hid, date=date,
                    grid=hh.grid, village=hh.village, submitted_at=now, by_user=ctx.user_id,
                    by_name=_display_name(ctx, tenant, proxy), proxy=proxy, proxy_role=proxy_role, level=level,
                    detail_enc=pii.encrypt(tenant, json.dumps({"members": colours, "outside": outside},
                                                              ensure_ascii=False)),
                    outside_persons=outside_persons, at_ms=ms,
                    before_cutoff=local_hhmm() < county_settings(tenant).cutoff, body_hash=body_hash,
                    expires=expires_in(report_days(tenant)))
    for attempt in range(3):
        try:
            if level == "green":
                report.save(condition=Report.pk.does_not_exist())
            else:
                with transact() as tx:
                    tx.save(report, condition=Report.pk.does_not_exist())
                    tx.save(_alert(tenant, hh, rid, date, level, colours, now), condition=Alert.pk.does_not_exist())
            return report_out(tenant, report, current=True)
        except PutError as e:
            if e.cause_response_code != "ConditionalCheckFailedException":
                raise ServiceUnavailable() from e
        except TransactWriteError as e:
            codes_ = cancellation_codes(e)
            if "TransactionConflict" in codes_:  # a duplicate of this request at the same moment: go again
                time.sleep(0.02 * (attempt + 1) * random.random())
                continue
            if "ConditionalCheckFailed" not in codes_:
                raise ServiceUnavailable() from e
        mine = _get_report(tenant, hh.hid, report.sk)  # a duplicate of this request was first
        if mine is not None:
            return _replayed(tenant, mine, body_hash)
    raise Conflict("相同的请求正在处理中，请稍后重试", code="request_in_progress")


def _replayed(tenant: str, r: Report, body_hash: str | None) -> dict:
    if r.body_hash != body_hash:
        raise ValidationFailed("同一个 Idempotency-Key 不能用于不同的内容", code="idempotency_key_reused")
    return report_out(tenant, r, current=True)


def _alert(tenant: str, hh, rid: str, date: str, level: str, colours: list[dict], now: str) -> Alert:
    worst = [c for c in colours if c["colour"] != "green"]
    return Alert(*Alert.keys(tenant, rid), aid=rid, rid=rid, hid=hh.hid, date=date, grid=hh.grid,
                 village=hh.village, level=level, count=len(worst), status="open", created_at=now,
                 detail_enc=pii.encrypt(tenant, json.dumps(
                     {"members": [{"name": c["name"], "colour": c["colour"]} for c in worst],
                      "address": hh.address, "head_name": hh.head_name}, ensure_ascii=False)),
                 gsi1pk=Alert.status_index(tenant, "open"), gsi1sk=f"{now}#{rid}", expires=expires_in(ALERT_DAYS))


def _get_report(tenant: str, hid: str, sk: str) -> Report | None:
    try:
        return Report.get(Report.partition(tenant, hid), sk, consistent_read=True)
    except Report.DoesNotExist:
        return None


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
    form shows it (address, head, members' names and relations; no ID or phone numbers). Two Queries: the household
    with its members, and the last reports read strongly consistent, today's among them (a page holds whole days,
    so when the newest day is today all of today's reports are in it)."""
    tenant, hh, members = _readable(ctx, hid, with_members=True)
    history = _history(tenant, hid, FORM_HISTORY, None, consistent=True)
    date = clock.today().isoformat()
    current = next((r for r in history["items"] if r["date"] == date and r["current"]), None)
    return {"today": {"date": date, "cutoff": county_settings(tenant).cutoff, "report": current},
            "history": history,
            "household": {"id": hh.hid, "grid": hh.grid, "address": hh.address, "head_name": hh.head_name,
                          "members": [{"id": m.mid, "name": m.name, "relation": m.relation}
                                      for m in households.in_order(members)]}}


def today(ctx: TenantContext, hid: str) -> dict:
    """Today's report of a household (None before it reports) and the county's cut-off."""
    tenant, _ = _readable(ctx, hid)
    return _today(tenant, hid)


def current_report(tenant: str, hid: str, date: str) -> Report | None:
    """The household's report that counts for `date`: the newest of the day's reports (one Query), as soon as it is
    written (the household item's copy of the status follows through the stream)."""
    return max(day_reports(tenant, hid, date), key=order, default=None)


def _today(tenant: str, hid: str) -> dict:
    date = clock.today().isoformat()
    r = current_report(tenant, hid, date)
    return {"date": date, "cutoff": county_settings(tenant).cutoff,
            "report": report_out(tenant, r, current=True) if r else None}


HOME_HOUSEHOLDS = 3  # a phone reports for a few households at most (the parents' too); the home shows the first


def home(ctx: TenantContext, me: dict) -> dict | None:
    """The home's part: the report page of each of the caller's households (their villager grants), so that the
    morning's report needs no request before it is sent: `forms` {household: GET /reports/form's answer} and the
    today card's `today` {household: its `today`}. Two Queries a household, as GET /reports/today took."""
    hids = list(dict.fromkeys(g["household"] for g in me.get("grants", []) if g.get("household")))
    if not hids:
        return None
    forms = {hid: form(ctx, hid) for hid in hids[:HOME_HOUSEHOLDS]}
    return {"today": {hid: f["today"] for hid, f in forms.items()}, "forms": forms}


def history(ctx: TenantContext, hid: str, limit: int | None, cursor: str | None) -> dict:
    """Every submission of a household, newest first (replaced ones marked): one Query per page, and one more
    when the page ends inside a day (a page holds whole days: the newest of a day is the one that counts)."""
    tenant, _ = _readable(ctx, hid)
    return _history(tenant, hid, limit, cursor)


def _history(tenant: str, hid: str, limit: int | None, cursor: str | None, consistent: bool = False) -> dict:
    pk = Report.partition(tenant, hid)
    bound = f"history|{pk}"
    res = Report.query(pk, Report.sk.startswith("H#"), scan_index_forward=False, limit=page_size(limit),
                       last_evaluated_key=decode_cursor(cursor, bound), consistent_read=consistent)
    items = list(res)
    last_key = res.last_evaluated_key
    if items and last_key:  # the rest of the page's last day
        rest = Report.query(pk, Report.sk.startswith(f"H#{items[-1].date}#"), scan_index_forward=False,
                            last_evaluated_key=last_key, consistent_read=consistent)
        more = list(rest)
        if more:
            items += more
            last_key = {"pk": {"S": pk}, "sk": {"S": more[-1].sk}}
    out, by_day = [], {}
    for r in items:
        by_day.setdefault(r.date, []).append(r)
    for date in sorted(by_day, reverse=True):
        day = sorted(by_day[date], key=order, reverse=True)
        out += [report_out(tenant, r, current=i == 0) for i, r in enumerate(day)]
    return {"items": out, "next_cursor": encode_cursor(last_key, bound)}


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


def day_totals(tenant: str, dates: list[str], place_codes: list[str]) -> dict[tuple[str, str], dict[str, int]]:
    """{(date, place): {"reported", "on_time"}} from the completion counters (a batch job's read, e.g. the back
    office's nightly roll-up): one BatchGet per 100 counter items (a township-day is 8 shards)."""
    wanted = {(d, p): counter_keys(tenant, d, p) for d in dates for p in place_codes}
    got = _read_counters([k for ks in wanted.values() for k in ks])
    return {dp: {f: sum(int(getattr(got[k], f) or 0) for k in ks if k in got) for f in ("reported", "on_time")}
            for dp, ks in wanted.items()}


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
              "member_count": int(h.member_count), "last_report_date": h.last_report_date, "head_phone": None}
             for h in page["items"]]
    out = {"date": date, "grid": grid, "grid_name": place.name if place else None, "phones_masked": None,
           "items": items, "next_cursor": page["next_cursor"]}
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
    """(reported today?, the member's colour in today's current report) for scan-to-pass: one small Query."""
    r = current_report(tenant, hid, clock.today().isoformat())
    if r is None:
        return False, None
    detail = json.loads(pii.decrypt(tenant, r.detail_enc))
    return True, next((c["colour"] for c in detail["members"] if c["id"] == mid), None)


# --- retention (chalicelib/datarights) ---------------------------------------------------------------------------

def report_days(tenant: str) -> int:
    """How long the county keeps health reports (its retention setting, on the cached county record; REPORT_DAYS
    if it set none): a report's TTL is set from it when written."""
    county = counties.get(tenant)
    days = getattr(county, "health_retention_days", None) if county is not None else None
    return int(days) if days else REPORT_DAYS


def delete_reports_before(tenant: str, hid: str, date: str) -> int:
    """Delete a household's reports of days before `date` (ISO): one Query of its date-ordered partition (`H#{date}`
    keys) and a BatchWrite of what it finds (a retention sweep after the county shortened its period)."""
    old = list(Report.query(Report.partition(tenant, hid), Report.sk.between("H#", f"H#{date}"),
                            attributes_to_get=["pk", "sk", "kind"]))
    old = [r for r in old if r.sk < f"H#{date}"]
    with Report.batch_write() as batch:
        for r in old:
            batch.delete(r)
    return len(old)
