"""通知公告 (issue 15 points 1–3) on the embedded AWS: publishing in scope, role targeting, scheduled and withdrawn
notices, the urgent banner, read receipts, the SNS fan-out with filter policies, the SMS to inactive households, and
the cost of a county-wide notice (constant writes whatever the households)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import requests

from tests.conftest import County, dynamodb_calls, new_phone


def publish(client, token, status=201, **body):
    body.setdefault("title", "关于春耕生产的通知")
    body.setdefault("body", "请各户做好春耕准备。")
    r = client.post("/notices", body, token=token, headers={"Idempotency-Key": new_phone() + "-n"})
    assert r.status_code == status, r.json
    return r.json


def ids(client, token) -> list[str]:
    r = client.get("/notices?limit=50", token=token)
    assert r.status_code == 200, r.json
    return [i["id"] for i in r.json["items"]]


def villager(county, grid=None):
    """A household of the grid (the first by default) and a villager linked to it (their token)."""
    if grid in (None, county.grid):
        hh = county.household()
        return hh, county.villager(hh["id"])[1]["access_token"]
    api, admin = county.api, county.tokens["village_admin"]
    hh = county.household(grid=grid, token=admin)
    inv = api.post(f"/households/{hh['id']}/invites", {}, token=admin)
    assert inv.status_code == 201, inv.json
    ident = api.sign_in(new_phone())
    r = api.post("/links", {"code": inv.json["code"]}, token=ident["access_token"])
    assert r.status_code == 200, r.json
    return hh, r.json["access_token"]


def test_staff_publish_to_their_scope_only_and_readers_of_it_see_it(client, county, other_county):
    hh, reader = villager(county)
    n = publish(client, county.tokens["village_admin"], title="村里的通知")
    assert n["status"] == "published" and n["from_place"] == county.village and n["from_name"] == "测试村"
    assert n["targets"] == [{"place": county.village, "name": "测试村"}] and n["can_manage"] is True
    assert n["id"] in ids(client, reader)
    got = client.get(f"/notices/{n['id']}", token=reader)
    assert got.status_code == 200 and got.json["body"] == "请各户做好春耕准备。" and got.json["by_name"] is None
    assert got.json["can_manage"] is False
    # a village admin cannot publish to another village, nor from the township
    county.api.post("/places", {"code": county.township + "202", "name": "别村"}, token=county.tokens["county_admin"])
    publish(client, county.tokens["village_admin"], status=403, targets=[county.township + "202"])
    # the township may publish there, but not from the village's place
    publish(client, county.tokens["township_official"], status=422, place=county.village,
            targets=[county.township + "202"])
    publish(client, county.tokens["village_admin"], status=403, place=county.township)
    publish(client, county.tokens["grid_worker"], status=403)
    publish(client, county.tokens["county_admin"], status=403, place=other_county.code)
    # another county's reader never sees it, not even by id
    _, stranger = villager(other_county)
    assert n["id"] not in ids(client, stranger)
    assert client.get(f"/notices/{n['id']}", token=stranger).status_code == 404


def test_a_notice_to_one_grid_and_to_party_members_reaches_only_them(client, county):
    _, in_g1 = villager(county)
    _, in_g2 = villager(county, county.grid2)
    admin = county.tokens["village_admin"]
    to_g2 = publish(client, admin, targets=[county.grid2], title="第二网格通知")
    assert to_g2["id"] in ids(client, in_g2) and to_g2["id"] not in ids(client, in_g1)
    assert client.get(f"/notices/{to_g2['id']}", token=in_g1).status_code == 404
    party = publish(client, county.tokens["township_official"], roles=["party_member"], title="党员大会通知")
    grid_roles = publish(client, county.tokens["county_admin"], roles=["grid_worker", "grid_leader"],
                         title="网格员培训通知")
    assert party["id"] not in ids(client, in_g1)
    assert grid_roles["id"] in ids(client, county.tokens["grid_worker"])
    assert grid_roles["id"] not in ids(client, in_g1) and grid_roles["id"] not in ids(client, county.tokens[
        "village_admin"])
    # a party member of the grid (invited as staff) sees it
    member = county.add_staff("party_member", county.grid)
    assert party["id"] in ids(client, member) and grid_roles["id"] not in ids(client, member)


def test_a_scheduled_notice_is_invisible_before_its_time_and_editable_until_then(client, county):
    from chalicelib.core import clock

    _, reader = villager(county)
    admin = county.tokens["village_admin"]
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    at = (start + dt.timedelta(minutes=3)).isoformat()
    n = publish(client, admin, publish_at=at, title="定时通知")
    assert n["status"] == "scheduled" and n["status_name"] == "待发布"
    assert n["id"] not in ids(client, reader)
    assert client.get(f"/notices/{n['id']}", token=reader).status_code == 404
    sent = client.get(f"/notices/sent?place={county.village}", token=admin).json["items"]
    assert any(i["id"] == n["id"] and i["status"] == "scheduled" for i in sent)
    edit = {"title": "定时通知（更正）", "body": "改过了", "publish_at": at, "version": n["version"]}
    r = client.put(f"/notices/{n['id']}", edit, token=admin)
    assert r.status_code == 200 and r.json["title"] == "定时通知（更正）" and r.json["version"] == 2, r.json
    assert client.put(f"/notices/{n['id']}", edit, token=admin).json["error"]["code"] == "version_conflict"
    frozen = clock.FrozenClock(start + dt.timedelta(minutes=4))
    clock.set_clock(frozen)
    try:
        listed = client.get("/notices", token=reader).json["items"]
        assert [i["title"] for i in listed if i["id"] == n["id"]] == ["定时通知（更正）"]
        late = client.put(f"/notices/{n['id']}", {**edit, "version": 2}, token=admin)
        assert late.status_code == 409 and late.json["error"]["code"] == "notice_published"
    finally:
        clock.set_clock(clock.Clock())


def test_a_withdrawn_notice_leaves_readers_and_stays_as_a_trace_for_staff(client, county):
    _, reader = villager(county)
    n = publish(client, county.tokens["village_admin"], title="将撤回的通知")
    assert n["id"] in ids(client, reader)
    # the township above may withdraw it; a grid worker may not
    assert client.post(f"/notices/{n['id']}/withdraw", token=county.tokens["grid_worker"]).status_code == 403
    r = client.post(f"/notices/{n['id']}/withdraw", token=county.tokens["township_official"])
    assert r.status_code == 200 and r.json["status"] == "withdrawn" and r.json["status_name"] == "已撤回"
    assert n["id"] not in ids(client, reader)
    assert client.get(f"/notices/{n['id']}", token=reader).status_code == 404
    staff = client.get(f"/notices/{n['id']}", token=county.tokens["village_admin"])
    assert staff.status_code == 200 and staff.json["status"] == "withdrawn" and staff.json["withdrawn_at"]
    # its publisher withdraws their own
    mine = publish(client, county.tokens["village_admin"], title="自己撤回")
    assert client.post(f"/notices/{mine['id']}/withdraw", token=county.tokens["village_admin"]).status_code == 200


def test_an_urgent_notice_is_a_home_banner_until_read(client, county):
    _, reader = villager(county)
    n = publish(client, county.tokens["county_admin"], title="紧急：暴雨预警", urgent=True)
    home = client.get("/home", token=reader)
    assert home.status_code == 200, home.json
    assert [u["id"] for u in home.json["parts"]["notices"]["urgent"]] == [n["id"]]
    listed = {i["id"]: i for i in client.get("/notices", token=reader).json["items"]}
    assert listed[n["id"]]["urgent"] is True and listed[n["id"]]["read"] is False
    assert client.post(f"/notices/{n['id']}/read", token=reader).status_code == 204
    assert client.post(f"/notices/{n['id']}/read", token=reader).status_code == 204  # twice: still once
    assert client.get("/home", token=reader).json["parts"]["notices"]["urgent"] == []
    assert {i["id"]: i for i in client.get("/notices", token=reader).json["items"]}[n["id"]]["read"] is True
    assert client.get(f"/notices/{n['id']}", token=reader).json["read"] is True


def test_grid_staff_who_land_on_field_work_get_the_banner_from_its_own_route(client, county):
    worker = county.tokens["grid_worker"]
    n = publish(client, county.tokens["county_admin"], title="紧急：网格员集合", urgent=True,
                roles=["grid_worker", "grid_leader"])
    publish(client, county.tokens["county_admin"], title="普通通知")  # not urgent: not on the banner
    r = client.get("/notices/urgent", token=worker)
    assert r.status_code == 200, r.json
    assert [u["id"] for u in r.json["urgent"]] == [n["id"]]
    assert r.json["urgent"][0]["title"] == "紧急：网格员集合"
    _, reader = villager(county)  # a notice for grid staff only is not a villager's banner
    assert client.get("/notices/urgent", token=reader).json["urgent"] == []
    assert client.post(f"/notices/{n['id']}/read", token=worker).status_code == 204
    assert client.get("/notices/urgent", token=worker).json["urgent"] == []


def test_read_receipts_count_households_once_and_list_the_unread(client, county):
    hh = county.household(members=2)
    _, a = county.villager(hh["id"])
    _, b = county.villager(hh["id"])  # two members of one household
    other, c = villager(county)
    quiet = county.household()  # nobody reads
    far, d = villager(county, county.grid2)
    n = publish(client, county.tokens["township_official"], title="阅读回执测试")
    for tok in (a["access_token"], b["access_token"], c, d):
        assert client.post(f"/notices/{n['id']}/read", token=tok).status_code == 204
    worker = county.tokens["grid_worker"]
    r = client.get(f"/notices/{n['id']}/receipts?place={county.grid}", token=worker)
    assert r.status_code == 200, r.json
    assert r.json["place"]["read"] == 2 and r.json["place"]["total"] >= 3 and r.json["children"] == []
    unread = {u["id"]: u for u in r.json["unread"]}
    assert quiet["id"] in unread and hh["id"] not in unread and other["id"] not in unread
    assert unread[quiet["id"]]["head_name"] == "户*甲"
    v = client.get(f"/notices/{n['id']}/receipts?place={county.village}", token=county.tokens["village_admin"])
    assert v.status_code == 200 and v.json["unread"] is None, v.json
    kids = {k["place"]: k for k in v.json["children"]}
    assert kids[county.grid]["read"] == 2 and kids[county.grid2]["read"] == 1 and v.json["place"]["read"] == 3
    t = client.get(f"/notices/{n['id']}/receipts?place={county.township}", token=county.tokens["township_official"])
    assert t.json["place"]["read"] == 3 and t.json["children"][0]["read"] == 3
    # a grid worker sees only their grid's
    assert client.get(f"/notices/{n['id']}/receipts?place={county.grid2}", token=worker).status_code == 403


def test_sns_subscribers_filter_by_place(client, county):
    """One message per notice on the broadcasts topic: a village's queue, subscribed with a filter policy on its
    place, gets its village's notices (and the county's), not another village's."""
    from chalicelib.core import notify
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    other_village = county.township + "203"
    county.api.post("/places", {"code": other_village, "name": "邻村"}, token=county.tokens["county_admin"])
    sqs = aws_client("sqs")
    url = sqs.create_queue(QueueName=f"notices-{county.village}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    notify.subscribe(settings().broadcasts_topic, "sqs", arn,
                     {"tenant": [county.code], "places": [county.code, county.township, county.village,
                                                          {"prefix": county.village}]})
    mine = publish(client, county.tokens["village_admin"], title="本村通知")
    publish(client, county.tokens["township_official"], targets=[other_village], title="邻村通知")
    everyone = publish(client, county.tokens["county_admin"], title="全县通知", urgent=True)
    got = []
    for _ in range(3):
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        got += [json.loads(json.loads(m["Body"])["Message"])["id"] for m in msgs]
    assert sorted(got) == sorted([mine["id"], everyone["id"]])


def _count_writes():
    """DynamoDB writes of the block, transactions' items included."""
    from chalicelib.core import db

    @contextlib.contextmanager
    def counting():
        db.transact()  # makes core.db's transaction connection
        conn = db._connection
        items: list[int] = []
        original = conn.transact_write_items

        def tx(*a, **kw):
            items.append(sum(len(kw.get(k) or []) for k in ("condition_check_items", "delete_items", "put_items",
                                                            "update_items")))
            return original(*a, **kw)

        conn.transact_write_items = tx
        try:
            with dynamodb_calls() as calls:
                yield calls, items
        finally:
            del conn.transact_write_items

    return counting()


def test_a_county_wide_notice_costs_the_same_writes_for_2_and_50_households(client, operator_token):
    def cost(households: int) -> tuple[int, int]:
        c = County(client, operator_token)
        for _ in range(households):
            c.household(members=1)
        with _count_writes() as (calls, items):
            publish(client, c.tokens["county_admin"], title="全县通知", urgent=True)
        writes = [op for op in calls if op in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem")]
        return len(writes), sum(items)

    small, big = cost(2), cost(50)
    assert small == big and big[1] == 3, (small, big)  # the notice, the county's entry, the SMS due


def test_sms_once_per_notice_to_inactive_households_only(client, county, events):
    from chalicelib.core import clock
    from chalicelib.core.notify import sms
    from chalicelib.notices import sms as notice_sms

    idle = county.household(members=1)
    idle_phone = next(iter(_phones(county, idle["id"])))
    reporter = county.household(members=1)
    rep_phone = next(iter(_phones(county, reporter["id"])))
    _mark_reported(county.code, reporter["id"])
    reader_hh, reader = villager(county)
    read_phone = next(iter(_phones(county, reader_hh["id"])))
    n = publish(client, county.tokens["village_admin"], title="停水通知", urgent=True)
    assert client.post(f"/notices/{n['id']}/read", token=reader).status_code == 204
    assert county.village in notice_sms.units(county.code)
    before = len(sms().messages())
    # the schedule's fan-out: one message for the village, run by the jobs queue's worker
    first = events.run_job("notice_sms")[f"{county.code}/{county.village}"]
    again = notice_sms.run(county.code, county.village, clock.now())
    texts = [m for m in sms().messages()[before:] if m["template"] == "notice_urgent"]
    to = [m["phone"] for m in texts]
    assert to.count(idle_phone) == 1 and rep_phone not in to and read_phone not in to, to
    assert first["sent"] == 1 and again["sent"] == 0
    assert next(m["text"] for m in texts if m["phone"] == idle_phone) == \
        "【村情通】测试村发布了紧急通知《停水通知》，请尽快打开村情通查看。"
    assert county.village not in notice_sms.units(county.code)  # the village is done


def test_sms_are_capped_per_run_and_the_rest_go_next_run(client, county, monkeypatch):
    from chalicelib.core import clock
    from chalicelib.core.notify import sms
    from chalicelib.notices import sms as notice_sms

    idle = [county.household(members=1)["id"] for _ in range(3)]
    phones = {p for hid in idle for p in _phones(county, hid)}
    n = publish(client, county.tokens["county_admin"], title="防汛紧急通知", urgent=True)
    monkeypatch.setattr(notice_sms, "SMS_PER_RUN", 2)
    before = len(sms().messages())
    runs = [notice_sms.run(county.code, county.village, clock.now())["sent"] for _ in range(3)]
    assert runs == [2, 1, 0], runs
    sent = [m["phone"] for m in sms().messages()[before:] if m["template"] == "notice_urgent"]
    assert sorted(sent) == sorted(phones)
    assert county.village not in notice_sms.units(county.code)
    # a scheduled urgent notice sends nothing before its time, and nothing once withdrawn
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    later = publish(client, county.tokens["county_admin"], title="明日紧急通知", urgent=True, publish_at=at)
    assert notice_sms.units(county.code) == []
    assert client.post(f"/notices/{later['id']}/withdraw", token=county.tokens["county_admin"]).status_code == 200
    clock.set_clock(clock.FrozenClock(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)))
    try:
        assert notice_sms.units(county.code) == []
    finally:
        clock.set_clock(clock.Clock())
    assert n["urgent"] is True


def _phones(county, hid) -> set[str]:
    from chalicelib.core import pii
    from chalicelib.households import service as households

    _, members = households.load(county.code, hid)
    return {pii.decrypt(county.code, m.phone_enc) for m in members if m.phone_enc}


def _mark_reported(tenant, hid):
    from chalicelib.core import clock
    from chalicelib.core.db import transact
    from chalicelib.households import service as households

    with transact() as tx:
        households.mark_reported(tx, tenant, hid, clock.today().isoformat())


def test_attachments_are_uploaded_files_of_the_publisher(client, county):
    admin = county.tokens["village_admin"]
    form = client.post("/notices/uploads", {"content_type": "application/pdf", "name": "通知.pdf"}, token=admin)
    assert form.status_code == 201, form.json
    up = requests.post(form.json["url"], data=form.json["fields"],
                       files={"file": ("a.pdf", b"%PDF-1.4 test", "application/pdf")})
    assert up.status_code in (200, 204), up.text
    n = publish(client, admin, attachments=[{"key": form.json["key"], "name": "通知.pdf"}])
    assert n["attachments"][0]["content_type"] == "application/pdf" and n["attachments"][0]["url"].startswith("http")
    # a key not uploaded, or uploaded by someone else, is refused
    other = client.post("/notices/uploads", {"content_type": "image/png"}, token=county.tokens["county_admin"])
    bad = publish(client, admin, status=422, attachments=[{"key": other.json["key"]}])
    assert bad["error"]["details"][0]["code"] == "file_missing"
    assert client.post("/notices/uploads", {"content_type": "text/html"}, token=admin).status_code == 422
    assert client.post("/notices/uploads", {"content_type": "image/png"},
                       token=county.tokens["grid_worker"]).status_code == 403


def test_create_is_idempotent_and_bad_input_is_4xx(client, county):
    admin = county.tokens["village_admin"]
    body = {"title": "幂等通知", "body": "一次"}
    h = {"Idempotency-Key": "notice-" + new_phone()}
    first = client.post("/notices", body, token=admin, headers=h)
    second = client.post("/notices", body, token=admin, headers=h)
    assert first.status_code == second.status_code == 201 and first.json["id"] == second.json["id"]
    assert [i["id"] for i in client.get(f"/notices/sent?place={county.village}", token=admin).json["items"]].count(
        first.json["id"]) == 1
    ok = {"title": "标题", "body": "x"}
    for bad in ({"title": "", "body": "x"}, {**ok, "body": ""}, {**ok, "roles": ["x"]}, {**ok, "publish_at": "明天"},
                {**ok, "targets": ["abc"]}, {**ok, "publish_at": "2099-01-01T00:00:00+08:00"}, {**ok, "extra": 1},
                {**ok, "title": 5}, {**ok, "urgent": "yes"}, {**ok, "attachments": [{"key": "x/notices/a.exe"}]}):
        r = client.post("/notices", bad, token=admin, headers={"Idempotency-Key": "bad-" + new_phone()})
        assert r.status_code == 422 and r.json["error"]["code"], (bad, r.json)
    assert client.get("/notices/000000000000", token=admin).status_code == 404
    assert client.get("/notices/nope", token=admin).status_code == 404
    assert client.get("/notices?limit=0", token=admin).status_code == 422
    assert client.get("/notices?cursor=abc", token=admin).status_code == 400
    assert client.get("/notices/sent?place=1", token=admin).status_code == 422
    assert client.post("/notices/000000000000/read", token=admin).status_code == 404


def test_the_list_pages_across_places_newest_first(client, county):
    _, reader = villager(county)
    made = []
    for i, (who, place) in enumerate((("county_admin", None), ("township_official", None), ("village_admin", None),
                                      ("village_admin", None), ("county_admin", None))):
        made.append(publish(client, county.tokens[who], title=f"分页通知{i}")["id"])
    seen, cursor = [], None
    for _ in range(5):
        r = client.get("/notices?limit=2" + (f"&cursor={cursor}" if cursor else ""), token=reader)
        assert r.status_code == 200, r.json
        seen += [i["id"] for i in r.json["items"]]
        cursor = r.json["next_cursor"]
        if not cursor:
            break
    assert sorted(x for x in seen if x in made) == sorted(made) and len(seen) == len(set(seen))
    times = [i["publish_at"] for i in client.get("/notices?limit=50", token=reader).json["items"]]
    assert times == sorted(times, reverse=True)
    with dynamodb_calls() as calls:
        client.get("/notices?limit=20", token=reader)
    assert calls.count("Query") == 4 and calls.count("BatchGetItem") <= 1, calls
