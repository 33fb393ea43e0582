"""党员联户: link party members to the households they look after; who looks after a household; a party member's
households. A household has at most one linked party member (`PartyGuard`); linking it again moves it."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.auth import service as auth
from ..core.db import transact
from ..core.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from ..core.tenancy import PARTY_MEMBER, TenantContext, grants_from_json
from ..households import service as households
from ..places import codes
from .models import PartyGuard, PartyLink

MAX_PER_MEMBER = 30  # 党员联户: a party member looks after a handful of households, not a village


def _party_villages(user) -> set[str]:
    return {g.place[:12] for g in grants_from_json(user.grants) if g.role == PARTY_MEMBER}


def link(ctx: TenantContext, member: str, hids: list[str]) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("party.link")
    user = auth.get_user(tenant, member)
    villages = _party_villages(user) if user.status == "active" else set()
    if not villages:
        raise ValidationFailed(details=[{"field": "member", "code": "not_party_member", "message": "该人员不是党员"}])
    found = households.get_many(tenant, hids)
    errors = []
    for i, hid in enumerate(hids):
        hh = found.get(hid)
        if hh is None or not ctx.can("party.link", hh.grid):
            raise NotFound("找不到该户")  # not 403: do not confirm another place's household exists
        if hh.village not in villages:
            errors.append({"field": f"households.{i}", "code": "other_village", "message": "该户不在该党员所在村"})
    if errors:
        raise ValidationFailed(details=errors)
    current = links_of(tenant, member)
    if len(set(current) | set(hids)) > MAX_PER_MEMBER:
        raise ValidationFailed(details=[{"field": "households", "code": "too_many",
                                         "message": f"每名党员最多联系 {MAX_PER_MEMBER} 户"}])
    guards = {g.pk.rsplit("#", 1)[1]: g for g in PartyGuard.batch_get([PartyGuard.keys(tenant, h) for h in hids])}
    now = clock.iso()
    for hid in hids:
        old = guards.get(hid)
        if old is not None and old.uid == member:
            continue
        try:
            with transact() as tx:
                cond = PartyGuard.pk.does_not_exist() if old is None else (PartyGuard.uid == old.uid)
                tx.save(PartyGuard(*PartyGuard.keys(tenant, hid), uid=member), condition=cond)
                tx.save(PartyLink(*PartyLink.keys(tenant, member, hid), uid=member, hid=hid, linked_by=ctx.user_id,
                                  linked_at=now))
                if old is not None:
                    tx.delete(PartyLink(*PartyLink.keys(tenant, old.uid, hid)))
        except TransactWriteError as e:
            if "ConditionalCheckFailed" in [getattr(r, "code", None) for r in (e.cancellation_reasons or []) if r]:
                raise Conflict("该户的联系党员刚被他人修改，请刷新后重试", code="version_conflict") from e
            raise ServiceUnavailable() from e
    return households_of(ctx, member)


def unlink(ctx: TenantContext, hid: str) -> None:
    tenant = ctx.require_tenant()
    ctx.require("party.link")
    hh = households.get_many(tenant, [hid]).get(hid)
    if hh is None or not ctx.can("party.link", hh.grid):
        raise NotFound("找不到该户")
    try:
        guard = PartyGuard.get(*PartyGuard.keys(tenant, hid), consistent_read=True)
    except PartyGuard.DoesNotExist:
        raise NotFound("该户没有联系党员") from None
    with transact() as tx:
        tx.delete(guard, condition=PartyGuard.uid == guard.uid)
        tx.delete(PartyLink(*PartyLink.keys(tenant, guard.uid, hid)))


def links_of(tenant: str, member: str) -> list[str]:
    """The households a party member looks after: one Query."""
    return [pl.hid for pl in PartyLink.query(PartyLink.keys(tenant, member, "")[0],
                                             PartyLink.sk.startswith(f"{member}#"))]


def member_of(tenant: str, hid: str) -> str | None:
    try:
        return PartyGuard.get(*PartyGuard.keys(tenant, hid)).uid
    except PartyGuard.DoesNotExist:
        return None


def all_links(tenant: str) -> dict[str, list[str]]:
    """Every link of a county, by party member (the reminder job: one Query per 1 MB page)."""
    out: dict[str, list[str]] = {}
    for pl in PartyLink.query(PartyLink.keys(tenant, "", "")[0]):
        out.setdefault(pl.uid, []).append(pl.hid)
    return out


def _may_see_member(ctx: TenantContext, user) -> bool:
    """Staff who may link at the party member's place (their grid's workers, the village's office and above)."""
    return any(ctx.can("party.link", g.place) for g in grants_from_json(user.grants) if g.role == PARTY_MEMBER)


def households_of(ctx: TenantContext, member: str) -> dict:
    """A party member's households with today's status; the member themself, or staff who may link at each."""
    tenant = ctx.require_tenant()
    user = auth.get_user(tenant, member)
    hids = links_of(tenant, member)
    found = households.get_many(tenant, hids)
    if member != ctx.user_id and not _may_see_member(ctx, user):
        raise NotFound("找不到该人员")
    today = clock.today().isoformat()
    items = [{"id": h.hid, "head_name": h.head_name, "address": h.address, "grid": h.grid,
              "reported_today": h.last_report_date == today}
             for h in sorted(found.values(), key=lambda h: h.gsi1sk or "")
             if member == ctx.user_id or ctx.can("party.link", h.grid)]
    return {"member": member, "member_name": user.name, "items": items}


def members(ctx: TenantContext, place: str, limit: int | None, cursor: str | None) -> dict:
    """The party members placed at or below a place, for whoever may link there (grid workers included, who may
    not list staff in general): the staff posts index, one Query per page and one BatchGet of the people."""
    tenant = ctx.require_tenant()
    ctx.require("party.link", place)
    page = auth.posts_under(tenant, place, limit, cursor)
    items = [u for u in page["items"] if u.status == "active" and any(
        g.role == PARTY_MEMBER and (g.place == place or g.place.startswith(place) and codes.level_of(place) != "grid")
        for g in grants_from_json(u.grants))]
    return {"items": items, "next_cursor": page["next_cursor"]}
