"""Tip-offs filed before the case workflow become cases, losing nothing.

Before, a tip-off was a `Tipoff` item (`{t}#TIPV#{village}` / `{ms}#{rand}`, county index gsi1 `{t}#TIPS`) with a
`TipoffRef` per reporter and `TipoffCount` counters. `backfill(tenant)` turns each into a case of type `tipoff`:
same village, category, words, location, anonymity, reporter, status (open → filed, handling → accepted, closed →
closed), disposition, note, handler and times, `forwarded_at` (so the command is not sent it again); a timeline
rebuilt from what was known (filed; accepted or closed by the handler); the reporter's reference; the weekly
count; and an alias from the old id (`{village}-{ms}-{rand}`, in links people kept) to the case. One TransactWrite
per tip-off writes all of that and deletes the old tip-off and its reference, so a second run finds nothing to do
and a crash leaves every tip-off either old or new. The old weekly counters stay (nothing reads them).

Reads: one Query of the county index per 1 MB; writes: one reference-number ADD and one TransactWrite per tip-off.
`run_pending()` runs it once per county (marker `{t}#MIGRATION#tipoffs-cases`): the local stack calls it at
start-up; `python -m scripts.move_tipoffs --all` in a deployed stage.
"""

from __future__ import annotations

import datetime as dt
import json

from ..cases import service as cases
from ..cases.models import HEAD, Case, CaseAlias, CaseCount, CaseEvent, CaseRef
from ..core import clock
from ..core.db import key, transact
from ..households.models import Migration
from .casetype import TIPOFF
from .models import Tipoff, TipoffRef

NAME = "tipoffs-cases"
STATUS = {"open": "filed", "handling": "accepted", "closed": "closed"}


def _event(tenant, cid, at, event, uid, name, role, status, note=None, detail=None) -> CaseEvent:
    at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
    return cases._event(tenant, cid, at, event, uid, name, role, status, note, detail)


def convert(tenant: str, tip: Tipoff) -> Case:
    number = cases._next_number(tenant, TIPOFF.prefix)
    cid = f"{TIPOFF.prefix}-{number:06d}"
    ms = tip.sk.split("#", 1)[0]
    status = STATUS.get(tip.status, "filed")
    case = Case(Case.partition(tenant, cid), HEAD, cid=cid, ref=cases.public_ref(tenant, cid), type=TIPOFF.id,
                category=tip.category, place=tip.village, village=tip.village, township=tip.village[:9],
                text=tip.description, location=tip.location, anonymous=bool(tip.anonymous),
                filer_uid=tip.reporter_uid, filer_name=tip.reporter_name, status=status, level="village",
                outcome=tip.disposition, note=tip.note, handled_by=tip.handled_by, handled_by_name=tip.handled_by_name,
                handled_at=tip.handled_at, closed_at=tip.handled_at if status == "closed" else None,
                resolved_at=tip.handled_at if status == "closed" else None, created_at=tip.created_at,
                updated_at=tip.handled_at or tip.created_at, forwarded_at=tip.forwarded_at, legacy_id=tip.tid,
                week=tip.week, **cases._index_keys(tenant, tip.village, ms, cid))
    events = [_event(tenant, cid, tip.created_at, "filed", tip.reporter_uid, tip.reporter_name, "filer", "filed")]
    if status != "filed" and tip.handled_at:
        # Events sort by their time: the handling comes after the filing even when stored with the same instant.
        handled = max(dt.datetime.fromisoformat(tip.handled_at),
                      dt.datetime.fromisoformat(tip.created_at) + dt.timedelta(milliseconds=1))
        events.append(_event(tenant, cid, handled, "resolved" if status == "closed" else "accepted",
                             tip.handled_by, tip.handled_by_name, "staff", status, tip.note))
    count_pk, count_sk = CaseCount.keys(tenant, TIPOFF.id, tip.week, tip.village, tip.category)
    with transact() as tx:
        tx.save(case, condition=Case.pk.does_not_exist())
        for e in events:
            tx.save(e)
        tx.save(CaseRef(CaseRef.partition(tenant, tip.reporter_uid), f"{ms}#{cid}", cid=cid, type=TIPOFF.id))
        tx.save(CaseAlias(key(tenant, "CASEALIAS", tip.tid), HEAD, cid=cid), condition=CaseAlias.pk.does_not_exist())
        tx.update(CaseCount(count_pk, count_sk), actions=[CaseCount.count.add(1), CaseCount.kind.set(CaseCount)])
        tx.delete(tip, condition=Tipoff.version == tip.version)
        tx.delete(TipoffRef(key(tenant, "TIPU", tip.reporter_uid), tip.sk))
    return case


def backfill(tenant: str) -> dict:
    done = 0
    for tip in list(Tipoff.gsi1.query(Tipoff.county_index(tenant))):
        convert(tenant, tip)
        done += 1
    return {"tipoffs": done}


def done(tenant: str) -> bool:
    try:
        Migration.get(*Migration.keys(tenant, NAME))
        return True
    except Migration.DoesNotExist:
        return False


def mark_done(tenant: str, counts: dict | None = None) -> None:
    Migration(*Migration.keys(tenant, NAME), name=NAME, done_at=clock.iso(),
              counts=json.dumps(counts or {}, ensure_ascii=False)).save()


def run_pending(tenants: list[str] | None = None) -> dict[str, dict]:
    from ..households.migrate import counties

    out = {}
    for t in counties() if tenants is None else tenants:
        if done(t):
            continue
        out[t] = backfill(t)
        mark_done(t, out[t])
    return out
