"""Epidemic tip-offs (疫情举报) on the case workflow: anyone signed in to a county reports returnees, gatherings
or other risks, optionally anonymously (anonymous to staff; the platform keeps who, for rate limits and abuse). The
village handles it (status and disposition); the county command sees every tip-off (and gets it on the alerts topic,
cases/events.py); the reporter follows the outcome. Counts by category × village × week are kept at write time.

This module keeps its own API (`/tipoffs`, statuses open/handling/closed) as a view of its case type
(casetype.py); the cases' own routes (`/cases`) show the same tip-offs in the console inbox and in "my cases"."""

from __future__ import annotations

from ..cases import service as cases
from ..core.errors import NotFound, ValidationFailed
from ..core.tenancy import TenantContext
from ..places import codes
from ..places import service as places
from .casetype import CATEGORIES, DISPOSITIONS, TIPOFF

CATEGORY_ZH = {c.code: c.name for c in CATEGORIES}
DISPOSITION_ZH = DISPOSITIONS
# The statuses of this API, and the case statuses behind them.
STATUS_OF_CASE = {"filed": "open", "assigned": "open", "accepted": "handling", "resolved": "closed",
                  "closed": "closed"}
CASE_STATUS = {"open": "filed", "handling": "accepted", "closed": "closed"}


def _home_village(ctx: TenantContext) -> str | None:
    for g in ctx.grants:
        if len(g.place) >= 12 and g.place[:12].isdigit():
            return g.place[:12]
    return None


def create(ctx: TenantContext, body):
    tenant = ctx.require_tenant()
    village = body.village or _home_village(ctx)
    if not village:
        raise ValidationFailed(details=[{"field": "village", "code": "required", "message": "请选择发生在哪个村"}])
    if codes.level_of(village) != "village" or places.find(tenant, village) is None:
        raise ValidationFailed(details=[{"field": "village", "code": "unknown_village", "message": "该村不存在"}])
    return cases.file(ctx, TIPOFF.id, category=body.category, text=body.description, place=village,
                      location=body.location, anonymous=body.anonymous)


def _ours(case):
    if case.type != TIPOFF.id:
        raise NotFound("找不到该举报")
    return case


def get(ctx: TenantContext, tid: str):
    try:
        return _ours(cases.get(ctx, tid))
    except NotFound:
        raise NotFound("找不到该举报") from None


def list_tipoffs(ctx: TenantContext, village: str | None, status: str | None, limit: int | None,
                 cursor: str | None) -> dict:
    """A village's tip-offs or, for county-wide roles, the county's; newest first, one Query per page."""
    tenant = ctx.require_tenant()
    return cases.inbox_page(ctx, village or tenant, case_types=[TIPOFF.id], status=CASE_STATUS.get(status or ""),
                            limit=limit, cursor=cursor)


def mine(ctx: TenantContext, limit: int | None, cursor: str | None) -> dict:
    return cases.mine(ctx, [TIPOFF.id], limit, cursor)


def handle(ctx: TenantContext, tid: str, status: str, disposition: str | None, note: str | None):
    """handling: accept (or add a note once accepted); closed: resolve with a disposition (closes: no rating)."""
    tenant = ctx.require_tenant()
    case = cases.load(tenant, tid)
    _ours(case)
    if not cases.may_read(ctx, case):
        raise NotFound("找不到该举报")
    if case.status in ("resolved", "closed") and cases.staff_may_handle(ctx, case):
        raise ValidationFailed("该举报已办结", details=[{"field": "status", "code": "already_closed",
                                                    "message": "该举报已办结"}])
    if status == "closed":
        if not disposition and cases.staff_may_handle(ctx, case):
            raise ValidationFailed(details=[{"field": "disposition", "code": "required",
                                             "message": "办结须填写处置结果"}])
        return cases.act(ctx, tid, "resolve", outcome=disposition, note=note)
    if case.status == "filed" or not cases.staff_may_handle(ctx, case):
        return cases.act(ctx, tid, "accept", note=note)
    if note:
        return cases.act(ctx, tid, "note", note=note)
    return case


def stats(ctx: TenantContext, place: str, weeks: int) -> dict:
    """Counts by week × village × category for a place: one Query per week and one BatchGet of village names."""
    s = cases.stats(ctx, TIPOFF.id, place, weeks)
    rows = [{"week": r["week"], "village": r["place"], "category": r["category"], "count": r["count"]}
            for r in s["rows"]]
    names = places.names(ctx.tenant_id, {r["village"] for r in rows}) if rows else {}
    for r in rows:
        r["village_name"] = names.get(r["village"])
    return {"place": place, "weeks": s["weeks"], "rows": rows}


def village_names(tenant: str, villages: set[str]) -> dict[str, str]:
    return places.names(tenant, villages) if villages else {}
