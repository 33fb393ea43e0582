"""Reactions of the daily report to the `submissions` table's stream (dispatched by core/streams.py; under the
local runner devstack/events.py feeds it from moto's stream):

- reports inserted → the household's day status (its last report date, the report that counts, on time) and what
  the report changes in the completion counters of its grid, village, township and county, in one transaction,
  exactly once: the household item's update is conditional on the status the change was computed from, so a
  redelivered record (Lambda retries a failed batch, or bisects it) finds itself applied and changes nothing; a
  report older than the one that counts (the newest of a day counts) changes nothing either. A batch is applied in
  chunks of CHUNK reports (a household at most once per chunk), the counters summed per chunk: one transaction per
  chunk instead of one per report, and the chunk's township and county sums go to ONE shard each (a read adds up
  all shards), so a morning peak puts a few transactions a second on each county shard;
- day statuses of the old layout (DayStatus, no longer written) still in flight at the deploy → counted as before,
  exactly once per version by an `Applied` marker;
- an alert inserted → published on the alerts topic;

(every 5 minutes, the reminder chain's due stages run from schedule.py).

Removals are not passed on (TTL expiry must not uncount a day).
"""

from __future__ import annotations

import json
import random
import time
import zlib
from typing import NamedTuple

from pynamodb.exceptions import TransactWriteError

from ..core import pii, streams
from ..core.db import cancellation_codes, transact
from ..households import service as households
from . import alerts
from .models import COUNTER_FIELDS, SHARDS, Applied, Counter, DayStatus, Report
from .service import COUNTER_DAYS, _day_status, _get_report, counts, expires_in, order, report_counts

CHUNK = 20  # reports per transaction: 20 households + ≤ 20 × 4 counters ≤ 100 items (see _commit)


def counter_targets(tenant: str, date: str, grid: str, hid: str) -> list[tuple[str, str]]:
    """Grid and village exactly; township and county through one of SHARDS items chosen by the household."""
    shard = zlib.crc32(hid.encode()) % SHARDS
    return [Counter.keys(tenant, date, grid), Counter.keys(tenant, date, grid[:12]),
            Counter.keys(tenant, date, grid[:9], shard), Counter.keys(tenant, date, tenant, shard)]


def _counter_update(tx, pk: str, sk: str, delta: dict[str, int]) -> None:
    actions = [getattr(Counter, f).add(v) for f, v in delta.items() if v]
    if actions:
        tx.update(Counter(pk, sk), actions=actions + [Counter.expires.set(expires_in(COUNTER_DAYS)),
                                                      Counter.kind.set(Counter)])


def _summed(changes) -> dict[tuple[str, str], dict[str, int]]:
    """The changes' deltas summed per counter; a chunk's township and county sums on one random shard each."""
    sums, rng = {}, random.Random()
    county_shard, township_shard = {}, {}
    for tenant, date, grid, delta in changes:
        if not delta:
            continue
        cs = county_shard.setdefault((tenant, date), rng.randrange(SHARDS))
        ts = township_shard.setdefault((tenant, date, grid[:9]), rng.randrange(SHARDS))
        for target in (Counter.keys(tenant, date, grid), Counter.keys(tenant, date, grid[:12]),
                       Counter.keys(tenant, date, grid[:9], ts), Counter.keys(tenant, date, tenant, cs)):
            acc = sums.setdefault(target, {})
            for f, v in delta.items():
                acc[f] = acc.get(f, 0) + v
    return sums


def _backoff(attempt: int) -> None:
    time.sleep(min(1.0, 0.02 * 2 ** attempt) * random.random())  # a conflict on a shard: back off


# --- reports -------------------------------------------------------------------------------------------------------

class Step(NamedTuple):
    """A report to apply: the household status it was computed from, the day's on-time flag and the counters'
    delta after it (an old-layout DayStatus that held today's status until now, checked unchanged)."""

    tenant: str
    report: Report
    seen: object  # the household item as read
    on_time: bool
    delta: dict[str, int]
    legacy: DayStatus | None


def _step(tenant: str, r: Report, hh) -> Step | str:
    """What applying `r` does, or why it does nothing ("duplicate": applied before, or older than the report that
    counts; "gone": the household was removed)."""
    if hh is None:
        return "gone"
    date = r.date
    if hh.last_report_date and hh.last_report_date > date:
        return "duplicate"  # a later day is counted: records of one household arrive in order, so this came before
    cur = hh.report_sk if hh.last_report_date == date and (hh.report_sk or "").startswith(f"H#{date}#") else None
    if cur == r.sk:
        return "duplicate"
    before, on_time, legacy = None, False, None
    if cur:
        prev = _get_report(tenant, r.hid, cur)
        if prev is not None:
            if order(prev) > order(r):
                return "duplicate"  # replaced already (this one is a redelivery)
            on_time = bool(hh.report_on_time)
            before = report_counts(tenant, prev, on_time)
    elif hh.last_report_date == date:  # reported today under the old layout (the day of the deploy)
        legacy = _day_status(tenant, r.hid, date)
        if legacy is not None:
            on_time = bool(legacy.on_time)
            before = counts(on_time, bool(legacy.proxy), json.loads(pii.decrypt(tenant, legacy.summary_enc)),
                            int(legacy.outside_persons or 0))
    on_time = on_time or bool(r.before_cutoff)
    after = report_counts(tenant, r, on_time)
    delta = {f: after[f] - (before or {}).get(f, 0) for f in COUNTER_FIELDS}
    return Step(tenant, r, hh, on_time, {f: v for f, v in delta.items() if v}, legacy)


def _plan(reports: list[Report]) -> tuple[list[Step], dict[str, int]]:
    """The chunk's households in one strongly consistent BatchGet per county, then each report's step."""
    by_tenant: dict[str, list[str]] = {}
    for r in reports:
        by_tenant.setdefault(r.pk.split("#", 1)[0], []).append(r.hid)
    found = {(t, hid): h for t, hids in by_tenant.items()
             for hid, h in households.get_many(t, hids, consistent=True).items()}
    steps, skipped = [], {}
    for r in reports:
        tenant = r.pk.split("#", 1)[0]
        step = _step(tenant, r, found.get((tenant, r.hid)))
        if isinstance(step, str):
            skipped[step] = skipped.get(step, 0) + 1
        else:
            steps.append(step)
    return steps, skipped


def _commit(steps: list[Step]) -> bool:
    """One transaction: each household's status (conditional on what was read) and the summed counters. False when
    a condition failed (something moved since the read)."""
    if not steps:
        return True
    sums = _summed([(st.tenant, st.report.date, st.report.grid, st.delta) for st in steps])
    if len(steps) + sum(st.legacy is not None for st in steps) + len(sums) > 100:  # old-layout checks on deploy day
        half = len(steps) // 2
        return _commit(steps[:half]) and _commit(steps[half:])
    for attempt in range(6):
        try:
            with transact() as tx:
                for st in steps:
                    r = st.report
                    households.mark_reported(tx, st.tenant, r.hid, r.date, r.sk, st.on_time, seen=st.seen)
                    if st.legacy is not None:
                        tx.condition_check(DayStatus, st.legacy.pk, st.legacy.sk,
                                           condition=DayStatus.version == st.legacy.version)
                for (pk, sk), acc in sums.items():
                    _counter_update(tx, pk, sk, acc)
            return True
        except TransactWriteError as e:
            if "ConditionalCheckFailed" in cancellation_codes(e):
                return False
            if attempt == 5:
                raise
            _backoff(attempt)
    return False


def apply_reports(reports: list[Report]) -> dict[str, int]:
    """Apply reports in order, CHUNK at a time (a household once per chunk). A chunk whose transaction fails a
    condition is applied again one report at a time, each read afresh."""
    done: dict[str, int] = {}

    def add(outcomes: dict[str, int]) -> None:
        for k, v in outcomes.items():
            done[k] = done.get(k, 0) + v

    def run(chunk: list[Report]) -> None:
        steps, skipped = _plan(chunk)
        add(skipped)
        if _commit(steps):
            add({"counted": len(steps)})
            return
        for r in chunk:
            for attempt in range(3):
                steps, skipped = _plan([r])
                if _commit(steps):
                    add(skipped)
                    add({"counted": len(steps)})
                    break
                if attempt == 2:
                    raise RuntimeError(f"daily report {r.rid}: the household's status kept moving")

    chunk: list[Report] = []
    for r in reports:
        if len(chunk) == CHUNK or any(c.hid == r.hid and c.pk == r.pk for c in chunk):
            run(chunk)
            chunk = []
        chunk.append(r)
    if chunk:
        run(chunk)
    return {k: v for k, v in done.items() if v}


@streams.on_records("daily_report")
def on_reports(batch: list[tuple[str, dict | None, dict | None]]) -> dict[str, int]:
    reports = [Report.from_raw_data(new) for event, new, _old in batch if event == "INSERT" and new]
    return apply_reports([r for r in reports if r.before_cutoff is not None])  # old-layout ones: their DayStatus


# --- the old layout's day statuses (written before the deploy) ----------------------------------------------------

def _vector(tenant: str, day: DayStatus | None) -> dict[str, int]:
    if day is None:
        return dict.fromkeys(COUNTER_FIELDS, 0)
    s = json.loads(pii.decrypt(tenant, day.summary_enc))
    return counts(bool(day.on_time), bool(day.proxy), s, int(day.outside_persons or 0))


def apply_day_change(old: DayStatus | None, new: DayStatus) -> bool:
    """Add new − old to the counters once (an `Applied` marker per version). False when applied before."""
    tenant = new.pk.split("#", 1)[0]
    a, b = _vector(tenant, old), _vector(tenant, new)
    delta = {f: b[f] - a[f] for f in COUNTER_FIELDS if b[f] != a[f]}
    marker = Applied(*Applied.keys(tenant, new.hid, new.date, int(new.version)), expires=expires_in(7))
    for attempt in range(6):
        try:
            with transact() as tx:
                tx.save(marker, condition=Applied.pk.does_not_exist())
                for (pk, sk), acc in _summed([(tenant, new.date, new.grid, delta)]).items():
                    _counter_update(tx, pk, sk, acc)
            return True
        except TransactWriteError as e:
            reasons = cancellation_codes(e)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False
            if attempt == 5:
                raise
            _backoff(attempt)
    return False


def _image(model, raw: dict | None):
    return model.from_raw_data(raw) if raw else None


@streams.on_records("daily_report_day")
def on_day_statuses(batch: list[tuple[str, dict | None, dict | None]]) -> dict[str, int]:
    done = {"counted": 0, "duplicate": 0}
    for _event, new_raw, old_raw in batch:
        new, old = _image(DayStatus, new_raw), _image(DayStatus, old_raw)
        if old is not None and old.version == new.version:
            continue  # not a new version (e.g. only a TTL attribute touched)
        done["counted" if apply_day_change(old, new) else "duplicate"] += 1
    return {k: v for k, v in done.items() if v}


@streams.on_record("daily_report_alert")
def on_alert(event: str, new: dict | None, old: dict | None) -> str | None:
    if event != "INSERT":
        return None
    tenant = new["pk"]["S"].split("#", 1)[0]
    return "published" if alerts.publish(tenant, new["aid"]["S"]) else None
