"""Application secrets (token-signing key, blind-index key) from Secrets Manager, read once per cold start."""

from __future__ import annotations

import json
import threading

from .aws import client
from .config import settings

_cache: dict[str, str] = {}
_lock = threading.Lock()


def get(name: str) -> str:
    if not _cache:
        with _lock:
            if not _cache:
                raw = client("secretsmanager").get_secret_value(SecretId=settings().secret_name)["SecretString"]
                _cache.update(json.loads(raw))
    return _cache[name]


def reset() -> None:
    _cache.clear()
