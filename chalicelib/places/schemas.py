from __future__ import annotations

from pydantic import Field

from ..core.schemas import Out, PageQuery, Strict


class CreatePlace(Strict):
    code: str = Field(min_length=9, max_length=16, description="township 9 digits, village 12, grid village+G+nn")
    name: str = Field(min_length=1, max_length=40)


class PlaceOut(Out):
    code: str
    name: str
    level: str
    parent: str | None
    parent_name: str | None = None
    lng: float | None = Field(default=None, description="map point (WGS-84), townships and villages, when set")
    lat: float | None = None


class LocationIn(Strict):
    """A township's or village's point on the county map (WGS-84 degrees, within China); both null: none."""

    lng: float | None = Field(default=None, ge=73, le=136)
    lat: float | None = Field(default=None, ge=3, le=54)


class PlacePage(Out):
    items: list[PlaceOut]
    next_cursor: str | None = None


class Township(Out):
    code: str
    name: str


class TownshipList(Out):
    items: list[Township]


class PlaceQuery(PageQuery):
    parent: str | None = Field(default=None, pattern=r"^\d{6}(\d{3}(\d{3}(G\d{2,3})?)?)?$",
                               description="list the children of this place (default: the county)")
    under: str | None = Field(default=None, pattern=r"^\d{6}(\d{3}(\d{3}(G\d{2,3})?)?)?$",
                              description="list every place below this one instead")
