"""The case workflow: file, read with its timeline, act (assign, accept, note, escalate, resolve, close, mark
duplicate, hide, reopen, rate), list in a place (the console inbox) or the filer's own, count, and escalate what is
overdue. Every case module (疫情举报, 随手拍, 村民信箱...) files through here with its declared type (types.py).

Rules kept in one place:
- Who sees a case: its filer, and staff holding the type's read permission at the case's place. Anyone else gets
  404, so that a case's existence is not confirmed. A private type (letters) is never published.
- Who acts: staff with the type's handle permission at the place (staff actions), the filer (reopen, rate).
- A module switched off for the county switches its cases off too (403 `module_disabled`).
- Every change is one TransactWrite: the case (versioned: a concurrent edit is a 409) and its timeline event, plus
  the due-queue item while an SLA runs. The filer is told of every status change in their inbox.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import uuid

from pynamodb.exceptions import TransactWriteError

from ..core import clock, counties, files
from ..core.auth import service as auth
from ..core.config import page_size
from ..core.db import SubmissionsItem, cancellation_codes, key, one_page, transact
from ..core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import PERMISSIONS, TenantContext, grants_from_json, within
from ..inbox import service as inbox
from ..places import codes
from ..places import service as places
from . import categories, quality, types
from .models import HEAD, Case, CaseAlias, CaseCount, CaseDue, CaseEvent, CaseRef, CaseSeq

_REF = re.compile(r"^([A-Z]{2})-(\d{6})-(\d{6,9})$")
_LEGACY = re.compile(r"^\d{12}-\d{13}-[0-9a-f]{8}$")  # tip-off ids before the workflow
NOT_FOUND = "找不到该事项"
SOON_HOURS = 24  # an open case due within a day shows amber


def week_of(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _ms(t: dt.datetime) -> str:
    return f"{int(t.timestamp() * 1000):013d}"


# --- reading ----------------------------------------------------------------------------------------------------

def resolve_cid(tenant: str, ref: str) -> str:
    """The case id of a public reference (`SP-330825-000123`) or of an id from before the workflow."""
    m = _REF.match(ref or "")
    if m:
        if m.group(2) != tenant or types.by_prefix(m.group(1)) is None:
            raise NotFound(NOT_FOUND)
        return f"{m.group(1)}-{m.group(3)}"
    if _LEGACY.match(ref or ""):
        try:
            return CaseAlias.get(key(tenant, "CASEALIAS", ref), HEAD).cid
        except CaseAlias.DoesNotExist:
            raise NotFound(NOT_FOUND) from None
    raise NotFound(NOT_FOUND)


def load(tenant: str, ref: str, *, consistent: bool = True) -> Case:
    try:
        return Case.get(Case.partition(tenant, resolve_cid(tenant, ref)), HEAD, consistent_read=consistent)
    except Case.DoesNotExist:
        raise NotFound(NOT_FOUND) from None


def case_type(case: Case) -> types.CaseType:
    t = types.get(case.type)
    if t is None:
        raise NotFound(NOT_FOUND)
    return t


def require_module(tenant: str, t: types.CaseType) -> None:
    if t.module not in counties.enabled_modules(counties.get(tenant)):
        raise Forbidden("本县未开通该功能", code="module_disabled", details={"module": t.module})


def is_filer(ctx: TenantContext, case: Case) -> bool:
    return case.filer_uid == ctx.user_id


def staff_may_read(ctx: TenantContext, case: Case) -> bool:
    return ctx.can(case_type(case).read_permission, case.place)


def staff_may_handle(ctx: TenantContext, case: Case) -> bool:
    return ctx.can(case_type(case).handle_permission, case.place)


def may_read(ctx: TenantContext, case: Case) -> bool:
    return is_filer(ctx, case) or staff_may_read(ctx, case)


def get(ctx: TenantContext, ref: str) -> Case:
    tenant = ctx.require_tenant()
    case = load(tenant, ref)
    if not may_read(ctx, case):
        raise NotFound(NOT_FOUND)
    require_module(tenant, case_type(case))
    return case


def with_timeline(ctx: TenantContext, ref: str) -> tuple[Case, list[CaseEvent]]:
    """The case and every event, oldest first: one Query of the case's partition."""
    tenant = ctx.require_tenant()
    cid = resolve_cid(tenant, ref)
    items = list(SubmissionsItem.query(Case.partition(tenant, cid), consistent_read=True))  # polymorphic
    case = next((i for i in items if isinstance(i, Case)), None)
    if case is None or not may_read(ctx, case):
        raise NotFound(NOT_FOUND)
    require_module(tenant, case_type(case))
    return case, [i for i in items if isinstance(i, CaseEvent)]


# --- filing -----------------------------------------------------------------------------------------------------

def _next_number(tenant: str, prefix: str) -> int:
    """The county's next reference number for a type: one atomic ADD (a failed filing leaves a gap)."""
    conn = CaseSeq._get_connection()
    res = conn.update_item(key(tenant, "CASESEQ"), prefix,
                           actions=[CaseSeq.value.add(1), CaseSeq.kind.set(CaseSeq)], return_values="UPDATED_NEW")
    return int(res["Attributes"]["value"]["N"])


def _sla_due(tenant: str, t: types.CaseType, category: types.Category, start: dt.datetime) -> str | None:
    if t.working_day_sla and category.sla_hours:
        from ..workdays import service as workdays

        return clock.iso(workdays.due(tenant, start, max(1, category.sla_hours // 24)))
    if category.sla_hours:
        return clock.iso(start + dt.timedelta(hours=category.sla_hours))
    return None


def _index_keys(tenant: str, place: str, ms: str, cid: str) -> dict:
    village_or_township = place[:12] if codes.level_of(place) in ("village", "grid") else place[:9]
    sk = f"{ms}#{cid}"
    return {"gsi1pk": key(tenant, "CASEV", village_or_township), "gsi1sk": sk,
            "gsi2pk": key(tenant, "CASET", place[:9]), "gsi2sk": sk, "gsi3pk": key(tenant, "CASEC"), "gsi3sk": sk}


def _check_place(tenant: str, t: types.CaseType, place: str | None) -> str:
    if not place:
        raise ValidationFailed(details=[{"field": "place", "code": "required", "message": "请选择发生在哪里"}])
    level = codes.level_of(place)
    allowed = {"grid": ("grid",), "village": ("village", "grid"), "township": ("township", "village", "grid")}
    if level not in allowed.get(t.place_level, (t.place_level,)) or places.find(tenant, place) is None:
        raise ValidationFailed(details=[{"field": "place", "code": "unknown_place", "message": "该地点不存在"}])
    return place


def _check_extra(category: types.Category, extra: dict | None) -> dict:
    extra = dict(extra or {})
    problems = []
    known = {f.code: f for f in category.fields}
    for code in extra:
        if code not in known:
            problems.append({"field": f"extra.{code}", "code": "unknown_field", "message": "该类别没有这一项"})
    for f in category.fields:
        v = extra.get(f.code)
        if v in (None, "", []):
            if f.required:
                problems.append({"field": f"extra.{f.code}", "code": "required", "message": f"请填写{f.name}"})
            extra.pop(f.code, None)
            continue
        keys = {k for k, _ in f.values}
        bad_single = f.datatype == "singlevaluelist" and (not isinstance(v, str) or v not in keys)
        bad_multi = f.datatype == "multivaluelist" and (not isinstance(v, list) or not set(v) <= keys)
        if bad_single or bad_multi:
            problems.append({"field": f"extra.{f.code}", "code": "invalid_choice", "message": f"{f.name}的选项无效"})
        elif f.datatype == "number" and (isinstance(v, bool) or not isinstance(v, int | float)):
            problems.append({"field": f"extra.{f.code}", "code": "not_a_number", "message": f"{f.name}应为数字"})
        elif f.datatype in ("string", "text", "datetime") and (not isinstance(v, str) or len(v) > 500):
            problems.append({"field": f"extra.{f.code}", "code": "invalid_text", "message": f"{f.name}应为文字"})
    if problems:
        raise ValidationFailed(details=problems)
    return extra


def file(ctx: TenantContext, type_id: str, *, category: str, text: str, place: str | None,
         location: str | None = None, anonymous: bool = False, extra: dict | None = None,
         photos: list[str] | None = None, lat: float | None = None, lng: float | None = None,
         filer_name: str | None = None, per_day: int | None = None, also=None, filed_note: str | None = None) -> Case:
    """`filer_name` and `per_day` are for a filer that is not a person of the county (an Open311 client, filing
    for many people): the name staff see, and its own daily allowance instead of the type's per-person one.
    `also(cid)`: the module's own items of the case (its partition), written in the case's transaction;
    `filed_note`: what the timeline's first event says besides "filed" (网上代办: made on a household's behalf)."""
    tenant = ctx.require_tenant()
    t = types.get(type_id)
    if t is None:
        raise NotFound(NOT_FOUND)
    require_module(tenant, t)
    cat = categories.get(tenant, t, category)
    if cat is None or not cat.enabled:
        raise ValidationFailed(details=[{"field": "category", "code": "unknown_category", "message": "类别无效"}])
    place = _check_place(tenant, t, place)
    extra = _check_extra(cat, extra)
    if anonymous and not t.anonymous:
        raise ValidationFailed(details=[{"field": "anonymous", "code": "not_allowed", "message": "该事项不能匿名"}])
    photos = check_photos(tenant, t, ctx.user_id, photos, "photos")
    auth.rate_limit(f"case-{t.id}", f"{tenant}#{ctx.user_id}", per_day or t.per_day, *auth.SHANGHAI_DAY)
    name = filer_name if filer_name is not None else auth.get_user(tenant, ctx.user_id).name
    now = clock.now()
    cid = f"{t.prefix}-{_next_number(tenant, t.prefix):06d}"
    ms, week = _ms(now), week_of(now.astimezone(clock.SHANGHAI).date())
    due = _sla_due(tenant, t, cat, now)
    level = _start_level(t, place)
    assignee = _route(tenant, t, place)
    case = Case(Case.partition(tenant, cid), HEAD, cid=cid, ref=public_ref(tenant, cid), type=t.id, category=cat.code,
                place=place, village=place[:12] if len(place) >= 12 else None, township=place[:9], text=text,
                location=location, lat=_round(lat), lng=_round(lng), extra=extra, photos=photos, anonymous=anonymous,
                filer_uid=ctx.user_id, filer_name=name, status="assigned" if assignee else "filed",
                assignee_uid=assignee.uid if assignee else None, assignee_name=assignee.name if assignee else None,
                level=level, due_at=due, sla_due_at=due,
                created_at=clock.iso(now), updated_at=clock.iso(now), week=week,
                **_index_keys(tenant, place, ms, cid))
    month_add = quality.filed(tenant, case)
    event = _event(tenant, cid, now, "filed", ctx.user_id, name, "filer", "filed", filed_note)
    routed = _event(tenant, cid, now + dt.timedelta(milliseconds=1), "assigned", None, None, "system", "assigned",
                    None, {"assignee": assignee.name}) if assignee else None
    count_pk, count_sk = CaseCount.keys(tenant, t.id, week, case.village or case.township, cat.code)

    def write():
        with transact() as tx:
            tx.save(case, condition=Case.pk.does_not_exist())
            tx.save(event)
            if routed is not None:
                tx.save(routed)
            tx.save(CaseRef(CaseRef.partition(tenant, ctx.user_id), f"{ms}#{cid}", cid=cid, type=t.id))
            if due:
                tx.save(CaseDue(CaseDue.partition(tenant), f"{due}#{cid}", cid=cid))
            tx.update(CaseCount(count_pk, count_sk), actions=[CaseCount.count.add(1), CaseCount.kind.set(CaseCount)])
            tx.update(*month_add)
            _save_own(tx, own)

    own = also(cid) if also is not None else ()
    _write(write)
    return case


def _start_level(t: types.CaseType, place: str) -> str:
    """Who handles a new case first: the first level of the type's path at or above the place's own level (a letter
    to the township starts there; one to the village starts at the village)."""
    at = types.LEVELS.index(codes.level_of(place)) if codes.level_of(place) in types.LEVELS else 0
    return next((lv for lv in t.escalation if types.LEVELS.index(lv) >= at), t.escalation[-1])


def _route(tenant: str, t: types.CaseType, place: str):
    """Whom a new case goes to: the first active person posted at its place in one of the type's `route_to` roles
    (in that order of roles), or nobody (staff of the place assign it)."""
    if not t.route_to:
        return None
    staff = auth.staff_at(tenant, place)
    for role in t.route_to:
        for user in staff:
            if any(g.role == role and g.place == place for g in grants_from_json(user.grants or "[]")):
                return user
    return None


PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
UPLOADS_PER_DAY = 100


def photo_upload(ctx: TenantContext, type_id: str, content_type: str) -> dict:
    """A presigned S3 POST for one photo of a case type (≤ the type's photo size), under the caller's own folder:
    photos never pass through Lambda, and a key names whose photo it is."""
    tenant = ctx.require_tenant()
    t = types.get(type_id)
    if t is None or not t.max_photos:
        raise ValidationFailed(details=[{"field": "type", "code": "no_photos", "message": "该事项不能上传照片"}])
    require_module(tenant, t)
    if content_type not in PHOTO_TYPES:
        raise ValidationFailed(details=[{"field": "content_type", "code": "unsupported",
                                         "message": "只能上传 JPEG、PNG 或 WebP 图片"}])
    auth.rate_limit("case-upload", f"{tenant}#{ctx.user_id}", UPLOADS_PER_DAY, *auth.SHANGHAI_DAY)
    return files.presigned_upload(tenant, f"cases/{t.id}", PHOTO_TYPES[content_type], content_type, t.photo_bytes,
                                  name=photo_name(ctx.user_id))


def _photo_tag(uid: str, rand: str) -> str:
    from ..core import pii

    return pii.blind_index("case-photo", f"{uid}:{rand}")[:16]


def photo_name(uid: str) -> str:
    """A photo's file name says who uploaded it without naming them: `{random}-{keyed hash of uploader and random}`.
    The filer's id never appears in a photo's key (keys reach the village board and Open311 as signed links), and
    two photos of one person cannot be linked by their keys."""
    rand = uuid.uuid4().hex[:16]
    return f"{rand}-{_photo_tag(uid, rand)}"


def _uploaded_by(tenant: str, t: types.CaseType, uid: str, k: str) -> bool:
    prefix = f"{tenant}/cases/{t.id}/"
    if not k.startswith(prefix):
        return False
    rand, _, tag = k[len(prefix):].rpartition(".")[0].partition("-")
    return bool(rand) and "/" not in rand and hmac.compare_digest(tag.encode(), _photo_tag(uid, rand).encode())


def check_photos(tenant: str, t: types.CaseType, uid: str, keys: list[str] | None, field: str) -> list[str]:
    """Photos uploaded by this person for this type, that exist and are within the size (one HeadObject each)."""
    keys = list(dict.fromkeys(keys or []))
    if len(keys) > t.max_photos:
        raise ValidationFailed(details=[{"field": field, "code": "too_many", "message": f"最多{t.max_photos}张照片"}])
    problems = []
    for i, k in enumerate(keys):
        size = files.size(k) if _uploaded_by(tenant, t, uid, k) else None
        if size is None:
            problems.append({"field": f"{field}.{i}", "code": "photo_missing", "message": "照片未上传成功，请重新上传"})
        elif size > t.photo_bytes:
            problems.append({"field": f"{field}.{i}", "code": "photo_too_large", "message": "照片超过300KB"})
    if problems:
        raise ValidationFailed(details=problems)
    return keys


def _round(v: float | None) -> float | None:
    """GPS rounded to 3 decimals (about 100 m): enough to find a pothole's street, not a person's door."""
    return None if v is None else round(float(v), 3)


def public_ref(tenant: str, cid: str) -> str:
    prefix, number = cid.split("-", 1)
    return f"{prefix}-{tenant}-{number}"


def _event(tenant: str, cid: str, at: dt.datetime, event: str, uid: str | None, name: str | None, role: str,
           status: str | None, note: str | None = None, detail: dict | None = None) -> CaseEvent:
    return CaseEvent(Case.partition(tenant, cid), f"E#{_ms(at)}#{uuid.uuid4().hex[:6]}", event=event,
                     at=clock.iso(at), by_uid=uid, by_name=name, by_role=role, status=status, note=note,
                     detail=detail or {})


def _save_own(tx, items) -> None:
    """A module's items of a filing or an action: a model is saved, a (model, actions) pair updated (counters)."""
    for item in items:
        if isinstance(item, tuple):
            tx.update(item[0], actions=item[1])
        else:
            tx.save(item)


def _write(fn, attempts: int = 3) -> None:
    """Run a TransactWrite, retrying a transaction conflict with another filing (a shared counter); a failed
    condition on the case is a concurrent edit (409)."""
    for attempt in range(attempts):
        try:
            fn()
            return
        except TransactWriteError as e:
            reasons = cancellation_codes(e)
            if "ConditionalCheckFailed" in reasons:
                raise Conflict("该事项刚被他人处理，请刷新后重试", code="version_conflict") from e
            if attempt == attempts - 1 or "TransactionConflict" not in reasons:
                raise ServiceUnavailable() from e


# --- acting -----------------------------------------------------------------------------------------------------

def allowed_actions(ctx: TenantContext, case: Case, filer_ok: bool = False) -> list[str]:
    """What the caller may do to the case now (the UI shows these buttons). `filer_ok`: a module says the caller
    acts as the filer (网上代办: the household an application was made for)."""
    t = case_type(case)
    staff, filer = staff_may_handle(ctx, case), is_filer(ctx, case) or filer_ok
    out = []
    for name, tr in t.actions.items():
        if case.status not in tr.frm:
            continue
        if tr.by == "staff" and not staff:
            continue
        if tr.by == "filer" and not filer:
            continue
        if name == "rate" and not t.rating:
            continue
        if name == "reopen" and not _reopen_open(t, case):
            continue
        if name == "escalate" and case.level == t.escalation[-1]:
            continue
        if name == "hide" and case.hidden_reason:
            continue
        out.append(name)
    return out


def _reopen_open(t: types.CaseType, case: Case) -> bool:
    since = case.resolved_at or case.closed_at
    if not since or not t.reopen_days or case.duplicate_of:
        return False
    return clock.now() - dt.datetime.fromisoformat(since) <= dt.timedelta(days=t.reopen_days)


def _staff_user(tenant: str, t: types.CaseType, case: Case, uid: str):
    """An assignee: a person of the county holding the type's handle permission at the case's place."""
    try:
        user = auth.get_user(tenant, uid)
    except NotFound:
        user = None
    roles = PERMISSIONS.get(t.handle_permission, frozenset())
    ok = user is not None and any(g.role in roles and (g.place == "*" or within(case.place, g.place))
                                  for g in grants_from_json(user.grants or "[]"))
    if not ok:
        raise ValidationFailed(details=[{"field": "assignee", "code": "not_a_handler",
                                         "message": "该人员不能办理这一地点的事项"}])
    return user


def act(ctx: TenantContext, ref: str, action: str, *, note: str | None = None, outcome: str | None = None,
        assignee: str | None = None, duplicate_of: str | None = None, reason: str | None = None,
        rating: int | None = None, photos: list[str] | None = None, hide_photos: list[str] | None = None,
        level: str | None = None, detail: dict | None = None, also=None, by_module: bool = False,
        filer_ok: bool = False) -> Case:
    """`level`, `detail` and `also(case)` are for a module's own actions (its route checks what they carry): the
    level the case moves to, what the timeline event records, and the module's items written in the same
    transaction."""
    tenant = ctx.require_tenant()
    case = load(tenant, ref)
    t = case_type(case)
    if not (may_read(ctx, case) or filer_ok):
        raise NotFound(NOT_FOUND)
    require_module(tenant, t)
    tr = t.actions.get(action)
    if tr is None or action in t.module_actions and not by_module:
        raise ValidationFailed(details=[{"field": "action", "code": "unknown_action", "message": "该事项不支持此操作"}])
    if tr.by == "staff" and not staff_may_handle(ctx, case):
        raise Forbidden("没有权限办理该事项", code="forbidden_scope")
    if tr.by == "filer" and not (is_filer(ctx, case) or filer_ok):
        raise Forbidden("只有提交人可以这样做", code="forbidden_scope")
    if action not in allowed_actions(ctx, case, filer_ok):
        name = t.action_names.get(action) or ACTION_NAMES.get(action, action)
        raise Conflict(f"该事项{t.status_name(case.status)}，不能{name}",
                       code="invalid_transition", details={"status": case.status, "action": action})
    now = clock.now()
    actor = auth.get_user(tenant, ctx.user_id)
    role = "filer" if tr.by == "filer" else "staff"
    before = case.status
    own_detail = dict(detail or {})
    detail = {}
    event = t.action_events.get(action) or EVENT_OF_ACTION[action]
    if action == "assign":
        if not assignee:
            raise ValidationFailed(details=[{"field": "assignee", "code": "required", "message": "请选择办理人"}])
        user = _staff_user(tenant, t, case, assignee)
        event = "reassigned" if case.assignee_uid else "assigned"
        case.assignee_uid, case.assignee_name = user.uid, user.name
        detail = {"assignee": user.name}
    elif action == "escalate":
        case.level = t.escalation[t.escalation.index(case.level) + 1] if case.level in t.escalation else case.level
        detail = {"to": case.level}
        event = "escalated"
    elif action == "resolve":
        if t.outcomes and outcome not in t.outcomes and (outcome is not None or t.outcome_required):
            raise ValidationFailed(details=[{"field": "outcome", "code": "required" if outcome is None else
                                             "invalid_choice", "message": "请选择处理结果"}])
        if not note and not t.outcome_required:
            raise ValidationFailed(details=[{"field": "note", "code": "required", "message": "请填写答复内容"}])
        case.outcome = outcome or case.outcome
        photos = check_photos(tenant, t, ctx.user_id, photos, "photos")
        case.after_photos = list(case.after_photos or []) + photos
        if photos:
            detail = {"photos": list(photos)}
    elif action == "duplicate":
        if not duplicate_of:
            raise ValidationFailed(details=[{"field": "duplicate_of", "code": "required",
                                             "message": "请填写重复的事项编号"}])
        original = load(tenant, duplicate_of)
        if original.cid == case.cid or original.type != case.type or not staff_may_read(ctx, original):
            raise ValidationFailed(details=[{"field": "duplicate_of", "code": "invalid_duplicate",
                                             "message": "不能合并到该事项"}])
        case.duplicate_of = original.ref
        detail = {"of": original.ref}
    elif action == "hide":
        if not reason:
            raise ValidationFailed(details=[{"field": "reason", "code": "required", "message": "请填写屏蔽原因"}])
        if hide_photos:
            unknown = set(hide_photos) - set(case.photos or []) - set(case.after_photos or [])
            if unknown:
                raise ValidationFailed(details=[{"field": "hide_photos", "code": "unknown_photo",
                                                 "message": "该照片不属于此事项"}])
            case.hidden_photos = sorted(set(case.hidden_photos or []) | set(hide_photos))
            detail = {"photos": len(hide_photos)}
        else:
            case.hidden_reason = reason
        note = reason
    elif action == "rate":
        if rating is None or not 1 <= rating <= 5:
            raise ValidationFailed(details=[{"field": "rating", "code": "required", "message": "请选择1到5星"}])
        case.rating, case.rating_note = rating, note
        detail = {"rating": rating}
    elif action in ("note", "reply") and not note:
        raise ValidationFailed(details=[{"field": "note", "code": "required", "message": "请填写内容"}])
    detail.update(own_detail)
    if level is not None:
        case.level = level
    if tr.to:
        case.status = tr.to
    if action == "resolve" and not t.rating:
        case.status = "closed"  # nothing to wait for: no rating
    if case.status == "resolved" and before != "resolved":
        case.resolved_at = clock.iso(now)
    if case.status == "closed" and before != "closed":
        case.closed_at = clock.iso(now)
    if action == "reopen":
        case.resolved_at = case.closed_at = None
        case.rating = case.rating_note = None
        case.level = _start_level(t, case.place)
    if role == "staff" and action not in ("hide",):
        case.handled_by, case.handled_by_name, case.handled_at = ctx.user_id, actor.name, clock.iso(now)
        if note and action in ("resolve", "note", "accept", "close", "duplicate"):
            case.note = note
    old_due = case.due_at
    if case.status in types.OPEN_STATUSES:
        if action in ("reopen", "escalate"):
            cat = categories.get(tenant, t, case.category) or types.Category(case.category, case.category)
            case.due_at = _sla_due(tenant, t, cat, now)
    else:
        case.due_at = None
    case.updated_at = clock.iso(now)
    month_add = quality.step(tenant, case, action, role, now)
    ev = _event(tenant, case.cid, now, event, ctx.user_id, actor.name, role, case.status, note, detail)

    told = None
    if role == "staff" and (case.status != before or action in ("note", "escalate", "assign")
                            or action in t.action_events):
        told = _tell_filer(tenant, t, case, action, note)
    own = also(case) if also is not None else ()

    def write():
        with transact() as tx:
            tx.save(case)  # versioned: a concurrent change is a ConditionalCheckFailed → 409
            tx.save(ev)
            if told is not None:
                tx.save(told)  # the filer's notice, in the same transaction: told exactly when it happened
            if old_due != case.due_at:
                if old_due:
                    tx.delete(CaseDue(CaseDue.partition(tenant), f"{old_due}#{case.cid}"))
                if case.due_at:
                    tx.save(CaseDue(CaseDue.partition(tenant), f"{case.due_at}#{case.cid}", cid=case.cid))
            if month_add is not None:
                tx.update(*month_add)  # the month's answer/resolution counters (quality.py): with the step, once
            _save_own(tx, own)

    _write(write)
    return case


EVENT_OF_ACTION = {"reply": "note", "assign": "assigned", "accept": "accepted", "note": "note",
                   "escalate": "escalated",
                   "resolve": "resolved", "close": "closed", "duplicate": "duplicate", "hide": "hidden",
                   "reopen": "reopened", "rate": "rated"}
ACTION_NAMES = {"reply": "回复", "assign": "派单", "accept": "受理", "note": "回复", "escalate": "上报",
                "resolve": "办结",
                "close": "关闭", "duplicate": "合并", "hide": "屏蔽", "reopen": "重新打开", "rate": "评价"}


def _tell_filer(tenant: str, t: types.CaseType, case: Case, action: str, note: str | None):
    """The filer's inbox notice of a change (not yet stored)."""
    what = {"escalate": "已转交上级办理", "note": "有新的答复", "assign": "已派给办理人"}.get(
        action) or t.event_names.get(t.action_events.get(action, "")) or t.status_name(case.status)
    outcome = t.outcomes.get(case.outcome or "", "") if case.status in ("resolved", "closed") else ""
    body = "：".join(x for x in (outcome, note) if x) or what
    cat = categories.get(tenant, t, case.category)
    return inbox.message(tenant, case.filer_uid, f"您的{cat.name if cat else ''}{t.noun}{what}",
                         f"{body}（编号 {case.ref}）", category=t.module)


# --- lists ------------------------------------------------------------------------------------------------------

def readable_types(ctx: TenantContext, place: str, wanted: list[str] | None) -> list[types.CaseType]:
    """The case types the caller may read at `place`, among those asked for, of modules the county has on."""
    tenant = ctx.require_tenant()
    on = set(counties.enabled_modules(counties.get(tenant)))
    out = []
    for t in types.all_types():
        if wanted and t.id not in wanted:
            continue
        if t.module in on and ctx.can(t.read_permission, place):
            out.append(t)
    if not out:
        raise Forbidden("没有权限访问该范围的数据", code="forbidden_scope")
    return out


STATUS_FILTERS = {"open": types.OPEN_STATUSES, "resolved": frozenset({"resolved"}), "closed": frozenset({"closed"}),
                  "done": frozenset({"resolved", "closed"})}


def inbox_page(ctx: TenantContext, place: str, *, case_types: list[str] | None = None, status: str | None = None,
               category: str | None = None, overdue: bool = False, limit: int | None = None,
               cursor: str | None = None) -> dict:
    """Cases at or below a place, newest first, one Query per page: a village's (or a township's own) on gsi1, a
    township's on gsi2, the county's on gsi3; a grid is its village's, filtered."""
    tenant = ctx.require_tenant()
    allowed = readable_types(ctx, place, case_types)
    level = codes.level_of(place) if place != tenant else "county"
    if level == "county":
        index, pk = Case.gsi3, key(tenant, "CASEC")
    elif level == "township":
        index, pk = Case.gsi2, key(tenant, "CASET", place)
    elif level in ("village", "grid"):
        index, pk = Case.gsi1, key(tenant, "CASEV", place[:12])
    else:
        raise ValidationFailed(details=[{"field": "place", "code": "unknown_place", "message": "该地点不存在"}])
    flt = Case.type.is_in(*[t.id for t in allowed])
    if level == "grid":
        flt &= Case.place == place
    if status:
        flt &= Case.status.is_in(*STATUS_FILTERS.get(status, {status}))
    if category:
        flt &= Case.category == category
    if overdue:
        flt &= Case.due_at < clock.iso()
    bound = f"{pk}|{','.join(sorted(t.id for t in allowed))}|{status or ''}|{category or ''}|{overdue}|{place}"
    n = page_size(limit)
    items, last = one_page(index.query(pk, scan_index_forward=False, filter_condition=flt, page_size=n,
                                       last_evaluated_key=decode_cursor(cursor, bound)), n)
    return {"items": items, "next_cursor": encode_cursor(last, bound)}


def mine(ctx: TenantContext, case_types: list[str] | None, limit: int | None, cursor: str | None) -> dict:
    """The caller's own cases, newest first: a Query of their references and a BatchGet of the cases."""
    tenant = ctx.require_tenant()
    on = set(counties.enabled_modules(counties.get(tenant)))
    live = {t.id for t in types.all_types() if t.module in on}
    wanted = live & set(case_types) if case_types else live
    pk = CaseRef.partition(tenant, ctx.user_id)
    bound = f"{pk}|{','.join(sorted(wanted))}"
    flt = CaseRef.type.is_in(*wanted) if wanted else None
    if not wanted:
        return {"items": [], "next_cursor": None}
    n = page_size(limit)
    refs, last = one_page(CaseRef.query(pk, scan_index_forward=False, filter_condition=flt, page_size=n,
                                        last_evaluated_key=decode_cursor(cursor, bound)), n)
    got = {c.cid: c for c in Case.batch_get([(Case.partition(tenant, r.cid), HEAD) for r in refs])} if refs else {}
    return {"items": [got[r.cid] for r in refs if r.cid in got], "next_cursor": encode_cursor(last, bound)}


def stats(ctx: TenantContext, type_id: str, place: str, weeks: int) -> dict:
    """Counts by week × place × category: one Query per week, whatever the number of cases."""
    tenant = ctx.require_tenant()
    t = types.get(type_id)
    if t is None:
        raise NotFound(NOT_FOUND)
    ctx.require(t.read_permission, place)
    today = clock.today()
    week_list = [week_of(today - dt.timedelta(weeks=i)) for i in range(weeks - 1, -1, -1)]
    rows = []
    for week in week_list:
        pk = CaseCount.keys(tenant, t.id, week, "", "")[0]
        cond = None if place == tenant else CaseCount.sk.startswith(place)
        for c in CaseCount.query(pk, cond):
            where, cat = c.sk.split("#", 1)
            rows.append({"week": week, "place": where, "category": cat, "count": int(c.count)})
    return {"place": place, "weeks": week_list, "rows": rows}


def month_quality(tenant: str, months: list[str]) -> dict[tuple[str, str], dict[str, int]]:
    """How the cases filed in these months fared, {(township, type): counters} (quality.py): one Query a month."""
    return quality.months(tenant, months)


def type_names() -> list[dict]:
    """Every registered case type's id and name, in registration order."""
    return [{"id": t.id, "name": t.name} for t in types.all_types()]


def similar(ctx: TenantContext, type_id: str, place: str, category: str, days: int = 7) -> list[Case]:
    """Open cases of the same type and category at the same place in the last `days` (duplicate suggestions when
    filing): one Query of the village log, newest first, stopping at the window."""
    tenant = ctx.require_tenant()
    t = types.get(type_id)
    if t is None or t.private or codes.level_of(place) not in ("grid", "village"):
        return []
    since = _ms(clock.now() - dt.timedelta(days=days))
    flt = (Case.type == t.id) & (Case.category == category) & Case.status.is_in(*types.OPEN_STATUSES) & (
        Case.place == place)
    found, _ = one_page(Case.gsi1.query(key(tenant, "CASEV", place[:12]), Case.gsi1sk >= since,
                                        scan_index_forward=False, filter_condition=flt, page_size=100), 100)
    return [c for c in found if not c.hidden_reason][:5]  # the village's last 100 cases of the week: one call


# --- escalation -------------------------------------------------------------------------------------------------

def escalate_overdue(tenant: str, now: dt.datetime | None = None) -> int:
    """Move every overdue open case of a county one level up (village → township → county): one Query of the due
    queue up to now, then per case the same transaction as a staff action. A case already at the top stays
    overdue (its due item is removed, the inbox keeps showing it red)."""
    now = now or clock.now()
    done = 0
    for due in CaseDue.query(CaseDue.partition(tenant), CaseDue.sk < f"{clock.iso(now)}~", limit=200):
        try:
            case = Case.get(Case.partition(tenant, due.cid), HEAD, consistent_read=True)
        except Case.DoesNotExist:
            due.delete()
            continue
        t = types.get(case.type)
        if t is None or case.status not in types.OPEN_STATUSES or case.due_at is None or case.due_at > clock.iso(now):
            if case.due_at != due.sk.split("#", 1)[0]:
                due.delete()  # stale: the case moved on
            continue
        old_due = case.due_at
        top = case.level not in t.escalation or case.level == t.escalation[-1]
        if not top:
            case.level = t.escalation[t.escalation.index(case.level) + 1]
            cat = categories.get(tenant, t, case.category) or types.Category(case.category, case.category)
            case.due_at = _sla_due(tenant, t, cat, now)
        else:
            case.due_at = None
        case.updated_at = clock.iso(now)
        ev = _event(tenant, case.cid, now, "escalated", None, None, "system", case.status,
                    None, {"to": case.level, "overdue_since": old_due, "top": top})
        told = None
        if not top:
            level_zh = {"township": "乡镇（街道）", "county": "县级部门"}.get(case.level, case.level)
            told = inbox.message(tenant, case.filer_uid, f"您的{t.noun}已转交{level_zh}办理",
                                 f"超过办理时限未答复，已自动转交{level_zh}（编号 {case.ref}）", category=t.module)

        def write(case=case, ev=ev, old_due=old_due, told=told):
            with transact() as tx:
                tx.save(case)
                tx.save(ev)
                if told is not None:
                    tx.save(told)
                tx.delete(CaseDue(CaseDue.partition(tenant), f"{old_due}#{case.cid}"))
                if case.due_at:
                    tx.save(CaseDue(CaseDue.partition(tenant), f"{case.due_at}#{case.cid}", cid=case.cid))

        try:
            _write(write)
        except Conflict:
            continue  # staff acted on it meanwhile; the next run looks again
        done += 1
    return done


def sla_state(case: Case, now: dt.datetime | None = None) -> str | None:
    """green (in time) | amber (due within a day) | red (overdue) for open cases with an SLA; None otherwise."""
    if case.status not in types.OPEN_STATUSES or not case.due_at:
        return None
    now = now or clock.now()
    due = dt.datetime.fromisoformat(case.due_at)
    if due <= now:
        return "red"
    return "amber" if due - now <= dt.timedelta(hours=SOON_HOURS) else "green"
