"""红黑榜: the county's criteria, a village's settings, inspections of households with photo evidence, the household's
history and its one appeal of a score.

An inspection is one TransactWrite: the score record (models.Inspection, in the household's history through gsi1) and
the household's month item in the village's month partition (models.MonthScore, conditional on its version), so the
village's board is one Query of that partition. A household's month score is its LATEST inspection of the month (the
board rewards a household that cleaned up after a poor visit); an amendment after an appeal takes the place of the
record it amends (and counts if that record still does).
"""

from __future__ import annotations

import json
import re
import secrets

from pynamodb.exceptions import TransactWriteError

from ..core import clock, files
from ..core.db import cancellation_codes, one_page, save_versioned, transact
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.tenancy import ROLE_NAMES_ZH, TenantContext, within
from .models import AppealRef, BoardCriteria, BoardSettings, Inspection, MonthScore

DEFAULT_CRITERIA = (
    {"key": "courtyard", "name": "庭院卫生", "weight": 50, "max_score": 10},
    {"key": "sorting", "name": "垃圾分类", "weight": 30, "max_score": 10},
    {"key": "frontage", "name": "门前三包", "weight": 20, "max_score": 10},
)
DEFAULT_SETTINGS = {"red_count": 10, "red_min": 80, "black_count": 10, "black_below": 60, "black_names": "masked"}
SETTING_KEYS = tuple(DEFAULT_SETTINGS)
BLACK_NAMES = {"full": "显示户主全名", "masked": "户主姓名打码（张*三）并显示户编号", "number": "只显示户编号"}
APPEAL_NAMES = {"pending": "申诉处理中", "upheld": "维持原评分", "amended": "已更正评分"}
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
PHOTO_BYTES = 300 * 1024
UPLOADS_PER_DAY = 200
IID = re.compile(r"^[0-9a-f]{16}$")
VILLAGE = re.compile(r"^\d{12}$")
MONTH = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")
NOT_FOUND = "找不到该评分记录"


def month_of(iso: str | None = None) -> str:
    """YYYY-MM in Asia/Shanghai of a UTC timestamp (now by default)."""
    import datetime as dt

    t = dt.datetime.fromisoformat(iso.replace("Z", "+00:00")) if iso else clock.now()
    return t.astimezone(clock.SHANGHAI).strftime("%Y-%m")


def check_village(tenant: str, village: str) -> str:
    if not VILLAGE.fullmatch(village) or not village.startswith(tenant):
        raise NotFound("找不到该村")
    return village


def check_month(month: str) -> str:
    if not MONTH.fullmatch(month):
        raise NotFound("月份应为 YYYY-MM")
    return month


# --- who may see what ---------------------------------------------------------------------------------------------

def village_staff(ctx: TenantContext, village: str) -> bool:
    """Staff of the village's board: a cadre at or above it (boards.approve), or an inspector placed in it."""
    return ctx.can("boards.approve", village) or any(
        g.place != "*" and within(g.place, village) for g in ctx.grants_for("boards.inspect"))


def villager_of(ctx: TenantContext, village: str) -> bool:
    """A person of a household of the village (their token's resident grants are placed at its grid)."""
    return any(g.household and g.place != "*" and within(g.place, village) for g in ctx.grants)


def _require_village_staff(ctx: TenantContext, village: str) -> None:
    if not village_staff(ctx, village):
        raise Forbidden("没有权限访问该村的红黑榜", code="forbidden_scope")


# --- criteria -----------------------------------------------------------------------------------------------------

def _criteria_item(tenant: str, consistent: bool = False) -> BoardCriteria | None:
    try:
        return BoardCriteria.get(*BoardCriteria.keys(tenant), consistent_read=consistent)
    except BoardCriteria.DoesNotExist:
        return None


def criteria_out(item: BoardCriteria | None) -> dict:
    if item is None:
        return {"criteria": [dict(c) for c in DEFAULT_CRITERIA], "version": 0, "default": True, "updated_at": None}
    return {"criteria": json.loads(item.criteria), "version": int(item.version), "default": False,
            "updated_at": item.updated_at}


def get_criteria(ctx: TenantContext) -> dict:
    """Everyone of the county (the phone shows what is scored): one GetItem."""
    return criteria_out(_criteria_item(ctx.require_tenant()))


def set_criteria(ctx: TenantContext, body) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("boards.configure", tenant)
    item = _criteria_item(tenant, consistent=True)
    current = int(item.version) if item is not None else 0
    if body.version is not None and body.version != current:
        raise Conflict("评分标准刚被他人修改，请刷新后重试", code="version_conflict")
    if item is None:
        item = BoardCriteria(*BoardCriteria.keys(tenant), criteria="[]", updated_at=clock.iso())
    item.criteria = json.dumps([c.model_dump() for c in body.criteria], ensure_ascii=False)
    item.updated_at, item.updated_by = clock.iso(), ctx.user_id
    save_versioned(item, "评分标准")
    return criteria_out(item)


def weighted(criteria: list[dict], scores: dict[str, int]) -> tuple[list[dict], float]:
    """The breakdown (each criterion with its score) and the weighted total out of 100, one decimal."""
    breakdown = [{**c, "score": scores[c["key"]]} for c in criteria]
    total = sum(c["weight"] * c["score"] / c["max_score"] for c in breakdown)
    return breakdown, round(total, 1)


def check_scores(criteria: list[dict], scores: dict) -> None:
    known = {c["key"]: c for c in criteria}
    problems = [{"field": f"scores.{k}", "code": "unknown_criterion", "message": "没有这一评分项"}
                for k in scores if k not in known]
    for c in criteria:
        v = scores.get(c["key"])
        if v is None:
            problems.append({"field": f"scores.{c['key']}", "code": "required", "message": f"请为“{c['name']}”打分"})
        elif not 0 <= v <= c["max_score"]:
            problems.append({"field": f"scores.{c['key']}", "code": "out_of_range",
                             "message": f"“{c['name']}”的得分应在0到{c['max_score']}之间"})
    if problems:
        raise ValidationFailed(details=problems)


# --- village settings ---------------------------------------------------------------------------------------------

def settings_out(village: str, item: BoardSettings | None) -> dict:
    values = DEFAULT_SETTINGS if item is None else {k: getattr(item, k) for k in SETTING_KEYS}
    values = {k: (int(v) if isinstance(v, float) else v) for k, v in values.items()}
    return {"village": village, **values, "black_names_name": BLACK_NAMES[values["black_names"]],
            "version": int(item.version) if item is not None else 0, "default": item is None,
            "updated_at": item.updated_at if item is not None else None}


def _settings_item(tenant: str, village: str, consistent: bool = False) -> BoardSettings | None:
    try:
        return BoardSettings.get(*BoardSettings.keys(tenant, village), consistent_read=consistent)
    except BoardSettings.DoesNotExist:
        return None


def get_settings(ctx: TenantContext, village: str) -> dict:
    tenant = ctx.require_tenant()
    check_village(tenant, village)
    _require_village_staff(ctx, village)
    return settings_out(village, _settings_item(tenant, village))


def set_settings(ctx: TenantContext, village: str, body) -> dict:
    tenant = ctx.require_tenant()
    check_village(tenant, village)
    ctx.require("boards.approve", village)
    item = _settings_item(tenant, village, consistent=True)
    current = int(item.version) if item is not None else 0
    if body.version is not None and body.version != current:
        raise Conflict("该村的红黑榜设置刚被他人修改，请刷新后重试", code="version_conflict")
    if item is None:
        item = BoardSettings(*BoardSettings.keys(tenant, village), updated_at=clock.iso(), **DEFAULT_SETTINGS)
    for k in SETTING_KEYS:
        setattr(item, k, getattr(body, k))
    item.updated_at, item.updated_by = clock.iso(), ctx.user_id
    save_versioned(item, "该村的红黑榜设置")
    return settings_out(village, item)


# --- photos -------------------------------------------------------------------------------------------------------

def _photo_tag(uid: str, rand: str) -> str:
    from ..core import pii

    return pii.blind_index("board-photo", f"{uid}:{rand}")[:16]


def photo_upload(ctx: TenantContext, content_type: str) -> dict:
    """A presigned S3 POST for one evidence photo (≤ 300 KB), named so that it says who uploaded it without naming
    them (`{random}-{keyed hash of uploader and random}`)."""
    from ..core.auth import service as auth

    tenant = ctx.require_tenant()
    if not ctx.grants_for("boards.inspect"):
        raise Forbidden("没有权限上传检查照片", code="forbidden_scope")
    auth.rate_limit("board-upload", f"{tenant}#{ctx.user_id}", UPLOADS_PER_DAY, *auth.SHANGHAI_DAY)
    rand = secrets.token_hex(8)
    return files.presigned_upload(tenant, "boards", PHOTO_TYPES[content_type], content_type, PHOTO_BYTES,
                                  name=f"{rand}-{_photo_tag(ctx.user_id, rand)}")


def _uploaded_by(tenant: str, uid: str, k: str) -> bool:
    import hmac

    prefix = f"{tenant}/boards/"
    if not k.startswith(prefix):
        return False
    rand, _, tag = k[len(prefix):].rpartition(".")[0].partition("-")
    return bool(rand) and "/" not in rand and hmac.compare_digest(tag.encode(), _photo_tag(uid, rand).encode())


def check_photos(tenant: str, uid: str, keys: list[str]) -> list[str]:
    """1–4 photos uploaded by this person (POST /boards/uploads), present and within the size (one HeadObject each)."""
    keys = list(dict.fromkeys(keys))
    problems = []
    for i, k in enumerate(keys):
        size = files.size(k) if _uploaded_by(tenant, uid, k) else None
        if size is None:
            problems.append({"field": f"photos.{i}", "code": "photo_missing", "message": "照片未上传成功，请重新上传"})
        elif size > PHOTO_BYTES:
            problems.append({"field": f"photos.{i}", "code": "photo_too_large", "message": "照片超过300KB"})
    if problems:
        raise ValidationFailed(details=problems)
    return keys


# --- inspections --------------------------------------------------------------------------------------------------

def _role_at(ctx: TenantContext, grid: str) -> str | None:
    return next((g.role for g in ctx.grants_for("boards.inspect") if g.covers(grid)), None)


def _household(tenant: str, hid: str):
    from ..households import service as households

    try:
        hh, _ = households.load(tenant, hid)
    except NotFound:
        raise ValidationFailed(details=[{"field": "household", "code": "unknown_household",
                                         "message": "找不到该户"}]) from None
    return hh


def _month_item(tenant: str, village: str, month: str, hid: str) -> MonthScore | None:
    try:
        return MonthScore.get(*MonthScore.keys(tenant, village, month, hid), consistent_read=True)
    except MonthScore.DoesNotExist:
        return None


def _write(items_to_save: list, deletes: list = (), what: str = "该户的评分") -> None:
    try:
        with transact() as tx:
            for item in items_to_save:
                tx.save(item)
            for item in deletes:
                tx.delete(item)
    except TransactWriteError as e:
        codes = cancellation_codes(e)
        if "ConditionalCheckFailed" in codes or "TransactionConflict" in codes:
            raise Conflict(f"{what}刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise


def inspect(ctx: TenantContext, body) -> dict:
    """Score a household of the inspector's grid (a village admin: of the village) on the county's criteria as they
    are now; the weighted total is computed here. Becomes the household's score of the month (the latest counts)."""
    from ..core.auth import service as auth

    tenant = ctx.require_tenant()
    hh = _household(tenant, body.household)
    ctx.require("boards.inspect", hh.grid)
    crit = criteria_out(_criteria_item(tenant))
    check_scores(crit["criteria"], body.scores)
    photos = check_photos(tenant, ctx.user_id, body.photos)
    breakdown, total = weighted(crit["criteria"], body.scores)
    now = clock.iso()
    month = month_of(now)
    by = auth.get_user(tenant, ctx.user_id)
    iid = secrets.token_hex(8)
    insp = Inspection(*Inspection.keys(tenant, iid), iid=iid, hid=hh.hid, grid=hh.grid, village=hh.village,
                      month=month, breakdown=json.dumps(breakdown, ensure_ascii=False), total=total,
                      criteria_version=crit["version"], photos=json.dumps(photos), note=body.note or None,
                      by_uid=ctx.user_id, by_name=by.name, by_role=_role_at(ctx, hh.grid), at=now,
                      gsi1pk=Inspection.history(tenant, hh.hid), gsi1sk=f"{now}#{iid}")
    ms = _month_item(tenant, hh.village, month, hh.hid)
    if ms is None:
        ms = MonthScore(*MonthScore.keys(tenant, hh.village, month, hh.hid), hid=hh.hid, grid=hh.grid, iid=iid,
                        total=total, breakdown=insp.breakdown, at=now, inspections=0)
    if ms.at <= now:  # the latest inspection counts
        ms.iid, ms.source, ms.total, ms.breakdown, ms.at = iid, "inspection", total, insp.breakdown, now
    ms.inspections = int(ms.inspections or 0) + 1
    ms.ref, ms.head_name, ms.grid = hh.ref, hh.head_name, hh.grid
    _write([insp, ms])
    return record_out(insp)


def record_out(insp: Inspection, family: bool = False) -> dict:
    """A score record as its readers see it (`family`: the caller is of the household, who may appeal it)."""
    appeal = None
    if insp.appeal_status:
        appeal = {"status": insp.appeal_status, "status_name": APPEAL_NAMES.get(insp.appeal_status, ""),
                  "reason": insp.appeal_reason, "appealed_at": insp.appealed_at, "decision_note": insp.decision_note,
                  "decided_at": insp.decided_at, "decided_by": insp.decided_by_name, "amendment": insp.amendment}
    return {"id": insp.iid, "household": insp.hid, "village": insp.village, "grid": insp.grid, "month": insp.month,
            "source": insp.source, "amends": insp.amends, "total": float(insp.total),
            "breakdown": json.loads(insp.breakdown), "criteria_version": int(insp.criteria_version),
            "photos": [files.download_url(k, expires=300) for k in json.loads(insp.photos)],
            "note": insp.note, "by": insp.by_name, "by_role": insp.by_role,
            "by_role_name": ROLE_NAMES_ZH.get(insp.by_role or "", "工作人员"), "at": insp.at, "appeal": appeal,
            "can_appeal": family and insp.source == "inspection" and not insp.appeal_status}


def history(ctx: TenantContext, hid: str, limit: int | None, cursor: str | None) -> dict:
    """The household's score records, newest first (its people; the inspectors and cadres over its grid): one Query
    of the household (its grid) and one of its history page."""
    from ..core.config import page_size
    from ..core.http import decode_cursor, encode_cursor
    from ..households import service as households

    tenant = ctx.require_tenant()
    family = hid in ctx.households()
    try:
        hh, _ = households.load(tenant, hid)
    except NotFound:
        raise NotFound("找不到该户") from None
    if not family and not (ctx.can("boards.inspect", hh.grid) or ctx.can("boards.approve", hh.grid)):
        raise NotFound("找不到该户")
    pk = Inspection.history(tenant, hid)
    bound = f"boards-history|{pk}"
    n = page_size(limit)
    items, last = one_page(Inspection.gsi1.query(pk, scan_index_forward=False, page_size=n,
                                                 last_evaluated_key=decode_cursor(cursor, bound)), n)
    return {"household": {"id": hh.hid, "ref": hh.ref, "head_name": hh.head_name, "village": hh.village,
                          "grid": hh.grid},
            "items": [record_out(i, family) for i in items if isinstance(i, Inspection)],
            "next_cursor": encode_cursor(last, bound)}


def _inspection(tenant: str, iid: str, consistent: bool = True) -> Inspection:
    if not IID.fullmatch(iid):
        raise NotFound(NOT_FOUND)
    try:
        return Inspection.get(*Inspection.keys(tenant, iid), consistent_read=consistent)
    except Inspection.DoesNotExist:
        raise NotFound(NOT_FOUND) from None


def appeal(ctx: TenantContext, iid: str, reason: str) -> dict:
    """The household (one of its people) appeals a score once; a cadre of the village decides. A second appeal of
    the same record, or an appeal of an amendment, is 409."""
    tenant = ctx.require_tenant()
    insp = _inspection(tenant, iid)
    if insp.hid not in ctx.households():
        raise NotFound(NOT_FOUND)
    if insp.source != "inspection":
        raise Conflict("更正后的评分不能再申诉", code="not_appealable")
    if insp.appeal_status:
        raise Conflict("该评分已申诉过，每次评分只能申诉一次", code="already_appealed",
                       details={"status": insp.appeal_status})
    now = clock.iso()
    insp.appeal_status, insp.appeal_reason, insp.appealed_at, insp.appealed_by = "pending", reason, now, ctx.user_id
    ref = AppealRef(AppealRef.partition(tenant, insp.village), f"{now}#{iid}", iid=iid, hid=insp.hid,
                    month=insp.month, reason=reason, total=insp.total)
    ms = _month_item(tenant, insp.village, insp.month, insp.hid)
    if ms is not None:
        ref.ref, ref.head_name = ms.ref, ms.head_name
    _write([insp, ref], what="该评分")
    return record_out(insp, family=True)


def appeals(ctx: TenantContext, village: str, limit: int | None, cursor: str | None) -> dict:
    """Appeals waiting for a decision in a village, oldest first: one Query."""
    from ..core.config import page_size
    from ..core.http import decode_cursor, encode_cursor

    tenant = ctx.require_tenant()
    check_village(tenant, village)
    ctx.require("boards.approve", village)
    pk = AppealRef.partition(tenant, village)
    bound = f"boards-appeals|{pk}"
    n = page_size(limit)
    items, last = one_page(AppealRef.query(pk, page_size=n, last_evaluated_key=decode_cursor(cursor, bound)), n)
    return {"items": [{"inspection": a.iid, "household": a.hid, "ref": a.ref, "head_name": a.head_name,
                       "month": a.month, "total": float(a.total), "reason": a.reason,
                       "appealed_at": a.sk.split("#", 1)[0]} for a in items if isinstance(a, AppealRef)],
            "next_cursor": encode_cursor(last, bound)}


def decide(ctx: TenantContext, iid: str, body) -> dict:
    """A cadre of the village (boards.approve) upholds the score or amends it: the amendment is a new score record
    on the same criteria, which takes the appealed record's place on the month's board if that record counted."""
    from ..core.auth import service as auth

    tenant = ctx.require_tenant()
    insp = _inspection(tenant, iid)
    if not ctx.can("boards.approve", insp.village):
        raise NotFound(NOT_FOUND)
    if insp.appeal_status != "pending":
        raise Conflict("该评分没有待处理的申诉" if not insp.appeal_status else "该申诉已处理",
                       code="no_pending_appeal", details={"status": insp.appeal_status})
    now = clock.iso()
    by = auth.get_user(tenant, ctx.user_id)
    saves: list = [insp]
    ref = AppealRef(AppealRef.partition(tenant, insp.village), f"{insp.appealed_at}#{iid}")
    if body.outcome == "amend":
        if body.scores is None:
            raise ValidationFailed(details=[{"field": "scores", "code": "required", "message": "请填写更正后的评分"}])
        criteria = [{k: c[k] for k in ("key", "name", "weight", "max_score")} for c in json.loads(insp.breakdown)]
        check_scores(criteria, body.scores)
        breakdown, total = weighted(criteria, body.scores)
        aid = secrets.token_hex(8)
        amendment = Inspection(
            *Inspection.keys(tenant, aid), iid=aid, source="amendment", amends=iid, hid=insp.hid, grid=insp.grid,
            village=insp.village, month=insp.month, breakdown=json.dumps(breakdown, ensure_ascii=False), total=total,
            criteria_version=insp.criteria_version, photos=insp.photos, note=body.note, by_uid=ctx.user_id,
            by_name=by.name, by_role=next((g.role for g in ctx.grants_for("boards.approve")
                                           if g.covers(insp.village)), None),
            at=now, gsi1pk=Inspection.history(tenant, insp.hid), gsi1sk=f"{now}#{aid}")
        saves.append(amendment)
        insp.amendment = aid
        ms = _month_item(tenant, insp.village, insp.month, insp.hid)
        if ms is not None and ms.iid == iid:  # the appealed record counts: its amendment does instead
            ms.iid, ms.source, ms.total, ms.breakdown = aid, "amendment", total, amendment.breakdown
            saves.append(ms)
    insp.appeal_status = "amended" if body.outcome == "amend" else "upheld"
    insp.decision_note, insp.decided_at, insp.decided_by, insp.decided_by_name = body.note, now, ctx.user_id, by.name
    if insp.appealed_by:  # the appellant is told, in the decision's transaction
        from ..inbox import service as inbox

        outcome = f"评分更正为{saves[1].total:g}分" if body.outcome == "amend" else "维持原评分"
        saves.append(inbox.message(tenant, insp.appealed_by, f"您对{insp.month}卫生评分的申诉已处理：{outcome}",
                                   body.note, category="boards"))
    _write(saves, [ref], what="该申诉")
    return record_out(insp)
