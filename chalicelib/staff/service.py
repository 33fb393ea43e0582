"""Staff and their roles: invited by phone by someone allowed to, placed at a township, village or grid."""

from __future__ import annotations

from ..core import pii
from ..core.auth import service as auth
from ..core.auth.models import StaffPost, User
from ..core.config import page_size
from ..core.errors import Forbidden, NotFound, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.notify import Sms, sms
from ..core.tenancy import ROLE_LEVEL, ROLE_NAMES_ZH, Grant, TenantContext, grants_from_json
from ..inbox import service as inbox
from ..places import codes
from ..places import service as places


def _may_manage(ctx: TenantContext, role: str, place: str) -> bool:
    return ctx.may_appoint(role, place)


def invite(ctx: TenantContext, phone: str, name: str, role: str, place: str) -> User:
    tenant = ctx.require_tenant()
    if not place.startswith(tenant):
        raise ValidationFailed(details=[{"field": "place", "code": "outside_county", "message": "地点不属于本县"}])
    if not _may_manage(ctx, role, place):
        raise Forbidden("没有权限在该地点任命该角色", code="forbidden_scope")
    want = ROLE_LEVEL[role]
    if codes.level_of(place) != want:
        raise ValidationFailed(details=[{"field": "place", "code": "wrong_level",
                                         "message": f"{ROLE_NAMES_ZH[role]}应设在{_LEVEL_ZH[want]}"}])
    if want != "county" and places.find(tenant, place) is None:
        raise ValidationFailed(details=[{"field": "place", "code": "unknown_place", "message": "地点不存在"}])
    user, _ = auth.add_grants(tenant, phone, name, [Grant(role, place)], invited_by=ctx.user_id)
    sms().send(phone, Sms("staff_invited", role=ROLE_NAMES_ZH[role]))
    place_name = (places.find(tenant, place).name if want != "county" else "") or place
    inbox.deliver(tenant, user.uid, "新的职务", f"您已被设为{place_name}的{ROLE_NAMES_ZH[role]}。")
    return user


_LEVEL_ZH = {"county": "县级", "township": "乡镇（街道）", "village": "行政村", "grid": "网格"}


def list_staff(ctx: TenantContext, place: str | None, limit: int | None, cursor: str | None) -> dict:
    """Staff posted at or below a place: a Query on the posts index, then one BatchGet of the people."""
    tenant = ctx.require_tenant()
    place = place or tenant
    ctx.require("staff.read", place)
    pk = StaffPost.index(tenant)
    if place == tenant:
        cond = None
    elif codes.level_of(place) == "grid":
        cond = StaffPost.gsi1sk.startswith(f"{place}#")
    else:
        cond = StaffPost.gsi1sk.startswith(place)
    bound = f"{pk}|{place}"
    res = StaffPost.gsi1.query(pk, cond, limit=page_size(limit), last_evaluated_key=decode_cursor(cursor, bound))
    posts = list(res)
    uids = list(dict.fromkeys(p.uid for p in posts))
    users = {u.uid: u for u in User.batch_get([User.keys(tenant, uid) for uid in uids])} if uids else {}
    items = [users[p.uid] for p in posts if p.uid in users]
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, bound)}


def remove(ctx: TenantContext, uid: str) -> User:
    """Take away the staff roles the caller may manage; with none left the person is removed and signed out."""
    tenant = ctx.require_tenant()
    try:
        user = User.get(*User.keys(tenant, uid), consistent_read=True)
    except User.DoesNotExist:
        raise NotFound("找不到该人员") from None
    grants = grants_from_json(user.grants)
    staff = [g for g in grants if g.household is None]
    removable = [g for g in staff if _may_manage(ctx, g.role, g.place)]
    if not staff or user.status != "active":
        raise NotFound("找不到该人员")
    if not removable:
        raise Forbidden("没有权限移除该人员", code="forbidden_scope")
    auth.set_grants(tenant, user, [g for g in grants if g not in removable])
    auth.revoke_all(tenant, uid)
    return user


def place_names(ctx: TenantContext, users: list[User]) -> dict[str, str]:
    """The names of the places of these people's staff roles (one BatchGet), so a list shows 张王村第一网格."""
    return places.names(ctx.tenant_id, {g.place for u in users for g in grants_from_json(u.grants)})


def out(ctx: TenantContext, user: User, names: dict[str, str] | None = None) -> dict:
    """One person; a list passes `names` (place_names of the whole page) so that it costs one BatchGet in all."""
    phone = pii.decrypt(ctx.tenant_id, user.phone_enc)
    names = place_names(ctx, [user]) if names is None else names
    return {"id": user.uid, "name": user.name, "phone": pii.mask_phone(phone), "status": user.status,
            "grants": [{"role": g.role, "role_name": ROLE_NAMES_ZH.get(g.role, g.role), "place": g.place,
                        "place_name": names.get(g.place)}
                       for g in grants_from_json(user.grants) if g.household is None]}
