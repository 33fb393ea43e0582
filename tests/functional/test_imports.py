"""Spreadsheet imports: presigned S3 upload forms, places and households files, all-or-nothing (embedded AWS)."""

from __future__ import annotations

import csv
import io
import os

import requests

from tests.conftest import new_phone, unique_id_number

PLACE_HEADER = ["编码", "名称"]
HH_HEADER = ["户编号", "网格编码", "地址", "姓名", "与户主关系", "身份证号", "手机号", "是否党员", "是否外来人员",
             "来自"]


# --- helpers ----------------------------------------------------------------------------------------------------

def _csv_bytes(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def _xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
        assert p.json == {"code": code, "name": name, "level": level, "parent": parent}


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
    data = _xlsx_bytes([PLACE_HEADER,
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
    r = _upload_and_import(client, admin, "households", "户籍.xlsx", _xlsx_bytes(rows))
    assert r.status_code == 201, r.json
    assert r.json == {"kind": "households", "rows": 5, "created": 2, "members": 5}

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
