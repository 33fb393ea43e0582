"""Request and response models of the spreadsheet imports."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, Strict


class UploadRequest(Strict):
    kind: Literal["places", "households"]
    filename: str = Field(min_length=5, max_length=120, pattern=r"(?i)^[^/\\]+\.(xlsx|csv)$")


class UploadForm(Out):
    key: str
    url: str
    fields: dict[str, str]
    max_bytes: int


class ImportRequest(Strict):
    kind: Literal["places", "households"]
    key: str = Field(min_length=10, max_length=300)


class ImportResult(Out):
    kind: str
    rows: int
    created: int
    members: int | None = None
