"""Households and members, PII visibility, invite codes, linking and coverage counters (embedded AWS)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.conftest import dynamodb_calls, id_number, new_phone, unique_id_number


def _bad_check_digit(idno: str) -> str:
    wrong = next(c for c in "0123456789X" if c != idno[-1])
    return idno[:17] + wrong


def _create(client, county, members, grid=None, token=None, address="测试村8号"):
    return client.post("/households", {"grid": grid or county.grid, "address": address, "members": members},
                       token=token or county.tokens["grid_worker"])


def _head(county, **kw):
    return {"name": "户主", "relation": "户主", "id_number": unique_id_number(county.code), **kw}


def _member(county, relation="子女", **kw):
    return {"name": "成员", "relation": relation, "id_number": unique_id_number(county.code), **kw}


def _list_all(client, token, query: str, limit: int = 1) -> list[dict]:
    items, cursor, pages = [], None, 0
    while True:
        url = f"/households?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(url, token=token)
        assert r.status_code == 200, r.json
        assert len(r.json["items"]) <= limit
        items += r.json["items"]
        cursor, pages = r.json["next_cursor"], pages + 1
        if not cursor:
            return items
        assert pages < 100, "pagination does not terminate"


def _coverage(client, county, place, token=None) -> tuple[int, int]:
    r = client.get(f"/coverage?place={place}", token=token or county.tokens["county_admin"])
    assert r.status_code == 200, r.json
    return r.json["place"]["households"], r.json["place"]["followed"]


def _all_levels(county):
    return (county.grid, county.village, county.township, county.code)


def _redeem(client, code):
    ident = client.sign_in(new_phone())
    return client.post("/links", {"code": code}, token=ident["access_token"])


def _invite(client, county, hid):
    r = client.post(f"/households/{hid}/invites", {}, token=county.tokens["grid_worker"])
    assert r.status_code == 201, r.json
    return r.json


# --- creating households -----------------------------------------------------------------------------------------

def test_create_household_with_members(client, county):
    head_phone = new_phone()
    members = [_head(county, name="王大山", phone=head_phone, party_member=True),
               _member(county, "配偶", name="李小花"),
               _member(county, "子女", name="王小明", outside_person=True, from_place="江西省南昌市")]
    r = _create(client, county, members)
    assert r.status_code == 201, r.json
    hh = r.json
    assert hh["grid"] == county.grid and hh["village"] == county.village and hh["address"] == "测试村8号"
    assert hh["head_name"] == "王大山" and hh["member_count"] == 3 and hh["follower_count"] == 0
    assert [m["relation"] for m in hh["members"]][0] == "户主"
    by_name = {m["name"]: m for m in hh["members"]}
    assert by_name["王大山"]["phone"] == head_phone and by_name["王大山"]["party_member"] is True
    assert by_name["王大山"]["id_number"] == members[0]["id_number"]
    assert by_name["王小明"]["outside_person"] is True and by_name["王小明"]["from_place"] == "江西省南昌市"
    assert by_name["李小花"]["phone"] is None

    got = client.get(f"/households/{hh['id']}", token=county.tokens["grid_worker"])
    assert got.status_code == 200
    assert got.json["members"][0]["relation"] == "户主"
    assert {m["id_number"] for m in got.json["members"]} == {m["id_number"] for m in members}


def test_bad_id_check_digit_is_422_with_field_path(client, county):
    members = [_head(county), _member(county)]
    members[1]["id_number"] = _bad_check_digit(members[1]["id_number"])
    r = _create(client, county, members)
    assert r.status_code == 422, r.json
    assert "members.1.id_number" in {d["field"] for d in r.json["error"]["details"]}, r.json


@pytest.mark.parametrize("relations", [("户主", "户主"), ("配偶", "子女")])
def test_exactly_one_head_required(client, county, relations):
    members = [_member(county, rel) for rel in relations]
    r = _create(client, county, members)
    assert r.status_code == 422, r.json


def test_unknown_grid_and_other_grid_are_refused(client, county):
    r = _create(client, county, [_head(county)], grid=county.village + "G09", token=county.tokens["village_admin"])
    assert r.status_code == 422, r.json
    assert "grid" in {d["field"] for d in r.json["error"]["details"]}
    r = _create(client, county, [_head(county)], grid=county.grid2)  # the worker's grid is grid 1
    assert r.status_code == 403, r.json


def test_id_number_in_another_household_is_409_and_nothing_written(client, county):
    admin = county.tokens["county_admin"]
    first = county.household(members=2)
    taken = first["members"][1]["id_number"]
    before_list = _list_all(client, admin, f"place={county.village}", limit=50)
    before_cov = [_coverage(client, county, p) for p in _all_levels(county)]

    fresh_head = _head(county)
    r = _create(client, county, [fresh_head, _member(county, "配偶", id_number=taken)])
    assert r.status_code == 409, r.json
    assert r.json["error"]["code"] == "duplicate_id_number"

    assert _list_all(client, admin, f"place={county.village}", limit=50) == before_list
    assert [_coverage(client, county, p) for p in _all_levels(county)] == before_cov
    # the other ID numbers of the refused household were not registered either
    r = _create(client, county, [fresh_head])
    assert r.status_code == 201, r.json


def test_same_id_number_in_another_county_is_allowed(client, county, other_county):
    idno = unique_id_number(county.code)
    assert _create(client, county, [_head(county, id_number=idno)]).status_code == 201
    r = _create(client, other_county, [_head(other_county, id_number=idno)])
    assert r.status_code == 201, r.json
    assert _create(client, county, [_head(county, id_number=idno)]).status_code == 409


def test_same_id_number_twice_in_one_household_is_422(client, county):
    head = _head(county)
    r = _create(client, county, [head, _member(county, id_number=head["id_number"])])
    assert r.status_code == 422, r.json


# --- personal data --------------------------------------------------------------------------------------------

def test_pii_full_for_field_staff_masked_for_offices(client, county):
    county.add_staff("epidemic_command", county.code)
    phone = new_phone()
    head = _head(county, phone=phone)
    hh = _create(client, county, [head, _member(county)]).json
    idno = head["id_number"]

    for role in ("grid_worker", "village_admin"):
        r = client.get(f"/households/{hh['id']}", token=county.tokens[role])
        assert r.status_code == 200, (role, r.json)
        m = r.json["members"][0]
        assert (m["id_number"], m["phone"], m["pii_masked"]) == (idno, phone, False), role

    for role in ("county_admin", "township_official", "epidemic_command"):
        r = client.get(f"/households/{hh['id']}", token=county.tokens[role])
        assert r.status_code == 200, (role, r.json)
        m = r.json["members"][0]
        assert m["pii_masked"] is True, role
        assert re.fullmatch(r"\d{6}\*{8}[\dX]{4}", m["id_number"]), m
        assert m["id_number"] == idno[:6] + "********" + idno[-4:]
        assert m["phone"] == phone[:3] + "****" + phone[-4:]
        assert idno not in r.body.decode() and phone not in r.body.decode(), role
        other = r.json["members"][1]
        assert other["pii_masked"] is True and other["phone"] is None


def test_household_of_another_grid_or_county_is_not_found(client, county, other_county):
    hh = county.household(grid=county.grid2, token=county.tokens["village_admin"])
    assert client.get(f"/households/{hh['id']}", token=county.tokens["grid_worker"]).status_code == 404
    assert client.get(f"/households/{hh['id']}", token=other_county.tokens["county_admin"]).status_code == 404


# --- invites, linking and coverage ----------------------------------------------------------------------------

def test_villager_link_updates_follower_count_and_coverage_at_every_level(client, county):
    a = county.household()
    county.household()
    county.household(grid=county.grid2, token=county.tokens["village_admin"])
    expect_households = {county.grid: 2, county.grid2: 1, county.village: 3, county.township: 3, county.code: 3}
    for place, n in expect_households.items():
        assert _coverage(client, county, place) == (n, 0), place

    _, session = county.villager(a["id"])
    assert session["tenant"] == county.code
    r = client.get(f"/households/{a['id']}", token=county.tokens["grid_worker"])
    assert r.json["follower_count"] == 1
    for place, n in expect_households.items():
        assert _coverage(client, county, place) == (n, 0 if place == county.grid2 else 1), place

    r = client.get(f"/coverage?place={county.village}&children=true", token=county.tokens["village_admin"])
    assert r.status_code == 200, r.json
    assert r.json["place"] == {"place": county.village, "name": None, "households": 3, "followed": 1,
                               "rate": round(1 / 3, 4)}
    kids = {c["place"]: (c["households"], c["followed"]) for c in r.json["children"]}
    assert kids == {county.grid: (2, 1), county.grid2: (1, 0)}

    # a second villager of the same household: one more follower, still one followed household
    county.villager(a["id"])
    r = client.get(f"/households/{a['id']}", token=county.tokens["grid_worker"])
    assert r.json["follower_count"] == 2
    for place, n in expect_households.items():
        assert _coverage(client, county, place) == (n, 0 if place == county.grid2 else 1), place


def test_coverage_scope(client, county):
    worker = county.tokens["grid_worker"]
    assert client.get(f"/coverage?place={county.grid}", token=worker).status_code == 200
    assert client.get(f"/coverage?place={county.grid2}", token=worker).status_code == 403
    assert client.get(f"/coverage?place={county.code}", token=worker).status_code == 403


def test_invite_codes_are_case_insensitive(client, county):
    hh = county.household()
    inv = _invite(client, county, hh["id"])
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", inv["code"])
    assert inv["link"].endswith(inv["code"]) and inv["qr_svg"]
    r = _redeem(client, "  " + inv["code"].lower() + " ")
    assert r.status_code == 200, r.json
    assert r.json["tenant"] == county.code
    assert client.get(f"/households/{hh['id']}", token=county.tokens["grid_worker"]).json["follower_count"] == 1


def test_invite_codes_expire_after_seven_days(client, county):
    from chalicelib.core import clock

    a = county.household()
    b = county.household()
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    frozen = clock.FrozenClock(start)
    clock.set_clock(frozen)
    try:
        inv_a = _invite(client, county, a["id"])
        inv_b = _invite(client, county, b["id"])
        assert inv_a["expires_at"] == (start + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        frozen.advance(days=6, hours=23, minutes=59)
        assert _redeem(client, inv_a["code"]).status_code == 200
        frozen.advance(minutes=1, seconds=1)
        r = _redeem(client, inv_b["code"])
        assert r.status_code == 404, r.json
        assert r.json["error"]["code"] == "invite_expired"
    finally:
        clock.set_clock(clock.Clock())
    assert client.get(f"/households/{b['id']}", token=county.tokens["grid_worker"]).json["follower_count"] == 0
    assert _coverage(client, county, county.grid) == (2, 1)


def test_new_invite_replaces_the_old_one(client, county):
    hh = county.household()
    old = _invite(client, county, hh["id"])
    new = _invite(client, county, hh["id"])
    assert old["code"] != new["code"]
    r = _redeem(client, old["code"])
    assert r.status_code == 404, r.json
    assert r.json["error"]["code"] == "invalid_invite"
    assert _redeem(client, new["code"]).status_code == 200


def test_invite_requires_write_scope(client, county):
    hh = county.household(grid=county.grid2, token=county.tokens["village_admin"])
    r = client.post(f"/households/{hh['id']}/invites", {}, token=county.tokens["grid_worker"])
    assert r.status_code in (403, 404), r.json


# --- listing ----------------------------------------------------------------------------------------------------

def test_list_households_of_grid_and_village_with_unlinked_filter(client, county):
    worker, vadmin = county.tokens["grid_worker"], county.tokens["village_admin"]
    g1 = [county.household()["id"] for _ in range(3)]
    g2 = [county.household(grid=county.grid2, token=vadmin)["id"] for _ in range(2)]
    county.villager(g1[0])

    items = _list_all(client, worker, f"place={county.grid}", limit=1)
    ids = [h["id"] for h in items]
    assert len(ids) == len(set(ids)) and set(ids) == set(g1)
    assert all(h["grid"] == county.grid and h.get("members") is None for h in items)

    ids = [h["id"] for h in _list_all(client, vadmin, f"place={county.village}", limit=2)]
    assert len(ids) == len(set(ids)) and set(ids) == set(g1 + g2)

    ids = [h["id"] for h in _list_all(client, worker, f"place={county.grid}&unlinked=true", limit=1)]
    assert len(ids) == len(set(ids)) and set(ids) == set(g1[1:])
    ids = [h["id"] for h in _list_all(client, vadmin, f"place={county.village}&unlinked=true", limit=2)]
    assert len(ids) == len(set(ids)) and set(ids) == set(g1[1:] + g2)

    assert client.get(f"/households?place={county.grid2}", token=worker).status_code == 403
    assert client.get(f"/households?place={county.village}", token=worker).status_code == 403
    r = client.get(f"/households?place={county.grid}&limit=1", token=worker)
    cursor = r.json["next_cursor"]
    assert cursor
    r = client.get(f"/households?place={county.township}201&limit=1&cursor=x{cursor}", token=vadmin)
    assert r.status_code == 400


def test_cursor_of_one_grid_listing_is_refused_for_another_grid(client, county):
    """Both grids share the village's index partition; a cursor must still be tied to the listing it came from
    (on DynamoDB a start key outside the key condition is a ValidationException, i.e. a 500 here)."""
    vadmin = county.tokens["village_admin"]
    for _ in range(2):
        county.household()
    county.household(grid=county.grid2, token=vadmin)
    r = client.get(f"/households?place={county.grid}&limit=1", token=vadmin)
    cursor = r.json["next_cursor"]
    assert cursor
    r = client.get(f"/households?place={county.grid2}&limit=1&cursor={cursor}", token=vadmin)
    assert r.status_code == 400, (r.status_code, r.json)


def test_grid_listing_does_not_include_a_grid_whose_code_extends_it(client, county):
    """Grid …G01 is a string prefix of grid …G012: G01's list and G01's worker must not reach G012's households."""
    g012 = county.grid + "2"
    r = client.post("/places", {"code": g012, "name": "第十二网格"}, token=county.tokens["county_admin"])
    assert r.status_code == 201, r.json
    own = county.household()
    foreign = county.household(grid=g012, token=county.tokens["village_admin"])
    ids = {h["id"] for h in _list_all(client, county.tokens["village_admin"], f"place={county.grid}", limit=10)}
    assert ids == {own["id"]}
    assert client.get(f"/households/{foreign['id']}", token=county.tokens["grid_worker"]).status_code == 404


# --- members and address -----------------------------------------------------------------------------------------

def test_add_and_remove_members(client, county):
    worker = county.tokens["grid_worker"]
    hh = county.household(members=2)
    hid = hh["id"]
    head = next(m for m in hh["members"] if m["relation"] == "户主")
    child = next(m for m in hh["members"] if m["relation"] != "户主")

    new = {"name": "新成员", "relation": "配偶", "id_number": unique_id_number(county.code), "phone": new_phone()}
    r = client.post(f"/households/{hid}/members", new, token=worker)
    assert r.status_code == 201, r.json
    assert r.json["name"] == "新成员" and r.json["id_number"] == new["id_number"] and r.json["pii_masked"] is False
    got = client.get(f"/households/{hid}", token=worker).json
    assert got["member_count"] == 3 and len(got["members"]) == 3

    r = client.post(f"/households/{hid}/members", {**new, "id_number": unique_id_number(county.code),
                                                   "relation": "户主"}, token=worker)
    assert r.status_code == 422, r.json
    r = client.post(f"/households/{hid}/members", {**new, "id_number": _bad_check_digit(new["id_number"])},
                    token=worker)
    assert r.status_code == 422 and "id_number" in {d["field"] for d in r.json["error"]["details"]}
    other = county.household(members=1)
    r = client.post(f"/households/{hid}/members", {**new, "id_number": other["members"][0]["id_number"]},
                    token=worker)
    assert r.status_code == 409, r.json

    r = client.delete(f"/households/{hid}/members/{head['id']}", token=worker)
    assert r.status_code == 422, r.json
    r = client.delete(f"/households/{hid}/members/{child['id']}", token=worker)
    assert r.status_code == 204, r.body
    got = client.get(f"/households/{hid}", token=worker).json
    assert got["member_count"] == 2 and child["id"] not in {m["id"] for m in got["members"]}
    assert client.delete(f"/households/{hid}/members/{child['id']}", token=worker).status_code == 404
    # the removed member's ID number is free again
    r = _create(client, county, [_head(county, id_number=child["id_number"])])
    assert r.status_code == 201, r.json


def test_members_of_another_grid_cannot_be_changed(client, county):
    hh = county.household(grid=county.grid2, token=county.tokens["village_admin"])
    r = client.post(f"/households/{hh['id']}/members", _member(county), token=county.tokens["grid_worker"])
    assert r.status_code in (403, 404), r.json
    r = client.delete(f"/households/{hh['id']}/members/{hh['members'][1]['id']}", token=county.tokens["grid_worker"])
    assert r.status_code in (403, 404), r.json
    assert client.get(f"/households/{hh['id']}", token=county.tokens["village_admin"]).json["member_count"] == 2


def test_update_address(client, county):
    worker = county.tokens["grid_worker"]
    hh = county.household()
    r = client.put(f"/households/{hh['id']}", {"address": "测试村新址9号"}, token=worker)
    assert r.status_code == 200, r.json
    assert r.json["address"] == "测试村新址9号"
    assert client.get(f"/households/{hh['id']}", token=worker).json["address"] == "测试村新址9号"
    assert client.put(f"/households/{hh['id']}", {"address": ""}, token=worker).status_code == 422
    r = client.put(f"/households/{hh['id']}", {"address": "x", "grid": county.grid2}, token=worker)
    assert r.status_code == 422, r.json
    r = client.put(f"/households/{hh['id']}", {"address": "又一址"}, token=county.tokens["county_admin"])
    assert r.status_code == 200  # offices above the grid may edit too
    r = client.put("/households/doesnotexist", {"address": "又一址"}, token=worker)
    assert r.status_code == 404


# --- cost -------------------------------------------------------------------------------------------------------

def test_county_coverage_costs_the_same_number_of_dynamodb_calls_whatever_the_households(client, county,
                                                                                          monkeypatch):

    def measure() -> tuple[int, list[str], tuple[int, int]]:
        with dynamodb_calls() as calls:
            r = client.get(f"/coverage?place={county.code}", token=county.tokens["county_admin"])
        assert r.status_code == 200, r.json
        return len(calls), list(calls), (r.json["place"]["households"], r.json["place"]["followed"])

    county.household(members=1)
    n1, ops1, cov1 = measure()
    assert cov1 == (1, 0)
    for i in range(29):
        grid = county.grid if i % 2 else county.grid2
        county.household(grid=grid, members=1, token=county.tokens["village_admin"])
    n30, ops30, cov30 = measure()
    assert cov30 == (30, 0)
    assert n1 == n30, (ops1, ops30)
    assert 1 <= n30 <= 3, ops30


def test_check_digit_helper_sanity():
    """The ID numbers the tests build are valid and the broken ones are not (guards the tests themselves)."""
    from chalicelib.core.pii import normalise_id_number

    good = id_number("330825", "19800101", 123)
    assert normalise_id_number(good) == good
    with pytest.raises(ValueError):
        normalise_id_number(_bad_check_digit(good))


# --- household numbers, order, duplicates (grid worker lists) -----------------------------------------------------

def _refs(items: list[dict]) -> list[str]:
    return [h["ref"] for h in items]


def test_a_household_added_without_a_number_gets_the_next_number_of_its_village(client, county):
    worker, vadmin = county.tokens["grid_worker"], county.tokens["village_admin"]
    a = _create(client, county, [_head(county)]).json
    b = _create(client, county, [_head(county)]).json
    c = _create(client, county, [_head(county)], grid=county.grid2, token=vadmin).json
    assert [a["ref"], b["ref"], c["ref"]] == [f"{county.village}-{n:04d}" for n in (1, 2, 3)]

    # A number brought along in the village's own form moves the sequence past it; a number in use is refused.
    r = client.post("/households", {"grid": county.grid, "address": "导入的8号", "ref": f"{county.village}-0008",
                                    "members": [_head(county)]}, token=worker)
    assert r.status_code == 201 and r.json["ref"] == f"{county.village}-0008", r.json
    assert _create(client, county, [_head(county)]).json["ref"] == f"{county.village}-0009"
    r = client.post("/households", {"grid": county.grid, "address": "又一户", "ref": f"{county.village}-0008",
                                    "members": [_head(county)]}, token=worker)
    assert r.status_code == 409 and r.json["error"]["code"] == "duplicate_ref", r.json
    # full-width digits are the same number
    r = client.post("/households", {"grid": county.grid, "address": "又一户", "ref": f"{county.village}-０００８",
                                    "members": [_head(county)]}, token=worker)
    assert r.status_code == 409, r.json


def test_a_number_taken_by_an_import_is_skipped_and_numbers_are_never_handed_out_twice(client, county):
    """The sequence hands a number to one request only (atomic ADD); if an import took it meanwhile (its own number
    in the village's form, written without moving the sequence), the household takes the next one."""
    from concurrent.futures import ThreadPoolExecutor

    from chalicelib.households import service
    from chalicelib.households.schemas import MemberIn

    service.write_household(county.code, county.grid, "导入户", [MemberIn(**_head(county))], None)  # -0001
    taken = f"{county.village}-0002"
    from chalicelib.households.models import HouseholdRef

    HouseholdRef(*HouseholdRef.keys(county.code, taken), hid="someone-else", village=county.village).save()
    r = _create(client, county, [_head(county)])
    assert r.status_code == 201 and r.json["ref"] == f"{county.village}-0003", r.json

    heads = [MemberIn(**_head(county)) for _ in range(8)]
    with ThreadPoolExecutor(8) as ex:
        made = list(ex.map(lambda m: service.write_household(county.code, county.grid, "并发户", [m]), heads))
    refs = [h.ref for h in made]
    assert len(set(refs)) == 8 and all(r.startswith(f"{county.village}-") for r in refs), refs


def test_grid_and_village_lists_are_in_household_number_order(client, county):
    worker, vadmin = county.tokens["grid_worker"], county.tokens["village_admin"]
    for ref, grid in (("A-10", county.grid), ("A-2", county.grid), ("A-1", county.grid2), ("A-011", county.grid),
                      ("B-1", county.grid), ("a-3", county.grid2)):
        r = client.post("/households", {"grid": grid, "address": f"{ref}号", "ref": ref, "members": [_head(county)]},
                        token=vadmin)
        assert r.status_code == 201, r.json
    auto = _create(client, county, [_head(county)]).json["ref"]  # 测试村's code and a sequence: digits first
    in_grid = _list_all(client, worker, f"place={county.grid}", limit=2)
    assert _refs(in_grid) == [auto, "A-2", "A-10", "A-011", "B-1"]
    in_village = _list_all(client, vadmin, f"place={county.village}", limit=3)
    # the village's list is grid by grid, each in number order
    assert _refs(in_village) == [auto, "A-2", "A-10", "A-011", "B-1", "A-1", "A-3"]  # stored in its canonical spelling
    assert _refs(_list_all(client, worker, f"place={county.grid}&unlinked=true", limit=1)) == _refs(in_grid)
    # the daily report's "not reported today" list reads the same index
    r = client.get(f"/reports/unreported?grid={county.grid}&limit=100", token=worker)
    assert r.status_code == 200, r.json
    assert [h["ref"] for h in r.json["items"]] == _refs(in_grid)


def test_ref_order_is_natural():
    from chalicelib.households.models import ref_order

    refs = ["H10", "H2", "h1", "H01-3", "H1-10", "H1-2", "330825001201-0100", "330825001201-0020", None, "Ｈ３"]
    ordered = sorted(refs, key=ref_order)
    assert ordered == ["330825001201-0020", "330825001201-0100", "h1", "H1-2", "H01-3", "H1-10", "H2", "Ｈ３",
                       "H10", None]


def test_a_duplicate_address_in_the_village_is_a_warning_that_says_where(client, county):
    vadmin = county.tokens["village_admin"]
    first = _create(client, county, [_head(county, name="张建明")], address="测试村18号").json
    assert first["warnings"] == []
    r = _create(client, county, [_head(county, name="李四")], address="测试村 １８ 号")  # spaces, full-width
    assert r.status_code == 201, r.json  # a warning, not a refusal: a household split off under the same roof
    [w] = r.json["warnings"]
    assert w["code"] == "duplicate_address" and w["field"] == "address"
    assert first["ref"] in w["message"] and "张*明" in w["message"] and "测试村" in w["message"], w
    # the other grid's worker learns only that it is in another grid
    county.add_staff("grid_worker", county.grid2)
    other = _create(client, county, [_head(county)], grid=county.grid2, token=county.tokens["grid_worker"],
                    address="测试村18号").json
    [w] = other["warnings"]
    assert "其他网格" in w["message"] and "张*明" not in w["message"] and first["ref"] not in w["message"], w
    # moving a household to the address warns too; moving it away does not
    third = _create(client, county, [_head(county)], token=vadmin, address="测试村19号").json
    assert third["warnings"] == []
    r = client.put(f"/households/{third['id']}", {"address": "测试村18号"}, token=vadmin)
    assert r.status_code == 200 and [w["code"] for w in r.json["warnings"]] == ["duplicate_address"], r.json
    r = client.put(f"/households/{third['id']}", {"address": "测试村20号"}, token=vadmin)
    assert r.status_code == 200 and r.json["warnings"] == [], r.json
    r = _create(client, county, [_head(county)], token=vadmin, address="测试村19号")
    assert r.json["warnings"] == [], r.json  # the old address's index entry moved with the household


def test_a_duplicate_id_number_says_where_it_is_registered_as_far_as_the_callers_places_allow(client, county):
    vadmin, worker = county.tokens["village_admin"], county.tokens["grid_worker"]
    mine = _create(client, county, [_head(county, name="张建明")]).json
    theirs = _create(client, county, [_head(county, name="王小五")], grid=county.grid2, token=vadmin).json
    mine_id, theirs_id = mine["members"][0]["id_number"], theirs["members"][0]["id_number"]

    r = _create(client, county, [_head(county), _member(county, id_number=mine_id)])
    assert r.status_code == 409, r.json
    [d] = r.json["error"]["details"]
    assert d["field"] == "members.1.id_number"
    assert "测试村" in d["message"] and "张*明" in d["message"] and mine["ref"] in d["message"], d
    assert "张建明" not in r.body.decode()

    r = _create(client, county, [_head(county, id_number=theirs_id)])  # registered in a grid the worker cannot see
    assert r.status_code == 409, r.json
    [d] = r.json["error"]["details"]
    assert "本县其他地方" in d["message"] and "王" not in d["message"] and "测试村" not in d["message"], d

    r = _create(client, county, [_head(county, id_number=theirs_id)], token=vadmin)  # the village admin may see it
    assert "测试村" in r.json["error"]["details"][0]["message"] and "王*五" in r.json["error"]["details"][0]["message"]

    other = _create(client, county, [_head(county), _member(county)]).json
    child = other["members"][1]
    r = client.post(f"/households/{other['id']}/members", _member(county, id_number=mine_id), token=worker)
    assert r.status_code == 409 and "张*明" in r.json["error"]["details"][0]["message"], r.json
    r = client.put(f"/households/{other['id']}/members/{child['id']}", {"id_number": mine_id}, token=worker)
    assert r.status_code == 409 and "张*明" in r.json["error"]["details"][0]["message"], r.json
    r = client.post(f"/households/{other['id']}/members", _member(county, id_number=child["id_number"]),
                    token=worker)
    assert r.status_code == 409 and r.json["error"]["details"][0]["message"] == "该身份证号已是本户成员", r.json


# --- find a person (console) -----------------------------------------------------------------------------------

def _find(client, token, q: str, extra: str = ""):
    from urllib.parse import quote

    return client.get(f"/members?q={quote(q)}{extra}", token=token)


def test_find_a_person_by_name_across_the_callers_places(client, county):
    vadmin = county.tokens["village_admin"]
    a = _create(client, county, [_head(county, name="欧阳建国", phone=new_phone()),
                                 _member(county, name="欧阳小明")]).json
    b = _create(client, county, [_head(county, name="欧阳建华")], grid=county.grid2, token=vadmin).json
    _create(client, county, [_head(county, name="王建国")])

    r = _find(client, county.tokens["county_admin"], "欧阳")
    assert r.status_code == 200, r.json
    found = {p["name"]: p for p in r.json["items"]}
    assert set(found) == {"欧阳建国", "欧阳小明", "欧阳建华"}
    p = found["欧阳建国"]
    assert p["household"] == {"id": a["id"], "ref": a["ref"], "address": "测试村8号", "head_name": "欧阳建国"}
    assert (p["village_name"], p["grid_name"], p["township_name"]) == ("测试村", "第一网格", "测试街道")
    assert p["pii_masked"] is True and re.fullmatch(r"\d{6}\*{8}[\dX]{4}", p["id_number"]), p
    assert re.fullmatch(r"1\d{2}\*{4}\d{4}", p["phone"]), p
    assert found["欧阳建华"]["household"]["id"] == b["id"] and found["欧阳建华"]["grid_name"] == "第二网格"

    assert {x["name"] for x in _find(client, county.tokens["township_official"], "欧阳建").json["items"]} == {
        "欧阳建国", "欧阳建华"}
    # a grid worker: their own grid only, with the full numbers their role needs
    items = _find(client, county.tokens["grid_worker"], "欧阳").json["items"]
    assert {x["name"] for x in items} == {"欧阳建国", "欧阳小明"}
    assert all(x["pii_masked"] is False for x in items)
    # one place asked for: inside the caller's places only
    r = _find(client, county.tokens["county_admin"], "欧阳", f"&place={county.grid2}")
    assert [x["name"] for x in r.json["items"]] == ["欧阳建华"]
    assert _find(client, county.tokens["grid_worker"], "欧阳", f"&place={county.grid2}").status_code == 403


def test_find_a_person_pages_in_name_order(client, county):
    for i in range(5):
        _create(client, county, [_head(county, name=f"翁{'甲乙丙丁戊'[i]}")])
    names, cursor = [], None
    for _ in range(10):
        r = _find(client, county.tokens["grid_worker"], "翁", "&limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status_code == 200 and len(r.json["items"]) <= 2, r.json
        names += [x["name"] for x in r.json["items"]]
        cursor = r.json["next_cursor"]
        if not cursor:
            break
    assert names == sorted(names) and set(names) == {f"翁{c}" for c in "甲乙丙丁戊"}


def test_find_a_person_by_a_whole_id_or_phone_number(client, county):
    """For the roles that may see full numbers (the village admin, grid staff), in their places."""
    phone = new_phone()
    hh = _create(client, county, [_head(county, name="钱多多", phone=phone), _member(county, name="钱小多",
                                                                                 phone=phone)]).json
    idno = hh["members"][0]["id_number"]
    office = county.tokens["village_admin"]
    for q in (idno, idno.lower(), idno.translate(str.maketrans("0123456789", "０１２３４５６７８９"))):
        r = _find(client, office, q)
        assert r.status_code == 200, r.json
        assert [x["name"] for x in r.json["items"]] == ["钱多多"], q
    r = _find(client, office, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}")  # a family shares the phone
    assert sorted(x["name"] for x in r.json["items"]) == ["钱多多", "钱小多"]
    assert all(x["phone"] == phone for x in r.json["items"])
    # numbers are found whole or not at all
    for partial in (idno[:10], phone[:7], "钱1"):
        r = _find(client, office, partial)
        assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "partial_number", (partial, r.json)
    assert _find(client, office, idno[:17] + ("0" if idno[17] != "0" else "1")).status_code == 422
    # outside the caller's places the number finds nobody (it does not say that the number exists)
    county.add_staff("grid_worker", county.grid2)
    r = _find(client, county.tokens["grid_worker"], idno)
    assert r.status_code == 200 and r.json["items"] == [], r.json


def test_roles_that_see_masked_numbers_cannot_search_by_number(client, county):
    """A county admin or the epidemic command sees 330825********1234: searching by whole numbers would let them
    complete one by trying the few thousand birth dates the mask hides. They find people by name."""
    hh = _create(client, county, [_head(county, name="孙全号", phone=new_phone())]).json
    idno = hh["members"][0]["id_number"]
    for role in ("county_admin", "epidemic_command", "township_official"):
        r = _find(client, county.tokens[role], idno)
        assert r.status_code == 403 and r.json["error"]["code"] == "number_search_forbidden", (role, r.json)
        r = _find(client, county.tokens[role], "孙全")
        assert r.status_code == 200 and r.json["items"][0]["id_number"].count("*") == 8, (role, r.json)


def test_number_searches_are_bounded_per_person(client, county):
    from chalicelib.households.service import NUMBER_SEARCHES_PER_HOUR

    office = county.tokens["village_admin"]
    for _ in range(NUMBER_SEARCHES_PER_HOUR):
        assert _find(client, office, unique_id_number(county.code)).status_code == 200
    r = _find(client, office, unique_id_number(county.code))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0, r.json
    assert _find(client, office, "钱").status_code == 200  # names are not limited


def test_the_name_index_follows_renames_removals_and_stays_in_its_county(client, county, other_county):
    worker = county.tokens["grid_worker"]
    hh = _create(client, county, [_head(county, name="岑大山"), _member(county, name="岑小溪")]).json
    child = next(m for m in hh["members"] if m["name"] == "岑小溪")
    r = client.put(f"/households/{hh['id']}/members/{child['id']}", {"name": "岑小河"}, token=worker)
    assert r.status_code == 200, r.json
    assert [x["name"] for x in _find(client, worker, "岑小").json["items"]] == ["岑小河"]
    assert client.delete(f"/households/{hh['id']}/members/{child['id']}", token=worker).status_code == 204
    assert [x["name"] for x in _find(client, worker, "岑").json["items"]] == ["岑大山"]
    assert _find(client, other_county.tokens["county_admin"], "岑").json["items"] == []
    r = client.get("/members?q=", token=worker)
    assert r.status_code == 422, r.json
    r = client.get("/members?q=" + "岑" * 31, token=worker)
    assert r.status_code == 422, r.json
    for q in ("%23%23", "%20"):
        r = client.get(f"/members?q={q}", token=worker)
        assert r.status_code == 422, (q, r.json)


def test_find_a_person_costs_a_constant_number_of_calls(client, county, monkeypatch):

    for i in range(12):
        _create(client, county, [_head(county, name=f"戚{i:02d}"), _member(county, name=f"戚子{i:02d}")])
    for token in (county.tokens["county_admin"], county.tokens["grid_worker"]):
        with dynamodb_calls() as calls:
            r = _find(client, token, "戚", "&limit=20")
        assert r.status_code == 200 and len(r.json["items"]) == 20, r.json
        # county record (cached or 1) + the name index + households + place names
        assert calls.count("Query") == 1 and calls.count("BatchGetItem") <= 2 and len(calls) <= 5, calls
