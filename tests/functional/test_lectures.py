"""专题授课: offices make courses and upload long videos in parts straight to S3 (resumable), publish them; phones
play the original with HTTP range requests (206), send heartbeats (coverage of 100 slices: seeking does not
count), resume where they stopped; views and completions are counted at write time per village, township and
county; party members completing a 党员学习 video get their study points once; comments wait for approval."""

from __future__ import annotations

import datetime as dt
import os
import urllib.request
import uuid

import pytest

from tests.conftest import County, dynamodb_calls

MIB = 1024 * 1024


def put(url: str, data: bytes) -> str:
    req = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "video/mp4"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.headers["ETag"]


def _course(c: County, token: str | None = None, **kw) -> dict:
    r = c.api.post("/lectures/courses", {"title": "春耕技术讲座", "description": "水稻育秧与病虫害防治", **kw},
                   token=token or c.tokens["county_admin"], headers={"Idempotency-Key": f"lc-{uuid.uuid4().hex}"})
    assert r.status_code == 201, r.json
    return r.json


def _start(c: County, cid: str, size: int, token: str | None = None, duration_s: int = 100, **kw):
    return c.api.post(f"/lectures/courses/{cid}/videos/uploads",
                      {"title": "第一讲", "content_type": "video/mp4", "size": size, "duration_s": duration_s, **kw},
                      token=token or c.tokens["county_admin"], headers={"Idempotency-Key": f"lu-{uuid.uuid4().hex}"})


def _video(c: County, cid: str, data: bytes = b"\x00\x00\x00\x18ftypmp42" + b"v" * 2000, duration_s: int = 100,
           token: str | None = None, title: str = "第一讲") -> dict:
    token = token or c.tokens["county_admin"]
    r = _start(c, cid, len(data), token, duration_s, title=title)
    assert r.status_code == 201, r.json
    up = r.json
    etag = put(up["parts"][0]["url"], data)
    done = c.api.post(f"/lectures/courses/{cid}/videos/uploads/{up['upload_id']}/complete",
                      {"parts": [{"number": 1, "etag": etag}]}, token=token)
    assert done.status_code == 200, done.json
    return done.json


def _publish(c: County, cid: str, token: str | None = None, **kw) -> dict:
    token = token or c.tokens["county_admin"]
    cur = c.api.get(f"/lectures/courses/{cid}", token=token).json
    body = {"title": cur["title"], "description": cur["description"], "audience": cur["audience"],
            "status": "published", "videos": [v["id"] for v in cur["videos"]], "version": cur["version"], **kw}
    r = c.api.put(f"/lectures/courses/{cid}", body, token=token)
    assert r.status_code == 200, r.json
    return r.json


def _resident(c: County) -> str:
    return c.villager(c.household(members=1)["id"])[1]["access_token"]


@pytest.fixture
def clock_at():
    from chalicelib.core import clock

    frozen = clock.FrozenClock(dt.datetime.now(dt.UTC))
    clock.set_clock(frozen)
    yield frozen
    clock.set_clock(clock.Clock())


# --- courses -----------------------------------------------------------------------------------------------------

def test_offices_make_edit_and_publish_courses_others_cannot(client, county):
    c = county
    course = _course(c)
    assert course["status"] == "draft" and course["place"] == c.code and course["can_edit"] is True
    assert course["audience"] == "all" and course["audience_name"] == "全体村民" and course["videos_count"] == 0
    town = _course(c, token=c.tokens["township_official"], title="乡镇党课", audience="party")
    assert town["place"] == c.township and town["audience_name"] == "党员学习"
    # Villages, grid workers and villagers publish nothing; a township official not at another place.
    villager = _resident(c)
    for role_token in (c.tokens["village_admin"], c.tokens["grid_worker"], villager):
        r = client.post("/lectures/courses", {"title": "无权课程"}, token=role_token)
        assert r.status_code == 403, r.json
    r = client.post("/lectures/courses", {"title": "县级课程", "place": c.code}, token=c.tokens["township_official"])
    assert r.status_code == 403
    r = client.post("/lectures/courses", {"title": "村级课程", "place": c.village}, token=c.tokens["county_admin"])
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "not_office"
    # Drafts: their editors only; villagers see neither drafts nor unpublished courses.
    drafts = client.get("/lectures/courses?status=draft", token=c.tokens["county_admin"]).json["items"]
    assert {course["id"], town["id"]} <= {d["id"] for d in drafts}
    assert [d["id"] for d in client.get("/lectures/courses?status=draft",
                                        token=c.tokens["township_official"]).json["items"]] == [town["id"]]
    assert client.get("/lectures/courses?status=draft", token=villager).status_code == 403
    assert client.get(f"/lectures/courses/{course['id']}", token=villager).status_code == 404
    # Publishing needs a video; a stale version is a 409.
    cur = client.get(f"/lectures/courses/{course['id']}", token=c.tokens["county_admin"]).json
    body = {"title": "春耕技术讲座（修订）", "description": "", "audience": "all", "status": "published", "videos": [],
            "version": cur["version"]}
    r = client.put(f"/lectures/courses/{course['id']}", body, token=c.tokens["county_admin"])
    assert r.status_code == 422 and r.json["error"]["details"][0]["code"] == "no_videos"
    r = client.put(f"/lectures/courses/{course['id']}", {**body, "status": "draft"}, token=c.tokens["county_admin"])
    assert r.status_code == 200 and r.json["title"] == "春耕技术讲座（修订）"
    r = client.put(f"/lectures/courses/{course['id']}", {**body, "status": "draft"}, token=c.tokens["county_admin"])
    assert r.status_code == 409 and r.json["error"]["code"] == "version_conflict"
    # A township official cannot edit the county's course.
    r = client.put(f"/lectures/courses/{course['id']}", {**body, "version": r.json and cur["version"] + 1},
                   token=c.tokens["township_official"])
    assert r.status_code in (403, 404)
    v = _video(c, course["id"])
    _publish(c, course["id"])
    listed = client.get("/lectures/courses", token=villager).json["items"]
    assert [x["id"] for x in listed] == [course["id"]]  # the party course is neither published nor for villagers
    assert listed[0]["videos_count"] == 1 and listed[0]["duration_s"] == 100 and listed[0]["can_edit"] is False
    got = client.get(f"/lectures/courses/{course['id']}", token=villager).json
    assert [x["id"] for x in got["videos"]] == [v["id"]] and got["videos"][0]["my"]["position_s"] == 0
    assert client.get(f"/lectures/courses/{course['id']}", token=villager).json["status"] == "published"


def test_a_party_course_is_for_party_members_and_staff(client, county):
    c = county
    course = _course(c, audience="party", title="党员学习：新时代农村党建")
    _video(c, course["id"])
    _publish(c, course["id"])
    villager = _resident(c)
    pm = c.add_staff("party_member", c.grid)
    assert client.get(f"/lectures/courses/{course['id']}", token=villager).status_code == 404
    assert course["id"] not in {x["id"] for x in client.get("/lectures/courses", token=villager).json["items"]}
    assert course["id"] in {x["id"] for x in client.get("/lectures/courses", token=pm).json["items"]}
    assert client.get(f"/lectures/courses/{course['id']}", token=c.tokens["grid_worker"]).status_code == 200


# --- uploads -----------------------------------------------------------------------------------------------------

def test_a_long_video_goes_up_in_parts_resumes_and_joins_the_course(client, county):
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings

    c = county
    cid = _course(c)["id"]
    data = os.urandom(16 * MIB + 4096)
    r = _start(c, cid, len(data), duration_s=7200)
    assert r.status_code == 201, r.json
    up = r.json
    assert up["part_size"] == 16 * MIB and up["parts_count"] == 2 and up["missing"] == 2
    e1 = put(up["parts"][0]["url"], data[:16 * MIB])
    # The connection drops: the console asks what S3 has, and sends only the rest.
    r = client.get(f"/lectures/courses/{cid}/videos/uploads/{up['upload_id']}", token=c.tokens["county_admin"])
    assert r.status_code == 200 and [p["number"] for p in r.json["done"]] == [1]
    assert [p["number"] for p in r.json["parts"]] == [2]
    e2 = put(r.json["parts"][0]["url"], data[16 * MIB:])
    path = f"/lectures/courses/{cid}/videos/uploads/{up['upload_id']}/complete"
    # Someone else (even an editor of the course) does not reach my upload.
    mine = c.tokens["county_admin"]
    other = c.add_staff("county_admin", c.code)
    c.tokens["county_admin"] = mine
    assert client.get(f"/lectures/courses/{cid}/videos/uploads/{up['upload_id']}", token=other).status_code == 404
    done = client.post(path, {"parts": [{"number": 1, "etag": e1}, {"number": 2, "etag": e2}]},
                       token=c.tokens["county_admin"], headers={"Idempotency-Key": f"done-{up['upload_id']}"})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "ready" and done.json["duration_s"] == 7200 and done.json["title"] == "第一讲"
    again = client.post(path, {"parts": [{"number": 1, "etag": e1}, {"number": 2, "etag": e2}]},
                        token=c.tokens["county_admin"], headers={"Idempotency-Key": f"done-{up['upload_id']}"})
    assert again.status_code == 200 and again.json["id"] == done.json["id"]  # the retry: the same video, not two
    course = client.get(f"/lectures/courses/{cid}", token=c.tokens["county_admin"]).json
    assert [v["id"] for v in course["videos"]] == [done.json["id"]] and course["duration_s"] == 7200
    from chalicelib.lectures.models import Video

    key = Video.get(*Video.keys(c.code, done.json["id"])).s3_key
    assert key.startswith(f"{c.code}/lecture/{cid}/") and key.endswith(".mp4")
    assert aws_client("s3").head_object(Bucket=settings().media_bucket, Key=key)["ContentLength"] == len(data)


def test_upload_caps_types_and_abort(client, county):
    c = county
    cid = _course(c)["id"]
    for body in ({"title": "x", "content_type": "video/mp4", "size": 2 * 1024 * MIB + 1, "duration_s": 60},
                 {"title": "x", "content_type": "video/x-msvideo", "size": 100, "duration_s": 60},
                 {"title": "x", "content_type": "video/mp4", "size": 100, "duration_s": 0},
                 {"title": "x", "content_type": "video/mp4", "size": 100}):
        r = client.post(f"/lectures/courses/{cid}/videos/uploads", body, token=c.tokens["county_admin"])
        assert r.status_code == 422 and r.json["error"]["code"], (body, r.json)
    for ctype in ("video/webm", "video/quicktime"):
        assert _start(c, cid, 100, content_type=ctype).status_code == 201
    r = _start(c, cid, 2 * 1024 * MIB)  # 2 GB: 128 parts of 16 MiB, the first 100 URLs now
    assert r.status_code == 201 and r.json["parts_count"] == 128 and len(r.json["parts"]) == 100
    path = f"/lectures/courses/{cid}/videos/uploads/{r.json['upload_id']}"
    assert client.delete(path, token=c.tokens["county_admin"]).status_code == 204
    assert client.get(path, token=c.tokens["county_admin"]).status_code == 404
    # Uploading into another office's course, or a course that does not exist.
    assert _start(c, cid, 100, token=c.tokens["township_official"]).status_code in (403, 404)
    assert _start(c, "0" * 12, 100).status_code == 404
    r = _start(c, cid, 100)
    bad = client.post(f"/lectures/courses/{cid}/videos/uploads/{r.json['upload_id']}/complete",
                      {"parts": [{"number": 1, "etag": "\"abc\""}]}, token=c.tokens["county_admin"])
    assert bad.status_code == 422 and bad.json["error"]["code"] == "parts_incomplete"


# --- watching ----------------------------------------------------------------------------------------------------

def test_the_original_answers_range_requests_with_206(client, county):
    c = county
    cid = _course(c)["id"]
    data = bytes(range(256)) * 40
    v = _video(c, cid, data=data)
    _publish(c, cid)
    got = client.get(f"/lectures/videos/{v['id']}", token=_resident(c))
    assert got.status_code == 200, got.json
    assert got.json["sources"]["hls"] is None and got.json["content_type"] == "video/mp4"
    assert got.json["expires_in"] == 3600 + 100 and got.json["my"]["percent"] == 0
    req = urllib.request.Request(got.json["sources"]["original"], headers={"Range": "bytes=1000-1999"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 206
        assert r.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
        assert r.read() == data[1000:2000]


def test_heartbeats_count_played_slices_not_seeks_and_resume(client, county, clock_at):
    c = county
    cid = _course(c)["id"]
    v = _video(c, cid, duration_s=100)
    _publish(c, cid)
    token = _resident(c)
    path = f"/lectures/videos/{v['id']}/progress"
    # Seek straight to the end: only the slices really played there count.
    r = client.put(path, {"position_s": 100, "ranges": [[95, 100]]}, token=token)
    assert r.status_code == 200, r.json
    assert r.json == {"position_s": 100.0, "percent": 5, "completed": False, "completed_at": None, "points": None}
    # A client claiming far more than could be played since the last heartbeat gets at most that.
    long_v = _video(c, cid, duration_s=3600, title="第二讲")
    r = client.put(f"/lectures/videos/{long_v['id']}/progress", {"position_s": 3600, "ranges": [[0, 3600]]},
                   token=token)
    assert r.status_code == 200 and r.json["percent"] == 3 and r.json["completed"] is False
    # Played for real: 60 s, then 40 s more half a minute later: 95 % of the slices, completed.
    clock_at.advance(seconds=60)
    r = client.put(path, {"position_s": 60, "ranges": [[0, 60]]}, token=token)
    assert r.json["percent"] == 65 and r.json["completed"] is False
    clock_at.advance(seconds=30)
    r = client.put(path, {"position_s": 90, "ranges": [[60, 90]]}, token=token)
    assert r.json["percent"] == 95 and r.json["completed"] is True and r.json["completed_at"]
    again = client.put(path, {"position_s": 42, "ranges": []}, token=token)
    assert again.json["completed_at"] == r.json["completed_at"] and again.json["position_s"] == 42
    # Resume: the video and the course say where I stopped.
    assert client.get(f"/lectures/videos/{v['id']}", token=token).json["my"]["position_s"] == 42
    mine = client.get(f"/lectures/courses/{cid}", token=token).json["videos"]
    assert mine[0]["my"]["completed"] is True and mine[1]["my"]["percent"] == 3
    # Bad input: 422; someone else's county or an unknown video: 404.
    for body in ({"position_s": -1}, {"position_s": 1, "ranges": [[5, 1]]}, {"ranges": []}):
        assert client.put(path, body, token=token).status_code == 422
    assert client.put("/lectures/videos/000000000000/progress", {"position_s": 1}, token=token).status_code == 404


def test_views_and_completions_per_place_and_study_points_once(client, county, clock_at):
    c = county
    course = _course(c, audience="party", title="党员学习：村务公开")
    v = _video(c, course["id"], duration_s=100)
    _publish(c, course["id"])
    pm = c.add_staff("party_member", c.grid)
    pm_uid = client.get("/me", token=pm).json["user_id"]
    staff_only = c.tokens["township_official"]  # no village: progress kept, not counted
    path = f"/lectures/videos/{v['id']}/progress"
    for token in (pm, staff_only):
        assert client.put(path, {"position_s": 60, "ranges": [[0, 60]]}, token=token).status_code == 200
    stats = client.get(f"/lectures/courses/{course['id']}/stats", token=c.tokens["county_admin"]).json
    assert (stats["place"], stats["views"], stats["completions"], stats["completion_rate"]) == (c.code, 1, 0, 0.0)
    assert stats["children"] == [{"place": c.township, "name": "测试街道", "views": 1, "completions": 0,
                                  "completion_rate": 0.0}]
    clock_at.advance(seconds=45)
    done = client.put(path, {"position_s": 100, "ranges": [[60, 100]]}, token=pm)
    assert done.json["completed"] is True and done.json["points"] == 5  # the default study rule
    again = client.put(path, {"position_s": 100, "ranges": [[0, 100]]}, token=pm)
    assert again.json["points"] == 5
    ledger = client.get(f"/vanguard/points/{pm_uid}", token=pm).json
    assert [e["source"] for e in ledger["entries"]] == ["study"] and ledger["balance"] == 5
    assert ledger["entries"][0]["ref"] == f"lecture-{v['id']}"
    for place, child in ((c.code, c.township), (c.township, c.village)):
        s = client.get(f"/lectures/courses/{course['id']}/stats?place={place}", token=c.tokens["county_admin"]).json
        assert (s["views"], s["completions"], s["completion_rate"]) == (1, 1, 1.0)
        assert [(x["place"], x["completions"]) for x in s["children"]] == [(child, 1)]
        assert s["videos"] == [{"id": v["id"], "title": "第一讲", "views": 1, "completions": 1,
                                "completion_rate": 1.0}]
    village = client.get(f"/lectures/courses/{course['id']}/stats?place={c.village}",
                         token=c.tokens["township_official"]).json
    assert village["views"] == 1 and village["children"] == []
    # Numbers are for the offices, at their places only.
    assert client.get(f"/lectures/courses/{course['id']}/stats?place={c.code}",
                      token=c.tokens["township_official"]).status_code == 403
    assert client.get(f"/lectures/courses/{course['id']}/stats", token=pm).status_code == 403


def test_reading_a_course_stats_costs_the_same_calls_whatever_its_viewers(client, county):
    c = county
    cid = _course(c)["id"]
    v = _video(c, cid, duration_s=100)
    _publish(c, cid)

    def calls() -> list[str]:
        with dynamodb_calls() as seen:
            assert client.get(f"/lectures/courses/{cid}/stats", token=c.tokens["county_admin"]).status_code == 200
        assert "Scan" not in seen
        return sorted(x for x in seen if x in ("GetItem", "BatchGetItem", "Query"))

    assert client.put(f"/lectures/videos/{v['id']}/progress", {"position_s": 5, "ranges": [[0, 5]]},
                      token=_resident(c)).status_code == 200
    before = calls()
    for _ in range(3):
        assert client.put(f"/lectures/videos/{v['id']}/progress", {"position_s": 5, "ranges": [[0, 5]]},
                          token=_resident(c)).status_code == 200
    assert calls() == before
    assert client.get(f"/lectures/courses/{cid}/stats", token=c.tokens["county_admin"]).json["views"] == 4


# --- comments ----------------------------------------------------------------------------------------------------

def test_comments_wait_for_approval_and_replies_join_their_thread(client, county):
    c = county
    cid = _course(c)["id"]
    v = _video(c, cid)
    _publish(c, cid)
    a, b = _resident(c), _resident(c)
    path = f"/lectures/videos/{v['id']}/comments"
    r = client.post(path, {"text": "讲得很实用"}, token=a, headers={"Idempotency-Key": f"cm-{uuid.uuid4().hex}"})
    assert r.status_code == 201 and r.json["status"] == "pending" and r.json["mine"] is True
    first = r.json
    assert [x["id"] for x in client.get(path, token=a).json["items"]] == [first["id"]]
    assert client.get(path, token=b).json["items"] == []
    queue = client.get(f"/lectures/comments/pending?place={c.code}", token=c.tokens["county_admin"]).json["items"]
    assert [x["id"] for x in queue] == [first["id"]] and queue[0]["name"].endswith("*")
    assert client.get(f"/lectures/comments/pending?place={c.code}",
                      token=c.tokens["township_official"]).status_code == 403
    r = client.post(f"/lectures/comments/{first['id']}/decision", {"action": "approve"},
                    token=c.tokens["county_admin"])
    assert r.status_code == 200 and r.json["status"] == "approved"
    assert client.get(f"/lectures/comments/pending?place={c.code}", token=c.tokens["county_admin"]).json["items"] == []
    # The office replies (shown at once); a villager's reply to that reply joins the same thread, pending.
    reply = client.post(path, {"text": "谢谢支持", "reply_to": first["id"]}, token=c.tokens["county_admin"]).json
    assert reply["status"] == "approved" and reply["parent"] == first["id"]
    deeper = client.post(path, {"text": "请问何时有下一讲", "reply_to": reply["id"]}, token=b).json
    assert deeper["parent"] == first["id"] and deeper["status"] == "pending"
    later = client.post(path, {"text": "第二条评论"}, token=b).json
    seen = [x["id"] for x in client.get(path, token=b).json["items"]]
    assert seen == [first["id"], reply["id"], deeper["id"], later["id"]]
    assert [x["id"] for x in client.get(path, token=a).json["items"]] == [first["id"], reply["id"]]
    r = client.post(f"/lectures/comments/{first['id']}/decision", {"action": "hide"}, token=c.tokens["county_admin"])
    assert r.json["status"] == "hidden"
    assert [x["id"] for x in client.get(path, token=a).json["items"]] == [reply["id"]]
    # Bad ids and replies to nothing.
    assert client.post(path, {"text": "x", "reply_to": "nope"}, token=a).status_code == 422
    assert client.post("/lectures/comments/abc/decision", {"action": "approve"},
                       token=c.tokens["county_admin"]).status_code == 404
    assert client.post(f"/lectures/comments/{later['id']}/decision", {"action": "approve"},
                       token=c.tokens["township_official"]).status_code == 404


def test_removing_a_video_from_a_course_deletes_it(client, county):
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.lectures.models import Video

    c = county
    cid = _course(c)["id"]
    v1, v2 = _video(c, cid), _video(c, cid, title="第二讲")
    key = Video.get(*Video.keys(c.code, v1["id"])).s3_key
    out = _publish(c, cid, videos=[v2["id"]])
    assert [x["id"] for x in out["videos"]] == [v2["id"]] and out["videos_count"] == 1
    assert client.get(f"/lectures/videos/{v1['id']}", token=c.tokens["county_admin"]).status_code == 404
    with pytest.raises(Exception, match="404|Not Found"):
        aws_client("s3").head_object(Bucket=settings().media_bucket, Key=key)
    cur = client.get(f"/lectures/courses/{cid}", token=c.tokens["county_admin"]).json
    bad = client.put(f"/lectures/courses/{cid}", {"title": "春耕", "audience": "all", "status": "published",
                                                  "videos": [v1["id"]], "version": cur["version"]},
                     token=c.tokens["county_admin"])
    assert bad.status_code == 422 and bad.json["error"]["details"][0]["code"] == "unknown_video"
