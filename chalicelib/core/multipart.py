"""Resumable uploads of large files straight to S3 (files never pass through Lambda): S3 multipart uploads with
presigned UploadPart URLs.

A phone asks to `start` (the caller checks who may upload what, and caps the size): S3 CreateMultipartUpload under
`{tenant}/{folder}/`, an upload record `{t}#UPLOAD#{id}` / `UPLOAD` (owner, key, S3's upload id, size, part size,
parts; kept a day by TTL, as the bucket's lifecycle rule aborts incomplete uploads after a day) and presigned
UploadPart URLs (signed locally: no AWS call). The phone PUTs each part and keeps the ETag S3 answers. When the
signal drops, it asks for the `status`: ListParts says which parts S3 has (with their ETags and sizes), and fresh
URLs come for the missing ones only. `complete` checks the phone's list against S3's (every part there, ETags
equal, each part the declared part size but the last, the sum the declared size) before CompleteMultipartUpload;
`abort` gives up. Only the owner reaches an upload (anyone else: 404).

Generic: the video résumé (recruitment/video.py) uses it, and so can long lecture videos (part_size grows so that
a file never needs more than S3's 10,000 parts; at most URLS_PER_ANSWER URLs come at once, the rest with `status`).
"""

from __future__ import annotations

import contextlib
import math
import re
import secrets as pysecrets

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from . import clock
from .aws import client
from .config import settings
from .db import SubmissionsItem, key
from .errors import Conflict, NotFound, ValidationFailed

MIB = 1024 * 1024
MIN_PART = 5 * MIB  # S3's smallest part (all but the last)
MAX_PARTS = 10_000  # S3's most parts
URLS_PER_ANSWER = 100
URL_SECONDS = 3600
KEEP_SECONDS = 24 * 3600
UPLOAD_ID = re.compile(r"^[0-9a-f]{24}$")


class Upload(SubmissionsItem, discriminator="multipart_upload"):
    """`{t}#UPLOAD#{id}` / `UPLOAD`: a multipart upload in progress (deleted when completed or aborted; TTL a day)."""

    owner = UnicodeAttribute()
    purpose = UnicodeAttribute()  # the caller's folder: who may complete it into what
    s3_key = UnicodeAttribute()
    s3_upload_id = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    part_size = NumberAttribute()
    parts = NumberAttribute()
    meta = UnicodeAttribute(null=True)  # the caller's own JSON (e.g. the video's seconds)
    created_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, upload_id: str) -> tuple[str, str]:
        return key(tenant, "UPLOAD", upload_id), "UPLOAD"

    @property
    def id(self) -> str:
        return self.pk.rsplit("#", 1)[1]


def plan(size: int, part_size: int = MIN_PART) -> tuple[int, int]:
    """(part size, parts) for a file: at least 5 MiB a part, at most 10,000 parts."""
    part_size = max(MIN_PART, part_size, math.ceil(size / MAX_PARTS))
    return part_size, max(1, math.ceil(size / part_size))


def _url(up: Upload, number: int) -> str:
    return client("s3").generate_presigned_url(
        "upload_part", ExpiresIn=URL_SECONDS,
        Params={"Bucket": settings().media_bucket, "Key": up.s3_key, "UploadId": up.s3_upload_id,
                "PartNumber": number})


def _urls(up: Upload, numbers: list[int]) -> list[dict]:
    return [{"number": n, "url": _url(up, n)} for n in numbers[:URLS_PER_ANSWER]]


def _answer(up: Upload, done: list[dict], missing: list[int]) -> dict:
    return {"upload_id": up.id, "key": up.s3_key, "size": int(up.size), "part_size": int(up.part_size),
            "parts_count": int(up.parts), "done": done, "parts": _urls(up, missing), "missing": len(missing)}


def start(tenant: str, owner: str, folder: str, content_type: str, size: int, *, max_bytes: int, suffix: str = "",
          part_size: int = MIN_PART, meta: str | None = None) -> dict:
    """Begin an upload of `size` bytes (≤ max_bytes, the caller's cap) under `{tenant}/{folder}/`: S3
    CreateMultipartUpload and a PutItem; the answer holds the first URLS_PER_ANSWER parts' URLs."""
    if not 0 < size <= max_bytes:
        raise ValidationFailed(f"文件大小须在1字节到{max_bytes // MIB}MB之间", code="bad_size")
    part_size, parts = plan(size, part_size)
    s3_key = f"{tenant}/{folder}/{pysecrets.token_hex(16)}{suffix}"
    made = client("s3").create_multipart_upload(Bucket=settings().media_bucket, Key=s3_key, ContentType=content_type)
    up = Upload(*Upload.keys(tenant, pysecrets.token_hex(12)), owner=owner, purpose=folder, s3_key=s3_key,
                s3_upload_id=made["UploadId"], content_type=content_type, size=size, part_size=part_size,
                parts=parts, meta=meta, created_at=clock.iso(), expires=clock.epoch() + KEEP_SECONDS)
    try:
        up.save(condition=Upload.pk.does_not_exist())
    except Exception:  # nothing left behind: the S3 upload goes too (a retry starts afresh)
        with contextlib.suppress(Exception):
            client("s3").abort_multipart_upload(Bucket=settings().media_bucket, Key=s3_key,
                                                UploadId=made["UploadId"])
        raise
    return _answer(up, [], list(range(1, parts + 1)))


def load(tenant: str, upload_id: str, owner: str, folder: str) -> Upload:
    """The owner's upload for this purpose (anything else, or an expired one, is 404)."""
    if not UPLOAD_ID.match(upload_id or ""):
        raise NotFound("找不到该上传")
    try:
        up = Upload.get(*Upload.keys(tenant, upload_id), consistent_read=True)
    except Upload.DoesNotExist:
        raise NotFound("找不到该上传") from None
    if up.owner != owner or up.purpose != folder or (up.expires or 0) < clock.epoch():
        raise NotFound("找不到该上传")
    return up


def _listed(up: Upload) -> dict[int, dict]:
    """The parts S3 holds: ListParts (1,000 a page: one call for anything up to 5 GB with 5 MiB parts)."""
    s3 = client("s3")
    got: dict[int, dict] = {}
    kwargs = {"Bucket": settings().media_bucket, "Key": up.s3_key, "UploadId": up.s3_upload_id, "MaxParts": 1000}
    try:
        while True:
            page = s3.list_parts(**kwargs)
            for p in page.get("Parts", []):
                got[int(p["PartNumber"])] = {"number": int(p["PartNumber"]), "etag": p["ETag"],
                                             "size": int(p["Size"])}
            if not page.get("IsTruncated"):
                return got
            kwargs["PartNumberMarker"] = page["NextPartNumberMarker"]
    except s3.exceptions.ClientError as e:
        if _gone(e):
            raise NotFound("上传已失效，请重新上传", code="upload_gone") from None
        raise


def _gone(e) -> bool:
    """S3 no longer knows the upload (completed or aborted): NoSuchUpload; inside a county's tenant fence possibly
    a 403 (core/files.py `_absent`: S3 answers "not there" as 403 to a session that may not list the bucket)."""
    from .files import _absent

    return e.response.get("Error", {}).get("Code") == "NoSuchUpload" or _absent(e)


def _expected(up: Upload, number: int) -> int:
    n, ps = int(up.parts), int(up.part_size)
    return ps if number < n else int(up.size) - ps * (n - 1)


def status(up: Upload) -> dict:
    """What S3 has (number, ETag, size) and fresh URLs for what it has not (or has at a wrong size)."""
    listed = _listed(up)
    done = [p for n, p in sorted(listed.items()) if p["size"] == _expected(up, n)]
    have = {p["number"] for p in done}
    return _answer(up, done, [n for n in range(1, int(up.parts) + 1) if n not in have])


def _etag(e: str) -> str:
    return e.strip().strip('"')


def _completed_before(up: Upload) -> bool:
    """S3 no longer knows the upload: was it completed by an earlier attempt whose record could not be updated
    (the object is there at the declared size)?"""
    from . import files

    return files.size(up.s3_key) == int(up.size)


def complete(up: Upload, parts: list[dict], forget: bool = True) -> dict:
    """Finish the upload once every part is there at its size, with the ETags the phone was given: S3
    CompleteMultipartUpload, then (forget) the record deleted (conditionally: a second completion is a 409). A
    caller that records the file in its own item passes forget=False and deletes the record in the same
    transaction (`forget_in`); if that transaction fails, a retry finds the object completed and goes on. Returns
    {key, size, content_type, meta}."""
    numbers = [int(p["number"]) for p in parts]
    if numbers != list(range(1, int(up.parts) + 1)):
        raise ValidationFailed(f"须提交全部{int(up.parts)}个分片，按序号排列", code="parts_incomplete")
    out = {"key": up.s3_key, "size": int(up.size), "content_type": up.content_type, "meta": up.meta}
    try:
        listed = _listed(up)
    except NotFound:
        if _completed_before(up):
            if forget:
                _forget(up)
            return out
        raise
    for p in parts:
        s3_part = listed.get(int(p["number"]))
        if s3_part is None:
            raise ValidationFailed(f"第{p['number']}个分片尚未上传", code="parts_incomplete")
        if _etag(s3_part["etag"]) != _etag(p["etag"]):
            raise ValidationFailed(f"第{p['number']}个分片校验值不符，请重新上传该分片", code="part_mismatch")
        if s3_part["size"] != _expected(up, s3_part["number"]):
            raise ValidationFailed(f"第{p['number']}个分片大小不符，请重新上传该分片", code="part_mismatch")
    s3 = client("s3")
    try:
        s3.complete_multipart_upload(
            Bucket=settings().media_bucket, Key=up.s3_key, UploadId=up.s3_upload_id,
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": listed[n]["etag"]} for n in numbers]})
    except s3.exceptions.ClientError as e:
        if not _gone(e):
            raise
        if not _completed_before(up):
            raise NotFound("上传已失效，请重新上传", code="upload_gone") from None
    if forget:
        _forget(up)
    return out


def _forget(up: Upload) -> None:
    from pynamodb.exceptions import DeleteError

    try:
        up.delete(condition=Upload.pk.exists())
    except DeleteError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("该上传已完成", code="upload_done") from e
        raise


def forget_in(tx, up: Upload) -> None:
    """Delete the completed upload's record in the caller's TransactWrite (cancelled if it is already gone)."""
    tx.delete(up, condition=Upload.pk.exists())


def abort(up: Upload) -> None:
    """Give up: S3 AbortMultipartUpload (the parts are freed) and the record deleted."""
    s3 = client("s3")
    try:
        s3.abort_multipart_upload(Bucket=settings().media_bucket, Key=up.s3_key, UploadId=up.s3_upload_id)
    except s3.exceptions.ClientError as e:
        if not _gone(e):
            raise
    up.delete()


def delete_object(s3_key: str) -> None:
    """Remove a completed file (a replaced or deleted video)."""
    client("s3").delete_object(Bucket=settings().media_bucket, Key=s3_key)
