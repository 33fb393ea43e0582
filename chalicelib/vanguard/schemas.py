"""Request and response models of 党员先锋."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..core.schemas import Out, Strict, Text, UploadForm  # noqa: F401  (UploadForm: a response)

PLACE = r"^\d{6}(\d{3}(\d{3})?)?$"  # a county, township or village (a deed's feed, a board)
VILLAGE = r"^\d{12}$"
UID = r"^[0-9a-f]{8,32}$"
PERIOD = r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"
SOURCES = ("deed", "like", "study", "volunteer", "care")
Source = Literal["deed", "like", "study", "volunteer", "care"]


class UploadIn(Strict):
    content_type: Literal["image/jpeg", "image/png", "image/webp"]


class DeedIn(Strict):
    text: Text = Field(min_length=5, max_length=1000, description="what was done (至少5个字)")
    photos: list[str] = Field(min_length=1, max_length=9, description="keys from POST /vanguard/uploads")

    @field_validator("photos")
    @classmethod
    def _photos(cls, v: list[str]) -> list[str]:
        if any(len(k) > 300 for k in v):
            raise ValueError("照片标识过长")
        if len(set(v)) != len(v):
            raise ValueError("照片不能重复")
        return v


class DecisionIn(Strict):
    action: Literal["approve", "reject"]
    reason: Text | None = Field(default=None, max_length=200, description="required to reject (shown to the author)")


class ModerationIn(Strict):
    action: Literal["approve", "hide"]


class CommentIn(Strict):
    text: Text = Field(min_length=1, max_length=200)


class FeedQuery(Strict):
    place: str = Field(pattern=PLACE, description="a village (its people), a township or the county (staff there)")
    limit: int = Field(default=20, ge=1, le=20)
    cursor: str | None = Field(default=None, max_length=2000)


class QueueQuery(Strict):
    village: str = Field(pattern=VILLAGE)
    limit: int = Field(default=20, ge=1, le=20)
    cursor: str | None = Field(default=None, max_length=2000)


class PageQuery(Strict):
    limit: int = Field(default=20, ge=1, le=20)
    cursor: str | None = Field(default=None, max_length=2000)


class Author(Out):
    id: str
    name: str


class DeedOut(Out):
    id: str
    text: str
    photos: list[str] = Field(description="signed links, valid 15 minutes")
    author: Author
    village: str
    village_name: str | None
    status: str = Field(description="pending | approved | rejected")
    reason: str | None
    created_at: str
    decided_at: str | None
    points: int | None = Field(description="what the approval earned the author (the author and staff only)")
    likes: int
    liked_by_me: bool


class DeedPage(Out):
    items: list[DeedOut]
    next_cursor: str | None = None


class LikeOut(Out):
    deed: str
    likes: int
    liked_by_me: bool


class CommentOut(Out):
    id: str
    deed: str
    name: str = Field(description="the commenter's name, masked (张*)")
    text: str
    status: str = Field(description="pending (seen by its author and moderators) | approved | hidden")
    mine: bool
    created_at: str


class CommentPage(Out):
    items: list[CommentOut]
    next_cursor: str | None = None


class Rule(Strict):
    points: int = Field(ge=0, le=100, description="points per event")
    monthly_cap: int = Field(ge=0, le=1000, description="at most this many points of this source a month")


class RulesIn(Strict):
    rules: dict[Source, Rule] = Field(min_length=1, description="the sources to change; the others keep theirs")
    version: int = Field(default=0, ge=0, description="the version read (0: the defaults); stale → 409")


class RuleOut(Out):
    source: str
    name: str
    points: int
    monthly_cap: int


class RulesOut(Out):
    rules: list[RuleOut]
    version: int
    updated_at: str | None
    defaults: bool


class AwardIn(Strict):
    member: str = Field(pattern=UID)
    source: Literal["study", "volunteer"]
    ref: str = Field(pattern=r"^[A-Za-z0-9_\-:.]{1,64}$", description="the event's own id: once per member")
    points: int | None = Field(default=None, ge=1, le=100, description="default: the rule's points")
    note: Text = Field(default="", max_length=100)


class CorrectionIn(Strict):
    member: str = Field(pattern=UID)
    points: int = Field(ge=-1000, le=1000, description="± points; not 0")
    reason: Text = Field(min_length=2, max_length=200)

    @field_validator("points")
    @classmethod
    def _nonzero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("更正分值不能为 0")
        return v


class EntryOut(Out):
    id: str
    at: str
    source: str
    source_name: str
    points: int
    ref: str
    note: str


class PointsOut(Out):
    member: str
    name: str | None
    balance: int
    month: dict[str, int] = Field(description="this month's points per source (the caps apply to these)")
    entries: list[EntryOut]
    next_cursor: str | None = None


class IndexQuery(Strict):
    place: str = Field(pattern=r"^\d{9}(\d{3})?$", description="a village (its members) or a township (its villages)")
    period: str = Field(pattern=PERIOD, description="a month (2026-12) or a quarter (2026-Q4)")


class IndexRow(Out):
    rank: int
    id: str = Field(description="a member's user id (village board) or a village's code (township board)")
    name: str
    points: float = Field(description="the member's points, or the village's members' average")
    members: int | None = Field(description="township board: the village's members with points")


class IndexOut(Out):
    place: str
    level: str = Field(description="village | township")
    period: str
    formula: str
    items: list[IndexRow]
