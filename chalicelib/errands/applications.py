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
from ..core import clock, pii, text
from ..core.auth import service as auth
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.tenancy import ROLE_NAMES_ZH, TenantContext
from ..households import service as households
from . import stats
from .casetype import ERRAND
from .models import ErrandApplication, ErrandHouseholdRef, ErrandItem

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
    from . import consent

    tenant = ctx.require_tenant()
    cases.require_module(tenant, ERRAND)
    own = body.household in ctx.households()
    if own:
        hh, _ = households.load(tenant, body.household)
    else:  # on the household's behalf: 网格员 or the service point's clerk, with the family's code
        hh, _ = consent.proxy_household(ctx, body.household)
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
    agreed, by, note = None, None, None
    if not own:  # the code is used up only by an application that is otherwise right
        agreed = consent.verify(ctx, hh.hid, body.consent_code)
        by = auth.get_user(tenant, ctx.user_id)
        role = _role_at(ctx, hh.grid)
        note = (f"{ROLE_NAMES_ZH.get(role, '工作人员')}{by.name}代为申请（{hh.address}，户主{hh.head_name}），"
                f"该户已短信验证同意（{agreed['phone']}）")

    def also(cid: str):
        app = ErrandApplication(
            *ErrandApplication.keys(tenant, cid), item_id=body.item, item_name=item["name"],
            department=item["department"], hid=hh.hid,
            values_enc=pii.encrypt(tenant, json.dumps(values, ensure_ascii=False)),
            materials=json.dumps(materials, ensure_ascii=False), delivery=body.delivery,
            address_enc=pii.encrypt(tenant, body.address) if body.delivery == "courier" else None,
            phone_enc=pii.encrypt(tenant, phone) if phone else None,
            time_limit_days=item.get("time_limit_days"), promised_days=item.get("promised_days"))
        if agreed is not None:
            app.by_uid, app.by_name, app.by_role = ctx.user_id, by.name, _role_at(ctx, hh.grid)
            app.consent_phone_mask, app.consent_at = agreed["phone"], agreed["at"]
            app.consent_phone_enc = pii.encrypt(tenant, agreed["phone_full"])
        ms = str(int(clock.now().timestamp() * 1000))
        return [app, ErrandHouseholdRef(ErrandHouseholdRef.partition(tenant, hh.hid), f"{ms}#{cid}", cid=cid),
                stats.count(tenant, clock.iso(), hh.grid, body.item, item["name"], applied=1)]

    case = cases.file(ctx, ERRAND.id, category="apply", text=f"申请办理：{item['name']}（{item['department']}）",
                      place=hh.grid, also=also, filed_note=note)
    return detail(ctx, case.ref)


def _role_at(ctx: TenantContext, grid: str) -> str | None:
    """The caller's role that lets them apply for households of the grid."""
    from ..core.tenancy import PERMISSIONS, within

    roles = PERMISSIONS.get("errands.proxy", frozenset())
    return next((g.role for g in ctx.grants if g.role in roles and (g.place == "*" or within(grid, g.place))), None)


def contact_phone(tenant: str, case) -> str | None:
    """Where the SMS of an application's steps go (cases/events.py): the family's phone that consented to an
    application made on its behalf, else (None) the applicant's own. The delivery contact is the courier's."""
    try:
        app = ErrandApplication.get(*ErrandApplication.keys(tenant, case.cid))
    except ErrandApplication.DoesNotExist:
        return None
    return pii.decrypt(tenant, app.consent_phone_enc) if app.consent_phone_enc else None


def detail(ctx: TenantContext, ref: str, recorded: bool = False) -> dict:
    """The application as the applicant or a handler in scope sees it: its case (status, timeline), the item, the
    form's values (ID numbers masked unless the reader may see household numbers), the materials as links valid for
    a few minutes. A staff reader's view of the materials is recorded (`recorded`: already, in the transaction of the
    step whose answer this is)."""
    from ..cases import out as case_out
    from ..core import audit, files
    from ..core.db import SubmissionsItem

    tenant = ctx.require_tenant()
    cid = cases.resolve_cid(tenant, ref)
    rows = list(SubmissionsItem.query(ErrandApplication.keys(tenant, cid)[0], consistent_read=True))
    case = next((r for r in rows if isinstance(r, Case)), None)
    app = next((r for r in rows if isinstance(r, ErrandApplication)), None)
    if case is None or app is None or case.type != ERRAND.id or not _may_read(ctx, case, app):
        raise NotFound("找不到该申请")
    cases.require_module(tenant, ERRAND)
    own = cases.is_filer(ctx, case) or _family(ctx, app)
    unmasked = own or ctx.can("households.pii", case.place)
    values = json.loads(pii.decrypt(tenant, app.values_enc))
    for v in values.values():
        if v["type"] == "id_number" and not unmasked:
            v["value"] = pii.mask_id_number(v["value"])
        if v["type"] == "photo":
            v["value"] = [files.download_url(k, expires=300) for k in v["value"]]
    materials = [{**m, "photos": [files.download_url(k, expires=300) for k in m["photos"]]}
                 for m in json.loads(app.materials)]
    if not own and not recorded:
        audit.record(tenant, ctx, "application_materials", case.cid)
    address = pii.decrypt(tenant, app.address_enc) if app.address_enc else None
    phone = pii.decrypt(tenant, app.phone_enc) if app.phone_enc else None
    events = [r for r in rows if isinstance(r, CaseEvent)]
    return {"case": case_out.detail(ctx, case, events),
            "item": {"id": app.item_id, "name": app.item_name, "department": app.department,
                     "time_limit_days": app.time_limit_days, "promised_days": app.promised_days},
            "household": app.hid, "values": values, "materials": materials, "delivery": app.delivery,
            "address": address, "phone": phone if unmasked else pii.mask_phone(phone),
            "stage": app.stage, "stage_name": _stage_name(app), "steps": steps(ctx, case, app),
            "on_behalf": {"by": app.by_name, "role": app.by_role, "role_name": ROLE_NAMES_ZH.get(app.by_role or "", ""),
                          "consent_phone": app.consent_phone_mask, "consent_at": app.consent_at}
            if app.by_uid else None,
            "courier": app.courier_company, "tracking_no": app.tracking_no, "shipped_at": app.shipped_at,
            "ready_at": app.ready_at, "received_at": app.received_at}


# --- handling ---------------------------------------------------------------------------------------------------

COURIERS = ("中国邮政EMS", "顺丰速运", "京东物流", "中通快递", "圆通速递", "申通快递", "韵达快递", "极兔速递")


def _load(tenant: str, cid: str) -> tuple[Case, ErrandApplication]:
    from ..core.db import SubmissionsItem

    rows = list(SubmissionsItem.query(ErrandApplication.keys(tenant, cid)[0], consistent_read=True))
    case = next((r for r in rows if isinstance(r, Case)), None)
    app = next((r for r in rows if isinstance(r, ErrandApplication)), None)
    if case is None or app is None or case.type != ERRAND.id:
        raise NotFound("找不到该申请")
    return case, app


def _family(ctx: TenantContext, app: ErrandApplication) -> bool:
    """The caller is a villager of the household the application is for: they act as its applicant."""
    return app.hid in ctx.households()


def _may_read(ctx: TenantContext, case: Case, app: ErrandApplication) -> bool:
    return cases.may_read(ctx, case) or _family(ctx, app)


def steps(ctx: TenantContext, case: Case, app: ErrandApplication) -> list[str]:
    """What the caller may do to the application now: the case's allowed actions, narrowed by where the application
    stands (ship for a courier delivery, ready for a pickup, both once approved and only once; receive once shipped
    or ready), with the case's resolve offered as "decide"."""
    when = {"ship": lambda: app.stage == "approved" and app.delivery == "courier",
            "ready": lambda: app.stage == "approved" and app.delivery == "pickup",
            "receive": lambda: app.stage in ("shipped", "ready"),
            "rate": lambda: app.stage in ("received", "refused"),
            "supplement": lambda: app.stage == "returned",
            "forward": lambda: app.stage == "submitted",  # not while waiting for the applicant's supplement
            "return": lambda: app.stage in ("submitted", "forwarded"),
            # the department decides what the service point forwarded: people of the county's offices
            "decide": lambda: app.stage == "forwarded" and ctx.can("errands.handle", ctx.tenant_id)}
    named = ("decide" if a == "resolve" else a for a in cases.allowed_actions(ctx, case, _family(ctx, app)))
    return [a for a in named if a not in when or when[a]()]


def act(ctx: TenantContext, ref: str, body) -> dict:
    """One step of an application. Checks what the step carries, then acts on the case (status, timeline, the
    applicant's notice; SMS from the stream) with the application's change in the same transaction."""
    tenant = ctx.require_tenant()
    cid = cases.resolve_cid(tenant, ref)
    case, app = _load(tenant, cid)
    if not _may_read(ctx, case, app):
        raise NotFound("找不到该申请")
    action = body.action
    tr = ERRAND.actions["resolve" if action == "decide" else action]
    applicant = cases.is_filer(ctx, case) or _family(ctx, app)
    if tr.by == "staff" and not cases.staff_may_handle(ctx, case) or tr.by == "filer" and not applicant:
        raise Forbidden("没有权限办理该申请", code="forbidden_scope")
    if action not in steps(ctx, case, app):
        raise Conflict(f"该申请{_stage_name(app)}，不能{STEP_NAMES.get(action, '这样做')}",
                       code="invalid_transition", details={"stage": app.stage, "action": action})
    now = clock.iso()
    kw: dict = {"note": body.note}
    counted: list = []  # the month's numbers (stats.py), in the step's transaction
    if action == "return":
        if not body.note:
            raise ValidationFailed(details=[_problem("note", "required", "请写明需要补充或更正什么")])
        app.stage = "returned"
    elif action == "supplement":
        item = _item_for_supplement(tenant, app)
        problems = []
        values, bad = _values(item["fields"], body.values) if body.values is not None else (None, [])
        problems += bad
        materials, bad = _materials(item["materials"], body.materials) if body.materials is not None else (None, [])
        problems += bad
        if values is None and materials is None:
            problems.append(_problem("materials", "required", "请补充材料或更正填写的内容"))
        if problems:
            raise ValidationFailed(details=problems)
        keys = [k for m in (materials or []) for k in m["photos"]] + [
            k for v in (values or {}).values() if v["type"] == "photo" for k in v["value"]]
        cases.check_photos(tenant, ERRAND, ctx.user_id, keys, "materials")
        if values is not None:
            app.values_enc = pii.encrypt(tenant, json.dumps(values, ensure_ascii=False))
        if materials is not None:
            app.materials = json.dumps(materials, ensure_ascii=False)
        app.stage = "submitted"
        kw["detail"] = {"materials": materials is not None, "values": values is not None}
    elif action == "forward":
        app.stage = "forwarded"
        kw["level"] = "county"
        kw["detail"] = {"to": app.department}
        kw["note"] = body.note or f"材料齐全，已转交{app.department}办理"
    elif action == "decide":
        if body.outcome is None:
            raise ValidationFailed(details=[_problem("outcome", "required", "请选择准予办理或不予办理")])
        if body.outcome == "refused" and not body.note:
            raise ValidationFailed(details=[_problem("note", "required", "不予办理须写明理由")])
        app.stage = body.outcome
        kw.update(outcome=body.outcome, photos=body.photos)
        action = "resolve"
        days = stats.working_days(tenant, case.created_at)
        within = app.time_limit_days is None or days <= int(app.time_limit_days)
        counted.append(stats.count(tenant, case.created_at, case.place, app.item_id, app.item_name, decided=1,
                                   **{body.outcome: 1}, within_limit=int(within), days_sum=days))
    elif action == "ship":
        if not body.courier or not body.tracking_no:
            raise ValidationFailed(details=[_problem("tracking_no", "required", "请填写快递公司和运单号")])
        app.stage, app.courier_company, app.tracking_no, app.shipped_at = "shipped", body.courier, body.tracking_no, now
        counted.append(stats.count(tenant, case.created_at, case.place, app.item_id, app.item_name, to_door=1))
        kw["detail"] = {"courier": body.courier, "tracking_no": body.tracking_no}
        kw["note"] = body.note or f"{body.courier} 运单号 {body.tracking_no}"
    elif action == "ready":
        app.stage, app.ready_at = "ready", now
        counted.append(stats.count(tenant, case.created_at, case.place, app.item_id, app.item_name, at_point=1))
        kw["note"] = body.note or "办理结果已送达村代办点，请带身份证前来领取"
    elif action == "receive":
        app.stage, app.received_at = "received", now
    elif action == "rate":
        if body.rating is None:
            raise ValidationFailed(details=[_problem("rating", "required", "请选择1到5星")])
        kw["rating"] = body.rating
    staff_answer = not applicant  # the answer shows staff the materials: its record goes in the step's transaction
    if staff_answer:
        from ..core import audit

        counted.append(audit.entry(tenant, ctx, "application_materials", case.cid))
    cases.act(ctx, ref, action, also=lambda _case: [app, *counted], by_module=True, filer_ok=_family(ctx, app), **kw)
    return detail(ctx, ref, recorded=staff_answer)


STEP_NAMES = {**ERRAND.action_names, "decide": "作出决定", "rate": "评价"}
STAGE_NAMES = {"submitted": "待受理", "returned": "需补充材料", "forwarded": "部门办理中", "approved": "准予办理",
               "refused": "不予办理", "shipped": "已寄出", "ready": "待领取", "received": "已签收"}


def _stage_name(app: ErrandApplication) -> str:
    return STAGE_NAMES.get(app.stage, app.stage)


def _item_for_supplement(tenant: str, app: ErrandApplication) -> dict:
    """The item's form and materials as now in the catalogue (an item switched off meanwhile still takes the
    applications already filed)."""
    try:
        return json.loads(ErrandItem.get(*ErrandItem.keys(tenant, app.item_id)).data)
    except ErrandItem.DoesNotExist:
        raise NotFound("该事项已不在目录中") from None


def for_household(ctx: TenantContext, hid: str, limit: int | None, cursor: str | None) -> dict:
    """我家的申请: the applications made for a household, newest first (its villagers; the grid's proxies). One Query
    of the household's index and one BatchGet of the cases a page."""
    from ..core.config import page_size
    from ..core.db import SubmissionsItem
    from ..core.http import decode_cursor, encode_cursor
    from . import consent

    tenant = ctx.require_tenant()
    if hid not in ctx.households():
        consent.proxy_household(ctx, hid)
    pk = ErrandHouseholdRef.partition(tenant, hid)
    bound = f"errands-household|{pk}"
    res = ErrandHouseholdRef.query(pk, scan_index_forward=False, limit=page_size(limit),
                                   last_evaluated_key=decode_cursor(cursor, bound))
    refs = list(res)
    keys = [ErrandApplication.keys(tenant, r.cid) for r in refs] + [(Case.partition(tenant, r.cid), "A") for r in refs]
    got = {}
    for i in range(0, len(keys), 100):
        for item in SubmissionsItem.batch_get(keys[i:i + 100]):
            got[(item.pk, item.sk)] = item
    items = []
    for r in refs:
        case = got.get((Case.partition(tenant, r.cid), "A"))
        app = got.get(ErrandApplication.keys(tenant, r.cid))
        if case is None or app is None:
            continue
        items.append({"ref": case.ref, "item": app.item_name, "department": app.department, "status": case.status,
                      "status_name": ERRAND.status_name(case.status), "stage": app.stage,
                      "stage_name": _stage_name(app), "created_at": case.created_at,
                      "on_behalf_by": app.by_name})
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, bound)}
