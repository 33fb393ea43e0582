"""The county's data export (PIPL portability), a job (`county_export`, submitted by POST /datarights/exports).

How a county's items are found without a Scan on a request path: this job runs a **segmented parallel Scan** of
both tables filtered on `begins_with(pk, "{county}#")` (every key starts with the tenant: core.db.key). The filter
is applied after the read, so an export reads the whole tables: its cost is the tables' size, not the county's
(docs/operations.md, "Exporting a county's data": a Longyou-sized county on a table of several counties). It is
rare (a county's admin asks; at most 3 a day, one at a time) and never on a request path. Every item is checked
again in Python against the county's prefix before it is written: no other county's item can enter the zip
(tests/functional/test_datarights.py exports one of two counties).

The zip: `households/{kind}.jsonl` and `submissions/{kind}.jsonl` (one JSON object a line, personal data
decrypted: an `x_enc` attribute becomes `x`; blind indexes, sign-in codes, refresh tokens, rate windows and key
material are left out), `数据.xlsx` (one sheet per kind, up to Excel's row limit), `media.csv` (the county's files
in the media bucket: key, size, date — the files themselves stay in the bucket) and `说明.txt`. Written to the
media bucket under `{county}/exports/county/{id}.zip` (private, the bucket's SSE-KMS), handed out as a presigned
link of 5 minutes (GET /datarights/exports/{id}, audited).

Idempotent: a done or failed export is left as it is; a duplicate delivery while one runs finds it claimed (a
claim older than the worker's timeout is taken over: its run died).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from pynamodb.exceptions import UpdateError

from ..core import clock, jobs, pii
from ..core.aws import client
from ..core.config import settings
from ..core.observability import logger
from .models import CountyExport

SEGMENTS = 4  # parallel Scan segments per table (threads of the one invocation)
CLAIM_SECONDS = 15 * 60  # the worker's timeout: a running claim older than this died
EXCLUDED_KINDS = frozenset({"otp", "rate", "refresh", "datakey", "bidxkey", "multipart_upload"})
EXCEL_ROWS = 1_048_000
README = """村情通 全县数据导出

households/ 与 submissions/ 目录：按数据类型分文件，每行一条 JSON 记录；个人信息已解密（字段名去掉 _enc 后缀）。
数据.xlsx：每种数据一张工作表（超过 Excel 行数上限的只在 JSON 中完整提供）。
media.csv：本县在文件存储中的照片、材料等文件清单（路径、大小、时间），文件本身仍保存在平台中。
本导出包含个人信息，请按《个人信息保护法》妥善保管，用后删除。
"""


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return value.hex()
    return value


def _record(tenant: str, raw: dict, stats: dict) -> dict:
    from boto3.dynamodb.types import TypeDeserializer

    de = TypeDeserializer()
    out = {}
    for name, v in raw.items():
        if "bidx" in name:
            continue  # keyed hashes for lookups: meaningless outside
        value = _plain(de.deserialize(v))
        if name.endswith("_enc") and isinstance(value, str):
            try:
                out[name[:-4]] = pii.decrypt(tenant, value)
            except Exception:  # noqa: BLE001 - counted and said in the item counts; the export goes on
                stats["undecryptable"] = stats.get("undecryptable", 0) + 1
                out[name[:-4]] = None
            continue
        out[name] = value
    return out


def _scan_segment(tenant: str, table: str, seg: int, folder: str) -> dict[str, int]:
    """One segment of a table's Scan filtered to the county; its items appended to `{folder}/{kind}.{seg}.jsonl`."""
    prefix = f"{tenant}#"
    ddb = client("dynamodb")
    kwargs = {"TableName": table, "Segment": seg, "TotalSegments": SEGMENTS,
              "FilterExpression": "begins_with(pk, :p)", "ExpressionAttributeValues": {":p": {"S": prefix}}}
    counts: dict[str, int] = {}
    handles = {}
    try:
        while True:
            res = ddb.scan(**kwargs)
            for raw in res.get("Items", []):
                if not raw.get("pk", {}).get("S", "").startswith(prefix):
                    continue  # never (the filter), and never into the zip
                kind = raw.get("kind", {}).get("S") or "unknown"
                if kind in EXCLUDED_KINDS:
                    continue
                f = handles.get(kind)
                if f is None:
                    f = handles[kind] = open(os.path.join(folder, f"{kind}.{seg}.jsonl"), "a", encoding="utf-8")  # noqa: SIM115
                f.write(json.dumps(_record(tenant, raw, counts), ensure_ascii=False, default=str) + "\n")
                counts[kind] = counts.get(kind, 0) + 1
            if "LastEvaluatedKey" not in res:
                return counts
            kwargs["ExclusiveStartKey"] = res["LastEvaluatedKey"]
    finally:
        for f in handles.values():
            f.close()


def _progress(tenant: str, eid: str, pct: int) -> None:
    CountyExport._get_connection().update_item(*CountyExport.keys(tenant, eid),
                                               actions=[CountyExport.progress.set(pct)])


def _claim(tenant: str, eid: str, now: dt.datetime) -> bool:
    item = CountyExport(*CountyExport.keys(tenant, eid))
    stale = clock.iso(now - dt.timedelta(seconds=CLAIM_SECONDS))
    try:
        item.update(actions=[CountyExport.status.set("running"), CountyExport.started_at.set(clock.iso(now)),
                             CountyExport.progress.set(1)],
                    condition=(CountyExport.status == "queued") | (
                        (CountyExport.status == "running") & (CountyExport.started_at < stale)))
        return True
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise


def _media(tenant: str, out) -> int:
    s3 = client("s3")
    w = csv.writer(out)
    w.writerow(["key", "size_bytes", "last_modified"])
    n = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=settings().media_bucket, Prefix=f"{tenant}/"):
        for o in page.get("Contents", []):
            if o["Key"].startswith(f"{tenant}/exports/"):
                continue
            w.writerow([o["Key"], o["Size"], o["LastModified"].isoformat()])
            n += 1
    return n


def _workbook(path: str, kinds: list[tuple[str, str, list[str]]]) -> None:
    """One sheet per kind (write-only: rows stream to the file), columns the union of its items' attributes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    used = set()
    for _table, kind, parts in kinds:
        cols: dict[str, None] = {}
        for p in parts:
            with open(p, encoding="utf-8") as f:
                for line in f:
                    cols.update(dict.fromkeys(json.loads(line)))
        title = kind[:28]
        while title in used:
            title = title[:26] + f"_{len(used) % 100}"
        used.add(title)
        ws = wb.create_sheet(title)
        header = sorted(cols)
        ws.append(header)
        rows = 0
        for p in parts:
            with open(p, encoding="utf-8") as f:
                for line in f:
                    if rows >= EXCEL_ROWS:
                        break
                    rec = json.loads(line)
                    ws.append([v if v is None or isinstance(v, int | float | str | bool) else
                               json.dumps(v, ensure_ascii=False) for v in (rec.get(c) for c in header)])
                    rows += 1
    wb.save(path)


def build(tenant: str, eid: str, workdir: str) -> tuple[str, dict]:
    """Scan both tables in parallel segments into JSON-lines files, then zip them with the workbook and media list."""
    s = settings()
    tables = (("households", s.households_table), ("submissions", s.submissions_table))
    counts: dict = {}
    for n, (name, table) in enumerate(tables):
        folder = os.path.join(workdir, name)
        os.makedirs(folder, exist_ok=True)
        with ThreadPoolExecutor(SEGMENTS) as ex:
            per_seg = list(ex.map(lambda seg, t=table, f=folder: _scan_segment(tenant, t, seg, f), range(SEGMENTS)))
        merged: dict[str, int] = {}
        for c in per_seg:
            for k, v in c.items():
                merged[k] = merged.get(k, 0) + v
        counts[name] = merged
        _progress(tenant, eid, 10 + 35 * (n + 1))
    kinds = []
    for name, _ in tables:
        folder = os.path.join(workdir, name)
        by_kind: dict[str, list[str]] = {}
        for fn in sorted(os.listdir(folder)):
            by_kind.setdefault(fn.split(".")[0], []).append(os.path.join(folder, fn))
        kinds += [(name, k, parts) for k, parts in sorted(by_kind.items())]
    book = os.path.join(workdir, "book.xlsx")
    _workbook(book, kinds)
    _progress(tenant, eid, 90)
    media = io.StringIO()
    counts["media"] = _media(tenant, media)
    path = os.path.join(workdir, "export.zip")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("说明.txt", README)
        for name, kind, parts in kinds:
            with z.open(f"{name}/{kind}.jsonl", "w") as out:
                for p in parts:
                    with open(p, "rb") as f:
                        while chunk := f.read(1 << 20):
                            out.write(chunk)
        z.write(book, "数据.xlsx")
        z.writestr("media.csv", media.getvalue())
    return path, counts


PART_BYTES = 64 * 1024 * 1024


def _upload(path: str, key: str) -> None:
    """The zip to the media bucket: one PutObject, or a multipart upload of 64 MB parts for a large county."""
    s3, bucket = client("s3"), settings().media_bucket
    if os.path.getsize(path) <= PART_BYTES:
        with open(path, "rb") as f:
            s3.put_object(Bucket=bucket, Key=key, Body=f.read(), ContentType="application/zip")
        return
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/zip")["UploadId"]
    try:
        parts = []
        with open(path, "rb") as f:
            while chunk := f.read(PART_BYTES):
                n = len(parts) + 1
                etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=up, PartNumber=n, Body=chunk)["ETag"]
                parts.append({"PartNumber": n, "ETag": etag})
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up, MultipartUpload={"Parts": parts})
    except Exception:
        s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up)
        raise


@jobs.job("county_export", module=None)
def run(county: str, eid: str, at: dt.datetime) -> str:
    try:
        item = CountyExport.get(*CountyExport.keys(county, eid), consistent_read=True)
    except CountyExport.DoesNotExist:
        return "missing"
    if item.status in ("done", "failed"):
        return item.status  # a duplicate delivery: done before
    if not _claim(county, eid, clock.now()):
        return "running"  # another delivery has it
    key = f"{county}/exports/county/{eid}.zip"
    try:
        with tempfile.TemporaryDirectory() as workdir:
            path, counts = build(county, eid, workdir)
            size = os.path.getsize(path)
            _upload(path, key)
    except Exception as e:  # noqa: BLE001 - the export says it failed; the job itself is done (no retry storm)
        logger.exception("county export failed", extra={"county": county, "export": eid})
        item.update(actions=[CountyExport.status.set("failed"), CountyExport.finished_at.set(clock.iso()),
                             CountyExport.message.set(f"导出失败（{type(e).__name__}），请重新申请")])
        return "failed"
    item.update(actions=[CountyExport.status.set("done"), CountyExport.progress.set(100),
                         CountyExport.finished_at.set(clock.iso()), CountyExport.s3_key.set(key),
                         CountyExport.size_bytes.set(size),
                         CountyExport.counts.set(json.dumps(counts, ensure_ascii=False, sort_keys=True))])
    return "done"
