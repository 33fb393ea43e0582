"""S3: files never pass through Lambda. Presigned POSTs with size and type conditions; keys under `{tenant}/`."""

from __future__ import annotations

import uuid

from .aws import client
from .config import settings


def presigned_upload(tenant: str, folder: str, suffix: str, content_type: str, max_bytes: int,
                     expires: int = 600, name: str | None = None) -> dict:
    key = f"{tenant}/{folder}/{name or uuid.uuid4().hex}{suffix}"
    post = client("s3").generate_presigned_post(
        Bucket=settings().media_bucket, Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires)
    return {"key": key, "url": post["url"], "fields": post["fields"], "max_bytes": max_bytes}


def read(key: str, max_bytes: int) -> bytes | None:
    """The object's bytes, or None if it does not exist. Objects larger than max_bytes are refused by the caller."""
    s3 = client("s3")
    try:
        head = s3.head_object(Bucket=settings().media_bucket, Key=key)
    except s3.exceptions.ClientError as e:
        if _absent(e):
            return None
        raise
    if head["ContentLength"] > max_bytes:
        raise ValueError("too large")
    return s3.get_object(Bucket=settings().media_bucket, Key=key)["Body"].read()


def read_text(key: str, max_bytes: int) -> str | None:
    """A small UTF-8 object (a playlist), or None if it does not exist: one GetObject, its length checked before the
    body is read (larger than max_bytes: ValueError)."""
    s3 = client("s3")
    try:
        got = s3.get_object(Bucket=settings().media_bucket, Key=key)
    except s3.exceptions.ClientError as e:
        if _absent(e):
            return None
        raise
    if got["ContentLength"] > max_bytes:
        got["Body"].close()
        raise ValueError("too large")
    return got["Body"].read().decode("utf-8")


def delete_prefix(prefix: str) -> int:
    """Delete every object under `prefix` (a folder of renditions): one ListObjectsV2 and one DeleteObjects per
    1,000 objects. Returns how many were deleted."""
    s3, bucket, n = client("s3"), settings().media_bucket, 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if keys:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
            n += len(keys)
    return n


def size(key: str) -> int | None:
    """The object's size in bytes, or None if it does not exist (one HeadObject)."""
    s3 = client("s3")
    try:
        return int(s3.head_object(Bucket=settings().media_bucket, Key=key)["ContentLength"])
    except s3.exceptions.ClientError as e:
        if _absent(e):
            return None
        raise


def _absent(e) -> bool:
    """A HeadObject's "not there": 404; or, inside a county's tenant fence (core.fence), 403, since its session may
    list only the county's prefix and S3 answers a missing object 404 only to one that may list the bucket (an
    object of another county is "not there" for the county either)."""
    from . import fence

    code = e.response.get("Error", {}).get("Code")
    return code in ("404", "NoSuchKey", "NotFound") or (code in ("403", "AccessDenied")
                                                        and fence.current() is not None)


def download_url(key: str, expires: int = 900) -> str:
    """A presigned GET for one object (signed locally: no AWS call)."""
    return client("s3").generate_presigned_url("get_object", Params={"Bucket": settings().media_bucket, "Key": key},
                                               ExpiresIn=expires)
