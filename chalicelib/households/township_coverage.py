"""Backfill of the township figures on a county's coverage counter shards (service.coverage_counts).

Every household write ADDs the township's figures (`h_{nnn}` households, `f_{nnn}` followed; nnn: the township code's
last 3 digits) to its shard of the county counter `{t}#COV#{t}#S{n}`, so that the county's 8 shards answer every
township in one BatchGet.
Counters written before that carry no such figures (or only those of the writes since), and coverage_counts then
falls back to reading each township's own shards. `backfill(tenant)` rebuilds the figures: the household's shard is
the same for its township's counter and the county's, so county shard `n` gets `h_{nnn}` = the township's shard
`n` households and `f_{nnn}` = its followed, for every township of the county (stale figures removed).

It is idempotent (a county whose figures already account for every household is left alone: a second run reads one
BatchGet and writes nothing) and safe beside live traffic: the 8 shard updates are one TransactWrite, each SET
conditional on the county shard's `households` and `followed` being what was read before the township shards were
read — a household written meanwhile changes them, and the county is read again (3 tries, then `failed`).

Reads, without a Scan: one BatchGet of the county's 8 shards (consistent), one Query of its townships, one BatchGet
per 100 township shard keys (consistent: 15 townships = 2). Writes: one TransactWrite of at most 8 updates.

`run_pending()` runs it for every county (the check is the one BatchGet): the local stack calls it at start-up;
`python -m scripts.backfill_township_coverage` runs it against a deployed stage.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.operand import Path

from ..core.db import transact
from . import service as hs
from .models import SHARDS, Coverage

NAME = "coverage-townships"
TRIES = 3


def backfill(tenant: str, dry_run: bool = False) -> dict:
    """Rebuild one county's township figures. Returns `townships` (of the county), `shards` (county shards
    written, or that would be with `dry_run`), `conflicts` (households on the county counter that no township of
    the county accounts for, e.g. a township removed from the place tree: nothing written) and `failed` (the
    counters kept changing: run it again)."""
    from ..places import service as places

    counts: dict = {"townships": 0, "shards": 0, "conflicts": [], "failed": []}
    county_keys = [Coverage.keys(tenant, tenant, s) for s in range(SHARDS)]
    conflicts: list[dict] = []
    for _ in range(TRIES):
        got = hs._raw_counters(tenant, county_keys, consistent=True)
        shards = {s: got[k] for s, k in enumerate(county_keys) if k in got}
        if hs.townships_attributed(list(shards.values())):
            return counts
        townships = places.townships(tenant)
        counts["townships"] = len(townships)
        own = hs._raw_counters(tenant, [Coverage.keys(tenant, t, s) for t in townships for s in range(SHARDS)],
                               consistent=True)
        plans, conflicts = _plans(tenant, townships, shards, own)
        if conflicts:  # a household written between the reads, or a township missing: read again, then say so
            continue
        counts["shards"] = len(plans)
        if dry_run or not plans:
            return counts
        try:
            with transact() as tx:
                for s, (raw, wanted, stale) in plans.items():
                    actions = [Path(k).set(v) for k, v in sorted(wanted.items())] + [Path(k).remove() for k in stale]
                    cond = _unchanged(Coverage.households, raw) & _unchanged(Coverage.followed, raw)
                    tx.update(Coverage(*county_keys[s]), actions=actions, condition=cond)
        except TransactWriteError:
            continue  # a household was written meanwhile: read again
        if hs.townships_attributed(hs.county_shards(tenant, consistent=True)):
            return counts
    if conflicts:
        counts["conflicts"] = conflicts
    else:
        counts["failed"].append({"county": tenant})
    return counts


def _unchanged(attr, raw: dict):
    """The counter still holds what was read (an attribute never ADDed to does not exist)."""
    return attr == raw[attr.attr_name] if attr.attr_name in raw else attr.does_not_exist()


def _plans(tenant: str, townships: list[str], shards: dict[int, dict], own: dict) -> tuple[dict, list[dict]]:
    """Per county shard to change: (its numbers as read, the township figures it should carry, figures to remove);
    and the shards whose totals the townships' own shards do not add up to."""
    plans, conflicts = {}, []
    prefixes = tuple(hs.TOWNSHIP_ATTR.values())
    for s, raw in shards.items():
        wanted = {}
        for t in townships:
            item = own.get(Coverage.keys(tenant, t, s), {})
            for field in hs.TOWNSHIP_ATTR:
                if item.get(field):
                    wanted[hs.township_attr(field, t)] = item[field]
        for field, prefix in hs.TOWNSHIP_ATTR.items():
            summed = sum(v for k, v in wanted.items() if k.startswith(prefix))
            if summed != raw.get(field, 0):
                conflicts.append({"shard": s, "field": field, "county": raw.get(field, 0), "townships": summed})
        stale = [k for k in raw if k.startswith(prefixes) and k not in wanted]
        if stale or any(raw.get(k) != v for k, v in wanted.items()):
            plans[s] = (raw, wanted, stale)
    return plans, conflicts


def run_pending(tenants: list[str] | None = None) -> dict[str, dict]:
    """Backfill every county (default) whose township figures do not account for its households. Returns the
    counts of the counties where something was (or should have been) written."""
    from . import migrate

    out = {}
    for t in migrate.counties() if tenants is None else tenants:
        counts = backfill(t)
        if counts["shards"] or counts["conflicts"] or counts["failed"]:
            out[t] = counts
    return out
