"""Video résumés: one per person, recorded on the phone (≤ 2 minutes), uploaded to S3 in parts (core/multipart.py).

`{t}#RVIDEO#{uid}` / `VIDEO` holds the object's key, its length in seconds, its content type and when it was
uploaded; a new upload replaces it (the old object is deleted). Employers see applicants' videos through
`summaries` (one BatchGetItem for a page of applicants)."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import Field
from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from ..core import clock, files
from ..core.db import SubmissionsItem, key
from ..core.errors import Conflict, NotFound
from ..core.schemas import Out, Strict
from ..core.tenancy import TenantContext
from ..core.upload_schemas import PartIn

FOLDER = "rvideo"
CONTENT_TYPES = {"video/webm": ".webm", "video/mp4": ".mp4"}
MAX_BYTES = 60 * 1024 * 1024
MAX_SECONDS = 120


class Video(SubmissionsItem, discriminator="recruitment_video"):
    """`{t}#RVIDEO#{uid}` / `VIDEO`: a person's video résumé (the S3 object under `{t}/rvideo/`)."""

    uid = UnicodeAttribute()
    s3_key = UnicodeAttribute()
    seconds = NumberAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    uploaded_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, uid: str) -> tuple[str, str]:
        return key(tenant, "RVIDEO", uid), "VIDEO"


def summary(v: Video) -> dict:
    return {"url": files.download_url(v.s3_key), "seconds": int(v.seconds), "uploaded_at": v.uploaded_at}


def summaries(tenant: str, uids: list[str]) -> dict[str, dict]:
    """Each person's video résumé, if they have one: {uid: {url (presigned GET, 15 minutes), seconds,
    uploaded_at}} in one BatchGetItem per 100 people (PynamoDB splits larger lists)."""
    wanted = list(dict.fromkeys(u for u in uids if u))
    if not wanted:
        return {}
    return {v.uid: summary(v) for v in Video.batch_get([Video.keys(tenant, u) for u in wanted])}


# --- the résumé's own routes (video_api.py) --------------------------------------------------------------------

class UploadIn(Strict):
    content_type: Literal["video/webm", "video/mp4"] = Field(description="what MediaRecorder recorded")
    size: int = Field(ge=1, le=MAX_BYTES, description="bytes (≤ 60 MB)")
    seconds: int = Field(ge=1, le=MAX_SECONDS, description="the recording's length (≤ 120 s, stopped by the phone)")


class CompleteIn(Strict):
    parts: list[PartIn] = Field(min_length=1, max_length=100)


class VideoOut(Out):
    url: str = Field(description="presigned GET, 15 minutes")
    seconds: int
    content_type: str
    size: int
    uploaded_at: str


class MineOut(Out):
    video: VideoOut | None


def _out(v: Video) -> dict:
    return {**summary(v), "content_type": v.content_type, "size": int(v.size)}


def _upload(answer: dict) -> dict:
    return {k: answer[k] for k in ("upload_id", "size", "part_size", "parts_count", "done", "parts", "missing")}


def start(ctx: TenantContext, body: UploadIn) -> dict:
    """Begin a video résumé's upload (S3 multipart under `{t}/rvideo/`): the parts' URLs."""
    from ..core import multipart

    tenant = ctx.require_tenant()
    return _upload(multipart.start(tenant, ctx.user_id, FOLDER, body.content_type, body.size, max_bytes=MAX_BYTES,
                                   suffix=CONTENT_TYPES[body.content_type], meta=json.dumps({"seconds": body.seconds})))


def upload_status(ctx: TenantContext, upload_id: str) -> dict:
    from ..core import multipart

    tenant = ctx.require_tenant()
    return _upload(multipart.status(multipart.load(tenant, upload_id, ctx.user_id, FOLDER)))


def abort(ctx: TenantContext, upload_id: str) -> None:
    from ..core import multipart

    tenant = ctx.require_tenant()
    multipart.abort(multipart.load(tenant, upload_id, ctx.user_id, FOLDER))


def complete(ctx: TenantContext, upload_id: str, body: CompleteIn) -> dict:
    """Finish the upload and make it the person's video résumé, replacing the older one (conditional on the one
    read: two completions at once give one 409, never a lost file); the older object is deleted."""
    from ..core import multipart

    tenant = ctx.require_tenant()
    up = multipart.load(tenant, upload_id, ctx.user_id, FOLDER)
    done = multipart.complete(up, [p.model_dump() for p in body.parts], forget=False)
    try:
        old = Video.get(*Video.keys(tenant, ctx.user_id), consistent_read=True)
    except Video.DoesNotExist:
        old = None
    v = Video(*Video.keys(tenant, ctx.user_id), uid=ctx.user_id, s3_key=done["key"],
              seconds=json.loads(done["meta"] or "{}").get("seconds", 0), content_type=done["content_type"],
              size=done["size"], uploaded_at=clock.iso())
    _replace(v, old, up)
    return _out(v)


def _replace(v: Video, old: Video | None, up) -> None:
    """One TransactWrite: the video (conditional on the one read) and the upload's record deleted. A failure leaves
    both as they were (the completed object waits for the retry); a lost race is a 409 and its object deleted."""
    from pynamodb.exceptions import TransactWriteError

    from ..core import multipart
    from ..core.db import cancellation_codes, transact

    try:
        with transact() as tx:
            tx.save(v, condition=Video.pk.does_not_exist() if old is None else Video.s3_key == old.s3_key)
            multipart.forget_in(tx, up)
    except TransactWriteError as e:
        codes = cancellation_codes(e)
        if codes and codes[0] == "ConditionalCheckFailed":
            multipart.delete_object(v.s3_key)
            raise Conflict("视频简历刚被更新，请刷新后重试", code="version_conflict") from e
        if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
            raise Conflict("该上传已完成", code="upload_done") from e
        raise
    if old is not None and old.s3_key != v.s3_key:
        multipart.delete_object(old.s3_key)


def mine(ctx: TenantContext) -> dict:
    tenant = ctx.require_tenant()
    try:
        return {"video": _out(Video.get(*Video.keys(tenant, ctx.user_id)))}
    except Video.DoesNotExist:
        return {"video": None}


def delete(ctx: TenantContext) -> None:
    """Remove my video résumé (the item, then the object)."""
    from pynamodb.exceptions import DeleteError

    from ..core import multipart

    tenant = ctx.require_tenant()
    try:
        old = Video.get(*Video.keys(tenant, ctx.user_id), consistent_read=True)
    except Video.DoesNotExist:
        raise NotFound("还没有视频简历") from None
    try:
        old.delete(condition=Video.s3_key == old.s3_key)
    except DeleteError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("视频简历刚被更新，请刷新后重试", code="version_conflict") from e
        raise
    multipart.delete_object(old.s3_key)
