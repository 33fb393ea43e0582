"""The county's catalogue of 网上代办 items. Items in the `submissions` table, under one partition per county."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key


class ErrandItem(SubmissionsItem, discriminator="errand_item"):
    """`{t}#ERRANDS` / `I#{id}`: one item of the county's catalogue, its whole definition as JSON (`data`: the Item
    of schemas.py without id, version and updated_at): read and written whole, never queried by its fields."""

    data = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, item_id: str) -> tuple[str, str]:
        return key(tenant, "ERRANDS"), f"I#{item_id}"

    @staticmethod
    def partition(tenant: str) -> str:
        return key(tenant, "ERRANDS")


class ErrandIndex(SubmissionsItem, discriminator="errand_index"):
    """`{t}#ERRANDS` / `INDEX`: what the phone's catalogue lists of every item (id → summary JSON), written in the
    same transaction as the item, so the catalogue is one GetItem (≈ 250 bytes an item: 1,000 items fit the 400 KB
    item limit with room; service.MAX_ITEMS holds a county below that)."""

    items = UnicodeAttribute(default="{}")
    updated_at = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str) -> tuple[str, str]:
        return key(tenant, "ERRANDS"), "INDEX"


class ErrandApplication(SubmissionsItem, discriminator="errand_application"):
    """`{t}#CASE#{cid}` / `ERRAND`: what an application holds beyond its case (in the case's partition, so the case,
    its timeline and this come back in one Query): the item as it was when applied for, the household, the form's
    values and the delivery address encrypted with the county's data key (they hold ID numbers and phones), the
    materials' photo keys (in the media bucket under the county's prefix, SSE-KMS), the delivery choice."""

    item_id = UnicodeAttribute()
    item_name = UnicodeAttribute()
    department = UnicodeAttribute()
    hid = UnicodeAttribute()
    values_enc = UnicodeAttribute()  # {"f1": …} with the field labels and types as applied (JSON, encrypted)
    materials = UnicodeAttribute()  # [{"name", "original_required", "photos": [key, …]}] (JSON)
    delivery = UnicodeAttribute()  # pickup | courier
    address_enc = UnicodeAttribute(null=True)  # courier: where to (encrypted)
    phone_enc = UnicodeAttribute(null=True)  # the contact for delivery (encrypted)
    time_limit_days = NumberAttribute(null=True)
    promised_days = NumberAttribute(null=True)
    # Where it stands beyond the case's status: submitted, returned (for more), forwarded (to the department),
    # approved / refused, shipped (courier) or ready (at the service point), received.
    stage = UnicodeAttribute(default="submitted")
    courier_company = UnicodeAttribute(null=True)
    tracking_no = UnicodeAttribute(null=True)
    shipped_at = UnicodeAttribute(null=True)
    ready_at = UnicodeAttribute(null=True)
    received_at = UnicodeAttribute(null=True)
    # Made on the household's behalf (网格员 or the service point's clerk): by whom, in which role, and the
    # household's phone that confirmed it with its code (masked; the whole number encrypted: the SMS go there).
    by_uid = UnicodeAttribute(null=True)
    by_name = UnicodeAttribute(null=True)
    by_role = UnicodeAttribute(null=True)
    consent_phone_mask = UnicodeAttribute(null=True)
    consent_phone_enc = UnicodeAttribute(null=True)
    consent_at = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, cid: str) -> tuple[str, str]:
        return key(tenant, "CASE", cid), "ERRAND"


class ErrandConsent(SubmissionsItem, discriminator="errand_consent"):
    """`{t}#ERRCONSENT#{hid}` / `{proxy uid}`: the code texted to a household so that a grid worker or a service-point
    clerk may apply on its behalf (consent.py): its keyed hash, when it was sent, tries; expires (TTL) after a day
    (the sends of the day are counted on it), the code after 10 minutes."""

    code_hash = UnicodeAttribute()
    phone_mask = UnicodeAttribute()
    issued_at = NumberAttribute()
    tries = NumberAttribute(default=0)
    sent_today = NumberAttribute(default=1)
    day = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, hid: str, uid: str) -> tuple[str, str]:
        return key(tenant, "ERRCONSENT", hid), uid


class ErrandHouseholdRef(SubmissionsItem, discriminator="errand_household_ref"):
    """`{t}#ERRHH#{hid}` / `{epoch ms}#{cid}`: an application made for a household (by a villager of it or on its
    behalf): what the family lists under 我家的申请, newest first."""

    cid = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, hid: str) -> str:
        return key(tenant, "ERRHH", hid)


class ErrandStat(SubmissionsItem, discriminator="errand_stat"):
    """`{t}#ERRSTAT#{YYYY-MM}` / `{township}#{item id}`: how a month's applications for an item in a township fared,
    counted in the transactions that change them (never by scanning): applied, decided (approved, refused), decided
    within the item's legal time limit (working days), the working days it took summed, delivered to the door (a
    courier shipment) and handed over at the service point. The month is the one the application was filed in."""

    item_name = UnicodeAttribute(null=True)
    applied = NumberAttribute(default=0)
    decided = NumberAttribute(default=0)
    approved = NumberAttribute(default=0)
    refused = NumberAttribute(default=0)
    within_limit = NumberAttribute(default=0)
    days_sum = NumberAttribute(default=0)
    to_door = NumberAttribute(default=0)
    at_point = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, month: str, township: str, item_id: str) -> tuple[str, str]:
        return key(tenant, "ERRSTAT", month), f"{township}#{item_id}"
