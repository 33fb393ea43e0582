"""随手拍: filing (the grid comes from the filer's household unless given), duplicate suggestions, and the village
board of resolved cases. Everything else — routing to the grid worker, SLA, escalation, the timeline, rating,
reopening, moderation — is the case workflow's (chalicelib/cases)."""

from __future__ import annotations

from ..cases import categories
from ..cases import service as cases
from ..cases.models import Case
from ..core import files
from ..core.db import key, one_page
from ..core.errors import ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from ..places import service as places
from .casetype import SNAP

BOARD_PAGE = 20


def _home_grid(ctx: TenantContext) -> str | None:
    """The grid of the filer's household (a resident grant is placed at it)."""
    for g in ctx.grants:
        if g.household and "G" in g.place:
            return g.place
    return None


def _home_village(ctx: TenantContext) -> str | None:
    for g in ctx.grants:
        if len(g.place) >= 12 and g.place[:12].isdigit():
            return g.place[:12]
    return None


def file(ctx: TenantContext, body) -> Case:
    grid = body.grid or _home_grid(ctx)
    if not grid:
        raise ValidationFailed(details=[{"field": "grid", "code": "required", "message": "请选择发生在哪个网格"}])
    return cases.file(ctx, SNAP.id, category=body.category, text=body.text, place=grid, location=body.location,
                      extra=body.extra, photos=body.photos, lat=body.lat, lng=body.lng)


def similar(ctx: TenantContext, grid: str, category: str) -> list[dict]:
    """Open 随手拍 of the same category in the same grid in the last 7 days, to join instead of filing again."""
    ctx.require_tenant()
    found = cases.similar(ctx, SNAP.id, grid, category)
    cat = categories.get(ctx.tenant_id, SNAP, category)
    return [{"ref": c.ref, "category_name": cat.name if cat else c.category, "text": c.text,
             "status_name": SNAP.status_name(c.status), "created_at": c.created_at,
             "photo": files.download_url(c.photos[0]) if c.photos and c.photos[0] not in (c.hidden_photos or [])
             else None} for c in found]


def board(ctx: TenantContext, village: str | None, cursor: str | None) -> dict:
    """The village's resolved 随手拍, newest first: what was reported and how it was fixed (before and after photos,
    without those staff hid, without any filer's name). Anyone of the county may look at a village's board."""
    tenant = ctx.require_tenant()
    village = village or _home_village(ctx)
    if not village or places.find(tenant, village) is None:
        raise ValidationFailed(details=[{"field": "village", "code": "unknown_village", "message": "该村不存在"}])
    cases.require_module(tenant, SNAP)
    pk = key(tenant, "CASEV", village)
    flt = (Case.type == SNAP.id) & Case.status.is_in("resolved", "closed") & Case.hidden_reason.does_not_exist() & \
        Case.duplicate_of.does_not_exist()
    bound = f"{pk}|board"
    items, last = one_page(Case.gsi1.query(pk, scan_index_forward=False, filter_condition=flt, page_size=BOARD_PAGE * 3,
                                           last_evaluated_key=decode_cursor(cursor, bound)), BOARD_PAGE * 3)
    names = places.names(tenant, {village, *(c.place for c in items)})

    def photos(c, keys):
        hidden = set(c.hidden_photos or [])
        return [{"id": k, "url": files.download_url(k)} for k in keys or [] if k not in hidden]

    out = []
    for c in items:
        cat = categories.get(tenant, SNAP, c.category)
        out.append({"ref": c.ref, "category_name": cat.name if cat else c.category, "text": c.text,
                    "place_name": names.get(c.place), "outcome_name": SNAP.outcomes.get(c.outcome or ""),
                    "note": c.note, "photos": photos(c, c.photos), "after_photos": photos(c, c.after_photos),
                    "rating": int(c.rating) if c.rating is not None else None, "created_at": c.created_at,
                    "resolved_at": c.resolved_at})
    return {"village": village, "village_name": names.get(village), "items": out,
            "next_cursor": encode_cursor(last, bound)}
