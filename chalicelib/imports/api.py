"""Spreadsheet imports: get an upload form for S3, upload the file there, then run the import."""

from __future__ import annotations

from typing import Literal

from chalice import Blueprint
from pydantic import Field

from ..core.http import Call, endpoint
from ..core.schemas import Out, Strict
from . import service

bp = Blueprint(__name__)
TAGS = ("imports",)


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


@endpoint(bp, "/imports/uploads", "POST", name="import_upload_form",
          summary="A presigned S3 form to upload a spreadsheet (.xlsx/.csv, at most 5 MB)", body=UploadRequest,
          response=UploadForm, status=201, permission="imports.write", tags=TAGS)
def upload_form(call: Call):
    return service.upload(call.ctx, call.body.kind, call.body.filename)


@endpoint(bp, "/imports", "POST", name="run_import",
          summary="Import an uploaded spreadsheet, all or nothing; bad rows come back with row numbers",
          body=ImportRequest, response=ImportResult, status=201, idempotent=True, permission="imports.write",
          tags=TAGS)
def run_import(call: Call):
    return service.run(call.ctx, call.body.kind, call.body.key)
