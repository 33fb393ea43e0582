"""Places: the county's townships/streets, administrative villages and grids."""

from __future__ import annotations

from chalice import Blueprint

from ..core.errors import ValidationFailed
from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("places",)


def out(p) -> dict:
    return {"code": p.code, "name": p.name, "level": p.level, "parent": p.parent}


@endpoint(bp, "/places", "POST", name="create_place", summary="Create a township, village or grid",
          body=".schemas:CreatePlace", response=".schemas:PlaceOut", status=201, idempotent=True,
          permission="places.write", tags=TAGS)
def create(call: Call):
    return out(service.create(call.ctx, call.body.code, call.body.name))


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
    return {"items": [out(p) for p in page["items"]], "next_cursor": page["next_cursor"]}


@endpoint(bp, "/places/{code}", "GET", name="get_place", summary="One place", response=".schemas:PlaceOut",
          permission="places.read", tags=TAGS)
def get_place(call: Call):
    code = call.params["code"]
    if code == call.ctx.tenant_id:
        call.ctx.require("places.read", code)
        return service.county_root(call.ctx)
    return out(service.get(call.ctx, code))
