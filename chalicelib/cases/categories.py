"""Each county's categories of a case type. A type declares its default categories (with SLAs and extra fields);
the county admin may rename them, change their SLA and extra fields, switch them off, and add their own. A county
that never edited a type gets the defaults. A category is never deleted (cases filed under it keep its name): it is
switched off, and new cases cannot choose it.

Read on every filing and listing: one GetItem per county and type, cached in the container for
`tenant_cache_seconds` (like the county record; at least one second, so a list of many cases reads it once). An
edit in one container is seen by the others within that time."""

from __future__ import annotations

import json
import re
import threading
import time

from ..core import clock
from ..core.config import settings
from ..core.db import save_versioned
from ..core.errors import ValidationFailed
from ..core.tenancy import TenantContext
from . import types
from .models import CaseCategories

DATATYPES = ("string", "text", "number", "datetime", "singlevaluelist", "multivaluelist")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,29}$")
MAX_CATEGORIES, MAX_FIELDS, MAX_VALUES = 30, 10, 30
_cache: dict[tuple[str, str], tuple[float, tuple[types.Category, ...]]] = {}
_lock = threading.Lock()


def of(tenant: str, t: types.CaseType, *, fresh: bool = False) -> tuple[types.Category, ...]:
    """Every category of the type in the county, switched off ones included."""
    ttl = max(1, settings().tenant_cache_seconds)  # at least a second: one read serves a whole request's cases
    now = time.monotonic()
    if not fresh:
        with _lock:
            hit = _cache.get((tenant, t.id))
        if hit and now - hit[0] < ttl:
            return hit[1]
    try:
        item = CaseCategories.get(*CaseCategories.keys(tenant, t.id), consistent_read=True)
        cats = tuple(types.Category.from_json(d) for d in json.loads(item.categories))
    except CaseCategories.DoesNotExist:
        cats = t.categories
    with _lock:
        _cache[(tenant, t.id)] = (now, cats)
    return cats


def active(tenant: str, t: types.CaseType) -> tuple[types.Category, ...]:
    return tuple(c for c in of(tenant, t) if c.enabled)


def get(tenant: str, t: types.CaseType, code: str) -> types.Category | None:
    return next((c for c in of(tenant, t) if c.code == code), None)


def _problems(items: list[dict], required_codes: set[str]) -> list[dict]:
    out = []
    seen = set()
    if not 1 <= len(items) <= MAX_CATEGORIES:
        out.append({"field": "categories", "code": "count", "message": f"类别应有1到{MAX_CATEGORIES}个"})
    for i, c in enumerate(items):
        at = f"categories.{i}"
        if not _CODE.match(c["code"]):
            out.append({"field": f"{at}.code", "code": "invalid_code", "message": "编码只能用小写字母、数字和下划线"})
        if c["code"] in seen:
            out.append({"field": f"{at}.code", "code": "duplicate", "message": "类别编码重复"})
        seen.add(c["code"])
        fseen = set()
        if len(c.get("fields") or []) > MAX_FIELDS:
            out.append({"field": f"{at}.fields", "code": "too_many", "message": f"每个类别最多{MAX_FIELDS}项"})
        for j, f in enumerate(c.get("fields") or []):
            fat = f"{at}.fields.{j}"
            if not _CODE.match(f["code"]) or f["code"] in fseen:
                out.append({"field": f"{fat}.code", "code": "invalid_code", "message": "填写项编码无效或重复"})
            fseen.add(f["code"])
            lists = f.get("datatype") in ("singlevaluelist", "multivaluelist")
            values = f.get("values") or []
            if lists and not 1 <= len(values) <= MAX_VALUES:
                out.append({"field": f"{fat}.values", "code": "required", "message": "选择题需要1到30个选项"})
            if not lists and values:
                out.append({"field": f"{fat}.values", "code": "not_a_list", "message": "只有选择题才有选项"})
            if len({v["key"] for v in values}) != len(values):
                out.append({"field": f"{fat}.values", "code": "duplicate", "message": "选项重复"})
    missing = sorted(required_codes - seen)
    if missing:
        out.append({"field": "categories", "code": "category_removed",
                    "message": f"类别不能删除，只能停用：{'、'.join(missing)}"})
    return out


def replace(ctx: TenantContext, type_id: str, items: list[dict]) -> tuple[types.Category, ...]:
    """The county admin's new list of categories for a type (every category they had, in the order to show)."""
    tenant = ctx.require_tenant()
    ctx.require("cases.configure", tenant)
    t = types.get(type_id)
    if t is None:
        raise ValidationFailed(details=[{"field": "type", "code": "unknown_type", "message": "没有这种事项"}])
    try:
        item = CaseCategories.get(*CaseCategories.keys(tenant, t.id), consistent_read=True)
        before = {d["code"] for d in json.loads(item.categories)}
    except CaseCategories.DoesNotExist:
        item = CaseCategories(*CaseCategories.keys(tenant, t.id))
        before = set()
    problems = _problems(items, before | {c.code for c in t.categories})
    if problems:
        raise ValidationFailed(details=problems)
    cats = tuple(types.Category.from_json(d) for d in items)
    if not any(c.enabled for c in cats):
        raise ValidationFailed(details=[{"field": "categories", "code": "none_enabled", "message": "至少启用一个类别"}])
    item.categories = json.dumps([c.to_json() for c in cats], ensure_ascii=False)
    item.updated_by, item.updated_at = ctx.user_id, clock.iso()
    save_versioned(item, "类别设置")
    with _lock:
        _cache.pop((tenant, t.id), None)
    return cats
