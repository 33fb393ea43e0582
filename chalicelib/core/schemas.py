"""Shared pydantic building blocks: strict models, phone/ID fields, pages."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from . import pii, text


class Strict(BaseModel):
    """Request models refuse unknown fields and coerce nothing silently.

    Both bases defer building (defer_build): a model's validator and serializer are built when it is first used,
    not when its module is imported, so a cold request builds only the models it uses (bench/cold_start.py)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)


def _phone(v: str) -> str:
    return pii.normalise_phone(v)


def _idno(v: str) -> str:
    return pii.normalise_id_number(v)


NAME_MAX = 40


def _name(v: str) -> str:
    """A person's or a place's name: NFKC (full-width letters and compatibility ideographs become their usual
    form), inner runs of spaces collapsed, no control, format or bidi characters (张\u200b三 is not 张三's twin)."""
    import unicodedata

    v = " ".join(unicodedata.normalize("NFKC", v).split())
    bad = text.bad_character(v, name=True)
    if bad is not None:
        raise ValueError(f"含有不允许的不可见字符（{text.describe(bad)}），请删除后重试")
    if not v:
        raise ValueError("此项必填")
    if len(v) > NAME_MAX:  # NFKC may lengthen a text many times over (ﷺ is 18 characters)
        raise ValueError(f"内容过长（最多{NAME_MAX}个字）")
    return v


def _text(v: str) -> str:
    """Free text: full-width digits and letters folded, punctuation kept, no control or bidi characters."""
    bad = text.bad_character(v)
    if bad is not None:
        raise ValueError(f"含有不允许的不可见字符（{text.describe(bad)}），请删除后重试")
    return text.fold(v)


# Lengths are checked by the validators after canonicalising (a full-width or spaced ID number is still one ID
# number; a spreadsheet's 3.30825E+17 gets its own message rather than "too short").
Phone = Annotated[str, Field(min_length=1, max_length=30, description="+86 mobile number"), AfterValidator(_phone)]
IdNumber = Annotated[str, Field(min_length=1, max_length=40, description="18-character ID-card number (GB 11643)"),
                     AfterValidator(_idno)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(_name)]
Text = Annotated[str, AfterValidator(_text)]


class PageQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


T = TypeVar("T")


class Page(Out, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


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


class UploadForm(Out):
    """A presigned S3 POST: send the file as multipart form data with `fields` to `url`; refer to it by `key`."""

    key: str
    url: str
    fields: dict[str, str]
    max_bytes: int
