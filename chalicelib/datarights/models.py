"""Items of the county's data rights, in the `submissions` table (docs/data-model.md, "Data rights"):

- `CountyExport` `{t}#DRX` / `{export id}` (`{epoch ms:013d}{rand}`: a Query newest first lists them): an export of
  all the county's data, its status (queued → running → done | failed), progress 0..100, who asked, and when done
  the zip's S3 key under `{t}/exports/county/` with its size and item counts. Kept a year (TTL); the zip itself is
  deleted after EXPORT_KEEP_DAYS by the retention job.
- `RetentionState` `{t}#DRRET` / `A`: the retention job's progress: case photos deleted up to `photos_done_ms`
  (cases filed before it), the health sweep's window (`health_sweep_until`, set when the county shortens its
  period), the last run and what it deleted.

The retention periods themselves are on the county record (core.counties: `health_retention_days`,
`photo_retention_days`), read through its cache by the daily report's write.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from ..core.db import SubmissionsItem, key


class CountyExport(SubmissionsItem, discriminator="datarights_export"):
    eid = UnicodeAttribute()
    status = UnicodeAttribute(default="queued")  # queued | running | done | failed
    progress = NumberAttribute(default=0)
    requested_by = UnicodeAttribute()
    requested_by_name = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    started_at = UnicodeAttribute(null=True)
    finished_at = UnicodeAttribute(null=True)
    s3_key = UnicodeAttribute(null=True)
    size_bytes = NumberAttribute(null=True)
    counts = UnicodeAttribute(null=True)  # JSON {"households": {kind: n}, "submissions": {kind: n}, "media": n}
    message = UnicodeAttribute(null=True)  # why it failed
    deleted_at = UnicodeAttribute(null=True)  # the zip was deleted (EXPORT_KEEP_DAYS)

    @staticmethod
    def keys(tenant: str, eid: str) -> tuple[str, str]:
        return key(tenant, "DRX"), eid


class RetentionState(SubmissionsItem, discriminator="datarights_retention"):
    photos_done_ms = NumberAttribute(default=0)
    health_sweep_until = UnicodeAttribute(null=True)  # ISO date: sweep old reports daily until then
    last_run = UnicodeAttribute(null=True)
    last_result = UnicodeAttribute(null=True)  # JSON of what the last run deleted
    updated_by = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)

    @staticmethod
    def keys(tenant: str) -> tuple[str, str]:
        return key(tenant, "DRRET"), "A"
