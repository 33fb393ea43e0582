from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import PLATFORM, HouseholdsItem, key

SHARDS = 8  # township and county counters are spread over this many items (read back in one BatchGet)


class Household(HouseholdsItem, discriminator="household"):
    """`{t}#HH#{hid}` / `HH`; gsi1 `{t}#HHV#{village}` / `{grid}#{hid}` lists a village's or grid's households."""

    hid = UnicodeAttribute()
    grid = UnicodeAttribute()
    village = UnicodeAttribute()
    address = UnicodeAttribute()
    head_name = UnicodeAttribute()
    ref = UnicodeAttribute(null=True)  # the county's own household number, from imports
    member_count = NumberAttribute(default=0)
    follower_count = NumberAttribute(default=0)
    invite_code = UnicodeAttribute(null=True)
    last_report_date = UnicodeAttribute(null=True)  # written by the daily report's transaction (unversioned)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, hid: str) -> tuple[str, str]:
        return key(tenant, "HH", hid), "HH"

    @staticmethod
    def village_index(tenant: str, village: str) -> str:
        return key(tenant, "HHV", village)


class Member(HouseholdsItem, discriminator="member"):
    """`{t}#HH#{hid}` / `M#{mid}`: read with its household in one Query."""

    mid = UnicodeAttribute()
    hid = UnicodeAttribute()
    name = UnicodeAttribute()
    relation = UnicodeAttribute()
    idno_enc = UnicodeAttribute()
    idno_bidx = UnicodeAttribute()
    phone_enc = UnicodeAttribute(null=True)
    phone_bidx = UnicodeAttribute(null=True)
    party_member = BooleanAttribute(default=False)
    outside_person = BooleanAttribute(default=False)
    from_place = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, hid: str, mid: str) -> tuple[str, str]:
        return key(tenant, "HH", hid), f"M#{mid}"


class IdNumberIndex(HouseholdsItem, discriminator="idno_index"):
    """`{t}#IDNO#{bidx}`: an ID number belongs to one member in a county."""

    hid = UnicodeAttribute()
    mid = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, bidx: str) -> tuple[str, str]:
        return key(tenant, "IDNO", bidx), "IDNO"


class Invite(HouseholdsItem, discriminator="invite"):
    """`platform#INVITE#{code}`: the code a grid worker gives a villager; it names the county and household."""

    code = UnicodeAttribute()
    tenant = UnicodeAttribute()
    hid = UnicodeAttribute()
    head = BooleanAttribute(default=False)
    created_by = UnicodeAttribute()

    @staticmethod
    def keys(code: str) -> tuple[str, str]:
        return key(PLATFORM, "INVITE", code), "INVITE"


class Coverage(HouseholdsItem, discriminator="coverage"):
    """Counters per place: households, and households with at least one follower. Township and county counters
    are sharded (`#S{n}`) so that imports and sign-up waves do not all hit one item."""

    households = NumberAttribute(default=0)
    followed = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, place: str, shard: int | None = None) -> tuple[str, str]:
        return (key(tenant, "COV", place) if shard is None else key(tenant, "COV", place, f"S{shard}")), "COV"
