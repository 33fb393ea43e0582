"""工作日历: the county's working-day calendar (national holidays and 调休 working days, and the county's own)."""

from __future__ import annotations

import datetime as dt
import re

from chalice import Blueprint

from ..core.errors import ValidationFailed
from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("workdays",)
FIRST_YEAR, LAST_YEAR = 2000, 2100
_YEAR = re.compile(r"^\d{4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "code": f"invalid_{field}", "message": message}])


def _year(raw: str) -> int:
    if not _YEAR.match(raw) or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
        raise _invalid("year", f"年份应为 {FIRST_YEAR}–{LAST_YEAR} 之间的四位数字")
    return int(raw)


def _date(raw: str, year: int) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if _DATE.match(raw) else None
    except ValueError:
        day = None
    if day is None:
        raise _invalid("date", "日期格式应为 YYYY-MM-DD")
    if day.year != year:
        raise _invalid("date", f"日期不在 {year} 年内")
    return day


@endpoint(bp, "/workdays/{year}", "GET", name="get_workdays", tags=TAGS, response=".schemas:WorkdaysYearOut",
          permission="workdays.read",
          summary="The county's working-day calendar of a year: national holidays, 调休 working days, county entries")
def get_year(call: Call):
    return service.get_year(call.ctx, _year(call.params["year"]))


@endpoint(bp, "/workdays/{year}/{date}", "PUT", name="set_workday", tags=TAGS, body=".schemas:WorkdayIn",
          response=".schemas:WorkdaysYearOut", permission="workdays.write",
          summary="Make a day a working day or a day off in the county, or remove the county's entry (kind null)")
def set_day(call: Call):
    year = _year(call.params["year"])
    day = _date(call.params["date"], year)
    return service.set_day(call.ctx, day, call.body.kind, call.body.note)
