"""Staff: invited by phone with a role at a place by someone allowed to, listed with masked phones, removed."""

from __future__ import annotations

import re

import pytest

from chalicelib.core.notify import sms
from tests.conftest import dynamodb_calls, new_phone

MASKED = re.compile(r"^1\d{2}\*{4}\d{4}$")


def _error(r) -> dict:
    assert r.json is not None and set(r.json) == {"error"}, r.body
    err = r.json["error"]
    assert set(err) == {"code", "message", "details"}, err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err["message"]), err
    return err


def _mask(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}"


def _invite(client, token, role, place, phone=None, name="新同事"):
    return client.post("/staff", {"phone": phone or new_phone(), "name": name, "role": role, "place": place},
                       token=token)


def _place(client, county, code, name="地点"):
    r = client.post("/places", {"code": code, "name": name}, token=county.tokens["county_admin"])
    assert r.status_code == 201, r.json
    return code


def _all_staff(client, token, place=None) -> list[dict]:
    items, cursor = [], None
    while True:
        q = "/staff?limit=100" + (f"&place={place}" if place else "") + (f"&cursor={cursor}" if cursor else "")
        r = client.get(q, token=token)
        assert r.status_code == 200, r.json
        items += r.json["items"]
        cursor = r.json["next_cursor"]
        if not cursor:
            return items


@pytest.fixture
def second_township(client, county):
    """Another township of the county, with a village and a grid."""
    township = _place(client, county, county.code + "002", "第二街道")
    village = _place(client, county, township + "201", "第二街道某村")
    grid = _place(client, county, village + "G01", "某村第一网格")
    return township, village, grid


# --- inviting -------------------------------------------------------------------------------------------------

def test_county_admin_invites_and_the_invited_person_signs_in_with_the_role(client, county):
    phone = new_phone()
    r = _invite(client, county.tokens["county_admin"], "village_admin", county.village, phone, "李四")
    assert r.status_code == 201, r.json
    out = r.json
    assert out["id"] and out["name"] == "李四" and out["status"] == "active"
    assert out["phone"] == _mask(phone) and MASKED.match(out["phone"])
    assert out["grants"] == [{"role": "village_admin", "role_name": "村情通管理员", "place": county.village,
                              "place_name": "测试村"}]  # the place's name, not only its code

    texts = [m["text"] for m in sms().messages(phone)]
    assert len(texts) == 1 and "村情通管理员" in texts[0]

    s = client.sign_in(phone)
    assert s["tenant"] == county.code and s["user_id"] == out["id"] and s["roles"] == ["village_admin"]
    me = client.get("/me", token=s["access_token"]).json
    assert me["name"] == "李四" and me["phone"] == _mask(phone)
    assert [(g["role"], g["place"], g["role_name"]) for g in me["grants"]] == \
        [("village_admin", county.village, "村情通管理员")]


@pytest.mark.parametrize("role, place_attr", [
    ("township_official", "township"),
    ("checkpoint_staff", "village"),
    ("grid_leader", "grid"),
    ("grid_instructor", "grid2"),
    ("epidemic_command", "code"),
    ("county_admin", "code"),
])
def test_county_admin_places_each_role_at_its_level(client, county, role, place_attr):
    place = getattr(county, place_attr)
    r = _invite(client, county.tokens["county_admin"], role, place)
    assert r.status_code == 201, r.json
    assert [(g["role"], g["place"]) for g in r.json["grants"]] == [(role, place)]


@pytest.mark.parametrize("role, place_attr", [
    ("grid_worker", "village"),
    ("grid_worker", "township"),
    ("village_admin", "grid"),
    ("village_admin", "township"),
    ("township_official", "village"),
    ("township_official", "code"),
    ("county_admin", "township"),
    ("checkpoint_staff", "grid"),
])
def test_role_at_the_wrong_level_is_422(client, county, role, place_attr):
    phone = new_phone()
    r = _invite(client, county.tokens["county_admin"], role, getattr(county, place_attr), phone)
    assert r.status_code == 422, r.json
    err = _error(r)
    assert [(d["field"], d["code"]) for d in err["details"]] == [("place", "wrong_level")]
    assert sms().messages(phone) == []


def test_unknown_place_is_422(client, county):
    admin = county.tokens["county_admin"]
    for role, place in (("grid_worker", county.village + "G09"), ("village_admin", county.township + "299"),
                        ("township_official", county.code + "009"), ("grid_leader", county.code + "009201G01")):
        phone = new_phone()
        r = _invite(client, admin, role, place, phone)
        assert r.status_code == 422, (role, place, r.json)
        assert [(d["field"], d["code"]) for d in _error(r)["details"]] == [("place", "unknown_place")]
        assert sms().messages(phone) == []


def test_place_of_another_county_is_422(client, county, other_county):
    admin = county.tokens["county_admin"]
    for role, place in (("village_admin", other_county.village), ("grid_worker", other_county.grid),
                        ("county_admin", other_county.code)):
        r = _invite(client, admin, role, place)
        assert r.status_code == 422, (role, place, r.json)
        assert [(d["field"], d["code"]) for d in _error(r)["details"]] == [("place", "outside_county")]
    # And nobody turned up in the other county.
    phones = {s["phone"] for s in _all_staff(client, other_county.tokens["county_admin"])}
    assert len(phones) == len(other_county.phones)


@pytest.mark.parametrize("body, field", [
    ({"phone": "12345", "name": "x", "role": "grid_worker", "place": "330825001201G01"}, "phone"),
    ({"phone": "13800001234", "name": "", "role": "grid_worker", "place": "330825001201G01"}, "name"),
    ({"phone": "13800001234", "name": "x", "role": "platform_operator", "place": "330825"}, "role"),
    ({"phone": "13800001234", "name": "x", "role": "villager", "place": "330825001201G01"}, "role"),
    ({"phone": "13800001234", "name": "x", "role": "grid_worker", "place": "33082500120"}, "place"),
])
def test_invalid_invite_bodies_are_422(client, county, body, field):
    r = client.post("/staff", body, token=county.tokens["county_admin"])
    assert r.status_code == 422, r.json
    assert [d["field"] for d in _error(r)["details"]] == [field]


def test_township_official_invites_within_their_township_only(client, county, second_township):
    official = county.tokens["township_official"]
    r = _invite(client, official, "village_admin", county.village)
    assert r.status_code == 201, r.json
    r = _invite(client, official, "grid_worker", county.grid)
    assert r.status_code == 201, r.json

    phone = new_phone()
    r = _invite(client, official, "county_admin", county.code, phone)
    assert r.status_code == 403 and _error(r)["code"] == "forbidden_scope"
    r = _invite(client, official, "township_official", county.township, phone)
    assert r.status_code == 403 and _error(r)["code"] == "forbidden_scope"
    _, other_village, other_grid = second_township
    r = _invite(client, official, "village_admin", other_village, phone)
    assert r.status_code == 403 and _error(r)["code"] == "forbidden_scope"
    r = _invite(client, official, "grid_worker", other_grid, phone)
    assert r.status_code == 403 and _error(r)["code"] == "forbidden_scope"
    assert sms().messages(phone) == []


def test_village_admin_invites_grid_roles_in_their_village_only(client, county):
    admin = county.tokens["village_admin"]
    for role, place in (("grid_worker", county.grid), ("grid_leader", county.grid2),
                        ("grid_worker_part", county.grid), ("checkpoint_staff", county.village)):
        r = _invite(client, admin, role, place)
        assert r.status_code == 201, (role, r.json)

    other_village = _place(client, county, county.township + "202", "邻村")
    other_grid = _place(client, county, other_village + "G01", "邻村网格")
    phone = new_phone()
    for role, place in (("grid_worker", other_grid), ("village_admin", county.village),
                        ("village_admin", other_village), ("township_official", county.township)):
        r = _invite(client, admin, role, place, phone)
        assert r.status_code == 403, (role, place, r.json)
        assert _error(r)["code"] == "forbidden_scope"
    assert sms().messages(phone) == []


@pytest.mark.parametrize("role", ["grid_worker", "epidemic_command"])
def test_roles_without_invite_rights_cannot_invite(client, county, role):
    phone = new_phone()
    for invite_role, place in (("grid_worker_part", county.grid), ("grid_leader", county.grid2)):
        r = _invite(client, county.tokens[role], invite_role, place, phone)
        assert r.status_code == 403, r.json
        assert _error(r)["code"] == "forbidden_scope"
    assert sms().messages(phone) == []


def test_inviting_the_same_phone_again_adds_the_role_to_the_same_person(client, county):
    phone = new_phone()
    admin = county.tokens["county_admin"]
    first = _invite(client, admin, "grid_worker", county.grid, phone).json
    again = _invite(client, admin, "grid_worker", county.grid, phone)
    assert again.status_code == 201 and again.json["id"] == first["id"] and len(again.json["grants"]) == 1
    more = _invite(client, admin, "checkpoint_staff", county.village, phone)
    assert more.status_code == 201 and more.json["id"] == first["id"]
    assert {(g["role"], g["place"]) for g in more.json["grants"]} == \
        {("grid_worker", county.grid), ("checkpoint_staff", county.village)}
    s = client.sign_in(phone)
    assert s["roles"] == ["checkpoint_staff", "grid_worker"]


# --- listing --------------------------------------------------------------------------------------------------

def test_list_staff_by_place_with_masked_phones(client, county):
    admin = county.tokens["county_admin"]
    phones = {}
    for role, place in (("grid_leader", county.grid), ("grid_worker_part", county.grid2)):
        phone = new_phone()
        assert _invite(client, admin, role, place, phone).status_code == 201
        phones[place] = phone

    everyone = _all_staff(client, admin)
    assert len(everyone) == len(county.phones) + 2
    assert all(MASKED.match(s["phone"]) for s in everyone), everyone
    raw = client.get("/staff?limit=100", token=admin).body.decode()
    assert not any(p in raw for p in list(county.phones.values()) + list(phones.values()))  # no full number
    assert {s["phone"] for s in everyone} == {_mask(p) for p in list(county.phones.values()) + list(phones.values())}

    grid = _all_staff(client, admin, county.grid)
    assert {s["phone"] for s in grid} == {_mask(phones[county.grid]), _mask(county.phones["grid_worker"])}
    assert all(g["place"].startswith(county.grid) for s in grid for g in s["grants"])
    village = _all_staff(client, admin, county.village)
    assert {s["phone"] for s in village} == {_mask(phones[county.grid]), _mask(phones[county.grid2]),
                                             _mask(county.phones["grid_worker"]),
                                             _mask(county.phones["village_admin"])}
    township = _all_staff(client, county.tokens["township_official"], county.township)
    assert len(township) == len(village) + 1

    page = client.get(f"/staff?place={county.village}&limit=1", token=admin)
    assert page.status_code == 200 and len(page.json["items"]) == 1 and page.json["next_cursor"]


def test_list_staff_is_scoped(client, county, other_county, second_township):
    township, _, _ = second_township
    r = client.get(f"/staff?place={county.village}", token=county.tokens["grid_worker"])
    assert r.status_code == 403 and _error(r)["code"] == "forbidden_scope"
    r = client.get("/staff", token=county.tokens["village_admin"])  # defaults to the whole county
    assert r.status_code == 403
    r = client.get(f"/staff?place={township}", token=county.tokens["township_official"])
    assert r.status_code == 403
    r = client.get(f"/staff?place={other_county.village}", token=county.tokens["county_admin"])
    assert r.status_code == 403
    r = client.get(f"/staff?place={county.village}", token=county.tokens["village_admin"])
    assert r.status_code == 200


# --- removing -------------------------------------------------------------------------------------------------

def test_remove_staff_revokes_their_sessions_and_takes_them_off_the_list(client, county):
    admin = county.tokens["county_admin"]
    phone = new_phone()
    uid = _invite(client, admin, "grid_worker", county.grid2, phone).json["id"]
    s = client.sign_in(phone, county.code)
    assert s["refresh_token"] and s["user_id"] == uid
    assert _mask(phone) in {x["phone"] for x in _all_staff(client, admin, county.village)}

    r = client.delete(f"/staff/{uid}", token=admin)
    assert r.status_code == 200, r.json
    assert r.json["id"] == uid and r.json["status"] == "removed" and r.json["grants"] == []

    r = client.post("/auth/refresh", {"refresh_token": s["refresh_token"]})
    assert r.status_code == 401, r.json
    assert _mask(phone) not in {x["phone"] for x in _all_staff(client, admin)}
    assert _mask(phone) not in {x["phone"] for x in _all_staff(client, admin, county.grid2)}
    # Removing again: nothing left to remove.
    assert client.delete(f"/staff/{uid}", token=admin).status_code == 404


def test_remove_staff_is_scoped(client, county, other_county):
    uid = _invite(client, county.tokens["county_admin"], "grid_worker", county.grid).json["id"]
    r = client.delete(f"/staff/{uid}", token=county.tokens["grid_worker"])
    assert r.status_code == 403
    r = client.delete(f"/staff/{uid}", token=other_county.tokens["county_admin"])  # not in their county
    assert r.status_code == 404
    admin_uid = client.get("/me", token=county.tokens["county_admin"]).json["user_id"]
    r = client.delete(f"/staff/{admin_uid}", token=county.tokens["village_admin"])
    assert r.status_code == 403
    assert client.delete(f"/staff/{uid}", token=county.tokens["village_admin"]).status_code == 200
    assert client.delete("/staff/nobody", token=county.tokens["county_admin"]).status_code == 404


def test_removed_staff_can_be_invited_back(client, county):
    admin = county.tokens["county_admin"]
    phone = new_phone()
    uid = _invite(client, admin, "grid_leader", county.grid, phone).json["id"]
    assert client.delete(f"/staff/{uid}", token=admin).status_code == 200
    r = _invite(client, admin, "grid_leader", county.grid, phone)
    assert r.status_code == 201 and r.json["id"] == uid and r.json["status"] == "active"
    assert _mask(phone) in {x["phone"] for x in _all_staff(client, admin, county.grid)}
    assert client.sign_in(phone)["roles"] == ["grid_leader"]


def test_person_with_roles_at_two_places_is_listed_at_both(client, county, second_township):
    admin = county.tokens["county_admin"]
    _, other_village, other_grid = second_township
    phone = new_phone()
    assert _invite(client, admin, "grid_worker", county.grid, phone).status_code == 201
    r = _invite(client, admin, "grid_leader", other_grid, phone)
    assert r.status_code == 201 and len(r.json["grants"]) == 2
    assert _mask(phone) in {x["phone"] for x in _all_staff(client, admin, county.grid)}
    assert _mask(phone) in {x["phone"] for x in _all_staff(client, admin, other_village)}, \
        "a grid leader of this village is missing from its staff list"


@pytest.fixture
def grid_g010(client, county):
    """Grid G010 of the county's village: a sibling of G01 whose code starts with G01's."""
    return _place(client, county, county.village + "G010", "第十网格")


def test_staff_list_of_a_grid_excludes_a_sibling_grid_with_a_longer_code(client, county, grid_g010):
    admin = county.tokens["county_admin"]
    phone = new_phone()
    assert _invite(client, admin, "grid_worker", grid_g010, phone).status_code == 201
    assert _mask(phone) in {x["phone"] for x in _all_staff(client, admin, grid_g010)}
    assert _mask(phone) not in {x["phone"] for x in _all_staff(client, admin, county.grid)}, \
        "the staff list of grid G01 shows the staff of grid G010"


def test_grid_role_does_not_reach_a_sibling_grid_with_a_longer_code(client, county, grid_g010):
    leader = county.add_staff("grid_leader", county.grid)
    assert client.get(f"/staff?place={county.grid}", token=leader).status_code == 200
    r = client.get(f"/staff?place={grid_g010}", token=leader)
    assert r.status_code == 403, "a grid leader of G01 can list the staff of G010"


def test_staff_removed_from_one_place_leaves_that_places_list(client, county, second_township):
    admin = county.tokens["county_admin"]
    _, other_village, other_grid = second_township
    phone = new_phone()
    uid = _invite(client, admin, "grid_worker", county.grid, phone).json["id"]
    assert _invite(client, admin, "grid_leader", other_grid, phone).status_code == 201
    # The village admin of the first village removes the role they manage; the other role stays.
    r = client.delete(f"/staff/{uid}", token=county.tokens["village_admin"])
    assert r.status_code == 200, r.json
    assert [(g["role"], g["place"]) for g in r.json["grants"]] == [("grid_leader", other_grid)]
    assert r.json["status"] == "active"
    assert _mask(phone) not in {x["phone"] for x in _all_staff(client, admin, county.village)}, \
        "no longer staff of this village, but still on its list"
    assert _mask(phone) in {x["phone"] for x in _all_staff(client, admin, other_village)}


def test_the_staff_list_names_the_places_of_the_roles(client, county):
    """A list shows 第一网格, not 330825…G01: one BatchGet of place names per page."""
    staff = _all_staff(client, county.tokens["county_admin"], county.village)
    grants = {(g["role"], g["place"]): g["place_name"] for s in staff for g in s["grants"]}
    assert grants[("grid_worker", county.grid)] == "第一网格"
    assert grants[("village_admin", county.village)] == "测试村"


def test_staff_lists_cost_the_same_calls_for_one_person_or_many(client, county):
    """The names of the people's places come in one BatchGet for the page, not one per person (/staff and the party
    members of 党员联户 alike)."""
    admin = county.tokens["county_admin"]

    def calls(path: str) -> list[str]:
        with dynamodb_calls() as seen:
            r = client.get(path, token=admin)
        assert r.status_code == 200 and r.json["items"], r.json
        assert all(g["place_name"] for s in r.json["items"] for g in s["grants"]), r.json
        return sorted(seen)

    def add(role: str, place: str) -> None:
        r = client.post("/staff", {"phone": new_phone(), "name": "列表测试", "role": role, "place": place}, token=admin)
        assert r.status_code == 201, r.json

    add("party_member", county.grid)
    one = {p: calls(p) for p in (f"/staff?place={county.village}", f"/party-links/members?place={county.village}")}
    for place in (county.grid, county.grid2, county.grid, county.grid2):
        add("party_member", place)
        add("grid_worker_part", place)
    many = {p: calls(p) for p in one}
    assert many == one, (one, many)
