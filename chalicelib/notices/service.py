"""通知公告: publish, edit before publication, withdraw; the reader's list and a notice; the home's urgent banner.

Fan-out without one item per person: a notice is written once (`Notice`) plus once per target place
(`NoticeEntry` in `{t}#NOTICES#{place}`): a county-wide notice to 500,000 households is 2 writes. A reader's list is
one Query of each of their places' partitions (county, township, village, grid: 4 for a villager), merged newest
first; scheduled notices are outside the Queries' key range until their time, withdrawn ones and those for other
roles are dropped from the page. Subscribers of other systems get ONE SNS message per notice (message attributes
tenant, places, roles, urgent: their subscriptions filter on them, docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import uuid

from pynamodb.exceptions import TransactWriteError

from ..core import clock, files, notify
from ..core.auth import service as auth
from ..core.config import settings
from ..core.db import cancellation_codes, one_page, transact
from ..core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.observability import logger
from ..core.tenancy import TenantContext, within
from ..places import codes
from ..places import service as places
from .models import Notice, NoticeEntry, NoticeSeen, NoticeSmsDue

PERMISSION = "notices.publish"
UPLOAD_TYPES = {"image/jpeg": (".jpg", 2 * 1024 * 1024), "image/png": (".png", 2 * 1024 * 1024),
                "application/pdf": (".pdf", 10 * 1024 * 1024)}
UPLOADS_PER_DAY = 100
EXCERPT = 80
MAX_AHEAD_DAYS = 90
MAX_PARTITIONS = 8  # a reader of several households or posts: at most this many places' lists are read
HOME_WINDOW = 20  # the home's banner looks at the newest 20 of each list, as the list's first page shows them
SMS_KEEP_DAYS = 2
STATUS_NAMES = {"scheduled": "待发布", "published": "已发布", "withdrawn": "已撤回"}


def _problem(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "code": code, "message": message}])


# --- attachments ------------------------------------------------------------------------------------------------

def _tag(uid: str, rand: str) -> str:
    from ..core import pii

    return pii.blind_index("notice-file", f"{uid}:{rand}")[:16]


def upload(ctx: TenantContext, content_type: str, name: str) -> dict:
    """A presigned S3 POST for one attachment (photo ≤ 2 MB, PDF ≤ 10 MB) under `{t}/notices/`: its file name says
    who uploaded it without naming them (as the case photos')."""
    tenant = ctx.require_tenant()
    ctx.require(PERMISSION)
    suffix, max_bytes = UPLOAD_TYPES[content_type]
    auth.rate_limit("notice-upload", f"{tenant}#{ctx.user_id}", UPLOADS_PER_DAY, *auth.SHANGHAI_DAY)
    rand = uuid.uuid4().hex[:16]
    return files.presigned_upload(tenant, "notices", suffix, content_type, max_bytes,
                                  name=f"{rand}-{_tag(ctx.user_id, rand)}")


def _content_type(k: str) -> str | None:
    return next((ct for ct, (suffix, _) in UPLOAD_TYPES.items() if k.endswith(suffix)), None)


def _check_attachments(tenant: str, uid: str, attachments: list, keep: set[str]) -> list[dict]:
    """Files uploaded by this person (or already on the notice: `keep`), present and within size (one HeadObject
    each, at most 9)."""
    prefix = f"{tenant}/notices/"
    out, problems, seen = [], [], set()
    for i, a in enumerate(attachments):
        if a.key in seen:
            continue
        seen.add(a.key)
        ctype = _content_type(a.key)
        ok = False
        if a.key.startswith(prefix) and ctype:
            rand, _, tag = a.key[len(prefix):].rpartition(".")[0].partition("-")
            ok = a.key in keep or (bool(rand) and "/" not in rand
                                   and hmac.compare_digest(tag.encode(), _tag(uid, rand).encode()))
        size = files.size(a.key) if ok else None
        if size is None:
            problems.append({"field": f"attachments.{i}", "code": "file_missing",
                             "message": "附件未上传成功，请重新上传"})
        elif size > UPLOAD_TYPES[ctype][1]:
            problems.append({"field": f"attachments.{i}", "code": "file_too_large", "message": "附件过大"})
        else:
            out.append({"key": a.key, "content_type": ctype, "name": a.name or ("附件" + UPLOAD_TYPES[ctype][0])})
    if problems:
        raise ValidationFailed(details=problems)
    return out


# --- publishing -------------------------------------------------------------------------------------------------

def _from_place(ctx: TenantContext, place: str | None) -> str:
    grants = ctx.grants_for(PERMISSION)
    if not grants:
        raise Forbidden("没有权限发布通知", code="forbidden_scope")
    if place is None:
        mine = sorted({g.place for g in grants if g.place != "*"})
        if len(mine) != 1:
            raise _problem("place", "required", "请选择发布范围")
        return mine[0]
    ctx.require(PERMISSION, place)
    return place


def _publish_at(raw: str | None, now: dt.datetime) -> str:
    if raw is None:
        return clock.iso(now)
    try:
        at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _problem("publish_at", "invalid", "发布时间格式不正确") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=clock.SHANGHAI)
    if at > now + dt.timedelta(days=MAX_AHEAD_DAYS):
        raise _problem("publish_at", "too_far", f"定时发布最多提前{MAX_AHEAD_DAYS}天")
    return clock.iso(max(at, now))  # a time already past: now


def _targets(ctx: TenantContext, tenant: str, place: str, targets: list[str]) -> list[str]:
    """The target places: each at or below the publishing place, existing, none inside another (a village and one of
    its grids is the village). [] is the publishing place itself. A place the caller may not publish at is 403 (a
    village admin naming another village); one they may, but outside the chosen `place`, is 422."""
    wanted = list(dict.fromkeys(targets)) or [place]
    problems = []
    for i, t in enumerate(wanted):
        if codes.level_of(t) is None:
            problems.append({"field": f"targets.{i}", "code": "invalid_code", "message": "地区编码格式不正确"})
        elif not within(t, place):
            ctx.require(PERMISSION, t)
            problems.append({"field": f"targets.{i}", "code": "out_of_scope", "message": "只能发布到本级及下级地区"})
    if problems:
        raise ValidationFailed(details=problems)
    found = places.existing(tenant, [t for t in wanted if t != tenant])
    missing = [{"field": f"targets.{i}", "code": "unknown_place", "message": "地区不存在"}
               for i, t in enumerate(wanted) if t != tenant and t not in found]
    if missing:
        raise ValidationFailed(details=missing)
    return sorted(t for t in wanted if not any(o != t and within(t, o) for o in wanted))


def _place_name(tenant: str, place: str) -> str:
    return places.names(tenant, [place]).get(place, place)


def _entry(tenant: str, n: Notice, place: str, withdrawn: bool = False) -> NoticeEntry:
    return NoticeEntry(NoticeEntry.partition(tenant, place), NoticeEntry.sort_key(n.publish_at, n.nid), nid=n.nid,
                       title=n.title, excerpt=" ".join(n.body.split())[:EXCERPT], urgent=bool(n.urgent),
                       roles=n.roles, publish_at=n.publish_at, from_name=n.from_name,
                       attachments=len(json.loads(n.attachments)), withdrawn=withdrawn)


def _sms_due(tenant: str, n: Notice) -> NoticeSmsDue | None:
    """Urgent notices to everyone go by SMS to the households that have not opened the app in 7 days."""
    if not n.urgent or json.loads(n.roles):
        return None
    at = dt.datetime.fromisoformat(n.publish_at.replace("Z", "+00:00"))
    return NoticeSmsDue(NoticeSmsDue.partition(tenant), NoticeEntry.sort_key(n.publish_at, n.nid), nid=n.nid,
                        title=n.title, from_name=n.from_name, targets=n.targets,
                        expires=int(at.timestamp()) + SMS_KEEP_DAYS * 86400)


def publish(ctx: TenantContext, body) -> dict:
    """Publish (or schedule) a notice: the notice, one entry per target place and (urgent) its SMS due, in one
    TransactWrite of 2 + targets items whatever the households; then ONE SNS message."""
    tenant = ctx.require_tenant()
    place = _from_place(ctx, body.place)
    now = clock.now()
    targets = _targets(ctx, tenant, place, body.targets)
    attachments = _check_attachments(tenant, ctx.user_id, body.attachments, set())
    me = auth.get_user(tenant, ctx.user_id)
    nid = uuid.uuid4().hex[:12]
    n = Notice(*Notice.keys(tenant, nid), nid=nid, title=body.title, body=body.body, urgent=body.urgent,
               attachments=json.dumps(attachments, ensure_ascii=False), targets=json.dumps(targets),
               roles=json.dumps(sorted(set(body.roles))), publish_at=_publish_at(body.publish_at, now),
               from_place=place, from_name=_place_name(tenant, place), by_uid=ctx.user_id, by_name=me.name,
               created_at=clock.iso(now), updated_at=clock.iso(now), status="active",
               gsi1pk=Notice.by_place(tenant, place), gsi1sk=f"{clock.iso(now)}#{nid}")
    with transact() as tx:
        tx.save(n, condition=Notice.pk.does_not_exist())
        for t in targets:
            tx.save(_entry(tenant, n, t))
        due = _sms_due(tenant, n)
        if due is not None:
            tx.save(due)
    n.version = 1
    broadcast(tenant, n)
    return notice_out(ctx, tenant, n, read=False)


def broadcast(tenant: str, n: Notice) -> None:
    """ONE message on the broadcasts topic with the attributes tenant, places (the targets), roles (["all"] when it
    is for everyone) and urgent. A subscriber for a village lists the village and the places above it in its filter
    policy's `places` (a county-wide notice is for the village too), docs/operations.md."""
    from ..core.aws import client

    places_attr = json.loads(n.targets)
    roles = json.loads(n.roles) or ["all"]
    message = {"tenant": tenant, "id": n.nid, "title": n.title, "from": n.from_name, "publish_at": n.publish_at,
               "urgent": bool(n.urgent), "targets": json.loads(n.targets), "roles": json.loads(n.roles)}
    try:
        client("sns").publish(
            TopicArn=notify.topic_arn(settings().broadcasts_topic), Subject=f"村情通通知：{n.title}"[:100],
            Message=json.dumps(message, ensure_ascii=False),
            MessageAttributes={
                "tenant": {"DataType": "String", "StringValue": tenant},
                "places": {"DataType": "String.Array", "StringValue": json.dumps(places_attr)},
                "roles": {"DataType": "String.Array", "StringValue": json.dumps(roles)},
                "urgent": {"DataType": "String", "StringValue": "true" if n.urgent else "false"}})
    except Exception as e:  # noqa: BLE001 - the notice stands (readers read it from DynamoDB); subscribers miss one
        logger.warning("notice broadcast failed", extra={"tenant": tenant, "notice": n.nid,
                                                         "error_type": type(e).__name__})


def _load(tenant: str, nid: str) -> Notice:
    try:
        return Notice.get(*Notice.keys(tenant, nid))
    except Notice.DoesNotExist:
        raise NotFound("找不到该通知") from None


def _may_manage(ctx: TenantContext, n: Notice) -> bool:
    """Its publisher, or anyone who may publish at a place above the one it was published from."""
    if n.by_uid == ctx.user_id and ctx.can(PERMISSION, n.from_place):
        return True
    return any(g.covers(n.from_place) and g.place != n.from_place for g in ctx.grants_for(PERMISSION))


def _may_see_as_staff(ctx: TenantContext, n: Notice) -> bool:
    """Staff who may publish at the place it came from (or above) see it whatever its state."""
    return ctx.can(PERMISSION, n.from_place)


def update(ctx: TenantContext, nid: str, body) -> dict:
    """Edit a notice before its publication time (the whole notice, with the version read)."""
    tenant = ctx.require_tenant()
    n = _load(tenant, nid)
    if not _may_manage(ctx, n):
        raise Forbidden("只有发布人或上级可以修改该通知", code="forbidden_scope")
    now = clock.now()
    if n.status != "active":
        raise Conflict("通知已撤回，不能修改", code="notice_withdrawn")
    if n.publish_at <= clock.iso(now):
        raise Conflict("通知已发布，不能修改（可撤回后重新发布）", code="notice_published")
    if body.version != n.version:
        raise Conflict("通知刚被他人修改，请刷新后重试", code="version_conflict")
    place = n.from_place if body.place is None else body.place
    if place != n.from_place:
        raise _problem("place", "immutable", "不能更改发布单位")
    targets = _targets(ctx, tenant, place, body.targets)
    old_keep = {a["key"] for a in json.loads(n.attachments)}
    attachments = _check_attachments(tenant, ctx.user_id, body.attachments, old_keep)
    old_entries = {(t, NoticeEntry.sort_key(n.publish_at, nid)) for t in json.loads(n.targets)}
    old_due = _sms_due(tenant, n)
    n.title, n.body, n.urgent = body.title, body.body, body.urgent
    n.attachments = json.dumps(attachments, ensure_ascii=False)
    n.targets, n.roles = json.dumps(targets), json.dumps(sorted(set(body.roles)))
    n.publish_at, n.updated_at = _publish_at(body.publish_at, now), clock.iso(now)
    new_due = _sms_due(tenant, n)
    new_entries = {(t, NoticeEntry.sort_key(n.publish_at, nid)) for t in targets}
    try:
        with transact() as tx:
            tx.save(n)  # the version condition: a concurrent edit loses with 409
            for t, sk in old_entries - new_entries:
                tx.delete(NoticeEntry(NoticeEntry.partition(tenant, t), sk))
            for t in targets:
                tx.save(_entry(tenant, n, t))
            if old_due is not None and (new_due is None or old_due.sk != new_due.sk):
                tx.delete(old_due)
            if new_due is not None:
                tx.save(new_due)
    except TransactWriteError as e:
        if "ConditionalCheckFailed" in cancellation_codes(e):
            raise Conflict("通知刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise ServiceUnavailable() from e
    return notice_out(ctx, tenant, n, read=False)


def withdraw(ctx: TenantContext, nid: str) -> dict:
    """Withdraw: readers no longer see it; staff keep its trace (已撤回). Its entries are marked, its SMS stopped."""
    tenant = ctx.require_tenant()
    n = _load(tenant, nid)
    if not _may_manage(ctx, n):
        raise Forbidden("只有发布人或上级可以撤回该通知", code="forbidden_scope")
    if n.status == "withdrawn":
        return notice_out(ctx, tenant, n, read=False)  # a retry: done already
    n.status, n.withdrawn_at, n.withdrawn_by = "withdrawn", clock.iso(), ctx.user_id
    n.updated_at = n.withdrawn_at
    due = _sms_due(tenant, n)
    try:
        with transact() as tx:
            tx.save(n)
            for t in json.loads(n.targets):
                tx.update(NoticeEntry(NoticeEntry.partition(tenant, t), NoticeEntry.sort_key(n.publish_at, nid)),
                          actions=[NoticeEntry.withdrawn.set(True)], condition=NoticeEntry.pk.exists())
            if due is not None:
                tx.delete(due)
    except TransactWriteError as e:
        if "ConditionalCheckFailed" in cancellation_codes(e):
            raise Conflict("通知刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise ServiceUnavailable() from e
    return notice_out(ctx, tenant, n, read=False)


# --- reading ----------------------------------------------------------------------------------------------------

def reader_places(ctx: TenantContext) -> list[str]:
    """The places whose lists a person reads: every grant's place and the places above it (a villager: county,
    township, village, grid), at most MAX_PARTITIONS."""
    out: set[str] = set()
    for g in ctx.grants:
        if g.place == "*" or codes.level_of(g.place) is None:
            continue
        out.update([*codes.ancestors(g.place), g.place])
    return sorted(out)[:MAX_PARTITIONS]


def addressed_to(ctx: TenantContext, place: str, roles: list[str]) -> bool:
    """Is a notice for `place` (and `roles`, [] = everyone) addressed to this person?"""
    return any(g.place != "*" and within(g.place, place) and (not roles or g.role in roles) for g in ctx.grants)


def status(n: Notice, now_iso: str | None = None) -> str:
    if n.status == "withdrawn":
        return "withdrawn"
    return "scheduled" if n.publish_at > (now_iso or clock.iso()) else "published"


def _is_recipient(ctx: TenantContext, n: Notice) -> bool:
    roles = json.loads(n.roles)
    return any(addressed_to(ctx, t, roles) for t in json.loads(n.targets))


def _seen(tenant: str, uid: str, nids: list[str]) -> set[str]:
    """The notices among `nids` this person has opened: one BatchGet (at most 100)."""
    if not nids or not uid:
        return set()
    keys = [NoticeSeen.keys(tenant, uid, nid) for nid in dict.fromkeys(nids)][:100]
    return {s.sk for s in NoticeSeen.batch_get(keys)}


def _newest(ctx: TenantContext, tenant: str, limit: int, before: str | None) -> tuple[list[NoticeEntry], str | None]:
    """The newest `limit` notices addressed to the person, published by now and before `before` (a sort key): one
    Query of one page per place's list, merged newest first. Returns (entries, the boundary of the next page)."""
    upper = f"{clock.iso()}#~"  # "~" sorts after every notice id: everything published up to now
    if before is not None and before < upper:
        upper = before
    merged: dict[str, NoticeEntry] = {}
    more = False
    for place in reader_places(ctx):
        res = NoticeEntry.query(NoticeEntry.partition(tenant, place), NoticeEntry.sk < upper,
                                scan_index_forward=False, page_size=limit)
        items, last = one_page(res, limit)
        more = more or last is not None
        for e in items:
            if e.withdrawn or not addressed_to(ctx, place, json.loads(e.roles)):
                continue
            merged.setdefault(e.sk, e)
    ordered = sorted(merged.values(), key=lambda e: e.sk, reverse=True)
    page = ordered[:limit]
    boundary = page[-1].sk if page and (more or len(ordered) > limit) else None
    return page, boundary


def list_mine(ctx: TenantContext, limit: int, cursor: str | None) -> dict:
    """My notices, newest first, with read/unread for me: one Query per place of mine (≤ 4 for a villager) and
    one BatchGet, whatever the county's size."""
    tenant = ctx.require_tenant()
    bound = f"notices|{tenant}|{ctx.user_id}"
    start = decode_cursor(cursor, bound)
    page, boundary = _newest(ctx, tenant, limit, start.get("sk") if start else None)
    seen = _seen(tenant, ctx.user_id, [e.nid for e in page])
    return {"items": [summary_out(e, e.nid in seen) for e in page],
            "next_cursor": encode_cursor({"sk": boundary} if boundary else None, bound)}


def summary_out(e: NoticeEntry, read: bool) -> dict:
    return {"id": e.nid, "title": e.title, "excerpt": e.excerpt, "urgent": bool(e.urgent), "publish_at": e.publish_at,
            "from_name": e.from_name, "attachments": int(e.attachments or 0), "read": read}


def get(ctx: TenantContext, nid: str) -> dict:
    """A notice as its reader sees it (published, not withdrawn, addressed to them), or as staff who may publish at
    its place see it (any state): one GetItem, one for my read mark."""
    tenant = ctx.require_tenant()
    n = _load(tenant, nid)
    staff = _may_see_as_staff(ctx, n)
    if not staff and (status(n) != "published" or not _is_recipient(ctx, n)):
        raise NotFound("找不到该通知")
    return notice_out(ctx, tenant, n, read=bool(_seen(tenant, ctx.user_id, [nid])))


def notice_out(ctx: TenantContext, tenant: str, n: Notice, read: bool) -> dict:
    staff = _may_see_as_staff(ctx, n)
    targets = json.loads(n.targets)
    names = places.names(tenant, targets)
    st = status(n)
    return {"id": n.nid, "title": n.title, "body": n.body, "urgent": bool(n.urgent),
            "attachments": [{**a, "url": files.download_url(a["key"])} for a in json.loads(n.attachments)],
            "targets": [{"place": t, "name": names.get(t)} for t in targets], "roles": json.loads(n.roles),
            "publish_at": n.publish_at, "from_place": n.from_place, "from_name": n.from_name,
            "by_name": n.by_name if staff else None, "status": st, "status_name": STATUS_NAMES[st],
            "withdrawn_at": n.withdrawn_at, "created_at": n.created_at, "updated_at": n.updated_at,
            "version": int(n.version or 1), "read": read, "can_manage": _may_manage(ctx, n)}


def sent(ctx: TenantContext, place: str, limit: int, cursor: str | None) -> dict:
    """What a place published, newest first, withdrawn and scheduled ones included (staff): one Query per page."""
    tenant = ctx.require_tenant()
    ctx.require(PERMISSION, place)
    pk = Notice.by_place(tenant, place)
    res = Notice.gsi1.query(pk, scan_index_forward=False, page_size=limit,
                            last_evaluated_key=decode_cursor(cursor, f"sent|{pk}"))
    items, last = one_page(res, limit)
    now = clock.iso()
    out = []
    for n in items:
        st = status(n, now)
        out.append({"id": n.nid, "title": n.title, "urgent": bool(n.urgent), "publish_at": n.publish_at,
                    "status": st, "status_name": STATUS_NAMES[st], "by_name": n.by_name,
                    "targets": len(json.loads(n.targets)), "roles": json.loads(n.roles)})
    return {"items": out, "next_cursor": encode_cursor(last, f"sent|{pk}")}


def home(ctx: TenantContext, me: dict) -> dict | None:
    """The home's banner: the urgent notices among the newest of my lists that I have not opened (the list's
    Queries, and one BatchGet only when one of them is urgent)."""
    if not ctx.tenant_id:
        return None
    page, _ = _newest(ctx, ctx.tenant_id, HOME_WINDOW, None)
    urgent = [e for e in page if e.urgent]
    seen = _seen(ctx.tenant_id, ctx.user_id, [e.nid for e in urgent])
    return {"urgent": [{"id": e.nid, "title": e.title, "publish_at": e.publish_at, "from_name": e.from_name}
                       for e in urgent if e.nid not in seen]}
