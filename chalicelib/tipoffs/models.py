"""Epidemic tip-offs (疫情举报) as they were stored before the case workflow. Tip-offs are cases now
(chalicelib/cases); these items are read only by migrate.py, which turns each into a case and deletes it."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key


class Tipoff(SubmissionsItem, discriminator="tipoff"):
    """`{t}#TIPV#{village}` / `{epoch ms}#{rand}`: a village's tip-offs, newest last; gsi1 `{t}#TIPS` /
    `{epoch ms}#{village}#{rand}` is the county command's list. The public id is `{village}-{epoch ms}-{rand}`."""

    tid = UnicodeAttribute()
    village = UnicodeAttribute()
    category = UnicodeAttribute()  # returnee | gathering | other
    description = UnicodeAttribute()
    location = UnicodeAttribute(null=True)
    anonymous = BooleanAttribute(default=False)
    reporter_uid = UnicodeAttribute()  # kept even when anonymous (rate limits, abuse tracing by the platform)
    reporter_name = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | handling | closed
    disposition = UnicodeAttribute(null=True)  # warned | quarantine_arranged | unfounded | other
    note = UnicodeAttribute(null=True)
    handled_by = UnicodeAttribute(null=True)
    handled_by_name = UnicodeAttribute(null=True)
    handled_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    forwarded_at = UnicodeAttribute(null=True)  # sent to the county command on the alerts topic
    week = UnicodeAttribute()
    version = VersionAttribute()

    @staticmethod
    def partition(tenant: str, village: str) -> str:
        return key(tenant, "TIPV", village)

    @staticmethod
    def county_index(tenant: str) -> str:
        return key(tenant, "TIPS")


class TipoffRef(SubmissionsItem, discriminator="tipoff_ref"):
    """`{t}#TIPU#{uid}` / `{epoch ms}#{rand}`: the reporter's own tip-offs (to follow their outcome)."""

    tid = UnicodeAttribute()


class TipoffCount(SubmissionsItem, discriminator="tipoff_count"):
    """`{t}#TIPC#{ISO week}` / `{village}#{category}`: counts per village and category per week (tip-offs are
    rare: one item per county-week partition is no hot key)."""

    count = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, week: str, village: str, category: str) -> tuple[str, str]:
        return key(tenant, "TIPC", week), f"{village}#{category}"
