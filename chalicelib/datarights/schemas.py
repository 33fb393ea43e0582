"""Request and response models of the county's data rights (数据权利)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, Strict

Status = Literal["queued", "running", "done", "failed", "expired"]


class ExportIn(Strict):
    """Nothing to choose: everything of the county is exported."""


class ExportOut(Out):
    id: str
    status: Status
    status_name: str
    progress: int = Field(description="0..100")
    requested_by: str
    requested_by_name: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    size_bytes: int | None
    counts: dict | None = Field(description="items per table and kind, and media files listed")
    message: str | None = Field(description="why it failed")
    url: str | None = Field(description="when done: the zip, a link valid url_expires_in seconds (audited)")
    url_expires_in: int | None
    filename: str | None


class ExportList(Out):
    items: list[ExportOut]


class ExportListQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)


class RetentionIn(Strict):
    health_days: int = Field(ge=1, le=100000, description="health reports kept, days (30–1095)")
    photo_days: int = Field(ge=1, le=100000, description="case photos kept, days (90–3650)")


class Bounds(Out):
    health_days: list[int]
    photo_days: list[int]


class Defaults(Out):
    health_days: int
    photo_days: int


class RetentionOut(Out):
    health_days: int
    photo_days: int
    bounds: Bounds
    defaults: Defaults
    health_sweep_until: str | None = Field(description="reports kept longer are swept daily until this date")
    last_run: str | None
    last_result: dict | None = Field(description="what the last daily run deleted: reports, photo_cases, photos, "
                                                 "exports")
    photos_deleted_before: str | None = Field(description="cases filed before this have no photos any more")
    updated_at: str | None


class AuditQuery(Strict):
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (this month)")
    uid: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    what: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[a-z_]+$")
    subject: str | None = Field(default=None, min_length=1, max_length=100)
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class AuditItem(Out):
    at: str
    uid: str
    name: str | None
    roles: list[str]
    role_names: list[str]
    what: str
    what_name: str
    subject: str


class AuditKind(Out):
    what: str
    name: str


class AuditPage(Out):
    month: str
    items: list[AuditItem]
    next_cursor: str | None
    kinds: list[AuditKind]
