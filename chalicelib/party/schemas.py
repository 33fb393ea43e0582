from __future__ import annotations

from pydantic import Field

from ..core.schemas import Out, PageQuery, Strict

HID = r"^[0-9a-f]{16}$"
UID = r"^[0-9a-f]{8,32}$"


class LinkIn(Strict):
    member: str = Field(pattern=UID, description="user id of a party member of the households' village")
    households: list[str] = Field(min_length=1, max_length=30)


class LinkQuery(Strict):
    member: str = Field(pattern=UID)


class LinkedHousehold(Out):
    id: str
    head_name: str
    address: str
    grid: str
    reported_today: bool


class LinkPage(Out):
    member: str
    member_name: str
    items: list[LinkedHousehold]


class MembersQuery(PageQuery):
    place: str = Field(pattern=r"^\d{6}(\d{3}(\d{3}(G\d{2,3})?)?)?$")


class PartyMember(Out):
    id: str
    name: str
    phone: str | None = None  # masked
    status: str
    grants: list[dict]


class MembersPage(Out):
    items: list[PartyMember]
    next_cursor: str | None = None
