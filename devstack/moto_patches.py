"""Local-runner fixes for moto's DynamoDB (development and tests only; nothing here ships).

moto rolls a failed TransactWriteItems back by deep-copying every table the transaction touches, once per
transaction item, which makes each transaction cost O(items x table size): seeding a county slows to a crawl.
Here the backup is taken of the touched items only, and restored if the transaction fails.
"""

from __future__ import annotations

import copy as _copy
import threading
import types

_applied = False


def fast_transactions() -> None:
    global _applied
    if _applied:
        return
    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    def deepcopy(obj, memo=None):
        if isinstance(obj, Table):
            return obj  # the touched items are backed up by the wrapper below instead
        return _copy.deepcopy(obj, memo)

    models.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=_copy.copy)
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backup = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            attrs = op.get("Key") or op.get("Item") or {}
            if table.hash_key_attr not in attrs:
                continue
            h = DynamoType(attrs[table.hash_key_attr])
            r = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr in attrs else None
            old = table.items.get(h, {}).get(r) if table.range_key_attr else table.items.get(h)
            backup.append((table, h, r, _copy.deepcopy(old)))
        try:
            return original(self, transact_items)
        except Exception:
            for table, h, r, old in reversed(backup):
                if table.range_key_attr:
                    if old is None:
                        table.items.get(h, {}).pop(r, None)
                    else:
                        table.items[h][r] = old
                elif old is None:
                    table.items.pop(h, None)
                else:
                    table.items[h] = old
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items
    atomic_writes()
    fast_queries()
    _applied = True


_write_lock = threading.RLock()


def atomic_writes() -> None:
    """DynamoDB applies a conditional write atomically: the condition is checked against the item as it is when the
    write lands. moto checks, then writes, with nothing in between to stop another request thread of its threaded
    server doing the same: two concurrent PutItems conditional on one version could both succeed (a lost update the
    real service never allows; tests/reliability/test_concurrency.py caught it). Writes are made one at a time."""
    import moto.dynamodb.models as models

    for name in ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item"):
        original = getattr(models.DynamoDBBackend, name)

        def locked(self, *args, _original=original, **kwargs):
            with _write_lock:
                return _original(self, *args, **kwargs)

        setattr(models.DynamoDBBackend, name, locked)


_scope = threading.local()


def fast_queries() -> None:
    """moto answers every Query by sorting the whole table (`Table.all_items`) and then filtering it, so one Query
    costs O(table · log table) DynamoType comparisons: ~60 ms at 3,000 items, growing with every test's data. A
    Query on the table's own key needs only its partition (`Table.items[hash]`); a Query on an index filters and
    sorts its candidates itself, so the table need not be sorted first. Same results, in the same order."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_cqt_fast_queries", False):
        return
    all_items, query = Table.all_items, Table.query

    def scoped_all_items(self):
        scope = getattr(_scope, "query", None)
        if scope is None or scope[0] is not self or not self.range_key_attr or scope[1] is None:
            return all_items(self)
        _, hash_key, index_name = scope
        if index_name is None:
            return list((self.items.get(hash_key) or {}).values())
        return [item for bucket in self.items.values() for item in bucket.values()]

    def scoped_query(self, hash_key, *args, **kwargs):
        # moto's backend passes index_name as the 8th positional argument (after projection_expressions)
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        _scope.query = (self, hash_key, index_name)
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _scope.query = None

    Table.all_items = scoped_all_items
    Table.query = scoped_query
    Table._cqt_fast_queries = True


REPLAYING = threading.Event()  # set while devstack/aws.py replays the recording into a fresh server
RECORDED_AT = "X-Cqt-Recorded-At"  # header the recorder adds to each entry: when the request first arrived

# Calls that change nothing a restart must bring back (the stream runner's iterators start afresh after one).
_READS = frozenset({
    "DynamoDB_20120810." + op for op in ("GetItem", "BatchGetItem", "Query", "Scan", "DescribeTable", "ListTables",
                                          "DescribeTimeToLive", "DescribeContinuousBackups", "ListTagsOfResource")
} | {"DynamoDBStreams_20120810." + op for op in ("DescribeStream", "GetShardIterator", "GetRecords", "ListStreams")}
  | {"TrentService." + op for op in ("Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext",
                                      "DescribeKey", "ListKeys", "ListAliases", "GenerateRandom")}
  | {"secretsmanager." + op for op in ("GetSecretValue", "DescribeSecret", "ListSecrets")}
  # The jobs queue's traffic (core/jobs.py): messages live minutes and the next tick sends them again, so a restart
  # need not bring them back, and replaying deletes with receipt handles moto drew anew would leave them all
  # behind (the queues themselves are created at every start: devstack/provision.py).
  | {"AmazonSQS." + op for op in ("SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage",
                                   "DeleteMessageBatch", "ChangeMessageVisibility", "GetQueueUrl",
                                   "GetQueueAttributes")})


def read_only(method: str, headers) -> bool:
    """A request that changes no state: not worth recording or replaying. Reads were most of moto's recording and
    most of a restart's time (a Query replays as slowly as it first ran), and replayed stream reads fail noisily
    (their shard iterators are gone)."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return True
    target = next((v for k, v in headers.items() if k.lower() == "x-amz-target"), "")
    return target in _READS


def s3_post_policy() -> None:
    """moto accepts any browser-form upload; real S3 checks the form's signature and its signed policy. Check what
    S3 checks, with S3's answers, so local tests see S3's refusals:

    - the signature (SigV4 of the policy with the local secret): a policy the client wrote itself is refused;
    - expiry: against the time the request arrived (during a replay, the time recorded with it, so that an upload
      accepted before a restart is accepted again and a refused one stays refused);
    - content-length-range on the file's size (EntityTooLarge / EntityTooSmall, 400);
    - exact-match ({"field": value} and ["eq", ...]) and starts-with conditions, bucket included;
    - every form field must be named by a condition (S3's "Extra input fields").
    """
    import base64
    import datetime as dt
    import hashlib
    import hmac
    import json
    import os

    from moto.s3.responses import S3Response

    if getattr(S3Response, "_cqt_policy", False):
        return
    original = S3Response._bucket_response_post
    exempt = {"policy", "x-amz-signature", "file"}

    def refuse(code: str, message: str):
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return 400 if code.startswith("Entity") else 403, {"Content-Type": "application/xml"}, body

    def signature(policy: str, credential: str) -> str:
        _, date, region, service, _ = credential.split("/")
        key = ("AWS4" + os.environ.get("AWS_SECRET_ACCESS_KEY", "local")).encode()
        for part in (date, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        return hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()

    def arrived(request) -> dt.datetime:
        recorded = request.headers.get(RECORDED_AT) if REPLAYING.is_set() else None
        return dt.datetime.fromtimestamp(float(recorded), dt.UTC) if recorded else dt.datetime.now(dt.UTC)

    def checked(self, request, bucket_name):
        form = {k.lower(): v for k, v in self.form_data.items()}
        policy = form.get("policy")
        if not policy or "key" not in form:
            return original(self, request, bucket_name)
        credential = form.get("x-amz-credential", "")
        if credential.count("/") != 4 or not hmac.compare_digest(form.get("x-amz-signature", ""),
                                                                  signature(policy, credential)):
            return refuse("SignatureDoesNotMatch", "The request signature we calculated does not match the "
                                                   "signature you provided. Check your key and signing method.")
        doc = json.loads(base64.b64decode(policy))
        expires = dt.datetime.fromisoformat(doc["expiration"].replace("Z", "+00:00"))
        if expires < arrived(request):
            return refuse("AccessDenied", "Invalid according to Policy: Policy expired.")
        body = self.body or b""
        size = len(body.encode() if isinstance(body, str) else body)
        values = {**form, "bucket": bucket_name}
        named = set()
        for cond in doc.get("conditions", []):
            if isinstance(cond, dict):
                cond = ["eq", *next(iter(cond.items()))]
                cond[1] = "$" + cond[1]
            op = str(cond[0]).lower()
            if op == "content-length-range":
                if size > int(cond[2]):
                    return refuse("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
                if size < int(cond[1]):
                    return refuse("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
                continue
            field = str(cond[1]).lstrip("$").lower()
            named.add(field)
            got = values.get(field)
            ok = got == cond[2] if op == "eq" else op == "starts-with" and (got or "").startswith(cond[2])
            if not ok:
                return refuse("AccessDenied", f"Invalid according to Policy: Policy Condition failed: "
                                              f"[\"{op}\", \"${cond[1].lstrip('$')}\", \"{cond[2]}\"]")
        extra = sorted(f for f in form if f not in named and f not in exempt and not f.startswith("x-ignore-"))
        if extra:
            return refuse("AccessDenied", f"Invalid according to Policy: Extra input fields: {extra[0]}")
        return original(self, request, bucket_name)

    S3Response._bucket_response_post = checked
    S3Response._cqt_policy = True


def durable_recorder() -> None:
    """moto's recorder appends each request to the recording before the server handles it, but writes each entry
    with two buffered writes to a file it opens per request: under concurrent requests (the API, the event runner
    and browser uploads all reach the embedded AWS at once) an entry larger than the buffer can interleave with
    another one, and the recording no longer replays. Here each entry is one `os.write` of the whole line to an
    O_APPEND descriptor, so entries never interleave and a `kill -9` can tear at most the last line (which the
    replay drops). The write reaches the kernel before the request is handled, so it survives the process being
    killed; it is not fsynced (a power cut may lose the last moments of local data, which is acceptable for a
    development stack and keeps each request free of a disk flush). Each entry also carries the time the request
    arrived (RECORDED_AT), for checks that depend on time to decide a replayed request as they decided it first.
    Requests that change nothing (`read_only`) are not recorded."""
    import base64
    import io
    import json
    import os
    import time

    from moto.moto_api._internal.recorder.models import Recorder

    if getattr(Recorder, "_cqt_durable", False):
        return
    lock = threading.Lock()

    def _record_request(self, request, body=None) -> None:
        if not self._user_enabled or request.raw_path.startswith("/moto-api/recorder/"):
            return
        if read_only(request.method, request.headers):
            return
        headers = dict(request.headers)
        headers[RECORDED_AT] = f"{time.time():.3f}"
        if body is None:
            try:
                body = request.environ["wsgi.input"].read(int(request.headers["Content-Length"]))
                request.environ["wsgi.input"] = io.BytesIO(body)
            except (AttributeError, KeyError, ValueError):
                body = ""
        if isinstance(body, io.BytesIO):
            body = body.getvalue()
        encoded = isinstance(body, bytes)
        entry = {"headers": headers, "method": request.method, "url": request.raw_url,
                 "body": base64.b64encode(body).decode("ascii") if encoded else body, "body_encoded": encoded}
        line = (json.dumps(entry) + "\n").encode()
        with lock:
            fd = os.open(self._location, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                view = memoryview(line)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)

    Recorder._record_request = _record_request
    Recorder._cqt_durable = True
