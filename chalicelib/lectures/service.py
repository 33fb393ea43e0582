"""专题授课: offices publish courses of lecture videos; villagers and party members watch them on their phones.

Who: a course belongs to the place of the office that made it (the county or a township: `lectures.publish` at
that place or above edits it, uploads its videos, moderates its comments and reads its numbers). A published course
is seen by everyone whose grants meet its place (a township's people and the county's staff); a 党员学习 course
(audience "party") by party members and staff only. Objects out of reach are 404.

Watching: the phone sends a heartbeat every 30–60 s while playing (PUT .../progress: the playhead and the ranges
played since the last one). Progress is one item per person and video (coverage.py keeps which of 100 slices were
played). The first heartbeat is the view; reaching 90 % of the slices is the completion; both are counted in the
same transaction as the progress item, at the viewer's village, its township and the county (models.Stat). Viewers
without a village (staff who are neither residents nor party members) keep their progress but are not counted.
A party member completing a video of a party course gets the rules' `study` points once (vanguard/points.py award,
ref `lecture-{vid}`: a retry or a second tab gives nothing more).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
import secrets as pysecrets
import time

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.operand import Path

from ..core import clock, files, pii
from ..core.comments import Comments
from ..core.comments import new_key as new_comment_key
from ..core.db import cancellation_codes, one_page, transact, tx_update_unversioned
from ..core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.observability import logger
from ..core.tenancy import PARTY_MEMBER, RESIDENT_ROLES, TenantContext, topmost, within
from ..places import codes
from ..places import service as places
from . import coverage, transcode
from .models import SHARDS, Comment, Course, Progress, Stat, Video
from .schemas import MAX_BYTES, MAX_VIDEOS, PART_SIZE

PERMISSION = "lectures.publish"
AUDIENCE_NAMES = {"all": "全体村民", "party": "党员学习"}
CONTENT_TYPES = {"video/mp4": ".mp4", "video/webm": ".webm", "video/quicktime": ".mov"}
COMMENTS_PER_DAY = 50
ATTEMPTS = 5
URL_MIN_S, URL_MAX_S = 3600, 6 * 3600
_ID = re.compile(r"^[0-9a-f]{12}$")
_CM = re.compile(r"^\d{13}[0-9a-f]{6}$")


def _problem(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "code": code, "message": message}])


def _new_id() -> str:
    return pysecrets.token_hex(6)


# --- who ---------------------------------------------------------------------------------------------------------

def _village(ctx: TenantContext) -> str:
    """Where the caller's views count: the village of their first resident or party-member grant; "" for staff
    without one (not counted)."""
    villages = sorted({g.place[:12] for g in ctx.grants if g.role in RESIDENT_ROLES and len(g.place) >= 12})
    return villages[0] if villages else ""


def _is_party(ctx: TenantContext) -> bool:
    return any(g.role == PARTY_MEMBER for g in ctx.grants)


def _is_staff(ctx: TenantContext) -> bool:
    return any(g.role not in RESIDENT_ROLES for g in ctx.grants)


def _editor(ctx: TenantContext, c: Course) -> bool:
    return ctx.can(PERMISSION, c.place)


def _meets(ctx: TenantContext, place: str) -> bool:
    """A grant at, below or above the place."""
    return any(g.covers(place) or within(g.place, place) for g in ctx.grants)


def _sees(ctx: TenantContext, c: Course) -> bool:
    if _editor(ctx, c):
        return True
    if c.status != "published" or not _meets(ctx, c.place):
        return False
    return c.audience == "all" or _is_party(ctx) or _is_staff(ctx)


def _course(tenant: str, cid: str, consistent: bool = False) -> Course:
    if not _ID.match(cid or ""):
        raise NotFound("找不到该课程")
    try:
        return Course.get(*Course.keys(tenant, cid), consistent_read=consistent)
    except Course.DoesNotExist:
        raise NotFound("找不到该课程") from None


def _visible(ctx: TenantContext, cid: str, consistent: bool = False) -> Course:
    c = _course(ctx.require_tenant(), cid, consistent)
    if not _sees(ctx, c):
        raise NotFound("找不到该课程")
    return c


def _editable(ctx: TenantContext, cid: str) -> Course:
    c = _visible(ctx, cid, consistent=True)
    if not _editor(ctx, c):
        raise Forbidden("没有权限编辑该课程", code="forbidden_scope")
    return c


def _video(tenant: str, vid: str) -> Video:
    if not _ID.match(vid or ""):
        raise NotFound("找不到该视频")
    try:
        return Video.get(*Video.keys(tenant, vid))
    except Video.DoesNotExist:
        raise NotFound("找不到该视频") from None


def _visible_video(ctx: TenantContext, vid: str) -> tuple[Video, Course]:
    tenant = ctx.require_tenant()
    v = _video(tenant, vid)
    try:
        c = _visible(ctx, v.cid)
    except NotFound:
        raise NotFound("找不到该视频") from None
    if vid not in json.loads(c.videos):
        raise NotFound("找不到该视频")
    return v, c


# --- courses -----------------------------------------------------------------------------------------------------

def course_out(ctx: TenantContext, c: Course, names: dict[str, str]) -> dict:
    return {"id": c.cid, "title": c.title, "description": c.description or "", "audience": c.audience,
            "audience_name": AUDIENCE_NAMES.get(c.audience, c.audience), "status": c.status, "place": c.place,
            "place_name": names.get(c.place), "duration_s": int(c.duration_s or 0),
            "videos_count": len(json.loads(c.videos)), "created_at": c.created_at, "updated_at": c.updated_at,
            "published_at": c.published_at, "version": int(c.version or 1), "can_edit": _editor(ctx, c)}


def _from_place(ctx: TenantContext, tenant: str, place: str | None) -> str:
    grants = ctx.grants_for(PERMISSION)
    if not grants:
        raise Forbidden("没有权限发布课程", code="forbidden_scope")
    if place is None:
        mine = topmost({g.place for g in grants if g.place != "*"})
        if len(mine) != 1:
            raise _problem("place", "required", "请选择课程所属地区")
        place = mine[0]
    ctx.require(PERMISSION, place)
    if codes.level_of(place) not in ("county", "township") or not place.startswith(tenant):
        raise _problem("place", "not_office", "课程属于县或乡镇（街道）")
    if place != tenant and place not in places.existing(tenant, [place]):
        raise _problem("place", "unknown_place", "地区不存在")
    return place


def create(ctx: TenantContext, body) -> dict:
    """A draft course at the county or a township of mine."""
    tenant = ctx.require_tenant()
    place = _from_place(ctx, tenant, body.place)
    now = clock.iso()
    cid = _new_id()
    c = Course(*Course.keys(tenant, cid), cid=cid, title=body.title, description=body.description,
               audience=body.audience, status="draft", place=place, videos="[]", duration_s=0, by_uid=ctx.user_id,
               created_at=now, updated_at=now, gsi1pk=Course.listing(tenant), gsi1sk=f"D#{now}#{cid}")
    c.save(condition=Course.pk.does_not_exist())
    return course_out(ctx, c, places.names(tenant, [place]))


def _list_filter(ctx: TenantContext, tenant: str, status: str):
    """Which courses of the county's list the caller sees (a filter on one Query page; None: all of them)."""
    if status == "draft":
        mine = topmost({g.place for g in ctx.grants_for(PERMISSION)})
        if not mine:
            raise Forbidden("没有权限查看草稿", code="forbidden_scope")
        if "*" in mine or tenant in mine:
            return None
        return Course.place.is_in(*mine[:50])
    cond = None
    if not any(g.place in ("*", tenant) for g in ctx.grants):
        near = {tenant} | {g.place[:9] for g in ctx.grants if len(g.place) >= 9}
        cond = Course.place.is_in(*sorted(near)[:50])
    if not (_is_party(ctx) or _is_staff(ctx)):
        aud = Course.audience == "all"
        cond = aud if cond is None else cond & aud
    return cond


def list_courses(ctx: TenantContext, status: str, limit: int, cursor: str | None) -> dict:
    """Newest first: one Query page of the county's course list (filtered to what the caller sees, so a page may
    hold fewer than `limit`; the cursor goes on) and one BatchGet of place names."""
    tenant = ctx.require_tenant()
    cond = _list_filter(ctx, tenant, status)
    bound = f"lcourses:{tenant}:{status}"
    q = Course.gsi1.query(Course.listing(tenant), Course.gsi1sk.startswith("P#" if status == "published" else "D#"),
                          filter_condition=cond, scan_index_forward=False, page_size=limit,
                          last_evaluated_key=decode_cursor(cursor, bound))
    items, last = one_page(q, limit)
    items = [c for c in items if _sees(ctx, c)]
    names = places.names(tenant, {c.place for c in items}) if items else {}
    return {"items": [course_out(ctx, c, names) for c in items], "next_cursor": encode_cursor(last, bound)}


def _progress_out(p: Progress | None) -> dict:
    if p is None:
        return {"position_s": 0.0, "percent": 0, "completed": False, "completed_at": None, "points": None}
    return {"position_s": float(p.position_s or 0), "percent": coverage.percent(coverage.parse(p.slices)),
            "completed": p.completed_at is not None, "completed_at": p.completed_at,
            "points": int(p.points) if p.points is not None else None}


def _brief(v: Video, p: Progress | None, with_progress: bool) -> dict:
    return {"id": v.vid, "title": v.title, "duration_s": int(v.duration_s), "status": v.status,
            "poster": files.download_url(v.poster_key) if v.poster_key else None,
            "my": _progress_out(p) if with_progress else None}


def _videos(tenant: str, vids: list[str]) -> dict[str, Video]:
    return {v.vid: v for v in Video.batch_get([Video.keys(tenant, x) for x in vids])} if vids else {}


def detail(ctx: TenantContext, cid: str, consistent: bool = False) -> dict:
    """The course, its videos in order and my progress in each: one GetItem and two BatchGets."""
    tenant = ctx.require_tenant()
    c = _visible(ctx, cid, consistent)
    vids = json.loads(c.videos)
    got = {v.vid: v for v in Video.batch_get([Video.keys(tenant, x) for x in vids], consistent_read=consistent)} \
        if vids else {}
    mine = {p.vid: p for p in Progress.batch_get([Progress.keys(tenant, ctx.user_id, x) for x in vids])} \
        if vids else {}
    out = course_out(ctx, c, places.names(tenant, [c.place]))
    out["videos"] = [_brief(got[x], mine.get(x), True) for x in vids if x in got]
    return out


def update(ctx: TenantContext, cid: str, body) -> dict:
    """Edit the whole course with the version read: title, description, audience, draft/published, the videos'
    order; a video left out is deleted (its item in the same transaction, then its file)."""
    tenant = ctx.require_tenant()
    c = _editable(ctx, cid)
    if int(c.version or 1) != body.version:
        raise Conflict("课程刚被他人修改，请刷新后重试", code="version_conflict")
    current = json.loads(c.videos)
    unknown = [v for v in body.videos if v not in current]
    if unknown:
        raise _problem("videos", "unknown_video", "视频不属于该课程")
    if body.status == "published" and not body.videos:
        raise _problem("status", "no_videos", "课程至少要有一个视频才能发布")
    removed = [v for v in current if v not in body.videos]
    got = _videos(tenant, current)
    now = clock.iso()
    c.title, c.description, c.audience, c.status = body.title, body.description, body.audience, body.status
    c.videos = json.dumps(body.videos)
    c.duration_s = sum(int(got[v].duration_s) for v in body.videos if v in got)
    c.updated_at = now
    if body.status == "published" and c.published_at is None:
        c.published_at = now
    c.gsi1sk = f"{'P' if body.status == 'published' else 'D'}#{c.created_at}#{c.cid}"
    try:
        with transact() as tx:
            tx.save(c)
            for v in removed:
                if v in got:
                    tx.delete(got[v])
    except TransactWriteError as e:
        if "ConditionalCheckFailed" in cancellation_codes(e):
            raise Conflict("课程刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise
    for v in removed:
        if v in got:
            _delete_files(got[v])
    return detail(ctx, cid, consistent=True)


def _delete_files(v: Video) -> None:
    from ..core import multipart

    for k in (v.s3_key, v.poster_key):
        if k:
            try:
                multipart.delete_object(k)
            except Exception:  # noqa: BLE001 - the item is gone; an object left behind costs storage only
                logger.warning("lecture file not deleted", extra={"video": v.vid})
    if v.hls_key or v.job_id:  # the renditions: ~5,000 objects for a 2-hour class, deleted by a job (cleanup.py)
        from ..core import jobs
        from . import cleanup

        try:
            jobs.submit(cleanup.JOB, v.pk.partition("#")[0], cleanup.unit(v.cid, v.vid))
        except Exception:  # noqa: BLE001 - as above
            logger.warning("lecture renditions not deleted", extra={"video": v.vid})


# --- uploads (core/multipart.py) ---------------------------------------------------------------------------------

def _folder(cid: str) -> str:
    return f"lecture/{cid}"


def _upload(answer: dict) -> dict:
    return {k: answer[k] for k in ("upload_id", "size", "part_size", "parts_count", "done", "parts", "missing")}


def start_upload(ctx: TenantContext, cid: str, body) -> dict:
    """Begin uploading a video into the course (S3 multipart under `{t}/lecture/{cid}/`, 16 MiB parts)."""
    from ..core import multipart

    tenant = ctx.require_tenant()
    c = _editable(ctx, cid)
    if len(json.loads(c.videos)) >= MAX_VIDEOS:
        raise Conflict(f"一个课程最多{MAX_VIDEOS}个视频", code="too_many_videos")
    return _upload(multipart.start(tenant, ctx.user_id, _folder(cid), body.content_type, body.size,
                                   max_bytes=MAX_BYTES, suffix=CONTENT_TYPES[body.content_type], part_size=PART_SIZE,
                                   meta=json.dumps({"title": body.title, "duration_s": body.duration_s},
                                                   ensure_ascii=False)))


def _my_upload(ctx: TenantContext, cid: str, upload_id: str):
    from ..core import multipart

    _editable(ctx, cid)
    return multipart.load(ctx.require_tenant(), upload_id, ctx.user_id, _folder(cid))


def upload_status(ctx: TenantContext, cid: str, upload_id: str) -> dict:
    from ..core import multipart

    return _upload(multipart.status(_my_upload(ctx, cid, upload_id)))


def abort_upload(ctx: TenantContext, cid: str, upload_id: str) -> None:
    from ..core import multipart

    multipart.abort(_my_upload(ctx, cid, upload_id))


def complete_upload(ctx: TenantContext, cid: str, upload_id: str, body) -> dict:
    """Finish the upload: the video is added at the end of the course (one TransactWrite: the video, the course
    conditional on its version — a concurrent edit makes it read again —, the upload's record deleted), then
    handed to the transcoder (none: ready at once)."""
    from ..core import multipart
    from ..core.multipart import Upload

    tenant = ctx.require_tenant()
    up = _my_upload(ctx, cid, upload_id)
    done = multipart.complete(up, [p.model_dump() for p in body.parts], forget=False)
    meta = json.loads(done["meta"] or "{}")
    vid = _new_id()
    tc = transcode.provider()
    v = Video(*Video.keys(tenant, vid), vid=vid, cid=cid, title=meta.get("title") or "视频", s3_key=done["key"],
              content_type=done["content_type"], size=done["size"], duration_s=int(meta.get("duration_s") or 1),
              status="ready" if tc.name == "none" else "processing", transcoder=tc.name, by_uid=ctx.user_id,
              created_at=clock.iso())
    for attempt in range(ATTEMPTS):
        c = _editable(ctx, cid)
        vids = json.loads(c.videos)
        if len(vids) >= MAX_VIDEOS:
            raise Conflict(f"一个课程最多{MAX_VIDEOS}个视频", code="too_many_videos")
        c.videos = json.dumps([*vids, vid])
        c.duration_s = int(c.duration_s or 0) + int(v.duration_s)
        c.updated_at = clock.iso()
        try:
            with transact() as tx:
                tx.save(v, condition=Video.pk.does_not_exist())
                tx.save(c)
                multipart.forget_in(tx, up)
            break
        except TransactWriteError as e:
            if "ConditionalCheckFailed" not in cancellation_codes(e):
                raise
            try:
                Upload.get(up.pk, up.sk, consistent_read=True)
            except Upload.DoesNotExist:
                raise Conflict("该上传已完成", code="upload_done") from e
            if attempt == ATTEMPTS - 1:
                raise Conflict("课程刚被他人修改，请重试", code="version_conflict") from e
    if tc.name != "none":
        _submit(tenant, v, tc)
    return _brief(v, None, False)


def _submit(tenant: str, v: Video, tc) -> None:
    """Start the transcoding job; a refusal leaves the video failed (its original still plays)."""
    try:
        job = tc.submit(tenant, v.cid, v.vid, v.s3_key)
        v.update(actions=[Video.status.set(job["status"]), Video.job_id.set(job["job_id"])])
    except Exception as e:  # noqa: BLE001 - the upload is kept; the transcoder's refusal is recorded
        logger.exception("lecture transcoding not started", extra={"video": v.vid})
        v.update(actions=[Video.status.set("failed"), Video.error.set(type(e).__name__)])


def transcoded(tenant: str, vid: str, job_id: str, status: str, hls_key: str | None = None,
               poster_key: str | None = None, duration_s: int | None = None, error: str | None = None) -> bool:
    """The transcoder's outcome for a video (events.py): ready with its playlist and poster, or failed. Only the
    job the video waits for counts (an event of an older job, or of a deleted video, changes nothing); again: the
    same result."""
    actions = [Video.status.set(status)]
    if hls_key:
        actions.append(Video.hls_key.set(hls_key))
    if poster_key:
        actions.append(Video.poster_key.set(poster_key))
    if duration_s:
        actions.append(Video.duration_s.set(int(duration_s)))
    if error:
        actions.append(Video.error.set(error))
    try:
        Video(*Video.keys(tenant, vid)).update(actions=actions, condition=Video.job_id == job_id)
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


# --- watching ----------------------------------------------------------------------------------------------------

def _url_seconds(v: Video) -> int:
    return max(URL_MIN_S, min(URL_MAX_S, int(v.duration_s) + URL_MIN_S))


def sources(tenant: str, v: Video, expires: int) -> dict:
    """What the player loads: the HLS master playlist once transcoded (a path under the API, hls.py; the player
    picks the rendition), and the original (a presigned GET; S3 answers Range requests with 206, so a phone fetches
    what it plays), which is all there is locally and where the region has no transcoder."""
    from . import hls

    master = None
    if v.hls_key and v.status == "ready":
        tok = hls.token(tenant, v.cid, v.vid, int(clock.now().timestamp()) + expires)
        master = f"/lectures/hls/{tok}/{hls.master_name(v.hls_key)}"
    return {"hls": master, "original": files.download_url(v.s3_key, expires=expires)}


def _progress(tenant: str, uid: str, vid: str) -> Progress | None:
    try:
        return Progress.get(*Progress.keys(tenant, uid, vid), consistent_read=True)
    except Progress.DoesNotExist:
        return None


def video(ctx: TenantContext, vid: str) -> dict:
    """A video to play: its sources (presigned, valid for its length plus an hour, at most 6 hours), poster and my
    progress (resume at position_s)."""
    tenant = ctx.require_tenant()
    v, c = _visible_video(ctx, vid)
    expires = _url_seconds(v)
    return {"id": v.vid, "course": c.cid, "course_title": c.title, "audience": c.audience, "title": v.title,
            "duration_s": int(v.duration_s), "status": v.status, "content_type": v.content_type, "size": int(v.size),
            "sources": sources(tenant, v, expires),
            "poster": files.download_url(v.poster_key, expires=expires) if v.poster_key else None,
            "expires_in": expires, "my": _progress_out(_progress(tenant, ctx.user_id, vid))}


def _shard(uid: str) -> int:
    return int(hashlib.sha256(uid.encode()).hexdigest()[:8], 16) % SHARDS


def _count(tx, tenant: str, cid: str, vid: str, village: str, uid: str, views: int, done: int) -> None:
    """ADD the view / completion at the village, its township and the county (the viewer's shard of each)."""
    shard = _shard(uid)
    for place, child in ((tenant, village[:9]), (village[:9], village), (village, None)):
        actions = [Stat.kind.set(Stat)]
        for name, n in (("views", views), ("done", done)):
            if n:
                actions.append(Path(name).add(n))
                actions.append(Path(f"{'vv' if name == 'views' else 'vd'}_{vid}").add(n))
                if child:
                    actions.append(Path(f"{'cv' if name == 'views' else 'cd'}_{child}").add(n))
        tx_update_unversioned(tx, Stat, *Stat.keys(tenant, cid, place, shard), actions)


def _elapsed(p: Progress, now: dt.datetime) -> float:
    at = dt.datetime.fromisoformat(p.beat_at.replace("Z", "+00:00"))
    return (now - at).total_seconds()


def heartbeat(ctx: TenantContext, vid: str, body) -> dict:
    """Record where I am and what I played since the last heartbeat. The first one counts the view, the one that
    reaches 90 % the completion (with the progress item, in one transaction); other heartbeats are one conditional
    UpdateItem. Conflicting heartbeats (two tabs) read again."""
    tenant = ctx.require_tenant()
    v, c = _visible_video(ctx, vid)
    duration = float(v.duration_s)
    village = _village(ctx)
    p = None
    for attempt in range(ATTEMPTS):
        p = _progress(tenant, ctx.user_id, vid)
        now = clock.now()
        now_iso = clock.iso(now)
        old = coverage.parse(p.slices) if p is not None else 0
        bits, _ = coverage.merge(old, body.ranges, duration, _elapsed(p, now) if p is not None else None)
        watched = coverage.count(bits)
        completing = watched >= coverage.COMPLETE and (p is None or p.completed_at is None)
        position = round(min(float(body.position_s), duration), 1)  # DynamoDB numbers stop at 1E-130
        try:
            if p is None:
                p = Progress(*Progress.keys(tenant, ctx.user_id, vid), vid=vid, cid=c.cid, position_s=position,
                             slices=coverage.dump(bits), watched=watched, beats=1, beat_at=now_iso, first_at=now_iso,
                             completed_at=now_iso if completing else None, village=village)
                with transact() as tx:
                    tx.save(p, condition=Progress.pk.does_not_exist())
                    if village:
                        _count(tx, tenant, c.cid, vid, village, ctx.user_id, 1, 1 if completing else 0)
            else:
                beats = int(p.beats or 0)
                actions = [Progress.position_s.set(position), Progress.slices.set(coverage.dump(bits)),
                           Progress.watched.set(watched), Progress.beats.set(beats + 1),
                           Progress.beat_at.set(now_iso)]
                if completing:
                    actions.append(Progress.completed_at.set(now_iso))
                if completing and p.village:
                    with transact() as tx:
                        tx.update(p, actions, condition=Progress.beats == beats)
                        _count(tx, tenant, c.cid, vid, p.village, ctx.user_id, 0, 1)
                    p.refresh(consistent_read=True)
                else:
                    p.update(actions=actions, condition=Progress.beats == beats)
            break
        except (TransactWriteError, UpdateError) as e:
            reasons = cancellation_codes(e) if isinstance(e, TransactWriteError) else [e.cause_response_code]
            if not {"ConditionalCheckFailed", "ConditionalCheckFailedException", "TransactionConflict"} & set(
                    r for r in reasons if r):
                raise
            if attempt == ATTEMPTS - 1:
                raise ServiceUnavailable() from e
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    if p is not None and p.completed_at is not None and p.points is None and c.audience == "party" \
            and _is_party(ctx):
        _study_points(tenant, ctx.user_id, c, v, p)
    return _progress_out(p)


def _study_points(tenant: str, uid: str, c: Course, v: Video, p: Progress) -> None:
    """党员学习: the rules' `study` points, once per person per video: the award (ledger marker `lecture-{vid}`)
    and the progress's `points` in one transaction (a second tab's award finds either and gives nothing)."""
    from ..vanguard import points as pts
    from ..vanguard import service as vanguard

    try:
        name, village = vanguard.member_info(tenant, uid)
    except NotFound:
        return
    asked = pts.rules_of(tenant)[0]["study"]["points"]

    def mark(tx, given: int) -> None:
        tx_update_unversioned(tx, Progress, p.pk, p.sk, [Progress.points.set(given)],
                              condition=Progress.points.does_not_exist())

    try:
        given, done = pts.award(tenant, uid, name=name, village=village, source="study", points=asked,
                                ref=f"lecture-{v.vid}", note=f"专题授课：{v.title}"[:60], extra=mark)
    except TransactWriteError:  # the progress has its points already (another heartbeat gave them)
        p.refresh(consistent_read=True)
        return
    if done:
        p.points = given


# --- numbers -----------------------------------------------------------------------------------------------------

def stat_raw(tenant: str, cid: str, place: str) -> dict[str, float]:
    """The place's shards summed, read raw (their attributes are named by video and child place): one BatchGet."""
    conn = Stat._get_connection().connection
    table = Stat.Meta.table_name
    keys = [Stat.keys(tenant, cid, place, s) for s in range(SHARDS)]
    request = [{"pk": pk, "sk": sk} for pk, sk in keys]
    total: dict[str, float] = {}
    for _ in range(5):
        if not request:
            break
        answer = conn.batch_get_item(table, request)
        for raw in answer.get("Responses", {}).get(table, []):
            for k, val in raw.items():
                if "N" in val:
                    total[k] = total.get(k, 0) + float(val["N"])
        request = [{"pk": k["pk"]["S"], "sk": k["sk"]["S"]}
                   for k in answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])]
    return total


def _numbers(views: float, done: float) -> dict:
    views, done = int(views or 0), int(done or 0)
    return {"views": views, "completions": done, "completion_rate": round(done / views, 4) if views else 0.0}


def stats(ctx: TenantContext, cid: str, place: str | None) -> dict:
    """A course's views and completion rate at a place (default: the county if mine, else my office's place), per
    video and per child place: GetItem (course), BatchGet (shards), BatchGet (videos), BatchGet (names)."""
    tenant = ctx.require_tenant()
    c = _visible(ctx, cid)
    if place is None:
        mine = topmost({g.place for g in ctx.grants_for(PERMISSION)})
        place = tenant if ("*" in mine or tenant in mine) else (mine[0] if mine else tenant)
    if not place.startswith(tenant) or codes.level_of(place) not in ("county", "township", "village"):
        raise NotFound("找不到该地区")
    ctx.require(PERMISSION, place)
    raw = stat_raw(tenant, cid, place)
    vids = json.loads(c.videos)
    got = _videos(tenant, vids)
    children = sorted(k[3:] for k in raw if k.startswith("cv_"))
    names = places.names(tenant, [place, *children])
    return {"course": c.cid, "place": place, "place_name": names.get(place),
            **_numbers(raw.get("views", 0), raw.get("done", 0)),
            "videos": [{"id": x, "title": got[x].title, **_numbers(raw.get(f"vv_{x}", 0), raw.get(f"vd_{x}", 0))}
                       for x in vids if x in got],
            "children": [{"place": ch, "name": names.get(ch, ch),
                          **_numbers(raw.get(f"cv_{ch}", 0), raw.get(f"cd_{ch}", 0))} for ch in children]}


# --- comments ----------------------------------------------------------------------------------------------------

def _comment_id(c: Comment) -> str:
    return f"{c.vid}-{c.sk.replace('#', '-')}"


def _parse_comment_id(cmid: str) -> tuple[str, str]:
    parts = (cmid or "").split("-")
    if len(parts) not in (2, 3) or not _ID.match(parts[0]) or not all(_CM.match(x) for x in parts[1:]):
        raise NotFound("找不到该评论")
    return parts[0], "#".join(parts[1:])


def comment_out(ctx: TenantContext, c: Comment) -> dict:
    return {"id": _comment_id(c), "video": c.vid, "parent": f"{c.vid}-{c.parent}" if c.parent else None,
            "name": pii.mask_name(c.name) or "村民", "text": c.text, "status": c.status,
            "mine": c.uid == ctx.user_id, "created_at": c.created_at}


COMMENTS = Comments(Comment, name="lecture", bound="lcmt", queue_bound="lcmq", out=comment_out,
                    per_day=COMMENTS_PER_DAY)


def add_comment(ctx: TenantContext, vid: str, text: str, reply_to: str | None) -> dict:
    """A comment or a reply (one level): villagers' wait for approval; the course's editors' are shown at once."""
    v, c = _visible_video(ctx, vid)
    editor = _editor(ctx, c)
    parent = None
    if reply_to:
        try:
            pvid, psk = _parse_comment_id(reply_to)
        except NotFound:
            pvid = psk = None
        parent = COMMENTS.root(ctx, vid, psk if pvid == vid else None, moderator=editor)
    return COMMENTS.add(ctx, vid, new_comment_key(parent), where=c.place, text=text, approved=editor, vid=vid,
                        parent=parent, place=c.place)


def comments(ctx: TenantContext, vid: str, limit: int, cursor: str | None) -> dict:
    """Approved comments and my own pending ones (the course's editors: all), threads in time order with their
    replies after them: one Query page (filtered: a page may hold fewer than `limit`; the cursor goes on)."""
    v, c = _visible_video(ctx, vid)
    return COMMENTS.page(ctx, vid, moderator=_editor(ctx, c), limit=limit, cursor=cursor)


def comment_queue(ctx: TenantContext, place: str, limit: int, cursor: str | None) -> dict:
    """Comments waiting for approval on the courses of a place (the county's own, or a township's), oldest first."""
    tenant = ctx.require_tenant()
    if not place.startswith(tenant):
        raise NotFound("找不到该地区")
    ctx.require(PERMISSION, place)
    return COMMENTS.pending(ctx, place, limit=limit, cursor=cursor)


def moderate(ctx: TenantContext, cmid: str, action: str) -> dict:
    """Approve (shown to all) or hide a comment; again: the same answer."""
    tenant = ctx.require_tenant()
    vid, sk = _parse_comment_id(cmid)
    cm = COMMENTS.get(tenant, vid, sk)
    if not ctx.can(PERMISSION, cm.place):
        raise NotFound("找不到该评论")
    return COMMENTS.decide(ctx, cm, action)
