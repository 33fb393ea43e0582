"""Nightly, each county's daily-report counters of the last two days are rolled up into one item per township-month
(service.rollup), so that the quality page reads a month as 15 items instead of 30 days × 15 townships × 8 counter
shards (3,600 items, 36 BatchGets; a quarter 108).

The schedule only fans out (core.jobs): one message per active county using the daily report. Each run rolls up
yesterday and the day before (Asia/Shanghai, from the time the schedule fired, so a retry an hour later does the
same days): a night whose run failed for good is repaired by the next night's. Idempotent: the per-day values are
SET from the counters, never ADDed. Kept apart from service.py so that registering the schedule imports nothing
heavy."""

from __future__ import annotations

import datetime as dt

from chalice import Blueprint, Cron

from ..core import clock, jobs

bp = Blueprint(__name__)

JOB = "quality_rollup"
DAYS_BACK = 2


def days_before(at: dt.datetime, n: int = DAYS_BACK) -> list[str]:
    today = at.astimezone(clock.SHANGHAI).date()
    return [(today - dt.timedelta(days=i)).isoformat() for i in range(n, 0, -1)]


@jobs.job(JOB, module="daily_report")
def roll_up(county: str, township: str | None, at: dt.datetime) -> int:
    from . import service

    return service.rollup(county, days_before(at))


@bp.schedule(Cron(20, 16, "*", "*", "?", "*"), name="quality_rollup")  # 16:20 UTC = 00:20 Asia/Shanghai
def quality_rollup(event):
    # EventBridge fires this at 00:20; the local stack's runner fires every schedule at each tick (every minute):
    # only a tick in the night's first hour rolls up, so the local stack and the tests' ticks do it once a night
    # too (`events.run_job("quality_rollup", at)` runs it at any time).
    if clock.now().astimezone(clock.SHANGHAI).hour == 0:
        jobs.fan_out(JOB)
