"""Applications to jobs: apply, the seeker's list, the employer's applicants (marked 已查看 when first seen), the
interview invitation, offers (accept takes one opening, never oversold), rejection. Every status change tells the
seeker (inbox)."""

from __future__ import annotations

import datetime as dt
import json
import random
import time

from pynamodb.exceptions import TransactWriteError, UpdateError

from ..core import clock, notify, pii
from ..core.config import page_size
from ..core.db import cancellation_codes, one_page, transact
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from ..inbox import service as inbox
from . import service
from .models import Application, Job, Profile

STATUS_NAMES = {"submitted": "已投递", "viewed": "已查看", "interview": "邀请面试", "offered": "已发录用",
                "hired": "已录用", "declined": "已婉拒", "rejected": "未通过"}
PHONE_VISIBLE = frozenset({"interview", "offered", "hired"})
MODE_NAMES = {"onsite": "现场", "online": "线上"}
UID_LEN = 16
JID_LEN = 12


def app_id(a: Application) -> str:
    return f"{a.jid}{a.uid}"


def out(a: Application) -> dict:
    return {"id": app_id(a), "job": a.jid, "title": a.title, "company": a.company, "status": a.status,
            "status_name": STATUS_NAMES[a.status], "cover": a.cover, "note": a.note,
            "interview": json.loads(a.interview) if a.interview else None, "created_at": a.created_at,
            "updated_at": a.updated_at}


def _split(aid: str) -> tuple[str, str]:
    if len(aid) != JID_LEN + UID_LEN:
        raise NotFound("找不到该投递")
    return aid[:JID_LEN], aid[JID_LEN:]


def _load(tenant: str, aid: str) -> Application:
    jid, uid = _split(aid)
    try:
        return Application.get(*Application.keys(tenant, jid, uid), consistent_read=True)
    except Application.DoesNotExist:
        raise NotFound("找不到该投递") from None


def _tell(tenant: str, a: Application, title: str, body: str) -> None:
    inbox.deliver(tenant, a.uid, title, body, "recruitment")


def apply(ctx: TenantContext, jid: str, cover: str = "") -> dict:
    """One application per seeker per job (409 already_applied); a closed or full job refuses (409). The job's
    applicant count goes up in the same transaction."""
    tenant = ctx.require_tenant()
    j = service.load_job(tenant, jid)
    if j.uid == ctx.user_id:
        raise Forbidden("不能投递本企业的岗位", code="own_job")
    st = service.job_status(j)
    if st == "closed":
        raise Conflict("该岗位已关闭", code="job_closed")
    if st == "full":
        raise Conflict("该岗位已招满", code="job_full")
    if service.load_profile(tenant, ctx.user_id) is None:
        raise ValidationFailed("请先填写求职资料", code="profile_required")
    now = clock.iso()
    a = Application(*Application.keys(tenant, jid, ctx.user_id), jid=jid, uid=ctx.user_id, eid=j.eid,
                    title=j.title, company=j.company, status="submitted", cover=cover or None, created_at=now,
                    updated_at=now,
                    gsi1pk=Application.index(tenant, ctx.user_id), gsi1sk=f"{service.order_key()}#{jid}")
    msg = inbox.message(tenant, ctx.user_id, "投递成功", f"您已投递{j.company}的“{j.title}”，请留意企业回复。",
                        "recruitment")

    def write():
        with transact() as tx:
            tx.save(a, condition=Application.pk.does_not_exist())
            tx.update(Job(*Job.keys(tenant, jid)), actions=[Job.applicants.add(1)],
                      condition=(Job.status == "open") & (Job.openings_left > 0))
            tx.save(msg)

    try:
        _retrying(write)
    except TransactWriteError as ex:
        codes = cancellation_codes(ex)
        if codes and codes[0] == "ConditionalCheckFailed":
            raise Conflict("您已投递过该岗位", code="already_applied") from ex
        if "ConditionalCheckFailed" in codes:
            raise Conflict("该岗位已关闭或已招满", code="job_full") from ex
        raise
    return out(a)


def _retrying(write, tries: int = 8) -> None:
    """A transaction that lost a race with another on the same item (TransactionConflict) is tried again."""
    for i in range(tries):
        try:
            write()
            return
        except TransactWriteError as ex:
            if "TransactionConflict" not in cancellation_codes(ex) or i == tries - 1:
                raise
            time.sleep(random.uniform(0.005, 0.03) * (i + 1))


def mine(ctx: TenantContext, limit: int | None, cursor: str | None) -> dict:
    tenant = ctx.require_tenant()
    pk = Application.index(tenant, ctx.user_id)
    n = page_size(limit)
    res = Application.gsi1.query(pk, scan_index_forward=False, limit=n, last_evaluated_key=decode_cursor(cursor, pk))
    items, last = one_page(res, n)
    return {"items": [out(a) for a in items], "next_cursor": encode_cursor(last, pk)}


def applicants(ctx: TenantContext, jid: str, limit: int | None, cursor: str | None) -> dict:
    """The job's applicants (its employer only), oldest first, each with their profile and video résumé: one Query,
    one BatchGet of the profiles, one of the videos; the submitted ones of the page become 已查看 (one conditional
    update each, bounded by the page size) and their seekers are told."""
    tenant = ctx.require_tenant()
    service._own_job(ctx, jid)
    pk = Application.keys(tenant, jid, "")[0]
    n = page_size(limit)
    res = Application.query(pk, Application.sk.startswith("APP#"), limit=n,
                            last_evaluated_key=decode_cursor(cursor, pk))
    apps, last = one_page(res, n)
    uids = [a.uid for a in apps]
    profiles = {p.uid: p for p in Profile.batch_get([Profile.keys(tenant, u) for u in uids])} if uids else {}
    videos = service._video(tenant, uids) if uids else {}
    now = clock.iso()
    for a in apps:
        if a.status == "submitted":
            try:
                a.update(actions=[Application.status.set("viewed"), Application.updated_at.set(now)],
                         condition=Application.status == "submitted")
                _tell(tenant, a, "简历已被查看", f"{a.company}查看了您投递“{a.title}”的简历。")
            except UpdateError as ex:
                if ex.cause_response_code != "ConditionalCheckFailedException":
                    raise
    items = []
    for a in apps:
        p = profiles.get(a.uid)
        phone = None
        if p is not None and a.status in PHONE_VISIBLE and p.phone_enc:
            phone = pii.decrypt(tenant, p.phone_enc)
        prof = service.profile_out(p, videos.get(a.uid), phone)
        items.append({"application": out(a), "name": prof["name"], "skills": prof["skills"],
                      "experience": prof["experience"], "townships": prof["townships"], "phone": prof["phone"],
                      "video": prof["video"]})
    return {"items": items, "next_cursor": encode_cursor(last, pk)}


def _as_employer(ctx: TenantContext, aid: str) -> Application:
    tenant = ctx.require_tenant()
    jid, _ = _split(aid)
    service._own_job(ctx, jid)
    return _load(tenant, aid)


def _as_seeker(ctx: TenantContext, aid: str) -> Application:
    tenant = ctx.require_tenant()
    _, uid = _split(aid)
    if uid != ctx.user_id:
        raise NotFound("找不到该投递")
    return _load(tenant, aid)


def _move(a: Application, to: str, allowed: set[str], extra: list | None = None) -> None:
    """A conditional status change (from one of `allowed`): 409 invalid_state otherwise."""
    if a.status not in allowed:
        raise Conflict(f"当前状态（{STATUS_NAMES[a.status]}）不能执行该操作", code="invalid_state")
    now = clock.iso()
    try:
        a.update(actions=[Application.status.set(to), Application.updated_at.set(now), *(extra or [])],
                 condition=Application.status.is_in(*allowed))
    except UpdateError as ex:
        if ex.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("该投递刚被更新，请刷新后重试", code="invalid_state") from ex
        raise


def invite(ctx: TenantContext, aid: str, body) -> dict:
    """The employer invites to an interview (or moves it): engineer I's interview room (kind recruitment, ref the
    application's id), an SMS (template interview_invite) and an inbox item to the seeker."""
    from ..core.auth import service as auth
    from ..interviews import service as interviews

    tenant = ctx.require_tenant()
    a = _as_employer(ctx, aid)
    try:
        at = dt.datetime.fromisoformat(body.at.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed(details=[{"field": "at", "code": "invalid", "message": "面试时间格式不正确"}]) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=clock.SHANGHAI)
    if at <= clock.now():
        raise ValidationFailed(details=[{"field": "at", "code": "past", "message": "面试时间应晚于现在"}])
    if a.status not in {"submitted", "viewed", "interview"}:
        raise Conflict(f"当前状态（{STATUS_NAMES[a.status]}）不能邀请面试", code="invalid_state")
    room = interviews.create(tenant, kind="recruitment", ref=aid, host_uid=ctx.user_id, guest_uid=a.uid,
                             at=clock.iso(at), mode=body.mode, title=f"{a.company}·{a.title}"[:100])
    iv = {"id": room["id"], "at": room["at"], "mode": body.mode,
          "address": body.address if body.mode == "onsite" else None}
    _move(a, "interview", {"submitted", "viewed", "interview"}, [Application.interview.set(json.dumps(
        iv, ensure_ascii=False))])
    a.status, a.interview = "interview", json.dumps(iv, ensure_ascii=False)
    local = at.astimezone(clock.SHANGHAI)
    when = f"{local.month}月{local.day}日{local:%H:%M}"
    where = f"地点：{body.address}" if body.mode == "onsite" else "线上视频面试，届时在村情通中进入面试间"
    _tell(tenant, a, "面试邀请", f"{a.company}邀请您参加“{a.title}”的{MODE_NAMES[body.mode]}面试，"
                              f"时间：{when}，{where}。请在村情通中查看面试凭证（二维码）。")
    user = auth.get_user(tenant, a.uid)
    phone = pii.decrypt(tenant, user.phone_enc) if user.phone_enc else None
    if phone:
        notify.sms().send(phone, notify.Sms("interview_invite", company=a.company, date=f"{local.month}月{local.day}日",
                                                          time=f"{local:%H:%M}"))
    return out(a)


def offer(ctx: TenantContext, aid: str, note: str) -> dict:
    tenant = ctx.require_tenant()
    a = _as_employer(ctx, aid)
    _move(a, "offered", {"submitted", "viewed", "interview"}, [Application.note.set(note or None)])
    a.status, a.note = "offered", note or None
    _tell(tenant, a, "录用通知", f"{a.company}向您发出了“{a.title}”的录用通知，请在村情通中接受或婉拒。")
    return out(a)


def reject(ctx: TenantContext, aid: str, note: str) -> dict:
    tenant = ctx.require_tenant()
    a = _as_employer(ctx, aid)
    _move(a, "rejected", {"submitted", "viewed", "interview", "offered"}, [Application.note.set(note or None)])
    a.status, a.note = "rejected", note or None
    _tell(tenant, a, "投递结果", f"很遗憾，您投递{a.company}“{a.title}”未通过。" + (f"说明：{note}" if note else ""))
    return out(a)


def decline(ctx: TenantContext, aid: str) -> dict:
    tenant = ctx.require_tenant()
    a = _as_seeker(ctx, aid)
    _move(a, "declined", {"offered"})
    a.status = "declined"
    _tell(tenant, a, "已婉拒录用", f"您已婉拒{a.company}“{a.title}”的录用。")
    return out(a)


def accept(ctx: TenantContext, aid: str) -> dict:
    """Accepting an offer takes one opening: the application's change (offered → hired) and the job's
    openings_left - 1 (condition > 0) in one transaction, so concurrent acceptances never oversell; with none left
    409 job_full. The last opening unlists the job from the seekers' feeds."""
    tenant = ctx.require_tenant()
    a = _as_seeker(ctx, aid)
    if a.status != "offered":
        raise Conflict(f"当前状态（{STATUS_NAMES[a.status]}）不能接受录用", code="invalid_state")
    now = clock.iso()
    msg = inbox.message(tenant, a.uid, "已接受录用", f"您已接受{a.company}“{a.title}”的录用，请按企业通知报到。",
                        "recruitment")

    def write():
        with transact() as tx:
            tx.update(a, actions=[Application.status.set("hired"), Application.updated_at.set(now)],
                      condition=Application.status == "offered")
            tx.update(Job(*Job.keys(tenant, a.jid)), actions=[Job.openings_left.add(-1)],
                      condition=Job.openings_left > 0)
            tx.save(msg)

    try:
        _retrying(write)
    except TransactWriteError as ex:
        codes = cancellation_codes(ex)
        if codes and codes[-1] == "ConditionalCheckFailed":  # the job's (PynamoDB sends puts, then updates)
            raise Conflict("该岗位已招满", code="job_full") from ex
        if "ConditionalCheckFailed" in codes:
            raise Conflict("该投递刚被更新，请刷新后重试", code="invalid_state") from ex
        raise
    a.status, a.updated_at = "hired", now
    service.unlist_if_full(tenant, a.jid)
    return out(a)
