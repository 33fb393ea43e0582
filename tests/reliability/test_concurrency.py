"""Idempotency and concurrency, for every creating and every versioned editing route of the route table.

Creating routes are the POSTs the OpenAPI document describes with an `Idempotency-Key` header or a 201 answer.
For each (its request made by the builder of tests/security/test_isolation.py CASES):
- 20 duplicates (same key, same body) sent at the same moment from 20 threads — 20 Lambdas — give one record, and
  every answer is the first answer, or 409 `request_in_progress` while the first is still running; a retry after
  it finished gets the first answer;
- the same key with another body is 422 `idempotency_key_reused`.
The Open311 GeoReport filings (public, form-encoded, answered in the spec's shapes) get the same checks with their
own builder (OPEN311_FILING); POST /open311/keys is deliberately not idempotent (NOT_IDEMPOTENT says why).
Versioned edits (the PUTs, and the alert POSTs that save a versioned item): two edits of one record, both read
before either writes (each held at its first DynamoDB write until the other is there too), so the embedded
DynamoDB's version condition decides: one wins, the other gets 409 in the error envelope, and the stored record is
the winner's edit.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from chalice.test import Client

from tests.conftest import Api, County, new_phone, operator_token_for
from tests.reliability import Answer, Lambda, aws_calls, burst
from tests.security.test_isolation import CASES

DUPLICATES = 20

# A creating route may be left out only with the reason it cannot create a duplicate.
NOT_CREATING_RECORDS = {
    ("POST", "/cases/uploads"): "answers a presigned S3 form for one photo and stores nothing (each form has a new "
                                "key; the case that uses the photo is POST /snaps, covered below)",
    ("POST", "/imports/uploads"): "answers a presigned S3 form and stores nothing (each form has a new key; the "
                                  "import that reads the upload is POST /imports, covered below)",
    ("POST", "/boards/uploads"): "answers a presigned S3 form for one evidence photo and stores nothing (each form "
                                 "has a new key; the inspection that uses it is POST /boards/inspections)",
    ("POST", "/notices/uploads"): "answers a presigned S3 form for one attachment and stores nothing (each form has "
                                  "a new key; the notice that uses it is POST /notices, covered below)",
    ("POST", "/vanguard/uploads"): "answers a presigned S3 form for one photo of a deed and stores nothing (each form "
                                   "has a new key; the deed that uses it is POST /vanguard/deeds, covered below)",
}
# Creating routes that deliberately take no Idempotency-Key, and why (the coverage test checks that each declares none,
# and test_issuing_an_open311_key_is_not_idempotent_on_purpose that a retry is indeed a second record).
NOT_IDEMPOTENT = {
    ("POST", "/open311/keys"): "its answer carries the client's API key in plaintext, this once (only the key's "
                               "SHA-256 is stored): a replayed answer would have to keep the key in the idempotency "
                               "table; a retry makes a second key, which the county admin deletes",
}


class World:
    def __init__(self, api: Api):
        self.api = api
        self.operator_token = operator_token_for(api)
        self.c = c = County(api, self.operator_token)
        c.operator_token = self.operator_token  # the builders of operator routes use it
        _, session = c.villager(c.household()["id"])
        c.tokens["villager"] = session["access_token"]
        self.tokens: dict[str, str] = {}
        self.open311_key: str | None = None  # an Open311 client's API key of the county (open311_filing)

    def token(self, owner: str) -> str:
        if owner == "operator":
            return self.operator_token
        if owner == "newcomer":  # one person for all duplicates of one request
            return self.tokens.setdefault("newcomer", self.api.sign_in(new_phone())["access_token"])
        if owner == "party_member" and owner not in self.c.tokens:  # 党员先锋's posters (made by its builders)
            from tests.security.test_isolation import _vg_member

            _vg_member(self.c)
        return self.c.tokens[owner]

    def get(self, path: str, owner: str) -> dict:
        r = self.api.get(path, token=self.token(owner))
        assert r.status_code == 200, (path, r.json)
        return r.json


@pytest.fixture(scope="module")
def world(app, operator):
    with Client(app) as c:
        yield World(Api(c))


def _document() -> dict:
    from chalicelib.core.openapi import document

    return document(prefix="")


def _creating(doc: dict) -> dict[tuple[str, str], dict]:
    out = {}
    for path, ops in doc["paths"].items():
        op = ops.get("post")
        if op is None:
            continue
        keyed = any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op.get("parameters", []))
        if keyed or "201" in op["responses"]:
            out[("POST", path)] = op
    return out


# --- read-backs: what one creation must have left behind --------------------------------------------------------

def _all(world: World, path: str, owner: str) -> list[dict]:
    items, cursor = [], None
    while True:
        sep = "&" if "?" in path else "?"
        page = world.get(path + sep + "limit=100" + (f"&cursor={cursor}" if cursor else ""), owner)
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def _grid_state(world: World) -> tuple[int, int]:
    c = world.c
    listed = len(_all(world, f"/households?place={c.grid}", "grid_worker"))
    counted = world.get(f"/coverage?place={c.grid}", "grid_worker")["place"]["households"]
    return listed, counted


@dataclass(frozen=True)
class ReadBack:
    """`before(world, path, body)` snapshots; `problems(world, path, body, answer, before)` lists what is wrong."""

    before: Callable[[World, str, dict], object]
    problems: Callable[[World, str, dict, dict, object], list[str]]


def _households_before(w, path, body):
    return _grid_state(w)


def _households_problems(w, path, body, answer, before):
    after = _grid_state(w)
    want = (before[0] + 1, before[1] + 1)
    return [] if after == want else [f"grid households (listed, counted) went {before} -> {after}, want {want}"]


def _members(w, path):
    hh = w.get(path.rsplit("/members", 1)[0], "grid_worker")
    return len(hh["members"]), hh["member_count"]


def _members_problems(w, path, body, answer, before):
    after = _members(w, path)
    want = (before[0] + 1, before[1] + 1)
    return [] if after == want else [f"members (listed, counted) went {before} -> {after}, want {want}"]


def _invite_problems(w, path, body, answer, before):
    from chalicelib.households.models import Household, Invite

    hid = path.split("/")[2]
    hh = Household.get(*Household.keys(w.c.code, hid), consistent_read=True)
    out = [] if hh.invite_code == answer["code"] else [
        f"the household's invite code is {hh.invite_code!r}, the answers gave {answer['code']!r}"]
    try:
        inv = Invite.get(*Invite.keys(answer["code"]), consistent_read=True)
        if inv.hid != hid:
            out.append("the invite names another household")
    except Invite.DoesNotExist:
        out.append("the answered invite code does not exist")
    return out


def _link_state(w, body):
    from chalicelib.households.models import Invite

    hid = Invite.get(*Invite.keys(body["code"]), consistent_read=True).hid
    hh = w.get(f"/households/{hid}", "grid_worker")
    followed = w.get(f"/coverage?place={hh['grid']}", "grid_worker")["place"]["followed"]
    return hh["follower_count"], followed


def _link_problems(w, path, body, answer, before):
    after = _link_state(w, body)
    want = (before[0] + 1, before[1] + 1)
    return [] if after == want else [f"(followers, followed households) went {before} -> {after}, want {want}"]


def _import_ref(body) -> str:
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    data = client("s3").get_object(Bucket=settings().media_bucket, Key=body["key"])["Body"].read().decode()
    rows = list(csv.DictReader(io.StringIO(data)))
    refs = {r["户编号"] for r in rows}
    assert len(refs) == 1, refs
    return refs.pop()


def _import_problems(w, path, body, answer, before):
    out = _households_problems(w, path, body, answer, before)
    ref = _import_ref(body)
    n = sum(1 for h in _all(w, f"/households?place={w.c.grid}", "grid_worker") if h["ref"] == ref)
    return out + ([] if n == 1 else [f"{n} households of the file's household {ref}"])


def _pass_problems(w, path, body, answer, before):
    from chalicelib.passes.models import CurrentPass, Pass

    cur = CurrentPass.get(*CurrentPass.keys(w.c.code, body["member"]), consistent_read=True)
    out = [] if cur.pid == answer["id"] else [f"the member's current pass is {cur.pid}, answered {answer['id']}"]
    issued = Pass.get(*Pass.keys(w.c.code, answer["id"]), consistent_read=True)
    return out + (["the answered pass is revoked"] if issued.revoked else [])


def _place_problems(w, path, body, answer, before):
    code = body["code"]
    listed = [p["code"] for p in _all(w, f"/places?under={code[:12]}", "county_admin")]
    return [] if listed.count(code) == 1 else [f"place {code} listed {listed.count(code)} times"]


def _reports(w, body):
    return [r["id"] for r in _all(w, f"/reports?household={body['household']}", "grid_worker")]


def _report_problems(w, path, body, answer, before):
    after = _reports(w, body)
    return [] if len(after) == len(before) + 1 and answer["id"] in after else [
        f"the household's reports went from {len(before)} to {len(after)}"]


def _staff(w):
    return [s["id"] for s in _all(w, f"/staff?place={w.c.grid}", "county_admin")]


def _staff_problems(w, path, body, answer, before):
    after = _staff(w)
    return [] if len(after) == len(before) + 1 and after.count(answer["id"]) == 1 else [
        f"the grid's staff went from {len(before)} to {len(after)}"]


def _tipoff_state(w):
    mine = len(_all(w, "/tipoffs/mine", "villager"))
    stats = w.get(f"/tipoffs/stats?place={w.c.village}", "village_admin")
    return mine, stats


def _tipoff_problems(w, path, body, answer, before):
    mine, stats = _tipoff_state(w)
    out = [] if mine == before[0] + 1 else [f"the villager's tip-offs went {before[0]} -> {mine}"]
    if _total(stats) != _total(before[1]) + 1:
        out.append(f"the tip-off counts went {_total(before[1])} -> {_total(stats)}")
    return out


def _timeline(w, path, body):
    return len(w.get(path.rsplit("/actions", 1)[0], "village_admin")["timeline"])


def _action_problems(w, path, body, answer, before):
    after = _timeline(w, path, body)
    return [] if after == before + 1 else [f"the case's timeline went {before} -> {after} events, want one more"]


def _snap_problems(w, path, body, answer, before):
    after = len(_all(w, "/cases/mine", "villager"))
    return [] if after == before + 1 else [f"the villager's cases went {before} -> {after}, want one more"]


def _total(obj) -> int:
    """The sum of every `count` in a stats answer, whatever its nesting."""
    if isinstance(obj, dict):
        return sum(_total(v) if k != "count" else int(v) for k, v in obj.items())
    if isinstance(obj, list):
        return sum(_total(v) for v in obj)
    return 0


def _county_problems(w, path, body, answer, before):
    got = w.get(f"/counties/{body['code']}", "operator")
    return [] if got["code"] == body["code"] == answer["code"] else ["the county reads back differently"]


def _subscriptions(body) -> int:
    from chalicelib.core import notify
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    arn = notify.topic_arn(settings().alerts_topic)
    subs, token = [], None
    while True:
        page = client("sns").list_subscriptions_by_topic(TopicArn=arn, **({"NextToken": token} if token else {}))
        subs += page["Subscriptions"]
        token = page.get("NextToken")
        if not token:
            return sum(1 for s in subs if s["Endpoint"] == body["endpoint"])


def _subscription_problems(w, path, body, answer, before):
    n = _subscriptions(body)
    return [] if n == 1 else [f"{n} subscriptions of {body['endpoint']}"]


def _nothing(w, path, body):
    return None


def _rc_employer_problems(w, path, body, answer, before):
    pending = [e for e in _all(w, "/recruitment/employers?status=pending", "county_admin")
               if e["licence_no"] == body["licence_no"]]
    mine = w.get("/recruitment/employers/mine", "applicant")["employer"]
    out = [] if [e["id"] for e in pending] == [answer["id"]] else [f"pending accounts of the licence: {pending}"]
    return out + ([] if mine and mine["id"] == answer["id"] else [f"the applicant's account: {mine}"])


def _rc_jobs_titled(w, path, body):
    return sum(1 for j in _all(w, "/recruitment/jobs/mine", "employer") if j["title"] == body["title"])


def _rc_job_problems(w, path, body, answer, before):
    after = _rc_jobs_titled(w, path, body)
    listed = [j["id"] for j in _all(w, "/recruitment/jobs?category=普工", "villager") if j["id"] == answer["id"]]
    out = [] if after == before + 1 else [f"the employer's jobs titled so went {before} -> {after}"]
    return out + ([] if len(listed) == 1 else [f"the job is listed {len(listed)} times in the seekers' feed"])


def _rc_applications(w, path, body):
    return len(_all(w, "/recruitment/applications/mine", "seeker"))


def _rc_application_problems(w, path, body, answer, before):
    after = _rc_applications(w, path, body)
    job = w.get(path.rsplit("/applications", 1)[0], "employer")
    out = [] if after == before + 1 else [f"the seeker's applications went {before} -> {after}"]
    return out + ([] if job["applicants"] == 1 else [f"the job counts {job['applicants']} applicants"])


def _errand_items(w, path, body):
    return sum(1 for i in w.get("/errands/items?all=true", "county_admin")["items"] if i["name"] == body["name"])


def _errand_item_problems(w, path, body, answer, before):
    after = _errand_items(w, path, body)
    return [] if after == before + 1 else [f"items named {body['name']} went {before} -> {after}, want one more"]


def _errand_cases(w, path, body):
    return sum(1 for c in _all(w, "/cases/mine", "villager") if c["type"] == "errand")


def _errand_case_problems(w, path, body, answer, before):
    after = _errand_cases(w, path, body)
    return [] if after == before + 1 else [f"the villager's applications went {before} -> {after}, want one more"]


def _errand_timeline(w, path, body):
    return len(w.get(path.rsplit("/actions", 1)[0], "village_admin")["case"]["timeline"])


def _errand_step_problems(w, path, body, answer, before):
    after = _errand_timeline(w, path, body)
    return [] if after == before + 1 else [f"the application's timeline went {before} -> {after}, want one more"]


def _board_history(w, path, body):
    return len(_all(w, f"/boards/households/{body['household']}/history", "grid_worker"))


def _board_history_problems(w, path, body, answer, before):
    after = _board_history(w, path, body)
    return [] if after == before + 1 else [f"the household's score records went {before} -> {after}, want one more"]


def _board_appeals(w, path, body):
    return len(_all(w, f"/boards/villages/{w.c.village}/appeals", "village_admin"))


def _board_appeal_problems(w, path, body, answer, before):
    after = _board_appeals(w, path, body)
    return [] if after == before + 1 and answer["appeal"]["status"] == "pending" else [
        f"the village's pending appeals went {before} -> {after}, want one more"]


def _board_decision_problems(w, path, body, answer, before):
    after = _board_appeals(w, path, body)
    return [] if after == before - 1 and answer["appeal"]["status"] == "upheld" else [
        f"the village's pending appeals went {before} -> {after}, want one fewer"]


def _board_version(w, path, body):
    published = w.get(path.rsplit("/publish", 1)[0] + "/draft", "village_admin")["published"]
    return published["version"] if published else 0


def _board_publish_problems(w, path, body, answer, before):
    after = _board_version(w, path, body)
    return [] if after == before + 1 == answer["version"] else [
        f"the month's board went from version {before} to {after} (answered {answer['version']}), want one more"]


def _notices_titled(w, path, body):
    return sum(1 for n in _all(w, f"/notices/sent?place={body['place']}", "village_admin")
               if n["title"] == body["title"])


def _notice_problems(w, path, body, answer, before):
    after = _notices_titled(w, path, body)
    return [] if after == before + 1 else [f"notices titled {body['title']} went {before} -> {after}, want one more"]


def _dr_exports(w, path, body):
    return len(_all(w, "/datarights/exports", "county_admin"))


def _dr_export_problems(w, path, body, answer, before):
    after = _dr_exports(w, path, body)
    return [] if after == before + 1 else [f"county exports went {before} -> {after}, want one more"]


def _bo_reports(w, path, body):
    return len(_all(w, "/backoffice/reports", "county_admin"))


def _bo_report_problems(w, path, body, answer, before):
    after = _bo_reports(w, path, body)
    return [] if after == before + 1 else [f"quarterly reports went {before} -> {after}, want one more"]


def _vol_calls_titled(w, path, body):
    return sum(1 for c in _all(w, f"/volunteers/calls?place={body['place']}", "village_admin")
               if c["title"] == body["title"])


def _vol_call_problems(w, path, body, answer, before):
    after = _vol_calls_titled(w, path, body)
    return [] if after == before + 1 else [f"calls titled {body['title']} went {before} -> {after}, want one more"]


def _vg_deeds(w, path, body):
    from chalicelib.vanguard.models import MyDeed

    _, uid = w.c._vg_pm[1], w.c._vg_pm[2]
    return sum(1 for _ in MyDeed.query(MyDeed.partition(w.c.code, uid), consistent_read=True))


def _vg_deed_problems(w, path, body, answer, before):
    after = _vg_deeds(w, path, body)
    return [] if after == before + 1 else [f"the member's deeds went {before} -> {after}, want one more"]


def _vg_comments(w, path, body):
    from chalicelib.vanguard.models import Comment

    return sum(1 for _ in Comment.query(Comment.partition(w.c.code, path.split("/")[3]), consistent_read=True))


def _vg_comment_problems(w, path, body, answer, before):
    after = _vg_comments(w, path, body)
    return [] if after == before + 1 else [f"the deed's comments went {before} -> {after}, want one more"]


def _vg_entries(w, path, body):
    from chalicelib.vanguard.models import Entry

    return [(e.source, e.ref, e.note) for e in Entry.query(Entry.partition(w.c.code, body["member"]),
                                                           Entry.sk.startswith("E#"), consistent_read=True)]


def _vg_entry_problems(w, path, body, answer, before):
    after = _vg_entries(w, path, body)
    new = [e for e in after if e not in before or after.count(e) > before.count(e)]
    return [] if len(after) == len(before) + 1 and len(new) == 1 else [
        f"the member's ledger went from {len(before)} to {len(after)} entries, want one more"]


def _video_uploads(w, path, body):
    """Multipart uploads in progress under the county's video résumé folder (S3 ListMultipartUploads)."""
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    got = client("s3").list_multipart_uploads(Bucket=settings().media_bucket, Prefix=f"{w.c.code}/rvideo/")
    return len(got.get("Uploads", []))


def _video_upload_problems(w, path, body, answer, before):
    after = _video_uploads(w, path, body)
    return [] if after == before + 1 else [f"uploads in progress went {before} -> {after}, want one more"]


def _my_video(w, path, body):
    """My video résumé without its presigned URL (signed anew on every read)."""
    video = w.get("/recruitment/profile/video", "villager")["video"]
    return video and {k: v for k, v in video.items() if k != "url"}


def _video_complete_problems(w, path, body, answer, before):
    after = _my_video(w, path, body)
    out = [] if after and after["size"] == answer["size"] else [f"the video résumé is {after}, want the upload's"]
    from chalicelib.core.multipart import Upload

    pk, sk = Upload.keys(w.c.code, path.split("/")[5])
    if Upload.count(pk, Upload.sk == sk, consistent_read=True):
        out.append("the completed upload's record is still there")
    return out


def _lc_courses(w, path, body):
    """The county's courses with the body's title (drafts and published: the list's index)."""
    from chalicelib.lectures.models import Course

    return sum(1 for c in Course.gsi1.query(Course.listing(w.c.code)) if c.title == body["title"])


def _lc_course_problems(w, path, body, answer, before):
    after = _lc_courses(w, path, body)
    return [] if after == before + 1 else [f"courses titled {body['title']} went {before} -> {after}, want one more"]


def _lc_uploads(w, path, body):
    """Multipart uploads in progress under the course's folder (S3 ListMultipartUploads)."""
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    got = client("s3").list_multipart_uploads(Bucket=settings().media_bucket,
                                              Prefix=f"{w.c.code}/lecture/{path.split('/')[3]}/")
    return len(got.get("Uploads", []))


def _lc_upload_problems(w, path, body, answer, before):
    after = _lc_uploads(w, path, body)
    return [] if after == before + 1 else [f"the course's uploads went {before} -> {after}, want one more"]


def _lc_videos(w, path, body):
    return w.get(f"/lectures/courses/{path.split('/')[3]}", "county_admin")["videos_count"]


def _lc_video_problems(w, path, body, answer, before):
    after = _lc_videos(w, path, body)
    out = [] if after == before + 1 else [f"the course's videos went {before} -> {after}, want one more"]
    from chalicelib.core.multipart import Upload

    pk, sk = Upload.keys(w.c.code, path.split("/")[6])
    if Upload.count(pk, Upload.sk == sk, consistent_read=True):
        out.append("the completed upload's record is still there")
    return out


def _lc_comments(w, path, body):
    from chalicelib.lectures.models import Comment

    return sum(1 for _ in Comment.query(Comment.partition(w.c.code, path.split("/")[3]), consistent_read=True))


def _lc_comment_problems(w, path, body, answer, before):
    after = _lc_comments(w, path, body)
    return [] if after == before + 1 else [f"the video's comments went {before} -> {after}, want one more"]


def _signals(w, path, body):
    from chalicelib.interviews.models import Signal

    room = path.split("/")[2]
    return len(list(Signal.query(Signal.partition(w.c.code, room), consistent_read=True)))


def _signal_problems(w, path, body, answer, before):
    after = _signals(w, path, body)
    return [] if after == before + 1 else [f"the room's signals went {before} -> {after}, want one more"]


READ_BACKS: dict[tuple[str, str], ReadBack] = {
    ("POST", "/recruitment/profile/video/uploads"): ReadBack(_video_uploads, _video_upload_problems),
    ("POST", "/recruitment/profile/video/uploads/{upload_id}/complete"): ReadBack(_my_video,
                                                                                  _video_complete_problems),
    ("POST", "/interviews/{room_id}/signals"): ReadBack(_signals, _signal_problems),
    ("POST", "/vanguard/deeds"): ReadBack(_vg_deeds, _vg_deed_problems),
    ("POST", "/lectures/courses"): ReadBack(_lc_courses, _lc_course_problems),
    ("POST", "/lectures/courses/{cid}/videos/uploads"): ReadBack(_lc_uploads, _lc_upload_problems),
    ("POST", "/lectures/courses/{cid}/videos/uploads/{upload_id}/complete"): ReadBack(_lc_videos,
                                                                                     _lc_video_problems),
    ("POST", "/lectures/videos/{vid}/comments"): ReadBack(_lc_comments, _lc_comment_problems),
    ("POST", "/vanguard/deeds/{did}/comments"): ReadBack(_vg_comments, _vg_comment_problems),
    ("POST", "/vanguard/points/awards"): ReadBack(_vg_entries, _vg_entry_problems),
    ("POST", "/vanguard/points/corrections"): ReadBack(_vg_entries, _vg_entry_problems),
    ("POST", "/notices"): ReadBack(_notices_titled, _notice_problems),
    ("POST", "/volunteers/calls"): ReadBack(_vol_calls_titled, _vol_call_problems),
    ("POST", "/backoffice/reports"): ReadBack(_bo_reports, _bo_report_problems),
    ("POST", "/datarights/exports"): ReadBack(_dr_exports, _dr_export_problems),
    ("POST", "/errands/items"): ReadBack(_errand_items, _errand_item_problems),
    ("POST", "/recruitment/employers"): ReadBack(lambda w, p, b: None, _rc_employer_problems),
    ("POST", "/recruitment/jobs"): ReadBack(_rc_jobs_titled, _rc_job_problems),
    ("POST", "/recruitment/jobs/{jid}/applications"): ReadBack(_rc_applications, _rc_application_problems),
    ("POST", "/boards/inspections"): ReadBack(_board_history, _board_history_problems),
    ("POST", "/boards/inspections/{iid}/appeal"): ReadBack(_board_appeals, _board_appeal_problems),
    ("POST", "/boards/inspections/{iid}/decision"): ReadBack(_board_appeals, _board_decision_problems),
    ("POST", "/boards/villages/{village}/{month}/publish"): ReadBack(_board_version, _board_publish_problems),
    ("POST", "/errands/applications"): ReadBack(_errand_cases, _errand_case_problems),
    ("POST", "/errands/applications/{ref}/actions"): ReadBack(_errand_timeline, _errand_step_problems),
    ("POST", "/households"): ReadBack(_households_before, _households_problems),
    ("POST", "/cases/{ref}/actions"): ReadBack(_timeline, _action_problems),
    ("POST", "/letters"): ReadBack(lambda w, p, b: len(_all(w, "/cases/mine", "villager")), _snap_problems),
    ("POST", "/snaps"): ReadBack(lambda w, p, b: len(_all(w, "/cases/mine", "villager")), _snap_problems),
    ("POST", "/households/{hid}/members"): ReadBack(lambda w, p, b: _members(w, p), _members_problems),
    ("POST", "/households/{hid}/invites"): ReadBack(_nothing, _invite_problems),
    ("POST", "/links"): ReadBack(lambda w, p, b: _link_state(w, b), _link_problems),
    ("POST", "/imports"): ReadBack(_households_before, _import_problems),
    ("POST", "/passes"): ReadBack(_nothing, _pass_problems),
    ("POST", "/places"): ReadBack(_nothing, _place_problems),
    ("POST", "/reports"): ReadBack(lambda w, p, b: _reports(w, b), _report_problems),
    ("POST", "/staff"): ReadBack(lambda w, p, b: _staff(w), _staff_problems),
    ("POST", "/tipoffs"): ReadBack(lambda w, p, b: _tipoff_state(w), _tipoff_problems),
    ("POST", "/counties"): ReadBack(_nothing, _county_problems),
    ("POST", "/alerts/subscriptions"): ReadBack(_nothing, _subscription_problems),
}


# --- Open311 GeoReport filing: public routes (chalicelib/open311) -------------------------------------------------
# A client files with its API key in a form-encoded body and no token, and gets the spec's answers (JSON or XML) and
# errors (the spec's error array), so these two routes are not in the isolation matrix's CASES: they are built here.

OPEN311_FILING = {("POST", "/open311/v2/requests.json"): "json", ("POST", "/open311/v2/requests.xml"): "xml"}
FORM = {"content-type": "application/x-www-form-urlencoded"}


def open311_filing(w: World, route: tuple[str, str]) -> tuple[str, bytes]:
    """A valid filing (path, form body) by the county's test client: a 随手拍 case at grid 1, with its own words."""
    c = w.c
    if w.open311_key is None:
        r = w.api.post("/open311/keys", {"name": "可靠性测试客户端", "per_day": 10_000},
                       token=c.tokens["county_admin"])
        assert r.status_code == 201, r.json
        w.open311_key = r.json["api_key"]
    form = {"api_key": w.open311_key, "jurisdiction_id": c.code, "service_code": "snap.sanitation",
            "address_id": c.grid, "description": f"可靠性测试：村口垃圾没人清 {uuid.uuid4().hex[:8]}"}
    return route[1], urllib.parse.urlencode(form).encode()


def open311_answer(route: tuple[str, str], a: Answer) -> tuple[str | None, list[dict]]:
    """(the filed reference, the spec's errors) of an answer, in its route's format."""
    if OPEN311_FILING[route] == "json":
        items = json.loads(a.body) if a.body[:1] == b"[" else []
        assert a.headers.get("content-type", "").startswith("application/json"), a.show()
    else:
        from xml.etree import ElementTree as ET

        assert a.headers.get("content-type", "").startswith("text/xml"), a.show()
        root = ET.fromstring(a.body)
        items = [{e.tag: (int(e.text) if e.tag == "code" else e.text) for e in item} for item in root]
    if a.status == 201:
        return items[0]["service_request_id"], []
    return None, items


def open311_filed(w: World, body: bytes) -> tuple[list[str], int]:
    """(references of the cases with the filing's words, the county's 随手拍 count at the village): one filing is one
    case and one count."""
    words = urllib.parse.parse_qs(body.decode())["description"][0]
    refs = [x["ref"] for x in _all(w, f"/cases?place={w.c.village}&type=snap", "county_admin") if x["text"] == words]
    return refs, _total(w.get(f"/cases/stats?type=snap&place={w.c.village}", "county_admin"))


def open311_problems(w: World, body: bytes, ref: str, before: tuple[list[str], int]) -> list[str]:
    refs, count = open311_filed(w, body)
    out = [] if refs == [ref] else [f"cases with the filing's words: {refs}, want just the answered {ref}"]
    return out + ([] if count == before[1] + 1 else [f"the county's 随手拍 count went {before[1]} -> {count}"])


def _other_body(route: tuple[str, str], body: dict) -> dict:
    """A valid body that differs from `body` (for the key-reuse check)."""
    b = dict(body)
    if "address" in b:
        b["address"] = b["address"] + "乙"
    elif "name" in b and isinstance(b["name"], str):
        b["name"] = b["name"] + "乙"
    elif route == ("POST", "/households/{hid}/invites"):
        b["head"] = not b.get("head", False)
    elif "description" in b:
        b["description"] = b["description"] + "（补充）"
    elif "text" in b:
        b["text"] = b["text"] + "（补充）"
    elif "members" in b:
        b["outside"] = [{"from_place": "外地", "count": 1}] if not b.get("outside") else []
    elif "endpoint" in b:
        b["endpoint"] = b["endpoint"] + "-2"
    elif "key" in b:
        b["key"] = b["key"][:-4] + "x.csv"
    elif "code" in b:
        b["name"] = "另一个名字"
    elif "member" in b:
        b["member"] = b["member"][::-1]
    elif "note" in b:
        b["note"] = b["note"] + "（补充）"
    elif "reason" in b:
        b["reason"] = b["reason"] + "（补充）"
    elif "delivery" in b and route == ("POST", "/errands/applications"):
        b["phone"] = new_phone()  # the same application with another contact
    elif route == ("POST", "/errands/applications/{ref}/actions"):
        b["note"] = "另一说明"
    elif "title" in b:
        b["title"] = b["title"] + "（补充）"
    elif "seconds" in b:  # a video résumé's upload
        b["seconds"] = b["seconds"] - 1
    elif "parts" in b:  # its completion
        b["parts"] = [{**b["parts"][0], "etag": '"0"'}]
    elif route == ("POST", "/interviews/{room_id}/signals"):
        b["data"] = {**(b.get("data") or {}), "sdp": "v=1"}
    elif "quarter" in b:  # a quarterly report: the quarter before
        year, q = int(b["quarter"][:4]), int(b["quarter"][-1])
        b["quarter"] = f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"
    else:
        raise AssertionError(f"no other body for {route}: {body}")
    assert b != body
    return b


# Creating routes whose body has nothing to vary, so a key cannot be reused with another body, and why.
NO_OTHER_BODY = {("POST", "/datarights/exports"): "a county's export takes no fields: the whole county, now"}


# --- the tests ---------------------------------------------------------------------------------------------------

def test_every_creating_route_is_covered_and_takes_an_idempotency_key(app):
    creating = _creating(_document())
    assert creating, "no creating route found in the OpenAPI document"
    listed = set(READ_BACKS) | set(NOT_CREATING_RECORDS) | set(NOT_IDEMPOTENT) | set(OPEN311_FILING)
    uncovered = sorted(set(creating) - listed)
    assert not uncovered, f"creating routes without a concurrency check here (add a ReadBack): {uncovered}"
    stale = sorted(listed - set(creating))
    assert not stale, f"listed here but not creating routes of the app: {stale}"

    def keyed(op: dict) -> bool:
        return any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op.get("parameters", []))

    unkeyed = sorted(r for r, op in creating.items()
                     if r not in NOT_CREATING_RECORDS and r not in NOT_IDEMPOTENT and not keyed(op))
    assert not unkeyed, f"creating routes that ignore Idempotency-Key (declare idempotent=True): {unkeyed}"
    keyed_after_all = sorted(r for r in NOT_IDEMPOTENT if keyed(creating[r]))
    assert not keyed_after_all, f"NOT_IDEMPOTENT lists routes that take an Idempotency-Key: {keyed_after_all}"
    missing = sorted(set(READ_BACKS) - set(CASES))
    assert not missing, f"no request builder in tests/security/test_isolation.py CASES for {missing}"


@pytest.mark.parametrize("route", sorted(READ_BACKS), ids=[f"{m} {p}" for m, p in sorted(READ_BACKS)])
def test_concurrent_duplicates_create_one_record(app, world, route):
    method, _ = route
    case, check = CASES[route], READ_BACKS[route]
    status = int(next(s for s in _creating(_document())[route]["responses"] if s.startswith("2")))
    path, body = case.build(world.c)
    token = world.token(case.owner)
    before = check.before(world, path, body)
    key = f"conc-{uuid.uuid4().hex}"
    headers = {"Idempotency-Key": key}

    answers: list[Answer] = burst(app, DUPLICATES,
                                  lambda lam: lam.request(method, path, body, token=token, headers=headers))

    ok = [a for a in answers if a.status == status]
    busy = [a for a in answers if a.status == 409 and a.error_code() == "request_in_progress"]
    others = [a.show() for a in answers if a not in ok and a not in busy]
    assert not others, f"{method} {path}: answers other than {status} or 409 request_in_progress: {others}"
    assert ok, f"{method} {path}: no duplicate succeeded ({len(busy)} were told the request is in progress)"
    assert all(a.json == ok[0].json for a in ok), f"{method} {path}: the successful answers differ"
    for a in busy:
        assert set(a.json) == {"error"} and a.headers.get("content-type", "").startswith("application/json")

    retry = world.api.request(method, path, body, token=token, headers=headers)
    assert retry.status_code == status and retry.json == ok[0].json, \
        f"{method} {path}: a retry after completion did not get the first answer: {retry.status_code} {retry.json}"
    problems = check.problems(world, path, body, ok[0].json, before)
    assert not problems, f"{method} {path} ({len(ok)}x {status}, {len(busy)}x 409): " + "; ".join(problems)

    if route in NO_OTHER_BODY:
        return
    reused = world.api.request(method, path, _other_body(route, body), token=token, headers=headers)
    assert reused.status_code == 422 and reused.json["error"]["code"] == "idempotency_key_reused", \
        f"{method} {path}: the same key with another body gave {reused.status_code} {reused.json}"
    assert check.problems(world, path, body, ok[0].json, before) == [], "the refused reuse changed something"


@pytest.mark.parametrize("route", sorted(OPEN311_FILING), ids=[f"{m} {p}" for m, p in sorted(OPEN311_FILING)])
def test_concurrent_duplicate_open311_filings_make_one_case(app, world, route):
    """As above for a GeoReport client: 20 duplicates of one filing with one Idempotency-Key make one case; every
    answer is the first (byte for byte, JSON or XML) or 409 in the spec's error array; the key with other words is a
    400 there (the spec's errors are 400 for any bad input)."""
    method, _ = route
    path, body = open311_filing(world, route)
    before = open311_filed(world, body)
    headers = {**FORM, "Idempotency-Key": f"conc-{uuid.uuid4().hex}"}

    answers: list[Answer] = burst(app, DUPLICATES, lambda lam: lam.request(method, path, raw=body, headers=headers))

    ok = [a for a in answers if a.status == 201]
    busy = [a for a in answers if a.status == 409]
    others = [a.show() for a in answers if a not in ok and a not in busy]
    assert not others, f"{method} {path}: answers other than 201 or 409: {others}"
    assert ok, f"{method} {path}: no duplicate succeeded ({len(busy)} were told the request is in progress)"
    assert all(a.body == ok[0].body for a in ok), f"{method} {path}: the successful answers differ"
    for a in busy:
        _, errors = open311_answer(route, a)
        assert errors and all(e["code"] == 409 and "处理中" in e["description"] for e in errors), a.show()
    ref, _ = open311_answer(route, ok[0])

    retry = world.api.request(method, path, raw=body, headers=headers)
    assert retry.status_code == 201 and retry.body == ok[0].body, \
        f"{method} {path}: a retry after completion did not get the first answer: {retry.status_code} {retry.body}"
    problems = open311_problems(world, body, ref, before)
    assert not problems, f"{method} {path} ({len(ok)}x 201, {len(busy)}x 409): " + "; ".join(problems)

    _, other = open311_filing(world, route)
    reused = Lambda(app).request(method, path, raw=other, headers=headers)
    _, errors = open311_answer(route, reused)
    assert reused.status == 400 and "Idempotency-Key" in errors[0]["description"], \
        f"{method} {path}: the same key with another body gave {reused.show()}"
    assert open311_problems(world, body, ref, before) == [], "the refused reuse changed something"
    assert open311_filed(world, other)[0] == [], "the refused reuse filed its case"


def test_issuing_an_open311_key_is_not_idempotent_on_purpose(world):
    """NOT_IDEMPOTENT: a retry of POST /open311/keys, even with an Idempotency-Key, issues a second key (the plaintext
    key is never kept to replay), and both are listed for the county admin to delete one."""
    token = world.token("county_admin")
    headers = {"Idempotency-Key": f"conc-{uuid.uuid4().hex}"}
    body = {"name": f"重试客户端{uuid.uuid4().hex[:6]}"}
    first, again = (world.api.post("/open311/keys", body, token=token, headers=headers) for _ in range(2))
    assert first.status_code == again.status_code == 201, (first.json, again.json)
    assert first.json["id"] != again.json["id"] and first.json["api_key"] != again.json["api_key"]
    listed = [k["id"] for k in world.get("/open311/keys", "county_admin")["items"] if k["name"] == body["name"]]
    assert sorted(listed) == sorted([first.json["id"], again.json["id"]])


# --- versioned edits -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Edit:
    other: Callable[[dict | None], dict | None]  # the second, different edit of the same record
    read: Callable[[World, str], dict]  # the stored record
    shows: Callable[[dict, dict | None], bool]  # does the stored record carry this edit?


def _member_of(w: World, path: str) -> dict:
    hh_path, mid = path.rsplit("/members/", 1)
    return next(m for m in w.get(hh_path, "grid_worker")["members"] if m["id"] == mid)


def _alert(w: World, path: str) -> dict:
    from chalicelib.daily_report.models import Alert

    a = Alert.get(*Alert.keys(w.c.code, path.split("/")[2]), consistent_read=True)
    return {"status": a.status, "note": a.note, "version": int(a.version)}


VERSIONED: dict[tuple[str, str], Edit] = {
    ("PUT", "/vanguard/rules"): Edit(
        lambda b: {**b, "rules": {"like": {"points": 2, "monthly_cap": 20}}},
        lambda w, p: {r["source"]: r for r in w.get(p, "villager")["rules"]},
        lambda rec, b: all(rec[k]["points"] == v["points"] and rec[k]["monthly_cap"] == v["monthly_cap"]
                           for k, v in b["rules"].items())),
    ("PUT", "/households/{hid}"): Edit(
        lambda b: {"address": "并发修改乙号"}, lambda w, p: w.get(p, "grid_worker"),
        lambda rec, b: rec["address"] == b["address"]),
    ("PUT", "/households/{hid}/members/{mid}"): Edit(
        lambda b: {"name": "并发改名乙"}, _member_of,
        lambda rec, b: rec["name"] == b["name"] and ("relation" not in b or rec["relation"] == b["relation"])),
    ("PUT", "/tipoffs/{tid}"): Edit(
        lambda b: {"status": "handling", "note": "正在核实"}, lambda w, p: w.get(p, "village_admin"),
        lambda rec, b: rec["status"] == b["status"] and rec.get("note") == b["note"]),
    ("PUT", "/reports/settings"): Edit(
        lambda b: {"cutoff": "09:30", "party_reminder_at": "08:30", "grid_reminder_at": "10:30"},
        lambda w, p: w.get(p, "county_admin"), lambda rec, b: all(rec[k] == v for k, v in b.items())),
    ("PUT", "/counties/{code}/modules"): Edit(
        lambda b: {"modules": ["tipoffs"]}, lambda w, p: w.get(p.rsplit("/modules", 1)[0], "operator"),
        lambda rec, b: sorted(rec["modules"]) == sorted(b["modules"])),
    ("PATCH", "/counties/{code}"): Edit(
        lambda b: {"contact": "并发修改乙 0570-7000002"}, lambda w, p: w.get(p, "operator"),
        lambda rec, b: rec["contact"] == b["contact"]),
    ("POST", "/alerts/{aid}/close"): Edit(
        lambda b: {"note": "并发办结乙"}, _alert,
        lambda rec, b: rec["status"] == "closed" and rec["note"] == b["note"]),
    ("PUT", "/workdays/{year}/{date}"): Edit(
        lambda b: {"kind": "off", "note": "并发修改乙"},
        lambda w, p: next((d for d in w.get(p.rsplit("/", 1)[0], "county_admin")["days"] if d["date"] == p[-10:]),
                          {"date": p[-10:], "kind": None, "note": None}),  # ordinary days are listed once set
        lambda rec, b: rec["kind"] == b["kind"] and rec.get("note") == b.get("note")),
    ("PUT", "/cases/types/{type}/categories"): Edit(
        lambda b: {"categories": [{**x, "name": x["name"] + "乙"} for x in b["categories"]]},
        lambda w, p: next(t for t in w.get("/cases/types", "county_admin")["items"] if t["id"] == p.split("/")[3]),
        lambda rec, b: [x["name"] for x in rec["categories"]] == [x["name"] for x in b["categories"]]),
    ("PUT", "/recruitment/jobs/{jid}"): Edit(
        lambda b: {**b, "title": b["title"] + "乙"}, lambda w, p: w.get(p, "employer"),
        lambda rec, b: rec["title"] == b["title"]),
    ("PUT", "/recruitment/profile"): Edit(
        lambda b: {**b, "name": b["name"] + "乙"}, lambda w, p: w.get(p, "villager"),
        lambda rec, b: rec["name"] == b["name"]),
    ("PUT", "/recruitment/alerts"): Edit(
        lambda b: {**b, "categories": ["技工"]}, lambda w, p: w.get(p, "villager"),
        lambda rec, b: rec["categories"] == b["categories"]),
    ("PUT", "/errands/items/{item_id}"): Edit(
        lambda b: {**b, "promised_days": 2}, lambda w, p: w.get(p, "county_admin"),
        lambda rec, b: rec["promised_days"] == b["promised_days"]),
    ("PUT", "/boards/criteria"): Edit(
        lambda b: {"criteria": [{**x, "weight": w} for x, w in zip(b["criteria"], (40, 40, 20), strict=True)]},
        lambda w, p: w.get(p, "county_admin"),
        lambda rec, b: [x["weight"] for x in rec["criteria"]] == [x["weight"] for x in b["criteria"]]),
    ("PUT", "/boards/villages/{village}/settings"): Edit(
        lambda b: {**b, "red_count": 3, "black_names": "number"}, lambda w, p: w.get(p, "village_admin"),
        lambda rec, b: rec["red_count"] == b["red_count"] and rec["black_names"] == b["black_names"]),
    ("PUT", "/volunteers/calls/{cid}"): Edit(
        lambda b: {**b, "title": b["title"] + "乙"}, lambda w, p: w.get(p, "village_admin"),
        lambda rec, b: rec["title"] == b["title"]),
    ("PUT", "/lectures/courses/{cid}"): Edit(
        lambda b: {**b, "title": b["title"] + "乙"}, lambda w, p: w.get(p, "county_admin"),
        lambda rec, b: rec["title"] == b["title"]),
    ("PUT", "/notices/{notice}"): Edit(
        lambda b: {**b, "title": b["title"] + "乙"}, lambda w, p: w.get(p, "village_admin"),
        lambda rec, b: rec["title"] == b["title"]),
    ("PUT", "/me/settings"): Edit(
        lambda b: {"sms_updates": True}, lambda w, p: w.get("/me", "villager"),
        lambda rec, b: rec["sms_updates"] == b["sms_updates"]),
    ("POST", "/alerts/{aid}/ack"): Edit(
        lambda b: None, _alert, lambda rec, b: rec["status"] == "acknowledged"),
}


# PUTs that set a state rather than edit a record (the same PUT twice, or two at once, is the same outcome), and why.
NOT_VERSIONED = {
    ("PUT", "/datarights/retention"): "sets the county's two periods whole (a setting, not a record edited field by "
                                      "field): the same PUT twice is no change; two at once leave one of them whole "
                                      "(the county record's own version makes the other 409)",
    ("PUT", "/places/{code}/location"): "sets a place's map point whole (lng and lat together): the same PUT twice is "
                                        "no change; two at once leave one point, never a mix",
    ("PUT", "/volunteers/me"): "a volunteer's own registration (skills, SMS), one item per person: the same PUT twice, "
                               "or two at once, leaves one of them whole, never a mix",
    ("PUT", "/lectures/videos/{vid}/progress"): "a heartbeat merges into the viewer's own progress item, conditional "
                                                "on the heartbeat count read (two tabs at once: the second reads "
                                                "again and adds its slices; never a lost slice or a 409)",
    ("PUT", "/vanguard/deeds/{did}/like"): "a like is one item per person and deed, put only if absent: a repeated "
                                           "or concurrent like is no change, never a conflict (20 people at once: "
                                           "tests/functional/test_vanguard.py)",
}


def test_every_put_route_is_a_versioned_edit_checked_here(app):
    puts = {(m.upper(), p) for p, ops in _document()["paths"].items() for m in ops if m in ("put", "patch")}
    assert puts, "no PUT route found in the OpenAPI document"
    missing = sorted(puts - set(VERSIONED) - set(NOT_VERSIONED))
    assert not missing, f"editing routes without a concurrent-edit check here: {missing}"


@pytest.mark.parametrize("route", sorted(VERSIONED), ids=[f"{m} {p}" for m, p in sorted(VERSIONED)])
def test_concurrent_edits_one_wins_the_other_is_409(app, world, route):
    method, _ = route
    case, edit = CASES[route], VERSIONED[route]
    path, body_a = case.build(world.c)
    edits = [body_a, edit.other(body_a)]
    token = world.token(case.owner)
    before = edit.read(world, path)

    with aws_calls() as calls:
        calls.hold_first_writes(2)
        index = iter(range(2))
        lock = threading.Lock()

        def send(lam):
            with lock:
                i = next(index)
            calls.join_rendezvous()
            return i, lam.request(method, path, edits[i], token=token)

        results = burst(app, 2, send)

    answers = {i: a for i, a in results}
    won = [i for i, a in answers.items() if a.status == 200]
    lost = [i for i, a in answers.items() if a.status == 409]
    shown = {i: a.show() for i, a in answers.items()}
    assert len(won) == 1 and len(lost) == 1, f"{method} {path}: want one 200 and one 409, got {shown}"
    loser = answers[lost[0]]
    assert set(loser.json) == {"error"} and loser.json["error"]["code"] and loser.json["error"]["message"], shown
    stored = edit.read(world, path)
    assert edit.shows(stored, edits[won[0]]), f"{method} {path}: stored {stored}, the winner sent {edits[won[0]]}"
    if "version" in stored:  # read from the table: saved once
        assert stored["version"] == before["version"] + 1, f"{method} {path}: version {before} -> {stored}"
    if edits[lost[0]] is not None and edits[lost[0]] != edits[won[0]]:
        assert not edit.shows(stored, edits[lost[0]]) or edit.shows(before, edits[lost[0]]), \
            f"{method} {path}: the losing edit {edits[lost[0]]} is stored too: {stored}"


def test_two_members_taking_one_new_id_number_at_once(app, world):
    """The ID-number index's condition decides between two edits of different households: one 200, one 409
    duplicate_id_number, and the index names the winner."""
    from chalicelib.core import pii
    from chalicelib.households.models import IdNumberIndex

    route = ("PUT", "/households/{hid}/members/{mid}")
    case = CASES[route]
    (path_a, body), (path_b, _) = case.build(world.c), case.build(world.c)
    paths = [path_a, path_b]
    before_b = _member_of(world, path_b)["id_number"]
    token = world.token(case.owner)

    with aws_calls() as calls:
        calls.hold_first_writes(2)
        index = iter(range(2))
        lock = threading.Lock()

        def send(lam):
            with lock:
                i = next(index)
            calls.join_rendezvous()
            return i, lam.request("PUT", paths[i], body, token=token)

        answers = dict(burst(app, 2, send))

    shown = {i: a.show() for i, a in answers.items()}
    won = [i for i, a in answers.items() if a.status == 200]
    lost = [i for i, a in answers.items() if a.status == 409 and a.error_code() == "duplicate_id_number"]
    assert len(won) == 1 and len(lost) == 1, f"want one 200 and one 409 duplicate_id_number, got {shown}"
    bidx = pii.county_blind_index(world.c.code, "idno", body["id_number"])  # the county's own blind-index key
    idx = IdNumberIndex.get(*IdNumberIndex.keys(world.c.code, bidx), consistent_read=True)
    assert idx.mid == paths[won[0]].rsplit("/", 1)[1], "the ID-number index does not name the winning member"
    loser = _member_of(world, paths[lost[0]])
    assert loser["id_number"] != body["id_number"] and loser["name"] != body["name"], "the losing edit was stored"
    if lost[0] == 1:
        assert loser["id_number"] == before_b
