"""The working-day calendar (chalicelib/workdays/calendar.py): national holidays and 调休 working days, county
overrides, and deadlines "n working days after filing" (the filing day is not counted; the period ends at 24:00 of
its n-th working day, i.e. 00:00 of the next day, Asia/Shanghai)."""

from __future__ import annotations

import datetime as dt

import pytest

from chalicelib.core.clock import SHANGHAI
from chalicelib.workdays import calendar

D = dt.date.fromisoformat


def at(s: str) -> dt.datetime:
    """A local (Asia/Shanghai) moment, e.g. "2025-09-26 17:00"."""
    return dt.datetime.fromisoformat(s).replace(tzinfo=SHANGHAI)


def test_an_ordinary_week_friday_17h_is_due_at_the_end_of_wednesday():
    # 2025-03-14 is a Friday with no holiday around it: Mon, Tue, Wed are the 3 working days.
    assert calendar.add_workdays(at("2025-03-14 17:00"), 3) == at("2025-03-20 00:00")
    # filed on the weekend: counting starts on Monday all the same
    assert calendar.add_workdays(at("2025-03-15 10:00"), 3) == at("2025-03-20 00:00")
    assert calendar.add_workdays(at("2025-03-16 23:59"), 3) == at("2025-03-20 00:00")
    # filed on Monday morning: Tue, Wed, Thu
    assert calendar.add_workdays(at("2025-03-17 08:00"), 3) == at("2025-03-21 00:00")


def test_the_friday_before_national_day_2025_counts_the_working_sunday():
    # Fri 9-26 → Sun 9-28 (调休上班) is working day 1, Mon 9-29 day 2, Tue 9-30 day 3: due as the holiday begins.
    assert not calendar.is_workday(D("2025-09-27"))
    assert calendar.is_workday(D("2025-09-28"))
    assert calendar.add_workdays(at("2025-09-26 17:00"), 3) == at("2025-10-01 00:00")
    # the day before the holiday: 10-1 … 10-8 are off, Thu 10-9, Fri 10-10, Sat 10-11 (调休上班) count
    assert calendar.add_workdays(at("2025-09-30 17:00"), 3) == at("2025-10-12 00:00")
    assert calendar.workdays_between(D("2025-09-30"), D("2025-10-11")) == 3
    assert calendar.workdays_between(D("2025-09-30"), D("2025-10-08")) == 0


def test_the_friday_before_national_day_2026():
    # 2026: 中秋 9-25…9-27, 国庆 10-1…10-7, 调休上班 Sun 9-20 and Sat 10-10 (国办发明电〔2025〕7号).
    assert calendar.add_workdays(at("2026-09-18 17:00"), 3) == at("2026-09-23 00:00")  # Sun 9-20, Mon, Tue
    # Fri 9-25 is 中秋节: 9-28, 9-29, 9-30 → due as National Day begins
    assert calendar.add_workdays(at("2026-09-24 17:00"), 3) == at("2026-10-01 00:00")
    # filed during the holiday: Thu 10-8, Fri 10-9, Sat 10-10 (调休上班)
    assert calendar.add_workdays(at("2026-10-03 09:00"), 3) == at("2026-10-11 00:00")


def test_the_national_data():
    off = ["2025-01-01", "2025-01-28", "2025-02-04", "2025-04-04", "2025-05-05", "2025-06-02", "2025-10-08",
           "2026-01-02", "2026-02-16", "2026-02-23", "2026-04-06", "2026-05-05", "2026-06-19", "2026-09-25",
           "2026-10-07"]
    work = ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
            "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
    assert [d for d in off if calendar.is_workday(D(d))] == []
    assert [d for d in work if not calendar.is_workday(D(d))] == []
    assert all(D(d).weekday() >= 5 for d in work)  # every 调休 working day is a weekend day
    assert calendar.NATIONAL[D("2026-10-10")] == (True, "国庆节调休上班")
    assert calendar.NATIONAL[D("2025-10-03")] == (False, "国庆节、中秋节")
    assert calendar.national_source(2026) == "国办发明电〔2025〕7号"
    # 2025: 1 + 8 + 3 + 5 + 3 + 8 = 28 days off; 2026: 3 + 9 + 3 + 5 + 3 + 3 + 7 = 33
    assert sum(not w for w, _ in calendar.national_days(2025).values()) == 28
    assert sum(not w for w, _ in calendar.national_days(2026).values()) == 33


def test_a_county_override_wins_over_the_national_data():
    # the county works on 国庆 Sat 10-3 2026 and takes Tue 9-22 off
    overrides = {D("2026-10-03"): True, D("2026-09-22"): False, D("2026-10-10"): False}
    assert calendar.is_workday(D("2026-10-03"), overrides)
    assert not calendar.is_workday(D("2026-09-22"), overrides)
    assert not calendar.is_workday(D("2026-10-10"), overrides)  # a national 调休上班 Saturday made a day off
    # Fri 9-18 → Sun 9-20, Mon 9-21, (Tue 9-22 off), Wed 9-23
    assert calendar.add_workdays(at("2026-09-18 17:00"), 3, overrides) == at("2026-09-24 00:00")
    assert calendar.add_workdays(at("2026-10-01 09:00"), 1, overrides) == at("2026-10-04 00:00")


def test_a_year_without_national_data_is_monday_to_friday():
    assert calendar.national_source(2031) is None and calendar.national_days(2031) == {}
    assert calendar.is_workday(D("2031-01-01"))  # a Wednesday: no holiday data for 2031 yet
    assert not calendar.is_workday(D("2031-01-04"))  # Saturday
    assert calendar.add_workdays(at("2031-01-03 17:00"), 3) == at("2031-01-09 00:00")  # Fri → Mon, Tue, Wed
    assert calendar.workdays_between(D("2031-01-03"), D("2031-01-10")) == 5
    assert calendar.is_workday(D("2031-01-01"), {D("2031-01-01"): False}) is False  # the county's 元旦


def test_periods_across_the_new_year_and_in_other_time_zones():
    # 2025-12-31 (Wed) → 2026-01-01…03 off, Sun 1-4 (调休上班), Mon 1-5, Tue 1-6
    assert calendar.add_workdays(at("2025-12-31 12:00"), 3) == at("2026-01-07 00:00")
    assert calendar.years_spanned(at("2025-12-31 12:00"), 3) == [2025, 2026]
    # an aware UTC moment is taken in Asia/Shanghai: Fri 2025-03-14 20:00 UTC is Sat 04:00 there
    utc = dt.datetime(2025, 3, 14, 20, 0, tzinfo=dt.UTC)
    assert calendar.add_workdays(utc, 1) == at("2025-03-18 00:00")
    assert calendar.workdays_between(utc, at("2025-03-17 09:00")) == 1


def test_bad_arguments():
    with pytest.raises(ValueError):
        calendar.add_workdays(dt.datetime(2025, 3, 14, 17, 0), 3)  # naive: whose 17:00?
    with pytest.raises(ValueError):
        calendar.add_workdays(at("2025-03-14 17:00"), 0)
    assert calendar.workdays_between(D("2025-03-20"), D("2025-03-14")) == 0
