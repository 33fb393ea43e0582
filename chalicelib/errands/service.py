"""网上代办's catalogue: the county's items (what can be applied for, with which materials and form, how fast,
how the result comes back), read by every member of the county, written by its administrators.

Every write is one TransactWrite of the item and the county's catalogue index (models.ErrandIndex), conditional on
both versions: the phone's list is one GetItem that always agrees with the items. An import writes the changed
items in transactions of up to 99 with the index in the last; what a failed import wrote is found unchanged by the
next run of the same file (items are matched by the county's 事项编码, else by name and department).
"""

from __future__ import annotations

import json
import re
import secrets

from pynamodb.exceptions import TransactWriteError

from ..core import clock, files
from ..core.db import cancellation_codes, transact
from ..core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from ..core.tenancy import TenantContext
from .models import ErrandIndex, ErrandItem

ITEM_ID = re.compile(r"[0-9a-f]{12}")
MAX_ITEMS = 1000  # ≈ 250 KB of index: under DynamoDB's 400 KB item limit (Longyou lists 326)
MAX_BYTES = 2 * 1024 * 1024
TX_ITEMS = 99  # DynamoDB's 100 actions a transaction, one kept for the index
SUMMARY_KEYS = ("code", "name", "department", "initials", "keywords", "delivery", "fee", "time_limit_days",
                "promised_days", "enabled")
DEFINITION_KEYS = ("code", "name", "department", "summary", "conditions", "materials", "fields", "fee",
                   "time_limit_days", "promised_days", "delivery", "keywords", "enabled")


def initials(name: str) -> str:
    """The pinyin initials of a name, what people type to find it (生育登记 → sydj, B超检查 → bcjc): pypinyin, loaded
    on the first write (its dictionaries take a moment and megabytes; reads never need it)."""
    from pypinyin import Style, lazy_pinyin

    letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: list(s)))
    return "".join(c for c in letters.lower() if c.isascii() and c.isalnum())


def _out(item: ErrandItem) -> dict:
    d = json.loads(item.data)
    return {"id": item.sk[2:], **d, "updated_at": item.updated_at, "version": int(item.version)}


def _summary(item_id: str, d: dict) -> dict:
    return {"id": item_id, **{k: d.get(k) for k in SUMMARY_KEYS}}


def _definition(body: dict) -> dict:
    d = {k: body.get(k) for k in DEFINITION_KEYS}
    d["initials"] = initials(d["name"])
    return d


def _index(tenant: str, consistent: bool = False) -> ErrandIndex:
    try:
        return ErrandIndex.get(*ErrandIndex.keys(tenant), consistent_read=consistent)
    except ErrandIndex.DoesNotExist:
        return ErrandIndex(*ErrandIndex.keys(tenant))


def _configure(ctx: TenantContext) -> str:
    tenant = ctx.require_tenant()
    ctx.require("errands.configure", tenant)
    return tenant


# --- reading ---------------------------------------------------------------------------------------------------

def catalogue(ctx: TenantContext, include_disabled: bool = False) -> dict:
    """The county's items as the phone lists and searches them: one GetItem."""
    tenant = _configure(ctx) if include_disabled else ctx.require_tenant()
    index = _index(tenant, consistent=include_disabled)
    items = [s for s in json.loads(index.items).values() if include_disabled or s["enabled"]]
    items.sort(key=lambda s: (s["department"], s["name"]))
    return {"version": int(index.version or 0), "items": items}


def get(ctx: TenantContext, item_id: str) -> dict:
    tenant = ctx.require_tenant()
    if not ITEM_ID.fullmatch(item_id):
        raise NotFound("找不到该事项")
    try:
        item = ErrandItem.get(*ErrandItem.keys(tenant, item_id))
    except ErrandItem.DoesNotExist:
        raise NotFound("找不到该事项") from None
    out = _out(item)
    if not out["enabled"] and not ctx.can("errands.configure", tenant):
        raise NotFound("该事项已停办")
    return out


# --- writing ---------------------------------------------------------------------------------------------------

def create(ctx: TenantContext, body) -> dict:
    tenant = _configure(ctx)
    d = _definition(body.model_dump())
    item = ErrandItem(*ErrandItem.keys(tenant, secrets.token_hex(6)), data=json.dumps(d, ensure_ascii=False),
                      updated_at=clock.iso(), updated_by=ctx.user_id)
    _write(tenant, [(item, d)], "事项目录")
    return _out(item)


def create_many(ctx: TenantContext, bodies: list) -> int:
    """Add items in bulk (the demo county's catalogue): as create, in the import's transactions."""
    tenant = _configure(ctx)
    changes = []
    for body in bodies:
        d = _definition(body.model_dump())
        item = ErrandItem(*ErrandItem.keys(tenant, secrets.token_hex(6)), data=json.dumps(d, ensure_ascii=False),
                          updated_at=clock.iso(), updated_by=ctx.user_id)
        changes.append((item, d))
    _write(tenant, changes, "事项目录")
    return len(changes)


def update(ctx: TenantContext, item_id: str, body) -> dict:
    tenant = _configure(ctx)
    if not ITEM_ID.fullmatch(item_id):
        raise NotFound("找不到该事项")
    try:
        item = ErrandItem.get(*ErrandItem.keys(tenant, item_id), consistent_read=True)
    except ErrandItem.DoesNotExist:
        raise NotFound("找不到该事项") from None
    if int(item.version) != body.version:
        raise Conflict("该事项刚被他人修改，请刷新后重试", code="version_conflict")
    d = _definition(body.model_dump(exclude={"version"}))
    item.data, item.updated_at, item.updated_by = json.dumps(d, ensure_ascii=False), clock.iso(), ctx.user_id
    _write(tenant, [(item, d)], "该事项")
    return _out(item)


def _write(tenant: str, changes: list[tuple[ErrandItem, dict]], what: str) -> None:
    """Items and the index in transactions (≤ 99 items and the index in the last), each item conditional on the
    version read (new ones on not existing), the index on its own: a concurrent edit is a 409, never a lost one."""
    index = _index(tenant, consistent=True)
    listed = json.loads(index.items)
    duplicate = _duplicate(listed, changes)
    if duplicate:
        raise Conflict(f"已有同名事项“{duplicate}”（同一部门），请勿重复添加", code="duplicate_item")
    for item, d in changes:
        listed[item.sk[2:]] = _summary(item.sk[2:], d)
    if len(listed) > MAX_ITEMS:
        raise ValidationFailed(f"事项目录最多{MAX_ITEMS}项", code="too_many_items")
    index.items, index.updated_at = json.dumps(listed, ensure_ascii=False), clock.iso()
    chunks = [changes[i:i + TX_ITEMS] for i in range(0, len(changes), TX_ITEMS)] or [[]]
    for n, chunk in enumerate(chunks):
        try:
            with transact() as tx:
                for item, _ in chunk:
                    tx.save(item)
                if n == len(chunks) - 1:
                    tx.save(index)
        except TransactWriteError as e:
            if "ConditionalCheckFailed" in cancellation_codes(e) or "TransactionConflict" in cancellation_codes(e):
                raise Conflict(f"{what}刚被他人修改，请刷新后重试", code="version_conflict") from e
            raise


def _duplicate(listed: dict, changes: list[tuple[ErrandItem, dict]]) -> str | None:
    """A name already used in the same department by another item (codes, when both have one, must differ too)."""
    changed = {item.sk[2:] for item, _ in changes}
    seen = {(s["department"], s["name"]): i for i, s in listed.items() if i not in changed}
    for item, d in changes:
        other = seen.get((d["department"], d["name"]))
        if other is not None and other != item.sk[2:]:
            return d["name"]
        seen[(d["department"], d["name"])] = item.sk[2:]
    return None


# --- import ----------------------------------------------------------------------------------------------------

def import_sheet(ctx: TenantContext, key: str, dry_run: bool) -> dict:
    """A county's own list (sheet.py reads it): every row new, changed or unchanged against the catalogue (matched
    by 事项编码, else by name and department), or an error; nothing written on a dry run or while any row is bad."""
    from . import sheet

    tenant = _configure(ctx)
    if not key.startswith(f"{tenant}/imports/errands/"):
        raise ValidationFailed(details=[{"field": "key", "code": "invalid_key", "message": "文件不存在"}])
    try:
        data = files.read(key, MAX_BYTES)
    except ValueError:
        raise PayloadTooLarge("文件超过2MB", details={"max_bytes": MAX_BYTES}) from None
    if data is None:
        raise ValidationFailed(details=[{"field": "key", "code": "not_uploaded", "message": "文件尚未上传"}])
    try:
        rows, issues = sheet.read_catalogue(data, key)
    except ValueError as e:
        raise ValidationFailed(str(e), code="unreadable_file") from None
    existing = {i.sk[2:]: i for i in ErrandItem.query(ErrandItem.partition(tenant), ErrandItem.sk.startswith("I#"),
                                                      consistent_read=True)}
    by_code = {}
    by_name = {}
    for item_id, item in existing.items():
        d = json.loads(item.data)
        if d.get("code"):
            by_code[d["code"]] = item_id
        by_name[(d["department"], d["name"])] = item_id
    error_rows = {i["row"] for i in issues if i["level"] == "error"}
    out_rows, changes, counts = [], [], {"new": 0, "changed": 0, "unchanged": 0}
    now = clock.iso()
    for row in rows:
        n = row["row"]
        if n in error_rows:
            out_rows.append({"row": n, "action": "error", "name": row.get("name") or ""})
            continue
        item_id = (by_code.get(row["code"]) if row.get("code") else None) or by_name.get(
            (row["department"], row["name"]))
        d = _definition({**row, "enabled": True} if item_id is None else
                        {**row, "enabled": json.loads(existing[item_id].data).get("enabled", True)})
        if item_id is None:
            item = ErrandItem(*ErrandItem.keys(tenant, secrets.token_hex(6)), data="", updated_at=now,
                              updated_by=ctx.user_id)
            action = "new"
        else:
            item = existing[item_id]
            action = "unchanged" if json.loads(item.data) == d else "changed"
        out_rows.append({"row": n, "action": action, "name": d["name"]})
        counts[action] += 1
        if action != "unchanged":
            item.data, item.updated_at, item.updated_by = json.dumps(d, ensure_ascii=False), now, ctx.user_id
            changes.append((item, d))
    errors = [i for i in issues if i["level"] == "error"]
    if errors and not dry_run:
        raise ValidationFailed(f"导入失败：共{len({e['row'] for e in errors})}行有误，未导入任何数据",
                               code="import_rejected",
                               details=[{k: e.get(k) for k in ("row", "field", "code", "message")} for e in errors])
    if changes and not dry_run:
        _write(tenant, changes, "事项目录")
    return {"created": counts["new"], "updated": counts["changed"], "unchanged": counts["unchanged"],
            "dry_run": dry_run, "rows": out_rows, "issues": issues}
