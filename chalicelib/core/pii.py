"""Personal data (PIPL): validation, envelope encryption, blind indexes and masking.

- ID-card numbers (GB 11643-1999, 18 characters, ISO 7064 MOD 11-2 check digit) and +86 mobile numbers.
- Encryption at rest: KMS envelope encryption with one data key per county and month (core/keyring.py), stored
  wrapped and shared by every container: a container makes one KMS call per county and month it touches.
  Ciphertext: "v2." + period + "." + b64(nonce || AES-256-GCM ciphertext). Values written before the keyring
  ("v1." + b64(wrapped per-container data key) + "." + ...) still open, one KMS call per key met (LRU).
- Lookups go through an HMAC-SHA256 blind index stored beside the ciphertext, keyed per county (core/keyring.py
  BlindIndexKey) for a county's members; the sign-in identity (a phone across counties) uses the platform key.
- Masks: 330825********1234 and 138****0000.
Nothing in this module logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
import unicodedata
from collections import OrderedDict

from . import secrets
from .aws import client

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# ASCII digits only: `\d` would also take full-width and other scripts' digits, which must first become ASCII
# (NFKC) so that one number has one blind index.
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]$")
_PHONE_RE = re.compile(r"^1[3-9][0-9]{9}$")
_SCIENTIFIC_RE = re.compile(r"^[0-9](\.[0-9]+)?E\+?[0-9]+$")


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str) -> str:
    """Return the canonical ID number or raise ValueError with a Chinese message. Full-width digits and Ｘ, spaces
    and lower-case x are accepted and canonicalised."""
    v = re.sub(r"\s", "", unicodedata.normalize("NFKC", value or "")).upper()
    if _SCIENTIFIC_RE.match(v) or re.fullmatch(r"[0-9]{15,18}\.0+", v):
        raise ValueError("身份证号被表格转换成了数字（如 3.30825E+17），末几位已丢失：请把该列设为“文本”后重新填写")
    if not _ID_RE.match(v):
        raise ValueError("身份证号应为18位（最后一位可为X）")
    month, day = int(v[10:12]), int(v[12:14])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError("身份证号中的出生日期无效")
    if id_check_digit(v[:17]) != v[17]:
        raise ValueError("身份证号校验位不正确")
    return v


def normalise_phone(value: str) -> str:
    """Accept 13800000000, +86 138 0000 0000, 86-138-0000-0000; return the 11-digit mobile number."""
    v = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value or ""))
    if v.startswith("+86"):
        v = v[3:]
    elif v.startswith("0086"):
        v = v[4:]
    elif v.startswith("86") and len(v) == 13:
        v = v[2:]
    if not _PHONE_RE.match(v):
        raise ValueError("请输入有效的11位手机号")
    return v


def mask_phone(phone: str | None) -> str | None:
    return None if not phone else f"{phone[:3]}****{phone[-4:]}"


def mask_name(name: str | None) -> str | None:
    """张三 → 张*, 欧阳小明 → 欧***: the family name only."""
    return None if not name else name[0] + "*" * max(1, len(name) - 1)


def mask_id_number(idno: str | None) -> str | None:
    return None if not idno else f"{idno[:6]}********{idno[-4:]}"


def _hmac_index(k: bytes, kind: str, value: str) -> str:
    return hmac.new(k, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:40]


def blind_index(kind: str, value: str) -> str:
    """The platform-wide keyed hash (`blind_index_key` of the app secret). Used where one value must be found across
    counties: a person's sign-in identity (phone → their memberships in every county, OTP challenges), and for
    non-personal fingerprints. A county's own personal data is indexed with `county_blind_index`."""
    return _hmac_index(secrets.get("blind_index_key").encode(), kind, value)


def county_blind_index(tenant: str, kind: str, value: str) -> str:
    """The county's keyed hash of a phone or ID number (its own key: core/keyring.py BlindIndexKey), stored beside
    the ciphertext and used for lookups and uniqueness in that county. The same number has unrelated indexes in two
    counties. `kind` separates domains (phone, idno)."""
    return _hmac_index(keys.ring.blind_key(tenant)[0], kind, value)


def county_blind_indexes(tenant: str, kind: str, value: str) -> list[str]:
    """The indexes a lookup must try: the county's, then, until the county is re-indexed
    (chalicelib/households/reindex.py), the platform one its older items were written with."""
    k, reindexed = keys.ring.blind_key(tenant)
    mine = _hmac_index(k, kind, value)
    return [mine] if reindexed else [mine, blind_index(kind, value)]


KEY_SCOPE = "tenant-period"  # data keys: one per county and month, shared by all containers (core/keyring.py)


class _Keys:
    """The data keys this container holds: the keyring (v2, per county and month) and, for ciphertext written
    before it (v1: a data key per container, rotated every few minutes, its wrapped blob inside each value), an
    LRU of unwrapped blobs."""

    LEGACY_SIZE = 1000

    def __init__(self):
        self._ring = None
        self._legacy: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def ring(self):
        if self._ring is None:
            from .keyring import Keyring  # PynamoDB: only when personal data is first sealed or opened

            self._ring = Keyring()
        return self._ring

    def legacy(self, tenant: str, blob: bytes) -> bytes:
        with self._lock:
            hit = self._legacy.get(blob)
            if hit is not None:
                self._legacy.move_to_end(blob)
                return hit
        plain = client("kms").decrypt(CiphertextBlob=blob, EncryptionContext={"tenant": tenant})["Plaintext"]
        with self._lock:
            self._legacy[blob] = plain
            while len(self._legacy) > self.LEGACY_SIZE:
                self._legacy.popitem(last=False)
        return plain

    def clear(self) -> None:
        """Forget every key (what a new container starts with)."""
        with self._lock:
            self._legacy.clear()
        if self._ring is not None:
            self._ring.clear()


keys = _Keys()
_b64, _unb64 = base64.urlsafe_b64encode, base64.urlsafe_b64decode


def encrypt(tenant: str, plaintext: str | None) -> str | None:
    """"v2.{period}.{b64(nonce || AES-256-GCM ciphertext)}", sealed with the county's key of the month; the tenant and
    the period are the associated data, so a value copied to another county or period does not open."""
    if plaintext is None:
        return None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    period, data_key = keys.ring.current(tenant)
    nonce = os.urandom(12)
    ct = AESGCM(data_key).encrypt(nonce, plaintext.encode(), f"{tenant}#{period}".encode())
    return f"v2.{period}.{_b64(nonce + ct).decode()}"


def decrypt(tenant: str, token: str | None) -> str | None:
    if token is None:
        return None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    version, head, body_b64 = token.split(".")
    body = _unb64(body_b64)
    if version == "v2":
        data_key, aad = keys.ring.get(tenant, head), f"{tenant}#{head}"
    elif version == "v1":
        data_key, aad = keys.legacy(tenant, _unb64(head)), tenant
    else:
        raise ValueError("unknown ciphertext version")
    return AESGCM(data_key).decrypt(body[:12], body[12:], aad.encode()).decode()
