"""网上代办 applications (issue 14 point 2) on the embedded AWS: a villager applies for an item of the county's
catalogue for their household — the item's typed form, a photo of every material, pickup or courier — on the case
workflow; the materials are private (applicant and handlers in scope), their staff views recorded."""

from __future__ import annotations

import pytest

from chalicelib.core.aws import client as aws_client
from chalicelib.core.config import settings
from tests.conftest import new_phone, unique_id_number

JPEG = b"\xff\xd8\xff\xe0" + b"1" * 3000
ITEM = {"name": "生育登记", "department": "县卫生健康局", "delivery": ["pickup", "courier"],
        "materials": [{"name": "夫妻双方身份证", "original_required": True}, {"name": "结婚证"}],
        "fields": [{"key": "f1", "label": "孩子出生日期", "type": "date", "required": True},
                   {"key": "f2", "label": "父亲身份证号", "type": "id_number", "required": True},
                   {"key": "f3", "label": "分娩方式", "type": "choice", "choices": ["顺产", "剖宫产"]},
                   {"key": "f4", "label": "备注"}],
        "promised_days": 5, "time_limit_days": 20}


def upload(client, token: str) -> str:
    r = client.post("/cases/uploads", {"type": "errand", "content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=JPEG,
                                ContentType="image/jpeg")
    return r.json["key"]


@pytest.fixture
def family(client, county):
    """A household with its villager, and an item of the county's catalogue."""
    r = client.post("/errands/items", ITEM, token=county.tokens["county_admin"],
                    headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    home = county.household(members=2)
    _, session = county.villager(home["id"])
    return {"item": r.json, "home": home, "token": session["access_token"]}


def body(client, f, **over) -> dict:
    tok = f["token"]
    b = {"item": f["item"]["id"], "household": f["home"]["id"],
         "values": {"f1": "2026-11-20", "f2": unique_id_number(), "f3": "顺产"},
         "materials": [[upload(client, tok), upload(client, tok)], [upload(client, tok)]],
         "delivery": "courier", "address": "龙游县灵山村1号", "phone": "13800001234"}
    b.update(over)
    return b


def apply(client, f, b, key=None):
    return client.post("/errands/applications", b, token=f["token"], headers={"Idempotency-Key": key or new_phone()})


def test_a_villager_applies_and_follows_it_as_a_case(client, county, family):
    b = body(client, family)
    r = apply(client, family, b)
    assert r.status_code == 201, r.json
    out = r.json
    ref = out["case"]["ref"]
    assert ref.startswith("DB-") and out["case"]["status_name"] == "待受理" and out["case"]["mine"] is True
    assert out["item"]["name"] == "生育登记" and out["item"]["promised_days"] == 5
    assert out["values"]["f2"] == {"label": "父亲身份证号", "type": "id_number", "value": b["values"]["f2"]}
    assert "f4" not in out["values"]  # left empty: not kept
    assert [len(m["photos"]) for m in out["materials"]] == [2, 1] and out["materials"][0]["original_required"]
    assert out["address"] == "龙游县灵山村1号" and out["phone"] == "13800001234"
    mine = client.get("/cases/mine", token=family["token"]).json["items"]
    assert [c["ref"] for c in mine if c["type"] == "errand"] == [ref]
    assert client.get(f"/errands/applications/{ref}", token=family["token"]).json == out


def test_the_service_point_sees_it_and_its_view_of_the_materials_is_recorded(client, county, family):
    from chalicelib.core import audit, clock

    ref = apply(client, family, body(client, family)).json["case"]["ref"]
    admin = county.tokens["village_admin"]
    seen = client.get(f"/errands/applications/{ref}", token=admin)
    assert seen.status_code == 200, seen.json
    assert seen.json["materials"][0]["photos"][0].startswith("http")
    inbox = client.get(f"/cases?place={county.village}&type=errand", token=admin)
    assert inbox.status_code == 200 and ref in {c["ref"] for c in inbox.json["items"]}, inbox.json
    month = clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m")
    cid = ref.split("-")[0] + "-" + ref.split("-")[-1]
    views = [e for e in audit.entries(county.code, month) if e.subject == cid]
    assert len(views) == 1 and views[0].what == "application_materials" and "village_admin" in views[0].roles
    # grid staff do not handle applications; another county never sees it
    assert client.get(f"/errands/applications/{ref}", token=county.tokens["grid_worker"]).status_code == 404


def test_the_id_number_is_masked_for_a_handler_without_household_numbers(client, county, family):
    b = body(client, family)
    ref = apply(client, family, b).json["case"]["ref"]
    official = client.get(f"/errands/applications/{ref}", token=county.tokens["township_official"]).json
    me = client.get("/me", token=county.tokens["township_official"]).json
    if county.township in me["permissions"].get("households.pii", []):
        assert official["values"]["f2"]["value"] == b["values"]["f2"]
    else:
        assert official["values"]["f2"]["value"] != b["values"]["f2"] and "*" in official["values"]["f2"]["value"]
        assert "*" in official["phone"]


def test_the_form_and_materials_are_stored_encrypted(client, county, family):
    b = body(client, family)
    ref = apply(client, family, b).json["case"]["ref"]
    from chalicelib.core.db import SubmissionsItem
    from chalicelib.errands.models import ErrandApplication

    cid = ref.split("-")[0] + "-" + ref.split("-")[-1]
    app = next(i for i in SubmissionsItem.query(ErrandApplication.keys(county.code, cid)[0])
               if isinstance(i, ErrandApplication))
    raw = app.values_enc + (app.address_enc or "") + (app.phone_enc or "")
    assert b["values"]["f2"] not in raw and "灵山村" not in raw and "13800001234" not in raw


def test_bad_applications_say_why_and_file_nothing(client, county, family):
    tok = family["token"]
    cases = [
        ({"values": {"f1": "2026-11-31", "f2": unique_id_number()}}, "values.f1"),
        ({"values": {"f1": "2026-11-20", "f2": "330825199001011234"}}, "values.f2"),
        ({"values": {"f1": "2026-11-20", "f2": unique_id_number(), "f3": "其他"}}, "values.f3"),
        ({"values": {"f2": unique_id_number()}}, "values.f1"),
        ({"values": {"f1": "2026-11-20", "f2": unique_id_number(), "f9": "x"}}, "values.f9"),
        ({"materials": [["x"]]}, "materials"),
        ({"materials": [[], [f"{county.code}/cases/errand/nope-nope.jpg"]]}, "materials.0"),
        ({"delivery": "courier", "address": None}, "address"),
    ]
    for over, field in cases:
        r = apply(client, family, body(client, family, **over))
        assert r.status_code == 422, (over, r.json)
        assert field in {d["field"] for d in r.json["error"]["details"]}, (over, r.json)
    r = apply(client, family, body(client, family, materials=[[f"{county.code}/cases/errand/nope-nope.jpg"], []]))
    assert r.status_code == 422
    assert not [c for c in client.get("/cases/mine", token=tok).json["items"] if c["type"] == "errand"]


def test_courier_only_where_the_item_offers_it_and_only_enabled_items(client, county, family):
    admin = county.tokens["county_admin"]
    item = family["item"]
    changed = {k: v for k, v in ITEM.items()} | {"delivery": ["pickup"], "version": item["version"]}
    assert client.put(f"/errands/items/{item['id']}", changed, token=admin).status_code == 200
    r = apply(client, family, body(client, family))
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "delivery_not_offered"
    assert apply(client, family, body(client, family, delivery="pickup", address=None)).status_code == 201
    off = changed | {"enabled": False, "version": item["version"] + 1}
    assert client.put(f"/errands/items/{item['id']}", off, token=admin).status_code == 200
    r = apply(client, family, body(client, family, delivery="pickup"))
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "item_disabled"


def test_only_for_ones_own_household_and_a_retry_files_once(client, county, family):
    other = county.household(members=1)
    r = apply(client, family, body(client, family, household=other["id"]))
    assert r.status_code in (403, 404), r.json
    b = body(client, family)
    key = new_phone()
    first, again = apply(client, family, b, key), apply(client, family, b, key)
    assert first.status_code == again.status_code == 201 and first.json["case"]["ref"] == again.json["case"]["ref"]
    assert len([c for c in client.get("/cases/mine", token=family["token"]).json["items"]
                if c["type"] == "errand"]) == 1
