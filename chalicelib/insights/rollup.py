"""The weekly matrices (models.InsightWeek) rolled up from the case workflow's counters (CaseCount: per case type ×
ISO week × place × category, ADDed in each filing's transaction), so that a read of N weeks across every case type
is one BatchGet instead of one Query per type and week.

- **When:** the stream reacts to CaseCount changes (a case filed) by rolling up that county-week again, within
  seconds; the nightly job `insights_rollup` rolls up the last HISTORY_WEEKS weeks of every county (history for a
  county that had cases before this module, and a repair if a stream batch was lost).
- **Idempotent:** a roll-up recomputes the week from the counters (SET, not ADD): a redelivered record or a rerun
  writes the same numbers. Counts only grow, so a put is conditional on not lowering the stored `total`: two
  roll-ups of one week racing leave the later numbers.
- **Cost:** one Query per case type (4) for the week, then one put for the county and one per township that has
  cases that week (the ones the changed counters touched, from the stream).
"""

from __future__ import annotations

import datetime as dt
import json

from pynamodb.exceptions import PutError

from ..cases import analysis as cases
from ..core import clock, jobs
from .models import InsightWeek

HISTORY_WEEKS = 26


def week_of(d: dt.date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def _put(item: InsightWeek) -> bool:
    try:
        item.save(condition=InsightWeek.pk.does_not_exist() | (InsightWeek.total <= item.total))
        return True
    except PutError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            return False  # a later roll-up already wrote more
        raise


def roll_up(tenant: str, week: str, townships: set[str] | None = None) -> int:
    """Recompute one county-week (and its townships': all, or those named); returns the items written."""
    counts = cases.week_counts(tenant, week)
    now = clock.iso()
    county_rows: dict[tuple[str, str, str], int] = {}
    villages: dict[str, int] = {}
    by_township: dict[str, list[list]] = {}
    for type_id, place, cat, n in counts:
        township = place[:9]
        county_rows[(township, type_id, cat)] = county_rows.get((township, type_id, cat), 0) + n
        if len(place) >= 12:
            villages[place[:12]] = villages.get(place[:12], 0) + n
        by_township.setdefault(township, []).append([place, type_id, cat, n])
    total = sum(n for *_, n in counts)
    written = 0
    if _put(InsightWeek(*InsightWeek.keys(tenant, tenant, week), total=total, updated_at=now,
                        rows=json.dumps([[*k, n] for k, n in sorted(county_rows.items())], ensure_ascii=False),
                        villages=json.dumps(villages, sort_keys=True))):
        written += 1
    for township, rows in sorted(by_township.items()):
        if townships is not None and township not in townships:
            continue
        if _put(InsightWeek(*InsightWeek.keys(tenant, township, week), total=sum(r[3] for r in rows),
                            updated_at=now, rows=json.dumps(sorted(rows), ensure_ascii=False))):
            written += 1
    return written


def on_count_changes(batch: list[tuple[str, dict | None, dict | None]]) -> dict[str, int]:
    """Stream: CaseCount items inserted or changed → their county-weeks rolled up again (once per batch each)."""
    touched: dict[tuple[str, str], set[str]] = {}
    for _event, new, _old in batch:
        if not new:
            continue
        tw = cases.week_of_count_key(new["pk"]["S"])
        if tw is not None:
            touched.setdefault(tw, set()).add(new["sk"]["S"].partition("#")[0][:9])
    for (tenant, week), townships in touched.items():
        roll_up(tenant, week, townships)
    return {"insights_rolled_up": len(touched)} if touched else {}


@jobs.job("insights_rollup", module=None)
def nightly(county: str, unit, at: dt.datetime) -> int:
    """The last HISTORY_WEEKS weeks of a county, as of the schedule's time (idempotent: SET from the counters)."""
    today = at.astimezone(clock.SHANGHAI).date()
    return sum(roll_up(county, week_of(today - dt.timedelta(weeks=i))) for i in range(HISTORY_WEEKS))
