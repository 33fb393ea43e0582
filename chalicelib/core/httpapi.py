"""API Gateway HTTP API (payload 2.0) in front of the Chalice app, which routes REST API (v1) events.

HTTP APIs cost US$1.00 per million requests against US$3.50 for REST APIs (bench/cost.py prices both), but Chalice
only deploys REST APIs. This adapter lets one Lambda function serve an HTTP API's `ANY /api/{proxy+}` routes:

- `rest_event(event, routes)` turns an HTTP API event into the REST event Chalice dispatches on: the route template
  (`resourcePath`) found by matching the raw path against the app's own route table, path parameters, query
  parameters, headers, the body, the caller's IP, and the Lambda authorizer's context where the token authorizer
  of the REST API puts it (`requestContext.authorizer`), so core.http reads the verified claims the same way;
- `rest_response(response)` folds Chalice's multi-value headers into the single-value headers HTTP APIs take;
- `authorize(event)` is the HTTP API Lambda authorizer (simple responses): the same token check and context as
  core.auth.authorizer's REST authorizer, cached by API Gateway per Authorization header.

Nothing here is imported by app.py's cold start unless the function is invoked through an HTTP API.
"""

from __future__ import annotations

import json
import re
from typing import Any

BASE_PATH = "/api"  # the HTTP API routes /api/{proxy+} to the function, as the REST API's stage "api" did
_PARAM = re.compile(r"\{([^}/]+)\}")


class Routes:
    """The app's route templates as regular expressions, most specific first (a literal segment beats a
    parameter: /cases/mine before /cases/{ref})."""

    def __init__(self, templates) -> None:
        def specificity(t: str) -> tuple:
            parts = t.strip("/").split("/")
            return (len(parts), [0 if _PARAM.fullmatch(p) else 1 for p in parts])

        self._compiled = []
        for t in sorted(set(templates), key=specificity, reverse=True):
            pattern = "^" + _PARAM.sub(lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(t).replace(r"\{", "{")
                                       .replace(r"\}", "}")) + "$"
            self._compiled.append((re.compile(pattern), t))

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        for rx, template in self._compiled:
            m = rx.match(path)
            if m:
                return template, m.groupdict()
        return None


def rest_event(event: dict, routes: Routes, base_path: str = BASE_PATH) -> dict | None:
    """The REST (v1) event for an HTTP API (2.0) event, or None when no route of the app matches the path."""
    ctx = event.get("requestContext") or {}
    http = ctx.get("http") or {}
    path = event.get("rawPath") or http.get("path") or "/"
    if base_path and (path == base_path or path.startswith(base_path + "/")):
        path = path[len(base_path):] or "/"
    found = routes.match(path)
    if found is None:
        return None
    template, params = found
    headers = dict(event.get("headers") or {})
    if event.get("cookies"):
        headers["cookie"] = "; ".join(event["cookies"])
    query = event.get("queryStringParameters") or None
    authorizer = ((ctx.get("authorizer") or {}).get("lambda")) or None
    rest_ctx = {
        "resourcePath": template, "httpMethod": http.get("method", "GET"), "path": base_path + path,
        "requestId": ctx.get("requestId", ""), "stage": ctx.get("stage", "$default"),
        "requestTimeEpoch": ctx.get("timeEpoch"), "domainName": ctx.get("domainName"),
        "identity": {"sourceIp": http.get("sourceIp"), "userAgent": http.get("userAgent")},
    }
    if authorizer is not None:
        rest_ctx["authorizer"] = dict(authorizer)
    return {
        "resource": template, "path": path, "httpMethod": http.get("method", "GET"), "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: v.split(",") for k, v in query.items()} if query else None,
        "pathParameters": params or None, "stageVariables": event.get("stageVariables"),
        "requestContext": rest_ctx, "body": event.get("body"), "isBase64Encoded": bool(event.get("isBase64Encoded")),
    }


def rest_response(response: dict) -> dict:
    """HTTP APIs take single-value headers: Chalice's multi-value ones are joined (Set-Cookie aside: none here)."""
    out = {k: v for k, v in response.items() if k != "multiValueHeaders"}
    headers = dict(response.get("headers") or {})
    for k, values in (response.get("multiValueHeaders") or {}).items():
        headers[k] = ",".join(str(v) for v in values)
    out["headers"] = headers
    return out


def not_found() -> dict:
    from .errors import NotFound

    e = NotFound("找不到该接口", code="not_found")
    return {"statusCode": e.status, "headers": {"Content-Type": "application/json; charset=utf-8"},
            "body": json.dumps(e.envelope(), ensure_ascii=False), "isBase64Encoded": False}


_routes: Routes | None = None


def handle(app, event: dict, context: Any) -> dict:
    """Serve an HTTP API event with the Chalice app (the function's entry point when behind an HTTP API)."""
    global _routes
    if _routes is None:
        _routes = Routes(app.routes)
    rest = rest_event(event, _routes)
    if rest is None:
        return not_found()
    return rest_response(app(rest, context))


def authorize(event: dict) -> dict:
    """HTTP API Lambda authorizer, simple response: {"isAuthorized", "context"}; the context is the REST
    authorizer's (tenant, uid, idn, grants, exp), read by core.http through `requestContext.authorizer`."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    raw = headers.get("authorization") or ""
    scheme, _, token = raw.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return {"isAuthorized": False}
    from .auth.tokens import verify_access
    from .errors import Unauthorized

    try:
        ctx = verify_access(token.strip())
    except Unauthorized:
        return {"isAuthorized": False}
    # No nulls in the context (API Gateway passes strings, numbers and booleans); core.http reads "" as none.
    return {"isAuthorized": True, "context": {
        "principalId": f"{ctx.tenant_id or '-'}:{ctx.user_id or ctx.identity[:12]}",
        "tenant": ctx.tenant_id or "", "uid": ctx.user_id or "", "idn": ctx.identity or "",
        "grants": json.dumps([g.to_json() for g in ctx.grants], ensure_ascii=False), "exp": ctx.expires}}


# --- Lambda entry points behind the HTTP API (infra/cqt_infra/front.py sets them as the functions' handlers) -------

def handler(event: dict, context: Any) -> dict:
    """The API function's (and the signin function's) handler: the Chalice app, served an HTTP API event."""
    from app import app  # the function's cold start imports the app here, as Lambda would for `app.app`

    return handle(app, event, context)


def authorizer(event: dict, context: Any) -> dict:
    """The authorizer function's handler: HTTP API Lambda authorizer, payload 2.0, simple responses."""
    return authorize(event)
