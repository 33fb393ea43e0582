"""专题授课's items, in the `submissions` table.

- A course `{t}#LCOURSE#{cid}` / `C` holds its ordered video ids (JSON), so a course page is one GetItem and one
  BatchGet of its videos (and one of the viewer's progress).
- A video `{t}#LVIDEO#{vid}` / `V`: the original upload's key, its transcoding state and renditions.
- A viewer's progress `{t}#LPROG#{uid}` / `{vid}`: position, a coverage bitmap of 100 equal slices (coverage.py),
  when the first view and the completion were counted.
- A course's numbers `{t}#LSTAT#{cid}` / `{place}#S{n}`: views and completions ADDed at write time, in the same
  transaction as the progress item's first write and its completion, at the viewer's village, township and county,
  sharded by viewer (SHARDS items per place: a county-wide course's first evening does not heat one item). The
  attributes are named by video (`vv_{vid}`, `vd_{vid}`) and by child place (`cv_{place}`, `cd_{place}`: a county
  item's townships, a township item's villages) and read raw (service.stat_raw).
- A comment `{t}#LCMT#{vid}` / `{root}` or `{root}#{reply}` (ids are epoch ms + random: a thread sorts in time
  order, replies right after their comment); while pending it is in the moderation queue of the course's place
  (gsi1 `{t}#LCMQ#{place}` / `{created_at}#{vid}#{sk}`).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key

SHARDS = 4


class Course(SubmissionsItem, discriminator="lecture_course"):
    """`{t}#LCOURSE#{cid}` / `C`; gsi1 `{t}#LCOURSES` / `{P|D}#{created_at}#{cid}` (published / draft, newest last
    in key order: lists read backwards)."""

    cid = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    audience = UnicodeAttribute(default="all")  # all | party (党员学习)
    status = UnicodeAttribute(default="draft")  # draft | published
    place = UnicodeAttribute()  # the publishing office's place (the county or a township): who sees and edits it
    videos = UnicodeAttribute(default="[]")  # JSON list of video ids, in the course's order
    duration_s = NumberAttribute(default=0)
    by_uid = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, cid: str) -> tuple[str, str]:
        return key(tenant, "LCOURSE", cid), "C"

    @staticmethod
    def listing(tenant: str) -> str:
        return key(tenant, "LCOURSES")


class Video(SubmissionsItem, discriminator="lecture_video"):
    """`{t}#LVIDEO#{vid}` / `V`: one lecture video of a course (the original under `{t}/lecture/{cid}/`; HLS
    renditions and a poster under `{t}/lecture-hls/{cid}/{vid}/` once transcoded)."""

    vid = UnicodeAttribute()
    cid = UnicodeAttribute()
    title = UnicodeAttribute()
    s3_key = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    duration_s = NumberAttribute()
    status = UnicodeAttribute(default="ready")  # processing | ready | failed (the original always plays)
    transcoder = UnicodeAttribute(default="none")
    job_id = UnicodeAttribute(null=True)
    hls_key = UnicodeAttribute(null=True)  # the master playlist
    poster_key = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    by_uid = UnicodeAttribute()
    created_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, vid: str) -> tuple[str, str]:
        return key(tenant, "LVIDEO", vid), "V"


class Progress(SubmissionsItem, discriminator="lecture_progress"):
    """`{t}#LPROG#{uid}` / `{vid}`: where the viewer stopped and which slices they watched. `beats` versions the
    heartbeats (a heartbeat's write is conditional on the one read: two tabs never lose each other's slices)."""

    vid = UnicodeAttribute()
    cid = UnicodeAttribute()
    position_s = NumberAttribute(default=0)
    slices = UnicodeAttribute(default="0")  # hex of the coverage bitmap (bit i: slice i watched)
    watched = NumberAttribute(default=0)  # slices watched (of coverage.SLICES)
    beats = NumberAttribute(default=0)
    beat_at = UnicodeAttribute()
    first_at = UnicodeAttribute()
    completed_at = UnicodeAttribute(null=True)
    village = UnicodeAttribute(default="")  # where the view was counted ("": not counted, staff without a village)
    points = NumberAttribute(null=True)  # party points given for the completion (党员学习)

    @staticmethod
    def keys(tenant: str, uid: str, vid: str) -> tuple[str, str]:
        return key(tenant, "LPROG", uid), vid


class Stat(SubmissionsItem, discriminator="lecture_stat"):
    """`{t}#LSTAT#{cid}` / `{place}#S{n}`: `views`, `done` and the per-video / per-child attributes (module doc)."""

    @staticmethod
    def keys(tenant: str, cid: str, place: str, shard: int) -> tuple[str, str]:
        return key(tenant, "LSTAT", cid), f"{place}#S{shard}"


class Comment(SubmissionsItem, discriminator="lecture_comment"):
    """`{t}#LCMT#{vid}` / `{root}` or `{root}#{reply}`: a comment or a reply (one level), pending → approved or
    hidden; staff who edit the course are approved at once."""

    vid = UnicodeAttribute()
    uid = UnicodeAttribute()
    name = UnicodeAttribute()
    text = UnicodeAttribute()
    parent = UnicodeAttribute(null=True)  # the root comment's sk (replies)
    place = UnicodeAttribute()  # the course's place (its moderators)
    status = UnicodeAttribute(default="pending")  # pending | approved | hidden
    created_at = UnicodeAttribute()
    decided_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def partition(tenant: str, vid: str) -> str:
        return key(tenant, "LCMT", vid)

    @staticmethod
    def queue(tenant: str, place: str) -> str:
        return key(tenant, "LCMQ", place)
