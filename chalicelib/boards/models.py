"""红黑榜 items, all in the `submissions` table under the county's keys (docs/data-model.md "红黑榜").

- BoardCriteria   `{t}#BOARDS` / `CRITERIA`: the county's criteria (absent: the defaults, version 0).
- BoardSettings   `{t}#BOARDS` / `V#{village}`: a village's board settings (absent: the defaults).
- Inspection      `{t}#BOARDI#{iid}` / `I`; gsi1 `{t}#BOARDH#{hid}` / `{at}#{iid}`: one score record (an inspection,
                  or a cadre's amendment after an appeal); the household's history is one Query of gsi1.
- MonthScore      `{t}#BOARDM#{village}#{YYYY-MM}` / `H#{hid}`: what counts for the household that month (the latest
                  inspection, or its amendment), with the board's row copied in: a village's month is one Query.
- AppealRef       `{t}#BOARDA#{village}` / `{appealed at}#{iid}`: an appeal waiting for a cadre (deleted when decided).
- PublishedBoard  `{t}#BOARDP#{village}` / `{YYYY-MM}#{version:04d}`: a frozen board; the newest version of a month is
                  one Query (descending, limit 1).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key


class BoardCriteria(SubmissionsItem, discriminator="board_criteria"):
    criteria = UnicodeAttribute()  # [{"key", "name", "weight", "max_score"}] (JSON)
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str) -> tuple[str, str]:
        return key(tenant, "BOARDS"), "CRITERIA"


class BoardSettings(SubmissionsItem, discriminator="board_settings"):
    red_count = NumberAttribute()
    red_min = NumberAttribute()
    black_count = NumberAttribute()
    black_below = NumberAttribute()
    black_names = UnicodeAttribute()  # full | masked | number
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, village: str) -> tuple[str, str]:
        return key(tenant, "BOARDS"), f"V#{village}"


class Inspection(SubmissionsItem, discriminator="board_inspection"):
    iid = UnicodeAttribute()
    source = UnicodeAttribute(default="inspection")  # inspection | amendment
    amends = UnicodeAttribute(null=True)  # amendment: the appealed record's id
    hid = UnicodeAttribute()
    grid = UnicodeAttribute()
    village = UnicodeAttribute()
    month = UnicodeAttribute()  # YYYY-MM (Asia/Shanghai) of the inspection (an amendment keeps the original's)
    breakdown = UnicodeAttribute()  # [{"key", "name", "weight", "max_score", "score"}] (JSON)
    total = NumberAttribute()  # weighted, 0–100, one decimal
    criteria_version = NumberAttribute()
    photos = UnicodeAttribute(default="[]")  # keys in the media bucket (JSON)
    note = UnicodeAttribute(null=True)
    by_uid = UnicodeAttribute()
    by_name = UnicodeAttribute(null=True)
    by_role = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    # The household's appeal, once: pending, then upheld or amended (decision by a cadre).
    appeal_status = UnicodeAttribute(null=True)
    appeal_reason = UnicodeAttribute(null=True)
    appealed_at = UnicodeAttribute(null=True)
    appealed_by = UnicodeAttribute(null=True)
    decision_note = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_by_name = UnicodeAttribute(null=True)
    amendment = UnicodeAttribute(null=True)  # the amendment's id
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, iid: str) -> tuple[str, str]:
        return key(tenant, "BOARDI", iid), "I"

    @staticmethod
    def history(tenant: str, hid: str) -> str:
        return key(tenant, "BOARDH", hid)


class MonthScore(SubmissionsItem, discriminator="board_month"):
    hid = UnicodeAttribute()
    grid = UnicodeAttribute()
    ref = UnicodeAttribute(null=True)  # the household number, as at the inspection
    head_name = UnicodeAttribute(null=True)
    iid = UnicodeAttribute()  # the record that counts
    source = UnicodeAttribute(default="inspection")  # of that record: inspection | amendment
    total = NumberAttribute()
    breakdown = UnicodeAttribute()
    at = UnicodeAttribute()  # when the record that counts was made (an amendment: the original's time)
    inspections = NumberAttribute(default=0)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, village: str, month: str, hid: str) -> tuple[str, str]:
        return MonthScore.partition(tenant, village, month), f"H#{hid}"

    @staticmethod
    def partition(tenant: str, village: str, month: str) -> str:
        return key(tenant, "BOARDM", village, month)


class AppealRef(SubmissionsItem, discriminator="board_appeal"):
    iid = UnicodeAttribute()
    hid = UnicodeAttribute()
    month = UnicodeAttribute()
    reason = UnicodeAttribute()
    total = NumberAttribute()
    ref = UnicodeAttribute(null=True)
    head_name = UnicodeAttribute(null=True)

    @staticmethod
    def partition(tenant: str, village: str) -> str:
        return key(tenant, "BOARDA", village)


class PublishedBoard(SubmissionsItem, discriminator="board_published"):
    village = UnicodeAttribute()
    month = UnicodeAttribute()
    number = NumberAttribute()  # the month's board version: 1, 2, …
    data = UnicodeAttribute()  # {"criteria", "red", "black", "settings", "households", "average"} (JSON)
    digest = UnicodeAttribute()  # of the rows: publishing an unchanged draft again makes no new version
    note = UnicodeAttribute(null=True)
    published_at = UnicodeAttribute()
    published_by = UnicodeAttribute()
    published_by_name = UnicodeAttribute(null=True)

    @staticmethod
    def partition(tenant: str, village: str) -> str:
        return key(tenant, "BOARDP", village)

    @staticmethod
    def sort(month: str, number: int) -> str:
        return f"{month}#{number:04d}"
