"""Epidemic tip-offs (疫情举报): anyone signed in to a county reports returnees, gatherings or other risks,
optionally anonymously (anonymous to staff; the platform keeps who, for rate limits and abuse). The village
handles it (status and disposition); the county command sees every tip-off (and gets it on the alerts topic, see
events.py); the reporter follows the outcome. Counts by category × village × week are kept at write time."""

from __future__ import annotations

import datetime as dt
import re
import uuid

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.auth import service as auth
from ..core.db import key, save_versioned, transact
from ..core.errors import Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.schemas import page_size
from ..core.tenancy import TenantContext
from ..inbox import service as inbox
from ..places import codes
from ..places import service as places
from .models import Tipoff, TipoffCount, TipoffRef

PER_DAY = 10  # tip-offs one person may file a day (anonymous ones included)
CATEGORY_ZH = {"returnee": "返乡人员", "gathering": "聚集活动", "other": "其他风险"}
DISPOSITION_ZH = {"warned": "已劝导警示", "quarantine_arranged": "已安排隔离观察", "unfounded": "经核实不属实",
                  "other": "已处理"}
STATUS_ZH = {"open": "待处理", "handling": "处理中", "closed": "已办结"}
_ID = re.compile(r"^(\d{12})-(\d{13})-([0-9a-f]{8})$")


def week_of(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _parse(tenant: str, tid: str) -> tuple[str, str]:
    m = _ID.match(tid)
    if not m:
        raise NotFound("找不到该举报")
    village, ms, rand = m.groups()
    return Tipoff.partition(tenant, village), f"{ms}#{rand}"


def _load(tenant: str, tid: str) -> Tipoff:
    try:
        return Tipoff.get(*_parse(tenant, tid), consistent_read=True)
    except Tipoff.DoesNotExist:
        raise NotFound("找不到该举报") from None


def _home_village(ctx: TenantContext) -> str | None:
    for g in ctx.grants:
        if len(g.place) >= 12 and g.place[:12].isdigit():
            return g.place[:12]
    return None


def create(ctx: TenantContext, body) -> Tipoff:
    tenant = ctx.require_tenant()
    village = body.village or _home_village(ctx)
    if not village:
        raise ValidationFailed(details=[{"field": "village", "code": "required", "message": "请选择发生在哪个村"}])
    place = places.find(tenant, village)
    if place is None or codes.level_of(village) != "village":
        raise ValidationFailed(details=[{"field": "village", "code": "unknown_village", "message": "该村不存在"}])
    auth.rate_limit("tipoff", f"{tenant}#{ctx.user_id}", PER_DAY, *auth.SHANGHAI_DAY)
    user = auth.get_user(tenant, ctx.user_id)
    now = clock.now()
    ms, rand = f"{int(now.timestamp() * 1000):013d}", uuid.uuid4().hex[:8]
    week = week_of(now.astimezone(clock.SHANGHAI).date())
    tip = Tipoff(Tipoff.partition(tenant, village), f"{ms}#{rand}", tid=f"{village}-{ms}-{rand}", village=village,
                 category=body.category, description=body.description, location=body.location,
                 anonymous=body.anonymous, reporter_uid=ctx.user_id, reporter_name=user.name, status="open",
                 created_at=clock.iso(now), week=week, gsi1pk=Tipoff.county_index(tenant),
                 gsi1sk=f"{ms}#{village}#{rand}")
    try:
        with transact() as tx:
            tx.save(tip, condition=Tipoff.pk.does_not_exist())
            tx.save(TipoffRef(key(tenant, "TIPU", ctx.user_id), f"{ms}#{rand}", tid=tip.tid))
            tx.update(TipoffCount(*TipoffCount.keys(tenant, week, village, body.category)),
                      actions=[TipoffCount.count.add(1), TipoffCount.kind.set(TipoffCount)])
    except TransactWriteError as e:
        raise ServiceUnavailable() from e
    return tip


def can_read(ctx: TenantContext, tip: Tipoff) -> bool:
    return tip.reporter_uid == ctx.user_id or ctx.can("tipoffs.read", tip.village)


def get(ctx: TenantContext, tid: str) -> Tipoff:
    tenant = ctx.require_tenant()
    tip = _load(tenant, tid)
    if not can_read(ctx, tip):
        raise NotFound("找不到该举报")
    return tip


def list_tipoffs(ctx: TenantContext, village: str | None, status: str | None, limit: int | None,
                 cursor: str | None) -> dict:
    """A village's tip-offs (its partition) or, for county-wide roles, the county's (the index); newest first,
    one Query per page."""
    tenant = ctx.require_tenant()
    flt = (Tipoff.status == status) if status else None
    if village:
        ctx.require("tipoffs.read", village)
        pk = Tipoff.partition(tenant, village)
        bound = f"{pk}|{status or ''}"
        res = Tipoff.query(pk, scan_index_forward=False, filter_condition=flt, limit=page_size(limit),
                           last_evaluated_key=decode_cursor(cursor, bound))
    else:
        ctx.require("tipoffs.read", tenant)
        pk = Tipoff.county_index(tenant)
        bound = f"{pk}|{status or ''}"
        res = Tipoff.gsi1.query(pk, scan_index_forward=False, filter_condition=flt, limit=page_size(limit),
                                last_evaluated_key=decode_cursor(cursor, bound))
    items = list(res)
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, bound)}


def mine(ctx: TenantContext, limit: int | None, cursor: str | None) -> dict:
    """The reporter's own tip-offs with their outcome: a Query of the references, a BatchGet of the tip-offs."""
    tenant = ctx.require_tenant()
    pk = key(tenant, "TIPU", ctx.user_id)
    res = TipoffRef.query(pk, scan_index_forward=False, limit=page_size(limit),
                          last_evaluated_key=decode_cursor(cursor, pk))
    refs = list(res)
    keys = [_parse(tenant, r.tid) for r in refs]
    got = {t.tid: t for t in Tipoff.batch_get(keys)} if keys else {}
    return {"items": [got[r.tid] for r in refs if r.tid in got],
            "next_cursor": encode_cursor(res.last_evaluated_key, pk)}


def handle(ctx: TenantContext, tid: str, status: str, disposition: str | None, note: str | None) -> Tipoff:
    tenant = ctx.require_tenant()
    tip = _load(tenant, tid)
    if not ctx.can("tipoffs.handle", tip.village):
        if can_read(ctx, tip):
            raise Forbidden("没有权限处理该举报", code="forbidden_scope")
        raise NotFound("找不到该举报")
    if tip.status == "closed":
        raise ValidationFailed("该举报已办结", details=[{"field": "status", "code": "already_closed",
                                                    "message": "该举报已办结"}])
    if status == "closed" and not disposition:
        raise ValidationFailed(details=[{"field": "disposition", "code": "required", "message": "办结须填写处置结果"}])
    handler = auth.get_user(tenant, ctx.user_id)
    tip.status, tip.disposition, tip.note = status, disposition or tip.disposition, note or tip.note
    tip.handled_by, tip.handled_by_name, tip.handled_at = ctx.user_id, handler.name, clock.iso()
    save_versioned(tip, "该举报")
    outcome = DISPOSITION_ZH.get(tip.disposition or "", "")
    inbox.deliver(tenant, tip.reporter_uid, f"您的{CATEGORY_ZH[tip.category]}举报{STATUS_ZH[status]}",
                  f"{outcome}{'：' + tip.note if tip.note else ''}" or STATUS_ZH[status], category="tipoffs")
    return tip


def stats(ctx: TenantContext, place: str, weeks: int) -> dict:
    """Counts by week × village × category for a place: one Query per week (and one BatchGet of village names),
    whatever the number of tip-offs."""
    tenant = ctx.require_tenant()
    ctx.require("tipoffs.read", place)
    today = clock.today()
    week_list = [week_of(today - dt.timedelta(weeks=i)) for i in range(weeks - 1, -1, -1)]
    rows = []
    for week in week_list:
        pk = TipoffCount.keys(tenant, week, "", "")[0]
        cond = None if place == tenant else TipoffCount.sk.startswith(place)
        for c in TipoffCount.query(pk, cond):
            village, category = c.sk.split("#", 1)
            rows.append({"week": week, "village": village, "category": category, "count": int(c.count)})
    names = places.names(tenant, {r["village"] for r in rows})
    for r in rows:
        r["village_name"] = names.get(r["village"])
    return {"place": place, "weeks": week_list, "rows": rows}


def village_names(tenant: str, villages: set[str]) -> dict[str, str]:
    return places.names(tenant, villages)
