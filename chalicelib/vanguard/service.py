"""党员先锋: deeds (post, approve / reject, feeds), likes (sharded counts), comments (moderated), points routes.

Who sees what: a deed (pending: its author and the approvers of its village; approved: the village's people, i.e.
anyone with a grant at, below or above the village) and its likes and comments; a township's or the county's feed:
people with a grant covering that place. Objects out of reach are 404, not 403 (nothing confirms they exist).
"""

from __future__ import annotations

import hmac
import json
import random
import uuid

from pynamodb.exceptions import TransactWriteError

from ..core import clock, files, pii
from ..core.auth import service as auth
from ..core.comments import Comments
from ..core.comments import new_key as new_comment_key
from ..core.db import cancellation_codes, one_page, transact, tx_update_unversioned
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import PARTY_MEMBER, TenantContext, grants_from_json, within
from ..places import service as places
from . import points as pts
from .models import SHARDS, Comment, Deed, DeedFeed, Like, LikeShard, MyDeed

PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
PHOTO_BYTES = 300 * 1024
UPLOADS_PER_DAY = 300
DEEDS_PER_DAY = 30
COMMENTS_PER_DAY = 50


def _problem(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "code": code, "message": message}])


# --- who ---------------------------------------------------------------------------------------------------------

def sees(ctx: TenantContext, village: str) -> bool:
    """The village's people: a grant at, below or above the village."""
    return any(g.covers(village) or within(g.place, village) for g in ctx.grants)


def _member_village(ctx: TenantContext) -> str:
    """The village where the caller is a party member (their first such grant)."""
    villages = sorted({g.place[:12] for g in ctx.grants if g.role == PARTY_MEMBER and len(g.place) >= 12})
    if not villages:
        raise Forbidden("只有党员可以发布实事", code="forbidden_scope")
    return villages[0]


def member_info(tenant: str, uid: str) -> tuple[str, str]:
    """A party member's name and village (their first party-member grant): 404 if not a party member."""
    user = auth.get_user(tenant, uid)
    villages = sorted({g.place[:12] for g in grants_from_json(user.grants) if g.role == PARTY_MEMBER})
    if user.status != "active" or not villages:
        raise NotFound("找不到该党员")
    return user.name, villages[0]


# --- photos ------------------------------------------------------------------------------------------------------

def _tag(uid: str, rand: str) -> str:
    return pii.blind_index("vanguard-photo", f"{uid}:{rand}")[:16]


def upload(ctx: TenantContext, content_type: str) -> dict:
    """A presigned S3 POST for one photo of a deed (≤ 300 KB), named so that only its uploader can use it."""
    tenant = ctx.require_tenant()
    _member_village(ctx)
    auth.rate_limit("vanguard-upload", f"{tenant}#{ctx.user_id}", UPLOADS_PER_DAY, *auth.SHANGHAI_DAY)
    rand = uuid.uuid4().hex[:16]
    return files.presigned_upload(tenant, "vanguard", PHOTO_TYPES[content_type], content_type, PHOTO_BYTES,
                                  name=f"{rand}-{_tag(ctx.user_id, rand)}")


def _check_photos(tenant: str, uid: str, keys: list[str]) -> None:
    prefix = f"{tenant}/vanguard/"
    problems = []
    for i, k in enumerate(keys):
        rand, _, tag = k[len(prefix):].rpartition(".")[0].partition("-") if k.startswith(prefix) else ("", "", "")
        mine = bool(rand) and "/" not in rand and hmac.compare_digest(tag.encode(), _tag(uid, rand).encode())
        size = files.size(k) if mine else None
        if size is None:
            problems.append({"field": f"photos.{i}", "code": "photo_missing", "message": "照片未上传成功，请重新上传"})
        elif size > PHOTO_BYTES:
            problems.append({"field": f"photos.{i}", "code": "photo_too_large", "message": "照片超过300KB"})
    if problems:
        raise ValidationFailed(details=problems)


# --- deeds -------------------------------------------------------------------------------------------------------

def post(ctx: TenantContext, text: str, photos: list[str]) -> dict:
    tenant = ctx.require_tenant()
    village = _member_village(ctx)
    _check_photos(tenant, ctx.user_id, photos)
    auth.rate_limit("vanguard-deed", f"{tenant}#{ctx.user_id}", DEEDS_PER_DAY, *auth.SHANGHAI_DAY)
    user = auth.get_user(tenant, ctx.user_id)
    did = uuid.uuid4().hex[:12]
    now = clock.iso()
    deed = Deed(*Deed.keys(tenant, did), did=did, author=ctx.user_id, author_name=user.name, village=village,
                village_name=places.names(tenant, [village]).get(village), text=text, photos=json.dumps(photos),
                status="pending", created_at=now, gsi1pk=Deed.queue(tenant, village), gsi1sk=f"{now}#{did}")
    with transact() as tx:
        tx.save(deed, condition=Deed.pk.does_not_exist())
        tx.save(MyDeed(MyDeed.partition(tenant, ctx.user_id), f"{now}#{did}", did=did))
    deed.version = 1
    return deed_out(ctx, deed, 0, False)


def _load(tenant: str, did: str, consistent: bool = False) -> Deed:
    try:
        return Deed.get(*Deed.keys(tenant, did), consistent_read=consistent)
    except Deed.DoesNotExist:
        raise NotFound("找不到该实事") from None


def _may_read(ctx: TenantContext, deed: Deed) -> bool:
    if deed.author == ctx.user_id:
        return True
    if deed.status == "approved":
        return sees(ctx, deed.village)
    return ctx.can("vanguard.approve", deed.village)


def _visible(ctx: TenantContext, did: str) -> Deed:
    deed = _load(ctx.require_tenant(), did)
    if not _may_read(ctx, deed):
        raise NotFound("找不到该实事")
    return deed


def _staff_or_author(ctx: TenantContext, deed) -> bool:
    return deed.author == ctx.user_id or ctx.can("vanguard.approve", deed.village)


def deed_out(ctx: TenantContext, d, likes: int, liked: bool) -> dict:
    status = getattr(d, "status", "approved")
    return {"id": d.did, "text": d.text, "photos": [files.download_url(k) for k in json.loads(d.photos)],
            "author": {"id": d.author, "name": d.author_name}, "village": d.village,
            "village_name": d.village_name, "status": status, "reason": getattr(d, "reason", None),
            "created_at": d.created_at, "decided_at": d.decided_at,
            "points": (int(d.points) if getattr(d, "points", None) is not None else None)
            if isinstance(d, Deed) and _staff_or_author(ctx, d) else None,
            "likes": likes, "liked_by_me": liked}


def _counts(tenant: str, uid: str, dids: list[str]) -> dict[str, tuple[int, bool]]:
    """Like counts (the shards summed) and whether the caller liked each deed: one BatchGet (≤ 20 deeds × 4 shards
    + 20 likes = 100 keys)."""
    from ..core.db import SubmissionsItem

    if not dids:
        return {}
    keys = [LikeShard.keys(tenant, d, s) for d in dids for s in range(SHARDS)] + [Like.keys(tenant, d, uid)
                                                                              for d in dids]
    counts = dict.fromkeys(dids, 0)
    liked: set[str] = set()
    for item in SubmissionsItem.batch_get(keys):
        if isinstance(item, LikeShard):
            did = item.pk.split("#")[2]
            counts[did] = counts.get(did, 0) + int(item.likes or 0)
        elif isinstance(item, Like):
            liked.add(item.did)
    return {d: (max(0, counts[d]), d in liked) for d in dids}


def detail(ctx: TenantContext, did: str) -> dict:
    deed = _visible(ctx, did)
    likes, liked = _counts(ctx.tenant_id, ctx.user_id, [did])[did]
    return deed_out(ctx, deed, likes, liked)


def feed(ctx: TenantContext, place: str, limit: int, cursor: str | None) -> dict:
    """Approved deeds of a village (its people), a township or the county (people whose grant covers it), newest
    first: one Query and one BatchGet of the page's like counts."""
    tenant = ctx.require_tenant()
    if not place.startswith(tenant):
        raise NotFound("找不到该地点")
    allowed = sees(ctx, place) if len(place) == 12 else any(g.covers(place) for g in ctx.grants)
    if not allowed:
        raise Forbidden("没有权限访问该范围的数据", code="forbidden_scope")
    bound = f"vgf:{tenant}:{place}"
    q = DeedFeed.query(DeedFeed.partition(tenant, place), scan_index_forward=False, page_size=limit,
                       last_evaluated_key=decode_cursor(cursor, bound))
    items, last = one_page(q, limit)
    counts = _counts(tenant, ctx.user_id, [f.did for f in items])
    return {"items": [deed_out(ctx, f, *counts[f.did]) for f in items], "next_cursor": encode_cursor(last, bound)}


def queue(ctx: TenantContext, village: str, limit: int, cursor: str | None) -> dict:
    """Deeds awaiting approval in a village (vanguard.approve there), oldest first: one Query of the sparse index."""
    tenant = ctx.require_tenant()
    ctx.require("vanguard.approve", village)
    bound = f"vgq:{tenant}:{village}"
    q = Deed.gsi1.query(Deed.queue(tenant, village), page_size=limit,
                        last_evaluated_key=decode_cursor(cursor, bound))
    items, last = one_page(q, limit)
    return {"items": [deed_out(ctx, d, 0, False) for d in items], "next_cursor": encode_cursor(last, bound)}


def mine(ctx: TenantContext, limit: int, cursor: str | None) -> dict:
    """The caller's own deeds, every status, newest first: one Query and one BatchGet of the deeds (and one of
    their like counts)."""
    tenant = ctx.require_tenant()
    bound = f"vgm:{tenant}:{ctx.user_id}"
    q = MyDeed.query(MyDeed.partition(tenant, ctx.user_id), scan_index_forward=False, page_size=limit,
                     last_evaluated_key=decode_cursor(cursor, bound))
    refs, last = one_page(q, limit)
    found = {d.did: d for d in Deed.batch_get([Deed.keys(tenant, r.did) for r in refs])}
    deeds = [found[r.did] for r in refs if r.did in found]
    counts = _counts(tenant, ctx.user_id, [d.did for d in deeds if d.status == "approved"])
    return {"items": [deed_out(ctx, d, *counts.get(d.did, (0, False))) for d in deeds],
            "next_cursor": encode_cursor(last, bound)}


def decide(ctx: TenantContext, did: str, action: str, reason: str | None) -> dict:
    """Approve (the author earns the rule's points, within the month's cap; the feeds list it) or reject with a
    reason, once: a deed already decided is 409."""
    tenant = ctx.require_tenant()
    deed = _load(tenant, did, consistent=True)
    if not ctx.can("vanguard.approve", deed.village):
        raise NotFound("找不到该实事")
    if deed.status != "pending":
        raise Conflict("该实事已处理", code="already_decided")
    if action == "reject" and not reason:
        raise _problem("reason", "required", "驳回时请填写原因")
    now = clock.iso()
    expected = deed.version

    def decided(tx, given: int | None = None):
        actions = [Deed.status.set("approved" if action == "approve" else "rejected"), Deed.decided_at.set(now),
                   Deed.decided_by.set(ctx.user_id), Deed.gsi1pk.remove(), Deed.gsi1sk.remove(),
                   Deed.version.set(expected + 1)]
        if given is not None:
            actions.append(Deed.points.set(given))
        if reason:
            actions.append(Deed.reason.set(reason))
        tx_update_unversioned(tx, Deed, *Deed.keys(tenant, did), actions,
                              condition=(Deed.status == "pending") & (Deed.version == expected))
        if action == "approve":
            for place in (deed.village, deed.village[:9], tenant):
                tx.save(DeedFeed(DeedFeed.partition(tenant, place), f"{now}#{did}", did=did, author=deed.author,
                                 author_name=deed.author_name, village=deed.village, village_name=deed.village_name,
                                 text=deed.text, photos=deed.photos, created_at=deed.created_at, decided_at=now))

    try:
        if action == "approve":
            rule = pts.rules_of(tenant)[0]["deed"]
            pts.award(tenant, deed.author, name=deed.author_name, village=deed.village, source="deed",
                      points=rule["points"], ref=did, note=deed.text[:30], by=ctx.user_id, at=now, extra=decided)
        else:
            with transact() as tx:
                decided(tx)
    except TransactWriteError as e:
        if "ConditionalCheckFailed" in cancellation_codes(e):
            raise Conflict("该实事已处理", code="already_decided") from e
        raise
    return detail(ctx, did)


# --- likes -------------------------------------------------------------------------------------------------------

def like(ctx: TenantContext, did: str) -> dict:
    """Like once: a conditional put of the person's like and +1 on a random shard, in one transaction; a second
    like changes nothing. The author's points come from the stream (events.py)."""
    tenant = ctx.require_tenant()
    deed = _visible(ctx, did)
    if deed.status != "approved":
        raise Conflict("实事审核通过后才能点赞", code="not_approved")
    shard = random.randrange(SHARDS)
    try:
        with transact() as tx:
            tx.save(Like(*Like.keys(tenant, did, ctx.user_id), did=did, uid=ctx.user_id, at=clock.iso(),
                         author=deed.author, author_name=deed.author_name, village=deed.village),
                    condition=Like.pk.does_not_exist())
            tx_update_unversioned(tx, LikeShard, *LikeShard.keys(tenant, did, shard),
                                  [LikeShard.likes.add(1), LikeShard.kind.set(LikeShard)])
    except TransactWriteError as e:
        if cancellation_codes(e)[:1] != ["ConditionalCheckFailed"]:
            raise
    likes, liked = _counts(tenant, ctx.user_id, [did])[did]
    return {"deed": did, "likes": likes, "liked_by_me": liked}


def unlike(ctx: TenantContext, did: str) -> dict:
    tenant = ctx.require_tenant()
    _visible(ctx, did)
    shard = random.randrange(SHARDS)
    try:
        with transact() as tx:
            tx.delete(Like(*Like.keys(tenant, did, ctx.user_id)), condition=Like.pk.exists())
            tx_update_unversioned(tx, LikeShard, *LikeShard.keys(tenant, did, shard),
                                  [LikeShard.likes.add(-1), LikeShard.kind.set(LikeShard)])
    except TransactWriteError as e:
        if cancellation_codes(e)[:1] != ["ConditionalCheckFailed"]:
            raise
    likes, liked = _counts(tenant, ctx.user_id, [did])[did]
    return {"deed": did, "likes": likes, "liked_by_me": liked}


# --- comments ----------------------------------------------------------------------------------------------------

def comment_out(ctx: TenantContext, c: Comment) -> dict:
    return {"id": c.cid, "deed": c.did, "name": pii.mask_name(c.name) or "村民", "text": c.text, "status": c.status,
            "mine": c.uid == ctx.user_id, "created_at": c.created_at}


COMMENTS = Comments(Comment, name="vanguard", bound="vgk", queue_bound="vgkq", out=comment_out,
                    per_day=COMMENTS_PER_DAY)


def add_comment(ctx: TenantContext, did: str, text: str) -> dict:
    """A comment on an approved deed, held for its village's moderators."""
    deed = _visible(ctx, did)
    if deed.status != "approved":
        raise Conflict("实事审核通过后才能评论", code="not_approved")
    cid = new_comment_key()  # sorts by time: the key's sk
    return COMMENTS.add(ctx, did, cid, where=deed.village, text=text, cid=cid, did=did, village=deed.village)


def comments(ctx: TenantContext, did: str, limit: int, cursor: str | None) -> dict:
    """Approved comments and the caller's own pending ones (moderators: every one), oldest first: one Query page
    (filtered, so a page may hold fewer than `limit`; the cursor goes on)."""
    deed = _visible(ctx, did)
    return COMMENTS.page(ctx, did, moderator=ctx.can("vanguard.approve", deed.village), limit=limit, cursor=cursor)


def comment_queue(ctx: TenantContext, village: str, limit: int, cursor: str | None) -> dict:
    ctx.require_tenant()
    ctx.require("vanguard.approve", village)
    return COMMENTS.pending(ctx, village, limit=limit, cursor=cursor)


def moderate(ctx: TenantContext, did: str, cid: str, action: str) -> dict:
    tenant = ctx.require_tenant()
    deed = _load(tenant, did)
    if not ctx.can("vanguard.approve", deed.village):
        raise NotFound("找不到该评论")
    return COMMENTS.decide(ctx, COMMENTS.get(tenant, did, cid), action)


# --- points routes -----------------------------------------------------------------------------------------------

def award_route(ctx: TenantContext, body) -> dict:
    """Study completed or volunteer service (the org department now; issues 16/17's modules later)."""
    tenant = ctx.require_tenant()
    name, village = member_info(tenant, body.member)
    ctx.require("vanguard.rules", village)
    asked = body.points if body.points is not None else pts.rules_of(tenant)[0][body.source]["points"]
    given, done = pts.award(tenant, body.member, name=name, village=village, source=body.source, points=asked,
                            ref=body.ref, note=body.note or "", by=ctx.user_id)
    if not done:
        raise Conflict("该事项已为该党员记过积分", code="already_awarded")
    return _latest(tenant, body.member, given, body.source, body.ref)


def correct(ctx: TenantContext, body) -> dict:
    tenant = ctx.require_tenant()
    name, village = member_info(tenant, body.member)
    ctx.require("vanguard.rules", village)
    ref = uuid.uuid4().hex[:16]
    pts.award(tenant, body.member, name=name, village=village, source="correction", points=body.points, ref=ref,
              note=body.reason, by=ctx.user_id, capped=False)
    return _latest(tenant, body.member, body.points, "correction", ref)


def _latest(tenant: str, uid: str, given: int, source: str, ref: str) -> dict:
    """The entry just written (found by its marker's id), or, when the cap gave nothing, what it would say."""
    from .models import AwardRef, Entry

    try:
        marker = AwardRef.get(*AwardRef.keys(tenant, uid, source, ref), consistent_read=True)
    except AwardRef.DoesNotExist:
        return {"id": "", "at": clock.iso(), "source": source, "source_name": pts.SOURCE_NAMES[source], "points": 0,
                "ref": ref, "note": "本月该项积分已达上限"}
    try:
        return pts.entry_out(Entry.get(Entry.partition(tenant, uid), marker.entry))
    except Entry.DoesNotExist:  # pragma: no cover - written in the marker's transaction
        raise NotFound("找不到该积分记录") from None


def ledger(ctx: TenantContext, uid: str, limit: int, cursor: str | None) -> dict:
    """A member's balance and entries: the member, or staff who approve at their village or set the rules."""
    tenant = ctx.require_tenant()
    if uid != ctx.user_id:
        try:
            _, village = member_info(tenant, uid)
        except NotFound:
            raise NotFound("找不到该党员") from None
        if not (ctx.can("vanguard.approve", village) or ctx.can("vanguard.rules", village)):
            raise NotFound("找不到该党员")
    return {"member": uid, **pts.ledger(tenant, uid, limit, cursor)}


def index(ctx: TenantContext, place: str, period: str) -> dict:
    """党建指数 is public in the county: any signed-in person of it reads any village's or township's board."""
    tenant = ctx.require_tenant()
    if not place.startswith(tenant):
        raise NotFound("找不到该地点")
    return pts.index(tenant, place, period)
