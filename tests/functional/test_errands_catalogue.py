"""网上代办's catalogue (issue 14 point 1) on the embedded AWS: the county's items, kept by its administrator,
read by every member in one call, imported from the county's own list."""

from __future__ import annotations

import requests

from tests.conftest import new_phone, xlsx_bytes

HEADER = ["事项编码", "事项名称", "实施部门", "事项简介", "办理条件", "申请材料", "表单字段", "收费标准", "法定时限",
          "承诺时限", "送达方式", "关键词"]


def item(name="生育登记", department="县卫生健康局", **over) -> dict:
    body = {"name": name, "department": department, "summary": "夫妻生育子女的登记",
            "materials": [{"name": "夫妻双方身份证", "note": "正反面拍照", "original_required": True},
                          {"name": "结婚证"}],
            "fields": [{"key": "f1", "label": "孩子出生日期", "type": "date", "required": True},
                       {"key": "f2", "label": "分娩方式", "type": "choice", "choices": ["顺产", "剖宫产"]}],
            "fee": "不收费", "time_limit_days": 20, "promised_days": 1, "delivery": ["pickup", "courier"],
            "keywords": ["准生证"]}
    body.update(over)
    return body


def add(client, county, body=None, **over):
    r = client.post("/errands/items", body or item(**over), token=county.tokens["county_admin"],
                    headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    return r.json


def test_the_admin_adds_an_item_and_every_member_finds_it_by_its_pinyin_initials(client, county):
    out = add(client, county)
    assert out["initials"] == "sydj" and out["version"] == 1 and out["enabled"] is True
    assert out["materials"][0] == {"name": "夫妻双方身份证", "note": "正反面拍照", "original_required": True,
                                   "sample_url": None}
    villager = county.villager(county.household(members=1)["id"])[1]["access_token"]
    for tok in (villager, county.tokens["grid_worker"]):
        r = client.get("/errands/items", token=tok)
        assert r.status_code == 200, r.json
        listed = {i["id"]: i for i in r.json["items"]}
        assert listed[out["id"]]["initials"] == "sydj" and listed[out["id"]]["keywords"] == ["准生证"]
        assert "materials" not in listed[out["id"]]  # the list is what search needs; the item has the rest
        assert client.get(f"/errands/items/{out['id']}", token=tok).json == out


def test_the_catalogue_is_one_read(client, county):
    from tests.conftest import dynamodb_calls

    for n in range(3):
        add(client, county, name=f"高龄津贴申领{n}", department="县民政局")
    with dynamodb_calls() as calls:
        r = client.get("/errands/items", token=county.tokens["grid_worker"])
    assert r.status_code == 200 and len(r.json["items"]) >= 3
    # the county's record (tests read it on every request: CQT_TENANT_CACHE_SECONDS=0) and the catalogue's index
    assert calls == ["GetItem", "GetItem"], calls


def test_only_the_county_admin_keeps_the_catalogue(client, county):
    for role in ("township_official", "village_admin", "grid_worker"):
        r = client.post("/errands/items", item(name=f"临时救助{role}"), token=county.tokens[role],
                        headers={"Idempotency-Key": new_phone()})
        assert r.status_code == 403, (role, r.json)
    assert client.get("/errands/items?all=true", token=county.tokens["village_admin"]).status_code == 403


def test_an_edit_needs_the_version_read_and_a_switched_off_item_is_no_longer_offered(client, county):
    out = add(client, county, name="老年优待证办理", department="县民政局")
    admin = county.tokens["county_admin"]
    changed = {**item(name="老年优待证办理", department="县民政局"), "promised_days": 0, "version": 1}
    r = client.put(f"/errands/items/{out['id']}", changed, token=admin)
    assert r.status_code == 200 and r.json["promised_days"] == 0 and r.json["version"] == 2, r.json
    stale = client.put(f"/errands/items/{out['id']}", {**changed, "enabled": False}, token=admin)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "version_conflict"
    off = client.put(f"/errands/items/{out['id']}", {**changed, "enabled": False, "version": 2}, token=admin)
    assert off.status_code == 200 and off.json["enabled"] is False
    worker = county.tokens["grid_worker"]
    assert out["id"] not in {i["id"] for i in client.get("/errands/items", token=worker).json["items"]}
    assert client.get(f"/errands/items/{out['id']}", token=worker).status_code == 404
    everything = client.get("/errands/items?all=true", token=admin).json["items"]
    assert next(i for i in everything if i["id"] == out["id"])["enabled"] is False


def test_bad_items_are_refused_with_the_reason_and_change_nothing(client, county):
    admin = county.tokens["county_admin"]
    before = client.get("/errands/items?all=true", token=admin).json
    bad = [
        item(delivery=[]),
        item(fields=[{"key": "f1", "label": "分娩方式", "type": "choice", "choices": ["顺产"]}]),
        item(fields=[{"key": "f2", "label": "姓名"}]),
        item(promised_days=30, time_limit_days=20),
        item(name="x"),
        {**item(), "initials": "abc"},
    ]
    for body in bad:
        r = client.post("/errands/items", body, token=admin, headers={"Idempotency-Key": new_phone()})
        assert r.status_code == 422, (body, r.json)
        assert r.json["error"]["message"]
    add(client, county, name="残疾人证换领", department="县残联")
    dup = client.post("/errands/items", item(name="残疾人证换领", department="县残联"), token=admin,
                      headers={"Idempotency-Key": new_phone()})
    assert dup.status_code == 409 and dup.json["error"]["code"] == "duplicate_item"
    after = client.get("/errands/items?all=true", token=admin).json
    assert len(after["items"]) == len(before["items"]) + 1
    assert client.get("/errands/items/zzzzzzzzzzzz", token=admin).status_code == 404


def test_a_retried_create_adds_one_item(client, county):
    admin = county.tokens["county_admin"]
    key = new_phone()
    first = client.post("/errands/items", item(name="城乡居民医保参保登记", department="县医保局"), token=admin,
                        headers={"Idempotency-Key": key})
    again = client.post("/errands/items", item(name="城乡居民医保参保登记", department="县医保局"), token=admin,
                        headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201 and first.json == again.json
    names = [i["name"] for i in client.get("/errands/items", token=admin).json["items"]]
    assert names.count("城乡居民医保参保登记") == 1


def test_another_county_sees_none_of_it(client, county, operator_token):
    from tests.conftest import County

    out = add(client, county, name="户口迁移", department="县公安局")
    other = County(client, operator_token)
    assert out["id"] not in {i["id"] for i in client.get("/errands/items", token=other.tokens["grid_worker"]).json[
        "items"]}
    assert client.get(f"/errands/items/{out['id']}", token=other.tokens["county_admin"]).status_code == 404
    changed = {**item(name="户口迁移", department="县公安局"), "version": 1}
    assert client.put(f"/errands/items/{out['id']}", changed, token=other.tokens["county_admin"]).status_code == 404


def _upload(client, token, filename, data) -> str:
    r = client.post("/imports/uploads", {"kind": "errands", "filename": filename}, token=token)
    assert r.status_code == 201, r.json
    up = requests.post(r.json["url"], data=r.json["fields"], files={"file": (filename, data)}, timeout=30)
    assert up.status_code in (200, 201, 204), up.text
    return r.json["key"]


def test_the_countys_list_is_previewed_then_imported_and_importing_it_again_changes_nothing(client, county):
    admin = county.tokens["county_admin"]
    existing = add(client, county, name="新生儿入户", department="县公安局", promised_days=5, time_limit_days=20)
    rows = [HEADER,
            ["", "新生儿入户", "县公安局", "新生儿落户", "", "出生医学证明（原件）\n父母户口簿：户主页和本人页",
             "新生儿姓名*；出生日期（日期）*", "不收费", "20个工作日", "即办", "快递送达、网点自取", "落户，上户口"],
            ["LY-MZ-009", "困难残疾人生活补贴", "县民政局", "", "", "残疾人证（原件）", "申请人身份证号（身份证号）*",
             "不收费", "20", "10", "快递", "残补"]]
    key = _upload(client, admin, "事项目录.xlsx", xlsx_bytes(rows))
    preview = client.post("/errands/import", {"key": key, "dry_run": True}, token=admin)
    assert preview.status_code == 200, preview.json
    assert [(r["row"], r["action"]) for r in preview.json["rows"]] == [(2, "changed"), (3, "new")]
    assert client.get(f"/errands/items/{existing['id']}", token=admin).json["promised_days"] == 5  # not yet
    done = client.post("/errands/import", {"key": key}, token=admin)
    assert done.status_code == 200 and (done.json["created"], done.json["updated"]) == (1, 1), done.json
    got = client.get(f"/errands/items/{existing['id']}", token=admin).json
    assert got["promised_days"] == 0 and got["materials"][0]["original_required"] is True
    listed = {i["name"]: i for i in client.get("/errands/items", token=admin).json["items"]}
    new = listed["困难残疾人生活补贴"]
    assert new["delivery"] == ["courier"] and new["code"] == "LY-MZ-009"
    again = client.post("/errands/import", {"key": key}, token=admin).json
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_a_list_with_a_bad_row_imports_nothing(client, county):
    admin = county.tokens["county_admin"]
    rows = [HEADER,
            ["", "临时救助申请", "县民政局", "", "", "", "", "", "", "", "", ""],
            ["", "", "县民政局", "", "", "", "", "", "", "", "", ""]]
    key = _upload(client, admin, "目录.xlsx", xlsx_bytes(rows))
    r = client.post("/errands/import", {"key": key}, token=admin)
    assert r.status_code == 422 and r.json["error"]["code"] == "import_rejected", r.json
    assert r.json["error"]["details"][0]["row"] == 3
    assert "临时救助申请" not in {i["name"] for i in client.get("/errands/items", token=admin).json["items"]}
    other_key = f"{county.code}/imports/households/x.xlsx"
    assert client.post("/errands/import", {"key": other_key}, token=admin).status_code == 422
    assert client.post("/imports/uploads", {"kind": "errands", "filename": "a.xlsx"},
                       token=county.tokens["village_admin"]).status_code == 403
