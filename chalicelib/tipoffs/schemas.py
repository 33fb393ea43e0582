from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, PageQuery, Strict

Category = Literal["returnee", "gathering", "other"]
Disposition = Literal["warned", "quarantine_arranged", "unfounded", "other"]
Status = Literal["open", "handling", "closed"]
VILLAGE = r"^\d{12}$"
PLACE = r"^\d{6}(\d{3}(\d{3})?)?$"


class TipoffIn(Strict):
    category: Category
    description: str = Field(min_length=2, max_length=500)
    location: str | None = Field(default=None, max_length=100, description="where (a courtyard, a road...)")
    village: str | None = Field(default=None, pattern=VILLAGE, description="the village it happens in; "
                                                                        "default: the reporter's own")
    anonymous: bool = Field(default=False, description="hide the reporter from staff (the platform still knows)")


class TipoffOut(Out):
    id: str
    village: str
    village_name: str | None = None
    category: Category
    description: str
    location: str | None = None
    anonymous: bool
    reporter: str | None = Field(description="the reporter's name for staff; null when anonymous")
    status: Status
    disposition: Disposition | None = None
    note: str | None = None
    handled_by: str | None = None
    handled_at: str | None = None
    created_at: str


class TipoffQuery(PageQuery):
    village: str | None = Field(default=None, pattern=VILLAGE, description="omit for the whole county")
    status: Status | None = None


class TipoffPage(Out):
    items: list[TipoffOut]
    next_cursor: str | None = None


class HandleIn(Strict):
    status: Literal["handling", "closed"]
    disposition: Disposition | None = None
    note: str | None = Field(default=None, max_length=500)  # closing without a disposition: 422 on `disposition`


class StatsQuery(Strict):
    place: str = Field(pattern=PLACE)
    weeks: int = Field(default=8, ge=1, le=26)


class StatsRow(Out):
    week: str
    village: str
    village_name: str | None = None
    category: Category
    count: int


class StatsOut(Out):
    place: str
    weeks: list[str]
    rows: list[StatsRow]
