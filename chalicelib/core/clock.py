"""The injected clock. Timestamps are stored as UTC ISO-8601; "today" is the date in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FrozenClock(Clock):
    """A clock tests can set and move."""

    def __init__(self, at: dt.datetime):
        self.at = at

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **kwargs) -> None:
        self.at = self.at + dt.timedelta(**kwargs)


_clock: Clock = Clock()


def set_clock(clock: Clock) -> None:
    global _clock
    _clock = clock


def now() -> dt.datetime:
    return _clock.now()


def epoch() -> int:
    return int(_clock.now().timestamp())


def iso(t: dt.datetime | None = None) -> str:
    return (t or now()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def today() -> dt.date:
    return now().astimezone(SHANGHAI).date()


def seconds_until_tomorrow() -> int:
    """Seconds until the next midnight in Asia/Shanghai (when daily allowances come back)."""
    local = now().astimezone(SHANGHAI)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    return max(1, int((midnight - local).total_seconds()))
