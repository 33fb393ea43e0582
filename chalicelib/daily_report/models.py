"""Items of the daily report (每日上报). Reports, day status, counters and alerts live in the `submissions` table;
a county's report settings live beside the county in the `households` table.

Health-code colours are sensitive personal information (PIPL): who had which colour is stored only encrypted
(`detail_enc`, `summary_enc`, KMS envelope per tenant); the plaintext left is what a dashboard counts.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import HouseholdsItem, SubmissionsItem, key

SHARDS = 8  # township and county counters: this many items each, read back in one BatchGet


class Report(SubmissionsItem, discriminator="daily_report"):
    """`{t}#DR#{hid}` / `H#{date}#{rid}`: every submission is kept (a replacement adds one); the newest of a day
    (`at_ms`, then `rid`) is the one that counts. With an Idempotency-Key the id derives from the key
    (service.report_id), so a retry's conditional put finds its report instead of writing another. Reports written
    before the day status moved into the household item have `H#{date}#{epoch ms}#{rid}` and no `at_ms`.

    Its stream INSERT does the rest, exactly once (events.py): the household item's day status (last report date,
    the report that counts: the unreported list and reminders read it) and the completion counters.
    """

    rid = UnicodeAttribute()
    hid = UnicodeAttribute()
    date = UnicodeAttribute()
    grid = UnicodeAttribute()
    village = UnicodeAttribute()
    submitted_at = UnicodeAttribute()
    by_user = UnicodeAttribute()
    by_name = UnicodeAttribute()
    proxy = BooleanAttribute(default=False)  # 代报: a grid worker reported on the household's behalf
    proxy_role = UnicodeAttribute(null=True)
    level = UnicodeAttribute()  # worst colour of the household: green | yellow | red
    detail_enc = UnicodeAttribute()  # {"members": [{"id","name","colour"}], "outside": [{"from_place","count"}]}
    outside_persons = NumberAttribute(default=0)
    replaced = BooleanAttribute(default=False)  # not used for counting; the newest of the day counts
    at_ms = NumberAttribute(null=True)  # when, epoch ms: later than every report of the household's day before it
    before_cutoff = BooleanAttribute(null=True)  # submitted before the county's cut-off (None: an old-layout report)
    body_hash = UnicodeAttribute(null=True)  # of the request's body, when sent with an Idempotency-Key

    @staticmethod
    def partition(tenant: str, hid: str) -> str:
        return key(tenant, "DR", hid)


class DayStatus(SubmissionsItem, discriminator="daily_report_day"):
    """`{t}#DR#{hid}` / `D#{date}`: the OLD layout's report that counts for a household's day (no longer written:
    the household item names today's report). Read only as a fallback for a household that reported under the old
    layout on the day of the deploy, and its stream records still in flight are counted as before."""

    hid = UnicodeAttribute()
    date = UnicodeAttribute()
    grid = UnicodeAttribute()
    rid = UnicodeAttribute()
    first_at = UnicodeAttribute()
    submitted_at = UnicodeAttribute()
    on_time = BooleanAttribute(default=False)
    proxy = BooleanAttribute(default=False)
    summary_enc = UnicodeAttribute()  # {"green": n, "yellow": n, "red": n} members
    outside_persons = NumberAttribute(default=0)
    version = VersionAttribute()


class Applied(SubmissionsItem, discriminator="daily_report_applied"):
    """`{t}#DRA#{hid}#{date}` / `r{rid}` (a report) or `v{version}` (an old DayStatus version): this change is in
    the counters, exactly once (written in the counters' transaction; a redelivered stream record finds it)."""

    @staticmethod
    def keys(tenant: str, hid: str, date: str, version: int | str) -> tuple[str, str]:
        return key(tenant, "DRA", hid, date), f"r{version}" if isinstance(version, str) else f"v{version}"


COUNTER_FIELDS = ("reported", "on_time", "proxy", "green", "yellow", "red", "alert_households",
                  "outside_households", "outside_persons")


class Counter(SubmissionsItem, discriminator="daily_report_counter"):
    """`{t}#DRC#{date}#{place}` (grid, village) or `…#{place}#S{n}` (township, county) / `C`."""

    reported = NumberAttribute(default=0)
    on_time = NumberAttribute(default=0)
    proxy = NumberAttribute(default=0)
    green = NumberAttribute(default=0)
    yellow = NumberAttribute(default=0)
    red = NumberAttribute(default=0)
    alert_households = NumberAttribute(default=0)
    outside_households = NumberAttribute(default=0)
    outside_persons = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, date: str, place: str, shard: int | None = None) -> tuple[str, str]:
        pk = key(tenant, "DRC", date, place) if shard is None else key(tenant, "DRC", date, place, f"S{shard}")
        return pk, "C"


class Alert(SubmissionsItem, discriminator="daily_report_alert"):
    """`{t}#ALERT#{aid}` / `A`; gsi1 `{t}#ALERTS#{status}` / `{created_at}#{aid}` lists the county's alerts by
    status, newest first. Written in the report's transaction; its stream record publishes it to SNS."""

    aid = UnicodeAttribute()
    rid = UnicodeAttribute()
    hid = UnicodeAttribute()
    date = UnicodeAttribute()
    grid = UnicodeAttribute()
    village = UnicodeAttribute()
    level = UnicodeAttribute()  # yellow | red
    count = NumberAttribute()  # members with that colour or worse
    detail_enc = UnicodeAttribute()  # {"members": [{"name", "colour"}], "address", "head_name"}
    status = UnicodeAttribute(default="open")  # open | acknowledged | closed
    created_at = UnicodeAttribute()
    published_at = UnicodeAttribute(null=True)
    acked_by = UnicodeAttribute(null=True)
    acked_at = UnicodeAttribute(null=True)
    closed_by = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, aid: str) -> tuple[str, str]:
        return key(tenant, "ALERT", aid), "A"

    @staticmethod
    def status_index(tenant: str, status: str) -> str:
        return key(tenant, "ALERTS", status)


class ReportSettings(HouseholdsItem, discriminator="daily_report_settings"):
    """`{t}#DRS` / `DRS`: a county's cut-off and reminder times (HH:MM, Asia/Shanghai)."""

    cutoff = UnicodeAttribute(default="10:00")
    party_reminder_at = UnicodeAttribute(default="09:00")
    grid_reminder_at = UnicodeAttribute(default="11:00")
    updated_at = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str) -> tuple[str, str]:
        return key(tenant, "DRS"), "DRS"


class Reminder(SubmissionsItem, discriminator="daily_report_reminder"):
    """`{t}#DRM#{hid}` / `{date}`: a household was reminded today (one SMS a day at most)."""

    by_user = UnicodeAttribute()
    by_name = UnicodeAttribute()
    at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, hid: str, date: str) -> tuple[str, str]:
        return key(tenant, "DRM", hid), date


class Job(SubmissionsItem, discriminator="daily_report_job"):
    """`{t}#DRJ#{date}` / `{stage}` or `{stage}#{township}`: a county's (or one township's, for a county the
    reminder job splits) reminder stage ran today (claimed before it runs)."""

    started_at = UnicodeAttribute()
    result = UnicodeAttribute(null=True)

    @staticmethod
    def keys(tenant: str, date: str, stage: str) -> tuple[str, str]:
        return key(tenant, "DRJ", date), stage
