"""The reliability suite: idempotency and concurrency (test_concurrency.py), faults of AWS dependencies
(test_faults.py). Shared machinery lives here:

- `per_request_app(app)`: Chalice keeps the current request and Lambda context on the app object, as one Lambda
  container serving one request at a time does. Concurrent requests in this process stand for concurrent Lambda
  containers, so while the context is open those two attributes are thread-local. Nothing else is serialised: the
  threads' calls reach the embedded DynamoDB at the same time and its conditional writes decide who wins.
- `Lambda`: one thread's API Gateway (chalice.local.LocalGateway, with the app's authorizer), without
  chalice.test.Client's per-request swap of os.environ (not thread-safe).
- `burst(app, n, fn)`: run `fn(lambda_)` in n threads released together; returns the n answers.
- `aws_calls()`: a seam on every botocore call of the process (boto3 clients of chalicelib.core.aws, PynamoDB's
  connections, Powertools' idempotency store): faults raise the ClientError DynamoDB, S3 or SNS would raise once
  botocore's retries are spent; a rendezvous holds chosen threads at their first write until all have read.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}


# --- one Lambda per thread ----------------------------------------------------------------------------------------

@contextlib.contextmanager
def per_request_app(app) -> Iterator[None]:
    """Make `app.current_request` / `app.lambda_context` thread-local while open (see the module docstring)."""
    original = type(app)
    local = threading.local()

    def _attr(name: str) -> property:
        return property(lambda self: getattr(local, name, None), lambda self, value: setattr(local, name, value))

    per_thread = type("PerThreadChalice", (original,), {"current_request": _attr("current_request"),
                                                         "lambda_context": _attr("lambda_context")})
    app.__class__ = per_thread
    try:
        yield
    finally:
        app.__class__ = original


@dataclass
class Answer:
    status: int
    json: Any
    headers: dict[str, str]
    body: bytes

    def error_code(self) -> str | None:
        return (self.json or {}).get("error", {}).get("code") if isinstance(self.json, dict) else None

    def show(self) -> str:
        return f"{self.status} {self.body.decode('utf-8', 'replace')[:300]}"


class Lambda:
    """One API Gateway + Lambda, for one thread."""

    def __init__(self, app):
        from chalice.config import Config
        from chalice.local import LocalGateway

        self.gateway = LocalGateway(app, Config(chalice_stage="local"))

    def request(self, method: str, path: str, body: Any = None, token: str | None = None,
                headers: dict[str, str] | None = None, raw: bytes | None = None) -> Answer:
        """`body` goes as JSON; `raw` (with its own content-type in `headers`) as it is."""
        from chalice.local import LocalGatewayException

        h = {"content-type": "application/json"}
        if token:
            h["authorization"] = f"Bearer {token}"
        h.update(headers or {})
        if raw is None:
            raw = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""
        try:
            r = self.gateway.handle_request(method=method, path=path, headers=h, body=raw)
        except LocalGatewayException as e:
            return Answer(e.CODE, None, dict(e.headers or {}), e.body or b"")
        out = r.get("body") or b""
        out = out.encode() if isinstance(out, str) else out
        parsed = json.loads(out) if out[:1] in (b"{", b"[") else None
        return Answer(r["statusCode"], parsed, {k.lower(): v for k, v in (r.get("headers") or {}).items()}, out)


def burst(app, n: int, fn: Callable[[Lambda], Any], timeout: float = 60) -> list[Any]:
    """Run fn in n threads, each its own Lambda, released at the same moment; returns their results in order."""
    lambdas = [Lambda(app) for _ in range(n)]
    start = threading.Barrier(n)
    results: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            start.wait(timeout)
            results[i] = fn(lambdas[i])
        except BaseException as e:  # noqa: BLE001 - reported by the caller's thread below
            errors.append(e)

    with per_request_app(app):
        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a concurrent request did not finish"
    if errors:
        raise errors[0]
    return results


# --- the botocore seam ------------------------------------------------------------------------------------------

@dataclass
class Fault:
    """Fail matching calls: skip the first `skip` matches, then fail `times` of them (None: all) with `code`."""

    service: str  # "dynamodb", "s3", "sns"
    operations: frozenset[str] | None  # None: every operation of the service
    code: str = "ProvisionedThroughputExceededException"
    status: int = 400
    skip: int = 0
    times: int | None = 1
    table: str | None = None  # only calls naming this table (PutItem/UpdateItem/... or a TransactWriteItems item)
    seen: int = 0
    fired: int = 0

    def matches(self, service: str, operation: str, params: dict) -> bool:
        if service != self.service or (self.operations is not None and operation not in self.operations):
            return False
        return self.table is None or self.table in _tables(params)

    def error(self, operation: str):
        from botocore.exceptions import ClientError

        return ClientError({"Error": {"Code": self.code, "Message": f"injected {self.code}"},
                            "ResponseMetadata": {"HTTPStatusCode": self.status,
                                                 "HTTPHeaders": {}, "RetryAttempts": 2}}, operation)


def _tables(params: dict) -> set[str]:
    found = {params["TableName"]} if "TableName" in params else set()
    for item in params.get("TransactItems", []):
        for op in item.values():
            if "TableName" in op:
                found.add(op["TableName"])
    found.update(params.get("RequestItems", {}) or {})
    return found


@dataclass
class AwsCalls:
    faults: list[Fault] = field(default_factory=list)
    log: list[tuple[str, str]] = field(default_factory=list)  # (service, operation) of every call while open
    rendezvous: threading.Barrier | None = None
    waiting: set[int] = field(default_factory=set)  # thread ids to hold at their first write
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, *faults: Fault) -> AwsCalls:
        with self._lock:
            self.faults = list(faults)
        return self

    def clear(self) -> None:
        with self._lock:
            self.faults = []

    def hold_first_writes(self, parties: int) -> None:
        """Each thread that calls `join_rendezvous()` waits at its first DynamoDB write until `parties` are there."""
        self.rendezvous = threading.Barrier(parties)

    def join_rendezvous(self) -> None:
        with self._lock:
            self.waiting.add(threading.get_ident())

    def before(self, service: str, operation: str, params: dict) -> None:
        me = threading.get_ident()
        with self._lock:
            self.log.append((service, operation))
            hold = service == "dynamodb" and operation in WRITES and me in self.waiting
            if hold:
                self.waiting.discard(me)
            for f in self.faults:
                if not f.matches(service, operation, params):
                    continue
                f.seen += 1
                if f.seen > f.skip and (f.times is None or f.fired < f.times):
                    f.fired += 1
                    raise f.error(operation)
        if hold and self.rendezvous is not None:
            self.rendezvous.wait(30)


@contextlib.contextmanager
def aws_calls() -> Iterator[AwsCalls]:
    """Every botocore API call of this process passes `AwsCalls.before` first (PynamoDB calls the client's
    `_make_api_call` directly, so this is the one place all of the app's clients meet)."""
    from botocore.client import BaseClient

    calls = AwsCalls()
    original = BaseClient._make_api_call

    def _make_api_call(self, operation_name, api_params):
        calls.before(self.meta.service_model.service_name, operation_name, api_params)
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = _make_api_call
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original
