"""One handler for the `submissions` table's stream, dispatching each record by item kind to the modules that
registered for it (`@on_record("daily_report_day")`). A module's events.py registers its reactions; the Lambda
function is one (`on_submissions_change`), so the stream has one reader.

The reacting modules are declared by the manifests (`reactions`: item kind -> module) and imported at the first
dispatch: in AWS the stream's Lambda function imports this module only (its handler is
`chalicelib.core.streams.on_submissions_change`), never app.py, and the API's cold start does not pay for them.

Handlers receive (event name, new image, old image) as raw DynamoDB maps; removals (TTL expiry) are not passed on
unless a handler asks for them. A handler must be idempotent: a failed batch is delivered again.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from chalice import Blueprint

from .config import settings
from .observability import logger

bp = Blueprint(__name__)

Handler = Callable[[str, dict | None, dict | None], str | None]
BatchHandler = Callable[[list[tuple[str, dict | None, dict | None]]], dict[str, int]]
_handlers: dict[str, list[tuple[Handler, bool]]] = {}
_batch_handlers: dict[str, list[BatchHandler]] = {}



def load_reactions() -> None:
    """Import the modules the manifests name as reacting to the stream (they register with on_record/on_records)."""
    from . import modules

    modules.ensure_registered()
    for name in sorted(modules.reaction_modules()):
        importlib.import_module(name)  # a no-op once imported


def on_record(kind: str, *, removals: bool = False) -> Callable[[Handler], Handler]:
    def deco(fn: Handler) -> Handler:
        _handlers.setdefault(kind, []).append((fn, removals))
        return fn
    return deco


def on_records(kind: str) -> Callable[[BatchHandler], BatchHandler]:
    """A handler of all of a batch's inserts and changes of one kind at once (to sum before writing)."""
    def deco(fn: BatchHandler) -> BatchHandler:
        _batch_handlers.setdefault(kind, []).append(fn)
        return fn
    return deco


def dispatch(records: list[dict]) -> dict[str, int]:
    """Run the registered handlers over raw stream records; returns how many times each outcome was reported."""
    load_reactions()
    done: dict[str, int] = {}
    batches: dict[str, list[tuple[str, dict | None, dict | None]]] = {}
    for rec in records:
        name = rec.get("eventName")
        ddb = rec.get("dynamodb") or {}
        new, old = ddb.get("NewImage"), ddb.get("OldImage")
        kind = ((new or old) or {}).get("kind", {}).get("S")
        if kind in _batch_handlers and name != "REMOVE":
            batches.setdefault(kind, []).append((name, new, old))
        for fn, removals in _handlers.get(kind, ()):
            if name == "REMOVE" and not removals:
                continue
            outcome = fn(name, new, old)
            if outcome:
                done[outcome] = done.get(outcome, 0) + 1
    for kind, batch in batches.items():
        for fn in _batch_handlers[kind]:
            for outcome, n in fn(batch).items():
                done[outcome] = done.get(outcome, 0) + n
    if done:
        logger.info("stream records", extra=done)
    return done


@bp.on_dynamodb_record(stream_arn=settings().submissions_stream_arn, batch_size=100,
                       starting_position="TRIM_HORIZON")
def on_submissions_change(event):
    dispatch([r.to_dict() for r in event])
