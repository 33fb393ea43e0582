from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from ..core.db import HouseholdsItem, key


class Place(HouseholdsItem, discriminator="place"):
    """A township/street, administrative village or grid. `{tenant}#PLACES` / `{code}`; gsi1 lists children."""

    code = UnicodeAttribute()
    name = UnicodeAttribute()
    level = UnicodeAttribute()  # township | village | grid
    parent = UnicodeAttribute()
    created_at = UnicodeAttribute()
    # Where a village is on the county's map (WGS-84 degrees, optional): the analysis's hotspot map draws it.
    lng = NumberAttribute(null=True)
    lat = NumberAttribute(null=True)

    @staticmethod
    def keys(tenant: str, code: str) -> tuple[str, str]:
        return key(tenant, "PLACES"), code

    @staticmethod
    def children_key(tenant: str, parent: str) -> str:
        return key(tenant, "CHILDREN", parent)
