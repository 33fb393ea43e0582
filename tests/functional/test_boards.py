"""红黑榜 (issue 15 point 4) on the embedded AWS: the county's criteria, inspections with photo evidence scored by the
grid's inspectors, the month's draft per village (红榜 / 黑榜), its publication to the village's people with 黑榜 names
as the village decided, and a household's one appeal of a score."""

from __future__ import annotations

import pytest

from chalicelib.core.aws import client as aws_client
from chalicelib.core.config import settings
from tests.conftest import dynamodb_calls, new_phone

JPEG = b"\xff\xd8\xff\xe0" + b"1" * 2000


def month() -> str:
    from chalicelib.boards.service import month_of

    return month_of()


def photo(client, token: str) -> str:
    r = client.post("/boards/uploads", {"content_type": "image/jpeg"}, token=token)
    assert r.status_code == 201, r.json
    aws_client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=JPEG, ContentType="image/jpeg")
    return r.json["key"]


def inspect(client, token: str, hid: str, scores: dict, key: str | None = None, photos: list | None = None,
            note: str | None = "门前整洁"):
    body = {"household": hid, "scores": scores, "photos": photos or [photo(client, token)]}
    if note:
        body["note"] = note
    return client.post("/boards/inspections", body, token=token, headers={"Idempotency-Key": key or new_phone()})


def other_staff(county, role: str, place: str) -> str:
    """A staff member elsewhere, keeping the county's own token for the role (add_staff replaces it)."""
    keep = county.tokens[role]
    token = county.add_staff(role, place)
    county.tokens[role] = keep
    return token


def score(a: int, b: int, c: int) -> dict:
    return {"courtyard": a, "sorting": b, "frontage": c}


def test_default_criteria_then_the_county_sets_its_own(client, county):
    r = client.get("/boards/criteria", token=county.tokens["grid_worker"])
    assert r.status_code == 200, r.json
    assert r.json["default"] is True and r.json["version"] == 0
    assert [(c["name"], c["weight"], c["max_score"]) for c in r.json["criteria"]] == [
        ("庭院卫生", 50, 10), ("垃圾分类", 30, 10), ("门前三包", 20, 10)]
    new = [{"key": "courtyard", "name": "庭院卫生", "weight": 40, "max_score": 10},
           {"key": "sorting", "name": "垃圾分类", "weight": 40, "max_score": 5},
           {"key": "toilet", "name": "厕所卫生", "weight": 20, "max_score": 10}]
    admin = county.tokens["county_admin"]
    assert client.put("/boards/criteria", {"criteria": new, "version": 0},
                      token=county.tokens["village_admin"]).status_code == 403
    bad = client.put("/boards/criteria", {"criteria": [{**new[0], "weight": 50}, *new[1:]], "version": 0}, token=admin)
    assert bad.status_code == 422 and "100" in str(bad.json)
    r = client.put("/boards/criteria", {"criteria": new, "version": 0}, token=admin)
    assert r.status_code == 200, r.json
    assert r.json["version"] == 1 and r.json["default"] is False
    stale = client.put("/boards/criteria", {"criteria": new, "version": 0}, token=admin)
    assert stale.status_code == 409 and stale.json["error"]["code"] == "version_conflict"
    home = county.household()
    phone, session = county.villager(home["id"])
    seen = client.get("/boards/criteria", token=session["access_token"]).json
    assert [c["key"] for c in seen["criteria"]] == ["courtyard", "sorting", "toilet"] and seen["version"] == 1
    # an inspection is scored on the criteria as they are now: 8/10*40 + 5/5*40 + 5/10*20 = 82
    r = inspect(client, county.tokens["grid_worker"], home["id"], {"courtyard": 8, "sorting": 5, "toilet": 5})
    assert r.status_code == 201, r.json
    assert r.json["total"] == 82.0 and r.json["criteria_version"] == 1


def test_an_inspection_in_scope_with_its_weighted_total(client, county):
    hid = county.household()["id"]
    worker = county.tokens["grid_worker"]
    r = inspect(client, worker, hid, score(9, 7, 6))
    assert r.status_code == 201, r.json
    out = r.json
    assert out["total"] == 0.9 * 50 + 0.7 * 30 + 0.6 * 20 == 78.0
    assert [(b["key"], b["score"]) for b in out["breakdown"]] == [("courtyard", 9), ("sorting", 7), ("frontage", 6)]
    assert out["month"] == month() and out["source"] == "inspection" and out["appeal"] is None
    assert out["by_role"] == "grid_worker" and out["photos"][0].startswith("http") and out["note"] == "门前整洁"
    # the village admin inspects the whole village; a worker of another grid is refused this household (403)
    assert inspect(client, county.tokens["village_admin"], hid, score(10, 10, 10)).status_code == 201
    other = other_staff(county, "grid_worker", county.grid2)
    refused = client.post("/boards/inspections", {"household": hid, "scores": score(5, 5, 5),
                                                  "photos": [photo(client, other)]},
                          token=other, headers={"Idempotency-Key": new_phone()})
    assert refused.status_code == 403, refused.json
    # a villager may not inspect at all
    _, session = county.villager(hid)
    r = client.post("/boards/uploads", {"content_type": "image/jpeg"}, token=session["access_token"])
    assert r.status_code == 403


def test_bad_inspections_are_4xx(client, county):
    hid = county.household()["id"]
    worker = county.tokens["grid_worker"]

    def problems(r) -> list[str]:
        assert r.status_code == 422, r.json
        return [d["code"] for d in r.json["error"]["details"]]

    assert "unknown_criterion" in problems(inspect(client, worker, hid, {**score(5, 5, 5), "smell": 3}))
    assert "out_of_range" in problems(inspect(client, worker, hid, score(11, 5, 5)))
    assert "out_of_range" in problems(inspect(client, worker, hid, score(-1, 5, 5)))
    assert "required" in problems(inspect(client, worker, hid, {"courtyard": 5, "sorting": 5}))
    assert "unknown_household" in problems(inspect(client, worker, "hh0000000000", score(5, 5, 5)))
    assert "photo_missing" in problems(inspect(client, worker, hid, score(5, 5, 5),
                                               photos=[f"{county.code}/boards/abc-def.jpg"]))
    r = client.post("/boards/inspections", {"household": hid, "scores": score(5, 5, 5), "photos": []}, token=worker,
                    headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 422
    r = client.post("/boards/inspections", {"household": hid, "scores": {"courtyard": "5"}, "photos": ["x"]},
                    token=worker, headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 422
    # another inspector's photo is not evidence of mine
    theirs = photo(client, county.tokens["village_admin"])
    assert "photo_missing" in problems(inspect(client, worker, hid, score(5, 5, 5), photos=[theirs]))
    assert client.get(f"/boards/households/{hid}/history", token=worker).json["items"] == []


def test_an_inspection_retried_with_its_key_is_one_record(client, county):
    hid = county.household()["id"]
    worker = county.tokens["grid_worker"]
    key = new_phone()
    keys = [photo(client, worker)]
    first = inspect(client, worker, hid, score(6, 6, 6), key=key, photos=keys)
    again = inspect(client, worker, hid, score(6, 6, 6), key=key, photos=keys)
    assert first.status_code == again.status_code == 201 and first.json["id"] == again.json["id"]
    history = client.get(f"/boards/households/{hid}/history", token=worker).json["items"]
    assert [h["id"] for h in history] == [first.json["id"]]
    draft = client.get(f"/boards/villages/{county.village}/{month()}/draft", token=county.tokens["village_admin"])
    row = next(r for r in draft.json["ranking"] if r["household"] == hid)
    assert row["inspections"] == 1


@pytest.fixture
def village_month(client, county):
    """Twelve households of the village scored this month: 95, 90, …, 40; one of them inspected twice (the latest
    counts)."""
    worker = county.tokens["grid_worker"]
    homes = []
    for i in range(12):
        hid = county.household(members=1)["id"]
        total = 95 - 5 * i
        # every criterion scored s gives 10 * s; one more point of 庭院卫生 (weight 50, max 10) adds 5
        s = total // 10
        r = inspect(client, worker, hid, score(s + (total % 10 == 5), s, s))
        assert r.status_code == 201, r.json
        assert r.json["total"] == total, (total, r.json["total"])
        homes.append((hid, total))
    return homes


def test_a_month_of_inspections_makes_a_draft_with_red_and_black_lists(client, county, village_month):
    worker, admin = county.tokens["grid_worker"], county.tokens["village_admin"]
    # the household at 40 is inspected again and improves: the latest inspection counts
    late_hid = village_month[-1][0]
    assert inspect(client, worker, late_hid, score(6, 5, 5)).json["total"] == 55.0
    path = f"/boards/villages/{county.village}/{month()}/draft"
    with dynamodb_calls() as calls:
        r = client.get(path, token=admin)
    assert r.status_code == 200, r.json
    d = r.json
    assert d["households"] == 12 and d["published"] is None and d["changed"] is True
    # defaults: 红榜 top 10 of those >= 80 (95, 90, 85, 80); 黑榜 the 10 lowest below 60 (45, 50, 55 late, 55)
    assert [x["total"] for x in d["red"]] == [95.0, 90.0, 85.0, 80.0]
    assert sorted(x["total"] for x in d["black"]) == [45.0, 50.0, 55.0, 55.0]
    assert d["black"][0]["total"] == 45.0
    late = next(x for x in d["ranking"] if x["household"] == late_hid)
    assert late["inspections"] == 2 and late["total"] == 55.0
    assert d["red"][0]["head_name"] == "户主甲" and len(d["red"][0]["breakdown"]) == 3
    assert [x["rank"] for x in d["ranking"]] == list(range(1, 13))
    # a constant number of calls, whatever the village's size (the month Query, config BatchGet, the latest
    # published version, the village's name)
    assert len(calls) <= 5, calls
    # the grid's inspector sees the draft; a villager does not
    assert client.get(path, token=worker).status_code == 200
    _, session = county.villager(late_hid)
    assert client.get(path, token=session["access_token"]).status_code == 403
    # the village's settings narrow the lists
    r = client.put(f"/boards/villages/{county.village}/settings",
                   {"red_count": 2, "red_min": 85, "black_count": 1, "black_below": 50, "black_names": "full",
                    "version": 0}, token=admin)
    assert r.status_code == 200, r.json
    d = client.get(path, token=admin).json
    assert [x["total"] for x in d["red"]] == [95.0, 90.0] and [x["total"] for x in d["black"]] == [45.0]
    bad = client.put(f"/boards/villages/{county.village}/settings",
                     {"red_count": 2, "red_min": 40, "black_count": 1, "black_below": 50, "black_names": "full",
                      "version": 1}, token=admin)
    assert bad.status_code == 422


def _other_village(client, county) -> dict:
    """A second village of the township with its own grid worker and a villager."""
    admin = county.tokens["county_admin"]
    village = county.township + "202"
    for code, name in ((village, "邻村"), (village + "G01", "邻村第一网格")):
        r = client.post("/places", {"code": code, "name": name}, token=admin)
        assert r.status_code == 201, r.json
    worker = other_staff(county, "grid_worker", village + "G01")
    hid = county.household(grid=village + "G01", token=worker)["id"]
    inv = client.post(f"/households/{hid}/invites", {}, token=worker)
    assert inv.status_code == 201, inv.json
    ident = client.sign_in(new_phone())
    r = client.post("/links", {"code": inv.json["code"]}, token=ident["access_token"])
    assert r.status_code == 200, r.json
    session = r.json
    return {"village": village, "worker": worker, "hid": hid, "villager": session["access_token"]}


def test_publish_then_the_villages_people_see_it_with_black_names_as_decided(client, county, village_month):
    admin, worker = county.tokens["village_admin"], county.tokens["grid_worker"]
    base = f"/boards/villages/{county.village}/{month()}"
    assert client.post(f"{base}/publish", {}, token=worker).status_code == 403  # inspectors do not approve
    assert client.get(base, token=admin).status_code == 404  # nothing published yet
    r = client.post(f"{base}/publish", {"note": "本月卫生大检查"}, token=admin,
                    headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 200, r.json
    assert r.json["version"] == 1 and r.json["note"] == "本月卫生大检查" and r.json["full_names"] is True
    again = client.post(f"{base}/publish", {}, token=admin)  # unchanged: the same version
    assert again.status_code == 200 and again.json["version"] == 1
    draft = client.get(f"{base}/draft", token=admin).json
    assert draft["published"]["version"] == 1 and draft["changed"] is False

    mine = village_month[-1][0]  # a household on 黑榜 (40)
    _, session = county.villager(mine)
    villager = session["access_token"]
    seen = client.get(base, token=villager)
    assert seen.status_code == 200, seen.json
    b = seen.json
    assert b["black_names"] == "masked" and b["full_names"] is False  # the default: masked
    assert all(x["household"] is None for x in b["red"] + b["black"])
    assert [x["name"] for x in b["red"]] == ["户主甲"] * 4
    assert {x["name"] for x in b["black"]} == {"户*甲"} and all(x["ref"] for x in b["black"])
    assert client.get(f"/boards/villages/{county.village}/latest", token=villager).json["version"] == 1
    # the village shows household numbers only
    r = client.put(f"/boards/villages/{county.village}/settings",
                   {"red_count": 10, "red_min": 80, "black_count": 10, "black_below": 60, "black_names": "number",
                    "version": 0}, token=admin)
    assert r.status_code == 200, r.json
    b = client.get(base, token=villager).json
    assert {x["name"] for x in b["black"]} == {None} and b["black_names"] == "number"
    staff_view = client.get(base, token=admin).json
    assert {x["name"] for x in staff_view["black"]} == {"户主甲"} and staff_view["black"][0]["household"]

    # another village's people and staff are refused; and that village's own board is not there
    other = _other_village(client, county)
    assert client.get(base, token=other["villager"]).status_code == 403
    assert client.get(base, token=other["worker"]).status_code == 403
    assert client.get(f"/boards/villages/{other['village']}/{month()}", token=other["villager"]).status_code == 404
    assert client.get(f"/boards/villages/{other['village']}/{month()}", token=villager).status_code == 403


def test_appeal_once_and_an_amendment_changes_the_board(client, county, village_month):
    admin = county.tokens["village_admin"]
    hid, _ = village_month[-1]  # 40: on 黑榜
    _, session = county.villager(hid)
    villager = session["access_token"]
    history = client.get(f"/boards/households/{hid}/history", token=villager)
    assert history.status_code == 200, history.json
    rec = history.json["items"][0]
    assert rec["can_appeal"] is True and rec["total"] == 40.0
    base = f"/boards/villages/{county.village}/{month()}"
    assert client.post(f"{base}/publish", {}, token=admin).json["version"] == 1

    # a neighbour may not appeal it
    _, neighbour = county.villager(village_month[0][0])
    r = client.post(f"/boards/inspections/{rec['id']}/appeal", {"reason": "不是我家"},
                    token=neighbour["access_token"])
    assert r.status_code == 404
    r = client.post(f"/boards/inspections/{rec['id']}/appeal", {"reason": "检查那天刚好在翻修院子"}, token=villager,
                    headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json
    assert r.json["appeal"]["status"] == "pending" and r.json["can_appeal"] is False
    second = client.post(f"/boards/inspections/{rec['id']}/appeal", {"reason": "再申诉一次"}, token=villager)
    assert second.status_code == 409 and second.json["error"]["code"] == "already_appealed"
    waiting = client.get(f"/boards/villages/{county.village}/appeals", token=admin).json["items"]
    assert [(a["inspection"], a["reason"]) for a in waiting] == [(rec["id"], "检查那天刚好在翻修院子")]
    # the grid worker does not decide; the village admin amends
    assert client.post(f"/boards/inspections/{rec['id']}/decision", {"outcome": "uphold", "note": "维持"},
                       token=county.tokens["grid_worker"]).status_code == 403
    missing = client.post(f"/boards/inspections/{rec['id']}/decision", {"outcome": "amend", "note": "复查属实"},
                          token=admin)
    assert missing.status_code == 422
    r = client.post(f"/boards/inspections/{rec['id']}/decision",
                    {"outcome": "amend", "note": "复查属实，更正评分", "scores": score(9, 9, 9)}, token=admin,
                    headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 200, r.json
    assert r.json["appeal"]["status"] == "amended" and r.json["appeal"]["amendment"]
    again = client.post(f"/boards/inspections/{rec['id']}/decision", {"outcome": "uphold", "note": "维持原判"},
                        token=admin)
    assert again.status_code == 409
    assert client.get(f"/boards/villages/{county.village}/appeals", token=admin).json["items"] == []
    told = client.get("/inbox", token=villager).json["items"]
    assert told[0]["title"] == f"您对{month()}卫生评分的申诉已处理：评分更正为90分"
    assert told[0]["body"] == "复查属实，更正评分"

    # the household sees the decision and the amendment in its history; the amendment cannot be appealed
    items = client.get(f"/boards/households/{hid}/history", token=villager).json["items"]
    amendment = next(i for i in items if i["source"] == "amendment")
    assert amendment["total"] == 90.0 and amendment["amends"] == rec["id"] and amendment["can_appeal"] is False
    original = next(i for i in items if i["id"] == rec["id"])
    assert original["appeal"]["decision_note"] == "复查属实，更正评分"
    assert original["appeal"]["status_name"] == "已更正评分"
    r = client.post(f"/boards/inspections/{amendment['id']}/appeal", {"reason": "再来"}, token=villager)
    assert r.status_code == 409

    # the draft uses the amendment: the household leaves 黑榜 for 红榜, and republishing makes version 2
    draft = client.get(f"{base}/draft", token=admin).json
    assert draft["changed"] is True
    row = next(x for x in draft["ranking"] if x["household"] == hid)
    assert row["total"] == 90.0 and row["amended"] is True and row in draft["red"]
    assert hid not in {x["household"] for x in draft["black"]}
    r = client.post(f"{base}/publish", {}, token=admin)
    assert r.status_code == 200 and r.json["version"] == 2
    assert client.get(base, token=villager).json["version"] == 2


def test_upholding_an_appeal_keeps_the_score(client, county):
    worker, admin = county.tokens["grid_worker"], county.tokens["village_admin"]
    hid = county.household()["id"]
    rec = inspect(client, worker, hid, score(5, 5, 5)).json
    _, session = county.villager(hid)
    villager = session["access_token"]
    assert client.post(f"/boards/inspections/{rec['id']}/appeal", {"reason": "打分太低"},
                       token=villager).status_code == 201
    r = client.post(f"/boards/inspections/{rec['id']}/decision", {"outcome": "uphold", "note": "照片显示确有垃圾"},
                    token=admin)
    assert r.status_code == 200 and r.json["appeal"]["status"] == "upheld"
    items = client.get(f"/boards/households/{hid}/history", token=villager).json["items"]
    assert [i["total"] for i in items] == [50.0] and items[0]["appeal"]["status_name"] == "维持原评分"
    # staff of another grid do not read this household's history; the other county's do not either
    other = other_staff(county, "grid_worker", county.grid2)
    assert client.get(f"/boards/households/{hid}/history", token=other).status_code == 404


def test_bad_paths_are_4xx(client, county):
    admin = county.tokens["village_admin"]
    assert client.get(f"/boards/villages/{county.village}/2026-13/draft", token=admin).status_code == 404
    assert client.get(f"/boards/villages/12345/{month()}/draft", token=admin).status_code == 404
    assert client.post(f"/boards/villages/{county.village}/2099-01/publish", {}, token=admin).status_code == 422
    r = client.post(f"/boards/villages/{county.village}/2020-01/publish", {}, token=admin)
    assert r.status_code == 422 and r.json["error"]["code"] == "empty_board"
    assert client.post("/boards/inspections/nothere/appeal", {"reason": "理由"},
                       token=county.villager(county.household()["id"])[1]["access_token"]).status_code == 404
