"""The route layer every module uses: one decorator declares a route and its contract.

`endpoint(...)` registers the route on the module's Blueprint and in ROUTES (which feeds the OpenAPI document and
the isolation tests), and wraps the view so that, for every route alike:
- the TenantContext comes from the authorizer's verified claims only, and a disabled county gets a clear 403;
- the route's declared permission is checked here, before anything is parsed or read: a caller who holds none of
  its permissions anywhere gets 403 whatever the view does (the view still checks the place of what it touches);
- bodies are bounded, must be JSON objects and are validated by the route's pydantic model (unknown fields refused);
- query strings are validated, page sizes bounded, cursors are opaque and signed;
- creating POSTs honour an `Idempotency-Key` header (Powertools idempotency on DynamoDB);
- every failure leaves as a 4xx/503 in the one error envelope; an unexpected exception is a logged 500.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple

from chalice import Blueprint, Response

from . import fence
from .auth.authorizer import token_authorizer
from .config import settings
from .errors import (
    AppError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    field_errors,
)
from .lazy import resolve
from .observability import logger

if TYPE_CHECKING:
    from pydantic import BaseModel

    from .tenancy import TenantContext

# Imported when a request needs them, not with the app (a Lambda cold start): pydantic, PynamoDB (core.db,
# core.counties), botocore, zoneinfo (core.clock), hashlib. A route's schemas may be named as "module:Class"
# (see core.lazy) and are resolved at first use.
SchemaRef = Any  # a pydantic model class, a "module:Class" name of one, or None


class RouteSpec:
    """A route's contract. A plain class, not a dataclass: `dataclasses` (and `inspect`) stay out of cold start."""

    def __init__(self, *, path: str, method: str, name: str, summary: str, tags: tuple[str, ...], body_ref: SchemaRef,
                 query_ref: SchemaRef, response_ref: SchemaRef, status: int, public: bool, idempotent: bool,
                 permission: str | None = None, errors: tuple[int, ...] = (), extra: dict | None = None,
                 package: str | None = None):
        self.path, self.method, self.name, self.summary, self.tags = path, method, name, summary, tags
        self.body_ref, self.query_ref, self.response_ref = body_ref, query_ref, response_ref
        self.status, self.public, self.idempotent, self.permission = status, public, idempotent, permission
        self.errors = errors
        self.extra = extra if extra is not None else {}
        self.package = package  # what relative "module:Class" references are relative to (the route's package)

    def __repr__(self) -> str:
        return f"RouteSpec({self.method} {self.path})"

    @cached_property
    def body(self) -> type[BaseModel] | None:
        return resolve(self.body_ref, self.package)

    @cached_property
    def query(self) -> type[BaseModel] | None:
        return resolve(self.query_ref, self.package)

    @cached_property
    def response(self) -> type[BaseModel] | None:
        return resolve(self.response_ref, self.package)


ROUTES: list[RouteSpec] = []


class Text(NamedTuple):
    """A view's answer that is not JSON (a route declared with `media_type`): the body as it is, with its headers."""

    body: str
    headers: dict


class Call(NamedTuple):
    """What a view receives: the verified context (None on public routes) and validated input."""

    ctx: TenantContext | None
    body: Any
    query: Any
    params: dict[str, str]
    client_ip: str
    request_id: str
    headers: dict[str, str]


_IDEM_RE = re.compile(r"^[A-Za-z0-9_\-:.]{8,128}$")
# Path parameters never carry a key separator or anything but a short id; anything else cannot exist (404).
_PARAM_RE = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")


# Who may call a route, besides permissions (core.tenancy) — `permission=` takes a permission or a tuple of them
# (any one held at some place lets the call in), with these two for what a person does for themselves:
SIGNED_IN = "signed_in"  # anyone verified: the view serves only the caller's own things (me, inbox, own cases)
OWN_HOUSEHOLD = "own_household"  # a villager of some household: the view checks it is theirs


def endpoint(bp: Blueprint, path: str, method: str = "GET", *, name: str, summary: str, tags: tuple[str, ...] = (),
             body: SchemaRef = None, query: SchemaRef = None, response: SchemaRef = None, status: int = 200,
             public: bool = False, idempotent: bool | str = False,
             permission: str | tuple[str, ...] | None = None, media_type: str | None = None,
             errors: tuple[int, ...] = ()) -> Callable:
    """`body`, `query` and `response` are pydantic models, or "module:Class" names of them resolved at first use
    (".schemas:HouseholdOut" is relative to the package of the decorated view's module). `idempotent=True`: a
    retry with the same Idempotency-Key gets the first answer (Powertools' record); "view": the view does that
    itself with what it writes anyway (the key is in `call.headers`). Every route that is not
    public declares who may call it (`permission`): deny by default, enforced here for every route alike.
    `media_type`: the route answers text of that type, not JSON (its view returns a `Text`); `errors`: status codes
    it answers beyond the usual ones (documented in the OpenAPI document)."""
    if not public and not permission:
        raise ValueError(f"{method} {path}: declare permission= (a permission, a tuple of them, SIGNED_IN or "
                         "OWN_HOUSEHOLD), or public=True")
    spec = RouteSpec(path=path, method=method, name=name, summary=summary, tags=tags, body_ref=body, query_ref=query,
                     response_ref=response, status=status, public=public, idempotent=idempotent,
                     permission=permission, errors=errors, extra={"media_type": media_type} if media_type else None)

    def deco(fn: Callable[[Call], Any]) -> Callable:
        spec.package = fn.__module__.rpartition(".")[0] or None
        ROUTES.append(spec)

        @functools.wraps(fn)
        def view(**params):
            request = bp.current_request
            try:
                return _handle(spec, fn, request, params, bp.lambda_context)
            except AppError as e:
                return error_response(e)
            except Exception as e:  # noqa: BLE001 - the last line of defence; mapped, logged, never leaked
                return _unexpected(spec, e)

        bp.route(path, methods=[method], name=name, content_types=["*/*"],
                 authorizer=None if public else token_authorizer)(view)
        return fn

    return deco


def error_response(e: AppError) -> Response:
    return Response(body=json.dumps(e.envelope(), ensure_ascii=False), status_code=e.status,
                    headers={"Content-Type": "application/json; charset=utf-8", **e.headers})


def _unexpected(spec: RouteSpec, e: Exception) -> Response:
    mapped = _map_aws_error(e)
    if mapped is not None:
        logger.warning("dependency unavailable", extra={"route": spec.name, "error_type": type(e).__name__})
        return error_response(mapped)
    logger.exception("unhandled error", extra={"route": spec.name, "error_type": type(e).__name__})
    return Response(body=json.dumps({"error": {"code": "internal_error", "message": "系统出错了，请稍后重试",
                                               "details": None}}, ensure_ascii=False),
                    status_code=500, headers={"Content-Type": "application/json; charset=utf-8"})


_RETRYABLE = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
              "InternalServerError", "ServiceUnavailable", "TransactionConflictException", "LimitExceededException",
              "KMSInternalException", "Throttling", "SlowDown", "InternalError",
              "Throttled", "KMSThrottling"}  # SNS's throttling codes (ThrottledException, KMSThrottlingException)


def _map_aws_error(e: Exception) -> AppError | None:
    """Throttling, conflicts and outages of AWS dependencies are 503 + Retry-After, not 500."""
    from botocore.exceptions import BotoCoreError, ClientError
    from pynamodb.exceptions import PynamoDBException

    seen: set[int] = set()
    cur: BaseException | None = e
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, PynamoDBException):
            code = cur.cause_response_code or ""
            # A cancelled transaction names per-item reasons: a conflict or throttling is worth a retry.
            reasons = cur.cause_response_message or ""
            if code in _RETRYABLE or any(r in reasons for r in ("TransactionConflict", "ProvisionedThroughputExceeded",
                                                                "ThrottlingError")):
                return ServiceUnavailable()
        if isinstance(cur, ClientError) and cur.response.get("Error", {}).get("Code") in _RETRYABLE:
            return ServiceUnavailable()
        if isinstance(cur, BotoCoreError) and type(cur).__name__ in {"EndpointConnectionError",
                                                                   "ConnectTimeoutError", "ReadTimeoutError"}:
            return ServiceUnavailable()
        cur = cur.__cause__ or cur.__context__
    return None


def context_from(request) -> TenantContext:
    from . import clock
    from .tenancy import TenantContext, grants_from_json

    auth = (request.context or {}).get("authorizer") or {}
    if "grants" not in auth:
        raise Unauthorized()
    if int(auth.get("exp") or 0) <= clock.epoch():
        raise Unauthorized("登录已过期，请重新登录", code="token_expired")
    return TenantContext(tenant_id=auth.get("tenant") or "", user_id=auth.get("uid") or "",
                         identity=auth.get("idn") or "", grants=grants_from_json(auth["grants"]),
                         request_id=(request.context or {}).get("requestId", ""), expires=int(auth["exp"]))


def permissions_of(spec: RouteSpec) -> tuple[str, ...]:
    p = spec.permission
    return () if not p else (p,) if isinstance(p, str) else tuple(p)


def _check_permission(spec: RouteSpec, ctx: TenantContext) -> None:
    """Deny by default, from the route's declaration: the caller holds one of its permissions at some place (or the
    route is the caller's own: SIGNED_IN, or OWN_HOUSEHOLD for a villager). The view checks the place."""
    for p in permissions_of(spec):
        if p == SIGNED_IN or (p == OWN_HOUSEHOLD and ctx.households()) or (
                p not in (SIGNED_IN, OWN_HOUSEHOLD) and ctx.grants_for(p)):
            return
    raise Forbidden("没有权限使用该功能", code="forbidden_scope")


def _check_county(spec: RouteSpec, ctx: TenantContext):
    """The caller's county is active, and the module the route belongs to is switched on there; the county record
    (None for the platform and for a person of no county yet)."""
    from . import counties, modules
    from .db import PLATFORM

    if not ctx.tenant_id or ctx.tenant_id == PLATFORM:
        return None
    county = counties.require_active(ctx.tenant_id)
    module = modules.owner(spec.package)
    if module is not None and module not in counties.enabled_modules(county):
        raise Forbidden("本县未开通该功能", code="module_disabled", details={"module": module})
    return county


def _parse_body(spec: RouteSpec, request) -> Any:
    """Bounded (bytes, depth, elements), a JSON object, full-width digits and letters folded to ASCII, no control or
    bidi-override characters (core.text), then validated strictly by the route's model."""
    from . import text

    raw = request.raw_body or b""
    if len(raw) > settings().max_body_bytes:
        raise PayloadTooLarge(details={"max_bytes": settings().max_body_bytes})
    if spec.body is None:
        return None
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if raw and ctype != "application/json":
        raise UnsupportedMediaType()
    try:
        doc = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        text.check_shape(doc)
        data = json.loads(doc) if doc else {}
    except text.BodyShapeError as e:
        raise ValidationFailed(e.message, code=e.code, details=e.details) from None
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BadRequest("请求内容不是有效的 JSON", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ValidationFailed("请求内容应为 JSON 对象", code="invalid_body")
    data, bad = text.clean(data)
    if bad:
        raise ValidationFailed(details=bad)
    from pydantic import ValidationError

    try:
        # Strict JSON: a body is taken as the document says (no 0 for false, no "5" for 5); absent means {}.
        return spec.body.model_validate_json(json.dumps(data, ensure_ascii=False), strict=True) if raw \
            else spec.body.model_validate(data)
    except ValidationError as e:
        raise ValidationFailed(details=field_errors(e.errors())) from None


def _parse_query(spec: RouteSpec, request) -> Any:
    from . import text

    raw = dict(request.query_params or {})
    if spec.query is None:
        if raw:
            raise ValidationFailed("此接口不接受查询参数", code="unexpected_query")
        return None
    raw, bad = text.clean(raw)
    if bad:
        raise ValidationFailed(details=bad)
    from pydantic import ValidationError

    try:
        return spec.query.model_validate(raw)
    except ValidationError as e:
        raise ValidationFailed(details=field_errors(e.errors())) from None


def _render(spec: RouteSpec, result: Any) -> tuple[int, Any]:
    """The view's answer as it leaves. A view answers a plain JSON-ready dict or list exactly as its response model
    would dump it (every declared field, defaults included, nothing else): in production it leaves as it is, and
    pydantic is not imported for it (a cold start's first request). A view that answers a model instance still
    gets it dumped. Under CQT_STRICT_RESPONSES=1 (tests, the local stack) every answer is checked against the
    route's model, and any difference is an error naming the route (a 500: the test fails)."""
    status = spec.status
    if isinstance(result, Text):
        return status, result
    if isinstance(result, tuple):
        status, result = result
    if result is None:
        return status, None
    if hasattr(result, "model_dump"):
        result = result.model_dump(mode="json", exclude_none=False)
    if os.environ.get("CQT_STRICT_RESPONSES") == "1":
        check_answer(spec, result)
    return status, result


class ResponseMismatch(AssertionError):
    """Strict mode: a view's answer is not exactly what its response model would dump."""


def check_answer(spec: RouteSpec, result: Any) -> None:
    """Raise ResponseMismatch unless `result`, as JSON, equals the route's response model's `model_dump(mode="json")`
    of it: a declared field missing, a key the model does not declare (a potential leak), or a value the model
    would change (a type, a format). Values are not named (they may be personal data); paths and types are."""
    where = f"{spec.method} {spec.path}"
    try:
        got = json.loads(json.dumps(result, ensure_ascii=False))
    except (TypeError, ValueError) as e:
        raise ResponseMismatch(f"{where}: the answer is not JSON-ready ({e})") from None
    if spec.response is None:
        return
    from pydantic import ValidationError

    try:
        want = spec.response.model_validate(got).model_dump(mode="json", exclude_none=False)
    except ValidationError as e:
        errors = "; ".join(f"{'.'.join(str(p) for p in err['loc'])}: {err['type']}" for err in e.errors())
        raise ResponseMismatch(f"{where} {spec.response.__name__}: invalid: {errors}") from None
    diff = _differences(want, got, "")
    if diff:
        raise ResponseMismatch(f"{where} {spec.response.__name__}: " + "; ".join(diff[:20]))


def _differences(want: Any, got: Any, path: str) -> list[str]:
    if isinstance(want, dict) and isinstance(got, dict):
        out = [f"{path}.{k}: missing" for k in want if k not in got]
        out += [f"{path}.{k}: not in the model" for k in got if k not in want]
        for k in want:
            if k in got:
                out += _differences(want[k], got[k], f"{path}.{k}")
        return out
    if isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            return [f"{path}: {len(got)} items, the model's {len(want)}"]
        return [d for i, (w, g) in enumerate(zip(want, got, strict=True)) for d in _differences(w, g, f"{path}[{i}]")]
    if type(want) is not type(got):
        return [f"{path or '.'}: {type(got).__name__}, the model's {type(want).__name__}"]
    if want != got:
        return [f"{path or '.'}: the model changes the value ({type(got).__name__})"]
    return []


def _handle(spec: RouteSpec, fn: Callable, request, params: dict, lambda_context=None) -> Response:
    for value in params.values():
        if not _PARAM_RE.match(value or ""):
            raise NotFound()
    ctx = None if spec.public else context_from(request)
    if ctx is not None:
        county = _check_county(spec, ctx)
        from . import throttle

        throttle.admit(ctx, county)  # the county's request limit (core/throttle.py): 429 rate_limited over it
        _check_permission(spec, ctx)
        logger.append_keys(tenant=ctx.tenant_id or "-", roles=",".join(sorted(ctx.roles)) or "-")
    body = _parse_body(spec, request)
    query = _parse_query(spec, request)
    ident = (request.context or {}).get("identity") or {}
    headers = {k.lower(): v for k, v in (request.headers or {}).items()}
    call = Call(ctx=ctx, body=body, query=query, params=params, client_ip=ident.get("sourceIp") or "unknown",
                request_id=(request.context or {}).get("requestId", ""), headers=headers)

    def run() -> dict:
        with fence.scope(fence.tenant_of(ctx)):  # the view's data calls reach only the caller's county (core.fence)
            status, payload = _render(spec, fn(call))
        return {"status": status, "body": payload}

    idem_key = headers.get("idempotency-key")
    if spec.idempotent and idem_key is not None:  # an empty key is malformed too, not "no key"
        if not _IDEM_RE.match(idem_key):
            raise BadRequest("Idempotency-Key 格式不正确（8–128位字母、数字或 -_:.）", code="invalid_idempotency_key")
        # idempotent="view": the view keys what it writes by the Idempotency-Key itself (POST /reports)
        out = run() if spec.idempotent == "view" else _idempotent(spec, ctx, idem_key, request.raw_body or b"", run,
                                                                  lambda_context)
    else:
        out = run()
    resp_headers = {"Content-Type": "application/json; charset=utf-8"}
    if out["body"] is None:
        return Response(body="", status_code=out["status"], headers={})
    if isinstance(out["body"], Text):
        return Response(body=out["body"].body, status_code=out["status"],
                        headers={"Content-Type": spec.extra["media_type"], **out["body"].headers})
    return Response(body=json.dumps(out["body"], ensure_ascii=False), status_code=out["status"],
                    headers=resp_headers)


# --- idempotency ---------------------------------------------------------------------------------------------

_persistence = None


def _store():
    global _persistence
    if _persistence is None:
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        from .aws import client

        _persistence = DynamoDBPersistenceLayer(table_name=settings().idempotency_table,
                                                boto3_client=client("dynamodb"))
    return _persistence


def _idempotent(spec: RouteSpec, ctx: TenantContext | None, idem_key: str, raw_body: bytes,
                run: Callable[[], dict], lambda_context=None) -> dict:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    from .db import PLATFORM

    tenant = (ctx.tenant_id or PLATFORM) if ctx else "public"
    who = (ctx.user_id or ctx.identity) if ctx else "anonymous"
    config = IdempotencyConfig(event_key_jmespath="key", payload_validation_jmespath="body",
                               raise_on_no_idempotency_key=True, expires_after_seconds=24 * 3600,
                               use_local_cache=False)
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)

    done: dict = {}

    def _call(request: dict) -> dict:
        done["ran"] = True
        done["answer"] = run()
        return done["answer"]

    wrapped = idempotent_function(_call, data_keyword_argument="request", persistence_store=_store(),
                                  config=config, key_prefix=f"{tenant}#{spec.name}")
    import hashlib

    body_hash = hashlib.sha256(raw_body).hexdigest()
    request = {"key": f"{who}#{idem_key}", "body": body_hash}
    try:
        return wrapped(request=request)
    except IdempotencyValidationError:
        raise ValidationFailed("同一个 Idempotency-Key 不能用于不同的内容", code="idempotency_key_reused") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("相同的请求正在处理中，请稍后重试", code="request_in_progress") from None
    except IdempotencyPersistenceLayerError as e:
        if "answer" in done:
            # The work is done; only marking the request completed failed. Try once more, then answer anyway: a
            # 503 would invite a retry that redoes the work once the in-progress mark lapses.
            try:
                _store().save_success(data=request, result=done["answer"])
            except Exception:  # noqa: BLE001 - the answer stands; a retry meanwhile is told "in progress"
                logger.warning("idempotency record left in progress", extra={"route": spec.name})
            return done["answer"]
        if done.get("ran"):
            # The work failed and so did removing the in-progress mark: try once more, so that a retry is not
            # told "in progress" until the mark lapses.
            try:
                _store().delete_record(data=request, exception=e)
            except Exception:  # noqa: BLE001
                logger.warning("idempotency record left in progress", extra={"route": spec.name})
        raise ServiceUnavailable() from e


# --- pagination ----------------------------------------------------------------------------------------------

def encode_cursor(last_key: dict | None, bound: str) -> str | None:
    """Opaque, signed cursor tied to one partition (`bound`), so it cannot be steered elsewhere."""
    if not last_key:
        return None
    import hashlib
    import hmac

    from . import secrets

    payload = json.dumps({"k": last_key, "b": bound}, separators=(",", ":"), sort_keys=True).encode()
    sig = hmac.new(secrets.get("token_key").encode(), payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + base64.urlsafe_b64encode(sig).decode()


def decode_cursor(cursor: str | None, bound: str) -> dict | None:
    if not cursor:
        return None
    import hashlib
    import hmac

    from . import secrets

    try:
        body_b64, sig_b64 = cursor.split(".")
        payload = base64.urlsafe_b64decode(body_b64 + "=" * (-len(body_b64) % 4))
        sig = base64.urlsafe_b64decode(sig_b64)
        want = hmac.new(secrets.get("token_key").encode(), payload, hashlib.sha256).digest()[:12]
        data = json.loads(payload)
        if not hmac.compare_digest(sig, want) or data.get("b") != bound:
            raise ValueError
        return data["k"]
    except (ValueError, KeyError, TypeError):
        raise BadRequest("分页游标无效", code="invalid_cursor") from None
