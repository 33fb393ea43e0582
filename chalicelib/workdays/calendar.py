"""The working-day calendar: China's public holidays and 调休 working weekends, as data, and deadline arithmetic.

Pure (no AWS): the national arrangement is data in this file; a county's own changes come in as `overrides`
({date: True (a working day) | False (a day off)}), and they win over the national data. A year without national
data is Monday to Friday (plus the county's overrides).

Deadlines follow the Civil Code's rule for periods counted in days (民法典 第二百零一条、第二百零三条): the day
of filing is not counted, and the period ends at 24:00 of its last day. So "n working days" after a filing is due
at 00:00 (Asia/Shanghai) of the day after the n-th working day after the filing day, whatever the hour of filing
and whether or not the filing day itself is a working day: a letter filed on Friday 17:00 with n = 3 is due on
Thursday 00:00 (the end of Wednesday), and so is one filed on Saturday or Sunday.

Update each year when the State Council publishes next year's arrangement (usually November or December):
add the year to `_NATIONAL` below, with its source (docs/operations.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ..core.clock import SHANGHAI

Overrides = Mapping[dt.date, bool]

_D = dt.date.fromisoformat

# year -> (source, [(name, first day off, last day off, (调休 working days...))])
_NATIONAL: dict[int, tuple[str, list[tuple[str, str, str, tuple[str, ...]]]]] = {
    # 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024-11-12; Xinhua's full text, e.g.
    # https://m.gmw.cn/2024-11/12/content_1303894933.htm).
    2025: ("国办发明电〔2024〕12号", [
        ("元旦", "2025-01-01", "2025-01-01", ()),
        ("春节", "2025-01-28", "2025-02-04", ("2025-01-26", "2025-02-08")),
        ("清明节", "2025-04-04", "2025-04-06", ()),
        ("劳动节", "2025-05-01", "2025-05-05", ("2025-04-27",)),
        ("端午节", "2025-05-31", "2025-06-02", ()),
        ("国庆节、中秋节", "2025-10-01", "2025-10-08", ("2025-09-28", "2025-10-11")),
    ]),
    # 国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号，2025-11-04; Xinhua's full text, e.g.
    # https://politics.gmw.cn/2025-11/04/content_38391083.htm).
    2026: ("国办发明电〔2025〕7号", [
        ("元旦", "2026-01-01", "2026-01-03", ("2026-01-04",)),
        ("春节", "2026-02-15", "2026-02-23", ("2026-02-14", "2026-02-28")),
        ("清明节", "2026-04-04", "2026-04-06", ()),
        ("劳动节", "2026-05-01", "2026-05-05", ("2026-05-09",)),
        ("端午节", "2026-06-19", "2026-06-21", ()),
        ("中秋节", "2026-09-25", "2026-09-27", ()),
        ("国庆节", "2026-10-01", "2026-10-07", ("2026-09-20", "2026-10-10")),
    ]),
}


def _expand() -> dict[dt.date, tuple[bool, str]]:
    days: dict[dt.date, tuple[bool, str]] = {}
    for _, holidays in _NATIONAL.values():
        for name, first, last, workdays in holidays:
            d = _D(first)
            while d <= _D(last):
                days[d] = (False, name)
                d += dt.timedelta(days=1)
            for w in workdays:
                days[_D(w)] = (True, f"{name}调休上班")
    return days


# date -> (is a working day, name): only the days that differ from Monday-to-Friday.
NATIONAL: dict[dt.date, tuple[bool, str]] = _expand()


def national_source(year: int) -> str | None:
    """The State Council notice the year's national data comes from, or None when this file has none."""
    entry = _NATIONAL.get(year)
    return entry[0] if entry else None


def national_days(year: int) -> dict[dt.date, tuple[bool, str]]:
    """The year's national holidays and 调休 working days: date -> (is a working day, name)."""
    return {d: v for d, v in NATIONAL.items() if d.year == year}


def is_workday(day: dt.date, overrides: Overrides | None = None) -> bool:
    """The county's override if it has one, else the national arrangement, else Monday to Friday."""
    if overrides and day in overrides:
        return bool(overrides[day])
    national = NATIONAL.get(day)
    if national is not None:
        return national[0]
    return day.weekday() < 5


def _local_date(value: dt.date, tz: dt.tzinfo) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("a datetime needs a time zone")
        return value.astimezone(tz).date()
    return value


def nth_workday_after(day: dt.date, n: int, overrides: Overrides | None = None) -> dt.date:
    """The n-th working day after `day` (n >= 1; `day` itself is not counted)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    d, seen = day, 0
    while seen < n:
        d += dt.timedelta(days=1)
        if is_workday(d, overrides):
            seen += 1
    return d


def add_workdays(start: dt.datetime, n: int, overrides: Overrides | None = None,
                 tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
    """The moment a period of n working days that starts at `start` (an aware datetime) ends: 00:00 in `tz` of the
    day after the n-th working day after the filing day (see the module's docstring). Returned in `tz`."""
    last = nth_workday_after(_local_date(start, tz), n, overrides)
    return dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz)


def workdays_between(start: dt.date, end: dt.date, overrides: Overrides | None = None,
                     tz: dt.tzinfo = SHANGHAI) -> int:
    """The working days after `start` up to and including `end` (0 when `end` is not after `start`). Aware
    datetimes are taken as their date in `tz`. A period of n working days from `start` has run out once this is n
    and the n-th of them is over."""
    a, b = _local_date(start, tz), _local_date(end, tz)
    count, d = 0, a
    while d < b:
        d += dt.timedelta(days=1)
        if is_workday(d, overrides):
            count += 1
    return count


def years_spanned(start: dt.datetime, n: int, tz: dt.tzinfo = SHANGHAI) -> list[int]:
    """The years a period of n working days from `start` can reach (every year has over 240 working days), so a
    caller can fetch the county's overrides for all of them at once."""
    y = _local_date(start, tz).year
    return list(range(y, y + 2 + n // 240))
