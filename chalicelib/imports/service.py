"""Spreadsheet imports of places and of households with members: validate every row first, then write.

All or nothing: nothing is written while any row is bad (every bad row comes back with its row number and reason);
if writing fails part-way (a concurrent edit, an outage), what this import wrote is removed again.
"""

from __future__ import annotations

from ..core import files
from ..core.errors import PayloadTooLarge, ValidationFailed
from ..core.tenancy import TenantContext
from ..households import service as households
from ..places import service as places
from ..places.models import Place
from . import sheets

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # a synchronous import stays well inside API Gateway's 29 s; larger files: split them


def upload(ctx: TenantContext, kind: str, filename: str) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("imports.write")
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    ctype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if suffix == ".xlsx"
             else "text/csv")
    return files.presigned_upload(tenant, f"imports/{kind}", suffix, ctype, MAX_BYTES)


def run(ctx: TenantContext, kind: str, key: str) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("imports.write")  # and, row by row, the right to write under each place (below)
    if not key.startswith(f"{tenant}/imports/{kind}/"):
        raise ValidationFailed(details=[{"field": "key", "code": "invalid_key", "message": "文件不存在"}])
    try:
        data = files.read(key, MAX_BYTES)
    except ValueError:
        raise PayloadTooLarge("文件超过5MB", details={"max_bytes": MAX_BYTES}) from None
    if data is None:
        raise ValidationFailed(details=[{"field": "key", "code": "not_uploaded", "message": "文件尚未上传"}])
    columns = sheets.PLACE_COLUMNS if kind == "places" else sheets.HOUSEHOLD_COLUMNS
    try:
        rows = sheets.read_rows(data, key, columns, MAX_ROWS)
    except sheets.SheetError as e:
        raise ValidationFailed(str(e), code="unreadable_file") from None
    if kind == "places":
        return _places(ctx, tenant, rows)
    return _households(ctx, tenant, rows)


def _reject(errors: list[dict]) -> None:
    raise ValidationFailed(f"导入失败：共{len({e['row'] for e in errors})}行有误，未导入任何数据",
                           code="import_rejected", details=errors)


def _places(ctx: TenantContext, tenant: str, rows: list[dict]) -> dict:
    items, errors = places.validate_rows(tenant, rows)
    for p in items:  # the importer must be allowed to create under each parent
        if not ctx.can("places.write", p.parent):
            errors.append({"row": next(r["row"] for r in rows if r.get("code", "").strip() == p.code),
                           "field": "code", "code": "forbidden_scope", "message": "无权在该上级下创建"})
    if errors:
        _reject(sorted(errors, key=lambda e: e["row"]))
    items.sort(key=lambda p: len(p.code))  # parents first
    written: list[Place] = []
    try:
        for p in items:
            p.save(condition=Place.pk.does_not_exist())
            written.append(p)
    except Exception:
        for p in written:
            p.delete()
        raise
    return {"kind": "places", "rows": len(rows), "created": len(items)}


def _households(ctx: TenantContext, tenant: str, rows: list[dict]) -> dict:
    groups, errors = households.validate_rows(tenant, rows, sheets.truthy)
    for g in groups:
        if g["grid"] and not ctx.can("households.write", g["grid"]):
            errors.append({"row": next(r["row"] for r in rows if r.get("ref") == g["ref"]), "field": "grid",
                           "code": "forbidden_scope", "message": "无权在该网格下登记"})
    if errors:
        _reject(sorted(errors, key=lambda e: e["row"]))
    written: list[str] = []
    try:
        for g in groups:
            hh = households.write_household(tenant, g["grid"], g["address"], g["members"], g["ref"])
            written.append(hh.hid)
    except Exception:
        for hid in written:
            households.delete_household(tenant, hid)
        raise
    return {"kind": "households", "rows": len(rows), "created": len(written),
            "members": sum(len(g["members"]) for g in groups)}
