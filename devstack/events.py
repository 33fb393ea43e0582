"""The local event runner: feeds the app's event handlers as Lambda would in AWS.

- DynamoDB streams: reads moto's stream of a table shard by shard (as an event source mapping does, in batches of
  at most 100) and calls the Chalice handler registered for it, through the app's middleware.
- Schedules: `tick()` calls every `@app.schedule` handler once (the local runner ticks once a minute; tests tick
  after moving the clock).

`drain()` processes everything written so far and returns the number of records; tests call it to make the
asynchronous part of a request happen deterministically. `start()` runs a background thread for `make run`.
"""

from __future__ import annotations

import threading
import time
import uuid
from types import SimpleNamespace

from chalice.app import DynamoDBEventConfig, ScheduledEventConfig

from chalicelib.core.aws import client
from chalicelib.core.config import settings


def lambda_context(name: str) -> SimpleNamespace:
    return SimpleNamespace(function_name=name, function_version="$LATEST", memory_limit_in_mb=256,
                           invoked_function_arn=f"arn:aws:lambda:local:000000000000:function:{name}",
                           aws_request_id=str(uuid.uuid4()), log_group_name=f"/aws/lambda/{name}",
                           log_stream_name="local", get_remaining_time_in_millis=lambda: 60_000)


class EventRunner:
    def __init__(self, app):
        self.app = app
        self._iterators: dict[str, str] = {}  # shard id -> next iterator
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.errors: list[str] = []

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

    # --- schedules ---

    def tick(self) -> list[str]:
        """Call every scheduled handler once (a scheduled event as EventBridge sends it)."""
        ran = []
        for src in self.app.event_sources:
            if isinstance(src, ScheduledEventConfig):
                self._invoke(src.name, {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                                        "source": "aws.events", "account": "000000000000",
                                        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                                        "region": settings().region, "resources": [], "detail": {}})
                ran.append(src.name)
        return ran

    # --- background loop for the local stack ---

    def start(self, stream_interval: float = 0.5, tick_interval: float = 60.0) -> None:
        def loop():
            next_tick = time.monotonic()
            while not self._stop.wait(stream_interval):
                try:
                    self.drain()
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
