"""One handler for the `submissions` table's stream, dispatching each record by item kind to the modules that
registered for it (`@on_record("daily_report_day")`). A module's events.py registers its reactions; the Lambda
function is one (`on_submissions_change`), so the stream has one reader.

Handlers receive (event name, new image, old image) as raw DynamoDB maps; removals (TTL expiry) are not passed on
unless a handler asks for them. A handler must be idempotent: a failed batch is delivered again.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice import Blueprint

from .config import settings
from .observability import logger

bp = Blueprint(__name__)

Handler = Callable[[str, dict | None, dict | None], str | None]
_handlers: dict[str, list[tuple[Handler, bool]]] = {}


def on_record(kind: str, *, removals: bool = False) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        _handlers.setdefault(kind, []).append((fn, removals))
        return fn
    return deco


def dispatch(records: list[dict]) -> dict[str, int]:
    """Run the registered handlers over raw stream records; returns how many times each outcome was reported."""
    done: dict[str, int] = {}
    for rec in records:
        name = rec.get("eventName")
        ddb = rec.get("dynamodb") or {}
        new, old = ddb.get("NewImage"), ddb.get("OldImage")
        kind = ((new or old) or {}).get("kind", {}).get("S")
        for fn, removals in _handlers.get(kind, ()):
            if name == "REMOVE" and not removals:
                continue
            outcome = fn(name, new, old)
            if outcome:
                done[outcome] = done.get(outcome, 0) + 1
    if done:
        logger.info("stream records", extra=done)
    return done


@bp.on_dynamodb_record(stream_arn=settings().submissions_stream_arn, batch_size=100,
                       starting_position="TRIM_HORIZON")
def on_submissions_change(event):
    dispatch([r.to_dict() for r in event])
