"""Local-runner fixes for moto (development and tests only; nothing here ships), and what moto does not check that
AWS does: S3's browser-upload policies (s3_post_policy) and the tenant fence's IAM policy (tenant_fence).

moto rolls a failed TransactWriteItems back by deep-copying every table the transaction touches, once per
transaction item, which makes each transaction cost O(items x table size): seeding a county slows to a crawl.
Here the backup is taken of the touched items only, and restored if the transaction fails.
"""

from __future__ import annotations

import copy as _copy
import re
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
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if "/sts/aws4_request" in auth:  # temporary credentials (the tenant fence's) live as long as the process
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
        key_id = credential.split("/")[0]  # a tenant-fence session signs with its own secret (tenant_fence)
        secret = TENANT_SESSIONS[key_id][1] if key_id in TENANT_SESSIONS else \
            os.environ.get("AWS_SECRET_ACCESS_KEY", "local")
        key = ("AWS4" + secret).encode()
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


# --- the tenant fence's role, enforced ------------------------------------------------------------------------

# What infra/cqt_infra/stack.py `_tenant_role` grants a session of the TenantDataRole (tests/infra checks that the
# synthesized policy says the same): `${aws:PrincipalTag/tenant}` is the session's `tenant` tag.
TENANT_TAG = "tenant"
TENANT_POLICY = {
    "dynamodb": {"actions": ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                             "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
                             "dynamodb:ConditionCheckItem"),
                 "tables": ("households", "submissions"),  # and their indexes
                 "condition": {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenant}#*"]}}},
    "kms": {"actions": ("kms:GenerateDataKey", "kms:Decrypt"),  # on the personal-data key
            "condition": {"StringEquals": {"kms:EncryptionContext:tenant": "${aws:PrincipalTag/tenant}"}}},
    "s3": {"actions": ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListMultipartUploadParts",
                       "s3:AbortMultipartUpload"),  # multipart uploads: chalicelib/core/multipart.py
           "objects": "${aws:PrincipalTag/tenant}/*",  # of the media bucket
           "list": {"StringLike": {"s3:prefix": ["${aws:PrincipalTag/tenant}/*"]}}},  # s3:ListBucket
}
_TENANT_ROLE_RE = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/(?:.*/)?[^/]*-tenant-data-[^/]+$")
# Sessions of the tenant role: access key id -> (tenant tag, secret key); and each AssumeRole, in order (tests count).
TENANT_SESSIONS: dict[str, tuple[str, str]] = {}
TENANT_ASSUMED: list[str] = []
_sessions_file: list = []  # where the sessions are kept across restarts (remember_tenant_sessions)


def remember_tenant_sessions(path) -> None:
    """Keep the tenant role's sessions in `path` (one JSON line each, 0600) and load those kept there: AssumeRole is
    not recorded (read_only), but requests signed by its sessions are, and a replay must judge them as they were
    judged (a browser upload's signature is checked with its session's secret)."""
    import json
    import os

    _sessions_file[:] = [path]
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    entry = json.loads(line)
                    TENANT_SESSIONS[entry["key"]] = (entry["tenant"], entry["secret"])


def _tagged(pattern: str, tag: str) -> str:
    return pattern.replace("${aws:PrincipalTag/tenant}", tag)


def tenant_fence() -> None:
    """moto does not evaluate IAM policies. Requests signed with the credentials of a TenantDataRole session (the
    tenant fence, chalicelib/core/fence.py) are checked here against TENANT_POLICY before moto sees them, and refused
    as AWS refuses them: DynamoDB and KMS with AccessDeniedException (400), S3 with AccessDenied (403). AssumeRole of
    that role needs a non-empty `tenant` session tag (its trust policy). Requests signed otherwise pass untouched."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    if getattr(DomainDispatcherApplication, "_cqt_fence", False):
        return
    original = DomainDispatcherApplication.__call__

    def call(self, environ, start_response):
        credential = _credential_of(environ)
        if credential is None or environ.get("REQUEST_METHOD") == "OPTIONS":
            # A CORS preflight carries a presigned URL's query but is not a signed request: S3 answers it from the
            # bucket's CORS rules alone (a browser's PUT of a video part to its presigned URL preflights).
            return original(self, environ, start_response)
        key_id, region, service = credential
        if service == "sts":
            return _assume_role(self, original, environ, start_response)
        session = TENANT_SESSIONS.get(key_id)
        if session is None:
            return original(self, environ, start_response)
        denied = _tenant_policy_denies(environ, service, region, session[0])
        if denied is not None:
            return _refuse(service, denied, session[0])(environ, start_response)
        if service == "s3" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            return _missing_object_forbidden(self, original, environ, start_response, session[0])
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = call
    DomainDispatcherApplication._cqt_fence = True


def _body(environ) -> bytes:
    import io

    try:
        n = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        n = 0
    data = environ["wsgi.input"].read(n) if n else b""
    environ["wsgi.input"] = io.BytesIO(data)
    return data


def _form(environ) -> dict[str, str]:
    """A POST's form fields (lower-cased names), the request body left in place for moto."""
    import io

    from werkzeug.formparser import parse_form_data

    data = _body(environ)
    copy = {**environ, "wsgi.input": io.BytesIO(data)}
    _, form, _ = parse_form_data(copy)
    return {k.lower(): v for k, v in form.items()}


def _credential_of(environ) -> tuple[str, str, str] | None:
    """(access key id, region, service) of a SigV4 request: its Authorization header, a presigned URL's
    X-Amz-Credential, or a browser upload's x-amz-credential form field."""
    from urllib.parse import parse_qs

    auth = environ.get("HTTP_AUTHORIZATION") or ""
    m = re.search(r"Credential=([^/,\s]+)/[0-9]{8}/([^/]+)/([^/]+)/aws4_request", auth)
    if m:
        return m.group(1), m.group(2), m.group(3)
    cred = (parse_qs(environ.get("QUERY_STRING") or "").get("X-Amz-Credential") or [""])[0]
    if not cred and environ.get("REQUEST_METHOD") == "POST" and \
            (environ.get("CONTENT_TYPE") or "").startswith("multipart/form-data"):
        cred = _form(environ).get("x-amz-credential", "")
    parts = cred.split("/")
    return (parts[0], parts[2], parts[3]) if len(parts) == 5 else None


def _assume_role(app, original, environ, start_response):
    """Remember each TenantDataRole session's tag and keys; refuse one without a `tenant` tag (the role's trust)."""
    from urllib.parse import parse_qs

    form = {k: v[0] for k, v in parse_qs(_body(environ).decode()).items()}
    if form.get("Action") != "AssumeRole" or not _TENANT_ROLE_RE.match(form.get("RoleArn", "")):
        return original(app, environ, start_response)
    tags = {form[f"Tags.member.{i}.Key"]: form.get(f"Tags.member.{i}.Value", "")
            for i in range(1, 51) if f"Tags.member.{i}.Key" in form}
    tag = tags.get(TENANT_TAG, "")
    if not tag:
        return _refuse("sts", f"sts:AssumeRole on resource: {form['RoleArn']} (no {TENANT_TAG} session tag)",
                       None)(environ, start_response)
    answer: dict = {}

    def capture(status, headers, exc_info=None):
        answer["status"] = status
        return start_response(status, headers, exc_info)

    body = b"".join(original(app, environ, capture))
    if answer.get("status", "").startswith("200"):
        text = body.decode()
        key_id = re.search(r"<AccessKeyId>([^<]+)</AccessKeyId>", text).group(1)
        secret = re.search(r"<SecretAccessKey>([^<]+)</SecretAccessKey>", text).group(1)
        TENANT_SESSIONS[key_id] = (tag, secret)
        TENANT_ASSUMED.append(tag)
        if _sessions_file:
            import json
            import os

            fd = os.open(_sessions_file[0], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (json.dumps({"key": key_id, "tenant": tag, "secret": secret}) + "\n").encode())
            finally:
                os.close(fd)
    return [body]


def _tenant_policy_denies(environ, service: str, region: str, tag: str) -> str | None:
    """None if TENANT_POLICY allows the request for a session tagged `tag`; else 'action on resource' refused."""
    from fnmatch import fnmatchcase

    from chalicelib.core.config import settings

    s = settings()
    if service == "dynamodb":
        import json

        from chalicelib.core import fence

        op = (environ.get("HTTP_X_AMZ_TARGET") or "").rpartition(".")[2]
        params = json.loads(_body(environ) or b"{}")
        policy = TENANT_POLICY["dynamodb"]
        tables = {getattr(s, f"{t}_table") for t in policy["tables"]}
        if op in ("TransactWriteItems", "TransactGetItems"):
            ops = [(("dynamodb:ConditionCheckItem" if k == "ConditionCheck" else f"dynamodb:{k}Item"),
                    v.get("TableName")) for entry in params.get("TransactItems") or [] for k, v in entry.items()]
        elif op in ("BatchGetItem", "BatchWriteItem"):
            ops = [(f"dynamodb:{op}", t) for t in params.get("RequestItems") or {}]
        else:
            ops = [(f"dynamodb:{op}", params.get("TableName"))]
        for action, table in ops:
            if action not in policy["actions"] or table not in tables:
                return f"{action} on resource: table/{table}"
        backend = _dynamodb_backend(region)

        def hash_key(table: str, index: str | None) -> str | None:
            t = backend.tables.get(table)
            if t is None:
                return None
            if index is None:
                return t.hash_key_attr
            for ix in t.indexes + t.global_indexes:
                if ix.name == index:
                    return next((k["AttributeName"] for k in ix.schema if k["KeyType"] == "HASH"), None)
            return None

        keys = fence.leading_keys(op, params, hash_key)
        (pattern,) = policy["condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        if keys is None or not all(isinstance(k, str) and fnmatchcase(k, _tagged(pattern, tag)) for k in keys):
            return f"dynamodb:{op} on resource: table/{ops[0][1]} (dynamodb:LeadingKeys)"
        return None
    if service == "kms":
        import json

        op = (environ.get("HTTP_X_AMZ_TARGET") or "").rpartition(".")[2]
        params = json.loads(_body(environ) or b"{}")
        policy = TENANT_POLICY["kms"]
        if f"kms:{op}" not in policy["actions"]:
            return f"kms:{op}"
        want = _tagged(policy["condition"]["StringEquals"]["kms:EncryptionContext:tenant"], tag)
        if (params.get("EncryptionContext") or {}).get("tenant") != want:
            return f"kms:{op} (kms:EncryptionContext:tenant)"
        return None
    if service == "s3":
        from urllib.parse import parse_qs

        method = environ.get("REQUEST_METHOD", "GET")
        bucket, _, key = (environ.get("PATH_INFO") or "/").lstrip("/").partition("/")
        query = parse_qs(environ.get("QUERY_STRING") or "", keep_blank_values=True)
        policy = TENANT_POLICY["s3"]
        if method == "GET" and not key and ("list-type" in query or "prefix" in query):
            (pattern,) = policy["list"]["StringLike"]["s3:prefix"]
            prefix = (query.get("prefix") or [""])[0]
            if bucket == s.media_bucket and fnmatchcase(prefix, _tagged(pattern, tag)):
                return None
            return f"s3:ListBucket on resource: {bucket} (s3:prefix {prefix!r})"
        if method == "POST" and not key and not query:
            key, action = _form(environ).get("key", ""), "s3:PutObject"  # a browser upload (presigned POST)
        elif key and _multipart_action(method, query.keys() - _PRESIGN_PARAMS):
            action = _multipart_action(method, query.keys() - _PRESIGN_PARAMS)
        elif not key or query.keys() - _PRESIGN_PARAMS:
            action = "s3:" + ("ListBucket" if not key else "ObjectSubresource")
        else:
            action = {"GET": "s3:GetObject", "HEAD": "s3:GetObject", "PUT": "s3:PutObject"}.get(
                method, f"s3:{method.title()}Object")
            if environ.get("HTTP_X_AMZ_COPY_SOURCE"):
                action = "s3:CopyObject"
        if action not in policy["actions"] or bucket != s.media_bucket or \
                not fnmatchcase(key, _tagged(policy["objects"], tag)):
            return f"{action} on resource: {bucket}/{key}"
        return None
    return f"{service}:*"


_PRESIGN_PARAMS = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                   "X-Amz-Signature", "X-Amz-Security-Token"}


def _multipart_action(method: str, params: set) -> str | None:
    """The IAM action of a multipart upload's request (AWS's mapping): create, upload a part and complete are
    s3:PutObject; ListParts and AbortMultipartUpload have their own."""
    if method == "POST" and params == {"uploads"}:
        return "s3:PutObject"
    if method == "PUT" and params == {"uploadId", "partNumber"}:
        return "s3:PutObject"
    if params == {"uploadId"} or (method == "GET" and params <= {"uploadId", "max-parts", "part-number-marker"}
                                  and "uploadId" in params):
        return {"POST": "s3:PutObject", "GET": "s3:ListMultipartUploadParts",
                "DELETE": "s3:AbortMultipartUpload"}.get(method)
    return None


def _missing_object_forbidden(app, original, environ, start_response, tag: str):
    """S3 answers a missing object with 404 only to a caller that may list the bucket; the session may list its
    own prefix only (an `s3:prefix` condition, which a GetObject or HeadObject request does not carry), so it is
    answered 403 here, as AWS may (chalicelib/core/files.py takes either as "not there")."""
    answer: dict = {}

    def capture(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)
        return lambda data: None

    body = b"".join(original(app, environ, capture))
    if answer.get("status", "").startswith("404"):
        key = (environ.get("PATH_INFO") or "/").lstrip("/").partition("/")[2]
        return _refuse("s3", f"s3:GetObject on resource: {key} (a missing object, without s3:ListBucket)",
                       tag)(environ, start_response)
    start_response(answer["status"], answer["headers"])
    return [body]


def _dynamodb_backend(region: str):
    from moto.dynamodb.models import dynamodb_backends

    from .aws import ACCOUNT

    return dynamodb_backends[ACCOUNT][region]


def _refuse(service: str, what: str, tag: str | None):
    import json

    from werkzeug.wrappers import Response

    who = f"assumed-role/TenantDataRole/cqt-{tag}" if tag else "the caller"
    message = f"User: {who} is not authorized to perform: {what} because no identity-based policy allows it"
    if service in ("dynamodb", "kms"):
        body = {"__type": ("com.amazonaws.dynamodb.v20120810#" if service == "dynamodb" else "")
                + "AccessDeniedException", "message": message, "Message": message}
        return Response(json.dumps(body), status=400, content_type="application/x-amz-json-1.0")
    if service == "sts":
        xml = (f"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>{message}</Message>"
               "</Error><RequestId>cqt-tenant-fence</RequestId></ErrorResponse>")
        return Response(xml, status=403, content_type="text/xml")
    xml = (f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code><Message>{message}</Message>"
           "<RequestId>cqt-tenant-fence</RequestId></Error>")
    return Response(xml, status=403, content_type="application/xml")
