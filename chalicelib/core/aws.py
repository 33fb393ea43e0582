"""boto3 clients, created lazily once per process (cold start pays only for what a request needs)."""

from __future__ import annotations

import threading
from typing import Any

from .config import settings

_clients: dict[str, Any] = {}
_lock = threading.Lock()


def client(service: str) -> Any:
    c = _clients.get(service)
    if c is None:
        with _lock:
            c = _clients.get(service)
            if c is None:
                import boto3  # deferred: botocore is the heaviest import in the package
                from botocore.config import Config

                s = settings()
                c = boto3.client(service, region_name=s.region, endpoint_url=s.endpoint_url,
                                 config=Config(retries={"mode": "standard", "max_attempts": 3},
                                               connect_timeout=3, read_timeout=10))
                _clients[service] = c
    return c


def reset_clients() -> None:
    """For tests that point the process at another endpoint."""
    with _lock:
        _clients.clear()
