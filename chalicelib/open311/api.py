"""Open311 GeoReport v2 routes (public: reading needs no key, filing needs the client's API key) and the county
admin's API-key routes (/open311/keys, ordinary signed-in JSON routes).

The GeoReport routes do not use core.http's `endpoint` to run: the spec wants XML as well as JSON, form-encoded
POST bodies, dotted resource names (`services.json`, `services/snap.road.xml`) and errors as its own error array.
They are declared in core.http's ROUTES all the same (public, tagged `open311`), so the OpenAPI document, the
public-route list and the route-table tests see them; `spec.extra["open311"]` marks them as speaking the spec."""

from __future__ import annotations

import functools

from chalice import Blueprint, Response

from ..core import http
from ..core.http import Call, RouteSpec, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
formats = lazy_module(".formats", __package__)

bp = Blueprint(__name__)
TAGS = ("open311",)
BASE = "/open311/v2"
SPEC = "GeoReport v2 (wiki.open311.org/GeoReport_v2)"


class Open311Call:
    """What a GeoReport view gets: the request, its format, the county, and path parameters without the format."""

    def __init__(self, request, fmt: str, params: dict[str, str]):
        self.request, self.fmt, self.params = request, fmt, params
        self.query = formats.query_of(request)
        ident = (request.context or {}).get("identity") or {}
        self.client_ip = ident.get("sourceIp") or "unknown"


def georeport(path: str, method: str, *, name: str, summary: str, fmt: str | None = None, kind: str,
              query: str | None = None, status: int = 200):
    """Declare a GeoReport route. `fmt` is fixed for `…/services.json`-style paths; for `…/services/{service}` the
    format is the parameter's suffix (`snap.road.xml`)."""
    spec = RouteSpec(path=path, method=method, name=name, summary=summary, tags=TAGS, body_ref=None, query_ref=query,
                     response_ref=None, status=status, public=True, idempotent=method == "POST",
                     extra={"open311": {"kind": kind, "format": fmt or "suffix"}}, package=__package__)
    http.ROUTES.append(spec)

    def deco(fn):
        @functools.wraps(fn)
        def view(**params):
            request = bp.current_request
            out_fmt = fmt or "json"
            try:
                if fmt is None:
                    params, out_fmt = _split_format(params)
                payload = fn(Open311Call(request, out_fmt, params))
                return formats.respond(out_fmt, kind, payload, status)
            except Exception as e:  # noqa: BLE001 - every failure leaves in the spec's error form
                return _failure(spec, out_fmt, e)

        bp.route(path, methods=[method], name=name, content_types=["*/*"], authorizer=None)(view)
        return fn

    return deco


def _split_format(params: dict[str, str]) -> tuple[dict[str, str], str]:
    """`snap.road.json` → ({"service": "snap.road"}, "json"); an unknown or missing format is a 404 (in JSON)."""
    name, value = next(iter(params.items()))
    stem, dot, fmt = (value or "").rpartition(".")
    if not dot or not stem or fmt not in ("json", "xml") or len(value) > 200:
        raise service.Open311Error(404, "资源不存在：地址应以 .json 或 .xml 结尾", "unknown_format")
    return {name: stem}, fmt


def _failure(spec: RouteSpec, fmt: str, e: Exception) -> Response:
    from ..core.errors import AppError, ServiceUnavailable

    if isinstance(e, AppError):
        return formats.error(fmt, e)
    mapped = http._map_aws_error(e)  # throttling or an outage of a dependency: 503 + Retry-After
    if mapped is not None:
        return formats.error(fmt, ServiceUnavailable())
    from ..core.observability import logger

    logger.exception("unhandled error", extra={"route": spec.name, "error_type": type(e).__name__})
    return formats.respond(fmt, "errors", [{"code": 500, "description": "系统出错了，请稍后重试"}], 500)


def _log_tenant(tenant: str) -> None:
    from ..core.observability import logger

    logger.append_keys(tenant=tenant)  # the access line and metrics per county, as signed-in routes have them


# --- reading: no key ---------------------------------------------------------------------------------------------

def _county(call: Open311Call) -> str:
    tenant = service.county(call.query.get("jurisdiction_id"))
    _log_tenant(tenant)
    service.check_reads(tenant, call.client_ip)
    return tenant


def _services(call: Open311Call):
    return service.services(_county(call))


georeport(f"{BASE}/services.json", "GET", name="open311_services_json", kind="services", fmt="json",
          query=".schemas:ServicesQuery",
          summary=f"{SPEC} GET Service List (JSON): the categories of the county's public case types")(_services)
georeport(f"{BASE}/services.xml", "GET", name="open311_services_xml", kind="services", fmt="xml",
          query=".schemas:ServicesQuery",
          summary=f"{SPEC} GET Service List (XML)")(_services)


@georeport(f"{BASE}/services/{{service}}", "GET", name="open311_service_definition", kind="service_definition",
           query=".schemas:ServicesQuery",
           summary=f"{SPEC} GET Service Definition: `services/{{service_code}}.json|xml`, the category's attributes")
def _definition(call: Open311Call):
    return service.definition(_county(call), call.params["service"])


def _requests(call: Open311Call):
    return service.list_requests(_county(call), call.query)


georeport(f"{BASE}/requests.json", "GET", name="open311_requests_json", kind="requests", fmt="json",
          query=".schemas:RequestsQuery",
          summary=f"{SPEC} GET Service Requests (JSON): public fields of the county's public cases, newest first, "
                  "at most 200, within 90 days")(_requests)
georeport(f"{BASE}/requests.xml", "GET", name="open311_requests_xml", kind="requests", fmt="xml",
          query=".schemas:RequestsQuery", summary=f"{SPEC} GET Service Requests (XML)")(_requests)


@georeport(f"{BASE}/requests/{{request_id}}", "GET", name="open311_request", kind="requests",
           query=".schemas:ServicesQuery",
           summary=f"{SPEC} GET Service Request: `requests/{{service_request_id}}.json|xml`")
def _request(call: Open311Call):
    return service.get_request(_county(call), call.params["request_id"])


@georeport(f"{BASE}/tokens/{{token}}", "GET", name="open311_token", kind="requests", query=".schemas:ServicesQuery",
           summary=f"{SPEC} GET service_request_id from a token: always 404 (requests are filed at once and the "
                   "POST answer carries the service_request_id; no token is ever issued)")
def _token(call: Open311Call):
    _county(call)
    raise service.Open311Error(404, "没有这个 token：本接口即时受理，POST requests 直接返回 service_request_id，"
                                    "不发放 token", "token_unknown")


# --- filing: the client's API key ------------------------------------------------------------------------------------

def _file(call: Open311Call):
    fields = formats.parse_form(call.request)
    tenant = service.county((fields.get("jurisdiction_id") or [None])[0])
    _log_tenant(tenant)
    client = service.client_for(tenant, (fields.get("api_key") or [None])[0])
    idem_key = (call.request.headers or {}).get("idempotency-key")
    if idem_key is None:
        return service.file_request(tenant, client, fields)
    # A retry with the same Idempotency-Key and body returns the first answer (the project's convention; GeoReport
    # clients rarely send one). Scoped to the county and the client.
    from ..core.errors import BadRequest
    from ..core.tenancy import TenantContext

    if not http._IDEM_RE.match(idem_key):
        raise BadRequest("Idempotency-Key 格式不正确（8–128位字母、数字或 -_:.）", code="invalid_idempotency_key")
    spec = next(s for s in http.ROUTES if s.name == f"open311_post_requests_{call.fmt}")
    ctx = TenantContext(tenant_id=tenant, user_id=client.uid, identity="")
    answer = http._idempotent(spec, ctx, idem_key, call.request.raw_body or b"",
                              lambda: {"status": 201, "body": service.file_request(tenant, client, fields)},
                              bp.lambda_context)
    # a replayed answer comes back with its keys sorted: give them the spec's order again (XML elements are ordered)
    return [{k: item.get(k) for k in service.FILED_FIELDS} for item in answer["body"]]


georeport(f"{BASE}/requests.json", "POST", name="open311_post_requests_json", kind="requests", fmt="json",
          status=201,
          summary=f"{SPEC} POST Service Request (form-encoded, api_key required): files a case at once; answers "
                  "[{service_request_id, service_notice, account_id}]")(_file)
georeport(f"{BASE}/requests.xml", "POST", name="open311_post_requests_xml", kind="requests", fmt="xml", status=201,
          summary=f"{SPEC} POST Service Request (XML answer)")(_file)


# --- the county admin's API keys -------------------------------------------------------------------------------------

@endpoint(bp, "/open311/keys", "GET", name="list_open311_keys", tags=TAGS, response=".schemas:KeyList",
          permission="open311.keys",
          summary="The county's Open311 clients: name, daily allowance, when issued and by whom, last used")
def list_keys(call: Call):
    return {"items": service.list_keys(call.ctx)}


@endpoint(bp, "/open311/keys", "POST", name="issue_open311_key", tags=TAGS, body=".schemas:KeyIn",
          response=".schemas:NewKeyOut", status=201, permission="open311.keys",
          summary="Issue an API key to an Open311 client: the key is in this answer only (only its SHA-256 is "
                  "stored). Not idempotent on purpose: a replay would have to keep the key")
def issue_key(call: Call):
    return service.issue_key(call.ctx, call.body.name, call.body.per_day)


@endpoint(bp, "/open311/keys/{kid}", "DELETE", name="revoke_open311_key", tags=TAGS, status=204,
          permission="open311.keys", summary="Revoke a client's API key (at once); its cases stay")
def revoke_key(call: Call):
    service.revoke_key(call.ctx, call.params["kid"])
