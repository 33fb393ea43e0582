"""Daily, past interview rooms' signalling channels are deleted (ice.py KvsIce.sweep), one county a message.

The schedule fans out on the jobs queue (core.jobs) only where rooms have channels (ICE provider kvs); locally and
in a region without Kinesis Video Streams it sends nothing. Idempotent: a channel already deleted is skipped.
Kept apart from ice.py so that registering the schedule imports nothing heavy."""

from __future__ import annotations

import datetime as dt

from chalice import Blueprint, Cron

from ..core import jobs
from ..core.config import settings

bp = Blueprint(__name__)

JOB = "interview_channels"


@jobs.job(JOB)
def sweep(county: str, township: str | None, at: dt.datetime) -> int:
    from . import ice

    return ice.provider().sweep(county, at - dt.timedelta(hours=ice.KEEP_HOURS))


@bp.schedule(Cron(30, 19, "*", "*", "?", "*"), name=JOB)  # 03:30 Asia/Shanghai
def interview_channels(event):
    if settings().ice_provider == "kvs":
        jobs.fan_out(JOB)
