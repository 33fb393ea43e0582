"""Spreadsheet imports: presigned S3 upload forms, places and households files, all-or-nothing (embedded AWS)."""

from __future__ import annotations

import csv
import io
import os
import re

import requests

from tests.conftest import new_phone, unique_id_number, xlsx_bytes

PLACE_HEADER = ["编码", "名称"]
HH_HEADER = ["户编号", "网格编码", "地址", "姓名", "与户主关系", "身份证号", "手机号", "是否党员", "是否外来人员",
             "来自"]


# --- helpers ----------------------------------------------------------------------------------------------------

def _csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)




def _form(client, token, kind: str, filename: str):
    return client.post("/imports/uploads", {"kind": kind, "filename": filename}, token=token)


def _upload(client, token, kind: str, filename: str, data: bytes) -> str:
    r = _form(client, token, kind, filename)
    assert r.status_code == 201, r.json
    form = r.json
    up = requests.post(form["url"], data=form["fields"], files={"file": (filename, data)}, timeout=30)
    assert up.status_code in (200, 201, 204), (up.status_code, up.text)
    return form["key"]


def _import(client, token, kind: str, key: str):
    return client.post("/imports", {"kind": kind, "key": key}, token=token)


def _upload_and_import(client, token, kind, filename, data):
    return _import(client, token, kind, _upload(client, token, kind, filename, data))


def _place_codes_under(client, county) -> set[str]:
    codes, cursor = set(), None
    while True:
        r = client.get(f"/places?under={county.code}&limit=100" + (f"&cursor={cursor}" if cursor else ""),
                       token=county.tokens["county_admin"])
        assert r.status_code == 200, r.json
        codes |= {p["code"] for p in r.json["items"]}
        cursor = r.json["next_cursor"]
        if not cursor:
            return codes


def _households_of(client, county, place) -> list[dict]:
    items, cursor = [], None
    while True:
        r = client.get(f"/households?place={place}&limit=100" + (f"&cursor={cursor}" if cursor else ""),
                       token=county.tokens["county_admin"])
        assert r.status_code == 200, r.json
        items += r.json["items"]
        cursor = r.json["next_cursor"]
        if not cursor:
            return items


def _coverage(client, county, place) -> tuple[int, int]:
    r = client.get(f"/coverage?place={place}", token=county.tokens["county_admin"])
    assert r.status_code == 200, r.json
    return r.json["place"]["households"], r.json["place"]["followed"]


def _rejected_rows(r) -> dict[int, set[str]]:
    assert r.status_code == 422, (r.status_code, r.json)
    assert r.json["error"]["code"] == "import_rejected", r.json
    out: dict[int, set[str]] = {}
    for d in r.json["error"]["details"]:
        assert d.get("message"), d
        out.setdefault(d["row"], set()).add(d["code"])
    return out


# --- upload forms -------------------------------------------------------------------------------------------------

def test_upload_form_is_a_presigned_post_in_the_county_folder(client, county):
    r = _form(client, county.tokens["county_admin"], "places", "乡镇村网格.xlsx")
    assert r.status_code == 201, r.json
    f = r.json
    assert f["key"].startswith(f"{county.code}/imports/places/") and f["key"].endswith(".xlsx")
    assert f["url"].startswith(os.environ["AWS_ENDPOINT_URL"])
    assert f["fields"]["key"] == f["key"] and "policy" in f["fields"]
    assert f["max_bytes"] == 5 * 1024 * 1024
    r = _form(client, county.tokens["township_official"], "households", "households.CSV")
    assert r.status_code == 201, r.json
    assert r.json["key"].startswith(f"{county.code}/imports/households/") and r.json["key"].endswith(".csv")


def test_txt_file_name_is_422(client, county):
    for name in ("places.txt", "places.csv.txt", "../x.csv", "a/b.xlsx"):
        r = _form(client, county.tokens["county_admin"], "places", name)
        assert r.status_code == 422, (name, r.json)
        assert "filename" in {d["field"] for d in r.json["error"]["details"]}, r.json
    r = _form(client, county.tokens["county_admin"], "staff", "staff.csv")
    assert r.status_code == 422 and "kind" in {d["field"] for d in r.json["error"]["details"]}


def test_villager_and_grid_worker_cannot_get_an_upload_form_or_import(client, county):
    hh = county.household()
    _, session = county.villager(hh["id"])
    for token in (session["access_token"], county.tokens["grid_worker"]):
        assert _form(client, token, "households", "hh.csv").status_code == 403
        assert _import(client, token, "households", f"{county.code}/imports/households/x.csv").status_code == 403


def test_s3_refuses_an_upload_larger_than_max_bytes(client, county):
    r = _form(client, county.tokens["county_admin"], "places", "big.csv")
    assert r.status_code == 201, r.json
    form = r.json
    data = b"a" * (form["max_bytes"] + 1)
    up = requests.post(form["url"], data=form["fields"], files={"file": ("big.csv", data)}, timeout=60)
    assert 400 <= up.status_code < 500, (up.status_code, up.text[:300])


def test_an_oversized_object_is_refused_by_the_import_too(client, county):
    """Defence in depth: whatever S3 let through, the import refuses an object above max_bytes (413)."""
    import boto3

    from chalicelib.core.config import settings

    r = _form(client, county.tokens["county_admin"], "places", "big.csv")
    key, max_bytes = r.json["key"], r.json["max_bytes"]
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=settings().region)
    s3.put_object(Bucket=settings().media_bucket, Key=key, Body=b"a" * (max_bytes + 1))
    r = _import(client, county.tokens["county_admin"], "places", key)
    assert r.status_code == 413, r.json


def test_key_outside_the_county_folder_is_422(client, county, other_county):
    admin = county.tokens["county_admin"]
    data = _csv_bytes([PLACE_HEADER, [county.code + "002", "新乡镇"]])
    foreign_key = _upload(client, other_county.tokens["county_admin"], "places", "p.csv", data)
    own_hh_key = _upload(client, admin, "households", "p.csv", data)
    for kind, key in (("places", foreign_key), ("places", own_hh_key), ("places", f"{county.code}/media/x.csv"),
                      ("households", f"{county.code}/imports/places/{'0' * 32}.csv")):
        r = _import(client, admin, kind, key)
        assert r.status_code == 422, (key, r.json)
        assert "key" in {d["field"] for d in r.json["error"]["details"]}, r.json
    assert county.code + "002" not in _place_codes_under(client, county)


def test_key_not_uploaded_is_422(client, county):
    r = _form(client, county.tokens["county_admin"], "places", "p.csv")
    r = _import(client, county.tokens["county_admin"], "places", r.json["key"])
    assert r.status_code == 422, r.json
    assert r.json["error"]["details"][0]["code"] == "not_uploaded"


def test_unreadable_files_are_422(client, county):
    admin = county.tokens["county_admin"]
    r = _upload_and_import(client, admin, "places", "p.xlsx", b"not a zip file at all")
    assert r.status_code == 422, r.json
    r = _upload_and_import(client, admin, "places", "p.csv", _csv_bytes([["甲", "乙"], ["1", "2"]]))
    assert r.status_code == 422, r.json
    too_many = [PLACE_HEADER] + [[f"{county.code}{i:03d}", "镇"] for i in range(1, 999)] * 3  # 2994 rows
    r = _upload_and_import(client, admin, "places", "p.csv", _csv_bytes(too_many))
    assert r.status_code == 422, r.json
    assert county.code + "001" in _place_codes_under(client, county)
    assert county.code + "002" not in _place_codes_under(client, county)


# --- places -------------------------------------------------------------------------------------------------------

def test_places_csv_utf8_with_bom(client, county):
    admin = county.tokens["county_admin"]
    t2 = county.code + "002"
    rows = [["编码", "名称", "上级编码"],
            [t2, "新塘镇", county.code],
            [t2 + "101", "上村", t2],
            [t2 + "101G01", "上村一网格", ""],
            [county.township + "202", "老镇新村", county.township],
            ["", "", ""]]  # blank lines are skipped
    data = _csv_bytes(rows, "utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    r = _upload_and_import(client, admin, "places", "places.csv", data)
    assert r.status_code == 201, r.json
    assert r.json["kind"] == "places" and r.json["rows"] == 4 and r.json["created"] == 4
    for code, name, level, parent in ((t2, "新塘镇", "township", county.code), (t2 + "101", "上村", "village", t2),
                                      (t2 + "101G01", "上村一网格", "grid", t2 + "101"),
                                      (county.township + "202", "老镇新村", "village", county.township)):
        p = client.get(f"/places/{code}", token=admin)
        assert p.status_code == 200, (code, p.json)
        parent_name = {county.code: f"测试县{county.code}", t2: "新塘镇", t2 + "101": "上村",
                       county.township: "测试街道"}[parent]
        assert p.json == {"code": code, "name": name, "level": level, "parent": parent, "parent_name": parent_name,
                          "lng": None, "lat": None}


def test_places_csv_gbk(client, county):
    admin = county.tokens["county_admin"]
    t3 = county.code + "003"
    data = _csv_bytes([["代码", "名称"], [t3, "龙潭街道"], [t3 + "001", "龙潭社区"]], "gbk")
    r = _upload_and_import(client, admin, "places", "乡镇.csv", data)
    assert r.status_code == 201, r.json
    assert r.json["created"] == 2
    assert client.get(f"/places/{t3}", token=admin).json["name"] == "龙潭街道"
    assert client.get(f"/places/{t3}001", token=admin).json["name"] == "龙潭社区"


def test_places_xlsx(client, county):
    admin = county.tokens["county_admin"]
    t4 = county.code + "004"
    data = xlsx_bytes([PLACE_HEADER,
                        [int(t4), "白沙镇"],  # a number cell, as Excel stores typed-in codes
                        [t4 + "102", "白沙村"],
                        [t4 + "102G01", "白沙村第一网格"],
                        [t4 + "102G002", "白沙村第二网格"]])
    r = _upload_and_import(client, admin, "places", "places.xlsx", data)
    assert r.status_code == 201, r.json
    assert (r.json["rows"], r.json["created"]) == (4, 4)
    codes = _place_codes_under(client, county)
    assert {t4, t4 + "102", t4 + "102G01", t4 + "102G002"} <= codes
    assert client.get(f"/places/{t4}102G002", token=admin).json["parent"] == t4 + "102"


def test_places_file_with_bad_rows_is_rejected_whole(client, county):
    admin = county.tokens["county_admin"]
    before = _place_codes_under(client, county)
    t5 = county.code + "005"
    rows = [PLACE_HEADER,
            [t5, "好乡镇"],                      # 2 fine
            [t5, "重复的乡镇"],                  # 3 duplicate within the file
            [county.code + "009201", "孤村"],    # 4 township 009 exists neither in the file nor in the county
            ["12345X", "乱码"],                  # 5 bad code format
            [county.township, "已存在"],          # 6 already exists
            [county.code + "006", ""],           # 7 name missing
            [t5 + "101", "好村"],                # 8 fine (parent in the file)
            [t5 + "101G01", "好网格"]]           # 9 fine
    r = _upload_and_import(client, admin, "places", "bad.csv", _csv_bytes(rows))
    bad = _rejected_rows(r)
    assert set(bad) == {3, 4, 5, 6, 7}, r.json
    assert "duplicate_in_file" in bad[3]
    assert "unknown_parent" in bad[4]
    assert "invalid_code" in bad[5]
    assert "duplicate_code" in bad[6]
    assert "missing" in bad[7]
    assert _place_codes_under(client, county) == before
    assert client.get(f"/places/{t5}", token=admin).status_code == 404


# --- households ---------------------------------------------------------------------------------------------------

def test_households_xlsx_import(client, county):
    admin = county.tokens["county_admin"]
    ids = [unique_id_number(county.code) for _ in range(5)]
    phone, phone2 = new_phone(), new_phone()
    rows = [HH_HEADER,
            ["H001", county.grid, "测试村5号", "张三", "户主", ids[0], int(phone), "是", "否", None],
            ["H001", county.grid, "测试村5号", "李四", "配偶", ids[1], None, "否", "否", None],
            ["H001", None, None, "张小三", "子女", ids[2], None, None, "是", "江西省赣州市"],
            ["H002", county.grid2, "测试村6号", "王五", "户主", ids[3], phone2, "", "", ""],
            ["H002", county.grid2, "测试村6号", "王母", "父母", ids[4].lower(), "", "", "", ""]]
    r = _upload_and_import(client, admin, "households", "户籍.xlsx", xlsx_bytes(rows))
    assert r.status_code == 201, r.json
    assert r.json == {"kind": "households", "rows": 5, "created": 2, "updated": 0, "unchanged": 0, "members": 5,
                      "members_updated": 0}

    listed = {h["ref"]: h for h in _households_of(client, county, county.village)}
    assert set(listed) == {"H001", "H002"}
    assert listed["H001"]["grid"] == county.grid and listed["H001"]["member_count"] == 3
    assert listed["H001"]["head_name"] == "张三" and listed["H001"]["address"] == "测试村5号"
    assert listed["H002"]["grid"] == county.grid2 and listed["H002"]["member_count"] == 2

    full = client.get(f"/households/{listed['H001']['id']}", token=county.tokens["village_admin"]).json
    by_name = {m["name"]: m for m in full["members"]}
    assert full["members"][0]["name"] == "张三"
    assert by_name["张三"]["phone"] == phone and by_name["张三"]["party_member"] is True
    assert by_name["张三"]["id_number"] == ids[0]
    assert by_name["李四"]["party_member"] is False and by_name["李四"]["phone"] is None
    assert by_name["张小三"]["outside_person"] is True and by_name["张小三"]["from_place"] == "江西省赣州市"

    for place, n in ((county.grid, 1), (county.grid2, 1), (county.village, 2), (county.township, 2),
                     (county.code, 2)):
        assert _coverage(client, county, place) == (n, 0), place
    # the imported ID numbers are registered: the same one cannot be added again
    r = client.post("/households", {"grid": county.grid, "address": "x", "members": [
        {"name": "重复", "relation": "户主", "id_number": ids[4]}]}, token=county.tokens["grid_worker"])
    assert r.status_code == 409, r.json


def test_households_csv_gbk_import(client, county):
    admin = county.tokens["county_admin"]
    rows = [HH_HEADER, ["A-1", county.grid, "东头1号", "赵六", "户主", unique_id_number(county.code), "", "", "", ""]]
    r = _upload_and_import(client, admin, "households", "hh.csv", _csv_bytes(rows, "gbk"))
    assert r.status_code == 201, r.json
    assert (r.json["created"], r.json["members"]) == (1, 1)
    assert [h["head_name"] for h in _households_of(client, county, county.grid)] == ["赵六"]


def test_households_file_with_bad_rows_is_rejected_whole(client, county):
    admin = county.tokens["county_admin"]
    existing = county.household(members=1)
    registered = existing["members"][0]["id_number"]
    before_list = _households_of(client, county, county.village)
    before_cov = [_coverage(client, county, p) for p in (county.grid, county.village, county.township, county.code)]

    good = unique_id_number(county.code)
    bad_digit = unique_id_number(county.code)
    bad_digit = bad_digit[:17] + next(c for c in "0123456789X" if c != bad_digit[17])
    rows = [HH_HEADER,
            ["H1", county.grid, "一号", "甲", "户主", good, "", "", "", ""],                          # 2 fine
            ["H1", county.grid, "一号", "乙", "配偶", bad_digit, "", "", "", ""],                     # 3 check digit
            ["H2", county.village + "G09", "二号", "丙", "户主", unique_id_number(county.code), "", "", "", ""],  # 4
            ["H3", county.grid, "三号", "丁", "子女", unique_id_number(county.code), "", "", "", ""],  # 5 no head
            ["H4", county.grid2, "四号", "戊", "户主", unique_id_number(county.code), "", "", "", ""],  # 6 fine
            ["H4", county.grid2, "四号", "己", "子女", good, "", "", "", ""],                         # 7 dup in file
            ["H5", county.grid, "五号", "庚", "户主", registered, "", "", "", ""],                    # 8 registered
            ["H6", county.grid, "六号", "辛", "户主", unique_id_number(county.code), "12345", "", "", ""]]  # 9 phone
    r = _upload_and_import(client, admin, "households", "bad.csv", _csv_bytes(rows))
    bad = _rejected_rows(r)
    assert set(bad) == {3, 4, 5, 7, 8, 9}, r.json
    assert {d["field"] for d in r.json["error"]["details"] if d["row"] == 3} == {"id_number"}
    assert "unknown_parent" in bad[4]
    assert "one_head_required" in bad[5]
    assert "duplicate_in_file" in bad[7]
    assert "duplicate_id_number" in bad[8]

    assert _households_of(client, county, county.village) == before_list
    assert [_coverage(client, county, p) for p in (county.grid, county.village, county.township, county.code)] \
        == before_cov
    r = client.post("/households", {"grid": county.grid, "address": "x", "members": [
        {"name": "甲", "relation": "户主", "id_number": good}]}, token=county.tokens["grid_worker"])
    assert r.status_code == 201, r.json  # nothing of the rejected file was registered


def test_households_import_outside_the_importers_scope_is_rejected(client, county):
    official = county.tokens["township_official"]
    other_village = county.code + "002101"
    for code in (county.code + "002", other_village, other_village + "G01"):
        assert client.post("/places", {"code": code, "name": "外镇"}, token=county.tokens["county_admin"]) \
            .status_code == 201
    rows = [HH_HEADER,
            ["X1", county.grid, "本镇", "甲", "户主", unique_id_number(county.code), "", "", "", ""],
            ["X2", other_village + "G01", "外镇", "乙", "户主", unique_id_number(county.code), "", "", "", ""]]
    r = _upload_and_import(client, official, "households", "hh.csv", _csv_bytes(rows))
    bad = _rejected_rows(r)
    assert bad == {3: {"forbidden_scope"}}, r.json
    assert _households_of(client, county, county.village) == []


# --- previews and re-imports --------------------------------------------------------------------------------------

def _preview(client, token, kind: str, key: str):
    return client.post("/imports/preview", {"kind": kind, "key": key}, token=token)


def _household(client, county, ref: str, token=None) -> dict:
    [hh] = [h for h in _households_of(client, county, county.village) if h["ref"] == ref]
    r = client.get(f"/households/{hh['id']}", token=token or county.tokens["village_admin"])
    assert r.status_code == 200, r.json
    return r.json


def _actions(preview: dict) -> dict[int, str]:
    return {r["row"]: r["action"] for r in preview["items"]}


def test_a_roster_imported_again_updates_what_exists_and_adds_what_is_new_after_a_preview(client, county):
    admin = county.tokens["county_admin"]
    ids = [unique_id_number(county.code) for _ in range(5)]
    phone, phone2 = new_phone(), new_phone()
    first = [HH_HEADER,
             ["R1", county.grid, "一号", "甲", "户主", ids[0], phone, "是", "否", ""],
             ["R1", county.grid, "一号", "乙", "配偶", ids[1], "", "", "", ""],
             ["R2", county.grid2, "二号", "丙", "户主", ids[2], "", "", "", ""]]
    key = _upload(client, admin, "households", "名单.csv", _csv_bytes(first))
    p = _preview(client, admin, "households", key)
    assert p.status_code == 200, p.json
    assert p.json["counts"] == {"rows": {"new": 3, "changed": 0, "unchanged": 0, "errors": 0},
                                "households": {"new": 2, "changed": 0, "unchanged": 0}}
    assert p.json["can_commit"] is True and p.json["errors"] == []
    assert all(re.fullmatch(r"\d{6}\*{8}[\dX]{4}", r["id_number"]) for r in p.json["items"])  # masked for offices
    assert _households_of(client, county, county.village) == []  # a preview writes nothing
    r = client.post("/imports", {"kind": "households", "key": key, "plan": p.json["plan"]}, token=admin)
    assert r.status_code == 201, r.json
    assert (r.json["created"], r.json["updated"], r.json["members"]) == (2, 0, 3)

    # The same file again: nothing to do.
    p = _preview(client, admin, "households", _upload(client, admin, "households", "名单.csv", _csv_bytes(first)))
    assert p.json["counts"]["rows"] == {"new": 0, "changed": 0, "unchanged": 3, "errors": 0}
    assert p.json["can_commit"] is False

    # The office edits the sheet: a new address and phone, a party member, a child, a new household.
    second = [HH_HEADER,
              ["R1", "", "一号东", "甲", "户主", ids[0], phone2, "是", "否", ""],
              ["R1", county.grid, "一号东", "乙", "配偶", ids[1], "", "是", "", ""],
              ["R1", county.grid, "一号东", "丁", "子女", ids[3], "", "", "", ""],
              ["R2", county.grid2, "二号", "丙", "户主", ids[2], "", "", "", ""],
              ["R3", county.grid, "三号", "戊", "户主", ids[4], "", "", "", ""]]
    key = _upload(client, admin, "households", "名单-改.csv", _csv_bytes(second))
    p = _preview(client, admin, "households", key)
    assert p.status_code == 200, p.json
    assert p.json["counts"] == {"rows": {"new": 2, "changed": 2, "unchanged": 1, "errors": 0},
                                "households": {"new": 1, "changed": 1, "unchanged": 1}}
    assert _actions(p.json) == {2: "changed", 3: "changed", 4: "new", 5: "unchanged", 6: "new"}
    changes = {r["row"]: {c["field"]: (c["old"], c["new"]) for c in r["changes"]} for r in p.json["items"]}
    assert changes[2] == {"address": ("一号", "一号东"),
                          "phone": (phone[:3] + "****" + phone[-4:], phone2[:3] + "****" + phone2[-4:])}
    assert changes[3] == {"party_member": (False, True)}
    assert phone2 not in p.body.decode()
    r = client.post("/imports", {"kind": "households", "key": key, "plan": p.json["plan"]}, token=admin)
    assert r.status_code == 201, r.json
    assert r.json == {"kind": "households", "rows": 5, "created": 1, "updated": 1, "unchanged": 1, "members": 2,
                      "members_updated": 2}

    r1 = _household(client, county, "R1")
    by_name = {m["name"]: m for m in r1["members"]}
    assert r1["address"] == "一号东" and r1["member_count"] == 3 and r1["head_name"] == "甲"
    assert by_name["甲"]["phone"] == phone2 and by_name["乙"]["party_member"] is True
    assert by_name["丁"]["relation"] == "子女"
    assert _coverage(client, county, county.grid) == (2, 0) and _coverage(client, county, county.village) == (3, 0)
    office = county.tokens["village_admin"]
    found = client.get(f"/members?q={phone2}", token=office).json
    assert "items" in found, found
    found = found["items"]  # the phone index moved too
    assert [x["name"] for x in found] == ["甲"]
    assert client.get(f"/members?q={phone}", token=office).json["items"] == []


def test_a_commit_after_the_records_changed_is_refused_and_a_new_preview_sees_the_change(client, county):
    admin, worker = county.tokens["county_admin"], county.tokens["grid_worker"]
    idno = unique_id_number(county.code)
    key = _upload(client, admin, "households", "a.csv", _csv_bytes(
        [HH_HEADER, ["S1", county.grid, "一号", "甲", "户主", idno, "", "", "", ""]]))
    assert _import(client, admin, "households", key).status_code == 201
    key = _upload(client, admin, "households", "b.csv", _csv_bytes(
        [HH_HEADER, ["S1", county.grid, "一号南", "甲", "户主", idno, "", "", "", ""]]))
    plan = _preview(client, admin, "households", key).json["plan"]
    hh = _household(client, county, "S1")
    assert client.put(f"/households/{hh['id']}", {"address": "一号北"}, token=worker).status_code == 200
    r = client.post("/imports", {"kind": "households", "key": key, "plan": plan}, token=admin)
    assert r.status_code == 409 and r.json["error"]["code"] == "import_stale", r.json
    assert _household(client, county, "S1")["address"] == "一号北"
    p = _preview(client, admin, "households", key).json
    assert p["items"][0]["changes"] == [{"field": "address", "old": "一号北", "new": "一号南"}]
    r = client.post("/imports", {"kind": "households", "key": key, "plan": p["plan"]}, token=admin)
    assert r.status_code == 201 and _household(client, county, "S1")["address"] == "一号南"
    r = client.post("/imports", {"kind": "households", "key": key, "plan": "0" * 39}, token=admin)
    assert r.status_code == 422, r.json


def test_an_id_number_with_full_width_digits_is_matched_to_the_same_person(client, county):
    admin = county.tokens["county_admin"]
    idno = unique_id_number(county.code)
    wide = idno.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    key = _upload(client, admin, "households", "a.csv", _csv_bytes(
        [HH_HEADER, ["W1", county.grid, "一号", "甲", "户主", idno, "", "", "", ""]]))
    assert _import(client, admin, "households", key).status_code == 201
    for data in (_csv_bytes([HH_HEADER, ["Ｗ１", county.grid, "一号", "甲", "户主", wide, "", "", "", ""]]),
                 xlsx_bytes([HH_HEADER, ["W1", county.grid, "一号", "甲", "本人", " " + wide + " ", None, None, None,
                                          None]])):
        name = "b.xlsx" if data[:2] == b"PK" else "b.csv"
        p = _preview(client, admin, "households", _upload(client, admin, "households", name, data)).json
        assert p["errors"] == [] and _actions(p) == {2: "unchanged"}, p
    r = client.get(f"/members?q={wide}", token=county.tokens["village_admin"])
    assert [x["name"] for x in r.json["items"]] == ["甲"]
    assert len(_households_of(client, county, county.village)) == 1


def test_an_id_number_a_spreadsheet_turned_into_a_number_is_a_row_error_that_says_so(client, county):
    admin = county.tokens["county_admin"]
    idno = unique_id_number(county.code)
    as_number = float(idno[:17] + "0")  # what Excel keeps of 18 digits: 15 significant ones
    rows = [HH_HEADER,
            ["N1", county.grid, "一号", "甲", "户主", as_number, "", "", "", ""],
            ["N2", county.grid, "二号", "乙", "户主", int(idno[:17] + "0"), "", "", "", ""],
            ["N3", county.grid, "三号", "丙", "户主", unique_id_number(county.code), "", "", "", ""]]
    p = _preview(client, admin, "households", _upload(client, admin, "households", "n.xlsx", xlsx_bytes(rows))).json
    bad = {e["row"]: e for e in p["errors"]}
    assert set(bad) == {2, 3}, p["errors"]
    assert all(e["code"] == "number_converted" and "被表格转换成了数字" in e["message"] and "文本" in e["message"]
               for e in bad.values())
    assert p["can_commit"] is False and p["counts"]["rows"]["errors"] == 2
    from chalicelib.core.pii import id_check_digit

    lost = idno[:15] + "000"  # three digits lost: the check digit is then wrong 10 times in 11; take such a one
    while id_check_digit(lost[:17]) == "0":
        lost = unique_id_number(county.code)[:15] + "000"
    csv_rows = [HH_HEADER, ["N4", county.grid, "四号", "丁", "户主", "3.30825E+17", "", "", "", ""],
                ["N5", county.grid, "五号", "戊", "户主", lost, "", "", "", ""]]
    r = _upload_and_import(client, admin, "households", "n.csv", _csv_bytes(csv_rows))
    assert _rejected_rows(r) == {2: {"number_converted"}, 3: {"invalid_id_number"}}, r.json
    messages = {d["row"]: d["message"] for d in r.json["error"]["details"]}
    assert "被表格转换成了数字" in messages[2], messages
    assert "校验位" in messages[3] and "转换成了数字" in messages[3], messages  # lost digits: 000 and a bad check
    assert _households_of(client, county, county.village) == []


def test_unknown_columns_are_reported_and_synonyms_and_template_hints_are_accepted(client, county):
    admin = county.tokens["county_admin"]
    phone = new_phone()
    header = ["户编号", "网格编码", "地址", "姓名", "与户主关系（户主/配偶/子女/父母/孙子女/兄弟姐妹/其他）",
              "身份证号", "手机号码", "是否党员（是/否）", "备注", "电话号"]
    rows = [header,
            ["示例-001", county.grid, "张王村1号", "张三", "户主", "330825198001010011", "", "否", "", ""],
            ["U1", county.grid, "一号", "甲", "本人", unique_id_number(county.code), phone, "是", "老党员", ""],
            ["U1", county.grid, "一号", "乙", "妻", unique_id_number(county.code), "", "否", "", ""]]
    key = _upload(client, admin, "households", "u.csv", _csv_bytes(rows))
    p = _preview(client, admin, "households", key).json
    assert p["errors"] == [], p["errors"]
    warned = {(w["row"], w["code"]): w["message"] for w in p["warnings"]}
    assert set(warned) == {(1, "unknown_column"), (2, "sample_row")} and len(p["warnings"]) == 3, p["warnings"]
    messages = [w["message"] for w in p["warnings"] if w["code"] == "unknown_column"]
    assert any("备注" in m for m in messages) and any("电话号" in m and "手机号" in m for m in messages), messages
    assert _actions(p) == {3: "new", 4: "new"}  # the sample row is not imported
    assert _import(client, admin, "households", key).status_code == 201
    hh = _household(client, county, "U1")
    by_name = {m["name"]: m for m in hh["members"]}
    assert by_name["甲"]["relation"] == "户主" and by_name["甲"]["phone"] == phone  # 手机号码 is 手机号
    assert by_name["乙"]["relation"] == "配偶" and by_name["甲"]["party_member"] is True


def test_duplicate_or_missing_columns_and_bad_yes_no_values_are_errors(client, county):
    admin = county.tokens["county_admin"]
    rows = [["户编号", "网格编码", "地址", "姓名", "与户主关系", "身份证号", "手机号", "联系电话"],
            ["D1", county.grid, "一号", "甲", "户主", unique_id_number(county.code), "", ""]]
    r = _upload_and_import(client, admin, "households", "d.csv", _csv_bytes(rows))
    assert _rejected_rows(r) == {1: {"duplicate_column"}}
    rows = [["户编号", "网格编码", "地址", "姓名", "与户主关系"], ["D2", county.grid, "一号", "甲", "户主"]]
    r = _upload_and_import(client, admin, "households", "d.csv", _csv_bytes(rows))
    assert 1 in _rejected_rows(r) and "missing_column" in _rejected_rows(r)[1]
    assert "身份证号" in next(d["message"] for d in r.json["error"]["details"] if d["code"] == "missing_column")
    rows = [HH_HEADER, ["D3", county.grid, "一号", "甲", "户主", unique_id_number(county.code), "", "大概", "", ""]]
    r = _upload_and_import(client, admin, "households", "d.csv", _csv_bytes(rows))
    assert _rejected_rows(r) == {2: {"yes_no"}}


def test_a_person_registered_in_another_household_is_a_row_error_that_says_where(client, county):
    admin = county.tokens["county_admin"]
    other = county.household(members=1)
    taken = other["members"][0]["id_number"]
    rows = [HH_HEADER, ["E1", county.grid, "一号", "甲", "户主", taken, "", "", "", ""]]
    r = _upload_and_import(client, admin, "households", "e.csv", _csv_bytes(rows))
    assert _rejected_rows(r) == {2: {"duplicate_id_number"}}
    message = r.json["error"]["details"][0]["message"]
    assert "测试村" in message and other["ref"] in message and "户*甲" in message, message


def test_a_reimport_that_fails_part_way_puts_back_what_it_changed(client, county, monkeypatch):
    from chalicelib.core.errors import ServiceUnavailable
    from chalicelib.households import roster

    admin = county.tokens["county_admin"]
    ids = [unique_id_number(county.code) for _ in range(3)]
    phone = new_phone()
    key = _upload(client, admin, "households", "f.csv", _csv_bytes(
        [HH_HEADER, ["F1", county.grid, "一号", "甲", "户主", ids[0], phone, "", "", ""],
         ["F2", county.grid, "二号", "乙", "户主", ids[1], "", "", "", ""]]))
    assert _import(client, admin, "households", key).status_code == 201
    before = [_household(client, county, ref) for ref in ("F1", "F2")]
    key = _upload(client, admin, "households", "g.csv", _csv_bytes(
        [HH_HEADER, ["F1", county.grid, "一号改", "甲改", "户主", ids[0], new_phone(), "是", "", ""],
         ["F1", county.grid, "一号改", "新成员", "子女", ids[2], "", "", "", ""],
         ["F2", county.grid, "二号改", "乙", "户主", ids[1], "", "", "", ""],
         ["F3", county.grid, "三号", "丙", "户主", unique_id_number(county.code), "", "", "", ""]]))
    original, n = roster._update, {"calls": 0}

    def failing_second(tenant, op):
        n["calls"] += 1
        if n["calls"] == 2:
            raise ServiceUnavailable()
        return original(tenant, op)

    monkeypatch.setattr(roster, "_update", failing_second)
    r = _import(client, admin, "households", key)
    assert r.status_code == 503, r.json
    after = [_household(client, county, ref) for ref in ("F1", "F2")]
    strip = ("updated_at",)
    for b, a in zip(before, after, strict=True):
        assert {k: v for k, v in a.items() if k not in strip} == {k: v for k, v in b.items() if k not in strip}
    assert {h["ref"] for h in _households_of(client, county, county.village)} == {"F1", "F2"}
    office = county.tokens["village_admin"]
    assert client.get(f"/members?q={ids[2]}", token=office).json["items"] == []  # the added member is gone
    assert [x["name"] for x in client.get(f"/members?q={phone}", token=office).json["items"]] == ["甲"]
    monkeypatch.setattr(roster, "_update", original)
    r = _import(client, admin, "households", key)
    assert r.status_code == 201 and (r.json["created"], r.json["updated"]) == (1, 2), r.json


def test_a_places_file_imported_again_is_unchanged_not_an_error(client, county):
    admin = county.tokens["county_admin"]
    t6 = county.code + "006"
    rows = [PLACE_HEADER, [t6, "六乡"], [t6 + "101", "六村"]]
    assert _upload_and_import(client, admin, "places", "p.csv", _csv_bytes(rows)).status_code == 201
    rows.append([t6 + "101G01", "六村第一网格"])
    key = _upload(client, admin, "places", "p.csv", _csv_bytes(rows))
    p = _preview(client, admin, "places", key).json
    assert p["counts"]["rows"] == {"new": 1, "changed": 0, "unchanged": 2, "errors": 0}, p
    r = client.post("/imports", {"kind": "places", "key": key, "plan": p["plan"]}, token=admin)
    assert r.status_code == 201 and (r.json["created"], r.json["unchanged"]) == (1, 2), r.json
    renamed = [PLACE_HEADER, [t6, "六镇"]]
    r = _upload_and_import(client, admin, "places", "p.csv", _csv_bytes(renamed))
    assert _rejected_rows(r) == {2: {"duplicate_code"}}
    assert "六乡" in r.json["error"]["details"][0]["message"]


def test_a_preview_outside_the_importers_places_shows_nothing_of_another_places_household(client, county):
    """A township official previews a file naming a household of another township: the rows are errors, and the
    preview says nothing about that household (no names, address, changes)."""
    admin, official = county.tokens["county_admin"], county.tokens["township_official"]
    other_village = county.code + "007101"
    for code in (county.code + "007", other_village, other_village + "G01"):
        assert client.post("/places", {"code": code, "name": "外镇"}, token=admin).status_code == 201
    idno = unique_id_number(county.code)
    key = _upload(client, admin, "households", "o.csv", _csv_bytes(
        [HH_HEADER, ["O1", other_village + "G01", "外镇秘密1号", "外甲", "户主", idno, "", "", "", ""]]))
    assert _import(client, admin, "households", key).status_code == 201
    key = _upload(client, official, "households", "o.csv", _csv_bytes(
        [HH_HEADER, ["O1", "", "", "猜名", "户主", unique_id_number(county.code), "", "", "", ""],
         ["O2", other_village + "G01", "外镇2号", "乙", "户主", idno, "", "", "", ""]]))
    p = _preview(client, official, "households", key)
    assert p.status_code == 200, p.json
    assert {(e["row"], e["code"]) for e in p.json["errors"]} == {(2, "forbidden_scope"), (3, "forbidden_scope"),
                                                                 (3, "duplicate_id_number")}
    assert _actions(p.json) == {2: "error", 3: "error"} and p.json["can_commit"] is False
    body = p.body.decode()
    assert "外镇秘密1号" not in body and "外甲" not in body and "外*" not in body, body
    assert "本县其他地方" in next(e["message"] for e in p.json["errors"] if e["code"] == "duplicate_id_number")


def test_control_and_bidi_characters_in_cells_are_row_errors(client, county):
    admin = county.tokens["county_admin"]
    rows = [HH_HEADER, ["B1", county.grid, "一号\u202e", "甲", "户主", unique_id_number(county.code), "", "", "", ""],
            ["B2", county.grid, "二号", "张\u200b三", "户主", unique_id_number(county.code), "", "", "", ""]]
    r = _upload_and_import(client, admin, "households", "b.csv", _csv_bytes(rows))
    bad = _rejected_rows(r)
    assert set(bad) == {2, 3}, r.json
    assert {d["field"] for d in r.json["error"]["details"]} == {"address", "name"}
