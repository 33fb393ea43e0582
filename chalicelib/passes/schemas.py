from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, PageQuery, Strict

VILLAGE = r"^\d{12}$"


class IssueIn(Strict):
    household: str = Field(pattern=r"^[0-9a-f]{16}$")
    member: str = Field(pattern=r"^[0-9a-f]{12}$")


class PassOut(Out):
    id: str
    code: str = Field(description="the QR code's content; names no person")
    qr_svg: str
    member: str
    member_name: str
    household: str
    expires_at: str


class ScanIn(Strict):
    code: str = Field(min_length=1, max_length=200)
    checkpoint: str | None = Field(default=None, pattern=VILLAGE, description="one of the caller's checkpoints")


class Reason(Out):
    code: str
    message: str


class Holder(Out):
    name: str
    village: str
    village_name: str | None = None


class ScanOut(Out):
    id: str
    result: Literal["pass", "stop"]
    reasons: list[Reason]
    colour: Literal["green", "yellow", "red"] | None
    reported_today: bool
    holder: Holder
    checkpoint: str
    scanned_at: str


class ScanQuery(PageQuery):
    checkpoint: str = Field(pattern=VILLAGE)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class ScanLogItem(Out):
    id: str
    at: str
    result: Literal["pass", "stop", "invalid"]
    reasons: list[str]
    holder: str | None = None
    village: str | None = None
    village_name: str | None = None
    colour: str | None = None


class ScanPage(Out):
    items: list[ScanLogItem]
    next_cursor: str | None = None
