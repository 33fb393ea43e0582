"""Per-county request limits: no county can starve the others of the API function (issue 13, point 6).

The stage's API is an HTTP API, which has no usage plans: the limit is kept here, after the token is verified
(core.http calls `admit(ctx, county)` before a route's handler runs), per county (the tenant of the verified context).

How: time is cut into windows of WINDOW_S seconds (`CQT_THROTTLE_WINDOW_S`, 5). Each container counts the requests
it lets in per county and window, in memory. A county's limit is a rate (requests a second, cell-wide: all the
API function's containers together): `rate_limit` of its county record, else the stage's `tenant_rate_limit`
(`CQT_TENANT_RATE_LIMIT`; 0 or unset: no limit). So a window admits `limit × WINDOW_S` requests of the county.

- A container that alone reaches that many in a window refuses the county's further requests until the window
  ends (no AWS call).
- At its first request of the next window, a container that let in at least its share of the window's allowance
  (`limit × WINDOW_S / CONTAINERS`, CONTAINERS = the function's reserved concurrency, `CQT_THROTTLE_CONTAINERS`: no
  more containers can run at once) adds its count to the county's shared counter for that window: one UpdateItem
  ADD (1 WRU) per container, county and window — per container, never per request. The answer is the count of all
  the containers that added theirs so far: over the allowance, the county's requests are refused in this container
  for the current window. A container under its share needs no write: if every container is under its share, the
  county is under its limit, so a quiet county (nearly every county, nearly all the time) costs nothing.
- Refused: 429 `rate_limited` in the error envelope with Retry-After (seconds to the window's end). Refused requests
  are not counted.
- A failed sync (DynamoDB throttled or down) never fails a request: it is logged and the request let in.

Overshoot: a county's excess is seen one window late (the counts of window n decide window n+1), and a container
that syncs before the others sees only part of the count. A county can thus pass at most about its allowance of one
extra window (WINDOW_S × its rate over the limit, all containers together) before it is held; then it is held for a
window and let in again (a fixed window with one window of lag). Containers under their share are never held: their
traffic together is below the limit by construction.

Cost (bench/cost.py): one WRU per container over its share, county and window; a county under its limit pays none.
The counter items (`{tenant}#THROTTLE` / `W#{window}`, households table) expire an hour after their window (TTL).
"""

from __future__ import annotations

import math
import os
import threading

from . import clock
from .errors import TooManyRequests

WINDOW_S = 5
EXPIRES_AFTER_S = 3600
RETRY_MESSAGE = "本县当前访问量过大，请稍后再试"


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name) or default)
    except ValueError:
        return default


def window_seconds() -> int:
    return max(1, int(_env_number("CQT_THROTTLE_WINDOW_S", WINDOW_S)))


def default_limit() -> float:
    """The stage's limit for a county without its own (requests a second; 0: none)."""
    return max(0.0, _env_number("CQT_TENANT_RATE_LIMIT", 0))


def containers() -> int:
    """The most containers that may count at once: the API function's reserved concurrency."""
    return max(1, int(_env_number("CQT_THROTTLE_CONTAINERS", 1)))


def sized_limit(households: int, *, per_household: float = 1 / 1000, floor: float = 20) -> int:
    """A county's limit from its size (docs/operations.md, "Per-county request limits"): about three times the
    mean of its morning peak (three requests a household between 7 and 9: households / 2,400 a second), at least
    `floor`. Longyou (130,000 households): 130 a second."""
    return int(max(floor, math.ceil(households * per_household)))


def capacity(reserved_concurrency: int, request_ms: float) -> float:
    """Requests a second the API function's reserved concurrency serves at `request_ms` a request (Little's law): the
    sum of the counties' limits must stay at or under it, so that no county at its limit takes another's containers."""
    return reserved_concurrency * 1000 / request_ms


def check_headroom(limits: dict[str, float], reserved_concurrency: int, request_ms: float) -> float:
    """The requests a second left under `capacity` with these county limits; raises ValueError when there are none."""
    left = capacity(reserved_concurrency, request_ms) - sum(limits.values())
    if left < 0:
        raise ValueError(f"the counties' limits add up to {sum(limits.values()):g} requests a second, more than the "
                         f"{capacity(reserved_concurrency, request_ms):g} the API function's reserved concurrency "
                         f"({reserved_concurrency}) serves at {request_ms:g} ms a request")
    return left


class RateLimited(TooManyRequests):
    code = "rate_limited"
    message = RETRY_MESSAGE


class _Window:
    __slots__ = ("window", "count", "blocked_until")

    def __init__(self, window: int):
        self.window, self.count, self.blocked_until = window, 0, 0.0


class Limiter:
    """One container's view: counts per county for the current window and what the shared counter said."""

    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()
        self.syncs = 0  # shared-counter writes made (bench/cost.py reads it)

    def admit(self, tenant: str, limit: float, now: float | None = None) -> None:
        """Count one request of `tenant`, or raise RateLimited."""
        if not limit or limit <= 0:
            return
        now = clock.now().timestamp() if now is None else now
        size = window_seconds()
        allowance = limit * size
        current = int(now // size)
        with self._lock:
            w = self._windows.get(tenant)
            previous = w if w is not None and w.window == current - 1 else None
            if w is None or w.window != current:
                w = self._windows[tenant] = _Window(current)
        if previous is not None and previous.count >= max(1.0, allowance / containers()):
            total = self._sync(tenant, previous.window, previous.count, size)
            if total is not None and total > allowance:
                w.blocked_until = max(w.blocked_until, (current + 1) * size)
        if now < w.blocked_until:
            raise RateLimited(retry_after=math.ceil(w.blocked_until - now))
        w.count += 1
        if w.count > allowance:  # this container alone is over the county's allowance
            w.count -= 1
            w.blocked_until = (current + 1) * size
            raise RateLimited(retry_after=math.ceil(w.blocked_until - now))

    def _sync(self, tenant: str, window: int, count: int, size: int) -> int | None:
        """Add this container's count to the county's shared counter of `window`; the cell-wide count, or None when
        the counter cannot be reached (the request is let in)."""
        from .observability import logger

        try:
            total = _add(tenant, window, count, size)
            self.syncs += 1
            return total
        except Exception as e:  # noqa: BLE001 - a limiter that cannot count lets the request in
            logger.warning("throttle sync failed", extra={"tenant": tenant, "error_type": type(e).__name__})
            return None


def _add(tenant: str, window: int, count: int, size: int) -> int:
    """UpdateItem ADD on `{tenant}#THROTTLE` / `W#{window}` (1 WRU); the count after the add."""
    from .aws import client
    from .config import settings
    from .db import key

    out = client("dynamodb").update_item(
        TableName=settings().households_table,
        Key={"pk": {"S": key(tenant, "THROTTLE")}, "sk": {"S": f"W#{window}"}},
        UpdateExpression="ADD #c :n SET #k = :kind, #e = :exp",
        ExpressionAttributeNames={"#c": "count", "#k": "kind", "#e": "expires"},
        ExpressionAttributeValues={":n": {"N": str(count)}, ":kind": {"S": "throttle"},
                                   ":exp": {"N": str((window + 1) * size + EXPIRES_AFTER_S)}},
        ReturnValues="UPDATED_NEW")
    return int(out["Attributes"]["count"]["N"])


limiter = Limiter()  # this container's


def limit_of(county) -> float:
    """The county's limit: its record's `rate_limit`, else the stage's default."""
    own = getattr(county, "rate_limit", None) if county is not None else None
    return float(own) if own else default_limit()


def admit(ctx, county) -> None:
    """core.http's hook, after the token is verified and the county checked (its record, as core.counties cached it:
    no read of its own), before the handler: count the request against its county's limit, or raise RateLimited
    (429 rate_limited, Retry-After)."""
    tenant = getattr(ctx, "tenant_id", "") or ""
    if county is None or not tenant:  # the platform's operators, and people of no county yet
        return
    limiter.admit(tenant, limit_of(county))
