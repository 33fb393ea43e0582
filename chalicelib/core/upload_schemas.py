"""The resumable upload's answers and parts (core/multipart.py), shared by every route set that uploads a large file
in parts (lectures' videos, a seeker's video résumé). Each module keeps its own start body (what it accepts) and
its completion body (how many parts it allows)."""

from __future__ import annotations

from pydantic import Field

from .schemas import Out, Strict

S3_MAX_PARTS = 10_000  # S3's own limit; a module's completion body allows fewer


class PartUrl(Out):
    number: int
    url: str = Field(description="presigned UploadPart: PUT the part's bytes here, keep the ETag answered")


class PartDone(Out):
    number: int
    etag: str
    size: int


class UploadOut(Out):
    upload_id: str
    size: int
    part_size: int = Field(description="every part is this many bytes but the last")
    parts_count: int
    done: list[PartDone] = Field(description="parts S3 already holds (resume: do not send them again)")
    parts: list[PartUrl] = Field(description="URLs of up to 100 parts still to send (fresh on every answer; ask "
                                             "GET .../uploads/{upload_id} for the rest)")
    missing: int


class PartIn(Strict):
    number: int = Field(ge=1, le=S3_MAX_PARTS, description="every part, in order (the server checks the count)")
    etag: str = Field(min_length=1, max_length=100)
