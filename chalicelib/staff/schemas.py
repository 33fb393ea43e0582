from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Name, Out, PageQuery, Phone, Strict

StaffRole = Literal["grid_leader", "grid_worker", "grid_worker_part", "grid_instructor", "checkpoint_staff",
                    "village_admin", "township_official", "county_admin", "epidemic_command", "org_department",
                    "employer", "party_member"]
PLACE = r"^\d{6}(\d{3}(\d{3}(G\d{2,3})?)?)?$"


class InviteStaff(Strict):
    phone: Phone
    name: Name
    role: StaffRole
    place: str = Field(pattern=PLACE)


class StaffGrant(Out):
    role: str
    role_name: str
    place: str
    place_name: str | None = None


class StaffOut(Out):
    id: str
    name: str
    phone: str
    status: str
    grants: list[StaffGrant]


class StaffPage(Out):
    items: list[StaffOut]
    next_cursor: str | None = None


class StaffQuery(PageQuery):
    place: str | None = Field(default=None, pattern=PLACE)
