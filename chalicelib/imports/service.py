"""Spreadsheet imports of places and of households with members: preview what a file would do, then commit it.

A preview reads the uploaded file and computes, without writing, every row's outcome: new, changed (a household
number or ID number already registered: the row updates it), unchanged, or an error with its row number and reason;
plus warnings (unknown columns, the template's sample row, likely duplicate addresses) and a fingerprint of the
writes (`plan`). The commit reads the file again, computes the plan again and writes it only if it has no errors
and, when a `plan` is sent, only if it is still the previewed one (otherwise 409 import_stale: preview again).

All or nothing: nothing is written while any row is bad; if writing fails part-way (a concurrent edit, an outage),
what this import wrote is put back.
"""

from __future__ import annotations

from ..core import files, pii
from ..core.errors import Conflict, PayloadTooLarge, ValidationFailed
from ..core.tenancy import TenantContext
from ..households import roster
from ..places import service as places
from ..places.models import Place
from . import sheets

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000  # a synchronous import stays well inside API Gateway's 29 s; larger files: split them


def upload(ctx: TenantContext, kind: str, filename: str) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("imports.write")
    if kind == "errands":  # the county's catalogue of 网上代办 items: its administrators'
        ctx.require("errands.configure", tenant)
    suffix = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    ctype = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if suffix == ".xlsx"
             else "text/csv")
    return files.presigned_upload(tenant, f"imports/{kind}", suffix, ctype, MAX_BYTES)


def _read(ctx: TenantContext, kind: str, key: str) -> tuple[str, sheets.Sheet]:
    tenant = ctx.require_tenant()
    ctx.require("imports.write")  # and, row by row, the right to write under each place (the plans)
    if not key.startswith(f"{tenant}/imports/{kind}/"):
        raise ValidationFailed(details=[{"field": "key", "code": "invalid_key", "message": "文件不存在"}])
    try:
        data = files.read(key, MAX_BYTES)
    except ValueError:
        raise PayloadTooLarge("文件超过5MB", details={"max_bytes": MAX_BYTES}) from None
    if data is None:
        raise ValidationFailed(details=[{"field": "key", "code": "not_uploaded", "message": "文件尚未上传"}])
    columns, required = ((sheets.PLACE_COLUMNS, sheets.PLACE_REQUIRED) if kind == "places"
                         else (sheets.HOUSEHOLD_COLUMNS, sheets.HOUSEHOLD_REQUIRED))
    try:
        return tenant, sheets.read_sheet(data, key, columns, MAX_ROWS, required)
    except sheets.SheetError as e:
        raise ValidationFailed(str(e), code="unreadable_file") from None


def _plan(ctx: TenantContext, tenant: str, kind: str, sheet: sheets.Sheet, with_warnings: bool) -> dict:
    p = (_places_plan(ctx, tenant, sheet.rows) if kind == "places"
         else roster.plan(ctx, tenant, sheet.rows, with_warnings=with_warnings))
    strip = [{k: v for k, v in i.items() if k != "level"} for i in sheet.issues]
    p["errors"] = [i for i, raw in zip(strip, sheet.issues, strict=True) if raw["level"] == "error"] + p["errors"]
    p["warnings"] = [i for i, raw in zip(strip, sheet.issues, strict=True) if raw["level"] == "warning"] \
        + p["warnings"]
    p["counts"]["rows"]["errors"] = len({e["row"] for e in p["errors"]})
    return p


def preview(ctx: TenantContext, kind: str, key: str) -> dict:
    tenant, sheet = _read(ctx, kind, key)
    p = _plan(ctx, tenant, kind, sheet, with_warnings=True)
    return {"kind": kind, "key": key, "rows": len(sheet.rows), "counts": p["counts"], "items": p["rows"],
            "errors": p["errors"], "warnings": p["warnings"], "plan": p["fingerprint"],
            "can_commit": not p["errors"] and any(op["action"] != "unchanged" for op in p["ops"])}


def run(ctx: TenantContext, kind: str, key: str, plan: str | None = None) -> dict:
    tenant, sheet = _read(ctx, kind, key)
    p = _plan(ctx, tenant, kind, sheet, with_warnings=False)
    if p["errors"]:
        _reject(p["errors"])
    if plan is not None and plan != p["fingerprint"]:
        raise Conflict("预览之后数据有变化（文件或系统中的记录），请重新预览后再导入", code="import_stale")
    if kind == "places":
        return {"kind": "places", "rows": len(sheet.rows), **_write_places(p["ops"]), "updated": 0,
                "unchanged": p["counts"]["rows"]["unchanged"], "members": None, "members_updated": None}
    return {"kind": "households", "rows": len(sheet.rows), **roster.apply(tenant, p["ops"])}


def _reject(errors: list[dict]) -> None:
    raise ValidationFailed(f"导入失败：共{len({e['row'] for e in errors})}行有误，未导入任何数据",
                           code="import_rejected", details=sorted(errors, key=lambda e: e["row"]))


# --- places ----------------------------------------------------------------------------------------------------

def _places_plan(ctx: TenantContext, tenant: str, rows: list[dict]) -> dict:
    """New places; a code already registered under the same name is unchanged (a file imported again), under
    another name an error (an import does not rename)."""
    items, errors = places.validate_rows(tenant, rows)
    row_of = {}
    for r in rows:
        row_of.setdefault((r.get("code") or "").strip(), r)
    dup = [e for e in errors if e["code"] == "duplicate_code"]
    unchanged: set[str] = set()
    if dup:
        codes = [(row_of_row(rows, e["row"]).get("code") or "").strip() for e in dup]
        present = places.existing(tenant, codes)
        for e, code in zip(dup, codes, strict=True):
            have = present.get(code)
            name = (row_of_row(rows, e["row"]).get("name") or "").strip()
            if have is not None and have.name == name:
                errors.remove(e)
                unchanged.add(code)
            elif have is not None:
                e["message"] = f"编码 {code} 已存在，名称为“{have.name}”：导入不能改名"
    items = [p for p in items if p.code not in unchanged]
    for p in items:  # the importer must be allowed to create under each parent
        if not ctx.can("places.write", p.parent):
            errors.append({"row": row_of[p.code]["row"], "field": "code", "code": "forbidden_scope",
                           "message": "无权在该上级下创建"})
    errors.sort(key=lambda e: (e["row"], e["field"]))
    bad = {e["row"] for e in errors}
    new_codes = {p.code for p in items}
    out = []
    for r in rows:
        code = (r.get("code") or "").strip()
        action = ("error" if r["row"] in bad else "unchanged" if code in unchanged
                  else "new" if code in new_codes else "error")
        out.append({"row": r["row"], "ref": code, "name": (r.get("name") or "").strip(), "id_number": None,
                    "action": action, "changes": []})
    counts = {"rows": {a: sum(1 for r in out if r["action"] == a) for a in ("new", "changed", "unchanged")},
              "households": None}
    ops = [{"action": "new", "place": p} for p in items]
    fingerprint = pii.blind_index("import_plan", "|".join(sorted(f"{p.code}={p.name}" for p in items)))
    return {"rows": out, "errors": errors, "warnings": [], "counts": counts, "ops": ops,
            "fingerprint": fingerprint}


def row_of_row(rows: list[dict], n: int) -> dict:
    return next((r for r in rows if r["row"] == n), {})


def _write_places(ops: list[dict]) -> dict:
    items = sorted((op["place"] for op in ops), key=lambda p: len(p.code))  # parents first
    written: list[Place] = []
    try:
        for p in items:
            p.save(condition=Place.pk.does_not_exist())
            written.append(p)
    except Exception:
        for p in written:
            p.delete()
        raise
    return {"created": len(items)}
