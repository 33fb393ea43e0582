"""Per-item reads batched: where duplicate ID numbers are registered, the import preview's lookups, and the heads'
phones of the daily report's unreported list (the household keeps its head's member id) (embedded AWS)."""

from __future__ import annotations

from tests.conftest import dynamodb_calls, new_phone, unique_id_number
from tests.functional.test_imports import HH_HEADER, _csv_bytes, _preview, _upload


def _head(county, **kw):
    return {"name": "户主", "relation": "户主", "id_number": unique_id_number(county.code), **kw}


def test_duplicate_id_numbers_say_where_in_the_same_calls_however_many(client, county):
    worker = county.tokens["grid_worker"]

    def duplicates(n: int) -> tuple[list[str], list[str]]:
        """A new household whose n members are all registered in other households: (messages, calls)."""
        taken = []
        for i in range(n):
            hh = county.household(members=1)
            taken.append(hh["members"][0]["id_number"])
        members = [{"name": f"重{i}", "relation": "户主" if i == 0 else "子女", "id_number": idno}
                   for i, idno in enumerate(taken)]
        with dynamodb_calls() as calls:
            r = client.post("/households", {"grid": county.grid, "address": "重号村1号", "members": members},
                            token=worker)
        assert r.status_code == 409 and r.json["error"]["code"] == "duplicate_id_number", r.json
        assert [d["field"] for d in r.json["error"]["details"]] == [f"members.{i}.id_number" for i in range(n)]
        return [d["message"] for d in r.json["error"]["details"]], calls

    one, calls_one = duplicates(1)
    many, calls_many = duplicates(6)
    assert all("测试村" in m and "户*甲" in m for m in one + many), many
    assert calls_many.count("GetItem") == calls_one.count("GetItem")
    assert calls_many.count("BatchGetItem") == calls_one.count("BatchGetItem") <= 3, calls_many
    assert len(calls_many) == len(calls_one), (calls_one, calls_many)


def test_an_import_preview_describes_every_hit_in_one_batch(client, county):
    """A file of new households at an address where households already live, and of households whose members are
    registered elsewhere: one Query per address, the households found described in one BatchGet and one of their
    villages' names, whatever their number."""
    admin = county.tokens["county_admin"]

    def preview(n: int) -> tuple[dict, list[str]]:
        tag = new_phone()[-6:]
        existing = [county.household(members=1) for _ in range(n)]  # all at 测试村1号
        rows = [HH_HEADER]
        for i, hh in enumerate(existing):
            rows.append([f"N{tag}-{i}", county.grid, "测试村1号", f"新{i}", "户主", unique_id_number(county.code),
                         "", "", "", ""])
            rows.append([f"E{tag}-{i}", county.grid, f"别处{i}号", f"旧{i}", "户主", hh["members"][0]["id_number"],
                         "", "", "", ""])
        key = _upload(client, admin, "households", "p.csv", _csv_bytes(rows))
        with dynamodb_calls() as calls:
            p = _preview(client, admin, "households", key)
        assert p.status_code == 200, p.json
        return p.json, calls

    small, calls_small = preview(1)
    big, calls_big = preview(5)
    for p, n in ((small, 1), (big, 5)):
        assert len(p["errors"]) == n and all("测试村" in e["message"] and "户*甲" in e["message"]
                                             for e in p["errors"]), p["errors"]
        indexed = [w for w in p["warnings"] if w["message"].startswith("本村已有地址相同的住户")]
        assert len(indexed) == n and all(w["code"] == "duplicate_address" and "户*甲" in w["message"]
                                         for w in indexed), p["warnings"]  # (the others: the same in the file)
    assert calls_big.count("BatchGetItem") == calls_small.count("BatchGetItem") <= 5, (calls_small, calls_big)
    assert calls_big.count("Query") == calls_small.count("Query") == 1, calls_big  # the one address


def test_the_heads_member_id_follows_every_change_of_head(client, county):
    """The unreported list's contacts read the heads by the member id the household keeps: it follows creation,
    a member becoming or ceasing to be the head, a head removed, and imports."""
    worker = county.tokens["grid_worker"]
    url = f"/reports/unreported?grid={county.grid}&contacts=true&limit=100"

    def phones() -> dict[str, str | None]:
        r = client.get(url, token=worker)
        assert r.status_code == 200, r.json
        return {i["id"]: i["head_phone"] for i in r.json["items"]}

    p1, p2, p3 = new_phone(), new_phone(), new_phone()
    r = client.post("/households", {"grid": county.grid, "address": "头号1号", "members": [_head(county, phone=p1)]},
                    token=worker)
    hid, mid = r.json["id"], r.json["members"][0]["id"]
    assert phones()[hid] == p1
    # The only member stops being the head: no head, no phone; a new member who is the head: theirs.
    assert client.put(f"/households/{hid}/members/{mid}", {"relation": "配偶"}, token=worker).status_code == 200
    assert phones()[hid] is None
    r = client.post(f"/households/{hid}/members", _head(county, name="新户主", phone=p2), token=worker)
    assert r.status_code == 201, r.json
    new_head = r.json["id"]
    assert phones()[hid] == p2
    # The head's phone changes: read fresh.
    r = client.put(f"/households/{hid}/members/{new_head}", {"phone": p3}, token=worker)
    assert r.status_code == 200, r.json
    assert phones()[hid] == p3
    # The head removed (the other member first, so the head is the last one).
    assert client.delete(f"/households/{hid}/members/{mid}", token=worker).status_code == 204
    assert client.delete(f"/households/{hid}/members/{new_head}", token=worker).status_code == 204
    assert phones()[hid] is None

    # An import: a new household's head, and a re-import that makes another member the head.
    admin = county.tokens["county_admin"]
    a, b = unique_id_number(county.code), unique_id_number(county.code)
    pa, pb = new_phone(), new_phone()
    tag = new_phone()[-6:]
    rows = [HH_HEADER, [f"H{tag}", county.grid, "头号2号", "甲", "户主", a, pa, "", "", ""],
            [f"H{tag}", county.grid, "头号2号", "乙", "配偶", b, pb, "", "", ""]]
    key = _upload(client, admin, "households", "h.csv", _csv_bytes(rows))
    assert client.post("/imports", {"kind": "households", "key": key,
                                    "plan": _preview(client, admin, "households", key).json["plan"]},
                       token=admin).status_code == 201
    imported = next(i for i in client.get(url, token=worker).json["items"] if i["ref"] == f"H{tag}")
    assert imported["head_phone"] == pa
    rows = [HH_HEADER, [f"H{tag}", county.grid, "头号2号", "甲", "配偶", a, "", "", "", ""],
            [f"H{tag}", county.grid, "头号2号", "乙", "户主", b, "", "", "", ""]]
    key = _upload(client, admin, "households", "h2.csv", _csv_bytes(rows))
    r = client.post("/imports", {"kind": "households", "key": key,
                                 "plan": _preview(client, admin, "households", key).json["plan"]}, token=admin)
    assert r.status_code == 201, r.json
    assert phones()[imported["id"]] == pb
