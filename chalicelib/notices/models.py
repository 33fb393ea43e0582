"""通知公告's items, in the `submissions` table. A notice is written once per target place, never once per person:
readers Query the partitions of their own places (county, township, village, grid) at read time."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key


class Notice(SubmissionsItem, discriminator="notice"):
    """`{t}#NOTICE#{nid}` / `N`: the whole notice. gsi1 `{t}#NOTICEBY#{from place}` / `{created_at}#{nid}`: what a
    place published (the staff's list, withdrawn and scheduled ones included)."""

    nid = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    urgent = BooleanAttribute(default=False)
    attachments = UnicodeAttribute(default="[]")  # [{"key", "content_type", "name"}] (JSON)
    targets = UnicodeAttribute()  # [place code, …] (JSON): every one at or below from_place
    roles = UnicodeAttribute(default="[]")  # [] everyone; else only these roles (JSON)
    publish_at = UnicodeAttribute()  # UTC ISO-8601: visible from then on
    from_place = UnicodeAttribute()
    from_name = UnicodeAttribute()
    by_uid = UnicodeAttribute()
    by_name = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    status = UnicodeAttribute(default="active")  # active | withdrawn
    withdrawn_at = UnicodeAttribute(null=True)
    withdrawn_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, nid: str) -> tuple[str, str]:
        return key(tenant, "NOTICE", nid), "N"

    @staticmethod
    def by_place(tenant: str, place: str) -> str:
        return key(tenant, "NOTICEBY", place)


class NoticeEntry(SubmissionsItem, discriminator="notice_entry"):
    """`{t}#NOTICES#{place}` / `{publish_at}#{nid}`: a notice in one target place's list, newest last in key order
    (read backwards, with sk <= now: scheduled ones are out of the key range until their time). What the list shows,
    so that a page of the list reads no notice item."""

    nid = UnicodeAttribute()
    title = UnicodeAttribute()
    excerpt = UnicodeAttribute()
    urgent = BooleanAttribute(default=False)
    roles = UnicodeAttribute(default="[]")
    publish_at = UnicodeAttribute()
    from_name = UnicodeAttribute()
    attachments = NumberAttribute(default=0)
    withdrawn = BooleanAttribute(default=False)

    @staticmethod
    def partition(tenant: str, place: str) -> str:
        return key(tenant, "NOTICES", place)

    @staticmethod
    def sort_key(publish_at: str, nid: str) -> str:
        return f"{publish_at}#{nid}"


class NoticeSeen(SubmissionsItem, discriminator="notice_seen"):
    """`{t}#NSEEN#{uid}` / `{nid}`: this person opened (acknowledged) the notice; read back with a page's BatchGet."""

    read_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, uid: str, nid: str) -> tuple[str, str]:
        return key(tenant, "NSEEN", uid), nid


class NoticeRead(SubmissionsItem, discriminator="notice_read"):
    """`{t}#NREAD#{nid}` / `{grid}#{hid}`: the household has read the notice (the first of its members who opened
    it), written once (conditional put) with its counters. A grid's (or a village's) reads are a prefix Query."""

    uid = UnicodeAttribute()
    read_at = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, nid: str) -> str:
        return key(tenant, "NREAD", nid)


class NoticeCount(SubmissionsItem, discriminator="notice_count"):
    """`{t}#NCOUNT#{nid}#{place}` (grid, village) or `…#{place}#S{n}` (township, county: sharded by household) /
    `C`: households of the place that have read the notice. One partition per place and shard, so that a county-wide
    notice's reads spread over many partitions."""

    read = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, nid: str, place: str, shard: int | None = None) -> tuple[str, str]:
        parts = ["NCOUNT", nid, place] + ([f"S{shard}"] if shard is not None else [])
        return key(tenant, *parts), "C"


class NoticeSmsDue(SubmissionsItem, discriminator="notice_sms_due"):
    """`{t}#NSMSQ` / `{publish_at}#{nid}`: an urgent notice whose SMS to inactive households is still to be sent
    (the job `notice_sms`), with its targets; expires (TTL) two days after its publication."""

    nid = UnicodeAttribute()
    title = UnicodeAttribute()
    from_name = UnicodeAttribute()
    targets = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str) -> str:
        return key(tenant, "NSMSQ")


class NoticeSmsMark(SubmissionsItem, discriminator="notice_sms_mark"):
    """`{t}#NSMS#{nid}` / `H#{hid}`: the notice's SMS went to this household (once, conditional put before the
    send); `V#{village}`: the village is done."""

    at = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, nid: str) -> str:
        return key(tenant, "NSMS", nid)
