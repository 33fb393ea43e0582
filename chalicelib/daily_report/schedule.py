"""Every 5 minutes, the reminder chain's due stages: the schedule fans the job `report_reminders` out on the jobs
queue (core.jobs), one message per county using the daily report (per township of a large one), and the queue's
worker runs reminders.run_due for each.

Kept apart from events.py (the stream's reactions) so that registering the schedule, which every function's
import of app.py does, imports nothing heavy; the Lambda function's handler is this module's `report_reminders`.
"""

from __future__ import annotations

from chalice import Blueprint, Rate

from ..core import jobs

bp = Blueprint(__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="report_reminders")
def report_reminders(event):
    jobs.fan_out("report_reminders")
