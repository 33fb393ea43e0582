"""County onboarding and switches (platform operator)."""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ..core import clock, counties
from ..core.auth import service as auth
from ..core.config import page_size
from ..core.counties import County
from ..core.db import cancellation_codes, save_versioned, transact
from ..core.errors import Conflict, NotFound, ServiceUnavailable
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import COUNTY_ADMIN, Grant, TenantContext


def onboard(ctx: TenantContext, code: str, name: str, admin_phone: str, admin_name: str,
            modules: list[str] | None, contact: str | None = None) -> County:
    ctx.require("tenants.admin")
    county = counties.new_county(code, name, modules, contact)
    _, items = auth.new_user(code, admin_phone, admin_name, [Grant(COUNTY_ADMIN, code)], invited_by=ctx.user_id)
    try:
        with transact() as tx:
            tx.save(county, condition=County.pk.does_not_exist())
            for item, cond in items:
                tx.save(item, condition=cond)
    except TransactWriteError as e:
        if "ConditionalCheckFailed" in cancellation_codes(e):
            raise Conflict("该县已经开通", code="county_exists") from e
        raise ServiceUnavailable() from e  # throttled or an outage: a retry may succeed
    counties.forget(code)
    _new_county_indexes(code)
    return county


def _new_county_indexes(code: str) -> None:
    """A new county has no member indexed the old (platform-key) way: its lookups use its own blind-index key only
    (households/reindex.py). Only a saving: if it fails, lookups also try the old index until the re-index runs."""
    from ..core.observability import logger
    from ..households import reindex

    try:
        reindex.mark_done(code)
    except Exception as e:  # noqa: BLE001 - the county is created either way
        logger.warning("blind-index key not prepared", extra={"tenant": code, "error_type": type(e).__name__})


def get(ctx: TenantContext, code: str) -> County:
    ctx.require("tenants.admin")
    county = counties.get(code, fresh=True)
    if county is None:
        raise NotFound("找不到该县")
    return county


def list_counties(ctx: TenantContext, limit: int | None, cursor: str | None, status: str | None) -> dict:
    ctx.require("tenants.admin")
    pk = County.list_key()
    cond = County.status == status if status else None
    bound = f"{pk}|{status or ''}"
    res = County.gsi1.query(pk, filter_condition=cond, limit=page_size(limit),
                            last_evaluated_key=decode_cursor(cursor, bound))
    items = list(res)
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, bound)}


def _update(ctx: TenantContext, code: str, **changes) -> County:
    county = get(ctx, code)
    for k, v in changes.items():
        setattr(county, k, v)
    county.updated_at = clock.iso()
    save_versioned(county, "该县")
    counties.forget(code)
    return county


def edit(ctx: TenantContext, code: str, **changes) -> County:
    return _update(ctx, code, **changes)


def set_status(ctx: TenantContext, code: str, status: str) -> County:
    return _update(ctx, code, status=status, status_changed_at=clock.epoch())


def set_modules(ctx: TenantContext, code: str, modules: list[str]) -> County:
    return _update(ctx, code, modules=modules)
