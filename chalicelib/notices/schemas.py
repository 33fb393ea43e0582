"""Request and response models of 通知公告."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, Strict, Text

PLACE = r"^\d{6}(\d{3}(\d{3}(G\d{2,3})?)?)?$"
NID = r"^[0-9a-f]{12}$"
TargetRole = Literal["party_member", "household_head", "grid_leader", "grid_worker", "grid_worker_part",
                     "grid_instructor", "village_admin", "township_official"]
UploadType = Literal["image/jpeg", "image/png", "application/pdf"]


class Attachment(Strict):
    key: str = Field(min_length=1, max_length=300, description="the key POST /notices/uploads answered")
    name: str = Field(default="", max_length=80, description="the file's name as shown (e.g. 通知.pdf)")


class NoticeIn(Strict):
    place: str | None = Field(default=None, pattern=PLACE,
                              description="the place it is published from (where I hold notices.publish); "
                                          "default: my one such place")
    title: Text = Field(min_length=2, max_length=60)
    body: Text = Field(min_length=1, max_length=5000)
    urgent: bool = Field(default=False, description="a banner on the home until read, SMS to inactive households")
    targets: list[str] = Field(default_factory=list, max_length=50,
                               description="narrower places (villages, grids) inside `place`; [] = all of `place`")
    roles: list[TargetRole] = Field(default_factory=list, max_length=8,
                                    description="only these roles ([] = everyone, villagers included)")
    attachments: list[Attachment] = Field(default_factory=list, max_length=9)
    publish_at: str | None = Field(default=None, max_length=40,
                                   description="ISO-8601 time with offset; default now; visible only from then")


class NoticeUpdate(NoticeIn):
    version: int = Field(ge=1, description="the version read (409 version_conflict when stale)")


class UploadIn(Strict):
    content_type: UploadType
    name: str = Field(default="", max_length=80)


class ListQuery(Strict):
    limit: int = Field(default=20, ge=1, le=50)
    cursor: str | None = Field(default=None, max_length=2000)


class SentQuery(Strict):
    place: str = Field(pattern=PLACE)
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class ReceiptsQuery(Strict):
    place: str = Field(pattern=PLACE)


class AttachmentOut(Out):
    key: str
    name: str
    content_type: str
    url: str


class TargetOut(Out):
    place: str
    name: str | None


class NoticeSummary(Out):
    id: str
    title: str
    excerpt: str
    urgent: bool
    publish_at: str
    from_name: str
    attachments: int
    read: bool


class NoticePage(Out):
    items: list[NoticeSummary]
    next_cursor: str | None = None


class UrgentItem(Out):
    id: str
    title: str
    publish_at: str
    from_name: str


class UrgentOut(Out):
    urgent: list[UrgentItem] = Field(description="urgent notices of my places I have not opened (the banner)")


class NoticeOut(Out):
    id: str
    title: str
    body: str
    urgent: bool
    attachments: list[AttachmentOut]
    targets: list[TargetOut]
    roles: list[str]
    publish_at: str
    from_place: str
    from_name: str
    by_name: str | None = Field(description="who published it (staff who may manage it only)")
    status: Literal["scheduled", "published", "withdrawn"]
    status_name: str
    withdrawn_at: str | None
    created_at: str
    updated_at: str
    version: int
    read: bool
    can_manage: bool


class SentItem(Out):
    id: str
    title: str
    urgent: bool
    publish_at: str
    status: Literal["scheduled", "published", "withdrawn"]
    status_name: str
    by_name: str
    targets: int
    roles: list[str]


class SentPage(Out):
    items: list[SentItem]
    next_cursor: str | None = None


class PlaceReceipt(Out):
    place: str
    name: str | None
    read: int
    total: int | None = Field(description="households of the place the notice reaches (None: role-targeted)")


class UnreadHousehold(Out):
    id: str
    ref: str | None
    head_name: str = Field(description="masked: 张*明")
    address: str


class ReceiptsOut(Out):
    notice: str
    place: PlaceReceipt
    children: list[PlaceReceipt]
    unread: list[UnreadHousehold] | None = Field(description="a grid's households that have not read it")
