"""The county's retention, a daily job (`data_retention`, one message per county, or per township of a large
county for the health sweep):

- **Health reports:** each report's TTL is set from the county's period when it is written (daily_report
  `report_days`), so DynamoDB deletes it without us. When the county *shortens* the period, reports written before
  still carry the longer TTL: until `health_sweep_until` (today + the old period), the job deletes every
  household's reports of days before today − period (one Query of the household's date-ordered partition
  `{t}#DR#{hid}` / `H#{date}#…` and a BatchWrite; households from the grids' lists). A longer period applies to
  reports written from then on.
- **Case photos:** cases filed before now − period, after the watermark `photos_done_ms` (the county's case log,
  gsi3 `{t}#CASEC` keyed by filing time: one Query a page), lose their photo files (S3 DeleteObjects) and then
  their references (the case item's photo lists emptied, `photos_expired_at` set); the watermark moves on. At most
  MAX_PHOTO_CASES cases a run (the rest the next day).
- **County exports:** zips older than EXPORT_KEEP_DAYS are deleted and their items say so.

Idempotent: deleting what is gone is a no-op; the watermark only moves forward after its cases are done.
"""

from __future__ import annotations

import datetime as dt
import json

from ..cases import analysis as cases
from ..core import clock, counties, jobs
from ..core.aws import client
from ..core.config import settings
from ..daily_report import service as daily_report
from ..households import service as households
from ..places import service as places
from . import service
from .models import CountyExport, RetentionState

MAX_PHOTO_CASES = 5000
PAGE = 500


def units(tenant: str) -> list[str | None]:
    """As the reminders: the county in one piece, or its townships when it is large."""
    n = households.expected_households(tenant, [tenant])[tenant]
    return jobs.split_by_township(n, places.townships(tenant) if n > jobs.TOWNSHIP_SPLIT_HOUSEHOLDS else [])


def _delete_objects(keys: list[str]) -> None:
    s3 = client("s3")
    for i in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=settings().media_bucket,
                          Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})


def sweep_health(tenant: str, township: str | None, days: int, today: dt.date) -> int:
    cutoff = (today - dt.timedelta(days=days)).isoformat()
    n = 0
    for grid in places.grids(tenant, township):
        for hh in households.grid_households(tenant, grid.code):
            n += daily_report.delete_reports_before(tenant, hh.hid, cutoff)
    return n


def expire_photos(tenant: str, state: RetentionState, days: int, at: dt.datetime) -> tuple[int, int]:
    """(cases, files) whose photos went."""
    before = int((at - dt.timedelta(days=days)).timestamp() * 1000)
    since = int(state.photos_done_ms or 0)
    n_cases = n_files = 0
    while since < before and n_cases < MAX_PHOTO_CASES:
        page = cases.cases_filed_between(tenant, since, before, PAGE)
        for c in page:
            keys = [k for k in cases.photo_keys(c) if k.startswith(f"{tenant}/")]
            if keys:
                _delete_objects(keys)
                cases.forget_photos(tenant, c.cid, clock.iso(at))
                n_cases, n_files = n_cases + 1, n_files + len(keys)
        since = int(page[-1].gsi3sk.split("#", 1)[0]) + 1 if len(page) == PAGE else before
        state.photos_done_ms = since
        state.save()  # the watermark after each page: a crash redoes at most one page (harmless)
    return n_cases, n_files


def delete_old_exports(tenant: str, at: dt.datetime) -> int:
    old = f"{int((at - dt.timedelta(days=service.EXPORT_KEEP_DAYS)).timestamp() * 1000):013d}"
    n = 0
    for e in CountyExport.query(CountyExport.keys(tenant, "")[0], CountyExport.sk < old,
                                filter_condition=CountyExport.deleted_at.does_not_exist()):
        if e.s3_key:
            _delete_objects([e.s3_key])
        e.update(actions=[CountyExport.deleted_at.set(clock.iso(at))])
        n += 1
    return n


@jobs.job("data_retention", module=None, units=units)
def run(county: str, township: str | None, at: dt.datetime) -> dict:
    c = counties.get(county, fresh=True)
    if c is None:
        return {}
    health_days, photo_days = service.retention_days(c)
    state = service.retention_state(county)
    today = at.astimezone(clock.SHANGHAI).date()
    result: dict[str, int] = {}
    if state.health_sweep_until and today.isoformat() <= state.health_sweep_until:
        result["reports"] = sweep_health(county, township, health_days, today)
    first = township is None or township == min(places.townships(county) or [township])
    if first:
        result["photo_cases"], result["photos"] = expire_photos(county, state, photo_days, at)
        result["exports"] = delete_old_exports(county, at)
    if first:
        RetentionState._get_connection().update_item(
            *RetentionState.keys(county), actions=[RetentionState.last_run.set(clock.iso(at)),
                                                   RetentionState.last_result.set(json.dumps(result))])
    return result
