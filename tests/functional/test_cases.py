"""The case workflow, through 随手拍 and 疫情举报 on the embedded AWS: filing with photos, routing to the grid worker,
the timeline the filer sees, notices, resolving with an after photo, rating, reopening, escalation by the schedule,
duplicates, moderation, the console inbox's scope and filters, and a module's switch."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.core import clock
from chalicelib.core.aws import client as aws_client
from chalicelib.core.config import settings

JPEG = b"\xff\xd8\xff\xe0" + b"0" * 2000


def upload(c, token: str, data: bytes = JPEG, type_: str = "snap") -> str:
    """What the phone does: ask for a presigned form, then send the (shrunk) photo to S3 with it."""
    r = c.api.post("/cases/uploads", {"type": type_, "content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    form = r.json
    assert form["max_bytes"] == 300 * 1024 and form["fields"]["Content-Type"] == "image/jpeg"
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=form["key"], Body=data, ContentType="image/jpeg")
    return form["key"]


@pytest.fixture
def village(county):
    """A county with a villager of the first grid (a grid worker is posted there; none at the second grid)."""
    c = county
    hh = c.household(members=1)
    _, session = c.villager(hh["id"])
    c.tokens["villager"] = session["access_token"]
    c.villager_uid = session["user_id"]
    return c


def snap(c, token=None, category="sanitation", photos=1, **kw):
    token = token or c.tokens["villager"]
    body = {"category": category, "text": kw.pop("text", "村口垃圾堆了三天没人清"),
            "photos": [upload(c, token) for _ in range(photos)], **kw}
    return c.api.post("/snaps", body, token=token)


def act(c, ref, role, **body):
    return c.api.post(f"/cases/{ref}/actions", body, token=c.tokens[role])


def test_a_snap_goes_to_the_grid_worker_who_resolves_it_with_a_photo_and_the_filer_rates_it(village):
    c = village
    r = snap(c, photos=2, location="村口桥头", lat=29.0312345, lng=119.1723456)
    assert r.status_code == 201, r.json
    case = r.json
    ref = case["ref"]
    assert ref.startswith(f"SP-{c.code}-") and case["status"] == "assigned" and case["assignee"] == "测试grid_worker"
    assert case["place"] == c.grid and case["village"] == c.village and case["category_name"] == "环境卫生"
    assert (case["lat"], case["lng"]) == (29.031, 119.172)  # rounded: about 100 m
    assert len(case["photos"]) == 2 and all(p["url"].startswith("http") for p in case["photos"])
    assert [e["event"] for e in case["timeline"]] == ["filed", "assigned"]
    assert case["sla"] == "green" and case["mine"] and set(case["actions"]) == set()  # nothing to do yet

    # The grid worker finds it in their inbox, accepts it and resolves it with an after photo.
    inbox = c.api.get(f"/cases?place={c.grid}&status=open", token=c.tokens["grid_worker"])
    assert inbox.status_code == 200, inbox.json
    assert [i["ref"] for i in inbox.json["items"]] == [ref]
    assert inbox.json["items"][0]["filer"] == case["filer"]  # not anonymous: staff see who
    assert "resolve" in inbox.json["items"][0]["actions"]
    assert act(c, ref, "grid_worker", action="accept", note="明天上午清理").status_code == 200
    after = upload(c, c.tokens["grid_worker"])
    done = act(c, ref, "grid_worker", action="resolve", outcome="fixed", note="已清运，并提醒村民定点投放",
               photos=[after])
    assert done.status_code == 200, done.json
    assert done.json["status"] == "resolved" and done.json["outcome_name"] == "已整改"
    assert [p["id"] for p in done.json["after_photos"]] == [after] and done.json["sla"] is None

    # The filer follows it: the timeline, a notice per change, then a rating closes it.
    mine = c.api.get(f"/cases/{ref}", token=c.tokens["villager"]).json
    assert [e["event"] for e in mine["timeline"]] == ["filed", "assigned", "accepted", "resolved"]
    last = mine["timeline"][-1]
    assert last["by"] == "测试grid_worker" and last["note"] == "已清运，并提醒村民定点投放"
    assert set(mine["actions"]) == {"rate", "reopen"}
    notices = c.api.get("/inbox", token=c.tokens["villager"]).json["items"]
    titles = [m["title"] for m in notices]
    assert "您的环境卫生随手拍处理中" in titles and "您的环境卫生随手拍已办结" in titles
    assert any(ref in m["body"] for m in notices)
    assert act(c, ref, "grid_worker", action="rate", rating=5).status_code == 403  # only the filer rates
    rated = c.api.post(f"/cases/{ref}/actions", {"action": "rate", "rating": 5, "note": "很快"},
                       token=c.tokens["villager"])
    assert rated.status_code == 200, rated.json
    assert rated.json["status"] == "closed" and rated.json["rating"] == 5
    again = c.api.post(f"/cases/{ref}/actions", {"action": "rate", "rating": 1}, token=c.tokens["villager"])
    assert again.status_code == 409 and again.json["error"]["code"] == "invalid_transition"

    # "My cases" lists it; the village board shows it with both photos and no filer.
    mine = c.api.get("/cases/mine", token=c.tokens["villager"]).json["items"]
    assert [(m["ref"], m["status"]) for m in mine] == [(ref, "closed")]
    board = c.api.get("/snaps/board", token=c.tokens["villager"])
    assert board.status_code == 200, board.json
    assert board.json["village"] == c.village and [b["ref"] for b in board.json["items"]] == [ref]
    item = board.json["items"][0]
    assert len(item["photos"]) == 2 and len(item["after_photos"]) == 1 and "filer" not in item


def test_reopen_within_seven_days_and_not_after(village):
    c = village
    ref = snap(c).json["ref"]
    assert act(c, ref, "grid_worker", action="resolve", outcome="explained", note="已解释").status_code == 200
    reopened = c.api.post(f"/cases/{ref}/actions", {"action": "reopen", "note": "还没清"}, token=c.tokens["villager"])
    assert reopened.status_code == 200, reopened.json
    assert reopened.json["status"] == "filed" and reopened.json["level"] == "grid" and reopened.json["due_at"]
    assert act(c, ref, "grid_worker", action="resolve", outcome="fixed", note="已清").status_code == 200
    frozen = clock.FrozenClock(dt.datetime.now(dt.UTC) + dt.timedelta(days=8))
    clock.set_clock(frozen)
    try:
        from chalicelib.cases import service
        from chalicelib.core.tenancy import Grant, TenantContext

        filer = TenantContext(c.code, c.villager_uid, "i", (Grant("villager", c.grid, "h"),))
        case = service.load(c.code, ref)
        assert "reopen" not in service.allowed_actions(filer, case) and "rate" in service.allowed_actions(filer, case)
    finally:
        clock.set_clock(clock.Clock())


def test_an_unanswered_case_moves_up_level_by_level_on_the_schedule(village, events):
    c = village
    ref = snap(c, category="safety", extra={"urgent": "yes"}, text="水塘边护栏倒了，孩子常在附近玩").json["ref"]
    first = c.api.get(f"/cases/{ref}", token=c.tokens["village_admin"]).json
    due = dt.datetime.fromisoformat(first["due_at"])
    assert dt.timedelta(hours=23) < due - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=24)
    assert events.run_job("case_escalation", due - dt.timedelta(minutes=1)).get(c.code) is None  # not yet
    assert events.run_job("case_escalation", due + dt.timedelta(minutes=1))[c.code] == 1
    up = c.api.get(f"/cases/{ref}", token=c.tokens["villager"]).json
    assert up["level"] == "village" and up["timeline"][-1]["event"] == "escalated"
    assert up["timeline"][-1]["by"] == "系统" and up["timeline"][-1]["detail"]["to"] == "village"
    assert any(m["title"] == "您的随手拍已转交村级办理" or "已转交" in m["title"]
               for m in c.api.get("/inbox", token=c.tokens["villager"]).json["items"])
    later = dt.datetime.fromisoformat(up["due_at"]) + dt.timedelta(minutes=1)
    assert events.run_job("case_escalation", later)[c.code] == 1
    assert c.api.get(f"/cases/{ref}", token=c.tokens["village_admin"]).json["level"] == "township"
    # Overdue cases show red in the township's inbox; the county's is next, then it stays red at the top.
    assert events.run_job("case_escalation", later + dt.timedelta(hours=25))[c.code] == 1
    assert events.run_job("case_escalation", later + dt.timedelta(hours=50))[c.code] == 1  # at the top: due removed
    assert events.run_job("case_escalation", later + dt.timedelta(hours=75)).get(c.code) is None
    top = c.api.get(f"/cases/{ref}", token=c.tokens["county_admin"]).json
    assert top["level"] == "county" and [e["event"] for e in top["timeline"]].count("escalated") == 4
    # Once answered, nothing moves it any more.
    assert act(c, ref, "county_admin", action="resolve", outcome="fixed", note="已修复护栏").status_code == 200


def test_photos_must_be_the_filers_own_uploads_and_small(village):
    c = village
    other = upload(c, c.tokens["grid_worker"])  # someone else's upload
    r = c.api.post("/snaps", {"category": "sanitation", "text": "有垃圾", "photos": [other]},
                   token=c.tokens["villager"])
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "photo_missing"
    big = upload(c, c.tokens["villager"], data=JPEG + b"0" * (300 * 1024))
    r = c.api.post("/snaps", {"category": "sanitation", "text": "有垃圾", "photos": [big]}, token=c.tokens["villager"])
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "photo_too_large"
    r = c.api.post("/snaps", {"category": "sanitation", "text": "有垃圾", "photos": []}, token=c.tokens["villager"])
    assert r.status_code == 422
    r = c.api.post("/snaps", {"category": "sanitation", "text": "有垃圾",
                              "photos": [f"{c.code}/cases/snap/x/{i}.jpg" for i in range(7)]},
                   token=c.tokens["villager"])
    assert r.status_code == 422
    r = c.api.post("/cases/uploads", {"type": "snap", "content_type": "image/gif"}, token=c.tokens["villager"])
    assert r.status_code == 422
    r = c.api.post("/cases/uploads", {"type": "tipoff", "content_type": "image/jpeg"}, token=c.tokens["villager"])
    assert r.status_code == 422  # tip-offs take no photos
    r = snap(c, category="road")  # the category's own required field
    assert r.status_code == 422 and r.json["error"]["details"][0]["field"] == "extra.facility"
    r = snap(c, category="road", extra={"facility": "streetlight", "colour": "red"})
    assert r.status_code == 422 and r.json["error"]["details"][0]["field"] == "extra.colour"
    assert snap(c, category="road", extra={"facility": "streetlight"}).status_code == 201
    assert snap(c, category="weather").status_code == 422


def test_duplicates_are_suggested_when_filing_and_marked_by_staff(village):
    c = village
    first = snap(c).json["ref"]
    r = c.api.get(f"/snaps/similar?grid={c.grid}&category=sanitation", token=c.tokens["villager"])
    assert r.status_code == 200 and [s["ref"] for s in r.json["items"]] == [first]
    assert r.json["items"][0]["photo"].startswith("http") and "filer" not in r.json["items"][0]
    assert c.api.get(f"/snaps/similar?grid={c.grid2}&category=sanitation",
                     token=c.tokens["villager"]).json["items"] == []
    second = snap(c, text="村口垃圾还在").json["ref"]
    bad = act(c, second, "grid_worker", action="duplicate", duplicate_of=second)
    assert bad.status_code == 422
    dup = act(c, second, "grid_worker", action="duplicate", duplicate_of=first, note="与前一件重复，一并处理")
    assert dup.status_code == 200, dup.json
    assert dup.json["status"] == "closed" and dup.json["duplicate_of"] == first
    assert "reopen" not in c.api.get(f"/cases/{second}", token=c.tokens["villager"]).json["actions"]


def test_staff_hide_abusive_words_or_a_photo_with_a_reason(village):
    c = village
    r = snap(c, photos=2, text="某某是个骗子（辱骂内容）")
    ref, photos = r.json["ref"], [p["id"] for p in r.json["photos"]]
    assert act(c, ref, "grid_worker", action="hide").status_code == 422  # a reason is required
    hid = act(c, ref, "grid_worker", action="hide", reason="含人身攻击", hide_photos=[photos[1]])
    assert hid.status_code == 200 and hid.json["hidden"] is False and len(hid.json["photos"]) == 2  # staff see all
    hid = act(c, ref, "grid_worker", action="hide", reason="含人身攻击")
    assert hid.status_code == 200 and hid.json["hidden"] and hid.json["hidden_reason"] == "含人身攻击"
    own = c.api.get(f"/cases/{ref}", token=c.tokens["villager"]).json
    assert own["text"] == "某某是个骗子（辱骂内容）" and own["hidden"] and own["hidden_reason"] is None
    assert [p["id"] for p in own["photos"]] == [photos[0]]  # the hidden photo is gone for everyone but staff
    assert act(c, ref, "grid_worker", action="resolve", outcome="explained", note="已调解").status_code == 200
    assert ref not in [b["ref"] for b in c.api.get("/snaps/board", token=c.tokens["villager"]).json["items"]]


def test_the_inbox_holds_what_the_caller_may_read_at_the_place(village, client):
    c = village
    snap_ref = snap(c).json["ref"]
    tip = c.api.post("/tipoffs", {"category": "gathering", "description": "祠堂有人聚餐"}, token=c.tokens["villager"])
    assert tip.status_code == 201
    tip_ref = tip.json["id"]
    refs = lambda r: [i["ref"] for i in r.json["items"]]  # noqa: E731
    admin = c.api.get(f"/cases?place={c.village}", token=c.tokens["village_admin"])
    assert refs(admin) == [tip_ref, snap_ref]  # both types, newest first
    assert {i["type_name"] for i in admin.json["items"]} == {"随手拍", "疫情举报"}
    only = c.api.get(f"/cases?place={c.village}&type=tipoff", token=c.tokens["village_admin"])
    assert refs(only) == [tip_ref]
    # The grid worker reads 随手拍 only (tip-offs are the village's) and only in their grid.
    assert refs(c.api.get(f"/cases?place={c.grid}", token=c.tokens["grid_worker"])) == [snap_ref]
    assert c.api.get(f"/cases?place={c.grid}&type=tipoff", token=c.tokens["grid_worker"]).status_code == 403
    assert c.api.get(f"/cases?place={c.grid2}", token=c.tokens["grid_worker"]).status_code == 403
    assert c.api.get(f"/cases?place={c.village}", token=c.tokens["villager"]).status_code == 403
    # Wider places read the wider logs; status and category filter.
    assert refs(c.api.get(f"/cases?place={c.township}", token=c.tokens["township_official"])) == [tip_ref, snap_ref]
    assert refs(c.api.get(f"/cases?place={c.code}&type=snap", token=c.tokens["county_admin"])) == [snap_ref]
    assert act(c, snap_ref, "village_admin", action="resolve", outcome="fixed", note="已处理").status_code == 200
    assert refs(c.api.get(f"/cases?place={c.village}&status=open", token=c.tokens["village_admin"])) == [tip_ref]
    assert refs(c.api.get(f"/cases?place={c.village}&status=done", token=c.tokens["village_admin"])) == [snap_ref]
    assert refs(c.api.get(f"/cases?place={c.village}&category=gathering",
                          token=c.tokens["village_admin"])) == [tip_ref]
    # Types: what the caller's county offers, with categories and their extra fields.
    types = {t["id"]: t for t in c.api.get("/cases/types", token=c.tokens["villager"]).json["items"]}
    assert set(types) == {"tipoff", "snap", "letter", "errand"}
    road = next(x for x in types["snap"]["categories"] if x["code"] == "road")
    assert road["sla_hours"] == 120 and road["fields"][0]["code"] == "facility" and road["fields"][0]["required"]


def test_a_module_switched_off_switches_its_cases_off(village, operator_token):
    c = village
    ref = snap(c).json["ref"]
    r = c.api.put(f"/counties/{c.code}/modules", {"modules": ["daily_report", "tipoffs"]}, token=operator_token)
    assert r.status_code == 200, r.json
    try:
        got = c.api.get(f"/cases/{ref}", token=c.tokens["villager"])
        assert got.status_code == 403 and got.json["error"]["code"] == "module_disabled"
        assert c.api.get("/cases/mine", token=c.tokens["villager"]).json["items"] == []
        assert c.api.get(f"/cases?place={c.grid}", token=c.tokens["grid_worker"]).status_code == 403
        assert c.api.post("/snaps", {"category": "sanitation", "text": "有垃圾", "photos": ["x"]},
                          token=c.tokens["villager"]).json["error"]["code"] == "module_disabled"
        assert {t["id"] for t in c.api.get("/cases/types", token=c.tokens["villager"]).json["items"]} == {"tipoff"}
    finally:
        c.api.put(f"/counties/{c.code}/modules",
                  {"modules": ["daily_report", "scan_pass", "tipoffs", "snaps", "mailbox"]}, token=operator_token)
    assert c.api.get(f"/cases/{ref}", token=c.tokens["villager"]).status_code == 200


def test_anonymous_tipoffs_hide_the_filer_in_the_timeline_too(village):
    c = village
    r = c.api.post("/tipoffs", {"category": "returnee", "description": "邻居从外地回来未登记", "anonymous": True},
                   token=c.tokens["villager"])
    ref = r.json["id"]
    staff = c.api.get(f"/cases/{ref}", token=c.tokens["village_admin"]).json
    assert staff["filer"] is None and staff["timeline"][0]["by"] == "提交人"
    own = c.api.get(f"/cases/{ref}", token=c.tokens["villager"]).json
    assert own["filer"] and own["timeline"][0]["by"] == own["filer"]


def test_a_filer_who_opted_in_gets_an_sms_on_each_status_change_once(village, events):
    from chalicelib.core.notify import sms

    c = village
    hh = c.household(members=1)
    phone, session = c.villager(hh["id"])
    token = session["access_token"]
    r = c.api.put("/me/settings", {"sms_updates": True}, token=token)
    assert r.status_code == 200 and r.json["sms_updates"] is True
    ref = snap(c, token=token).json["ref"]
    events.drain()
    assert act(c, ref, "grid_worker", action="accept").status_code == 200
    assert act(c, ref, "grid_worker", action="note", note="在路上").status_code == 200  # not a status change
    assert act(c, ref, "grid_worker", action="resolve", outcome="fixed", note="已清").status_code == 200
    events.drain()
    events.drain()  # a second pass over the same records sends nothing more
    # The SMS names the case by its number's last 6 characters (a template's variable holds at most 6).
    texts = [m["text"] for m in sms().messages(phone) if f"编号尾号{ref[-6:]}" in m["text"]]
    assert len(texts) == 3, texts  # assigned (routed on filing), accepted, resolved
    assert any("已办结" in t for t in texts) and all("【村情通】" in t for t in texts)
    # Someone who did not opt in gets the inbox notices only.
    assert [m for m in sms().messages(c.phones.get("villager", "")) if f"编号尾号{ref[-6:]}" in m["text"]] == []
    assert c.api.put("/me/settings", {"sms_updates": "yes"}, token=token).status_code == 422


def test_the_county_admin_edits_a_types_categories_for_their_county_only(village, other_county):
    c = village
    types_ = {t["id"]: t for t in c.api.get("/cases/types", token=c.tokens["county_admin"]).json["items"]}
    cats = types_["snap"]["categories"]
    for cat in cats:
        if cat["code"] == "sanitation":
            cat.update(name="垃圾与卫生", sla_hours=48)
        if cat["code"] == "dispute":
            cat["enabled"] = False
    cats.append({"code": "livestock", "name": "家禽散养", "sla_hours": 96, "fields": [
        {"code": "animal", "name": "什么牲畜", "datatype": "singlevaluelist", "required": True,
         "values": [{"key": "chicken", "name": "鸡鸭"}, {"key": "pig", "name": "猪"}]}]})
    body = {"categories": [{k: v for k, v in cat.items()} for cat in cats]}
    assert c.api.put("/cases/types/snap/categories", body, token=c.tokens["village_admin"]).status_code == 403
    r = c.api.put("/cases/types/snap/categories", body, token=c.tokens["county_admin"])
    assert r.status_code == 200, r.json
    assert [x["code"] for x in r.json["categories"]][-1] == "livestock"

    # Villagers file under the new list: the new category with its own field and SLA; not under a switched-off one.
    assert snap(c, category="dispute").status_code == 422
    assert snap(c, category="livestock").json["error"]["details"][0]["field"] == "extra.animal"
    filed = snap(c, category="livestock", extra={"animal": "chicken"}, text="邻居家的鸡满村跑")
    assert filed.status_code == 201, filed.json
    assert filed.json["category_name"] == "家禽散养"
    due = dt.datetime.fromisoformat(filed.json["due_at"]) - dt.datetime.fromisoformat(filed.json["created_at"])
    assert due == dt.timedelta(hours=96)
    assert snap(c).json["category_name"] == "垃圾与卫生"
    # Another county keeps the defaults.
    theirs = {t["id"]: t for t in c.api.get("/cases/types", token=other_county.tokens["county_admin"]).json["items"]}
    assert "livestock" not in [x["code"] for x in theirs["snap"]["categories"]]

    # A category is never removed (cases were filed under it), only switched off; bad definitions are 422s.
    without = {"categories": [x for x in body["categories"] if x["code"] != "road"]}
    r = c.api.put("/cases/types/snap/categories", without, token=c.tokens["county_admin"])
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "category_removed"
    bad = {"categories": body["categories"] + [{"code": "Bad Code", "name": "x"}]}
    assert c.api.put("/cases/types/snap/categories", bad, token=c.tokens["county_admin"]).status_code == 422
    nolist = {"categories": body["categories"] + [{"code": "x1", "name": "x", "fields": [
        {"code": "k", "name": "k", "datatype": "singlevaluelist"}]}]}
    assert c.api.put("/cases/types/snap/categories", nolist, token=c.tokens["county_admin"]).status_code == 422
    assert c.api.put("/cases/types/nothing/categories", body, token=c.tokens["county_admin"]).status_code == 422
