"""Every 15 minutes, overdue open cases move one level up (service.escalate_overdue), one county a message.

The schedule only fans out (core.jobs): one message per active county on the jobs queue, whose worker runs
`escalate` for that county. Not split per township: a county's due queue is one partition, and each run moves at
most 200 cases (the next run takes the rest), so a run is bounded whatever the county's size. Idempotent: each case
moves in a transaction conditioned on its state, so a duplicate or retried message moves nothing twice.

Kept apart from service.py so that registering the schedule, which every function's import of app.py does, imports
nothing heavy."""

from __future__ import annotations

import datetime as dt

from chalice import Blueprint, Rate

from ..core import jobs

bp = Blueprint(__name__)

JOB = "case_escalation"


@jobs.job(JOB)
def escalate(county: str, township: str | None, at: dt.datetime) -> int:
    from . import service

    return service.escalate_overdue(county, at)


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="case_escalation")
def case_escalation(event):
    jobs.fan_out(JOB)
