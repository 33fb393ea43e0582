"""Scheduled work through the jobs queue (chalicelib/core/jobs.py): a schedule only fans its job out, one message per
county (per township of a large one), and the queue's worker runs one county or township an invocation; a job that
fails is delivered again alone, and after jobs.MAX_RECEIVES receives waits in the dead-letter queue."""

from __future__ import annotations

import collections
import json

import pytest

from chalicelib.core import jobs
from chalicelib.core.aws import client as aws_client
from chalicelib.core.config import settings
from tests.conftest import County
from tests.functional.test_daily_report import morning  # noqa: F401 - fixture


@pytest.fixture
def spy(events, monkeypatch):
    """The worker's invocations by the local runner: the messages of each."""
    invocations: list[list[dict]] = []
    invoke = events._invoke

    def wrapped(name, event):
        if name == "run_jobs":
            invocations.append([json.loads(r["body"]) for r in event["Records"]])
        return invoke(name, event)

    monkeypatch.setattr(events, "_invoke", wrapped)
    return invocations


def grid_titles(c: County, token: str) -> list[str]:
    r = c.api.get("/inbox?limit=50", token=token)
    assert r.status_code == 200, r.json
    return sorted(m["title"] for m in r.json["items"] if "网格兜底" in m["title"])


def test_a_tick_fans_out_per_county_and_per_township_of_a_large_one(client, operator_token, events, spy, morning,  # noqa: F811
                                                                   monkeypatch):
    small, large = County(client, operator_token), County(client, operator_token)
    t2 = large.code + "002"
    for code, name in ((t2, "第二街道"), (t2 + "201", "第二村"), (t2 + "201G01", "第二村网格")):
        assert client.post("/places", {"code": code, "name": name},
                           token=large.tokens["county_admin"]).status_code == 201
    gw1_phone, gw1 = large.phones["grid_worker"], large.tokens["grid_worker"]
    gw2 = large.add_staff("grid_worker", t2 + "201G01")
    gw2_phone = large.phones["grid_worker"]
    large.household(token=gw1), large.household(grid=t2 + "201G01", token=gw2)
    small.household()
    for c in (small, large):
        assert c.api.put("/reports/settings", {"cutoff": "10:00", "party_reminder_at": "09:00",
                                               "grid_reminder_at": "11:00"},
                         token=c.tokens["county_admin"]).status_code == 200
    monkeypatch.setattr(jobs, "TOWNSHIP_SPLIT_HOUSEHOLDS", 1)  # `large` has 2 households, `small` 1
    morning.advance(hours=3, minutes=1)  # 11:01: both reminder stages are due

    # The schedule's own invocation runs no job: it only sends messages.
    ran: list = []
    jobs.listeners.append(lambda body, result: ran.append(body))
    try:
        events.fire("report_reminders")
    finally:
        jobs.listeners.pop()
    assert ran == []
    invoked = events.tick()
    assert "report_reminders" in invoked and "case_escalation" in invoked and "run_jobs" in invoked

    mine = sorted((b["job"], b["county"], b["township"] or "") for inv in spy for b in inv
                  if b["county"] in (small.code, large.code) and b["job"] in ("case_escalation", "report_reminders"))
    # report_reminders twice: the fire above, then the tick; escalation once (the tick)
    assert mine == sorted([("case_escalation", large.code, ""), ("case_escalation", small.code, ""),
                           *[("report_reminders", large.code, large.township)] * 2,
                           *[("report_reminders", large.code, t2)] * 2,
                           *[("report_reminders", small.code, "")] * 2])
    assert all(len(inv) == 1 for inv in spy), "one county or township an invocation"
    assert invoked.count("run_jobs") == len(spy)
    one = next(b for inv in spy for b in inv if b["county"] == large.code and b["township"] == t2)
    assert one["id"].startswith(f"report_reminders:{large.code}:{t2}:")  # the same for a duplicate delivery

    # Each township's grid workers heard about their own grid, once, though the schedule fired twice.
    gw1, gw2 = (large.api.sign_in(p, large.code)["access_token"] for p in (gw1_phone, gw2_phone))
    assert grid_titles(large, gw1) == ["网格兜底：第一网格 1 户今日尚未上报"]
    assert grid_titles(large, gw2) == ["网格兜底：第二村网格 1 户今日尚未上报"]
    sm = small.api.sign_in(small.phones["grid_worker"], small.code)["access_token"]
    assert grid_titles(small, sm) == ["网格兜底：第一网格 1 户今日尚未上报"]
    # The county falls back under the threshold the same day: it runs whole now, and not again.
    monkeypatch.setattr(jobs, "TOWNSHIP_SPLIT_HOUSEHOLDS", 20_000)
    assert events.run_job("report_reminders").get(large.code) is None
    assert grid_titles(large, gw1) == ["网格兜底：第一网格 1 户今日尚未上报"]
    assert grid_titles(large, gw2) == ["网格兜底：第二村网格 1 户今日尚未上报"]


def test_a_failing_job_is_retried_alone_then_dead_lettered_and_replayed(client, operator_token, events):
    a, b, c = (County(client, operator_token) for _ in range(3))
    ours = {a.code, b.code, c.code}
    calls: collections.Counter = collections.Counter()
    broken = {b.code}

    @jobs.job("test_flaky", units=lambda county: [None] if county in ours else [])
    def flaky(county, township, at):
        calls[county] += 1
        if county == a.code and calls[county] <= 2:
            raise RuntimeError("a passing failure")
        if county in broken:
            raise RuntimeError("always fails")
        return "ok"

    sqs = aws_client("sqs")
    main = sqs.get_queue_url(QueueName=settings().jobs_queue)["QueueUrl"]
    dlq = sqs.get_queue_url(QueueName=f"{settings().jobs_queue}-dlq")["QueueUrl"]

    def depth(url):
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                       "ApproximateNumberOfMessagesNotVisible"])
        return sum(int(v) for v in attrs["Attributes"].values())

    try:
        assert events.run_job("test_flaky") == {a.code: "ok", c.code: "ok"}  # retried until done; the others once
        assert calls == {a.code: 3, b.code: jobs.MAX_RECEIVES, c.code: 1}
        assert depth(main) == 0 and depth(dlq) == 1  # b's message, after MAX_RECEIVES failed receives

        broken.clear()  # fixed: replay the dead letters
        moved = jobs.replay()
        assert [(m["job"], m["county"], m["township"]) for m in moved] == [("test_flaky", b.code, None)]
        assert moved[0]["id"].startswith(f"test_flaky:{b.code}:-:")  # the same message, as scheduled
        assert depth(dlq) == 0
        assert [(body["county"], r) for body, r in events.deliver()] == [(b.code, "ok")]
        assert calls[b.code] == jobs.MAX_RECEIVES + 1 and depth(main) == 0
    finally:
        jobs._jobs.pop("test_flaky")


def test_the_worker_reports_only_the_failed_messages_of_a_batch():
    """ReportBatchItemFailures: a batch's failed messages (a job that raised, a message nobody can read) are named,
    the others are done and deleted."""
    done = []

    @jobs.job("test_batch")
    def run(county, township, at):
        if county == "330002":
            raise ValueError("boom")
        done.append(county)

    def rec(mid: str, body) -> dict:
        return {"messageId": mid, "body": body if isinstance(body, str) else json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"}}

    msg = {"job": "test_batch", "township": None, "at": "2026-12-07T01:00:00+00:00", "id": "x"}
    try:
        res = jobs.handle([rec("m1", {**msg, "county": "330001"}), rec("m2", {**msg, "county": "330002"}),
                           rec("m3", "not json"), rec("m4", {**msg, "job": "nobody", "county": "330004"}),
                           rec("m5", {**msg, "county": "330005"})])
    finally:
        jobs._jobs.pop("test_batch")
    assert res == {"batchItemFailures": [{"itemIdentifier": m} for m in ("m2", "m3", "m4")]}
    assert done == ["330001", "330005"]


def test_jobs_come_from_the_manifests_and_every_schedule_runs_through_the_queue(app):
    from chalicelib.core import modules

    assert modules.jobs() == {"case_escalation": "chalicelib.cases.schedule",
                              "report_reminders": "chalicelib.daily_report.reminders",
                              "notice_sms": "chalicelib.notices.sms",
                              "recruitment_alerts": "chalicelib.recruitment.alerts",
                              "volunteer_broadcast": "chalicelib.volunteers.broadcast",
                              "interview_channels": "chalicelib.interviews.channels",
                              "quality_rollup": "chalicelib.backoffice.schedule",
                              "quarterly_report": "chalicelib.backoffice.report",
                              "insights_rollup": "chalicelib.insights.rollup",
                              "data_retention": "chalicelib.datarights.retention",
                              "county_export": "chalicelib.datarights.export",
                              "lecture_renditions": "chalicelib.lectures.cleanup"}
    # submitted by a request (jobs.submit), never scheduled
    on_demand = {"quarterly_report", "county_export", "lecture_renditions"}
    schedules = {name for m in modules.all_modules() for name in m.schedules}
    assert schedules == set(modules.jobs()) - on_demand  # no schedule walks the counties itself
    assert jobs.get("quality_rollup").module == "daily_report" and jobs.get("quarterly_report").module is None
    assert jobs.get("report_reminders").module == "daily_report"  # only counties that switched it on
    assert jobs.get("case_escalation").module is None and jobs.get("case_escalation").units is None


def test_a_claim_left_by_a_killed_run_is_taken_over_by_the_retry(client, operator_token, events, morning):  # noqa: F811
    """A reminder stage's run killed by a timeout cannot release its claim; the message comes back (after the
    visibility timeout) and, once the claim is older than reminders.ABANDONED_AFTER, runs the stage. A claim
    being worked on (younger) is left alone."""
    import datetime as dt

    from chalicelib.core import clock
    from chalicelib.daily_report.models import Job
    from chalicelib.daily_report.reminders import ABANDONED_AFTER

    c = County(client, operator_token)
    assert c.api.put("/reports/settings", {"cutoff": "10:00", "party_reminder_at": "09:00",
                                           "grid_reminder_at": "11:00"},
                     token=c.tokens["county_admin"]).status_code == 200
    c.household()
    morning.advance(hours=3, minutes=1)
    date = clock.today().isoformat()
    old = clock.iso(clock.now() - ABANDONED_AFTER - dt.timedelta(minutes=1))
    Job(*Job.keys(c.code, date, "grid"), started_at=old).save()  # killed: no result
    Job(*Job.keys(c.code, date, "party"), started_at=clock.iso(clock.now() - dt.timedelta(minutes=1))).save()
    done = events.run_job("report_reminders")[c.code]
    assert list(done) == [f"{c.code}:grid"] and done[f"{c.code}:grid"]["grids"] == 1
    assert Job.get(*Job.keys(c.code, date, "grid")).result  # the retry's claim, with its result
    assert events.run_job("report_reminders").get(c.code) is None  # and not again


def test_a_job_someone_asked_for_runs_once_on_the_worker(client, operator_token, events):
    """jobs.submit: one message for one county and the request's item (its unit); the worker runs it; a job no
    manifest declares is refused before anything is sent."""
    a = County(client, operator_token)
    ran = []

    @jobs.job("test_on_demand")
    def on_demand(county, unit, at):
        ran.append((county, unit))
        return "done"

    try:
        mid = jobs.submit("test_on_demand", a.code, "REQ123")
        assert mid.startswith(f"test_on_demand:{a.code}:REQ123:")
        assert [(body["county"], body["township"], r) for body, r in events.deliver()] == [(a.code, "REQ123", "done")]
        assert ran == [(a.code, "REQ123")]
        with pytest.raises(KeyError):
            jobs.submit("no_such_job", a.code, "x")
    finally:
        jobs._jobs.pop("test_on_demand")
