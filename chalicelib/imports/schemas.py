"""Request and response models of the spreadsheet imports."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from ..core.schemas import Out, Strict, UploadForm  # noqa: F401  (UploadForm: the route's response)


class UploadRequest(Strict):
    kind: Literal["places", "households", "errands"] = Field(
        description="errands: the county's catalogue of 网上代办 items (POST /errands/import; errands.configure)")
    filename: str = Field(min_length=5, max_length=120, pattern=r"(?i)^[^/\\]+\.(xlsx|csv)$")


class PreviewRequest(Strict):
    kind: Literal["places", "households"]
    key: str = Field(min_length=10, max_length=300)


class ImportRequest(Strict):
    kind: Literal["places", "households"]
    key: str = Field(min_length=10, max_length=300)
    plan: str | None = Field(default=None, pattern=r"^[0-9a-f]{40}$",
                             description="the preview's `plan`: commit only if the file and the records it touches "
                                         "are still what the preview saw (409 import_stale otherwise)")


class RowIssue(Out):
    row: int = Field(description="spreadsheet row (1 is the header)")
    field: str | None = None
    code: str
    message: str


class Change(Out):
    field: str
    old: Any = None
    new: Any = None


class PreviewRow(Out):
    row: int
    ref: str = Field(description="household number (places: the code)")
    name: str
    id_number: str | None = Field(description="masked unless the importer may see ID numbers there")
    action: Literal["new", "changed", "unchanged", "error"]
    changes: list[Change] = []


class RowCounts(Out):
    new: int
    changed: int
    unchanged: int
    errors: int


class HouseholdCounts(Out):
    new: int
    changed: int
    unchanged: int


class PreviewCounts(Out):
    rows: RowCounts
    households: HouseholdCounts | None = None


class ImportPreview(Out):
    kind: str
    key: str
    rows: int
    counts: PreviewCounts
    items: list[PreviewRow]
    errors: list[RowIssue]
    warnings: list[RowIssue]
    plan: str = Field(description="send it back with the commit (POST /imports)")
    can_commit: bool = Field(description="no errors, and something to write")


class ImportResult(Out):
    kind: str
    rows: int
    created: int
    updated: int = 0
    unchanged: int = 0
    members: int | None = None
    members_updated: int | None = None
