"""Places: the county's townships/streets, administrative villages and grids."""

from __future__ import annotations

from chalice import Blueprint

from ..core.errors import ValidationFailed
from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("places",)


def out(p, names: dict[str, str] | None = None) -> dict:
    return {"code": p.code, "name": p.name, "level": p.level, "parent": p.parent,
            "parent_name": (names or {}).get(p.parent) if p.parent else None,
            "lng": float(p.lng) if p.lng is not None else None, "lat": float(p.lat) if p.lat is not None else None}


def _with_parent_names(ctx, items: list) -> list[dict]:
    """Places with the names of their parents (one BatchGet for the page; the county's name is cached), so that
    no screen has to show a parent's code."""
    names = service.names(ctx.tenant_id, {p.parent for p in items if p.parent}) if items else {}
    return [out(p, names) for p in items]


@endpoint(bp, "/places", "POST", name="create_place", summary="Create a township, village or grid",
          body=".schemas:CreatePlace", response=".schemas:PlaceOut", status=201, idempotent=True,
          permission="places.write", tags=TAGS)
def create(call: Call):
    return _with_parent_names(call.ctx, [service.create(call.ctx, call.body.code, call.body.name)])[0]


@endpoint(bp, "/places", "GET", name="list_places", summary="Children of a place, or the whole subtree under it",
          query=".schemas:PlaceQuery", response=".schemas:PlacePage", permission="places.read", tags=TAGS)
def list_places(call: Call):
    q, ctx = call.query, call.ctx
    if q.parent and q.under:
        raise ValidationFailed("parent 与 under 只能选一个", code="conflicting_filters")
    if q.under:
        page = service.subtree(ctx, q.under, q.limit, q.cursor)
    else:
        page = service.children(ctx, q.parent or ctx.require_tenant(), q.limit, q.cursor)
    return {"items": _with_parent_names(ctx, page["items"]), "next_cursor": page["next_cursor"]}


@endpoint(bp, "/places/townships", "GET", name="list_townships", response=".schemas:TownshipList",
          permission=SIGNED_IN, tags=TAGS,
          summary="The county's townships (code and name) for anyone signed in to it: the pickers of job seekers, "
                  "employers and volunteers (names of public administrative places, one Query)")
def list_townships(call: Call):
    return {"items": [{"code": p.code, "name": p.name} for p in service.township_places(call.ctx.require_tenant())]}


@endpoint(bp, "/places/{code}", "GET", name="get_place", summary="One place", response=".schemas:PlaceOut",
          permission="places.read", tags=TAGS)
def get_place(call: Call):
    code = call.params["code"]
    if code == call.ctx.tenant_id:
        call.ctx.require("places.read", code)
        return service.county_root(call.ctx)
    return _with_parent_names(call.ctx, [service.get(call.ctx, code)])[0]


@endpoint(bp, "/places/{code}/location", "PUT", name="set_place_location", body=".schemas:LocationIn",
          response=".schemas:PlaceOut", permission="places.write", tags=TAGS,
          summary="Put a township or village on the county map (lng/lat, WGS-84; both null takes it off): the "
                  "analysis's hotspot map draws it (a grid: 422)")
def set_location(call: Call):
    b = call.body
    return _with_parent_names(call.ctx, [service.set_location(call.ctx, call.params["code"], b.lng, b.lat)])[0]
