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
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, cid: str) -> tuple[str, str]:
        return key(tenant, "CASE", cid), "ERRAND"
