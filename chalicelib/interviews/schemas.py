"""Request and response models of the interview rooms and their signalling."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..core.schemas import Out, Strict


class IceServer(Out):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class Admit(Out):
    code: str = Field(description="the signed admission code CQI1.{county}.{room}.{expiry}.{mac}")
    qr_text: str = Field(description="what the guest's QR encodes")
    qr_svg: str = Field(description="that QR as an inline SVG image")


class RoomOut(Out):
    id: str
    at: str = Field(description="UTC ISO time of the interview")
    mode: Literal["onsite", "online"]
    title: str
    role: Literal["host", "guest"]
    admit: Admit | None = Field(description="the guest's QR (null for the host)")
    admitted_at: str | None
    opens_at: str = Field(description="an online room opens 15 minutes before the time")
    closes_at: str = Field(description="and closes 2 hours after it")
    open: bool = Field(description="an online room that is open now")
    ice_servers: list[IceServer] = Field(description="RTCPeerConnection iceServers (empty locally)")


class RoomItem(Out):
    id: str
    at: str
    mode: Literal["onsite", "online"]
    title: str
    role: Literal["host", "guest"]
    open: bool


class Mine(Out):
    items: list[RoomItem]


class AdmitIn(Strict):
    code: str = Field(min_length=1, max_length=200, description="the text of the guest's QR, as scanned")


class SignalIn(Strict):
    type: Literal["offer", "answer", "candidate", "bye"]
    data: dict[str, Any] | None = Field(default=None, description="the SDP ({type, sdp}) or the ICE candidate "
                                                                   "({candidate, sdpMid, sdpMLineIndex}); ≤ 16 KB")


class SignalOut(Out):
    id: str
    type: str
    at: str


class SignalsQuery(Strict):
    after: str | None = Field(default=None, max_length=40, description="the cursor: the last id read")


class SignalItem(Out):
    id: str
    type: str
    data: dict[str, Any] | None
    at: str


class Signals(Out):
    items: list[SignalItem]
    cursor: str | None = Field(description="ask with after=<cursor> next")
    sender: Literal["host", "guest"] = Field(description="whose signals these are (the other party)")
