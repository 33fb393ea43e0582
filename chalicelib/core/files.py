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
