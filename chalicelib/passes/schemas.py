from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, PageQuery, Strict

VILLAGE = r"^\d{12}$"


class IssueIn(Strict):
    household: str = Field(pattern=r"^[0-9a-f]{16}$")
    member: str = Field(pattern=r"^[0-9a-f]{12}$")


class Reason(Out):
    code: str
    message: str


class VerdictOut(Out):
    """What a checkpoint would answer for the pass at `checked_at` (the rule scans apply; nothing is logged)."""

    result: Literal["pass", "stop", "invalid"]
    reasons: list[Reason] = Field(description="stop: why (not reported, yellow/red code...); invalid: the refusal")
    colour: Literal["green", "yellow", "red"] | None
    reported_today: bool
    checked_at: str


class PassOut(Out):
    id: str
    code: str = Field(description="the QR code's content; names no person")
    short_code: str = Field(description="8 characters (no 0/O/1/I) that checkpoint staff may type instead")
    qr_svg: str
    member: str
    member_name: str
    household: str
    expires_at: str
    verdict: VerdictOut


class PassStatusOut(Out):
    id: str
    short_code: str | None = Field(description="null once the pass is revoked or expired")
    expires_at: str
    verdict: VerdictOut


class ScanIn(Strict):
    code: str = Field(min_length=1, max_length=200,
                      description="the signed code read from the QR, or the pass's 8-character short code as typed")
    checkpoint: str | None = Field(default=None, pattern=VILLAGE, description="one of the caller's checkpoints")


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
    via: Literal["code", "short"] = Field(description="code: the signed code (scanned or pasted); short: typed")


class ScanPage(Out):
    items: list[ScanLogItem]
    next_cursor: str | None = None
