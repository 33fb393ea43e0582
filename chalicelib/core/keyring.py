"""Data keys for personal-data encryption: one per county and month, shared by every container.

A county's key for a month is made by the first container that encrypts for it that month (KMS GenerateDataKey,
encryption context {tenant, period}) and stored *wrapped* (only KMS can unwrap it) in the households table,
`{tenant}#DATAKEY` / `{period}`, with a condition so that two containers racing keep one key. Any container unwraps
it once (KMS Decrypt, same context) and keeps it in an LRU cache: a container pays one GetItem and one KMS call per
county and month it touches, however many fields it encrypts or decrypts — not one per request, and not one per
item written by another container (which a per-container key rotating every few minutes would cost).

A key lives a month: AES-256-GCM with random 96-bit nonces stays far below its 2^32-messages bound (a county of
130,000 households writes a few million fields a month). Ciphertext names its period, so a key is never needed
beyond the items it sealed. Nothing here logs.
"""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections import OrderedDict

from pynamodb.attributes import UnicodeAttribute

from . import clock
from .aws import client
from .config import settings
from .db import HouseholdsItem, key


class DataKey(HouseholdsItem, discriminator="datakey"):
    """`{t}#DATAKEY` / `{period}` (YYYYMM, UTC): the county's data key of a month, wrapped by the KMS key.
    Written once, never changed."""

    wrapped = UnicodeAttribute()  # base64 of KMS CiphertextBlob
    created_at = UnicodeAttribute()


def period(at: dt.datetime | None = None) -> str:
    return (at or clock.now()).astimezone(dt.UTC).strftime("%Y%m")


def _context(tenant: str, period_: str) -> dict[str, str]:
    return {"tenant": tenant, "period": period_}


class Keyring:
    """Plaintext data keys by (tenant, period), least recently used dropped first."""

    SIZE = 512

    def __init__(self) -> None:
        self._keys: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def current(self, tenant: str) -> tuple[str, bytes]:
        """This month's key of the county (made on first use)."""
        p = period()
        return p, self.get(tenant, p, create=True)

    def get(self, tenant: str, period_: str, create: bool = False) -> bytes:
        with self._lock:
            hit = self._keys.get((tenant, period_))
            if hit is not None:
                self._keys.move_to_end((tenant, period_))
                return hit
        plain = self._load(tenant, period_, create)
        with self._lock:
            self._keys[(tenant, period_)] = plain
            while len(self._keys) > self.SIZE:
                self._keys.popitem(last=False)
        return plain

    def _load(self, tenant: str, period_: str, create: bool) -> bytes:
        from pynamodb.exceptions import PutError

        pk = key(tenant, "DATAKEY")
        try:
            return self._unwrap(tenant, period_, DataKey.get(pk, period_, consistent_read=True))
        except DataKey.DoesNotExist:
            if not create:
                raise ValueError("no data key for this period") from None
        made = client("kms").generate_data_key(KeyId=settings().pii_key_id, KeySpec="AES_256",
                                               EncryptionContext=_context(tenant, period_))
        item = DataKey(pk, period_, wrapped=base64.b64encode(made["CiphertextBlob"]).decode(), created_at=clock.iso())
        try:
            item.save(condition=DataKey.pk.does_not_exist())
            return made["Plaintext"]
        except PutError as e:
            if e.cause_response_code != "ConditionalCheckFailedException":
                raise
        # Another container stored the month's key first: use theirs (ours was never used).
        return self._unwrap(tenant, period_, DataKey.get(pk, period_, consistent_read=True))

    @staticmethod
    def _unwrap(tenant: str, period_: str, item: DataKey) -> bytes:
        return client("kms").decrypt(CiphertextBlob=base64.b64decode(item.wrapped),
                                     EncryptionContext=_context(tenant, period_))["Plaintext"]

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()
