"""Data keys for personal-data encryption: one per county and month, shared by every container.

A county's key for a month is made by the first container that encrypts for it that month (KMS GenerateDataKey,
encryption context {tenant, period}) and stored *wrapped* (only KMS can unwrap it) in the households table,
`{tenant}#DATAKEY` / `{period}`, with a condition so that two containers racing keep one key. Any container unwraps
it once (KMS Decrypt, same context) and keeps it in an LRU cache: a container pays one GetItem and one KMS call per
county and month it touches, however many fields it encrypts or decrypts — not one per request, and not one per
item written by another container (which a per-container key rotating every few minutes would cost).

A key lives a month: AES-256-GCM with random 96-bit nonces stays far below its 2^32-messages bound (a county of
130,000 households writes a few million fields a month). Ciphertext names its period, so a key is never needed
beyond the items it sealed.

The county's blind-index key (BlindIndexKey, `{tenant}#DATAKEY` / `BIDX`) lives beside its data keys, wrapped the same
way under another encryption context, and is cached the same way. Nothing here logs.
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


class BlindIndexKey(HouseholdsItem, discriminator="bidxkey"):
    """`{t}#DATAKEY` / `BIDX`: the county's blind-index key (HMAC-SHA256, 32 bytes), wrapped by the KMS key with the
    encryption context {tenant, purpose: blind-index}. Made on first use, never changed. `reindexed_at`: when the
    county's members were last re-indexed with it (chalicelib/households/reindex.py); until then lookups also try
    the platform key that indexed them before."""

    wrapped = UnicodeAttribute()
    created_at = UnicodeAttribute()
    reindexed_at = UnicodeAttribute(null=True)

    @staticmethod
    def keys(tenant: str) -> tuple[str, str]:
        return key(tenant, "DATAKEY"), "BIDX"


BIDX_CONTEXT = "blind-index"
REINDEX_RECHECK_SECONDS = 60  # a county not yet re-indexed: how long a container trusts that before reading again


def period(at: dt.datetime | None = None) -> str:
    return (at or clock.now()).astimezone(dt.UTC).strftime("%Y%m")


def _context(tenant: str, period_: str) -> dict[str, str]:
    return {"tenant": tenant, "period": period_}


def _bidx_context(tenant: str) -> dict[str, str]:
    return {"tenant": tenant, "purpose": BIDX_CONTEXT}


class Keyring:
    """Plaintext data keys by (tenant, period), least recently used dropped first."""

    SIZE = 512

    def __init__(self) -> None:
        self._keys: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._bidx: OrderedDict[str, tuple[bytes, bool, int]] = OrderedDict()  # tenant -> (key, reindexed, read at)
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

    # --- blind-index keys (one per county, for good) -------------------------------------------------------------

    def blind_key(self, tenant: str) -> tuple[bytes, bool]:
        """(the county's blind-index key, whether its members are all indexed with it). One GetItem and one KMS
        call per container and county (and a GetItem a minute while the county is not re-indexed)."""
        now = clock.epoch()
        with self._lock:
            hit = self._bidx.get(tenant)
        if hit is not None and (hit[1] or 0 <= now - hit[2] < REINDEX_RECHECK_SECONDS):
            return hit[0], hit[1]
        item = self._blind_item(tenant)
        plain = hit[0] if hit is not None else client("kms").decrypt(
            CiphertextBlob=base64.b64decode(item.wrapped), EncryptionContext=_bidx_context(tenant))["Plaintext"]
        done = item.reindexed_at is not None
        with self._lock:
            self._bidx[tenant] = (plain, done, now)
            while len(self._bidx) > self.SIZE:
                self._bidx.popitem(last=False)
        return plain, done

    @staticmethod
    def _blind_item(tenant: str) -> BlindIndexKey:
        from pynamodb.exceptions import PutError

        pk, sk = BlindIndexKey.keys(tenant)
        try:
            return BlindIndexKey.get(pk, sk, consistent_read=True)
        except BlindIndexKey.DoesNotExist:
            pass
        made = client("kms").generate_data_key(KeyId=settings().pii_key_id, KeySpec="AES_256",
                                               EncryptionContext=_bidx_context(tenant))
        item = BlindIndexKey(pk, sk, wrapped=base64.b64encode(made["CiphertextBlob"]).decode(),
                             created_at=clock.iso())
        try:
            item.save(condition=BlindIndexKey.pk.does_not_exist())
            return item
        except PutError as e:
            if e.cause_response_code != "ConditionalCheckFailedException":
                raise
        return BlindIndexKey.get(pk, sk, consistent_read=True)  # another container's key won the race

    def mark_reindexed(self, tenant: str) -> None:
        """Record that every member of the county is indexed with its own key (the platform key is no longer
        tried). Makes the key if there is none yet (a new county: nothing to re-index)."""
        self._blind_item(tenant)
        BlindIndexKey(*BlindIndexKey.keys(tenant)).update(actions=[BlindIndexKey.reindexed_at.set(clock.iso())])
        with self._lock:
            self._bidx.pop(tenant, None)

    def clear(self) -> None:
        with self._lock:
            self._keys.clear()
            self._bidx.clear()
