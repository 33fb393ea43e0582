"""Open311 clients, in the `households` table (docs/data-model.md, "Open311"):

- `Open311Client` `{t}#O311KEY` / `{kid}`: one client of the county's Open311 endpoint (a civic-tech app, a
  hotline's system) and its API key. The key (`{kid}.{secret}`, shown once when issued) is stored only as its
  SHA-256: a leak of the table gives nobody a working key. Cases the client files have the filer uid `o311-{kid}`
  and the filer name `Open311：{name}`; there is no User item behind them (nobody signs in as a client).
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from ..core.db import HouseholdsItem, key


class Open311Client(HouseholdsItem, discriminator="open311_client"):
    kid = UnicodeAttribute()
    name = UnicodeAttribute()
    key_hash = UnicodeAttribute()  # sha256 hex of the whole key
    per_day = NumberAttribute()  # service requests the client may file a day (Asia/Shanghai)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()  # uid of the county admin who issued it
    created_by_name = UnicodeAttribute(null=True)
    last_used_at = UnicodeAttribute(null=True)  # the last filing (written at most every few minutes)

    @staticmethod
    def keys(tenant: str, kid: str) -> tuple[str, str]:
        return key(tenant, "O311KEY"), kid

    @staticmethod
    def partition(tenant: str) -> str:
        return key(tenant, "O311KEY")

    @property
    def uid(self) -> str:
        return f"o311-{self.kid}"
