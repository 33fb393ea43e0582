"""Signed codes shown as QR codes (a pass, an interview's admission, a volunteer's check-in): `{payload}.{mac}`.

The MAC is the first 16 bytes of HMAC-SHA256 under a key derived per purpose from the token key (so a code of one
purpose can never pass as another's), URL-safe base64 without padding (22 characters). Codes name no person.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from . import secrets

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _key(purpose: bytes) -> bytes:
    return hmac.new(secrets.get("token_key").encode(), purpose, hashlib.sha256).digest()


def mac(purpose: bytes, payload: str) -> str:
    digest = hmac.new(_key(purpose), payload.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(purpose: bytes, payload: str) -> str:
    """The code: the payload and its MAC."""
    return f"{payload}.{mac(purpose, payload)}"


def valid(purpose: bytes, code: str) -> bool:
    """Whether the code's last part is the MAC of the rest (constant time)."""
    payload, _, sig = code.strip().rpartition(".")
    return bool(payload) and hmac.compare_digest(mac(purpose, payload), sig)


def b36(n: int) -> str:
    """A non-negative integer in base 36 (expiry times in codes: short QR codes)."""
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = _B36[r] + out
        if n == 0:
            return out
