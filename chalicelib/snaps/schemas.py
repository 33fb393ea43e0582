from __future__ import annotations

from typing import Any

from pydantic import Field

from ..core.schemas import Out, Strict, Text

GRID = r"^\d{12}G\d{2,3}$"


class SnapIn(Strict):
    category: str = Field(max_length=40, description="a category code of GET /cases/types (type snap)")
    text: Text = Field(min_length=2, max_length=500, description="what is wrong")
    photos: list[str] = Field(min_length=1, max_length=6, description="upload keys from POST /cases/uploads")
    grid: str | None = Field(default=None, pattern=GRID, description="default: the filer's household's grid")
    location: Text | None = Field(default=None, max_length=100, description="where (a lane, a pond...)")
    lat: float | None = Field(default=None, ge=-90, le=90, description="GPS, rounded to ~100 m when stored")
    lng: float | None = Field(default=None, ge=-180, le=180)
    extra: dict[str, Any] = Field(default_factory=dict, description="the category's extra fields")


class SimilarQuery(Strict):
    grid: str = Field(pattern=GRID)
    category: str = Field(max_length=40)


class SimilarOut(Out):
    ref: str
    category_name: str
    text: str
    status_name: str
    created_at: str
    photo: str | None = Field(default=None, description="a signed link to its first photo")


class SimilarPage(Out):
    items: list[SimilarOut]


class BoardQuery(Strict):
    village: str | None = Field(default=None, pattern=r"^\d{12}$", description="default: the caller's own village")
    cursor: str | None = Field(default=None, max_length=2000)


class BoardPhoto(Out):
    id: str
    url: str


class BoardItem(Out):
    ref: str
    category_name: str
    text: str
    place_name: str | None = None
    outcome_name: str | None = None
    note: str | None = None
    photos: list[BoardPhoto]
    after_photos: list[BoardPhoto]
    rating: int | None = None
    created_at: str
    resolved_at: str | None = None


class BoardPage(Out):
    village: str
    village_name: str | None = None
    items: list[BoardItem]
    next_cursor: str | None = None
