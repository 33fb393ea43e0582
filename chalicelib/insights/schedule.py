"""Nightly, the analysis's weekly matrices of the last 26 weeks are rolled up again from the case counters (history
and repair; the stream keeps them current within seconds). The schedule only fans the job out (core.jobs)."""

from __future__ import annotations

from chalice import Blueprint, Cron

from ..core import jobs

bp = Blueprint(__name__)


@bp.schedule(Cron(40, 18, "*", "*", "?", "*"), name="insights_rollup")  # 02:40 Asia/Shanghai
def insights_rollup(event):
    jobs.fan_out("insights_rollup")
