"""Open311 GeoReport v2 per county, on the embedded AWS: services and definitions, filing form-encoded with an API key
the county admin issued, the request lists with every filter, JSON and XML, errors as the spec's error array, the
limits per key and per reader, what never leaves (filers, private types, tip-offs, hidden words and photos), and two
third-party clients from PyPI (georeport for reads, civicbot's Open311Client for validated filing) talking HTTP to
the app behind devstack's local gateway on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import urllib.parse
from xml.etree import ElementTree as ET

import pytest

from chalicelib.core.aws import client as aws_client
from chalicelib.core.config import settings
from tests.conftest import dynamodb_calls

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000
FORM = {"content-type": "application/x-www-form-urlencoded"}
# What a submitter sends about themselves: accepted, never published (and only the name is stored).
PERSON = {"first_name": "晓明", "last_name": "欧阳", "email": "xiaoming.oy@example.org", "phone": "13912345678",
          "device_id": "device-7f3a", "account_id": "acct-99", "media_url": "https://example.org/photo.jpg"}


@pytest.fixture
def village(county):
    """A county with a villager of the first grid (a grid worker is posted there)."""
    c = county
    hh = c.household(members=1)
    phone, session = c.villager(hh["id"])
    c.tokens["villager"] = session["access_token"]
    c.villager_uid, c.villager_phone = session["user_id"], phone
    return c


@pytest.fixture
def extra_types(monkeypatch):
    """Two throwaway case types of a switched-on module: a public one with number, multi-choice and datetime fields
    (filed at a village, anonymity allowed), and a private one (like letters) that must never be published."""
    from chalicelib.cases import types

    types.all_types()  # the manifests' own types first
    fields = (types.Field("how_many", "数量", "number", required=True),
              types.Field("kinds", "种类", "multivaluelist", values=(("a", "甲类"), ("b", "乙类"), ("c", "丙类"))),
              types.Field("seen_at", "发现时间", "datetime", description="大约何时发现"))
    public = types.CaseType(
        id="o311demo", module="snaps", prefix="QD", name="公共设施测试", name_en="Public test",
        read_permission="snaps.read", handle_permission="snaps.handle",
        categories=(types.Category("count", "计数", "Count", sla_hours=24, fields=fields),),
        place_level="village", escalation=("village", "township", "county"), anonymous=True, public_board=True)
    secret = types.CaseType(
        id="o311secret", module="snaps", prefix="QS", name="私密测试", name_en="Private test",
        read_permission="snaps.read", handle_permission="snaps.handle",
        categories=(types.Category("x", "私密", "Private"),), place_level="village",
        escalation=("village", "township", "county"), private=True, public_board=True)
    for t in (public, secret):
        monkeypatch.setitem(types._types, t.id, t)
        monkeypatch.setitem(types._by_prefix, t.prefix, t)
    return public, secret


# --- helpers ------------------------------------------------------------------------------------------------------

def o311(c, path: str, fmt: str = "json", **query):
    query.setdefault("jurisdiction_id", c.code)
    qs = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
    return c.api.get(f"/open311/v2/{path}.{fmt}" + (f"?{qs}" if qs else ""))


def post(c, form: dict, fmt: str = "json", headers: dict | None = None):
    return c.api.post(f"/open311/v2/requests.{fmt}", raw=urllib.parse.urlencode(form, doseq=True),
                      headers={**FORM, **(headers or {})})


def new_key(c, name: str = "测试客户端", per_day: int | None = None) -> str:
    body = {"name": name} if per_day is None else {"name": name, "per_day": per_day}
    r = c.api.post("/open311/keys", body, token=c.tokens["county_admin"])
    assert r.status_code == 201, r.json
    return r.json["api_key"]


def road(c, key: str, **kw) -> dict:
    form = {"api_key": key, "jurisdiction_id": c.code, "service_code": "snap.road", "address_id": c.grid,
            "description": "村口路灯坏了三天，晚上看不清路", "attribute[facility]": "streetlight"}
    form.update(kw)
    return {k: v for k, v in form.items() if v is not None}


def spec_errors(r, status: int) -> list[dict]:
    """The spec's error array, with the HTTP status as each code and a Chinese description."""
    assert r.status_code == status, r.body
    assert r.headers["Content-Type"].startswith("application/json")
    errors = json.loads(r.body)
    assert isinstance(errors, list) and errors, errors
    for e in errors:
        assert set(e) == {"code", "description"} and e["code"] == status, e
        assert any("\u4e00" <= ch <= "\u9fff" for ch in e["description"]), e
    return errors


def xml_of(r, status: int = 200) -> ET.Element:
    assert r.status_code == status, r.body
    assert r.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert r.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(r.body)


def xml_errors(r, status: int) -> list[str]:
    root = xml_of(r, status)
    assert root.tag == "errors" and len(root) >= 1
    assert all(e.tag == "error" and e.findtext("code") == str(status) and e.findtext("description") for e in root)
    return [e.findtext("description") for e in root]


def upload(c, token: str) -> str:
    r = c.api.post("/cases/uploads", {"type": "snap", "content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=JPEG, ContentType="image/jpeg")
    return r.json["key"]


def snap(c, photos: int = 1, **kw) -> dict:
    body = {"category": "sanitation", "text": "村口垃圾堆了三天没人清",
            "photos": [upload(c, c.tokens["villager"]) for _ in range(photos)], **kw}
    r = c.api.post("/snaps", body, token=c.tokens["villager"])
    assert r.status_code == 201, r.json
    return r.json


def act(c, ref: str, role: str, **body):
    r = c.api.post(f"/cases/{ref}/actions", body, token=c.tokens[role])
    assert r.status_code == 200, r.json
    return r.json


def refs(r) -> list[str]:
    assert r.status_code == 200, r.body
    return [x["service_request_id"] for x in json.loads(r.body)]


# --- services ------------------------------------------------------------------------------------------------------

def test_services_and_definitions_in_json_and_xml(village, extra_types, operator_token):
    c = village
    r = o311(c, "services")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json; charset=utf-8"
    services = {s["service_code"]: s for s in json.loads(r.body)}
    # 随手拍's categories and the public test type; never tip-offs (about people), letters or any private type.
    assert set(services) == {"snap.sanitation", "snap.road", "snap.safety", "snap.dispute", "snap.other",
                             "o311demo.count"}
    assert services["snap.road"] == {"service_code": "snap.road", "service_name": "道路设施",
                                     "description": "道路破损、路灯不亮、护栏损坏", "metadata": True,
                                     "type": "realtime", "keywords": "道路设施, Roads and facilities, 随手拍, "
                                                                     "Snap-and-report", "group": "随手拍"}
    assert services["snap.sanitation"]["metadata"] is False  # no extra fields: no definition needed

    root = xml_of(o311(c, "services", "xml"))
    assert root.tag == "services" and {s.findtext("service_code") for s in root.findall("service")} == set(services)
    xml_road = next(s for s in root if s.findtext("service_code") == "snap.road")
    assert xml_road.findtext("metadata") == "true" and xml_road.findtext("group") == "随手拍"

    r = o311(c, "services/snap.road")
    assert r.status_code == 200, r.body
    assert json.loads(r.body) == {"service_code": "snap.road", "attributes": [{
        "variable": True, "code": "facility", "datatype": "singlevaluelist", "required": True,
        "datatype_description": "从 values 中选一项，提交它的 key", "order": 1, "description": "设施类型",
        "values": [{"key": "road", "name": "道路"}, {"key": "streetlight", "name": "路灯"},
                   {"key": "bridge", "name": "桥梁护栏"}, {"key": "water", "name": "供水管道"},
                   {"key": "other", "name": "其他"}]}]}
    demo = json.loads(o311(c, "services/o311demo.count").body)
    assert [(a["code"], a["datatype"], a["required"], a["order"]) for a in demo["attributes"]] == [
        ("how_many", "number", True, 1), ("kinds", "multivaluelist", False, 2), ("seen_at", "datetime", False, 3)]
    assert demo["attributes"][2]["description"] == "发现时间：大约何时发现"

    definition = xml_of(o311(c, "services/snap.road", "xml"))
    assert definition.tag == "service_definition" and definition.findtext("service_code") == "snap.road"
    attribute = definition.find("attributes/attribute")
    assert attribute.findtext("code") == "facility" and attribute.findtext("required") == "true"
    assert [v.findtext("key") for v in attribute.findall("values/value")] == ["road", "streetlight", "bridge",
                                                                              "water", "other"]

    # Unknown, private and unpublished service codes, and resources without a known format, do not exist.
    for path in ("services/snap.nope", "services/o311secret.x", "services/tipoff.returnee", "services/letter.help"):
        spec_errors(o311(c, path), 404)
    assert "o311secret" in xml_errors(o311(c, "services/o311secret.x", "xml"), 404)[0]
    for raw in (f"/open311/v2/services/snap.road?jurisdiction_id={c.code}",
                f"/open311/v2/services/snap.road.html?jurisdiction_id={c.code}"):
        spec_errors(c.api.get(raw), 404)

    # A module switched off takes its services away.
    r = c.api.put(f"/counties/{c.code}/modules", {"modules": ["daily_report", "scan_pass", "tipoffs"]},
                  token=operator_token)
    assert r.status_code == 200, r.json
    try:
        assert json.loads(o311(c, "services").body) == []
        spec_errors(o311(c, "services/snap.road"), 404)
    finally:
        c.api.put(f"/counties/{c.code}/modules", {"modules": ["daily_report", "scan_pass", "tipoffs", "snaps"]},
                  token=operator_token)


def test_the_jurisdiction_is_required_and_must_exist(county):
    c = county
    assert "jurisdiction_id" in spec_errors(c.api.get("/open311/v2/services.json"), 400)[0]["description"]
    assert "jurisdiction_id" in xml_errors(c.api.get("/open311/v2/requests.xml"), 400)[0]
    for jid in ("999999", "abc", "3308251"):
        spec_errors(o311(c, "services", jurisdiction_id=jid), 404)
    spec_errors(o311(c, "requests", jurisdiction_id="000000"), 404)
    # no token is ever issued: requests are filed at once and the answer carries the reference
    assert "token" in spec_errors(o311(c, "tokens/123456"), 404)[0]["description"]
    xml_errors(o311(c, "tokens/123456", "xml"), 404)


# --- API keys ------------------------------------------------------------------------------------------------------

def test_the_county_admin_issues_lists_and_revokes_keys(village, other_county):
    c = village
    admin = c.tokens["county_admin"]
    r = c.api.post("/open311/keys", {"name": "城市服务App", "per_day": 50}, token=admin)
    assert r.status_code == 201, r.json
    issued = r.json
    key = issued["api_key"]
    assert issued["name"] == "城市服务App" and issued["per_day"] == 50 and issued["created_by"] == "县管理员"
    assert key.startswith(issued["id"] + ".") and len(key) > 40

    # Only the key's SHA-256 is stored.
    item = aws_client("dynamodb").get_item(TableName=settings().households_table,
                                           Key={"pk": {"S": f"{c.code}#O311KEY"}, "sk": {"S": issued["id"]}})["Item"]
    assert item["key_hash"]["S"] == hashlib.sha256(key.encode()).hexdigest()
    assert key.split(".", 1)[1] not in json.dumps(item)

    listed = c.api.get("/open311/keys", token=admin)
    assert listed.status_code == 200, listed.json
    assert [(k["id"], k["name"], k["last_used_at"]) for k in listed.json["items"]] == [
        (issued["id"], "城市服务App", None)]
    assert "api_key" not in listed.json["items"][0] and key not in listed.body.decode()

    # It files, and the list says when it was last used.
    assert post(c, road(c, key)).status_code == 201
    assert c.api.get("/open311/keys", token=admin).json["items"][0]["last_used_at"] is not None

    # Nobody else manages keys: village staff are refused, another county cannot see or revoke this one.
    for role in ("village_admin", "township_official", "grid_worker", "villager"):
        assert c.api.get("/open311/keys", token=c.tokens[role]).status_code == 403
        assert c.api.post("/open311/keys", {"name": "x"}, token=c.tokens[role]).status_code == 403
    other_admin = other_county.tokens["county_admin"]
    assert c.api.get("/open311/keys", token=other_admin).json["items"] == []
    assert c.api.delete(f"/open311/keys/{issued['id']}", token=other_admin).status_code == 404
    # The key belongs to its county: with another jurisdiction_id it is invalid.
    assert "api_key" in spec_errors(post(other_county, road(other_county, key)), 403)[0]["description"]

    bad = c.api.post("/open311/keys", {"per_day": 0}, token=admin)
    assert bad.status_code == 422 and {d["field"] for d in bad.json["error"]["details"]} == {"name", "per_day"}

    # Revoked: gone from the list, refused at once; its case stays.
    assert c.api.delete(f"/open311/keys/{issued['id']}", token=admin).status_code == 204
    assert c.api.get("/open311/keys", token=admin).json["items"] == []
    spec_errors(post(c, road(c, key)), 403)
    assert c.api.delete(f"/open311/keys/{issued['id']}", token=admin).status_code == 404
    assert len(json.loads(o311(c, "requests").body)) == 1


# --- filing --------------------------------------------------------------------------------------------------------

def test_a_client_files_a_request_form_encoded_and_staff_see_the_client_as_filer(village):
    c = village
    key = new_key(c)
    form = road(c, key, lat="29.0312345", long="119.1723456", address_string="村口第三根电线杆旁", **PERSON)
    r = post(c, form)
    assert r.status_code == 201, r.body
    answer = json.loads(r.body)
    assert len(answer) == 1 and set(answer[0]) == {"service_request_id", "service_notice", "account_id"}
    ref = answer[0]["service_request_id"]
    assert ref.startswith(f"SP-{c.code}-") and answer[0]["account_id"] is None
    assert answer[0]["service_notice"].startswith(f"已受理，编号 {ref}，由测试村第一网格办理，预计 ")

    # A case of the workflow like any other: routed to the grid worker, the category's field typed, GPS rounded.
    case = c.api.get(f"/cases/{ref}", token=c.tokens["grid_worker"]).json
    assert case["status"] == "assigned" and case["assignee"] == "测试grid_worker" and case["place"] == c.grid
    assert case["extra"] == {"facility": "streetlight"} and (case["lat"], case["lng"]) == (29.031, 119.172)
    assert case["filer"] == "Open311：测试客户端（欧阳晓明）" and case["location"] == "村口第三根电线杆旁"
    assert [e["event"] for e in case["timeline"]] == ["filed", "assigned"]
    assert case["timeline"][0]["by"] == "Open311：测试客户端（欧阳晓明）"

    # Nothing else of the submitter is stored: no e-mail, phone, device, account or media URL.
    cid = ref.replace(f"-{c.code}-", "-")
    item = aws_client("dynamodb").get_item(TableName=settings().submissions_table,
                                           Key={"pk": {"S": f"{c.code}#CASE#{cid}"}, "sk": {"S": "A"}})["Item"]
    stored = json.dumps(item, ensure_ascii=False)
    for value in ("xiaoming", "13912345678", "device-7f3a", "acct-99", "example.org"):
        assert value not in stored

    # XML answers; the grid's code may lead address_string (the rest is where, in the submitter's words).
    root = xml_of(post(c, road(c, key, address_id=None, address_string=f"{c.grid} 桥头"), "xml"), 201)
    assert root.tag == "service_requests" and root.find("request/account_id").text is None
    ref2 = root.findtext("request/service_request_id")
    assert c.api.get(f"/cases/{ref2}", token=c.tokens["grid_worker"]).json["location"] == "桥头"
    # attribute[place] names the place too (then address_string is only words).
    r = post(c, road(c, key, address_id=None, **{"attribute[place]": c.grid}))
    assert r.status_code == 201, r.body


def test_attributes_of_every_type_and_a_village_level_service(village, extra_types):
    c = village
    key = new_key(c)
    form = {"api_key": key, "jurisdiction_id": c.code, "service_code": "o311demo.count", "address_id": c.village,
            "description": "村口有三处井盖缺失", "attribute[how_many]": "3", "attribute[kinds][]": ["a", "c"],
            "attribute[seen_at]": "2026-05-01T09:30:00+08:00"}
    r = post(c, form)
    assert r.status_code == 201, r.body
    ref = json.loads(r.body)[0]["service_request_id"]
    assert ref.startswith(f"QD-{c.code}-")
    case = c.api.get(f"/cases/{ref}", token=c.tokens["village_admin"]).json
    assert case["extra"] == {"how_many": 3, "kinds": ["a", "c"], "seen_at": "2026-05-01T09:30:00+08:00"}
    assert case["place"] == c.village and case["level"] == "village"

    problems = {
        "attribute[how_many]": ("很多", "数量）应为数字"),
        "attribute[kinds][]": (["a", "z"], "attribute[kinds]: 种类的选项无效"),
        "attribute[seen_at]": ("昨天", "应为 W3C 日期时间"),
    }
    for name, (value, said) in problems.items():
        assert said in spec_errors(post(c, {**form, name: value}), 400)[0]["description"], name
    missing = {k: v for k, v in form.items() if k != "attribute[how_many]"}
    assert spec_errors(post(c, missing), 400)[0]["description"] == "attribute[how_many]: 请填写数量"


def test_every_bad_filing_is_a_clear_4xx_in_the_spec_form(village):
    c = village
    key = new_key(c)

    def said(form, status=400, **kw) -> str:
        return " ".join(e["description"] for e in spec_errors(post(c, form, **kw), status))

    assert "api_key" in said(road(c, None), 403)
    assert "api_key" in said(road(c, "0123456789ab.nothing"), 403)
    assert "api_key" in said(road(c, key + "x"), 403)
    assert "api_key" in said(road(c, "garbage"), 403)
    assert "jurisdiction_id" in said(road(c, key, jurisdiction_id=None))
    assert "service_code" in said(road(c, key, service_code=None))
    assert "tipoff.returnee" in said(road(c, key, service_code="tipoff.returnee"), 404)
    assert "经纬度" in said(road(c, key, address_id=None, lat="29.03", long="119.17"))
    assert "缺少位置" in said(road(c, key, address_id=None))
    assert "网格编码" in said(road(c, key, address_id=c.village))  # 随手拍 happens in a grid
    assert "网格编码" in said(road(c, key, address_id="110101001001G01"))  # another county's code
    assert said(road(c, key, address_id=c.village + "G09")) == "address_id: 该地点不存在"
    assert said(road(c, key, **{"attribute[facility]": None})) == "attribute[facility]: 请填写设施类型"
    assert said(road(c, key, **{"attribute[facility]": "moon"})) == "attribute[facility]: 设施类型的选项无效"
    assert "attribute[colour]: 该类别没有这一项" in said(road(c, key, **{"attribute[colour]": "red"}))
    assert "attribute[code]=value" in said(road(c, key, attribute="x"))
    assert "description" in said(road(c, key, description=None))
    assert "description" in said(road(c, key, description="长" * 501))
    assert "不可见字符" in said(road(c, key, description="路灯\u202e坏了"))
    assert "lat" in said(road(c, key, lat="91", long="119"))
    assert "同时" in said(road(c, key, lat="29"))
    assert "只能给一个值" in said({**road(c, key), "service_code": ["snap.road", "snap.other"]})
    assert "first_name" in said(road(c, key, first_name="张\u200b三"))
    # Not a form: JSON bodies are refused, as is a body that is not UTF-8.
    r = c.api.post("/open311/v2/requests.json", {"api_key": key, "jurisdiction_id": c.code})
    assert "x-www-form-urlencoded" in spec_errors(r, 400)[0]["description"]
    r = c.api.post("/open311/v2/requests.json", raw=b"description=%FF%FE", headers=FORM)
    assert "UTF-8" in spec_errors(r, 400)[0]["description"]
    r = c.api.post("/open311/v2/requests.json", raw="a=1&" * 300, headers=FORM)
    assert "参数过多" in spec_errors(r, 400)[0]["description"]
    r = c.api.post("/open311/v2/requests.json", raw="d=" + "x" * 70_000, headers=FORM)
    spec_errors(r, 413)
    # XML clients get XML errors.
    assert "api_key" in xml_errors(post(c, road(c, "nope"), "xml"), 403)[0]
    # api_key and jurisdiction_id may come in the query string (older clients put them there).
    form = road(c, key)
    qs = urllib.parse.urlencode({"api_key": form.pop("api_key"), "jurisdiction_id": form.pop("jurisdiction_id")})
    r = c.api.post(f"/open311/v2/requests.json?{qs}", raw=urllib.parse.urlencode(form), headers=FORM)
    assert r.status_code == 201, r.body
    # The same Idempotency-Key and body file once.
    idem = {"Idempotency-Key": "open311-retry-0001"}
    first, again = post(c, road(c, key), headers=idem), post(c, road(c, key), headers=idem)
    assert first.status_code == again.status_code == 201 and first.body == again.body, (first.body, again.body)
    assert len(refs(o311(c, "requests", service_request_id=json.loads(first.body)[0]["service_request_id"]))) == 1


def test_a_key_files_at_most_its_daily_allowance(village):
    c = village
    key = new_key(c, per_day=2)
    assert post(c, road(c, key)).status_code == 201
    assert post(c, road(c, key, service_code="snap.sanitation", **{"attribute[facility]": None})).status_code == 201
    r = post(c, road(c, key))
    assert spec_errors(r, 429)[0]["description"] == "操作过于频繁，请稍后再试"
    assert 0 < int(r.headers["Retry-After"]) <= 86400
    xml_errors(post(c, road(c, key), "xml"), 429)
    # another client of the county has its own allowance
    assert post(c, road(c, new_key(c, "另一个客户端"))).status_code == 201


def test_reading_is_limited_per_reader(county, monkeypatch):
    from chalicelib.open311 import service

    monkeypatch.setattr(service, "READS_PER_MINUTE", 3)
    c = county
    assert [o311(c, "services").status_code for _ in range(3)] == [200, 200, 200]
    r = o311(c, "requests")
    spec_errors(r, 429)
    assert int(r.headers["Retry-After"]) <= 60


# --- reading requests --------------------------------------------------------------------------------------------

@pytest.fixture
def filed(village, extra_types):
    """A county's cases of every kind, oldest first: a resolved 随手拍 with two photos (staff hid the first), one
    whose words staff hid, a road request filed over Open311, an anonymous request of the public test type, a
    tip-off and a case of the private type."""
    from chalicelib.cases import service as cases
    from chalicelib.core.tenancy import TenantContext

    c = village
    key = new_key(c)
    fixed = snap(c, photos=2, lat=29.0312345, lng=119.1723456)
    act(c, fixed["ref"], "grid_worker", action="hide", reason="照片中有人脸", hide_photos=[fixed["photos"][0]["id"]])
    act(c, fixed["ref"], "grid_worker", action="resolve", outcome="fixed", note="已清运，并提醒住户定点投放")
    rude = snap(c, text="某某是个骗子（辱骂内容）")
    act(c, rude["ref"], "village_admin", action="hide", reason="含辱骂内容")
    r = post(c, road(c, key, address_string="欧阳家门口", **PERSON))
    assert r.status_code == 201, r.body
    o311_road = json.loads(r.body)[0]["service_request_id"]
    ctx = TenantContext(c.code, c.villager_uid, "")
    anon = cases.file(ctx, "o311demo", category="count", text="三处井盖缺失", place=c.village, anonymous=True,
                      extra={"how_many": 3}).ref
    tip = c.api.post("/tipoffs", {"category": "returnee", "description": "邻居从外地回来未登记"},
                     token=c.tokens["villager"])
    assert tip.status_code == 201, tip.json
    secret = cases.file(ctx, "o311secret", category="x", text="私密内容不可公开", place=c.village).ref
    villager = c.api.get(f"/cases/{fixed['ref']}", token=c.tokens["village_admin"]).json["filer"]
    return c, {"fixed": fixed, "rude": rude["ref"], "road": o311_road, "anon": anon, "tip": tip.json["id"],
               "secret": secret, "villager_name": villager, "key": key}


def test_requests_list_public_fields_only_newest_first(filed, monkeypatch):
    c, f = filed
    from chalicelib.cases import categories
    # the categories the fixture just read stay cached however slow this machine is (their floor is one second)
    monkeypatch.setattr(categories, "settings", lambda: settings()._replace(tenant_cache_seconds=3600))
    with dynamodb_calls() as calls:
        r = o311(c, "requests")
    # the county (three times: cached per container in AWS, uncached in tests), the reader's limit, one Query of the
    # county's log, the place names
    assert calls == ["GetItem", "UpdateItem", "GetItem", "Query", "GetItem", "BatchGetItem"]
    items = json.loads(r.body)
    assert [i["service_request_id"] for i in items] == [f["anon"], f["road"], f["rude"], f["fixed"]["ref"]]
    by = {i["service_request_id"]: i for i in items}

    fixed = by[f["fixed"]["ref"]]
    assert list(fixed) == ["service_request_id", "status", "status_notes", "service_name", "service_code",
                           "description", "agency_responsible", "service_notice", "requested_datetime",
                           "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
                           "long", "media_url"]
    assert fixed["status"] == "closed" and fixed["status_notes"] == "已整改：已清运，并提醒住户定点投放"
    assert fixed["service_code"] == "snap.sanitation" and fixed["service_name"] == "环境卫生"
    assert fixed["description"] == "村口垃圾堆了三天没人清" and fixed["expected_datetime"] is None
    assert fixed["address"] == "测试街道测试村第一网格" and fixed["address_id"] == c.grid
    assert (fixed["lat"], fixed["long"]) == (29.031, 119.172) and fixed["agency_responsible"] == "测试村第一网格"
    hidden_photo, shown_photo = (p["id"] for p in f["fixed"]["photos"])
    assert shown_photo in fixed["media_url"] and hidden_photo not in r.body.decode()  # staff hid the first
    created = dt.datetime.fromisoformat(fixed["requested_datetime"])
    assert fixed["requested_datetime"].endswith("+08:00") and abs(created - dt.datetime.now(dt.UTC)).seconds < 600

    rude = by[f["rude"]]
    assert rude["description"] is None and rude["status"] == "open" and rude["expected_datetime"].endswith("+08:00")
    assert by[f["road"]]["status_notes"] is None and by[f["road"]]["media_url"] is None
    assert by[f["anon"]]["agency_responsible"] == "测试村" and by[f["anon"]]["lat"] is None

    # XML: the same requests, the same fields.
    root = xml_of(o311(c, "requests", "xml"))
    assert root.tag == "service_requests"
    assert [x.findtext("service_request_id") for x in root.findall("request")] == list(by)
    xml_fixed = root.find(f"request[service_request_id='{f['fixed']['ref']}']")
    assert [e.tag for e in xml_fixed] == list(fixed)
    assert xml_fixed.findtext("status_notes") == fixed["status_notes"] and xml_fixed.findtext("lat") == "29.031"
    assert root.find(f"request[service_request_id='{f['rude']}']/description").text is None


def test_requests_filters(filed):
    c, f = filed
    assert refs(o311(c, "requests", service_code="snap.road")) == [f["road"]]
    assert refs(o311(c, "requests", service_code="snap.sanitation,o311demo.count")) == [
        f["anon"], f["rude"], f["fixed"]["ref"]]
    assert refs(o311(c, "requests", status="closed")) == [f["fixed"]["ref"]]
    assert refs(o311(c, "requests", status="open")) == [f["anon"], f["road"], f["rude"]]
    assert len(refs(o311(c, "requests", status="open,closed"))) == 4
    assert refs(o311(c, "requests", status="open", service_code="snap.sanitation")) == [f["rude"]]

    now = dt.datetime.now(dt.UTC)
    w3c = lambda t: t.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    assert len(refs(o311(c, "requests", start_date=w3c(now - dt.timedelta(hours=1)),
                         end_date=w3c(now + dt.timedelta(minutes=5))))) == 4
    assert refs(o311(c, "requests", end_date=w3c(now - dt.timedelta(days=1)))) == []
    assert len(refs(o311(c, "requests", start_date=(now - dt.timedelta(days=3)).date().isoformat()))) == 4
    assert refs(o311(c, "requests", start_date=w3c(now - dt.timedelta(days=200)),
                     end_date=w3c(now - dt.timedelta(days=120)))) == []
    assert "90" in spec_errors(o311(c, "requests", start_date=w3c(now - dt.timedelta(days=100)),
                                    end_date=w3c(now)), 400)[0]["description"]
    spec_errors(o311(c, "requests", start_date=w3c(now), end_date=w3c(now - dt.timedelta(days=1))), 400)
    assert "start_date" in spec_errors(o311(c, "requests", start_date="yesterday"), 400)[0]["description"]
    assert "status" in spec_errors(o311(c, "requests", status="pending"), 400)[0]["description"]
    spec_errors(o311(c, "requests", service_code="tipoff.returnee"), 404)

    # By reference: the public ones among those named, in the order named (this overrides every other filter).
    wanted = ",".join([f["road"], f["tip"], f["secret"], "SP-000000-000001", "garbage", f["fixed"]["ref"]])
    assert refs(o311(c, "requests", service_request_id=wanted, status="open")) == [f["road"], f["fixed"]["ref"]]
    assert "100" in spec_errors(o311(c, "requests", service_request_id=",".join(f"SP-{c.code}-{i:06d}"
                                                                                 for i in range(101))), 400)[0][
        "description"]

    # One request, in either format; tip-offs and private cases do not exist here.
    one = json.loads(o311(c, f"requests/{f['road']}").body)
    assert len(one) == 1 and one[0]["service_request_id"] == f["road"] and one[0]["service_code"] == "snap.road"
    assert xml_of(o311(c, f"requests/{f['road']}", "xml")).findtext("request/status") == "open"
    for ref in (f["tip"], f["secret"], f"SP-{c.code}-999999", "nothing", f["road"].replace(c.code, "110101")):
        spec_errors(o311(c, f"requests/{ref}"), 404)
    spec_errors(c.api.get(f"/open311/v2/requests/{f['road']}?jurisdiction_id={c.code}"), 404)  # no format


def test_no_filer_identity_and_no_private_case_ever_leaves(filed):
    c, f = filed
    bodies = [o311(c, "requests", fmt).body.decode() for fmt in ("json", "xml")]
    bodies += [o311(c, f"requests/{ref}", fmt).body.decode() for ref in (f["road"], f["anon"], f["fixed"]["ref"])
               for fmt in ("json", "xml")]
    bodies += [o311(c, "requests", service_request_id=",".join([f["tip"], f["secret"], f["road"]])).body.decode()]
    assert all(bodies)
    never = [f["villager_name"], c.villager_phone, "Open311", "测试客户端", "欧阳", "晓明",
             "xiaoming", "13912345678", "device-7f3a", "acct-99", "example.org", "欧阳家门口", "o311-",
             f["tip"], "邻居从外地回来未登记", f["secret"], "私密内容不可公开", "某某是个骗子", "含辱骂内容",
             "照片中有人脸", f["key"].split(".")[0]]
    for body in bodies:
        leaked = [x for x in never if x and x in body]
        assert not leaked, (leaked, body[:300])
    # The filer's internal id appears nowhere but inside a photo's storage key (media_url): photo keys are
    # `{county}/cases/{type}/{uploader uid}/…` (chalicelib/cases), as on the village board.
    for ref in (f["road"], f["anon"], f["fixed"]["ref"]):
        one = json.loads(o311(c, f"requests/{ref}").body)[0]
        assert c.villager_uid not in json.dumps({k: v for k, v in one.items() if k != "media_url"})


# --- third-party clients over HTTP ------------------------------------------------------------------------------------

@pytest.fixture
def served(app):
    """The app behind devstack's local gateway on 127.0.0.1 (an ephemeral port), as `make run` serves it."""
    from devstack.gateway import Gateway, make_server

    server = make_server(Gateway(app), 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/open311/v2"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_third_party_clients_from_pypi_read_and_file(village, served):
    """georeport (reads, JSON and XML: it has no filing) and civicbot's Open311Client (files, after checking the
    form against our service list and definition itself), both over real HTTP."""
    import requests
    from civicbot import Endpoint, HttpError, HttpTransport, Open311Client, ValidationError
    from civicbot.http import RateLimiter
    from georeport import GeoReport

    c = village
    key = new_key(c, "civicbot")
    g = GeoReport(served, jurisdiction=c.code)
    gx = GeoReport(served, jurisdiction=c.code, output_format="xml")
    assert {s["service_code"] for s in g.get_service_list()} >= {"snap.road", "snap.sanitation"}
    assert {s["service_code"] for s in gx.get_service_list()} >= {"snap.road", "snap.sanitation"}
    assert g.get_service_definition("snap.road")["attributes"][0]["code"] == "facility"
    xml_def = gx.get_service_definition("snap.road")
    assert xml_def["service_code"] == "snap.road"
    assert [v["key"] for v in xml_def["attributes"]["attribute"]["values"]["value"]][:2] == ["road", "streetlight"]
    with pytest.raises(requests.HTTPError) as e:
        g.get_service_definition("snap.nope")
    assert e.value.response.status_code == 404 and e.value.response.json()[0]["code"] == 404

    bot = Open311Client(Endpoint(id="test-county", name="测试县", base_url=served, write=True),
                        transport=HttpTransport(rate_limiter=RateLimiter(min_interval=0)), jurisdiction_id=c.code)
    with pytest.raises(ValidationError, match="facility"):  # the client read our definition: facility is required
        bot.create_request("snap.road", dry_run=False, confirm="SEND", api_key=key, validate_remote=True,
                           address_id=c.grid, description="路灯坏了")
    sent = bot.create_request("snap.road", dry_run=False, confirm="SEND", api_key=key, validate_remote=True,
                              address_id=c.grid, lat=29.0312345, lng=119.1723456, description="村口路灯坏了三天",
                              attributes={"facility": "streetlight"}, first_name="晓明", last_name="欧阳",
                              email="xiaoming.oy@example.org")
    ref = sent.response[0]["service_request_id"]
    assert ref.startswith(f"SP-{c.code}-") and "已受理" in sent.response[0]["service_notice"]
    with pytest.raises(HttpError) as e:
        bot.create_request("snap.road", dry_run=False, confirm="SEND", api_key=key + "x", address_id=c.grid,
                           description="路灯坏了", attributes={"facility": "road"})
    assert e.value.status == 403 and json.loads(e.value.body)[0]["code"] == 403

    assert [r["service_request_id"] for r in g.get_service_requests(status="open")] == [ref]
    mine = g.get_service_request(ref)
    assert mine["status"] == "open" and mine["lat"] == 29.031 and mine["address_id"] == c.grid
    xml_one = gx.get_service_request(ref)
    assert xml_one["service_request_id"] == ref and xml_one["service_code"] == "snap.road"
    assert [r["service_request_id"] for r in bot.list_requests(service_request_ids=[ref])] == [ref]
    assert bot.get_request(ref)["description"] == "村口路灯坏了三天"
    with pytest.raises(HttpError) as e:
        bot.get_token("123")
    assert e.value.status == 404
