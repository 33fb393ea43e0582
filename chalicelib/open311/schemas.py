"""Request and response models of the Open311 key routes (JSON, the project's own conventions), and the query
parameters of the GeoReport routes (for the API description only: those routes parse their input themselves, as
the GeoReport spec says — form-encoded bodies, errors as the spec's error array)."""

from __future__ import annotations

from pydantic import Field

from ..core.schemas import Name, Out, Strict

MAX_PER_DAY = 10_000
DEFAULT_PER_DAY = 200


class KeyIn(Strict):
    name: Name = Field(description="who the client is (an app, a hotline's system); staff see 'Open311：<name>' as "
                                   "the filer of its cases")
    per_day: int = Field(default=DEFAULT_PER_DAY, ge=1, le=MAX_PER_DAY,
                         description="service requests the client may file a day (Asia/Shanghai)")


class KeyOut(Out):
    id: str
    name: str
    per_day: int
    created_at: str
    created_by: str | None = Field(default=None, description="the name of the county admin who issued it")
    last_used_at: str | None = Field(default=None, description="the last service request it filed (to a few minutes)")


class NewKeyOut(KeyOut):
    api_key: str = Field(description="shown only this once: only its SHA-256 is stored")


class KeyList(Out):
    items: list[KeyOut]


class ServicesQuery(Strict):
    jurisdiction_id: str = Field(pattern=r"^\d{6}$", description="the county's 6-digit division code")


class RequestsQuery(ServicesQuery):
    service_request_id: str | None = Field(default=None, max_length=2000,
                                           description="comma-separated references; overrides every other filter")
    service_code: str | None = Field(default=None, max_length=2000, description="comma-separated, e.g. snap.road")
    status: str | None = Field(default=None, max_length=20, description="open, closed or open,closed")
    start_date: str | None = Field(default=None, max_length=40, description="W3C datetime; at most 90 days before "
                                                                           "end_date")
    end_date: str | None = Field(default=None, max_length=40, description="W3C datetime; default now")
