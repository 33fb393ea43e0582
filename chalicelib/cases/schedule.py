"""Every 15 minutes, overdue open cases move one level up (service.escalate_overdue), county by county.

Kept apart from service.py so that registering the schedule, which every function's import of app.py does, imports
nothing heavy."""

from __future__ import annotations

from chalice import Blueprint, Rate

from ..core.observability import logger

bp = Blueprint(__name__)


def run(now=None) -> dict[str, int]:
    from ..core import counties
    from . import service

    done = {}
    for county in counties.active_with(None):
        n = service.escalate_overdue(county.code, now)
        if n:
            done[county.code] = n
    return done


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="case_escalation")
def case_escalation(event):
    done = run()
    if done:
        logger.info("cases escalated", extra={"counties": done})
