"""Every 10 minutes, urgent notices' SMS to inactive households: the schedule fans the job `notice_sms` out on the
jobs queue (core.jobs), one message per village that has one still to send (none at all in a quiet county), and the
queue's worker runs sms.run for each. Kept apart so that registering the schedule imports nothing heavy."""

from __future__ import annotations

from chalice import Blueprint, Rate

from ..core import jobs

bp = Blueprint(__name__)


@bp.schedule(Rate(10, unit=Rate.MINUTES), name="notice_sms")
def notice_sms(event):
    jobs.fan_out("notice_sms")
