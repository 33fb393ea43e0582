from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, Strict, Text

Kind = Literal["work", "off"]


class WorkdayIn(Strict):
    kind: Kind | None = Field(description="work: a working day; off: a day off; null: remove the county's entry "
                                          "(the national arrangement applies again)")
    note: Text | None = Field(default=None, max_length=100, description="why (e.g. 本县防汛调休)")


class WorkdayOut(Out):
    date: str = Field(description="YYYY-MM-DD")
    kind: Kind
    name: str = Field(description="e.g. 国庆节, 春节调休上班, 本县调整为上班")
    source: Literal["national", "county"]
    note: str | None = None
    default_kind: Kind = Field(description="what the day is without the county's entry (national, else Mon–Fri)")


class WorkdaysYearOut(Out):
    year: int
    national_source: str | None = Field(description="the State Council notice of the year; null: no national data "
                                                    "yet (Monday to Friday, plus the county's entries)")
    days: list[WorkdayOut] = Field(description="every day that is not what Monday-to-Friday makes it, and every day "
                                           "the county has an entry for")
    updated_at: str | None = None
