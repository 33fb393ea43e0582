"""Request and response models of 紧急招募令."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, Strict, Text

PLACE = r"^\d{6}(\d{3}(\d{3})?)?$"  # county, township or village (calls are posted by offices)
VILLAGE = r"^\d{12}$"
Skill = Literal["驾驶", "医护", "搬运", "其他"]
Status = Literal["confirmed", "waiting", "cancelled"]


# --- volunteers ----------------------------------------------------------------------------------------------------

class VolunteerIn(Strict):
    skills: list[Skill] = Field(default_factory=list, max_length=4)
    sms: bool = Field(default=False, description="also text me new calls (otherwise the in-app inbox only)")


class VolunteerOut(Out):
    volunteer: bool = Field(description="false: not registered (the other fields are defaults)")
    village: str | None
    village_name: str | None
    skills: list[str]
    sms: bool
    updated_at: str | None


# --- calls ---------------------------------------------------------------------------------------------------------

class CallIn(Strict):
    place: str | None = Field(default=None, pattern=PLACE,
                              description="where the call is for: my office's place or a place below it; default: "
                                          "my one such place")
    title: Text = Field(min_length=2, max_length=40)
    description: Text = Field(min_length=1, max_length=2000)
    address: Text = Field(min_length=2, max_length=120, description="where to gather (text)")
    starts_at: str = Field(min_length=10, max_length=40, description="ISO-8601 with offset (Asia/Shanghai if none)")
    ends_at: str = Field(min_length=10, max_length=40)
    slots: int = Field(ge=1, le=500)
    requirements: Text = Field(default="", max_length=500)
    skills: list[Skill] = Field(default_factory=list, max_length=4,
                                description="only volunteers with one of these skills are told ([] = all)")


class CallUpdate(CallIn):
    version: int = Field(ge=1, description="the version read (409 version_conflict when stale)")


class MySignup(Out):
    id: str
    status: Status
    status_name: str
    position: int | None = Field(description="place in the waiting list (1 = next), while waiting")
    code: str | None = Field(description="the check-in QR code's text, while confirmed")
    qr_svg: str | None = Field(default=None, description="the code as a QR image (inline SVG), while confirmed")
    checked_in_at: str | None
    checked_out_at: str | None
    hours: float | None


class CallOut(Out):
    id: str
    title: str
    description: str
    place: str
    place_name: str
    address: str
    starts_at: str
    ends_at: str
    slots: int
    confirmed: int
    waiting: int
    requirements: str
    skills: list[str]
    status: Literal["open", "ended", "cancelled"]
    status_name: str
    by_name: str | None = Field(description="who posted it (organisers only)")
    created_at: str
    updated_at: str
    version: int
    can_manage: bool
    mine: MySignup | None


class CallSummary(Out):
    id: str
    title: str
    place: str
    place_name: str
    address: str
    starts_at: str
    ends_at: str
    slots: int
    confirmed: int
    waiting: int
    skills: list[str]
    status: Literal["open", "ended", "cancelled"]
    status_name: str


class CallPage(Out):
    items: list[CallSummary]
    next_cursor: str | None


class CallsQuery(Strict):
    place: str = Field(pattern=PLACE, description="resident: my village (open calls covering it); organiser: a "
                                                  "place where I organise (all its calls, newest end first)")
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


# --- sign-ups, roster, check-in ------------------------------------------------------------------------------------

class RosterQuery(Strict):
    reveal: bool = Field(default=False, description="unmasked phones (recorded in the audit log)")


class RosterRow(Out):
    id: str
    name: str
    village: str
    phone: str | None
    status: Status
    status_name: str
    position: int | None
    created_at: str
    checked_in_at: str | None
    checked_out_at: str | None
    hours: float | None
    points: int | None


class RosterOut(Out):
    call: str
    title: str
    slots: int
    confirmed: list[RosterRow]
    waiting: list[RosterRow]
    revealed: bool


class ExportOut(Out):
    url: str
    filename: str


class CodeIn(Strict):
    code: str = Field(min_length=1, max_length=200)


class HoursIn(Strict):
    signup: str = Field(pattern=r"^[0-9a-f]{12}$")
    hours: float = Field(gt=0, le=24)
