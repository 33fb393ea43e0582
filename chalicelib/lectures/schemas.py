"""Request and response models of 专题授课."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ..core.schemas import Out, Strict, Text
from ..core.upload_schemas import PartIn

PLACE = r"^\d{6}(\d{3}(\d{3})?)?$"  # a county, township or village
ID = r"^[0-9a-f]{12}$"
MIB = 1024 * 1024
MAX_BYTES = 2 * 1024 * MIB  # 2 GiB: a two-hour class at ~2 Mbps
MAX_SECONDS = 4 * 3600
MAX_VIDEOS = 50
PART_SIZE = 16 * MIB  # 2 GiB in 128 parts (fewer requests than S3's 5 MiB minimum; far below 10,000)
MAX_PARTS = MAX_BYTES // PART_SIZE
Audience = Literal["all", "party"]


# --- courses -----------------------------------------------------------------------------------------------------

class CourseIn(Strict):
    title: Text = Field(min_length=2, max_length=60)
    description: Text = Field(default="", max_length=2000)
    audience: Audience = Field(default="all", description="all: everyone; party: 党员学习 (party members, points)")
    place: str | None = Field(default=None, pattern=PLACE,
                              description="the county or a township of mine (default: my only office's place)")


class CourseUpdate(Strict):
    title: Text = Field(min_length=2, max_length=60)
    description: Text = Field(default="", max_length=2000)
    audience: Audience
    status: Literal["draft", "published"]
    videos: list[str] = Field(max_length=MAX_VIDEOS, description="the course's video ids in the order shown; one "
                                                                 "left out is deleted")
    version: int = Field(ge=1, description="the version read (stale: 409)")

    @field_validator("videos")
    @classmethod
    def _ids(cls, v: list[str]) -> list[str]:
        import re

        if any(not re.match(ID, x) for x in v) or len(set(v)) != len(v):
            raise ValueError("视频列表不正确")
        return v


class CoursesQuery(Strict):
    status: Literal["published", "draft"] = "published"
    limit: int = Field(default=20, ge=1, le=50)
    cursor: str | None = Field(default=None, max_length=2000)


class MyProgress(Out):
    position_s: float = Field(description="where I stopped (resume here)")
    percent: int = Field(description="share of the video's 100 slices I watched")
    completed: bool = Field(description="watched ≥ 90 %")
    completed_at: str | None = None
    points: int | None = Field(default=None, description="party points the completion gave (党员学习)")


class VideoBrief(Out):
    id: str
    title: str
    duration_s: int
    status: str = Field(description="processing | ready | failed (the original plays meanwhile)")
    poster: str | None = Field(default=None, description="presigned GET, 15 minutes")
    my: MyProgress | None = None


class CourseOut(Out):
    id: str
    title: str
    description: str
    audience: str
    audience_name: str
    status: str
    place: str
    place_name: str | None = None
    duration_s: int
    videos_count: int
    created_at: str
    updated_at: str
    published_at: str | None = None
    version: int
    can_edit: bool


class CourseDetail(CourseOut):
    videos: list[VideoBrief]


class CoursePage(Out):
    items: list[CourseOut]
    next_cursor: str | None = None


# --- uploads (core/multipart.py) ---------------------------------------------------------------------------------

class UploadIn(Strict):
    title: Text = Field(min_length=1, max_length=60, description="the video's title in the course")
    content_type: Literal["video/mp4", "video/webm", "video/quicktime"]
    size: int = Field(ge=1, le=MAX_BYTES, description="bytes (≤ 2 GB)")
    duration_s: int = Field(ge=1, le=MAX_SECONDS, description="the file's length (the browser reads it before "
                                                             "uploading); ≤ 4 hours")


class CompleteIn(Strict):
    parts: list[PartIn] = Field(min_length=1, max_length=MAX_PARTS)


# --- videos, progress --------------------------------------------------------------------------------------------

class Sources(Out):
    hls: str | None = Field(default=None, description=(
        "the HLS master playlist once transcoded: a path under the API (GET /lectures/hls/{token}/{rendition}, "
        "no bearer token needed); null where nothing was transcoded (locally, regions without MediaConvert)"))
    original: str = Field(description="the uploaded file, presigned GET (answers Range requests with 206)")


class VideoOut(Out):
    id: str
    course: str
    course_title: str
    audience: str
    title: str
    duration_s: int
    status: str
    content_type: str
    size: int
    sources: Sources
    poster: str | None = None
    expires_in: int = Field(description="seconds the URLs stay valid")
    my: MyProgress


class ProgressIn(Strict):
    position_s: float = Field(ge=0, le=MAX_SECONDS, description="the playhead now")
    ranges: list[tuple[float, float]] = Field(
        default_factory=list, max_length=50,
        description="[start, end] seconds played since the last heartbeat (video.played); seeking plays nothing")

    @field_validator("ranges")
    @classmethod
    def _ordered(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        if any(a < 0 or b < a or b > MAX_SECONDS for a, b in v):
            raise ValueError("播放区间不正确")
        return v


# --- comments ----------------------------------------------------------------------------------------------------

class CommentIn(Strict):
    text: Text = Field(min_length=1, max_length=300)
    reply_to: str | None = Field(default=None, max_length=64,
                                 description="a comment's id: this is a reply (one level: a reply to a reply joins "
                                             "its thread)")


class CommentOut(Out):
    id: str
    video: str
    parent: str | None = Field(default=None, description="the comment this replies to (its thread's first)")
    name: str = Field(description="the commenter's name, masked (张*)")
    text: str
    status: str = Field(description="pending (seen by its author and moderators) | approved | hidden")
    mine: bool
    created_at: str


class CommentPage(Out):
    items: list[CommentOut]
    next_cursor: str | None = None


class PageQuery(Strict):
    limit: int = Field(default=20, ge=1, le=50)
    cursor: str | None = Field(default=None, max_length=2000)


class QueueQuery(Strict):
    place: str = Field(pattern=PLACE, description="a course place of mine (the county or a township)")
    limit: int = Field(default=20, ge=1, le=50)
    cursor: str | None = Field(default=None, max_length=2000)


class DecisionIn(Strict):
    action: Literal["approve", "hide"]


# --- numbers -----------------------------------------------------------------------------------------------------

class StatsQuery(Strict):
    place: str | None = Field(default=None, pattern=PLACE, description="the county (default), a township or a "
                                                                       "village of mine")


class Numbers(Out):
    views: int = Field(description="first views (one per person per video)")
    completions: int = Field(description="videos watched ≥ 90 % (one per person per video)")
    completion_rate: float = Field(description="completions ÷ views, 0–1 (0 without views)")


class VideoNumbers(Numbers):
    id: str
    title: str


class PlaceNumbers(Numbers):
    place: str
    name: str


class StatsOut(Numbers):
    course: str
    place: str
    place_name: str | None = None
    videos: list[VideoNumbers]
    children: list[PlaceNumbers] = Field(description="the place's townships (county) or villages (township) "
                                                     "with views")
