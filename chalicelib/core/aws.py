"""AWS clients, created lazily once per process (cold start pays only for what a request needs), all from one
botocore session.

One session: botocore loads its data (endpoints, partitions, each service's model) once per session, so every
client made from a new session pays that again — 45–75 ms of CPU each on a cold start (bench/cold_start.py), where a
second client from the same session costs 2–8 ms. The clients here and PynamoDB's connection (core.db) share this
session. The clients are botocore's own: boto3's `client()` only wraps `Session.create_client` (its extras, such as
S3's upload_file, are not used), so boto3 is not imported.

The tenant fence (core.fence) hooks into the session: inside a county's request, DynamoDB, KMS and S3 calls are
signed with credentials that reach only that county's data.
"""

from __future__ import annotations

import threading
from typing import Any

from .config import settings

_clients: dict[str, Any] = {}
_session: Any = None
# Reentrant: PynamoDB's connection (core.db) makes its client under it, and asks for the session meanwhile.
lock = threading.RLock()


def session() -> Any:
    """The process's botocore session (creating clients from it is not thread-safe: hold `lock` while doing so)."""
    global _session
    if _session is None:
        with lock:
            if _session is None:
                import botocore.session  # deferred: botocore is the heaviest import in the package

                from . import fence

                made = botocore.session.get_session()
                fence.register(made)  # before any client: clients copy the session's event handlers
                _session = made
    return _session


def client(service: str) -> Any:
    c = _clients.get(service)
    if c is None:
        with lock:
            c = _clients.get(service)
            if c is None:
                from botocore.config import Config

                s = settings()
                c = session().create_client(service, region_name=s.region, endpoint_url=s.endpoint_url,
                                            config=Config(retries={"mode": "standard", "max_attempts": 3},
                                                          connect_timeout=3, read_timeout=10))
                _clients[service] = c
    return c


def reset_clients() -> None:
    """For tests that point the process at another endpoint."""
    with lock:
        _clients.clear()
