"""The platform operator's counties: onboarding, listing, disabling/enabling, module switches."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from chalicelib.core import clock
from chalicelib.core.clock import Clock, FrozenClock
from tests.conftest import last_code, new_county_code, new_phone

# The modules whose code has landed.
BUILT = {"daily_report": "每日上报", "scan_pass": "扫码通行", "tipoffs": "疫情举报", "snaps": "随手拍",
         "mailbox": "村民信箱", "errands": "网上代办",
         "notices": "通知公告", "boards": "红黑榜", "vanguard": "党员先锋", "recruitment": "智慧招聘",
         "volunteers": "紧急招募令", "lectures": "专题授课"}
DEFAULT_MODULES = tuple(BUILT)


def _error(r) -> dict:
    assert r.json is not None and set(r.json) == {"error"}, r.body
    err = r.json["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert _zh(err["message"]), err
    return err


def _zh(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text or "")


def _onboard(client, token, code=None, phone=None, **extra):
    body = {"code": code or new_county_code(), "name": "新开通县", "admin_phone": phone or new_phone(),
            "admin_name": "县管理员", **extra}
    return client.post("/counties", body, token=token)


@pytest.fixture
def freeze():
    c = FrozenClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    clock.set_clock(c)
    yield c
    clock.set_clock(Clock())


# --- onboarding -----------------------------------------------------------------------------------------------

def test_operator_onboards_a_county_and_its_admin_can_sign_in(client, operator_token):
    code, phone = new_county_code(), new_phone()
    r = _onboard(client, operator_token, code, phone)
    assert r.status_code == 201, r.json
    c = r.json
    assert c["code"] == code and c["name"] == "新开通县" and c["status"] == "active"
    assert sorted(c["modules"]) == sorted(DEFAULT_MODULES) and c["created_at"] and c["updated_at"]
    got = client.get(f"/counties/{code}", token=operator_token)
    assert got.status_code == 200 and got.json["code"] == code and got.json["status"] == "active"
    # The first admin can sign in to the new county.
    s = client.sign_in(phone)
    assert s["tenant"] == code and s["roles"] == ["county_admin"]
    me = client.get("/me", token=s["access_token"]).json
    assert me["county_name"] == "新开通县"
    assert [(g["role"], g["place"]) for g in me["grants"]] == [("county_admin", code)]
    assert sorted(me["modules"]) == sorted(DEFAULT_MODULES)
    # A new county indexes its people with its own blind-index key from the start (no older index to try).
    from chalicelib.households import reindex

    assert reindex.done(code)


def test_onboard_with_chosen_modules(client, operator_token):
    r = _onboard(client, operator_token, modules=["tipoffs", "daily_report", "tipoffs"])
    assert r.status_code == 201, r.json
    assert r.json["modules"] == ["daily_report", "tipoffs"]


def test_modules_not_built_are_not_offered(client, operator_token):
    """Onboarding offers only what is built: a module whose code has not landed is refused, not stored."""
    code = new_county_code()
    r = _onboard(client, operator_token, code, modules=["daily_report", "training", "backoffice"])
    assert r.status_code == 422, r.json
    err = _error(r)
    assert [d["field"] for d in err["details"]] == ["modules"]
    assert "training" in err["details"][0]["message"] and "backoffice" in err["details"][0]["message"]
    assert client.get(f"/counties/{code}", token=operator_token).status_code == 404


def test_switches_stored_for_modules_that_do_not_exist_give_nothing(client, operator_token, county):
    """A county record written before the catalogue was trimmed (training, backoffice switched on ahead of their
    code) counts only what its people actually get, in the county list and in /me."""
    from chalicelib.core import counties

    c = counties.get(county.code, fresh=True)
    c.modules = ["daily_report", "backoffice", "training", "tipoffs"]
    c.save()
    counties.forget(county.code)
    assert client.get(f"/counties/{county.code}", token=operator_token).json["modules"] == ["daily_report", "tipoffs"]
    listed = {x["code"]: x for x in client.get("/counties?limit=100", token=operator_token).json["items"]}
    if county.code in listed:
        assert listed[county.code]["modules"] == ["daily_report", "tipoffs"]
    assert client.get("/me", token=county.tokens["grid_worker"]).json["modules"] == ["daily_report", "tipoffs"]


@pytest.mark.parametrize("code, message", [
    ("12345", "内容过短"),
    ("1234567", "内容过长"),
    ("990101", "行政区划代码的省级部分无效"),  # 99 is no province
    ("330800", "应为县级（区、县、县级市）行政区划代码"),  # a prefecture, not a county
    ("330000", "应为县级（区、县、县级市）行政区划代码"),  # a province
    ("abcdef", "县级行政区划代码应为6位数字"),
])
def test_invalid_county_codes_are_422_in_chinese(client, operator_token, code, message):
    r = _onboard(client, operator_token, code)
    assert r.status_code == 422, r.json
    err = _error(r)
    assert err["code"] == "validation_failed"
    assert [(d["field"], d["message"]) for d in err["details"]] == [("code", message)]
    assert all(_zh(d["message"]) for d in err["details"])
    assert client.get(f"/counties/{code}", token=operator_token).status_code in (404, 422)


def test_municipality_district_code_is_accepted(client, operator_token):
    r = _onboard(client, operator_token, "110105")  # 北京市朝阳区
    assert r.status_code == 201, r.json


def test_invalid_onboard_bodies_are_422(client, operator_token):
    r = _onboard(client, operator_token, phone="12345")
    assert r.status_code == 422 and [d["field"] for d in _error(r)["details"]] == ["admin_phone"]
    r = _onboard(client, operator_token, modules=["snap", "teleport"])
    assert r.status_code == 422
    assert any("teleport" in d["message"] for d in _error(r)["details"])
    r = client.post("/counties", {"code": new_county_code(), "name": "县", "admin_phone": new_phone(),
                                  "admin_name": "x", "colour": "red"}, token=operator_token)
    assert r.status_code == 422
    assert {d["field"] for d in _error(r)["details"]} == {"name", "colour"}


def test_duplicate_county_is_409(client, operator_token):
    code = new_county_code()
    assert _onboard(client, operator_token, code).status_code == 201
    r = _onboard(client, operator_token, code)
    assert r.status_code == 409 and _error(r)["code"] == "county_exists"
    # Nothing of the second attempt is left behind: its admin belongs to no county.
    phone = new_phone()
    r = _onboard(client, operator_token, code, phone)
    assert r.status_code == 409
    s = client.sign_in(phone)
    assert s["tenant"] is None and s["memberships"] == []


def test_non_operator_cannot_manage_counties(client, county, other_county):
    admin = county.tokens["county_admin"]
    r = _onboard(client, admin)
    assert r.status_code == 403 and _error(r)
    assert client.get("/counties", token=admin).status_code == 403
    assert client.get(f"/counties/{other_county.code}", token=admin).status_code == 403
    assert client.post(f"/counties/{other_county.code}/disable", token=admin).status_code == 403
    assert client.post(f"/counties/{county.code}/disable", token=admin).status_code == 403
    assert client.put(f"/counties/{county.code}/modules", {"modules": ["tipoffs"]}, token=admin).status_code == 403
    assert client.get("/me", token=other_county.tokens["county_admin"]).status_code == 200  # still active
    # Signed-out callers are refused too.
    assert client.get("/counties").status_code == 401
    assert client.post("/counties", {"code": new_county_code()}).status_code == 401


def test_unknown_county_is_404(client, operator_token):
    code = new_county_code()
    for r in (client.get(f"/counties/{code}", token=operator_token),
              client.post(f"/counties/{code}/disable", token=operator_token),
              client.put(f"/counties/{code}/modules", {"modules": []}, token=operator_token)):
        assert r.status_code == 404 and _error(r)["code"] == "not_found"


# --- listing --------------------------------------------------------------------------------------------------

def test_list_counties_pages_with_a_signed_cursor(client, operator_token, county, other_county):
    r = client.get("/counties?limit=1", token=operator_token)
    assert r.status_code == 200, r.json
    first = r.json
    assert len(first["items"]) == 1 and first["next_cursor"]
    r = client.get(f"/counties?limit=1&cursor={first['next_cursor']}", token=operator_token)
    assert r.status_code == 200, r.json
    second = r.json
    assert len(second["items"]) == 1 and second["items"][0]["code"] != first["items"][0]["code"]

    # Walking every page sees each county once, including both of this test's.
    seen, cursor = [], None
    while True:
        q = "/counties?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(q, token=operator_token).json
        seen += [c["code"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen))
    assert {county.code, other_county.code} <= set(seen)
    assert seen[:2] == [first["items"][0]["code"], second["items"][0]["code"]]


def _tamper(cursor: str) -> list[str]:
    body, sig = cursor.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    for k, v in payload["k"].items():
        if isinstance(v, dict) and "S" in v and k.endswith("sk"):
            v["S"] = "000000"
    forged = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    flipped_sig = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    return [forged.decode().rstrip("=") + "." + sig, body + "." + flipped_sig, "garbage", body, "a.b.c"]


def test_tampered_cursor_is_400(client, operator_token, county, other_county):
    cursor = client.get("/counties?limit=1", token=operator_token).json["next_cursor"]
    assert cursor
    for bad in _tamper(cursor):
        r = client.get(f"/counties?limit=1&cursor={bad}", token=operator_token)
        assert r.status_code == 400, (bad, r.json)
        assert _error(r)["code"] == "invalid_cursor"


def test_list_counties_by_status(client, operator_token, county):
    assert client.post(f"/counties/{county.code}/disable", token=operator_token).status_code == 200
    try:
        codes, cursor = set(), None
        while True:
            q = "/counties?status=disabled&limit=100" + (f"&cursor={cursor}" if cursor else "")
            page = client.get(q, token=operator_token).json
            assert all(c["status"] == "disabled" for c in page["items"])
            codes |= {c["code"] for c in page["items"]}
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert county.code in codes
        assert client.get("/counties?status=deleted", token=operator_token).status_code == 422
    finally:
        client.post(f"/counties/{county.code}/enable", token=operator_token)


# --- disabling ------------------------------------------------------------------------------------------------

def test_disabled_county_is_shut_out_and_comes_back_intact(client, operator_token, county, other_county, freeze):
    admin, worker = county.tokens["county_admin"], county.tokens["grid_worker"]
    hh = county.household()
    staff_phone = new_phone()
    r = client.post("/staff", {"phone": staff_phone, "name": "待登录", "role": "grid_worker_part",
                               "place": county.grid2}, token=admin)
    assert r.status_code == 201, r.json
    session = client.sign_in(staff_phone, county.code)
    invite = client.post(f"/households/{hh['id']}/invites", {}, token=worker).json["code"]

    r = client.post(f"/counties/{county.code}/disable", token=operator_token)
    assert r.status_code == 200 and r.json["status"] == "disabled"
    assert client.get(f"/counties/{county.code}", token=operator_token).json["status"] == "disabled"

    # Every route of the county answers 403 county_disabled, saying which county and whom to contact (the
    # operator's default until the county has a contact of its own).
    suspended = {"county": county.code, "county_name": f"测试县{county.code}", "contact": "请联系县级管理员",
                 "since": freeze.now().strftime("%Y-%m-%dT%H:%M:%SZ")}

    def is_suspended(r, what):
        assert r.status_code == 403, (what, r.json)
        err = _error(r)
        assert err["code"] == "county_disabled" and err["message"] == "本县服务已暂停", (what, err)
        assert err["details"] == suspended, (what, err)

    for token, path in ((admin, "/me"), (worker, "/me"), (session["access_token"], "/me"),
                        (admin, "/staff"), (admin, "/places"), (worker, f"/households/{hh['id']}"),
                        (admin, f"/coverage?place={county.village}"), (worker, "/reports/today?household="
                                                                               + hh["id"])):
        is_suspended(client.get(path, token=token), path)
    is_suspended(client.post("/places", {"code": county.township[:-3] + "009", "name": "新乡镇"}, token=admin),
                 "POST /places")
    # Refreshing is refused with 403, and the refresh token is not used up by the refusal.
    is_suspended(client.post("/auth/refresh", {"refresh_token": session["refresh_token"]}), "refresh")
    # Signing in is refused with 403 (a code can be re-sent only after 60 s: move the clock).
    freeze.advance(seconds=61)
    assert client.post("/auth/code", {"phone": staff_phone}).status_code == 202
    is_suspended(client.post("/auth/token", {"phone": staff_phone, "code": last_code(staff_phone)}), "sign-in")
    # The contact is the county's own once the operator sets it.
    r = client.patch(f"/counties/{county.code}", {"contact": "测试县大数据局 0570-7000001"}, token=operator_token)
    assert r.status_code == 200 and r.json["contact"] == "测试县大数据局 0570-7000001", r.json
    suspended["contact"] = "测试县大数据局 0570-7000001"
    is_suspended(client.get("/me", token=admin), "/me after the contact was set")
    # Redeeming an invite code of a suspended county says so too.
    newcomer = client.sign_in(new_phone())["access_token"]
    is_suspended(client.post("/links", {"code": invite}, token=newcomer), "POST /links")

    # The other county goes on as before.
    other = other_county.tokens["county_admin"]
    assert client.get("/me", token=other).status_code == 200
    assert client.get("/staff", token=other).status_code == 200
    assert client.get("/me", token=other_county.tokens["grid_worker"]).status_code == 200

    # Re-enabled: the same tokens work, the data is all there.
    r = client.post(f"/counties/{county.code}/enable", token=operator_token)
    assert r.status_code == 200 and r.json["status"] == "active"
    assert client.get("/me", token=admin).status_code == 200
    got = client.get(f"/households/{hh['id']}", token=worker)
    assert got.status_code == 200 and got.json["id"] == hh["id"]
    assert len(got.json["members"]) == len(hh["members"])
    staff = client.get("/staff?limit=100", token=admin).json["items"]
    assert {s["phone"] for s in staff} >= {f"{staff_phone[:3]}****{staff_phone[-4:]}"}
    places = client.get(f"/places?parent={county.village}", token=admin).json["items"]
    assert {p["code"] for p in places} == {county.grid, county.grid2}
    r = client.post("/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert r.status_code == 200 and r.json["tenant"] == county.code
    freeze.advance(seconds=61)
    assert client.sign_in(staff_phone)["tenant"] == county.code


def test_disable_and_enable_are_idempotent(client, operator_token, county):
    for _ in range(2):
        r = client.post(f"/counties/{county.code}/disable", token=operator_token)
        assert r.status_code == 200 and r.json["status"] == "disabled"
    for _ in range(2):
        r = client.post(f"/counties/{county.code}/enable", token=operator_token)
        assert r.status_code == 200 and r.json["status"] == "active"
    assert client.get("/me", token=county.tokens["county_admin"]).status_code == 200


# --- modules --------------------------------------------------------------------------------------------------

def test_module_switches(client, operator_token, county, other_county):
    before = client.get("/me", token=other_county.tokens["county_admin"]).json["modules"]
    r = client.put(f"/counties/{county.code}/modules", {"modules": ["tipoffs", "daily_report"]},
                   token=operator_token)
    assert r.status_code == 200, r.json
    assert r.json["modules"] == ["daily_report", "tipoffs"]
    for role in ("county_admin", "grid_worker", "village_admin"):
        me = client.get("/me", token=county.tokens[role])
        assert me.status_code == 200 and me.json["modules"] == ["daily_report", "tipoffs"], role
    assert client.get("/me", token=other_county.tokens["county_admin"]).json["modules"] == before

    # Switching everything off is allowed.
    r = client.put(f"/counties/{county.code}/modules", {"modules": []}, token=operator_token)
    assert r.status_code == 200 and r.json["modules"] == []
    assert client.get("/me", token=county.tokens["county_admin"]).json["modules"] == []


def test_unknown_module_is_422(client, operator_token, county):
    before = client.get(f"/counties/{county.code}", token=operator_token).json["modules"]
    r = client.put(f"/counties/{county.code}/modules", {"modules": ["tipoffs", "teleport"]}, token=operator_token)
    assert r.status_code == 422, r.json
    err = _error(r)
    assert err["code"] == "validation_failed"
    assert [d["field"] for d in err["details"]] == ["modules"]
    assert "未知模块" in err["details"][0]["message"] and "teleport" in err["details"][0]["message"]
    for bad in ({"modules": "tipoffs"}, {}, {"modules": [1]}, {"modules": ["tipoffs"], "extra": 1}):
        assert client.put(f"/counties/{county.code}/modules", bad, token=operator_token).status_code == 422, bad
    assert client.get(f"/counties/{county.code}", token=operator_token).json["modules"] == before


def test_module_catalogue_is_public(client):
    r = client.get("/modules")
    assert r.status_code == 200, r.json
    items = r.json["items"]
    assert {i["id"]: i["name"] for i in items} == BUILT
    assert all(_zh(i["name"]) and i["name_en"] and i["icon"] and _zh(i["summary"]) and i["built"] for i in items)


def test_operator_edits_a_county_name_and_contact(client, operator_token, county):
    r = client.patch(f"/counties/{county.code}", {"contact": "县大数据局　０５７０－７０１２３４５"},
                     token=operator_token)
    assert r.status_code == 200, r.json
    assert r.json["contact"] == "县大数据局 0570－7012345"  # full-width digits and space folded, punctuation kept
    assert r.json["name"] == f"测试县{county.code}"
    r = client.patch(f"/counties/{county.code}", {"name": "改名县"}, token=operator_token)
    assert r.status_code == 200 and r.json["name"] == "改名县" and r.json["contact"].startswith("县大数据局")
    for bad in ({"contact": "x"}, {"contact": "热线\u202e5432"}, {"code": "330825"}, {"name": ""}):
        r = client.patch(f"/counties/{county.code}", bad, token=operator_token)
        assert r.status_code == 422, (bad, r.json)
    assert client.patch(f"/counties/{county.code}", {"name": "越权"}, token=county.tokens["county_admin"]) \
        .status_code == 403
