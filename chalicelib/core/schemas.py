"""Shared pydantic building blocks: strict models, phone/ID fields, pages."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from . import pii
from .config import settings


class Strict(BaseModel):
    """Request models refuse unknown fields and coerce nothing silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _phone(v: str) -> str:
    return pii.normalise_phone(v)


def _idno(v: str) -> str:
    return pii.normalise_id_number(v)


Phone = Annotated[str, Field(min_length=11, max_length=20, description="+86 mobile number"), AfterValidator(_phone)]
IdNumber = Annotated[str, Field(min_length=18, max_length=18, description="18-character ID-card number (GB 11643)"),
                     AfterValidator(_idno)]
Name = Annotated[str, Field(min_length=1, max_length=40)]


class PageQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


T = TypeVar("T")


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def page_size(limit: int | None) -> int:
    s = settings()
    return min(limit or s.default_page_size, s.max_page_size)


class MembershipOut(Out):
    tenant: str
    name: str


class Session(Out):
    access_token: str
    expires_in: int
    token_type: str = "Bearer"
    refresh_token: str | None
    tenant: str | None
    user_id: str | None
    roles: list[str]
    memberships: list[MembershipOut] = []
