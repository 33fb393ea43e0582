"""The HTTP API adapter (core/httpapi.py): the app answers an API Gateway HTTP API (payload 2.0) event exactly as it
answers the REST event, with the HTTP API Lambda authorizer's context in place of the REST authorizer's."""

import base64
import json
import time
import uuid

import pytest

from tests.conftest import new_phone


@pytest.fixture
def http(app):
    from chalicelib.core import httpapi
    from devstack.events import lambda_context

    def call(method, path, body=None, token=None, headers=None, b64=False):
        path_only, _, qs = path.partition("?")
        h = {"content-type": "application/json", **(headers or {})}
        event = {"version": "2.0", "routeKey": "ANY /api/{proxy+}", "rawPath": "/api" + path_only,
                 "rawQueryString": qs, "headers": h,
                 "queryStringParameters": dict(p.split("=", 1) for p in qs.split("&")) if qs else None,
                 "requestContext": {"http": {"method": method, "path": "/api" + path_only, "sourceIp": "203.0.113.9",
                                             "userAgent": "pytest"},
                                    "requestId": uuid.uuid4().hex, "stage": "$default",
                                    "timeEpoch": int(time.time() * 1000)},
                 "isBase64Encoded": b64}
        if body is not None:
            raw = json.dumps(body, ensure_ascii=False)
            event["body"] = base64.b64encode(raw.encode()).decode() if b64 else raw
        if token is not None:
            h["authorization"] = f"Bearer {token}"
            verdict = httpapi.authorize({"headers": h})
            if not verdict["isAuthorized"]:
                return 401, None
            event["requestContext"]["authorizer"] = {"lambda": verdict["context"]}
        out = httpapi.handle(app, event, lambda_context("api_handler"))
        assert "multiValueHeaders" not in out
        return out["statusCode"], json.loads(out["body"]) if out.get("body") else None

    return call


def test_the_same_answers_as_through_the_rest_api(client, county, http):
    status, body = http("GET", "/health")
    assert status == 200 and body == client.get("/health").json
    home = county.household(members=2)
    _, session = county.villager(home["id"])
    tok = session["access_token"]
    assert http("GET", "/me", token=tok) == (200, client.get("/me", token=tok).json)
    # a path parameter, and a query string
    assert http("GET", f"/households/{home['id']}", token=tok) == (200, client.get(f"/households/{home['id']}",
                                                                                   token=tok).json)
    status, today = http("GET", f"/reports/today?household={home['id']}", token=tok)
    assert status == 200 and today["report"] is None
    # a body (also base64-encoded, as HTTP APIs send binary-safe bodies) with an idempotency key: sent once
    report = {"household": home["id"], "members": [{"member": m["id"], "colour": "green"} for m in home["members"]]}
    key = {"idempotency-key": new_phone() + "abc"}
    first = http("POST", "/reports", report, token=tok, headers=key, b64=True)
    again = http("POST", "/reports", report, token=tok, headers=key)
    assert first[0] == 201 and again == first
    assert http("GET", f"/reports/today?household={home['id']}", token=tok)[1]["report"]["id"] == first[1]["id"]


def test_a_literal_segment_wins_over_a_parameter(county, http):
    home = county.household(members=1)
    _, session = county.villager(home["id"])
    status, body = http("GET", "/cases/mine", token=session["access_token"])
    assert status == 200 and "items" in body  # not /cases/{ref} with ref="mine"


def test_refusals_keep_the_envelope(county, http):
    assert http("GET", "/me", token="not-a-token") == (401, None)  # the authorizer refuses: API Gateway's 401
    status, body = http("GET", "/no/such/route")
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body = http("GET", "/me")  # no authorizer context reached the function: never trusted
    assert status == 401 and body["error"]["code"] == "unauthorized"
    villager = county.villager(county.household(members=1)["id"])[1]["access_token"]
    status, body = http("POST", "/staff", {"phone": "x"}, token=villager)
    assert status == 403 and body["error"]["code"] == "forbidden_scope"


def test_routes_match_the_apps_templates(app):
    from chalicelib.core.httpapi import Routes

    routes = Routes(app.routes)
    assert routes.match("/households/abc123") == ("/households/{hid}", {"hid": "abc123"})
    assert routes.match("/cases/mine") == ("/cases/mine", {})
    assert routes.match("/party-links/h1") == ("/party-links/{hid}", {"hid": "h1"})
    assert routes.match("/households/a/b/c") is None
    for template in app.routes:  # every route is reachable by its own shape
        concrete = template.replace("{", "").replace("}", "")
        assert routes.match(concrete) is not None, template
