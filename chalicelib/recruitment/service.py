"""智慧招聘: employers' accounts (apply, verify), jobs (post, edit, close, feeds), seekers' profiles and job alerts.

Applications, interviews and offers: applications.py. Alert delivery (the job `recruitment_alerts`): alerts.py.
"""

from __future__ import annotations

import json
import uuid

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError

from ..core import clock, pii
from ..core.config import page_size
from ..core.db import cancellation_codes, one_page, transact
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.observability import logger
from ..core.tenancy import EMPLOYER, Grant, TenantContext
from ..inbox import service as inbox
from .models import (
    AlertIndex,
    AlertQueue,
    AlertSub,
    Employer,
    EmployerOfUser,
    Job,
    JobFeed,
    LicenceClaim,
    Profile,
)

EMPLOYER_STATUS = {"pending": "待审核", "verified": "已认证", "refused": "未通过"}
JOB_STATUS = {"open": "招聘中", "closed": "已关闭", "full": "已招满"}
ANY = "*"
COUNTY_WIDE = "COUNTY"  # the township part of a county-wide job's feed key


def _problem(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "code": code, "message": message}])


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def order_key() -> str:
    """Epoch milliseconds, 13 digits: sort keys of lists newest first (ISO seconds would tie)."""
    return f"{int(clock.now().timestamp() * 1000):013d}"


# --- employers -----------------------------------------------------------------------------------------------

def employer_out(e: Employer) -> dict:
    return {"id": e.pk.rsplit("#", 1)[1], "company": e.company, "licence_no": e.licence_no,
            "contact_name": e.contact_name, "address": e.address, "intro": e.intro or "", "status": e.status,
            "status_name": EMPLOYER_STATUS[e.status], "reason": e.reason, "created_at": e.created_at,
            "decided_at": e.decided_at}


def _pointer(tenant: str, uid: str) -> EmployerOfUser | None:
    try:
        return EmployerOfUser.get(*EmployerOfUser.keys(tenant, uid), consistent_read=True)
    except EmployerOfUser.DoesNotExist:
        return None


def _employer(tenant: str, eid: str) -> Employer:
    try:
        return Employer.get(*Employer.keys(tenant, eid), consistent_read=True)
    except Employer.DoesNotExist:
        raise NotFound("找不到该企业") from None


def apply_employer(ctx: TenantContext, body) -> dict:
    """A signed-in person of the county applies for an employer account: pending until the county decides. One
    account per person (a refused one may apply again); a licence number once per county (409 licence_taken)."""
    tenant = ctx.require_tenant()
    old = _pointer(tenant, ctx.user_id)
    if old is not None and old.status != "refused":
        raise Conflict("您已提交过企业认证申请", code="employer_exists")
    eid, now = new_id(), clock.iso()
    e = Employer(*Employer.keys(tenant, eid), uid=ctx.user_id, company=body.company, licence_no=body.licence_no,
                 contact_name=body.contact_name, address=body.address, intro=body.intro, status="pending",
                 created_at=now, gsi1pk=Employer.index(tenant, "pending"), gsi1sk=f"{order_key()}#{eid}")
    ptr = EmployerOfUser(*EmployerOfUser.keys(tenant, ctx.user_id), eid=eid, status="pending", company=body.company)
    try:
        with transact() as tx:
            tx.save(e, condition=Employer.pk.does_not_exist())
            tx.save(LicenceClaim(*LicenceClaim.keys(tenant, body.licence_no), eid=eid),
                    condition=LicenceClaim.pk.does_not_exist())
            tx.save(ptr, condition=EmployerOfUser.pk.does_not_exist() | (EmployerOfUser.status == "refused"))
    except TransactWriteError as ex:
        codes = cancellation_codes(ex)
        if len(codes) >= 2 and codes[1] == "ConditionalCheckFailed":
            raise Conflict("该统一社会信用代码已被其他企业使用", code="licence_taken") from ex
        if "ConditionalCheckFailed" in codes:
            raise Conflict("您已提交过企业认证申请", code="employer_exists") from ex
        raise
    return employer_out(e)


def my_employer(ctx: TenantContext) -> dict:
    tenant = ctx.require_tenant()
    ptr = _pointer(tenant, ctx.user_id)
    return {"employer": employer_out(_employer(tenant, ptr.eid)) if ptr else None}


def list_employers(ctx: TenantContext, status: str, limit: int | None, cursor: str | None) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("recruitment.verify", tenant)
    pk = Employer.index(tenant, status)
    res = Employer.gsi1.query(pk, scan_index_forward=False, limit=page_size(limit),
                              last_evaluated_key=decode_cursor(cursor, pk))
    items, last = one_page(res, page_size(limit))
    return {"items": [employer_out(e) for e in items], "next_cursor": encode_cursor(last, pk)}


def decide_employer(ctx: TenantContext, eid: str, body) -> dict:
    """Verify (the person gets the employer role at the county: their next sign-in or token refresh carries it) or
    refuse with a reason (the licence number is free again; they may apply again). Only a pending one (409)."""
    from ..core.auth import service as auth

    tenant = ctx.require_tenant()
    ctx.require("recruitment.verify", tenant)
    e = _employer(tenant, eid)
    if e.status != "pending":
        raise Conflict("该申请已处理", code="already_decided")
    status = "verified" if body.decision == "verify" else "refused"
    now = clock.iso()
    if status == "verified":
        user = auth.get_user(tenant, e.uid)
        phone = pii.decrypt(tenant, user.phone_enc)
        auth.add_grants(tenant, phone, user.name, [Grant(EMPLOYER, tenant)], invited_by=ctx.user_id)
    try:
        with transact() as tx:
            tx.update(e, actions=[Employer.status.set(status), Employer.decided_at.set(now),
                                  Employer.decided_by.set(ctx.user_id),
                                  Employer.reason.set(body.reason if status == "refused" else None),
                                  Employer.gsi1pk.set(Employer.index(tenant, status))],
                      condition=Employer.status == "pending")
            tx.update(EmployerOfUser(*EmployerOfUser.keys(tenant, e.uid)),
                      actions=[EmployerOfUser.status.set(status)], condition=EmployerOfUser.eid == eid)
            if status == "refused":
                tx.delete(LicenceClaim(*LicenceClaim.keys(tenant, e.licence_no)), condition=LicenceClaim.eid == eid)
    except TransactWriteError as ex:
        if "ConditionalCheckFailed" in cancellation_codes(ex):
            raise Conflict("该申请已处理", code="already_decided") from ex
        raise
    e.status, e.decided_at, e.reason = status, now, body.reason if status == "refused" else None
    if status == "verified":
        inbox.deliver(tenant, e.uid, "企业认证已通过", f"{e.company}已通过认证，重新登录后即可发布岗位。",
                      "recruitment")
    else:
        inbox.deliver(tenant, e.uid, "企业认证未通过", f"{e.company}的认证申请未通过：{body.reason}", "recruitment")
    return employer_out(e)


def verified_employer(ctx: TenantContext) -> EmployerOfUser:
    """The caller's verified employer account (the role at the county and the record): 403 otherwise."""
    tenant = ctx.require_tenant()
    ctx.require("recruitment.hire", tenant)
    ptr = _pointer(tenant, ctx.user_id)
    if ptr is None or ptr.status != "verified":
        raise Forbidden("请先完成企业认证", code="employer_not_verified")
    return ptr


# --- jobs ----------------------------------------------------------------------------------------------------

def job_id(j: Job) -> str:
    return j.pk.rsplit("#", 1)[1]


def job_status(j: Job) -> str:
    if j.status == "closed":
        return "closed"
    return "full" if j.openings_left <= 0 else "open"


def _check_township(tenant: str, township: str | None) -> None:
    from ..places import service as places

    if township is None:
        return
    if not township.startswith(tenant) or places.find(tenant, township) is None:
        raise _problem("township", "unknown_place", "乡镇不存在")


def _township_names(tenant: str, codes) -> dict[str, str]:
    from ..places import service as places

    codes = {c for c in codes if c}
    return places.names(tenant, codes) if codes else {}


def summary(j: Job, names: dict[str, str] | None = None) -> dict:
    return {"id": job_id(j), "title": j.title, "company": j.company, "category": j.category,
            "pay_min": int(j.pay_min), "pay_max": int(j.pay_max), "township": j.township,
            "township_name": (names or {}).get(j.township) if j.township else None, "place": j.place,
            "openings": int(j.openings), "created_at": j.created_at}


def job_out(ctx: TenantContext, j: Job, names: dict[str, str] | None = None, applied: str | None = None) -> dict:
    names = _township_names(ctx.tenant_id, [j.township]) if names is None else names
    st = job_status(j)
    return {**summary(j, names), "shifts": j.shifts or "", "requirements": j.requirements or "",
            "openings_left": int(j.openings_left), "applicants": int(j.applicants or 0), "status": st,
            "status_name": JOB_STATUS[st], "updated_at": j.updated_at, "rev": int(j.rev),
            "mine": j.uid == ctx.user_id, "applied": applied}


def _feed_keys(tenant: str, j: Job) -> list[tuple[str, str]]:
    town = j.township or COUNTY_WIDE
    sk = j.gsi1sk  # {epoch ms}#{jid}: newest first
    return [(JobFeed.partition(tenant, c, t), sk) for c in (ANY, j.category) for t in (ANY, town)]


def _feeds(tenant: str, j: Job) -> list[JobFeed]:
    data = json.dumps(summary(j), ensure_ascii=False)
    return [JobFeed(pk, sk, jid=job_id(j), data=data) for pk, sk in _feed_keys(tenant, j)]


def load_job(tenant: str, jid: str) -> Job:
    try:
        return Job.get(*Job.keys(tenant, jid), consistent_read=True)
    except Job.DoesNotExist:
        raise NotFound("找不到该岗位") from None


def _own_job(ctx: TenantContext, jid: str) -> Job:
    verified_employer(ctx)
    j = load_job(ctx.tenant_id, jid)
    if j.uid != ctx.user_id:
        raise Forbidden("只能管理本企业的岗位", code="forbidden_scope")
    return j


def post_job(ctx: TenantContext, body) -> dict:
    """A verified employer posts a job: the job, its four feed entries and the alert queue's entry in one
    transaction; then ONE message on the recruitment topic (alerts.publish)."""
    from . import alerts

    tenant = ctx.require_tenant()
    ptr = verified_employer(ctx)
    _check_township(tenant, body.township)
    jid, now = new_id(), clock.iso()
    j = Job(*Job.keys(tenant, jid), eid=ptr.eid, uid=ctx.user_id, company=ptr.company, title=body.title,
            category=body.category, pay_min=body.pay_min, pay_max=body.pay_max, township=body.township,
            place=body.place, shifts=body.shifts, requirements=body.requirements, openings=body.openings,
            openings_left=body.openings, applicants=0, status="open", created_at=now, updated_at=now, rev=1,
            gsi1pk=Job.index(tenant, ptr.eid), gsi1sk=f"{order_key()}#{jid}")
    q = AlertQueue(AlertQueue.partition(tenant), j.gsi1sk, jid=jid, category=j.category, township=j.township,
                   title=j.title, company=j.company, employer_uid=ctx.user_id)
    with transact() as tx:
        tx.save(j, condition=Job.pk.does_not_exist())
        for f in _feeds(tenant, j):
            tx.save(f)
        tx.save(q)
    alerts.publish(tenant, j)
    return job_out(ctx, j)


def update_job(ctx: TenantContext, jid: str, body) -> dict:
    """Edit an open job (with the rev read: 409 version_conflict when stale). Openings may not go below the
    accepted offers; the feeds are rewritten."""
    tenant = ctx.require_tenant()
    j = _own_job(ctx, jid)
    if j.status == "closed":
        raise Conflict("岗位已关闭，不能修改", code="job_closed")
    if j.rev != body.rev:
        raise Conflict("岗位刚被修改，请刷新后重试", code="version_conflict")
    _check_township(tenant, body.township)
    hired = int(j.openings) - int(j.openings_left)
    if body.openings < hired:
        raise _problem("openings", "below_hired", f"已录用{hired}人，招聘人数不能少于此数")
    old_keys = set(_feed_keys(tenant, j)) if job_status(j) == "open" else set()
    now = clock.iso()
    delta = body.openings - int(j.openings)
    for f in ("title", "category", "pay_min", "pay_max", "township", "place", "shifts", "requirements",
              "openings"):
        setattr(j, f, getattr(body, f))
    j.openings_left = int(j.openings_left) + delta
    j.updated_at, j.rev = now, int(j.rev) + 1
    new = _feeds(tenant, j) if job_status(j) == "open" else []
    try:
        with transact() as tx:
            tx.update(j, actions=[Job.title.set(j.title), Job.category.set(j.category), Job.pay_min.set(j.pay_min),
                                  Job.pay_max.set(j.pay_max), Job.township.set(j.township), Job.place.set(j.place),
                                  Job.shifts.set(j.shifts), Job.requirements.set(j.requirements),
                                  Job.openings.set(j.openings), Job.openings_left.add(delta),
                                  Job.updated_at.set(now), Job.rev.set(j.rev)],
                      condition=(Job.rev == body.rev) & (Job.status == "open")
                      & (Job.openings_left >= -delta if delta < 0 else Job.pk.exists()))
            for pk, sk in old_keys - {(f.pk, f.sk) for f in new}:
                tx.delete(JobFeed(pk, sk))
            for f in new:
                tx.save(f)
    except TransactWriteError as ex:
        if "ConditionalCheckFailed" in cancellation_codes(ex):
            raise Conflict("岗位刚被修改，请刷新后重试", code="version_conflict") from ex
        raise
    return job_out(ctx, load_job(tenant, jid))


def close_job(ctx: TenantContext, jid: str) -> dict:
    tenant = ctx.require_tenant()
    j = _own_job(ctx, jid)
    if j.status != "closed":
        now = clock.iso()
        try:
            with transact() as tx:
                tx.update(j, actions=[Job.status.set("closed"), Job.updated_at.set(now), Job.rev.add(1)],
                          condition=Job.status == "open")
                for pk, sk in _feed_keys(tenant, j):
                    tx.delete(JobFeed(pk, sk))
        except TransactWriteError as ex:
            if "ConditionalCheckFailed" not in cancellation_codes(ex):
                raise
    return job_out(ctx, load_job(tenant, jid))


def unlist_if_full(tenant: str, jid: str) -> None:
    """After an acceptance: a job with no opening left leaves the seekers' feeds (idempotent)."""
    j = load_job(tenant, jid)
    if j.openings_left > 0:
        return
    for pk, sk in _feed_keys(tenant, j):
        try:
            JobFeed(pk, sk).delete()
        except DeleteError:
            logger.warning("job feed unlist failed", extra={"tenant": tenant, "job": jid})


def list_jobs(ctx: TenantContext, category: str | None, township: str | None, limit: int | None,
              cursor: str | None) -> dict:
    """Open jobs newest first, by category and/or township (the county code: the county-wide jobs): one Query of
    one feed partition a page."""
    tenant = ctx.require_tenant()
    if township is not None and not township.startswith(tenant):
        raise _problem("township", "outside_county", "乡镇不属于本县")
    town = ANY if township is None else COUNTY_WIDE if township == tenant else township
    pk = JobFeed.partition(tenant, category or ANY, town)
    n = page_size(limit)
    res = JobFeed.query(pk, scan_index_forward=False, limit=n, last_evaluated_key=decode_cursor(cursor, pk))
    feeds, last = one_page(res, n)
    items = [json.loads(f.data) for f in feeds]
    names = _township_names(tenant, [i["township"] for i in items])
    for i in items:
        i["township_name"] = names.get(i["township"]) if i["township"] else None
    return {"items": items, "next_cursor": encode_cursor(last, pk)}


def get_job(ctx: TenantContext, jid: str) -> dict:
    from .models import Application

    tenant = ctx.require_tenant()
    j = load_job(tenant, jid)
    applied = None
    try:
        Application.get(*Application.keys(tenant, jid, ctx.user_id))
        applied = f"{jid}{ctx.user_id}"
    except Application.DoesNotExist:
        pass
    if j.status == "closed" and j.uid != ctx.user_id and applied is None:
        raise NotFound("找不到该岗位")
    return job_out(ctx, j, applied=applied)


def my_jobs(ctx: TenantContext, limit: int | None, cursor: str | None) -> dict:
    """The employer's own jobs with their applicant counts, newest first (one Query)."""
    tenant = ctx.require_tenant()
    ptr = verified_employer(ctx)
    pk = Job.index(tenant, ptr.eid)
    n = page_size(limit)
    res = Job.gsi1.query(pk, scan_index_forward=False, limit=n, last_evaluated_key=decode_cursor(cursor, pk))
    jobs, last = one_page(res, n)
    names = _township_names(tenant, [j.township for j in jobs])
    return {"items": [job_out(ctx, j, names) for j in jobs], "next_cursor": encode_cursor(last, pk)}


# --- profiles ------------------------------------------------------------------------------------------------

def _video(tenant: str, uids: list[str]) -> dict[str, dict]:
    """Engineer I's video résumés (chalicelib.recruitment.video.summaries: one BatchGet), imported when needed."""
    from . import video

    return video.summaries(tenant, uids)


def load_profile(tenant: str, uid: str) -> Profile | None:
    try:
        return Profile.get(*Profile.keys(tenant, uid), consistent_read=True)
    except Profile.DoesNotExist:
        return None


def profile_out(p: Profile | None, video: dict | None, phone: str | None = None) -> dict:
    if p is None:
        return {"name": None, "skills": [], "experience": "", "townships": [], "phone": None, "updated_at": None,
                "video": video}
    return {"name": p.name, "skills": json.loads(p.skills), "experience": p.experience or "",
            "townships": json.loads(p.townships), "phone": phone if phone is not None else p.phone_mask,
            "updated_at": p.updated_at, "video": video}


def put_profile(ctx: TenantContext, body) -> dict:
    tenant = ctx.require_tenant()
    for t in body.townships:
        _check_township(tenant, t)
    old = load_profile(tenant, ctx.user_id)
    phone_enc, phone_mask = (old.phone_enc, old.phone_mask) if old else (None, None)
    if body.phone is not None:
        phone_enc, phone_mask = pii.encrypt(tenant, body.phone), pii.mask_phone(body.phone)
    elif phone_enc is None:  # no number of its own: the account's (the one the seeker signs in with)
        from ..core.auth import service as auth

        try:
            user = auth.get_user(tenant, ctx.user_id)
        except NotFound:  # a person of no account here (none in practice): no number
            user = None
        if user is not None and user.phone_enc:
            phone_enc, phone_mask = user.phone_enc, pii.mask_phone(pii.decrypt(tenant, user.phone_enc))
    p = Profile(*Profile.keys(tenant, ctx.user_id), uid=ctx.user_id, name=body.name,
                skills=json.dumps(body.skills, ensure_ascii=False), experience=body.experience,
                townships=json.dumps(body.townships), phone_enc=phone_enc, phone_mask=phone_mask,
                updated_at=clock.iso(), rev=(int(old.rev or 1) + 1) if old else 1)
    try:
        p.save(condition=(Profile.rev == old.rev) if old else Profile.pk.does_not_exist())
    except PutError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("资料刚被修改，请刷新后重试", code="version_conflict") from e
        raise
    return profile_out(p, _video(tenant, [ctx.user_id]).get(ctx.user_id))


def get_profile(ctx: TenantContext) -> dict:
    tenant = ctx.require_tenant()
    return profile_out(load_profile(tenant, ctx.user_id), _video(tenant, [ctx.user_id]).get(ctx.user_id))


# --- alerts --------------------------------------------------------------------------------------------------

def _alert_keys(tenant: str, uid: str, categories: list[str], townships: list[str]) -> set[tuple[str, str]]:
    return {(AlertIndex.partition(tenant, c, t), uid) for c in (categories or [ANY]) for t in (townships or [ANY])}


def alert_out(s: AlertSub | None) -> dict:
    if s is None:
        return {"categories": [], "townships": [], "sms": False, "updated_at": None}
    return {"categories": json.loads(s.categories), "townships": json.loads(s.townships), "sms": bool(s.sms),
            "updated_at": s.updated_at}


def get_alert(ctx: TenantContext) -> dict:
    tenant = ctx.require_tenant()
    try:
        return alert_out(AlertSub.get(*AlertSub.keys(tenant, ctx.user_id), consistent_read=True))
    except AlertSub.DoesNotExist:
        return alert_out(None)


def put_alert(ctx: TenantContext, body) -> dict:
    """Replace the seeker's alert: the subscription and its index items (one per category × township pair, `*` for
    any) in one transaction (at most 7 × 5 pairs, old and new: within a transaction's 100 items)."""
    tenant = ctx.require_tenant()
    for t in body.townships:
        _check_township(tenant, t)
    try:
        old = AlertSub.get(*AlertSub.keys(tenant, ctx.user_id), consistent_read=True)
        old_keys = _alert_keys(tenant, ctx.user_id, json.loads(old.categories), json.loads(old.townships))
    except AlertSub.DoesNotExist:
        old, old_keys = None, set()
    new_keys = _alert_keys(tenant, ctx.user_id, body.categories, body.townships)
    s = AlertSub(*AlertSub.keys(tenant, ctx.user_id), categories=json.dumps(body.categories, ensure_ascii=False),
                 townships=json.dumps(body.townships), sms=body.sms, updated_at=clock.iso(),
                 rev=(int(old.rev or 1) + 1) if old else 1)
    try:
        with transact() as tx:  # on the rev read: the index items deleted are the ones the stored alert names
            tx.save(s, condition=(AlertSub.rev == old.rev) if old else AlertSub.pk.does_not_exist())
            for pk, sk in old_keys - new_keys:
                tx.delete(AlertIndex(pk, sk))
            for pk, sk in new_keys:
                tx.save(AlertIndex(pk, sk, sms=body.sms))
    except TransactWriteError as ex:
        if "ConditionalCheckFailed" in cancellation_codes(ex):
            raise Conflict("订阅刚被修改，请刷新后重试", code="version_conflict") from ex
        raise
    return alert_out(s)


def delete_alert(ctx: TenantContext) -> dict:
    tenant = ctx.require_tenant()
    try:
        old = AlertSub.get(*AlertSub.keys(tenant, ctx.user_id), consistent_read=True)
    except AlertSub.DoesNotExist:
        return alert_out(None)
    with transact() as tx:
        tx.delete(old)
        for pk, sk in _alert_keys(tenant, ctx.user_id, json.loads(old.categories), json.loads(old.townships)):
            tx.delete(AlertIndex(pk, sk))
    return alert_out(None)

