"""What other modules read of the case workflow in bulk: the analysis of what people raise (chalicelib/insights)
and the county's retention of case photos (chalicelib/datarights). Batch and stream reads, never a request's."""

from __future__ import annotations

from ..core import counties
from ..core.db import key
from . import categories, types
from .models import HEAD, Case, CaseCount


def week_counts(tenant: str, week: str) -> list[tuple[str, str, str, int]]:
    """Every case type's counts of an ISO week (`2026-W07`): (type, place, category, count), place = the village or,
    for a case filed to a township, the township. One Query per case type (4 today), whatever the county's size."""
    out = []
    for t in types.all_types():
        pk = CaseCount.keys(tenant, t.id, week, "", "")[0]
        for c in CaseCount.query(pk):
            place, _, cat = c.sk.partition("#")
            if c.count:
                out.append((t.id, place, cat, int(c.count)))
    return out


def week_of_count_key(pk: str) -> tuple[str, str] | None:
    """(tenant, week) of a CaseCount partition key (a stream record's), else None."""
    parts = pk.split("#")
    if len(parts) == 4 and parts[1] == "CASECNT":
        return parts[0], parts[3]
    return None


def labels(tenant: str) -> dict[str, dict]:
    """The case types of the modules the county has on: {type: {"name", "categories": {code: name}}}. The county's
    categories are read through the categories cache (at most one GetItem per type, cached for seconds)."""
    on = set(counties.enabled_modules(counties.get(tenant)))
    return {t.id: {"name": t.name, "categories": {c.code: c.name for c in categories.of(tenant, t)}}
            for t in types.all_types() if t.module in on}


def cases_filed_between(tenant: str, since_ms: int, before_ms: int, limit: int = 500) -> list[Case]:
    """Cases filed in [since, before) by the county log (gsi3, keyed `{ms}#{cid}`), oldest first, at most `limit`:
    a retention job's read (one Query page per 1 MB)."""
    lo, hi = f"{since_ms:013d}", f"{before_ms:013d}"
    out = []
    for c in Case.gsi3.query(key(tenant, "CASEC"), Case.gsi3sk.between(lo, hi), scan_index_forward=True):
        if c.gsi3sk >= hi:
            break
        out.append(c)
        if len(out) >= limit:
            break
    return out


def photo_keys(case: Case) -> list[str]:
    return [k for k in (list(case.photos or []) + list(case.after_photos or []) + list(case.hidden_photos or []))
            if k]


def forget_photos(tenant: str, cid: str, at: str) -> None:
    """Drop a case's photo references once their files are deleted (retention). Unversioned: staff handling the
    case at that moment must not get a conflict; the case keeps when its photos went (`photos_expired_at`)."""
    Case._get_connection().update_item(
        Case.partition(tenant, cid), HEAD,
        actions=[Case.photos.set([]), Case.after_photos.set([]), Case.hidden_photos.set([]),
                 Case.photos_expired_at.set(at)],
        condition=Case.pk.exists())
