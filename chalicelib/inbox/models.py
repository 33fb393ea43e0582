from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from ..core.db import HouseholdsItem, key


class Message(HouseholdsItem, discriminator="inbox"):
    """`{t}#INBOX#{uid}` / `{created_at}#{mid}`: a person's in-app notices, newest last in key order."""

    mid = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    category = UnicodeAttribute(default="system")
    created_at = UnicodeAttribute()
    read = BooleanAttribute(default=False)

    @staticmethod
    def partition(tenant: str, uid: str) -> str:
        return key(tenant, "INBOX", uid)
