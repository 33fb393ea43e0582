"""Every 5 minutes, the reminder chain's due stages (reminders.run_due).

Kept apart from events.py (the stream's reactions) so that registering the schedule, which every function's
import of app.py does, imports nothing heavy; the Lambda function's handler is this module's `report_reminders`.
"""

from __future__ import annotations

from chalice import Blueprint, Rate

from ..core.observability import logger

bp = Blueprint(__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="report_reminders")
def report_reminders(event):
    from . import reminders

    done = reminders.run_due()
    if done:
        logger.info("report reminders", extra={"stages": list(done)})
