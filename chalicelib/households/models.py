from __future__ import annotations

import hashlib
import re
import unicodedata

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import PLATFORM, HouseholdsItem, key

SHARDS = 8  # township and county counters are spread over this many items (read back in one BatchGet)


class Household(HouseholdsItem, discriminator="household"):
    """`{t}#HH#{hid}` / `HH`; gsi1 `{t}#HHV#{village}` / `{grid}#{ref order}#{hid}` lists a village's or grid's
    households in household-number order (`ref_order`: digit runs zero-padded, so 2 comes before 10)."""

    hid = UnicodeAttribute()
    grid = UnicodeAttribute()
    village = UnicodeAttribute()
    address = UnicodeAttribute()
    head_name = UnicodeAttribute()
    head_mid = UnicodeAttribute(null=True)  # the head's member id, kept with head_name: heads read in one BatchGet
    ref = UnicodeAttribute(null=True)  # the household number (户编号): the county's own, or given on creation
    member_count = NumberAttribute(default=0)
    follower_count = NumberAttribute(default=0)
    invite_code = UnicodeAttribute(null=True)
    last_report_date = UnicodeAttribute(null=True)  # written by the daily report's transaction (unversioned)
    # The day status, with last_report_date (all three written by the daily report's stream handler, exactly once
    # per report: chalicelib/daily_report/events.py): the sort key of the report that counts for that day, and
    # whether the day is on time. None: not reported since the day status moved here (DayStatus items had it).
    report_sk = UnicodeAttribute(null=True)
    report_on_time = BooleanAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, hid: str) -> tuple[str, str]:
        return key(tenant, "HH", hid), "HH"

    @staticmethod
    def village_index(tenant: str, village: str) -> str:
        return key(tenant, "HHV", village)

    @staticmethod
    def order_key(grid: str, ref: str | None, hid: str) -> str:
        return f"{grid}#{ref_order(ref)}#{hid}"


def canonical_ref(ref: str) -> str:
    """One spelling per household number: NFKC (full-width digits and letters → ASCII), trimmed, upper case."""
    return unicodedata.normalize("NFKC", ref).strip().upper()


def ref_order(ref: str | None) -> str:
    """The natural-sort form of a household number: digit runs without leading zeros, left-padded to 20 digits
    ("HH-2" → "HH-000…002" sorts before "HH-10"); "#" becomes "-" (it separates the parts of the sort key).
    Households without a number sort after every numbered one (U+10FFFF is above every character DynamoDB may
    compare, in UTF-8 byte order; "~" would put numbers in Chinese after them)."""
    if not ref:
        return "\U0010ffff"
    return re.sub(r"[0-9]+", lambda m: (m.group().lstrip("0") or "0").rjust(20, "0"),
                  canonical_ref(ref).replace("#", "-"))


class Member(HouseholdsItem, discriminator="member"):
    """`{t}#HH#{hid}` / `M#{mid}`: read with its household in one Query. gsi1 `{t}#PN#{first character of the
    name}` / `{name}#{hid}#{mid}` is the county's name index ("find a person"): it lives on the member item, so
    every write of a member (create, rename, import, remove) keeps it in step in the same transaction."""

    mid = UnicodeAttribute()
    hid = UnicodeAttribute()
    grid = UnicodeAttribute(null=True)  # the household's grid: searches filter on the caller's places
    name = UnicodeAttribute()
    relation = UnicodeAttribute()
    idno_enc = UnicodeAttribute()
    idno_bidx = UnicodeAttribute()
    phone_enc = UnicodeAttribute(null=True)
    phone_bidx = UnicodeAttribute(null=True)
    # The masks (330825********1234, 138****0000) kept beside the ciphertext: answers to roles that see masked
    # numbers need no decryption. Members written before they existed have none (decrypted and masked as before).
    idno_mask = UnicodeAttribute(null=True)
    phone_mask = UnicodeAttribute(null=True)

    def set_phone(self, tenant: str, phone: str | None) -> None:
        """The phone's ciphertext, blind index and mask together (None removes the number): every writer uses this,
        so the mask never goes stale."""
        from ..core import pii

        self.phone_enc = pii.encrypt(tenant, phone) if phone else None
        self.phone_bidx = pii.county_blind_index(tenant, "phone", phone) if phone else None
        self.phone_mask = pii.mask_phone(phone) if phone else None

    def set_id_number(self, tenant: str, idno: str) -> None:
        from ..core import pii

        self.idno_enc, self.idno_bidx = pii.encrypt(tenant, idno), pii.county_blind_index(tenant, "idno", idno)
        self.idno_mask = pii.mask_id_number(idno)
    party_member = BooleanAttribute(default=False)
    outside_person = BooleanAttribute(default=False)
    from_place = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, hid: str, mid: str) -> tuple[str, str]:
        return key(tenant, "HH", hid), f"M#{mid}"

    @staticmethod
    def name_index(tenant: str, name: str) -> str:
        return key(tenant, "PN", name[:1])

    def index_name(self, tenant: str) -> None:
        """Set the name-index keys from the current name (call after any rename)."""
        self.gsi1pk, self.gsi1sk = Member.name_index(tenant, self.name), f"{self.name}#{self.hid}#{self.mid}"


class IdNumberIndex(HouseholdsItem, discriminator="idno_index"):
    """`{t}#IDNO#{bidx}`: an ID number belongs to one member in a county."""

    hid = UnicodeAttribute()
    mid = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, bidx: str) -> tuple[str, str]:
        return key(tenant, "IDNO", bidx), "IDNO"


class MemberPhoneIndex(HouseholdsItem, discriminator="member_phone"):
    """`{t}#MPHONE#{bidx}` / `{hid}#{mid}`: the members registered with a phone number (a family may share one)."""

    hid = UnicodeAttribute()
    mid = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, bidx: str, hid: str, mid: str) -> tuple[str, str]:
        return key(tenant, "MPHONE", bidx), f"{hid}#{mid}"

    @staticmethod
    def partition(tenant: str, bidx: str) -> str:
        return key(tenant, "MPHONE", bidx)


class HouseholdRef(HouseholdsItem, discriminator="household_ref"):
    """`{t}#HHREF#{canonical ref}` / `REF`: a household number belongs to one household in a county."""

    hid = UnicodeAttribute()
    village = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, ref: str) -> tuple[str, str]:
        return key(tenant, "HHREF", canonical_ref(ref)), "REF"


class HouseholdSeq(HouseholdsItem, discriminator="household_seq"):
    """`{t}#HHSEQ#{village}` / `SEQ`: the last household number handed out in a village (only ever goes up)."""

    last = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, village: str) -> tuple[str, str]:
        return key(tenant, "HHSEQ", village), "SEQ"


class AddressIndex(HouseholdsItem, discriminator="household_address"):
    """`{t}#HHADDR#{village}#{normalised address}` / `{hid}`: the households at an address of a village (several
    may share one: a household split off under the same roof), read to warn about a likely duplicate."""

    hid = UnicodeAttribute()
    grid = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, village: str, address: str) -> str:
        """The normalised address is hashed: NFKC may lengthen text many times over (ﷺ is 18 characters), and a
        partition key holds at most 2,048 bytes."""
        return key(tenant, "HHADDR", village, hashlib.sha256(normal_address(address).encode()).hexdigest()[:32])

    @staticmethod
    def keys(tenant: str, village: str, address: str, hid: str) -> tuple[str, str]:
        return AddressIndex.partition(tenant, village, address), hid


def normal_address(address: str) -> str:
    """张王村 １８ 号 and 张王村18号 are one address: NFKC, no spaces, upper case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", address)).upper()


class Migration(HouseholdsItem, discriminator="migration"):
    """`{t}#MIGRATION#{name}` / `MIGRATION`: a data migration has run over the county (see migrate.py)."""

    name = UnicodeAttribute()
    done_at = UnicodeAttribute()
    counts = UnicodeAttribute(null=True)  # JSON: what it changed

    @staticmethod
    def keys(tenant: str, name: str) -> tuple[str, str]:
        return key(tenant, "MIGRATION", name), "MIGRATION"


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
