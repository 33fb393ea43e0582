"""The cells' directory: county code → its cell, one JSON object per stage and partition (docs/deploy.md, "Cells").

`directory.json` in the DirectoryStack's private bucket (infra/cqt_infra/directory.py), served by its distribution:

    {"counties": {"330825": {"cell": "prod-cn-north-1", "region": "cn-north-1", "partition": "aws-cn",
                             "web": "https://cqt.example.cn", "api": "https://cqt.example.cn/api", "name": "龙游县"}}}

Written by scripts/onboard_county.py only (and devstack for the local demo county): read, change one entry, write back
conditionally on the ETag read (If-Match; If-None-Match for the first write), so two operators onboarding at once
cannot lose each other's entry (the loser retries). It holds no personal data.
"""

from __future__ import annotations

import json

KEY = "directory.json"
# Mainland personal data stays in mainland regions (PIPL art. 38-40): a county outside Hong Kong (81), Macao (82)
# and Taiwan (71) is listed only in the aws-cn directory, in a China cell.
NON_MAINLAND = ("71", "81", "82")


class DirectoryConflict(Exception):
    """Someone else wrote the directory between our read and our write."""


def mainland(code: str) -> bool:
    return not code.startswith(NON_MAINLAND)


def entry(cell: str, region: str, web_url: str, name: str) -> dict:
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    return {"cell": cell, "region": region, "partition": partition, "web": web_url, "api": f"{web_url}/api",
            "name": name}


def read(s3, bucket: str) -> tuple[dict[str, dict], str | None]:
    """The entries and the object's ETag (None: no directory yet)."""
    try:
        obj = s3.get_object(Bucket=bucket, Key=KEY)
    except s3.exceptions.NoSuchKey:
        return {}, None
    return json.loads(obj["Body"].read())["counties"], obj["ETag"]


def put(s3, bucket: str, code: str, new: dict) -> bool:
    """Write the county's entry; False when it is already that (nothing written)."""
    if new["partition"] == "aws" and mainland(code):
        raise ValueError(f"county {code} is on the mainland: its cell and directory are in AWS China (aws-cn)")
    counties, etag = read(s3, bucket)
    if counties.get(code) == new:
        return False
    counties[code] = new
    body = json.dumps({"counties": dict(sorted(counties.items()))}, ensure_ascii=False, indent=1).encode()
    condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
    try:
        s3.put_object(Bucket=bucket, Key=KEY, Body=body, ContentType="application/json; charset=utf-8",
                      CacheControl="max-age=300", **condition)
    except s3.exceptions.ClientError as e:
        if e.response["Error"]["Code"] in ("PreconditionFailed", "ConditionalRequestConflict"):
            raise DirectoryConflict(f"{KEY} changed while county {code} was being written: run again") from e
        raise
    return True


def lookup(s3, bucket: str, code: str) -> dict | None:
    return read(s3, bucket)[0].get(code)
