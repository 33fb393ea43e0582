"""Input that comes from real offices and phones (issue 11 §11–12): full-width digits, invisible characters and
hostile shapes, through the API as a client sends them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import new_phone, unique_id_number

FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _error(r) -> dict:
    assert r.json is not None and set(r.json) == {"error"}, r.body
    return r.json["error"]


def _household(county, idno: str, phone: str | None = None, name: str = "全角户主"):
    return {"grid": county.grid, "address": "全角测试３号",
            "members": [{"name": name, "relation": "户主", "id_number": idno, **({"phone": phone} if phone else {})}]}


def test_a_full_width_id_number_is_the_same_person_as_its_ascii_form(client, county):
    """Typed with a Chinese IME in full-width mode, the ID and phone are stored in their one ASCII form: the same
    person cannot be registered twice under two spellings."""
    worker = county.tokens["grid_worker"]
    idno, phone = unique_id_number(county.code), new_phone()
    r = client.post("/households", _household(county, idno.translate(FULL), phone.translate(FULL)), token=worker)
    assert r.status_code == 201, r.json
    hh = r.json
    assert hh["address"] == "全角测试3号"
    got = client.get(f"/households/{hh['id']}", token=worker).json  # the grid worker sees the full numbers
    assert got["members"][0]["id_number"] == idno and got["members"][0]["phone"] == phone
    r = client.post("/households", _household(county, idno), token=worker)  # the ASCII spelling: a duplicate
    assert r.status_code == 409 and _error(r)["code"] == "duplicate_id_number", r.json
    r = client.post("/households", _household(county, " ".join([idno[:6], idno[6:14], idno[14:]])), token=worker)
    assert r.status_code == 409 and _error(r)["code"] == "duplicate_id_number", r.json


def test_full_width_place_codes_in_bodies_and_queries_are_the_codes(client, county):
    admin = county.tokens["county_admin"]
    code = county.village[:9] + "288"
    r = client.post("/places", {"code": code.translate(FULL), "name": "全角村"}, token=admin)
    assert r.status_code == 201 and r.json["code"] == code, r.json
    r = client.get(f"/places/{code}", token=admin)
    assert r.status_code == 200 and r.json["name"] == "全角村"
    r = client.get(f"/places?parent={county.township.translate(FULL)}", token=admin)
    assert r.status_code == 200 and code in {p["code"] for p in r.json["items"]}, r.json


@pytest.mark.parametrize("name", ["张\u202e三", "李\u200b四", "王\x00五", "赵\u2066六"])
def test_names_with_control_bidi_or_zero_width_characters_are_refused(client, county, name):
    r = client.post("/households", _household(county, unique_id_number(county.code), name=name),
                    token=county.tokens["grid_worker"])
    assert r.status_code == 422, r.json
    err = _error(r)
    assert [d["field"] for d in err["details"]] == ["members.0.name"], err
    assert "不可见字符" in err["details"][0]["message"]


def test_free_text_keeps_line_breaks_but_refuses_bidi_overrides(client, county):
    admin = county.tokens["county_admin"]
    r = client.post("/places", {"code": county.village[:9] + "287", "name": "村\u202e名"}, token=admin)
    assert r.status_code == 422 and _error(r)["details"][0]["field"] == "name", r.json


@pytest.mark.parametrize("raw, code", [
    ('{"a":' + "[" * 5000 + "]" * 5000 + "}", "body_too_deep"),
    ('{"a":' + "[" * 200_000 + "]" * 200_000 + "}", "payload_too_large"),
    (json.dumps({"members": [0] * 6000}), "body_too_many_elements"),
    (json.dumps({"members": [{"x": [{"y": [{"z": [[[[[[[[[[[[[[1]]]]]]]]]]]]]]}]}]}]}), "body_too_deep"),
])
def test_no_body_shape_produces_a_5xx(client, county, raw, code):
    r = client.post("/households", raw=raw, token=county.tokens["grid_worker"])
    assert r.status_code in (413, 422), (r.status_code, r.body[:200])
    assert _error(r)["code"] == code


def test_lone_surrogates_are_a_4xx(client, county):
    r = client.post("/places", raw='{"code":"330825001299","name":"\\ud800"}', token=county.tokens["county_admin"])
    assert r.status_code == 422 and _error(r)["details"][0]["field"] == "name", r.json


def test_text_that_grows_under_nfkc_is_a_4xx_or_stored_never_a_5xx(client, county):
    """NFKC turns one ﷺ into 18 characters: lengths are checked after canonicalising, and keys built from such
    text stay within DynamoDB's limits (a 503 here would make a client retry forever)."""
    worker = county.tokens["grid_worker"]
    wide = "\ufdfa"
    r = client.post("/households", _household(county, unique_id_number(county.code), name=wide * 40), token=worker)
    assert r.status_code == 422 and _error(r)["details"][0]["field"] == "members.0.name", r.json
    r = client.post("/households", {**_household(county, unique_id_number(county.code)), "ref": wide * 40},
                    token=worker)
    assert r.status_code == 422 and _error(r)["details"][0]["field"] == "ref", r.json
    r = client.post("/households", {**_household(county, unique_id_number(county.code)), "address": wide * 100},
                    token=worker)
    assert r.status_code == 201, r.json
    r = client.put(f"/households/{r.json['id']}", {"address": wide * 99 + "号"}, token=worker)
    assert r.status_code == 200, r.json
    r = client.get("/members?q=" + wide * 30, token=county.tokens["village_admin"])
    assert r.status_code == 422, r.json


def test_a_household_number_is_stored_in_its_one_canonical_spelling(client, county):
    worker = county.tokens["grid_worker"]
    r = client.post("/households", {**_household(county, unique_id_number(county.code)), "ref": "ｈｈ－７"},
                    token=worker)
    assert r.status_code == 201 and r.json["ref"] == "HH-7", r.json
