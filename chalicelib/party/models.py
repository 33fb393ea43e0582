"""党员联户: each household is looked after by one party member of its village, who reminds it (daily report) and
hears it. Items in the `households` table."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from ..core.db import HouseholdsItem, key


class PartyLink(HouseholdsItem, discriminator="party_link"):
    """`{t}#PLINKS` / `{uid}#{hid}`: a party member's households are one prefix Query; the county's links one
    Query (the reminder job)."""

    uid = UnicodeAttribute()
    hid = UnicodeAttribute()
    linked_by = UnicodeAttribute()
    linked_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, uid: str, hid: str) -> tuple[str, str]:
        return key(tenant, "PLINKS"), f"{uid}#{hid}"


class PartyGuard(HouseholdsItem, discriminator="party_guard"):
    """`{t}#PLINKH#{hid}` / `PL`: the one party member a household is linked to."""

    uid = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, hid: str) -> tuple[str, str]:
        return key(tenant, "PLINKH", hid), "PL"
