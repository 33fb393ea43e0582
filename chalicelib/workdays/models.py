"""The county's changes to the national working-day calendar. Items in the `submissions` table."""

from __future__ import annotations

from pynamodb.attributes import MapAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key


class WorkdaysYear(SubmissionsItem, discriminator="workdays_year"):
    """`{t}#WORKDAYS` / `{year}`: the county's overrides of one year, `days` {"2026-10-10": "work" | "off"} with
    an optional `notes` {"2026-10-10": "..."}; they win over the national arrangement (calendar.py). At most 366
    entries: far below the item size limit."""

    days = MapAttribute(default=dict)
    notes = MapAttribute(default=dict)
    updated_at = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, year: int) -> tuple[str, str]:
        return key(tenant, "WORKDAYS"), str(year)
