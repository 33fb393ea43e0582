"""Spreadsheet imports: get an upload form for S3, upload the file there, preview what it would do, then commit."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("imports",)


@endpoint(bp, "/imports/uploads", "POST", name="import_upload_form",
          summary="A presigned S3 form to upload a spreadsheet (.xlsx/.csv, at most 5 MB)",
          body=".schemas:UploadRequest", response=".schemas:UploadForm", status=201, permission="imports.write",
          tags=TAGS)
def upload_form(call: Call):
    return service.upload(call.ctx, call.body.kind, call.body.filename)


@endpoint(bp, "/imports/preview", "POST", name="preview_import",
          summary="What an uploaded spreadsheet would do, without writing: every row new / changed / unchanged / "
                  "error, warnings, and the plan to commit",
          body=".schemas:PreviewRequest", response=".schemas:ImportPreview", permission="imports.write", tags=TAGS)
def preview(call: Call):
    return service.preview(call.ctx, call.body.kind, call.body.key)


@endpoint(bp, "/imports", "POST", name="run_import",
          summary="Import an uploaded spreadsheet, all or nothing: new rows are added, rows matching a registered "
                  "household number or ID number update it; bad rows come back with row numbers",
          body=".schemas:ImportRequest", response=".schemas:ImportResult", status=201, idempotent=True,
          permission="imports.write", tags=TAGS)
def run_import(call: Call):
    return service.run(call.ctx, call.body.kind, call.body.key, call.body.plan)
