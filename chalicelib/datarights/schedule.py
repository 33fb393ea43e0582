"""Daily, each county's retention runs (retention.py): the schedule only fans the job out (core.jobs)."""

from __future__ import annotations

from chalice import Blueprint, Cron

from ..core import jobs

bp = Blueprint(__name__)


@bp.schedule(Cron(10, 19, "*", "*", "?", "*"), name="data_retention")  # 03:10 Asia/Shanghai
def data_retention(event):
    jobs.fan_out("data_retention")
