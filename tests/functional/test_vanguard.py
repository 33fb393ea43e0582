"""党员先锋: deeds (post → approve / reject → feeds), likes (one per person, sharded, concurrent), comments
(moderated), the append-only points ledger (rules, caps, awards, corrections) and the 党建指数 boards."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import County, dynamodb_calls


def _month() -> str:
    from chalicelib.core import clock
    from chalicelib.vanguard.points import periods

    return periods(clock.iso())[0]


def _quarter() -> str:
    from chalicelib.core import clock
    from chalicelib.vanguard.points import periods

    return periods(clock.iso())[1]


def _party_member(c: County, grid: str | None = None) -> tuple[str, str]:
    """A new party member of the grid (default: grid 1): (token, user id)."""
    token = c.add_staff("party_member", grid or c.grid)
    return token, c.api.get("/me", token=token).json["user_id"]


def _photo(c: County, token: str, size: int = 500) -> str:
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    r = c.api.post("/vanguard/uploads", {"content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    assert r.json["key"].startswith(f"{c.code}/vanguard/")
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=b"\xff\xd8" + b"0" * size)
    return r.json["key"]


def _post(c: County, token: str, text: str = "帮助独居老人打扫庭院，修好了漏水的屋顶", photos: int = 1, **kw) -> dict:
    r = c.api.post("/vanguard/deeds", {"text": text, "photos": [_photo(c, token) for _ in range(photos)]},
                   token=token, **kw)
    assert r.status_code == 201, r.json
    return r.json


def _decide(c: County, did: str, action: str = "approve", reason: str | None = None, token: str | None = None):
    body = {"action": action} | ({"reason": reason} if reason else {})
    return c.api.post(f"/vanguard/deeds/{did}/decision", body, token=token or c.tokens["village_admin"])


def _villager(c: County) -> str:
    return c.villager(c.household(members=1)["id"])[1]["access_token"]


def _board(c: County, place: str, period: str | None = None, token: str | None = None) -> dict:
    r = c.api.get(f"/vanguard/index?place={place}&period={period or _month()}", token=token or c.tokens["grid_worker"])
    assert r.status_code == 200, r.json
    return r.json


def _points(c: County, uid: str, token: str) -> dict:
    r = c.api.get(f"/vanguard/points/{uid}", token=token)
    assert r.status_code == 200, r.json
    return r.json


# --- deeds -------------------------------------------------------------------------------------------------------

def test_a_deed_is_pending_and_unseen_until_approved_then_listed(client, county):
    c = county
    pm, uid = _party_member(c)
    villager = _villager(c)
    deed = _post(c, pm, photos=3)
    assert deed["status"] == "pending" and deed["author"] == {"id": uid, "name": "测试party_member"}
    assert len(deed["photos"]) == 3 and deed["village"] == c.village and deed["village_name"] == "测试村"
    did = deed["id"]

    # Pending: invisible to the village's people, not in the feed; in the approval queue and the author's list.
    assert client.get(f"/vanguard/deeds/{did}", token=villager).status_code == 404
    assert client.get(f"/vanguard/deeds?place={c.village}", token=villager).json["items"] == []
    queue = client.get(f"/vanguard/deeds/pending?village={c.village}", token=c.tokens["village_admin"])
    assert queue.status_code == 200 and [d["id"] for d in queue.json["items"]] == [did]
    mine = client.get("/vanguard/deeds/mine", token=pm).json["items"]
    assert [(d["id"], d["status"]) for d in mine] == [(did, "pending")]
    r = client.put(f"/vanguard/deeds/{did}/like", token=pm)
    assert r.status_code == 409 and r.json["error"]["code"] == "not_approved"

    r = _decide(c, did)
    assert r.status_code == 200, r.json
    assert r.json["status"] == "approved" and r.json["points"] == 10 and r.json["decided_at"]
    assert client.get(f"/vanguard/deeds/pending?village={c.village}",
                      token=c.tokens["village_admin"]).json["items"] == []

    # Approved: the village's people see it; the township's and the county's feeds list it for their staff.
    seen = client.get(f"/vanguard/deeds/{did}", token=villager)
    assert seen.status_code == 200 and seen.json["points"] is None  # what it earned is the author's and staff's
    for place, token in ((c.village, villager), (c.township, c.tokens["township_official"]),
                         (c.code, c.tokens["county_admin"])):
        r = client.get(f"/vanguard/deeds?place={place}", token=token)
        assert r.status_code == 200 and [d["id"] for d in r.json["items"]] == [did], (place, r.json)
    assert client.get(f"/vanguard/deeds?place={c.township}", token=villager).status_code == 403
    # Deciding twice is refused.
    r = _decide(c, did, "reject", "重复")
    assert r.status_code == 409 and r.json["error"]["code"] == "already_decided"


def test_a_rejected_deed_carries_its_reason_to_the_author_only(client, county):
    c = county
    pm, _ = _party_member(c)
    did = _post(c, pm)["id"]
    r = _decide(c, did, "reject")
    assert r.status_code == 422 and r.json["error"]["details"][0]["field"] == "reason"
    r = _decide(c, did, "reject", "照片与内容不符，请补充")
    assert r.status_code == 200 and r.json["status"] == "rejected" and r.json["reason"] == "照片与内容不符，请补充"
    mine = client.get("/vanguard/deeds/mine", token=pm).json["items"]
    assert mine[0]["status"] == "rejected" and mine[0]["reason"] == "照片与内容不符，请补充"
    assert client.get(f"/vanguard/deeds/{did}", token=_villager(c)).status_code == 404
    assert client.get(f"/vanguard/deeds?place={c.village}", token=pm).json["items"] == []
    assert _points(c, mine[0]["author"]["id"], pm)["balance"] == 0


def test_posting_is_idempotent(client, county):
    c = county
    pm, _ = _party_member(c)
    body = {"text": "组织村民清理河道垃圾两车", "photos": [_photo(c, pm)]}
    headers = {"Idempotency-Key": f"deed-{uuid.uuid4().hex}"}
    first = client.post("/vanguard/deeds", body, token=pm, headers=headers)
    again = client.post("/vanguard/deeds", body, token=pm, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json["id"] == again.json["id"]
    assert len(client.get("/vanguard/deeds/mine", token=pm).json["items"]) == 1
    other = client.post("/vanguard/deeds", {**body, "text": "另一件事情写得很清楚"}, token=pm, headers=headers)
    assert other.status_code == 422 and other.json["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(("body", "field"), [
    ({"text": "好", "photos": ["x"]}, "text"),
    ({"text": "帮助老人打扫庭院", "photos": []}, "photos"),
    ({"text": "帮助老人打扫庭院", "photos": ["a"] * 10}, "photos"),
    ({"text": "帮助老人打扫庭院"}, "photos"),
    ({"text": "帮助老人打扫庭院", "photos": ["k"], "author": "x"}, "author"),
    ({"text": 5, "photos": ["k"]}, "text"),
])
def test_bad_deeds_are_422(client, county, body, field):
    pm, _ = _party_member(county)
    r = client.post("/vanguard/deeds", body, token=pm)
    assert r.status_code == 422, r.json
    assert any(d["field"].split(".")[0] == field for d in r.json["error"]["details"]), r.json


def test_photos_must_be_the_posters_own_uploads(client, county):
    c = county
    pm, _ = _party_member(c)
    other, _ = _party_member(c)
    theirs = _photo(c, other)
    never = f"{c.code}/vanguard/{uuid.uuid4().hex[:16]}-0000000000000000.jpg"
    r = client.post("/vanguard/deeds", {"text": "帮助老人打扫庭院", "photos": [theirs, never]}, token=pm)
    assert r.status_code == 422
    assert [d["code"] for d in r.json["error"]["details"]] == ["photo_missing", "photo_missing"]
    big = _photo(c, pm, size=400 * 1024)
    r = client.post("/vanguard/deeds", {"text": "帮助老人打扫庭院", "photos": [big]}, token=pm)
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "photo_too_large"
    r = client.post("/vanguard/uploads", {"content_type": "application/pdf"}, token=pm)
    assert r.status_code == 422


def test_only_party_members_post_and_only_the_villages_office_decides(client, county):
    c = county
    villager = _villager(c)
    assert client.post("/vanguard/uploads", {"content_type": "image/jpeg"}, token=villager).status_code == 403
    assert client.post("/vanguard/deeds", {"text": "帮助老人打扫庭院", "photos": ["k"]},
                       token=c.tokens["grid_worker"]).status_code == 403
    pm, _ = _party_member(c)
    did = _post(c, pm)["id"]
    # A grid worker, a villager and the author may not decide; another village's admin finds nothing.
    for token in (c.tokens["grid_worker"], villager, pm):
        assert _decide(c, did, token=token).status_code == 403
    other_village = c.township + "202"
    assert client.post("/places", {"code": other_village, "name": "隔壁村"},
                       token=c.tokens["county_admin"]).status_code == 201
    other_admin = c.add_staff("village_admin", other_village)
    assert _decide(c, did, token=other_admin).status_code == 404
    assert client.get(f"/vanguard/deeds/pending?village={c.village}", token=other_admin).status_code == 403
    assert client.get(f"/vanguard/deeds/{did}", token=other_admin).status_code == 404
    # The township above decides.
    assert _decide(c, did, token=c.tokens["township_official"]).status_code == 200
    # Approved, it is the village's: a villager of the other village does not see it.
    assert client.get(f"/vanguard/deeds/{did}", token=other_admin).status_code == 404
    assert client.get(f"/vanguard/deeds?place={c.village}", token=other_admin).status_code == 403


def test_another_county_finds_nothing(client, county, other_county):
    pm, uid = _party_member(county)
    did = _post(county, pm)["id"]
    assert _decide(county, did).status_code == 200
    for token in (other_county.tokens["county_admin"], other_county.tokens["village_admin"]):
        assert client.get(f"/vanguard/deeds/{did}", token=token).status_code == 404
        assert client.put(f"/vanguard/deeds/{did}/like", token=token).status_code == 404
        assert client.get(f"/vanguard/points/{uid}", token=token).status_code == 404
        assert client.get(f"/vanguard/deeds?place={county.village}", token=token).status_code == 404
        r = client.get(f"/vanguard/index?place={county.village}&period={_month()}", token=token)
        assert r.status_code == 404


# --- likes -------------------------------------------------------------------------------------------------------

def test_twenty_villagers_liking_at_once_count_exactly_twenty(app, client, county, events):
    from tests.reliability import burst

    c = county
    pm, uid = _party_member(c)
    did = _post(c, pm)["id"]
    assert _decide(c, did).status_code == 200
    villagers = [_villager(c) for _ in range(20)]
    tokens = iter(villagers)
    import threading

    lock = threading.Lock()

    def like(lam):
        with lock:
            token = next(tokens)
        return lam.request("PUT", f"/vanguard/deeds/{did}/like", token=token)

    answers = burst(app, 20, like)
    assert all(a.status == 200 and a.json["liked_by_me"] for a in answers), [a.show() for a in answers]
    r = client.get(f"/vanguard/deeds/{did}", token=villagers[0])
    assert r.json["likes"] == 20 and r.json["liked_by_me"] is True

    # The same person again: no change; the count is spread over the shards.
    again = client.put(f"/vanguard/deeds/{did}/like", token=villagers[0])
    assert again.status_code == 200 and again.json == {"deed": did, "likes": 20, "liked_by_me": True}
    from chalicelib.vanguard.models import SHARDS, LikeShard

    shards = [s.likes for s in LikeShard.batch_get([LikeShard.keys(c.code, did, n) for n in range(SHARDS)])]
    assert sum(shards) == 20 and len(shards) > 1

    # Unlike, twice: 19, then no change; a villager who never liked sees liked_by_me false.
    r = client.delete(f"/vanguard/deeds/{did}/like", token=villagers[0])
    assert r.status_code == 200 and r.json == {"deed": did, "likes": 19, "liked_by_me": False}
    assert client.delete(f"/vanguard/deeds/{did}/like", token=villagers[0]).json["likes"] == 19
    assert client.get(f"/vanguard/deeds?place={c.village}", token=_villager(c)).json["items"][0]["likes"] == 19

    # The author earned the likes' points from the stream, within the monthly cap (30: 10 for the deed + 19).
    events.drain()
    ledger = _points(c, uid, pm)
    assert ledger["month"]["like"] == 19 and ledger["balance"] == 10 + 19
    assert sum(1 for e in ledger["entries"] if e["source"] == "like") >= 19
    events.drain()  # a redelivered batch changes nothing
    assert _points(c, uid, pm)["balance"] == 29


def test_likes_are_for_those_who_see_the_deed(client, county):
    c = county
    pm, _ = _party_member(c)
    did = _post(c, pm)["id"]
    villager = _villager(c)
    assert client.put(f"/vanguard/deeds/{did}/like", token=villager).status_code == 404  # pending: unseen
    assert _decide(c, did).status_code == 200
    other_village = c.township + "203"
    client.post("/places", {"code": other_village, "name": "远村"}, token=c.tokens["county_admin"])
    stranger = c.add_staff("village_admin", other_village)
    assert client.put(f"/vanguard/deeds/{did}/like", token=stranger).status_code == 404
    assert client.put(f"/vanguard/deeds/{did}/like", token=c.tokens["county_admin"]).status_code == 200
    assert client.put("/vanguard/deeds/000000000000/like", token=villager).status_code == 404


def test_the_feed_costs_the_same_calls_for_one_deed_as_for_many(client, county):
    c = county
    pm, _ = _party_member(c)
    villager = _villager(c)
    did = _post(c, pm)["id"]
    _decide(c, did)
    with dynamodb_calls() as one:
        assert len(client.get(f"/vanguard/deeds?place={c.village}", token=villager).json["items"]) == 1
    for _ in range(4):
        _decide(c, _post(c, pm)["id"])
    with dynamodb_calls() as many:
        assert len(client.get(f"/vanguard/deeds?place={c.village}", token=villager).json["items"]) == 5
    assert sorted(one) == sorted(many) and "Scan" not in many, (one, many)
    assert many.count("Query") == 1 and many.count("BatchGetItem") == 1


# --- comments ----------------------------------------------------------------------------------------------------

def test_comments_are_moderated(client, county):
    c = county
    pm, _ = _party_member(c)
    did = _post(c, pm)["id"]
    a, b = _villager(c), _villager(c)
    r = client.post(f"/vanguard/deeds/{did}/comments", {"text": "点赞！"}, token=a)
    assert r.status_code == 404  # pending: the villager does not see it
    _decide(c, did)
    r = client.post(f"/vanguard/deeds/{did}/comments", {"text": "为党员点赞！"}, token=a)
    assert r.status_code == 201 and r.json["status"] == "pending" and r.json["mine"] is True, r.json
    cid = r.json["id"]
    assert r.json["name"].endswith("*")  # masked
    assert client.post(f"/vanguard/deeds/{did}/comments", {"text": "x" * 201}, token=a).status_code == 422
    assert client.post(f"/vanguard/deeds/{did}/comments", {"text": ""}, token=a).status_code == 422

    # Pending: its author sees it, another villager does not; the moderation queue lists it.
    assert [x["id"] for x in client.get(f"/vanguard/deeds/{did}/comments", token=a).json["items"]] == [cid]
    assert client.get(f"/vanguard/deeds/{did}/comments", token=b).json["items"] == []
    q = client.get(f"/vanguard/comments/pending?village={c.village}", token=c.tokens["village_admin"])
    assert [x["id"] for x in q.json["items"]] == [cid]
    # A villager cannot moderate; the village admin approves.
    path = f"/vanguard/deeds/{did}/comments/{cid}/decision"
    assert client.post(path, {"action": "approve"}, token=b).status_code == 403
    assert client.post(path, {"action": "publish"}, token=c.tokens["village_admin"]).status_code == 422
    r = client.post(path, {"action": "approve"}, token=c.tokens["village_admin"])
    assert r.status_code == 200 and r.json["status"] == "approved"
    assert [x["id"] for x in client.get(f"/vanguard/deeds/{did}/comments", token=b).json["items"]] == [cid]
    assert client.get(f"/vanguard/comments/pending?village={c.village}",
                      token=c.tokens["village_admin"]).json["items"] == []
    # Hidden: gone for everyone but the moderators.
    r = client.post(f"/vanguard/deeds/{did}/comments", {"text": "广告内容"}, token=b)
    hid_cid = r.json["id"]
    assert client.post(f"/vanguard/deeds/{did}/comments/{hid_cid}/decision", {"action": "hide"},
                       token=c.tokens["village_admin"]).json["status"] == "hidden"
    assert [x["id"] for x in client.get(f"/vanguard/deeds/{did}/comments", token=b).json["items"]] == [cid]
    staff = client.get(f"/vanguard/deeds/{did}/comments", token=c.tokens["village_admin"]).json["items"]
    assert [x["status"] for x in staff] == ["approved", "hidden"]
    assert client.post(f"/vanguard/deeds/{did}/comments/0000000000000abcdef/decision", {"action": "hide"},
                       token=c.tokens["village_admin"]).status_code == 404


# --- points: rules, caps, awards, corrections ------------------------------------------------------------------------

def test_the_ledger_is_append_only_and_corrections_are_new_entries(client, county):
    c = county
    pm, uid = _party_member(c)
    did = _post(c, pm)["id"]
    _decide(c, did)
    before = _points(c, uid, pm)
    assert before["balance"] == 10 and [(e["source"], e["points"]) for e in before["entries"]] == [("deed", 10)]
    org = c.add_staff("org_department", c.code)
    r = client.post("/vanguard/points/corrections", {"member": uid, "points": -3, "reason": "照片重复使用"},
                    token=org)
    assert r.status_code == 201 and r.json["points"] == -3 and r.json["source"] == "correction", r.json
    after = _points(c, uid, pm)
    assert after["balance"] == 7
    assert [(e["source"], e["points"]) for e in after["entries"]] == [("correction", -3), ("deed", 10)]
    assert after["entries"][1] == before["entries"][0]  # the first entry is unchanged
    assert after["entries"][0]["note"] == "照片重复使用"
    # Corrections: the org department or the county admin, never the village; zero or empty reasons are 422.
    for token in (c.tokens["village_admin"], pm):
        assert client.post("/vanguard/points/corrections", {"member": uid, "points": 5, "reason": "补记"},
                           token=token).status_code == 403
    assert client.post("/vanguard/points/corrections", {"member": uid, "points": 0, "reason": "补记"},
                       token=org).status_code == 422
    assert client.post("/vanguard/points/corrections", {"member": uid, "points": 5, "reason": ""},
                       token=org).status_code == 422
    assert client.post("/vanguard/points/corrections", {"member": "0123456789abcdef", "points": 5, "reason": "补记"},
                       token=org).status_code == 404
    # There is no route that edits or deletes an entry.
    assert client.put(f"/vanguard/points/{uid}", {"balance": 100}, token=org).status_code in (403, 404, 405)


def test_rules_and_monthly_caps(client, county):
    c = county
    pm, uid = _party_member(c)
    org = c.add_staff("org_department", c.code)
    r = client.get("/vanguard/rules", token=pm)
    assert r.status_code == 200 and r.json["defaults"] is True and r.json["version"] == 0
    assert {x["source"]: x["points"] for x in r.json["rules"]}["deed"] == 10
    assert client.put("/vanguard/rules", {"rules": {"deed": {"points": 8, "monthly_cap": 12}}},
                      token=c.tokens["village_admin"]).status_code == 403
    r = client.put("/vanguard/rules", {"rules": {"deed": {"points": 8, "monthly_cap": 12}}, "version": 0}, token=org)
    assert r.status_code == 200 and r.json["version"] == 1 and r.json["defaults"] is False
    stale = client.put("/vanguard/rules", {"rules": {"like": {"points": 2, "monthly_cap": 10}}, "version": 0},
                       token=org)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "version_conflict"
    assert client.put("/vanguard/rules", {"rules": {"gambling": {"points": 1, "monthly_cap": 1}}, "version": 1},
                      token=org).status_code == 422
    assert client.put("/vanguard/rules", {"rules": {"deed": {"points": -1, "monthly_cap": 1}}, "version": 1},
                      token=org).status_code == 422

    # Three deeds approved in a month under a cap of 12: 8, then 4, then 0.
    given = []
    for _ in range(3):
        did = _post(c, pm)["id"]
        given.append(_decide(c, did).json["points"])
    assert given == [8, 4, 0]
    ledger = _points(c, uid, pm)
    assert ledger["balance"] == 12 and ledger["month"]["deed"] == 12
    assert [e["points"] for e in ledger["entries"]] == [4, 8]  # a capped-out event leaves no entry

    # Study and volunteer awards (the org department; issues 16/17 later): once per event ref, capped too.
    r = client.post("/vanguard/points/awards", {"member": uid, "source": "study", "ref": "course-1", "note": "党课"},
                    token=org)
    assert r.status_code == 201 and r.json["points"] == 5 and r.json["source_name"] == "学习完成", r.json
    again = client.post("/vanguard/points/awards", {"member": uid, "source": "study", "ref": "course-1"}, token=org)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_awarded"
    r = client.post("/vanguard/points/awards", {"member": uid, "source": "volunteer", "ref": "v-1", "points": 50},
                    token=org)
    assert r.status_code == 201 and r.json["points"] == 40  # the volunteer cap is 40 a month
    assert client.post("/vanguard/points/awards", {"member": uid, "source": "deed", "ref": "x"},
                       token=org).status_code == 422
    assert _points(c, uid, org)["balance"] == 12 + 5 + 40


def test_who_reads_a_members_points(client, county):
    c = county
    pm, uid = _party_member(c)
    other_pm, _ = _party_member(c)
    assert client.get(f"/vanguard/points/{uid}", token=pm).status_code == 200
    assert client.get(f"/vanguard/points/{uid}", token=c.tokens["village_admin"]).status_code == 200
    assert client.get(f"/vanguard/points/{uid}", token=c.tokens["county_admin"]).status_code == 200
    for token in (other_pm, c.tokens["grid_worker"], _villager(c)):
        assert client.get(f"/vanguard/points/{uid}", token=token).status_code == 404


# --- 党建指数 --------------------------------------------------------------------------------------------------------

def test_the_leaderboard_moves_the_author_up_after_approval_and_likes(client, county, events):
    c = county
    leader, leader_uid = _party_member(c)
    org = c.add_staff("org_department", c.code)
    client.post("/vanguard/points/awards", {"member": leader_uid, "source": "study", "ref": "c1", "points": 12},
                token=org)
    pm, uid = _party_member(c, c.grid2)
    board = _board(c, c.village)
    assert board["level"] == "village" and "积分" in board["formula"]
    assert [(r["id"], r["points"]) for r in board["items"]] == [(leader_uid, 12.0)]

    did = _post(c, pm)["id"]
    _decide(c, did)
    board = _board(c, c.village)
    assert [(r["id"], r["rank"]) for r in board["items"]] == [(leader_uid, 1), (uid, 2)]
    for token in [_villager(c) for _ in range(3)]:
        assert client.put(f"/vanguard/deeds/{did}/like", token=token).status_code == 200
    events.drain()
    board = _board(c, c.village, token=_villager(c))  # public: a villager reads it
    assert [(r["id"], r["name"], r["points"], r["rank"]) for r in board["items"]] == [
        (uid, "测试party_member", 13.0, 1), (leader_uid, "测试party_member", 12.0, 2)]
    quarter = _board(c, c.village, _quarter())
    assert [r["id"] for r in quarter["items"]] == [uid, leader_uid]

    # The township's board: its villages by their members' average, with the formula.
    town = _board(c, c.township)
    assert town["level"] == "township" and "÷" in town["formula"]
    assert town["items"] == [{"rank": 1, "id": c.village, "name": "测试村", "points": 12.5, "members": 2}]
    # One read of one item, whatever the number of members.
    with dynamodb_calls() as calls:
        _board(c, c.village)
    assert calls.count("BatchGetItem") == 1 and "Query" not in calls and "Scan" not in calls, calls
    # Bad input.
    for q in (f"place={c.village}&period=2026-13", f"place={c.village}&period=2026-Q5",
              f"place={c.grid}&period=2026-12", "place=12&period=2026-12", f"place={c.village}"):
        assert client.get(f"/vanguard/index?{q}", token=pm).status_code == 422, q


def test_a_reminded_household_reporting_earns_its_party_member_care_points(client, county, events):
    """党员联户: the linked party member reminds a household (the daily report's reminder) and it reports that day:
    the member earns the care points, once; a household reminded by its grid worker earns the member nothing."""
    from tests.functional.test_daily_report import colours

    c = county
    pm, uid = _party_member(c)
    linked, other = c.household(members=1), c.household(members=1)
    r = client.post("/party-links", {"member": uid, "households": [linked["id"]]}, token=c.tokens["grid_worker"])
    assert r.status_code == 200, r.json
    assert client.post("/reports/reminders", {"household": linked["id"]}, token=pm).status_code == 200
    assert client.post("/reports/reminders", {"household": other["id"]},
                       token=c.tokens["grid_worker"]).status_code == 200
    for hh in (linked, other):
        _, session = c.villager(hh["id"])
        r = client.post("/reports", {"household": hh["id"], "members": colours(hh)}, token=session["access_token"])
        assert r.status_code == 201, r.json
    events.drain()
    events.drain()
    ledger = _points(c, uid, pm)
    assert [(e["source"], e["points"]) for e in ledger["entries"]] == [("care", 1)]
    assert ledger["month"]["care"] == 1 and ledger["balance"] == 1


def test_a_members_points_cost_two_calls_whatever_the_ledgers_length(client, county):
    c = county
    pm, uid = _party_member(c)
    org = c.add_staff("org_department", c.code)

    def calls_now() -> list[str]:
        with dynamodb_calls() as calls:
            assert client.get(f"/vanguard/points/{uid}", token=pm).status_code == 200
        return calls

    before = calls_now()
    for i in range(5):
        r = client.post("/vanguard/points/corrections", {"member": uid, "points": i + 1, "reason": "补记志愿服务"},
                        token=org)
        assert r.status_code == 201
    after = calls_now()
    assert sorted(before) == sorted(after) and after.count("Query") == 1 and after.count("BatchGetItem") == 1
    assert _points(c, uid, pm)["balance"] == 15
