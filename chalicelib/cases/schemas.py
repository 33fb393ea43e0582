from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..core.schemas import Out, PageQuery, Strict, Text, UploadForm  # noqa: F401  (UploadForm: a response)

PLACE = r"^\d{6}(\d{3}(\d{3}(G\d{2,3})?)?)?$"
REF = r"^[A-Za-z0-9-]{6,40}$"
Action = Literal["assign", "accept", "note", "escalate", "resolve", "close", "duplicate", "hide", "reopen", "rate",
                 "reply"]


class CaseEventOut(Out):
    event: str
    event_name: str
    at: str
    by: str | None = Field(default=None, description="who: a staff member's name, 提交人 for the filer, 系统")
    by_role: str | None = None
    status: str | None = None
    note: str | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class PhotoOut(Out):
    id: str = Field(description="the upload key (to hide it, or to refer to it)")
    url: str = Field(description="a signed link, valid for 15 minutes")


class UploadIn(Strict):
    type: str = Field(pattern=r"^[a-z_]{2,20}$", description="the case type the photo is for")
    content_type: Literal["image/jpeg", "image/png", "image/webp"]


class CaseOut(Out):
    ref: str = Field(description="public reference, e.g. SP-330825-000123")
    type: str
    type_name: str
    category: str
    category_name: str
    place: str
    place_name: str | None = None
    village: str | None = None
    village_name: str | None = None
    text: str | None = Field(description="null when staff hid it (moderation) and the caller is not staff")
    location: str | None = None
    lat: float | None = None
    lng: float | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    photos: list[PhotoOut] = Field(default_factory=list)
    after_photos: list[PhotoOut] = Field(default_factory=list, description="taken when it was resolved")
    anonymous: bool
    filer: str | None = Field(description="the filer's name for staff; null when anonymous")
    mine: bool
    status: str
    status_name: str
    level: str
    assignee: str | None = None
    outcome: str | None = None
    outcome_name: str | None = None
    note: str | None = None
    handled_by: str | None = None
    handled_at: str | None = None
    due_at: str | None = None
    sla: Literal["green", "amber", "red"] | None = None
    resolved_at: str | None = None
    closed_at: str | None = None
    rating: int | None = None
    rating_note: str | None = None
    duplicate_of: str | None = None
    hidden: bool
    hidden_reason: str | None = None
    created_at: str
    updated_at: str
    actions: list[str] = Field(description="what the caller may do now")


class CaseDetail(CaseOut):
    timeline: list[CaseEventOut]


class CasePage(Out):
    items: list[CaseOut]
    next_cursor: str | None = None


class InboxQuery(PageQuery):
    place: str = Field(pattern=PLACE, description="county, township, village or grid code")
    type: str | None = Field(default=None, pattern=r"^[a-z_]{2,20}(,[a-z_]{2,20}){0,9}$",
                             description="case types, comma-separated; default every type the caller may read")
    status: Literal["open", "resolved", "closed", "done", "filed", "assigned", "accepted"] | None = None
    category: str | None = Field(default=None, max_length=40)
    overdue: bool = False


class MineQuery(PageQuery):
    type: str | None = Field(default=None, pattern=r"^[a-z_]{2,20}(,[a-z_]{2,20}){0,9}$")


class ActionIn(Strict):
    action: Action
    note: Text | None = Field(default=None, max_length=1000)
    outcome: str | None = Field(default=None, max_length=40)
    assignee: str | None = Field(default=None, max_length=64, description="user id of the staff member")
    duplicate_of: str | None = Field(default=None, pattern=REF)
    reason: Text | None = Field(default=None, max_length=200, description="why content is hidden (hide)")
    rating: int | None = Field(default=None, ge=1, le=5)
    photos: list[str] = Field(default_factory=list, max_length=6, description="upload keys of 'after' photos")
    hide_photos: list[str] = Field(default_factory=list, max_length=12)


class TypeCategoryOut(Out):
    code: str
    name: str
    name_en: str
    description: str = ""
    enabled: bool = Field(default=True, description="switched off by the county: no new cases, old ones keep it")
    sla_hours: int | None = None
    fields: list[dict[str, Any]]


class CaseTypeOut(Out):
    id: str
    module: str
    read_permission: str = Field(description="staff holding it at a case's place see the case")
    handle_permission: str = Field(description="staff holding it at a case's place act on it")
    outcome_required: bool
    working_day_sla: bool = Field(description="sla_hours count as working days (sla_hours / 24) on the county's "
                                              "calendar, not hours")
    name: str
    name_en: str
    prefix: str
    anonymous: bool
    max_photos: int
    rating: bool
    private: bool
    statuses: dict[str, str]
    outcomes: dict[str, str]
    categories: list[TypeCategoryOut]


class CaseTypes(Out):
    items: list[CaseTypeOut]


class StatsQuery(Strict):
    type: str = Field(max_length=40)
    place: str = Field(pattern=r"^\d{6}(\d{3}(\d{3})?)?$")
    weeks: int = Field(default=8, ge=1, le=26)


class StatsRow(Out):
    week: str
    place: str
    place_name: str | None = None
    category: str
    count: int


class StatsOut(Out):
    place: str
    weeks: list[str]
    rows: list[StatsRow]


class FieldValueIn(Strict):
    key: str = Field(pattern=r"^[a-z0-9_]{1,30}$")
    name: Text = Field(min_length=1, max_length=40)


class FieldIn(Strict):
    code: str = Field(max_length=30)
    name: Text = Field(min_length=1, max_length=40)
    datatype: Literal["string", "text", "number", "datetime", "singlevaluelist", "multivaluelist"] = "string"
    required: bool = False
    description: Text = Field(default="", max_length=200)
    values: list[FieldValueIn] = Field(default_factory=list, max_length=30)


class CategoryIn(Strict):
    code: str = Field(max_length=30, description="lower-case letters, digits, _; kept forever once used")
    name: Text = Field(min_length=1, max_length=20)
    name_en: Text = Field(default="", max_length=60)
    description: Text = Field(default="", max_length=200)
    sla_hours: int | None = Field(default=None, ge=1, le=24 * 90, description="time to answer; null: none")
    enabled: bool = True
    fields: list[FieldIn] = Field(default_factory=list, max_length=10)


class CategoriesIn(Strict):
    categories: list[CategoryIn] = Field(min_length=1, max_length=30)


class CategoriesOut(Out):
    type: str
    categories: list[TypeCategoryOut]
