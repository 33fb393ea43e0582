"""Every 2 minutes, new calls' broadcast: the schedule fans the job `volunteer_broadcast` out on the jobs queue
(core.jobs), one message per village that has a call still to hear of (none at all in a quiet county), and the
queue's worker runs broadcast.run for each. Kept apart so that registering the schedule imports nothing heavy."""

from __future__ import annotations

from chalice import Blueprint, Rate

from ..core import jobs

bp = Blueprint(__name__)


@bp.schedule(Rate(2, unit=Rate.MINUTES), name="volunteer_broadcast")
def volunteer_broadcast(event):
    jobs.fan_out("volunteer_broadcast")
