"""Reactions of the daily report to the `submissions` table's stream (dispatched by core/streams.py; under the
local runner devstack/events.py feeds it from moto's stream):

- a day status inserted or changed → its difference to the previous version goes into the completion counters of
  its grid, village, township and county, exactly once (an `Applied` marker in the same transaction);
- an alert inserted → published on the alerts topic;

and, every 5 minutes, the reminder chain's due stages (reminders.run_due).

Removals are not passed on (TTL expiry must not uncount a day).
"""

from __future__ import annotations

import json
import random
import time
import zlib

from chalice import Blueprint, Rate
from pynamodb.exceptions import TransactWriteError

from ..core import pii, streams
from ..core.db import cancellation_codes, transact
from ..core.observability import logger
from . import alerts, reminders
from .models import COUNTER_FIELDS, SHARDS, Applied, Counter, DayStatus
from .service import COUNTER_DAYS, expires_in

bp = Blueprint(__name__)

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
                                  + [Counter.expires.set(expires_in(COUNTER_DAYS)), Counter.kind.set(Counter)])
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


@streams.on_record("daily_report_day")
def on_day_status(event: str, new: dict | None, old_raw: dict | None) -> str | None:
    new_day, old = _image(DayStatus, new), _image(DayStatus, old_raw)
    if old is not None and old.version == new_day.version:
        return None  # not a new version (e.g. only a TTL attribute touched)
    return "counted" if apply_day_change(old, new_day) else "duplicate"


@streams.on_record("daily_report_alert")
def on_alert(event: str, new: dict | None, old: dict | None) -> str | None:
    if event != "INSERT":
        return None
    tenant = new["pk"]["S"].split("#", 1)[0]
    return "published" if alerts.publish(tenant, new["aid"]["S"]) else None


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="report_reminders")
def report_reminders(event):
    done = reminders.run_due()
    if done:
        logger.info("report reminders", extra={"stages": list(done)})
