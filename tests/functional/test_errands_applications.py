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
    phone, session = county.villager(home["id"])
    return {"item": r.json, "home": home, "token": session["access_token"], "phone": phone}


def body(client, f, **over) -> dict:
    tok = f["token"]
    b = {"item": f["item"]["id"], "household": f["home"]["id"],
         "values": {"f1": "2026-11-20", "f2": unique_id_number(), "f3": "顺产"},
         "materials": [[upload(client, tok), upload(client, tok)], [upload(client, tok)]],
         "delivery": "courier", "address": "龙游县灵山村1号", "phone": "13800001234"}
    b.update(over)
    return b


def unsigned(answer):
    """The answer with its photo links cut at the signature: two reads a second apart sign differently."""
    if isinstance(answer, dict):
        return {k: unsigned(v) for k, v in answer.items()}
    if isinstance(answer, list):
        return [unsigned(v) for v in answer]
    return answer.split("?", 1)[0] if isinstance(answer, str) and "X-Amz-" in answer else answer


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
    assert unsigned(client.get(f"/errands/applications/{ref}", token=family["token"]).json) == unsigned(out)


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


def step(client, token, ref, action, **body):
    return client.post(f"/errands/applications/{ref}/actions", {"action": action, **body}, token=token,
                       headers={"Idempotency-Key": new_phone()})


def test_returned_supplemented_forwarded_approved_shipped_received_rated(client, county, family, events):
    from chalicelib.core.notify import sms

    tok = family["token"]
    ref = apply(client, family, body(client, family)).json["case"]["ref"]
    village, county_admin = county.tokens["village_admin"], county.tokens["county_admin"]
    seen = client.get(f"/errands/applications/{ref}", token=village).json
    assert set(seen["steps"]) >= {"return", "forward"} and "decide" not in seen["steps"]
    # the service point asks for a clearer photo; the applicant is told and supplements it
    r = step(client, village, ref, "return")
    assert r.status_code == 422 and r.json["error"]["details"][0]["field"] == "note"
    r = step(client, village, ref, "return", note="结婚证照片不清楚，请重新拍摄")
    assert r.status_code == 200 and r.json["stage"] == "returned" and r.json["stage_name"] == "需补充材料", r.json
    mine = client.get(f"/errands/applications/{ref}", token=tok).json
    assert mine["steps"] == ["supplement"] and mine["case"]["timeline"][-1]["event_name"] == "需补充材料"
    assert step(client, village, ref, "forward").status_code == 409  # waiting for the applicant
    new = [[upload(client, tok), upload(client, tok)], [upload(client, tok)]]
    r = step(client, tok, ref, "supplement", materials=new)
    assert r.status_code == 200 and r.json["stage"] == "submitted", r.json
    # forwarded to the department, which approves it with the result document
    r = step(client, village, ref, "forward")
    assert r.status_code == 200 and r.json["stage"] == "forwarded" and r.json["case"]["status_name"] == "办理中"
    assert "decide" not in client.get(f"/errands/applications/{ref}", token=village).json["steps"]
    assert step(client, village, ref, "decide", outcome="approved").status_code == 409
    doc = upload(client, county_admin)
    r = step(client, county_admin, ref, "decide", outcome="approved", photos=[doc])
    assert r.status_code == 200 and r.json["stage"] == "approved" and r.json["case"]["outcome_name"] == "准予办理"
    assert r.json["steps"] and "ship" in r.json["steps"] and "ready" not in r.json["steps"]  # courier chosen
    r = step(client, village, ref, "ship", courier="中国邮政EMS")
    assert r.status_code == 422
    r = step(client, village, ref, "ship", courier="中国邮政EMS", tracking_no="EMS1234567890")
    assert r.status_code == 200 and r.json["stage"] == "shipped" and r.json["tracking_no"] == "EMS1234567890"
    assert step(client, village, ref, "ship", courier="顺丰速运", tracking_no="SF123456789").status_code == 409
    # the applicant confirms receipt and rates it, which closes it
    assert step(client, tok, ref, "rate", rating=5).status_code == 409  # not received yet
    r = step(client, tok, ref, "receive")
    assert r.status_code == 200 and r.json["stage"] == "received" and r.json["received_at"]
    r = step(client, tok, ref, "rate", rating=5, note="没出村就办好了")
    assert r.status_code == 200 and r.json["case"]["status"] == "closed" and r.json["case"]["rating"] == 5
    names = [e["event_name"] for e in r.json["case"]["timeline"]]
    assert names[:1] == ["已提交"] and "需补充材料" in names and "已补充材料" in names and "已转交部门" in names
    assert names.index("已寄出") < names.index("已签收")
    # every staff step reached the applicant: an inbox notice each, and an SMS each (opted in or not)
    notices = [m["title"] for m in client.get("/inbox?limit=50", token=tok).json["items"]]
    assert sum("申请" in t for t in notices) >= 4, notices
    events.drain()
    texts = [m["text"] for m in sms().messages(family["phone"]) if ref[-6:] in m["text"]]
    said = [next(w for w in ("需补充材料", "已转交部门", "已办结", "已寄出") if w in t) for t in texts]
    # one a staff step; none of the applicant's own (supplement, receive, rate)
    assert sorted(said) == sorted(["需补充材料", "已转交部门", "已办结", "已寄出"]), texts


def test_a_refusal_needs_a_reason_and_the_generic_route_cannot_skip_the_steps(client, county, family):
    ref = apply(client, family, body(client, family)).json["case"]["ref"]
    county_admin = county.tokens["county_admin"]
    r = client.post(f"/cases/{ref}/actions", {"action": "resolve", "outcome": "approved", "note": "x"},
                    token=county_admin, headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "unknown_action"
    assert step(client, county.tokens["village_admin"], ref, "forward").status_code == 200
    r = step(client, county_admin, ref, "decide", outcome="refused")
    assert r.status_code == 422 and r.json["error"]["details"][0]["field"] == "note"
    r = step(client, county_admin, ref, "decide", outcome="refused", note="不符合申请条件：未办理结婚登记")
    assert r.status_code == 200 and r.json["stage"] == "refused" and "ship" not in r.json["steps"], r.json
    mine = client.get(f"/errands/applications/{ref}", token=family["token"]).json
    assert mine["steps"] == ["rate"] and mine["case"]["note"] == "不符合申请条件：未办理结婚登记"
    assert step(client, family["token"], ref, "forward").status_code == 403


def test_a_grid_worker_applies_on_a_familys_behalf_with_the_code_texted_to_it(client, county, family, events):
    """The father's story: the son is away; the grid worker applies for the family, which consents by SMS code,
    follows it under 我家的申请, gets the SMS of every step and confirms receipt itself."""
    from chalicelib.core.notify import sms
    from tests.conftest import last_code

    worker, hid = county.tokens["grid_worker"], family["home"]["id"]
    r = client.post("/errands/consents", {"household": hid}, token=worker)
    assert r.status_code == 202 and "*" in r.json["phone"], r.json
    phone = _consent_phone(county, hid)
    assert "代办" in sms().messages(phone)[-1]["text"]
    code = last_code(phone)
    b = body(client, family)
    b["materials"] = [[upload(client, worker), upload(client, worker)], [upload(client, worker)]]
    again = client.post("/errands/consents", {"household": hid}, token=worker)
    assert again.status_code == 429 and again.json["error"]["code"] == "consent_resend_throttled"
    bad = client.post("/errands/applications", {**b, "consent_code": "000000" if code != "000000" else "111111"},
                      token=worker, headers={"Idempotency-Key": new_phone()})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "consent_wrong", bad.json
    none = client.post("/errands/applications", b, token=worker, headers={"Idempotency-Key": new_phone()})
    assert none.status_code == 422 and none.json["error"]["details"][0]["field"] == "consent_code"
    r = client.post("/errands/applications", {**b, "consent_code": code}, token=worker,
                    headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    out, ref = r.json, r.json["case"]["ref"]
    assert out["on_behalf"]["role_name"] == "专职网格员" and "*" in out["on_behalf"]["consent_phone"]
    first = out["case"]["timeline"][0]
    assert "代为申请" in first["note"] and "短信验证同意" in first["note"], first
    used = client.post("/errands/applications", {**b, "consent_code": code}, token=worker,
                       headers={"Idempotency-Key": new_phone()})
    assert used.status_code == 400 and used.json["error"]["code"] in ("consent_used", "consent_wrong", "consent_locked")
    # the family follows it, and acts as its applicant
    fam = family["token"]
    listed = client.get(f"/errands/applications?household={hid}", token=fam)
    assert listed.status_code == 200 and [a["ref"] for a in listed.json["items"]] == [ref], listed.json
    assert listed.json["items"][0]["on_behalf_by"]
    assert client.get(f"/errands/applications/{ref}", token=fam).json["values"]["f2"]["value"] == b["values"]["f2"]
    village, county_admin = county.tokens["village_admin"], county.tokens["county_admin"]
    assert step(client, village, ref, "forward").status_code == 200
    assert step(client, county_admin, ref, "decide", outcome="approved").status_code == 200
    assert step(client, village, ref, "ship", courier="中国邮政EMS", tracking_no="EMS9876543210").status_code == 200
    r = step(client, fam, ref, "receive")
    assert r.status_code == 200 and r.json["stage"] == "received", r.json
    assert step(client, fam, ref, "rate", rating=5).status_code == 200
    # the SMS of the steps went to the family's phone that consented
    events.drain()
    to_family = [m["text"] for m in sms().messages(phone) if ref[-6:] in m["text"]]
    assert len(to_family) == 3 and any("已寄出" in t for t in to_family), to_family


def _consent_phone(county, hid) -> str:
    from chalicelib.core import pii
    from chalicelib.households import service as households

    hh, members = households.load(county.code, hid)
    head = next(m for m in members if m.mid == hh.head_mid)
    return pii.decrypt(county.code, head.phone_enc)


def test_only_the_grids_staff_may_ask_a_household_and_only_its_family_lists_its_applications(client, county,
                                                                                            family):
    hid = family["home"]["id"]
    mine = county.tokens["grid_worker"]
    other_grid = county.add_staff("grid_worker", county.grid2)
    county.tokens["grid_worker"] = mine  # add_staff keeps the newest token per role
    assert client.post("/errands/consents", {"household": hid}, token=other_grid).status_code == 404
    assert client.post("/errands/consents", {"household": hid}, token=county.tokens["township_official"]
                       ).status_code == 403
    neighbour = county.villager(county.household(members=1)["id"])[1]["access_token"]
    assert client.get(f"/errands/applications?household={hid}", token=neighbour).status_code == 404
    b = body(client, family)
    r = client.post("/errands/applications", b, token=neighbour, headers={"Idempotency-Key": new_phone()})
    assert r.status_code in (403, 404), r.json


def test_the_months_numbers_per_item_and_township_and_their_workbook(client, county, family):
    import io

    import openpyxl
    import requests as http

    from chalicelib.core import clock

    village, county_admin = county.tokens["village_admin"], county.tokens["county_admin"]
    approved = apply(client, family, body(client, family)).json["case"]["ref"]
    refused = apply(client, family, body(client, family, delivery="pickup", address=None)).json["case"]["ref"]
    for ref in (approved, refused):
        assert step(client, village, ref, "forward").status_code == 200
    assert step(client, county_admin, approved, "decide", outcome="approved").status_code == 200
    assert step(client, county_admin, refused, "decide", outcome="refused", note="材料不符").status_code == 200
    assert step(client, village, approved, "ship", courier="顺丰速运", tracking_no="SF1234567890").status_code == 200
    month = clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m")
    r = client.get(f"/errands/stats?place={county.code}&month={month}", token=county_admin)
    assert r.status_code == 200, r.json
    row = next(x for x in r.json["rows"] if x["item"] == family["item"]["id"])
    assert (row["applied"], row["decided"], row["approved"], row["refused"]) == (2, 2, 1, 1)
    assert row["within_limit"] == 2 and row["within_limit_rate"] == 1.0 and row["avg_days"] == 0.0
    assert row["to_door"] == 1 and row["to_door_share"] == 1.0 and row["township"] == county.township
    assert row["township_name"] and r.json["total"]["applied"] >= 2
    # a township's official reads their township; a village office does not read the township's numbers
    own = client.get(f"/errands/stats?place={county.township}&month={month}", token=county.tokens["township_official"])
    mine = [x for x in r.json["rows"] if x["township"] == county.township]
    assert own.status_code == 200 and own.json["rows"] == mine
    assert client.get(f"/errands/stats?place={county.township}&month={month}", token=village).status_code == 403
    assert client.get(f"/errands/stats?place={county.code}&month=2026-13", token=county_admin).status_code == 422
    # the workbook: what the page shows, by township and item, with a total line
    out = client.post("/errands/stats/export", {"place": county.code, "month": month}, token=county_admin)
    assert out.status_code == 200 and out.json["filename"].endswith(".xlsx"), out.json
    wb = openpyxl.load_workbook(io.BytesIO(http.get(out.json["url"], timeout=30).content))
    sheet = wb["按乡镇和事项"]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:3] == ("乡镇", "事项", "申请数") and lines[-1][0] == "合计"
    assert lines[-1][2] == r.json["total"]["applied"] and sum(x[2] for x in lines[1:-1]) == lines[-1][2]
