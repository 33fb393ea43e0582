"""One error envelope, bounded input, idempotent creation, and an OpenAPI document in step with the code."""

import json
from pathlib import Path

import pytest

from tests.conftest import ROOT, new_phone, unique, unique_id_number


def _envelope(r):
    assert set(r.json) == {"error"} and {"code", "message", "details"} <= set(r.json["error"]), r.json
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json["error"]["message"]), "message should be Chinese"
    return r.json["error"]


def test_bad_json_is_400(client, county):
    r = client.post("/places", raw="{not json", token=county.tokens["county_admin"])
    assert r.status_code == 400 and _envelope(r)["code"] == "invalid_json"


def test_json_that_is_not_an_object_is_422(client, county):
    r = client.post("/places", raw="[1, 2]", token=county.tokens["county_admin"])
    assert r.status_code == 422 and _envelope(r)["code"] == "invalid_body"


def test_wrong_types_and_unknown_fields_are_422_with_fields(client, county):
    r = client.post("/places", {"code": 330825001, "name": "x", "colour": "red"}, token=county.tokens["county_admin"])
    assert r.status_code == 422
    fields = {d["field"]: d["code"] for d in _envelope(r)["details"]}
    assert fields == {"code": "string_type", "colour": "extra_forbidden"}


def test_non_json_content_type_is_415(client, county):
    r = client.post("/places", raw="code=1", token=county.tokens["county_admin"],
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415 and _envelope(r)["code"] == "unsupported_media_type"


def test_oversized_body_is_413(client, county):
    r = client.post("/places", {"code": "1", "name": "x" * 70_000}, token=county.tokens["county_admin"])
    assert r.status_code == 413 and _envelope(r)["code"] == "payload_too_large"


@pytest.mark.parametrize("query", ["limit=101", "limit=0", "limit=abc", "colour=red", "cursor=%00garbage"])
def test_bad_queries(client, county, query):
    r = client.get(f"/places?{query}", token=county.tokens["county_admin"])
    assert r.status_code in (400, 422), r.json
    _envelope(r)


def test_path_parameters_cannot_smuggle_key_separators(client, county):
    r = client.get("/households/abc%23HH", token=county.tokens["county_admin"])
    assert r.status_code == 404
    _envelope(r)


def test_idempotent_retry_returns_the_first_answer_and_creates_once(client, county):
    key = f"test-{unique()}"
    body = {"code": county.village[:9] + "299", "name": "重试村"}
    first = client.post("/places", body, token=county.tokens["county_admin"], headers={"Idempotency-Key": key})
    again = client.post("/places", body, token=county.tokens["county_admin"], headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201 and first.json == again.json
    # Without the key the same body is a genuine second attempt, and the code is taken.
    third = client.post("/places", body, token=county.tokens["county_admin"])
    assert third.status_code == 409


def test_same_key_with_another_body_is_422(client, county):
    key = f"test-{unique()}"
    tok = county.tokens["county_admin"]
    assert client.post("/places", {"code": county.township[:6] + "091", "name": "甲"}, token=tok,
                       headers={"Idempotency-Key": key}).status_code == 201
    r = client.post("/places", {"code": county.township[:6] + "092", "name": "乙"}, token=tok,
                    headers={"Idempotency-Key": key})
    assert r.status_code == 422 and _envelope(r)["code"] == "idempotency_key_reused"


def test_a_failed_attempt_can_be_retried_with_the_same_key(client, county):
    key = f"test-{unique()}"
    tok = county.tokens["grid_worker"]
    bad = {"grid": county.grid, "address": "x", "members": [
        {"name": "甲", "relation": "户主", "id_number": "330825198001011230"}]}
    assert client.post("/households", bad, token=tok, headers={"Idempotency-Key": key}).status_code == 422
    good = {"grid": county.grid, "address": "x", "members": [
        {"name": "甲", "relation": "户主", "id_number": unique_id_number(county.code)}]}
    r = client.post("/households", good, token=tok, headers={"Idempotency-Key": f"{key}-2"})
    assert r.status_code == 201


def test_twenty_retries_create_one_household(client, county):
    """A phone on a weak signal retries: 20 sends of one creating POST make one household, same answer each time."""
    key = f"test-{unique()}"
    body = {"grid": county.grid, "address": "重试1号", "members": [
        {"name": "重试", "relation": "户主", "id_number": unique_id_number(county.code), "phone": new_phone()}]}
    answers = [client.post("/households", body, token=county.tokens["grid_worker"], headers={"Idempotency-Key": key})
               for _ in range(20)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.json["id"] for a in answers}) == 1
    listed = client.get(f"/households?place={county.grid}&limit=100", token=county.tokens["grid_worker"]).json
    assert sum(1 for h in listed["items"] if h["address"] == "重试1号") == 1


def test_openapi_is_served_and_in_step_with_the_code(client):
    r = client.get("/openapi.json")
    assert r.status_code == 200
    served = json.loads(r.body)
    committed = json.loads(Path(ROOT, "docs", "openapi.json").read_text("utf-8"))
    assert served == committed, "docs/openapi.json is stale: run `make openapi`"
    ops = {(m.upper(), p) for p, methods in served["paths"].items() for m in methods}
    from chalicelib.core.http import ROUTES

    assert ops == {(r.method, "/api" + r.path) for r in ROUTES}


# --- found by the fuzzer (tests/fuzz/test_schemathesis.py) ------------------------------------------------------

def test_an_empty_idempotency_key_is_malformed_not_absent(client, county):
    r = client.post("/places", {"code": county.township[:6] + "093", "name": "丙"},
                    token=county.tokens["county_admin"], headers={"Idempotency-Key": ""})
    assert r.status_code == 400 and _envelope(r)["code"] == "invalid_idempotency_key"


def test_body_values_are_taken_as_json_types_without_coercion(client, county):
    hid = county.household()["id"]
    r = client.post(f"/households/{hid}/invites", {"head": 0}, token=county.tokens["grid_worker"])
    assert r.status_code == 422 and {d["field"]: d["code"] for d in _envelope(r)["details"]} == {"head": "bool_type"}
    hh = county.household(members=1)
    report = {"household": hh["id"], "members": [{"member": hh["members"][0]["id"], "colour": "green"}],
              "outside": [{"from_place": "江西省上饶市", "count": "2"}]}
    r = client.post("/reports", report, token=county.tokens["grid_worker"])
    assert r.status_code == 422 and [d["code"] for d in _envelope(r)["details"]] == ["int_type"], r.json
    ok = client.post(f"/households/{hid}/invites", {"head": False}, token=county.tokens["grid_worker"])
    assert ok.status_code == 201, ok.json


def test_openapi_documents_optional_bodies_and_every_error_status(client):
    paths = json.loads(client.get("/openapi.json").body)["paths"]
    # A body whose fields are all optional may be left out (it is read as {}), and the document says so.
    assert paths["/api/households/{hid}/invites"]["post"]["requestBody"]["required"] is False
    assert paths["/api/places"]["post"]["requestBody"]["required"] is True
    # A refresh token no longer valid is 401 on the public refresh and sign-out routes.
    for path in ("/api/auth/refresh", "/api/auth/signout"):
        assert {"401", "403", "429"} <= set(paths[path]["post"]["responses"]), path
    # Per-person limits (tip-offs) and the gateway's throttling; bodies too large or not JSON.
    assert {"413", "415", "429"} <= set(paths["/api/tipoffs"]["post"]["responses"])
    assert "413" not in paths["/api/me"]["get"]["responses"]


def test_an_optional_body_may_be_left_out(client, county):
    r = client.post(f"/households/{county.household()['id']}/invites", token=county.tokens["grid_worker"])
    assert r.status_code == 201, r.json
