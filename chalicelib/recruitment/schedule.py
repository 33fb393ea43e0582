"""Every 5 minutes, new jobs' alerts: the schedule fans the job `recruitment_alerts` out on the jobs queue
(core.jobs), one message per county that has a new job queued (none at all in a quiet county). Kept apart so that
registering the schedule imports nothing heavy."""

from __future__ import annotations

from chalice import Blueprint, Rate

from ..core import jobs

bp = Blueprint(__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="recruitment_alerts")
def recruitment_alerts(event):
    jobs.fan_out("recruitment_alerts")
