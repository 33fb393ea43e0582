"""网上代办 applications: a villager applies for an item of the county's catalogue for their household, with the
item's form filled in (typed fields), a photo of every material and how the result comes back; it is filed on the
case workflow (casetype.ERRAND), so the applicant follows it in 我的事项 and the service point handles it in the
console's case inbox.

What the application holds beyond its case (models.ErrandApplication) is in the case's partition: the form's values
and the delivery address are encrypted with the county's data key; the materials' photos are in the media bucket
under the county's prefix (SSE-KMS), uploaded by the applicant through POST /cases/uploads (type errand) and shown
to the applicant and the handlers in scope as short-lived links, every staff view of them recorded (audit.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re

from ..cases import service as cases
from ..cases.models import Case, CaseEvent
from ..core import pii, text
from ..core.errors import NotFound, ValidationFailed
from ..core.tenancy import TenantContext
from ..households import service as households
from .casetype import ERRAND
from .models import ErrandApplication, ErrandItem

MAX_TEXT = 200
MAX_PHOTOS_A_MATERIAL = 4
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _problem(field: str, code: str, message: str) -> dict:
    return {"field": field, "code": code, "message": message}


def _item(tenant: str, item_id: str) -> dict:
    try:
        item = ErrandItem.get(*ErrandItem.keys(tenant, item_id))
    except ErrandItem.DoesNotExist:
        raise ValidationFailed(details=[_problem("item", "unknown_item", "该事项不存在")]) from None
    d = json.loads(item.data)
    if not d.get("enabled", True):
        raise ValidationFailed(details=[_problem("item", "item_disabled", "该事项已停办")])
    return d


def _values(fields: list[dict], values: dict) -> tuple[dict, list[dict]]:
    """The form's values checked against the item's typed fields: {key: {"label", "type", "value"}}."""
    out, problems = {}, []
    known = {f["key"]: f for f in fields}
    problems += [_problem(f"values.{k}", "unknown_field", "该事项没有这一项") for k in values if k not in known]
    for f in fields:
        k, label, v = f["key"], f["label"], values.get(f["key"])
        if v in (None, "", []):
            if f.get("required"):
                problems.append(_problem(f"values.{k}", "required", f"请填写{label}"))
            continue
        if f["type"] == "photo":
            keys = v if isinstance(v, list) else [v]
            if not all(isinstance(x, str) for x in keys) or len(keys) > MAX_PHOTOS_A_MATERIAL:
                problems.append(_problem(f"values.{k}", "invalid_photo", f"{label}最多{MAX_PHOTOS_A_MATERIAL}张照片"))
                continue
            v = keys
        elif not isinstance(v, str) or len(v) > MAX_TEXT or text.bad_character(v) is not None:
            problems.append(_problem(f"values.{k}", "invalid_text",
                                     f"{label}应为不超过{MAX_TEXT}字的文字（不含不可见字符）"))
            continue
        elif f["type"] == "date" and not _valid_date(v):
            problems.append(_problem(f"values.{k}", "invalid_date", f"{label}应为日期，如 2026-12-07"))
            continue
        elif f["type"] == "id_number":
            try:
                v = pii.normalise_id_number(v)
            except ValueError:
                problems.append(_problem(f"values.{k}", "invalid_id_number", f"{label}不是有效的身份证号"))
                continue
        elif f["type"] == "choice" and v not in f.get("choices", []):
            problems.append(_problem(f"values.{k}", "invalid_choice", f"{label}的选项无效"))
            continue
        out[k] = {"label": label, "type": f["type"], "value": v}
    return out, problems


def _valid_date(v: str) -> bool:
    if not _DATE.match(v):
        return False
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _materials(materials: list[dict], given: list[list[str]]) -> tuple[list[dict], list[dict]]:
    """A photo (or a few) of every material the item asks for, in its order."""
    out, problems = [], []
    if len(given) != len(materials):
        return [], [_problem("materials", "materials_mismatch", f"该事项需要{len(materials)}项材料，请逐项拍照上传")]
    for i, (m, keys) in enumerate(zip(materials, given, strict=True)):
        if not keys:
            problems.append(_problem(f"materials.{i}", "required", f"请上传“{m['name']}”的照片"))
        elif len(keys) > MAX_PHOTOS_A_MATERIAL:
            problems.append(_problem(f"materials.{i}", "too_many", f"“{m['name']}”最多{MAX_PHOTOS_A_MATERIAL}张照片"))
        out.append({"name": m["name"], "original_required": bool(m.get("original_required")), "photos": keys})
    return out, problems


def apply(ctx: TenantContext, body) -> dict:
    """File an application for one of the caller's households. Checks everything before writing; the case, its
    timeline, the applicant's index and the application itself are one transaction (cases.file)."""
    tenant = ctx.require_tenant()
    cases.require_module(tenant, ERRAND)
    if body.household not in ctx.households():
        raise NotFound("找不到该户")
    hh, members = households.load(tenant, body.household)
    item = _item(tenant, body.item)
    problems = []
    values, bad = _values(item["fields"], body.values)
    problems += bad
    materials, bad = _materials(item["materials"], body.materials)
    problems += bad
    if body.delivery not in item["delivery"]:
        problems.append(_problem("delivery", "delivery_not_offered",
                                 "该事项不能快递送达，请选择网点自取" if body.delivery == "courier"
                                 else "该事项只能快递送达"))
    if body.delivery == "courier" and not body.address:
        problems.append(_problem("address", "required", "请填写快递收件地址"))
    if problems:
        raise ValidationFailed(details=problems)
    # Every photo (materials and photo fields) uploaded by this person for an application, present, within size.
    photo_keys = [k for m in materials for k in m["photos"]] + [
        k for v in values.values() if v["type"] == "photo" for k in v["value"]]
    cases.check_photos(tenant, ERRAND, ctx.user_id, photo_keys, "materials")
    phone = body.phone

    def also(cid: str):
        return [ErrandApplication(
            *ErrandApplication.keys(tenant, cid), item_id=body.item, item_name=item["name"],
            department=item["department"], hid=hh.hid,
            values_enc=pii.encrypt(tenant, json.dumps(values, ensure_ascii=False)),
            materials=json.dumps(materials, ensure_ascii=False), delivery=body.delivery,
            address_enc=pii.encrypt(tenant, body.address) if body.delivery == "courier" else None,
            phone_enc=pii.encrypt(tenant, phone) if phone else None,
            time_limit_days=item.get("time_limit_days"), promised_days=item.get("promised_days"))]

    case = cases.file(ctx, ERRAND.id, category="apply", text=f"申请办理：{item['name']}（{item['department']}）",
                      place=hh.grid, also=also)
    return detail(ctx, case.ref)


def detail(ctx: TenantContext, ref: str) -> dict:
    """The application as the applicant or a handler in scope sees it: its case (status, timeline), the item, the
    form's values (ID numbers masked unless the reader may see household numbers), the materials as links valid for
    a few minutes. A staff reader's view of the materials is recorded."""
    from ..cases import out as case_out
    from ..core import audit, files
    from ..core.db import SubmissionsItem

    tenant = ctx.require_tenant()
    cid = cases.resolve_cid(tenant, ref)
    rows = list(SubmissionsItem.query(ErrandApplication.keys(tenant, cid)[0], consistent_read=True))
    case = next((r for r in rows if isinstance(r, Case)), None)
    app = next((r for r in rows if isinstance(r, ErrandApplication)), None)
    if case is None or app is None or case.type != ERRAND.id or not cases.may_read(ctx, case):
        raise NotFound("找不到该申请")
    cases.require_module(tenant, ERRAND)
    own = cases.is_filer(ctx, case)
    unmasked = own or ctx.can("households.pii", case.place)
    values = json.loads(pii.decrypt(tenant, app.values_enc))
    for v in values.values():
        if v["type"] == "id_number" and not unmasked:
            v["value"] = pii.mask_id_number(v["value"])
        if v["type"] == "photo":
            v["value"] = [files.download_url(k, expires=300) for k in v["value"]]
    materials = [{**m, "photos": [files.download_url(k, expires=300) for k in m["photos"]]}
                 for m in json.loads(app.materials)]
    if not own:
        audit.record(tenant, ctx, "application_materials", case.cid)
    address = pii.decrypt(tenant, app.address_enc) if app.address_enc else None
    phone = pii.decrypt(tenant, app.phone_enc) if app.phone_enc else None
    events = [r for r in rows if isinstance(r, CaseEvent)]
    return {"case": case_out.detail(ctx, case, events),
            "item": {"id": app.item_id, "name": app.item_name, "department": app.department,
                     "time_limit_days": app.time_limit_days, "promised_days": app.promised_days},
            "household": app.hid, "values": values, "materials": materials, "delivery": app.delivery,
            "address": address, "phone": phone if unmasked else pii.mask_phone(phone)}
