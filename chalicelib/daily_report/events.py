"""Reactions of the daily report, fed by the `submissions` table's stream (and, under the local runner, by
devstack/events.py from moto's stream):

- a day status inserted or changed → its difference to the previous version goes into the completion counters of
  its grid, village, township and county, exactly once (an `Applied` marker in the same transaction);
- an alert inserted → published on the alerts topic;

and, every 5 minutes, the reminder chain's due stages (reminders.run_due).

Records of other kinds are ignored; so are removals (TTL expiry must not uncount a day).
"""

from __future__ import annotations

import json
import random
import time
import zlib

from chalice import Blueprint, Rate
from pynamodb.exceptions import TransactWriteError

from ..core import pii
from ..core.config import settings
from ..core.db import cancellation_codes, transact
from ..core.observability import logger
from . import alerts, reminders
from .models import COUNTER_FIELDS, SHARDS, Applied, Counter, DayStatus
from .service import COUNTER_DAYS, expires_in

bp = Blueprint(__name__)

DAY_KIND, ALERT_KIND = "daily_report_day", "daily_report_alert"


def _vector(tenant: str, day: DayStatus | None) -> dict[str, int]:
    if day is None:
        return dict.fromkeys(COUNTER_FIELDS, 0)
    s = json.loads(pii.decrypt(tenant, day.summary_enc))
    outside = int(day.outside_persons or 0)
    return {"reported": 1, "on_time": int(bool(day.on_time)), "proxy": int(bool(day.proxy)),
            "green": s["green"], "yellow": s["yellow"], "red": s["red"],
            "alert_households": int(s["yellow"] + s["red"] > 0), "outside_households": int(outside > 0),
            "outside_persons": outside}


def counter_targets(tenant: str, date: str, grid: str, hid: str) -> list[tuple[str, str]]:
    """Grid and village exactly; township and county through one of SHARDS items chosen by the household."""
    shard = zlib.crc32(hid.encode()) % SHARDS
    return [Counter.keys(tenant, date, grid), Counter.keys(tenant, date, grid[:12]),
            Counter.keys(tenant, date, grid[:9], shard), Counter.keys(tenant, date, tenant, shard)]


def apply_day_change(old: DayStatus | None, new: DayStatus) -> bool:
    """Add new − old to the counters once. Returns False when this version was applied before."""
    tenant = new.pk.split("#", 1)[0]
    a, b = _vector(tenant, old), _vector(tenant, new)
    delta = {f: b[f] - a[f] for f in COUNTER_FIELDS if b[f] != a[f]}
    marker = Applied(*Applied.keys(tenant, new.hid, new.date, int(new.version)), expires=expires_in(7))
    for attempt in range(6):
        try:
            with transact() as tx:
                tx.save(marker, condition=Applied.pk.does_not_exist())
                if delta:
                    for pk, sk in counter_targets(tenant, new.date, new.grid, new.hid):
                        tx.update(Counter(pk, sk), actions=[getattr(Counter, f).add(v) for f, v in delta.items()]
                                  + [Counter.expires.set(expires_in(COUNTER_DAYS))])
            return True
        except TransactWriteError as e:
            reasons = cancellation_codes(e)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False
            if attempt == 5:
                raise
            time.sleep(min(1.0, 0.02 * 2 ** attempt) * random.random())  # a conflict on a shard: back off
    return False


def _image(model, raw: dict | None):
    return model.from_raw_data(raw) if raw else None


def handle_records(records: list[dict]) -> dict[str, int]:
    """Process raw stream records (Lambda's DynamoDB event `Records`). Returns what was done, for logs/tests."""
    done = {"counted": 0, "duplicates": 0, "published": 0}
    for rec in records:
        if rec.get("eventName") not in ("INSERT", "MODIFY"):
            continue
        ddb = rec["dynamodb"]
        new_raw, old_raw = ddb.get("NewImage"), ddb.get("OldImage")
        kind = (new_raw or {}).get("kind", {}).get("S")
        if kind == DAY_KIND:
            old = _image(DayStatus, old_raw)
            if old is not None and old.version == _image(DayStatus, new_raw).version:
                continue  # not a new version (e.g. a TTL attribute touched)
            if apply_day_change(old, _image(DayStatus, new_raw)):
                done["counted"] += 1
            else:
                done["duplicates"] += 1
        elif kind == ALERT_KIND and rec["eventName"] == "INSERT":
            tenant = new_raw["pk"]["S"].split("#", 1)[0]
            if alerts.publish(tenant, new_raw["aid"]["S"]):
                done["published"] += 1
    if any(done.values()):
        logger.info("daily report events", extra=done)
    return done


@bp.on_dynamodb_record(stream_arn=settings().submissions_stream_arn, batch_size=100,
                       starting_position="TRIM_HORIZON")
def on_submissions_change(event):
    handle_records([r.to_dict() for r in event])


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="report_reminders")
def report_reminders(event):
    done = reminders.run_due()
    if done:
        logger.info("report reminders", extra={"stages": list(done)})
