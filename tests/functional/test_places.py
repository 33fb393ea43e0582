"""Places: townships, villages and grids of a county — creation rules, scopes and listings (embedded AWS)."""

from __future__ import annotations

import pytest


def _create(client, token, code, name="地点"):
    return client.post("/places", {"code": code, "name": name}, token=token)


def _fields(r) -> set[str]:
    return {d.get("field") for d in (r.json["error"]["details"] or [])}


def _codes(r) -> set[str]:
    return {d.get("code") for d in (r.json["error"]["details"] or [])}


def _all_pages(client, token, query: str, limit: int = 1) -> tuple[list[str], int]:
    """Follow next_cursor to the end; return (codes in order, number of pages)."""
    codes, cursor, pages = [], None, 0
    while True:
        url = f"/places?{query}&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = client.get(url, token=token)
        assert r.status_code == 200, r.json
        assert len(r.json["items"]) <= limit
        codes += [p["code"] for p in r.json["items"]]
        pages += 1
        cursor = r.json["next_cursor"]
        if not cursor:
            return codes, pages
        assert pages < 50, "pagination does not terminate"


# --- creation --------------------------------------------------------------------------------------------------

def test_create_township_village_grid_level_and_parent_from_code(client, county):
    admin = county.tokens["county_admin"]
    township = county.code + "002"
    village = township + "101"
    grid = village + "G01"
    grid3 = village + "G123"  # grids may carry a 3-digit sequence
    expected = [(township, "township", county.code), (village, "village", township), (grid, "grid", village),
                (grid3, "grid", village)]
    for code, level, parent in expected:
        r = _create(client, admin, code, f"名称{code[-4:]}")
        assert r.status_code == 201, r.json
        assert r.json == {"code": code, "name": f"名称{code[-4:]}", "level": level, "parent": parent,
                          "parent_name": f"测试县{county.code}" if parent == county.code else f"名称{parent[-4:]}",
                          "lng": None, "lat": None}
    for code, level, parent in expected:
        r = client.get(f"/places/{code}", token=admin)
        assert r.status_code == 200, r.json
        assert (r.json["level"], r.json["parent"]) == (level, parent)


@pytest.mark.parametrize("suffix", [
    "",            # the county code itself (6 digits)
    "01",          # 8 digits
    "0012",        # 10 digits
    "00A",         # letters in a township code
    "000",         # township sequence 000
    "001000",      # village sequence 000
    "001201G1",    # grid: one digit after G
    "001201g01",   # lower-case g
    "001201X01",   # wrong letter
    "001201G0001",  # grid: four digits
])
def test_bad_code_formats_are_422_on_the_code_field(client, county, suffix):
    r = _create(client, county.tokens["county_admin"], county.code + suffix)
    assert r.status_code == 422, r.json
    assert "code" in _fields(r), r.json


def test_code_of_another_county_is_422(client, county):
    r = _create(client, county.tokens["county_admin"], "110101001")  # no test county starts with 11
    assert r.status_code == 422 and "code" in _fields(r), r.json


def test_missing_name_and_unknown_fields_are_422(client, county):
    admin = county.tokens["county_admin"]
    r = client.post("/places", {"code": county.code + "002"}, token=admin)
    assert r.status_code == 422 and "name" in _fields(r), r.json
    r = client.post("/places", {"code": county.code + "002", "name": "甲", "level": "county"}, token=admin)
    assert r.status_code == 422 and "level" in _fields(r), r.json
    assert client.get(f"/places/{county.code}002", token=admin).status_code == 404


def test_unknown_parent_is_422_and_nothing_is_created(client, county):
    admin = county.tokens["county_admin"]
    village = county.code + "009" + "201"  # township 009 does not exist
    grid = county.township + "209" + "G01"  # village 209 does not exist
    for code in (village, grid):
        r = _create(client, admin, code)
        assert r.status_code == 422, r.json
        assert "unknown_parent" in _codes(r) and "code" in _fields(r), r.json
        assert client.get(f"/places/{code}", token=admin).status_code == 404


def test_duplicate_code_is_409(client, county):
    admin = county.tokens["county_admin"]
    for code in (county.township, county.village, county.grid):
        r = _create(client, admin, code, "重复")
        assert r.status_code == 409, r.json
        assert r.json["error"]["code"] == "duplicate_code"
    assert client.get(f"/places/{county.village}", token=admin).json["name"] == "测试村"  # not overwritten


def test_township_official_creates_only_inside_their_township(client, county):
    admin, official = county.tokens["county_admin"], county.tokens["township_official"]
    other_township = county.code + "002"
    assert _create(client, admin, other_township).status_code == 201

    r = _create(client, official, county.township + "202", "本镇新村")
    assert r.status_code == 201, r.json
    assert r.json["parent"] == county.township
    r = _create(client, official, county.township + "202G01")
    assert r.status_code == 201, r.json

    r = _create(client, official, other_township + "101", "他镇的村")
    assert r.status_code == 403, r.json
    assert client.get(f"/places/{other_township}101", token=admin).status_code == 404
    r = _create(client, official, county.code + "003")  # a township is the county's business
    assert r.status_code == 403, r.json


def test_village_admin_and_grid_worker_scopes(client, county):
    admin = county.tokens["county_admin"]
    other_village = county.township + "202"
    assert _create(client, admin, other_village).status_code == 201
    assert _create(client, county.tokens["village_admin"], county.village + "G03").status_code == 201
    assert _create(client, county.tokens["village_admin"], other_village + "G01").status_code == 403
    assert _create(client, county.tokens["grid_worker"], county.village + "G04").status_code == 403


# --- listings --------------------------------------------------------------------------------------------------

def test_list_children_with_pagination(client, county):
    admin = county.tokens["county_admin"]
    villages = [county.village] + [county.township + s for s in ("202", "203", "204")]
    for v in villages[1:]:
        assert _create(client, admin, v).status_code == 201
    assert _create(client, admin, villages[1] + "G01").status_code == 201  # a grandchild, not a child

    codes, pages = _all_pages(client, admin, f"parent={county.township}", limit=1)
    assert len(codes) == len(set(codes)), codes
    assert set(codes) == set(villages)
    assert pages >= len(villages)

    r = client.get(f"/places?parent={county.village}", token=admin)
    assert r.status_code == 200
    assert [p["code"] for p in r.json["items"]] == [county.grid, county.grid2]
    assert all(p["level"] == "grid" and p["parent"] == county.village for p in r.json["items"])

    r = client.get("/places", token=admin)  # default: the county's townships
    assert r.status_code == 200
    assert [p["code"] for p in r.json["items"]] == [county.township]


def test_list_subtree_with_pagination(client, county):
    admin = county.tokens["county_admin"]
    t2 = county.code + "002"
    created = [county.township + "202", county.township + "202G01", t2, t2 + "101", t2 + "101G01"]
    for c in created:
        assert _create(client, admin, c).status_code == 201
    below_township = {county.village, county.grid, county.grid2, county.township + "202", county.township + "202G01"}

    codes, _ = _all_pages(client, admin, f"under={county.township}", limit=1)
    assert len(codes) == len(set(codes)), codes
    assert set(codes) - {county.township} == below_township  # nothing of township 002 leaks in

    codes, _ = _all_pages(client, admin, f"under={county.code}", limit=2)
    assert len(codes) == len(set(codes)), codes
    assert set(codes) == below_township | {county.township, t2, t2 + "101", t2 + "101G01"}


def test_parent_and_under_together_is_422(client, county):
    r = client.get(f"/places?parent={county.township}&under={county.township}", token=county.tokens["county_admin"])
    assert r.status_code == 422, r.json


def test_cursor_of_one_listing_is_refused_for_another(client, county):
    admin = county.tokens["county_admin"]
    assert _create(client, admin, county.township + "202").status_code == 201
    assert _create(client, admin, county.village + "G03").status_code == 201

    r = client.get(f"/places?parent={county.township}&limit=1", token=admin)
    cursor = r.json["next_cursor"]
    assert cursor
    r = client.get(f"/places?parent={county.village}&limit=1&cursor={cursor}", token=admin)
    assert r.status_code == 400, r.json
    assert r.json["error"]["code"] == "invalid_cursor"
    r = client.get(f"/places?under={county.township}&limit=1&cursor={cursor}", token=admin)
    assert r.status_code == 400, r.json

    # a tampered cursor
    body, sig = cursor.split(".")
    r = client.get(f"/places?parent={county.township}&limit=1&cursor={body}x.{sig}", token=admin)
    assert r.status_code == 400, r.json
    r = client.get(f"/places?parent={county.township}&limit=1&cursor=garbage", token=admin)
    assert r.status_code == 400, r.json


def test_subtree_cursor_of_another_root_is_refused(client, county):
    """A cursor from the subtree of one place must not be usable for the subtree of another (it is a 400, not a
    500 from DynamoDB's "starting key is outside query boundaries", nor a silently wrong page)."""
    admin = county.tokens["county_admin"]
    r = client.get(f"/places?under={county.village}&limit=1", token=admin)
    cursor = r.json["next_cursor"]
    assert cursor
    t2 = county.code + "002"
    assert _create(client, admin, t2).status_code == 201
    assert _create(client, admin, t2 + "101").status_code == 201
    r = client.get(f"/places?under={t2}&limit=1&cursor={cursor}", token=admin)
    assert r.status_code == 400, (r.status_code, r.json)


def test_get_county_code_returns_the_county_root(client, county):
    r = client.get(f"/places/{county.code}", token=county.tokens["county_admin"])
    assert r.status_code == 200, r.json
    assert r.json == {"code": county.code, "name": f"测试县{county.code}", "level": "county", "parent": None,
                      "parent_name": None, "lng": None, "lat": None}
    r = client.get(f"/places/{county.township}", token=county.tokens["county_admin"])
    assert r.json == {"code": county.township, "name": "测试街道", "level": "township", "parent": county.code,
                      "parent_name": f"测试县{county.code}", "lng": None, "lat": None}
    assert client.get(f"/places/{county.code}", token=county.tokens["grid_worker"]).status_code == 403
    assert client.get(f"/places/{county.code}002", token=county.tokens["county_admin"]).status_code == 404


def test_grid_worker_cannot_list_another_grid(client, county):
    worker = county.tokens["grid_worker"]
    r = client.get(f"/places?under={county.grid}", token=worker)
    assert r.status_code == 200, r.json
    assert [p["code"] for p in r.json["items"]] == [county.grid]
    assert client.get(f"/places?under={county.grid2}", token=worker).status_code == 403
    assert client.get(f"/places?under={county.village}", token=worker).status_code == 403
    assert client.get(f"/places?parent={county.village}", token=worker).status_code == 403
    assert client.get("/places", token=worker).status_code == 403  # the county's townships
    assert client.get(f"/places/{county.grid2}", token=worker).status_code == 403


def test_grid_scope_is_not_a_mere_code_prefix(client, county):
    """Grid codes have 2 or 3 digits after G, so grid …G01 is a string prefix of grid …G012. A worker of G01
    must not reach G012 (a different grid), and G01's subtree must not contain it."""
    admin, worker = county.tokens["county_admin"], county.tokens["grid_worker"]
    g012 = county.grid + "2"
    assert county.grid == county.village + "G01"
    assert _create(client, admin, g012, "第十二网格").status_code == 201
    assert client.get(f"/places/{g012}", token=worker).status_code == 403
    assert client.get(f"/places?under={g012}", token=worker).status_code == 403
    r = client.get(f"/places?under={county.grid}", token=admin)
    assert [p["code"] for p in r.json["items"]] == [county.grid], r.json


def test_other_county_cannot_see_or_create_places(client, county, other_county):
    foreign = other_county.tokens["county_admin"]
    assert client.get(f"/places/{county.township}", token=foreign).status_code in (403, 404)
    assert client.get(f"/places?under={county.township}", token=foreign).status_code in (403, 404)
    r = _create(client, foreign, county.township + "299")
    assert r.status_code in (403, 422), r.json
    assert client.get(f"/places/{county.township}299", token=county.tokens["county_admin"]).status_code == 404


def test_anyone_signed_in_lists_the_countys_townships_for_pickers(client, county, other_county):
    """Job seekers, employers and volunteers pick townships: GET /places/townships, not the staff's /places."""
    reader = county.villager(county.household()["id"])[1]["access_token"]
    assert client.get("/places", token=reader).status_code == 403  # the tree is staff's
    r = client.get("/places/townships", token=reader)
    assert r.status_code == 200, r.json
    codes = [t["code"] for t in r.json["items"]]
    assert county.township in codes and all(len(c) == 9 and c.startswith(county.code) for c in codes)
    assert codes == sorted(codes)
    assert next(t["name"] for t in r.json["items"] if t["code"] == county.township)
    others = [t["code"] for t in client.get("/places/townships", token=other_county.tokens["county_admin"])
              .json["items"]]
    assert county.township not in others
    assert client.get("/places/townships").status_code == 401
