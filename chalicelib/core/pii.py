"""Personal data (PIPL): validation, envelope encryption, blind indexes and masking.

- ID-card numbers (GB 11643-1999, 18 characters, ISO 7064 MOD 11-2 check digit) and +86 mobile numbers.
- Encryption at rest: KMS envelope encryption. A data key is generated per tenant (encryption context carries the
  tenant) and cached for a few minutes, so encrypting a household of members costs one KMS call, not one per
  field; decrypted data keys are cached by their encrypted blob, so reading a list of 50 members is one KMS call.
  Ciphertext: "v1." + b64(encrypted data key) + "." + b64(nonce || AES-256-GCM ciphertext).
- Lookups go through an HMAC-SHA256 blind index keyed by a secret, stored beside the ciphertext.
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
import time
import unicodedata

from . import secrets
from .aws import client
from .config import settings

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


def blind_index(kind: str, value: str) -> str:
    """Keyed hash used to look up or de-duplicate an encrypted value. `kind` separates domains (phone, idno)."""
    k = secrets.get("blind_index_key").encode()
    return hmac.new(k, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:40]


class _KeyCache:
    """Caches plaintext data keys: one per tenant for encryption (max age / max uses), and by blob for decryption."""

    MAX_AGE = 300
    MAX_USES = 10_000

    def __init__(self):
        self._enc: dict[str, tuple[bytes, bytes, float, int]] = {}
        self._dec: dict[bytes, bytes] = {}
        self._lock = threading.Lock()

    def for_encrypt(self, tenant: str) -> tuple[bytes, bytes]:
        with self._lock:
            hit = self._enc.get(tenant)
            if hit and time.monotonic() - hit[2] < self.MAX_AGE and hit[3] < self.MAX_USES:
                self._enc[tenant] = (hit[0], hit[1], hit[2], hit[3] + 1)
                return hit[0], hit[1]
        resp = client("kms").generate_data_key(KeyId=settings().pii_key_id, KeySpec="AES_256",
                                               EncryptionContext={"tenant": tenant})
        plain, blob = resp["Plaintext"], resp["CiphertextBlob"]
        with self._lock:
            self._enc[tenant] = (plain, blob, time.monotonic(), 1)
            self._dec[blob] = plain
        return plain, blob

    def for_decrypt(self, tenant: str, blob: bytes) -> bytes:
        with self._lock:
            hit = self._dec.get(blob)
        if hit is not None:
            return hit
        plain = client("kms").decrypt(CiphertextBlob=blob, EncryptionContext={"tenant": tenant})["Plaintext"]
        with self._lock:
            if len(self._dec) > 1000:
                self._dec.clear()
            self._dec[blob] = plain
        return plain

    def clear(self) -> None:
        with self._lock:
            self._enc.clear()
            self._dec.clear()


keys = _KeyCache()


def encrypt(tenant: str, plaintext: str | None) -> str | None:
    if plaintext is None:
        return None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    data_key, blob = keys.for_encrypt(tenant)
    nonce = os.urandom(12)
    ct = AESGCM(data_key).encrypt(nonce, plaintext.encode(), tenant.encode())
    b64 = base64.urlsafe_b64encode
    return f"v1.{b64(blob).decode()}.{b64(nonce + ct).decode()}"


def decrypt(tenant: str, token: str | None) -> str | None:
    if token is None:
        return None
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    version, blob_b64, body_b64 = token.split(".")
    if version != "v1":
        raise ValueError("unknown ciphertext version")
    blob = base64.urlsafe_b64decode(blob_b64)
    body = base64.urlsafe_b64decode(body_b64)
    data_key = keys.for_decrypt(tenant, blob)
    return AESGCM(data_key).decrypt(body[:12], body[12:], tenant.encode()).decode()
