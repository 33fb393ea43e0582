"""Scheduled work, one county (or one township of a large county) at a time, through the jobs queue.

A schedule (a module's `@bp.schedule` handler) only *fans out*: `fan_out(name)` sends the jobs queue one message
per active county that uses the job's module, or one per township where the job splits a large county (its
`units`, see TOWNSHIP_SPLIT_HOUSEHOLDS); the queue's worker (`run_jobs`, one Lambda function fed by an event source
mapping, one message an invocation) runs that message's job for that one county or township. No invocation walks
more than one county, and none walks the whole of a large one.

- **Registration:** a module registers a job with `@job("name", module=..., units=...)` in the module its manifest
  names (`jobs`: job name -> dotted module); core imports it when the job is first fanned out or run, and names no
  module itself.
- **On demand:** `submit(name, county, unit)` sends one message for a job someone asked for (a report, an export);
  its `unit` is the id of the request's item, which holds the work and its progress.
- **Message:** `{"job", "county", "township", "at", "id"}`. `at` is the time the schedule fired, which the job runs
  as (a retry an hour later still does that run's work); `id` (job:county:township:at) is the same for a duplicate
  delivery. Jobs are idempotent (each says how), so a duplicate or a retry does nothing twice.
- **Failure:** a job that raises is logged with its message and reported failed in the batch response
  (ReportBatchItemFailures): SQS delivers that message again once the queue's visibility timeout has passed, the
  other messages of the batch are not run again; after MAX_RECEIVES receives it moves to the jobs dead-letter
  queue, whose depth raises an alarm (docs/operations.md, "Scheduled work": replaying). A message nobody can read
  (not JSON, unknown job) fails the same way, never silently.

Light at import (app.py imports it for the worker's registration): boto3 and the jobs' modules when first used.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from chalice import Blueprint

from .config import settings
from .observability import logger

bp = Blueprint(__name__)

# A county with more registered households than this is split per township by the jobs that split (e.g. the
# daily-report reminders: their work is proportional to households). A Longyou-sized county (130,000 households,
# 15 townships) runs as 15 units of ~9,000; a county of up to 20,000 reads at most ~20,000 household items (about
# 10 one-MB Query pages and 200 BatchGets), a few seconds of one invocation, well inside the worker's timeout.
TOWNSHIP_SPLIT_HOUSEHOLDS = 20_000
# One message an invocation: a unit's failure, crash or timeout can only ever retry that unit (a partial batch
# response does not cover a timeout, which fails the whole batch), and one invocation never runs two counties.
# Each unit is a few seconds; an invocation costs US$0.0000002. The handler reports per message all the same, so
# a larger batch stays correct. The queue's redrive (infra/cqt_infra/stack.py) moves a message to the DLQ at its
# MAX_RECEIVES-th failed receive; the visibility timeout is VISIBILITY_TIMEOUTS times the worker's timeout (AWS's
# advice for event source mappings).
BATCH_SIZE = 1
MAX_RECEIVES = 5
VISIBILITY_TIMEOUTS = 6

Unit = str | None  # a township code, or None for the whole county


class Job(NamedTuple):
    name: str
    run: Callable[[str, Unit, dt.datetime], Any]  # (county, township or None, scheduled time) -> result to log
    module: str | None  # counties that switched this module on (None: every active county)
    units: Callable[[str], list[Unit]] | None  # county -> its units ([None]: the county in one piece)


_jobs: dict[str, Job] = {}
# Called with (message, result) after each job that ran: the local event runner collects what ran (tests, the
# local stack's /__dev hooks). Nobody listens in AWS, where the worker's log line says it.
listeners: list[Callable[[dict, Any], None]] = []


def job(name: str, *, module: str | None = None, units: Callable[[str], list[Unit]] | None = None):
    """Register `fn(county, township, at)` as the job `name` (the manifest lists the module that calls this)."""
    def deco(fn):
        _jobs[name] = Job(name, fn, module, units)
        return fn
    return deco


def split_by_township(households: int, townships: list[str]) -> list[Unit]:
    """The units of a county of `households` registered households: itself, or its townships when it is large."""
    if households > TOWNSHIP_SPLIT_HOUSEHOLDS and townships:
        return list(townships)
    return [None]


def get(name: str) -> Job:
    if name not in _jobs:
        from . import modules

        modules.ensure_registered()
        module = modules.jobs().get(name)
        if module is None:
            raise KeyError(f"no manifest declares the job {name!r}")
        importlib.import_module(module)
        if name not in _jobs:
            raise KeyError(f"{module} does not register the job {name!r}")
    return _jobs[name]


def message_id(name: str, county: str, township: Unit, at: dt.datetime) -> str:
    return f"{name}:{county}:{township or '-'}:{at.astimezone(dt.UTC).strftime('%Y%m%dT%H%M%SZ')}"


def messages(name: str, at: dt.datetime) -> list[dict]:
    """What one firing of the schedule `name` sends: one message per unit of every county it concerns."""
    from . import counties

    j = get(name)
    out = []
    for county in counties.active_with(j.module):
        for unit in (j.units(county.code) if j.units else [None]):
            out.append({"job": name, "county": county.code, "township": unit, "at": at.isoformat(),
                        "id": message_id(name, county.code, unit, at)})
    return out


_url: str | None = None


def queue_url() -> str:
    global _url
    if _url is None:
        s = settings()
        if s.jobs_queue_url:
            _url = s.jobs_queue_url
        else:
            from .aws import client

            _url = client("sqs").get_queue_url(QueueName=s.jobs_queue)["QueueUrl"]
    return _url


def fan_out(name: str, at: dt.datetime | None = None) -> int:
    """Send the jobs queue one message per unit of the job `name`, as scheduled at `at` (now); returns how many.
    Raises if SQS refuses any (the schedule's invocation fails and is retried: Lambda's asynchronous retries, then
    the DLQ)."""
    from . import clock
    from .aws import client

    at = at or clock.now()
    msgs = messages(name, at)
    sqs, url = client("sqs"), queue_url()
    for i in range(0, len(msgs), 10):  # SendMessageBatch takes 10
        batch = msgs[i:i + 10]
        res = sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": json.dumps(m, ensure_ascii=False)} for n, m in enumerate(batch)])
        if res.get("Failed"):
            raise RuntimeError(f"jobs queue refused {len(res['Failed'])} of {name}'s messages: {res['Failed']}")
    logger.info("jobs fanned out", extra={"job": name, "messages": len(msgs)})
    return len(msgs)


def submit(name: str, county: str, unit: str, at: dt.datetime | None = None) -> str:
    """Send the jobs queue one message for an on-demand job: someone asked for it (a quarterly report, a county's
    export), and the request's own item holds what to do. `unit` names that item (the job loads it, as a scheduled
    job loads its township); the job reports its progress on the item, and a duplicate delivery finds the work done
    there. Returns the message id; raises if SQS refuses it."""
    from . import clock
    from .aws import client

    get(name)  # a job nobody registered is refused here, not on the worker
    at = at or clock.now()
    body = {"job": name, "county": county, "township": unit, "at": at.isoformat(),
            "id": message_id(name, county, unit, at)}
    client("sqs").send_message(QueueUrl=queue_url(), MessageBody=json.dumps(body, ensure_ascii=False))
    logger.info("job submitted", extra={"job": name, "county": county, "job_id": body["id"]})
    return body["id"]


def replay(limit: int | None = None) -> list[dict]:
    """Move the jobs dead-letter queue's messages (`{jobs_queue}-dlq`) back to the jobs queue, once what made them
    fail is fixed (scripts/replay_jobs.py; SQS's own DLQ redrive does the same where the console or CLI is at hand).
    Each is sent again before it is deleted from the DLQ: a failure in between leaves a duplicate, which the jobs'
    idempotency makes harmless. Returns the messages moved."""
    from .aws import client

    sqs = client("sqs")
    dlq = sqs.get_queue_url(QueueName=f"{settings().jobs_queue}-dlq")["QueueUrl"]
    url, moved = queue_url(), []
    while limit is None or len(moved) < limit:
        n = 10 if limit is None else min(10, limit - len(moved))
        got = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=n, VisibilityTimeout=60).get("Messages", [])
        if not got:
            break
        for m in got:
            sqs.send_message(QueueUrl=url, MessageBody=m["Body"])
            sqs.delete_message(QueueUrl=dlq, ReceiptHandle=m["ReceiptHandle"])
            moved.append(json.loads(m["Body"]))
    if moved:
        logger.warning("jobs replayed from the DLQ", extra={"messages": len(moved)})
    return moved


def run(body: dict) -> Any:
    """Run one message's job for its county or township."""
    j = get(body["job"])
    return j.run(body["county"], body.get("township"), dt.datetime.fromisoformat(body["at"]))


def handle(records: list[dict]) -> dict:
    """The worker: each record's job, and the partial batch response naming the ones that failed (retried)."""
    failed = []
    for rec in records:
        body: dict = {}
        try:
            body = json.loads(rec["body"])
            result = run(body)
        except Exception:  # noqa: BLE001 - logged and reported failed: SQS delivers it again, then the DLQ
            logger.exception("job failed, will be retried", extra={
                "job": body.get("job"), "county": body.get("county"), "township": body.get("township"),
                "job_id": body.get("id"), "message_id": rec.get("messageId"),
                "receive_count": (rec.get("attributes") or {}).get("ApproximateReceiveCount")})
            failed.append({"itemIdentifier": rec["messageId"]})
            continue
        logger.info("job done", extra={"job": body["job"], "county": body["county"],
                                       "township": body.get("township"), "job_id": body.get("id"),
                                       "result": result if isinstance(result, int | str | None) else str(result)})
        for listener in listeners:
            listener(body, result)
    return {"batchItemFailures": failed}


@bp.on_sqs_message(queue=settings().jobs_queue, batch_size=BATCH_SIZE, name="run_jobs")
def run_jobs(event):
    return handle([r.to_dict() for r in event])
