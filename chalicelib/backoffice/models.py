"""The county back office's items, in the `submissions` table (docs/data-model.md, "County back office").

- `QualityMonth` `{t}#BOQUAL#{YYYY-MM}` / `{township}`: a township's daily reporting of the month, one item per
  township-month written by the nightly roll-up (schedule.py) so that a month's page reads 15 items, not 30 days ×
  15 townships × 8 counter shards: per day `r_{date}` (households that reported), `o_{date}` (on time) and
  `x_{date}` (households registered that night); and the coverage counters of the last night (`households`,
  `linked`), the month's snapshot once it is over. Per-day attributes are SET (never ADDed): a run again, or a
  duplicate delivery, writes the same values. Read raw (service.quality_months).
- `QuarterlyReport` `{t}#BOREPORT#quarterly` / `{rid}`: a 季度党建报表 someone asked for and its progress
  (queued → running → done | failed); rid sorts by creation time, so the list is one Query, newest first.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from ..core.db import SubmissionsItem, key


class QualityMonth(SubmissionsItem, discriminator="bo_quality_month"):
    households = NumberAttribute(null=True)
    linked = NumberAttribute(null=True)
    rolled_at = UnicodeAttribute(null=True)

    @staticmethod
    def keys(tenant: str, month: str, township: str) -> tuple[str, str]:
        return key(tenant, "BOQUAL", month), township


class QuarterlyReport(SubmissionsItem, discriminator="bo_report"):
    rid = UnicodeAttribute()
    quarter = UnicodeAttribute()
    status = UnicodeAttribute(default="queued")  # queued | running | done | failed
    progress = NumberAttribute(default=0)  # 0..100
    message = UnicodeAttribute(null=True)  # failed: why (Chinese, for the office)
    s3_key = UnicodeAttribute(null=True)  # done: the workbook, under `{tenant}/reports/`
    data_key = UnicodeAttribute(null=True)  # done: the same numbers as JSON (the printable page)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(null=True)
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)

    @staticmethod
    def partition(tenant: str) -> str:
        return key(tenant, "BOREPORT", "quarterly")

    @staticmethod
    def keys(tenant: str, rid: str) -> tuple[str, str]:
        return QuarterlyReport.partition(tenant), rid
