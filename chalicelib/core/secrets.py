"""Application secrets (refresh-token and other HMAC keys, the platform blind-index key, SMS credentials) from Secrets
Manager, read once per cold start. The access-token signing keys are elsewhere: core/auth/keys.py."""

from __future__ import annotations

import json
import threading

from .aws import client
from .config import settings

_cache: dict[str, str] = {}
_lock = threading.Lock()


def _load() -> dict[str, str]:
    if not _cache:
        with _lock:
            if not _cache:
                raw = client("secretsmanager").get_secret_value(SecretId=settings().secret_name)["SecretString"]
                _cache.update(json.loads(raw))
    return _cache


def get(name: str) -> str:
    return _load()[name]


def find(name: str) -> str | None:
    """The value, or None when the secret has no such key (one added by a later version, not drawn yet)."""
    return _load().get(name) or None


def reset() -> None:
    _cache.clear()
