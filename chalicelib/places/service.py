"""Townships, villages and grids of a county."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ..core import clock, counties
from ..core.config import page_size
from ..core.db import cancellation_codes, transact
from ..core.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from . import codes
from .models import Place


def _item(tenant: str, code: str, name: str, level: str, parent: str) -> Place:
    return Place(*Place.keys(tenant, code), code=code, name=name, level=level, parent=parent,
                 created_at=clock.iso(), gsi1pk=Place.children_key(tenant, parent), gsi1sk=code)


def create(ctx: TenantContext, code: str, name: str) -> Place:
    tenant = ctx.require_tenant()
    try:
        level, parent = codes.validate(code, tenant)
    except ValueError as e:
        raise ValidationFailed(details=[{"field": "code", "code": "invalid_code", "message": str(e)}]) from None
    ctx.require("places.write", parent)
    place = _item(tenant, code, name, level, parent)
    try:
        with transact() as tx:
            if level != "township":
                tx.condition_check(Place, *Place.keys(tenant, parent), condition=Place.pk.exists())
            tx.save(place, condition=Place.pk.does_not_exist())
    except TransactWriteError as e:
        reasons = cancellation_codes(e)
        if level != "township" and reasons and reasons[0] == "ConditionalCheckFailed":
            raise ValidationFailed(details=[{"field": "code", "code": "unknown_parent",
                                             "message": f"上级 {parent} 不存在"}]) from e
        if "ConditionalCheckFailed" in reasons:
            raise Conflict(f"编码 {code} 已存在", code="duplicate_code") from e
        raise ServiceUnavailable() from e  # throttled or an outage: a retry may succeed
    return place


def get(ctx: TenantContext, code: str) -> Place:
    tenant = ctx.require_tenant()
    ctx.require("places.read", code)
    place = find(tenant, code)
    if place is None:
        raise NotFound("找不到该地点")
    return place


def find(tenant: str, code: str) -> Place | None:
    try:
        return Place.get(*Place.keys(tenant, code))
    except Place.DoesNotExist:
        return None


def existing(tenant: str, code_list: list[str]) -> dict[str, Place]:
    """BatchGet: the places among `code_list` that exist (100 keys per call)."""
    keys = [Place.keys(tenant, c) for c in dict.fromkeys(code_list)]
    return {p.code: p for p in Place.batch_get(keys)} if keys else {}


def names(tenant: str, code_list) -> dict[str, str]:
    """The names of places by code, for responses that would otherwise show only codes (张王村第一网格, not
    330825001201G01): one BatchGet per 100 codes; the county's own code from the cached county record. Codes that
    are not places of the county (e.g. the operator's "*") or no longer exist are left out."""
    wanted = {c for c in code_list if c and codes.level_of(c)}
    out: dict[str, str] = {}
    if tenant in wanted:
        wanted.discard(tenant)
        county = counties.get(tenant)
        if county is not None:
            out[tenant] = county.name
    ordered = sorted(wanted)
    for i in range(0, len(ordered), 100):
        out.update({code: p.name for code, p in existing(tenant, ordered[i:i + 100]).items()})
    return out


def children(ctx: TenantContext, parent: str, limit: int | None, cursor: str | None) -> dict:
    """One level of the tree below `parent` (the county code for townships): one Query per page."""
    tenant = ctx.require_tenant()
    ctx.require("places.read", parent)
    bound = Place.children_key(tenant, parent)
    res = Place.gsi1.query(bound, limit=page_size(limit), last_evaluated_key=decode_cursor(cursor, bound))
    items = list(res)
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, bound)}


def subtree(ctx: TenantContext, root: str, limit: int | None, cursor: str | None) -> dict:
    """Every place under `root`, in code order (a prefix Query on the county's place partition)."""
    tenant = ctx.require_tenant()
    ctx.require("places.read", root)
    pk = Place.keys(tenant, root)[0]
    if root == tenant:
        cond = None
    elif codes.level_of(root) == "grid":
        cond = Place.sk == root  # a grid has nothing below it (and …G01 must not match …G012)
    else:
        cond = Place.sk.startswith(root)
    bound = f"{pk}|{root}"  # a cursor is valid only for the listing that produced it
    res = Place.query(pk, cond, limit=page_size(limit), last_evaluated_key=decode_cursor(cursor, bound))
    items = list(res)
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, bound)}


def county_root(ctx: TenantContext) -> dict:
    tenant = ctx.require_tenant()
    county = counties.get(tenant)
    return {"code": tenant, "name": county.name if county else tenant, "level": "county", "parent": None,
            "parent_name": None, "lng": None, "lat": None}


def validate_rows(tenant: str, rows: list[dict]) -> tuple[list[Place], list[dict]]:
    """Check a whole import before anything is written. Rows: {row, code, name, parent?}."""
    errors: list[dict] = []
    seen: dict[str, int] = {}
    ok: list[tuple[dict, str, str]] = []
    for r in rows:
        code, name = (r.get("code") or "").strip(), (r.get("name") or "").strip()
        if not name:
            errors.append({"row": r["row"], "field": "name", "code": "missing", "message": "名称必填"})
        if len(name) > 40:
            errors.append({"row": r["row"], "field": "name", "code": "too_long", "message": "名称过长"})
        try:
            level, parent = codes.validate(code, tenant)
        except ValueError as e:
            errors.append({"row": r["row"], "field": "code", "code": "invalid_code", "message": str(e)})
            continue
        given_parent = (r.get("parent") or "").strip()
        if given_parent and given_parent != parent:
            errors.append({"row": r["row"], "field": "parent", "code": "parent_mismatch",
                           "message": f"上级编码应为 {parent}"})
            continue
        if code in seen:
            errors.append({"row": r["row"], "field": "code", "code": "duplicate_in_file",
                           "message": f"编码与第{seen[code]}行重复"})
            continue
        seen[code] = r["row"]
        ok.append((r, level, parent))
    present = existing(tenant, [c for c in seen] + [p for _, _, p in ok])
    for r, level, parent in ok:
        code = r["code"].strip()
        if code in present:
            errors.append({"row": r["row"], "field": "code", "code": "duplicate_code",
                           "message": f"编码 {code} 已存在"})
        elif level != "township" and parent not in seen and parent not in present:
            errors.append({"row": r["row"], "field": "parent", "code": "unknown_parent",
                           "message": f"上级 {parent} 不存在"})
    errors.sort(key=lambda e: e["row"])
    items = [_item(tenant, r["code"].strip(), r["name"].strip(), level, parent) for r, level, parent in ok]
    return items, errors


def grids(tenant: str, under: str | None = None) -> list[Place]:
    """Every grid of a county, or of one township or village of it (`under`; codes nest, so its places are a key
    range): a batch job's read, one Query per 1 MB page of those places."""
    pk = Place.keys(tenant, tenant)[0]
    cond = Place.sk.startswith(under) if under else None
    return [p for p in Place.query(pk, cond, filter_condition=Place.level == "grid")]


def villages(tenant: str, under: str | None = None) -> list[Place]:
    """Every village of a county, or of one township (`under`), in code order: a batch job's read, one Query per
    1 MB page of those places (as `grids`)."""
    pk = Place.keys(tenant, tenant)[0]
    cond = Place.sk.startswith(under) if under else None
    return [p for p in Place.query(pk, cond, filter_condition=Place.level == "village")]


def townships(tenant: str) -> list[str]:
    """The codes of a county's townships (the county's children: one Query of the tree index)."""
    return [p.code for p in township_places(tenant)]


def township_places(tenant: str) -> list[Place]:
    """A county's townships in code order (one Query of the tree index; a county has a few dozen)."""
    return list(Place.gsi1.query(Place.children_key(tenant, tenant)))


def map_places(tenant: str, under: str | None = None) -> list[Place]:
    """The townships and villages of a county (or under one township), with their map points where known: one Query
    of the county's place partition (a key range under `under`), grids filtered out (a Longyou-sized county's
    ~2,000 places are one or two 1 MB pages)."""
    pk = Place.keys(tenant, tenant)[0]
    cond = Place.sk.startswith(under) if under and under != tenant else None
    return list(Place.query(pk, cond, filter_condition=Place.level.is_in("township", "village")))


def set_location(ctx: TenantContext, code: str, lng: float | None, lat: float | None) -> Place:
    """Put a township or village on the map (both None: take it off). WGS-84 degrees; the county's offices at or
    above the place."""
    tenant = ctx.require_tenant()
    ctx.require("places.write", code)
    place = find(tenant, code)
    if place is None:
        raise NotFound("找不到该地点")
    if place.level == "grid":
        raise ValidationFailed(details=[{"field": "code", "code": "grid_not_mapped", "message": "网格不在地图上标注"}])
    if (lng is None) != (lat is None):
        raise ValidationFailed(details=[{"field": "lng", "code": "both_or_none", "message": "经纬度需同时填写"}])
    place.update(actions=[Place.lng.set(lng) if lng is not None else Place.lng.remove(),
                          Place.lat.set(lat) if lat is not None else Place.lat.remove()],
                 condition=Place.pk.exists())
    return place
