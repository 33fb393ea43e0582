from urllib.parse import quote

from tests.conftest import new_phone, unique_id_number


def test_staff_and_villagers_are_told_in_their_inbox(client, county):
    r = client.get("/inbox", token=county.tokens["grid_worker"])
    assert r.status_code == 200
    first = r.json["items"][0]
    assert first["title"] == "新的职务" and "专职网格员" in first["body"] and first["read"] is False
    assert client.post(f"/inbox/{first['id']}/read", token=county.tokens["grid_worker"]).status_code == 204
    assert client.get("/inbox", token=county.tokens["grid_worker"]).json["items"][0]["read"] is True
    assert client.post("/inbox/0000000000000-000000000000/read", token=county.tokens["grid_worker"]).status_code == 404
    hh = county.household()
    _, session = county.villager(hh["id"])
    notes = client.get("/inbox", token=session["access_token"]).json["items"]
    assert notes[0]["title"] == "已关联家庭" and "测试村1号" in notes[0]["body"]


def test_edit_a_member_moves_the_id_number_index(client, county):
    hh = county.household(members=2)
    child = next(m for m in hh["members"] if m["relation"] != "户主")
    old_id, new_id = child["id_number"], unique_id_number(county.code)
    body = {"name": "改名", "relation": "子女", "id_number": new_id, "phone": new_phone(), "party_member": True}
    r = client.put(f"/households/{hh['id']}/members/{child['id']}", body, token=county.tokens["grid_worker"])
    assert r.status_code == 200 and r.json["name"] == "改名" and r.json["id_number"] == new_id
    # The old number is free again; the new one is taken.
    other = county.household(members=1)
    reuse = {"name": "甲", "relation": "子女", "id_number": old_id}
    assert client.post(f"/households/{other['id']}/members", reuse,
                       token=county.tokens["grid_worker"]).status_code == 201
    taken = {"name": "乙", "relation": "子女", "id_number": new_id}
    assert client.post(f"/households/{other['id']}/members", taken,
                       token=county.tokens["grid_worker"]).status_code == 409
    # Making a second head is refused; renaming the head renames the household's head.
    head = next(m for m in hh["members"] if m["relation"] == "户主")
    second = {**body, "relation": "户主", "id_number": new_id}
    assert client.put(f"/households/{hh['id']}/members/{child['id']}", second,
                      token=county.tokens["grid_worker"]).status_code == 422
    renamed = {"name": "新户主名", "relation": "户主", "id_number": head["id_number"]}
    assert client.put(f"/households/{hh['id']}/members/{head['id']}", renamed,
                      token=county.tokens["grid_worker"]).status_code == 200
    assert client.get(f"/households/{hh['id']}", token=county.tokens["grid_worker"]).json["head_name"] == "新户主名"


def test_search_households_by_head_or_address(client, county):
    tok = county.tokens["grid_worker"]
    r = client.post("/households", {"grid": county.grid, "address": "柳树弄8号", "members": [
        {"name": "查找户主", "relation": "户主", "id_number": unique_id_number(county.code)}]}, token=tok)
    assert r.status_code == 201
    county.household()
    by_name = client.get(f"/households?place={county.village}&q={quote('查找')}", token=county.tokens["village_admin"])
    by_addr = client.get(f"/households?place={county.grid}&q={quote('柳树弄')}", token=tok)
    assert [h["id"] for h in by_name.json["items"]] == [r.json["id"]] == [h["id"] for h in by_addr.json["items"]]


def test_module_catalogue_lists_only_modules_that_are_built(client):
    """Every module in the catalogue has its code (a manifest, routes and screens); none is listed ahead of it."""
    items = client.get("/modules").json["items"]
    assert {m["id"] for m in items} == {"daily_report", "scan_pass", "tipoffs", "snaps", "mailbox", "errands",
                                        "notices", "boards", "vanguard", "recruitment", "volunteers",
                                        "lectures"}
    assert all(m["built"] is True for m in items)  # kept for app versions cached on phones
