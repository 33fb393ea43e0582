"""The local event runner: feeds the app's event handlers as Lambda would in AWS.

- DynamoDB streams: reads moto's stream of a table shard by shard (as an event source mapping does, in batches of
  at most 100) and calls the Chalice handler registered for it, through the app's middleware.
- Schedules: `tick()` calls every `@app.schedule` handler once (the local runner ticks once a minute; tests tick
  after moving the clock), then delivers the jobs they fanned out (below), so a tick is the whole scheduled work.
- SQS: `deliver()` receives each `@on_sqs_message` queue's messages (moto's SQS, in batches of the handler's
  batch size) and calls its handler as Lambda's event source mapping does, with ReportBatchItemFailures: the
  messages it reports failed stay in the queue and the others are deleted. A failed message is received again at
  once (locally the visibility timeout is `retry_after`, 0 by default, rather than the queue's minutes), so a job
  that keeps failing reaches the queue's redrive count and moves to the dead-letter queue within one `deliver()`.
  `run_job(name, at)` fans one job out as its schedule does, as of `at`, and delivers it (tests, /__dev/escalate).

`drain()` processes everything written so far and returns the number of records; tests call it to make the
asynchronous part of a request happen deterministically. `start()` runs a background thread for `make run`.
"""

from __future__ import annotations

import threading
import time
import uuid
from types import SimpleNamespace

from chalice.app import DynamoDBEventConfig, ScheduledEventConfig, SQSEventConfig

from chalicelib.core.aws import client
from chalicelib.core.config import settings


def lambda_context(name: str) -> SimpleNamespace:
    return SimpleNamespace(function_name=name, function_version="$LATEST", memory_limit_in_mb=256,
                           invoked_function_arn=f"arn:aws:lambda:local:000000000000:function:{name}",
                           aws_request_id=str(uuid.uuid4()), log_group_name=f"/aws/lambda/{name}",
                           log_stream_name="local", get_remaining_time_in_millis=lambda: 60_000)


class EventRunner:
    # One delivery at a time in the process (the background runner and a /__dev hook's runner share the queue): a
    # delivery that returns has seen every message sent before it started done, failed or dead-lettered.
    _delivering = threading.RLock()

    def __init__(self, app, retry_after: int = 0):
        self.app = app
        self.retry_after = retry_after
        self._iterators: dict[str, str] = {}  # shard id -> next iterator
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors: list[str] = []
        self.invoked: list[str] = []  # handler names of the SQS invocations (tick() returns them)
        self._queue_urls: dict[str, str] = {}

    # --- streams ---

    def _stream_handlers(self) -> list[tuple[str, str]]:
        """(table name, handler name) for each DynamoDB stream handler (the table the local stage provisions)."""
        s = settings()
        out = []
        for src in self.app.event_sources:
            if isinstance(src, DynamoDBEventConfig):
                table = s.submissions_table if src.stream_arn == s.submissions_stream_arn else None
                if table is None:
                    raise RuntimeError(f"no local table for stream {src.stream_arn}")
                out.append((table, src.name))
        return out

    def drain(self) -> int:
        """Process every stream record written so far. Returns how many records were handed to handlers."""
        with self._lock:
            total = 0
            for table, handler in self._stream_handlers():
                total += self._drain_table(table, handler)
            return total

    def _drain_table(self, table: str, handler: str) -> int:
        ddb, streams = client("dynamodb"), client("dynamodbstreams")
        arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        total = 0
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            sid = shard["ShardId"]
            it = self._iterators.get(sid) or streams.get_shard_iterator(
                StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while True:
                res = streams.get_records(ShardIterator=it, Limit=100)
                records = res.get("Records", [])
                nxt = res.get("NextShardIterator")
                if records:
                    self._invoke(handler, {"Records": [self._lambda_record(r, arn) for r in records]})
                    total += len(records)
                if nxt:
                    it = nxt
                self._iterators[sid] = it
                if not records or not nxt:
                    break
        return total

    @staticmethod
    def _lambda_record(r: dict, arn: str) -> dict:
        d = dict(r["dynamodb"])
        ts = d.get("ApproximateCreationDateTime", time.time())
        d["ApproximateCreationDateTime"] = ts.timestamp() if hasattr(ts, "timestamp") else ts
        d.setdefault("SizeBytes", 0)
        d.setdefault("StreamViewType", "NEW_AND_OLD_IMAGES")
        return {"eventID": r.get("eventID", uuid.uuid4().hex), "eventName": r["eventName"],
                "eventVersion": r.get("eventVersion", "1.1"), "eventSource": "aws:dynamodb",
                "awsRegion": r.get("awsRegion", settings().region), "dynamodb": d, "eventSourceARN": arn}

    def _invoke(self, name: str, event: dict):
        return self.app.handler_map[name](event, lambda_context(name))

    # --- SQS ---

    def deliver(self) -> list[tuple[dict, object]]:
        """Deliver every queue's visible messages to its handler until none is left; returns (message, result) of
        each job that ran (core.jobs listeners) and records each invocation's handler name in `self.invoked`."""
        from chalicelib.core import jobs

        done: list[tuple[dict, object]] = []

        def listen(body, result):
            done.append((body, result))

        with self._delivering:
            self.invoked = []
            jobs.listeners.append(listen)
            try:
                for src in self.app.event_sources:
                    if isinstance(src, SQSEventConfig):
                        self._deliver_queue(src)
            finally:
                jobs.listeners.remove(listen)
        return done

    def _deliver_queue(self, src: SQSEventConfig) -> None:
        sqs = client("sqs")
        if src.queue not in self._queue_urls:  # the event source mapping knows its queue: not a call per delivery
            self._queue_urls[src.queue] = sqs.get_queue_url(QueueName=src.queue)["QueueUrl"]
        url = self._queue_urls[src.queue]
        arn = f"arn:aws:sqs:{settings().region}:000000000000:{src.queue}"
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=min(src.batch_size, 10),
                                      VisibilityTimeout=self.retry_after, AttributeNames=["All"]).get("Messages", [])
            if not got:
                return
            records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                        "attributes": m.get("Attributes", {}), "messageAttributes": {},
                        "md5OfBody": m.get("MD5OfBody", ""), "eventSource": "aws:sqs", "eventSourceARN": arn,
                        "awsRegion": settings().region} for m in got]
            res = self._invoke(src.name, {"Records": records})
            self.invoked.append(src.name)
            failed = {f["itemIdentifier"] for f in (res or {}).get("batchItemFailures", [])}
            for m in got:
                if m["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    def run_job(self, name: str, at=None) -> dict[str, object]:
        """Fan the job `name` out as its schedule does, as of `at` (now), and deliver it: {unit: result} of the
        units whose job returned something (unit: the county, or county/township)."""
        from chalicelib.core import jobs

        jobs.fan_out(name, at)
        return {f"{b['county']}/{b['township']}" if b.get("township") else b["county"]: r
                for b, r in self.deliver() if b["job"] == name and r}

    # --- schedules ---

    def fire(self, name: str) -> None:
        """Call the scheduled handler `name` once, as EventBridge does (it only fans its job out)."""
        self._invoke(name, {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                            "source": "aws.events", "account": "000000000000",
                            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                            "region": settings().region, "resources": [], "detail": {}})

    def tick(self) -> list[str]:
        """Call every scheduled handler once, then deliver the jobs they fanned out. Returns the handlers invoked:
        each schedule, then the queue's worker once per invocation."""
        ran = []
        for src in self.app.event_sources:
            if isinstance(src, ScheduledEventConfig):
                self.fire(src.name)
                ran.append(src.name)
        self.deliver()
        return ran + self.invoked

    # --- background loop for the local stack ---

    def start(self, stream_interval: float = 0.5, tick_interval: float = 60.0) -> None:
        def loop():
            next_tick = time.monotonic()
            while not self._stop.wait(stream_interval):
                try:
                    self.drain()
                    self.deliver()  # retries once their visibility timeout has passed (retry_after)
                    if time.monotonic() >= next_tick:
                        self.tick()
                        next_tick = time.monotonic() + tick_interval
                except Exception as e:  # noqa: BLE001 - a failed batch is retried on the next round, as in AWS
                    self.errors.append(repr(e))
                    print(f"[events] handler failed, will retry: {e!r}", flush=True)

        self._thread = threading.Thread(target=loop, name="event-runner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
