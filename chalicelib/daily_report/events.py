"""Reactions of the daily report to the `submissions` table's stream (dispatched by core/streams.py; under the
local runner devstack/events.py feeds it from moto's stream):

- day statuses inserted or changed → their differences to the previous versions go into the completion counters
  of their grid, village, township and county, exactly once (an `Applied` marker per version in the same
  transaction). A batch is applied in chunks of CHUNK versions, summed per counter: one transaction per chunk
  instead of one per report, and the chunk's township and county sums go to ONE shard each (a read adds up all
  shards), so a morning peak puts a few transactions a second on each county shard instead of dozens;
- an alert inserted → published on the alerts topic;

(every 5 minutes, the reminder chain's due stages run from schedule.py).

Removals are not passed on (TTL expiry must not uncount a day).
"""

from __future__ import annotations

import json
import random
import time
import zlib

from pynamodb.exceptions import TransactWriteError

from ..core import pii, streams
from ..core.db import cancellation_codes, transact
from . import alerts
from .models import COUNTER_FIELDS, SHARDS, Applied, Counter, DayStatus
from .service import COUNTER_DAYS, expires_in


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


CHUNK = 20  # versions per transaction: 20 markers + ≤ 20 grid, 20 village, 20 township and 1 county counter ≤ 100


def apply_day_changes(pairs: list[tuple[DayStatus | None, DayStatus]]) -> dict[str, int]:
    """Apply several day-status versions in one transaction: a marker each, their deltas summed per counter. If a
    marker already exists (a redelivered batch), fall back to one transaction per version."""
    markers, sums, rng = [], {}, random.Random()
    county_shard, township_shard = {}, {}
    for old, new in pairs:
        tenant = new.pk.split("#", 1)[0]
        a, b = _vector(tenant, old), _vector(tenant, new)
        delta = {f: b[f] - a[f] for f in COUNTER_FIELDS if b[f] != a[f]}
        markers.append(Applied(*Applied.keys(tenant, new.hid, new.date, int(new.version)), expires=expires_in(7)))
        cs = county_shard.setdefault((tenant, new.date), rng.randrange(SHARDS))
        ts = township_shard.setdefault((tenant, new.date, new.grid[:9]), rng.randrange(SHARDS))
        for target in (Counter.keys(tenant, new.date, new.grid), Counter.keys(tenant, new.date, new.grid[:12]),
                       Counter.keys(tenant, new.date, new.grid[:9], ts), Counter.keys(tenant, new.date, tenant, cs)):
            acc = sums.setdefault(target, {})
            for f, v in delta.items():
                acc[f] = acc.get(f, 0) + v
    for attempt in range(6):
        try:
            with transact() as tx:
                for m in markers:
                    tx.save(m, condition=Applied.pk.does_not_exist())
                for (pk, sk), acc in sums.items():
                    actions = [getattr(Counter, f).add(v) for f, v in acc.items() if v]
                    if actions:
                        tx.update(Counter(pk, sk), actions=actions + [Counter.expires.set(expires_in(COUNTER_DAYS)),
                                                                      Counter.kind.set(Counter)])
            return {"counted": len(pairs)}
        except TransactWriteError as e:
            if "ConditionalCheckFailed" in cancellation_codes(e):
                break  # some version of the chunk was applied before: sort it out one by one
            if attempt == 5:
                raise
            time.sleep(min(1.0, 0.02 * 2 ** attempt) * random.random())
    done = {"counted": 0, "duplicate": 0}
    for old, new in pairs:
        done["counted" if apply_day_change(old, new) else "duplicate"] += 1
    return done


def _image(model, raw: dict | None):
    return model.from_raw_data(raw) if raw else None


@streams.on_records("daily_report_day")
def on_day_statuses(batch: list[tuple[str, dict | None, dict | None]]) -> dict[str, int]:
    pairs = []
    for _event, new_raw, old_raw in batch:
        new, old = _image(DayStatus, new_raw), _image(DayStatus, old_raw)
        if old is not None and old.version == new.version:
            continue  # not a new version (e.g. only a TTL attribute touched)
        pairs.append((old, new))
    done = {"counted": 0, "duplicate": 0}
    for i in range(0, len(pairs), CHUNK):
        for outcome, n in apply_day_changes(pairs[i:i + CHUNK]).items():
            done[outcome] += n
    return {k: v for k, v in done.items() if v}


@streams.on_record("daily_report_alert")
def on_alert(event: str, new: dict | None, old: dict | None) -> str | None:
    if event != "INSERT":
        return None
    tenant = new["pk"]["S"].split("#", 1)[0]
    return "published" if alerts.publish(tenant, new["aid"]["S"]) else None
