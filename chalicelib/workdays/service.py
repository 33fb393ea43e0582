"""The county's working-day calendar: the national arrangement (calendar.py) plus the county's own changes, and
deadlines in working days computed with it.

A county admin may declare a day a working day or a day off (a local holiday, a working weekend the county
decides); the county's entries win over the national data. Deadline computations read the county's entries through
a per-container cache (CACHE_SECONDS), so an SLA check costs at most one BatchGet a minute per county.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from ..core import clock
from ..core.db import save_versioned
from ..core.tenancy import TenantContext
from . import calendar
from .models import WorkdaysYear

CACHE_SECONDS = 60
KIND_ZH = {"work": "上班", "off": "休息"}

_cache: dict[tuple[str, int], tuple[float, dict[dt.date, bool]]] = {}
_lock = threading.Lock()


def _plain(value) -> dict[str, str]:
    return dict(value.as_dict() if hasattr(value, "as_dict") else value or {})


def _entries(item: WorkdaysYear | None) -> tuple[dict[str, str], dict[str, str]]:
    """The county's entries of the year: ({date: "work" | "off"}, {date: note})."""
    return (_plain(item.days), _plain(item.notes)) if item is not None else ({}, {})


def _as_overrides(days: dict[str, str]) -> dict[dt.date, bool]:
    return {dt.date.fromisoformat(d): kind == "work" for d, kind in days.items()}


def overrides(tenant: str, years) -> dict[dt.date, bool]:
    """The county's overrides for these years, {date: True (work) | False (off)}: one BatchGet for the years not
    cached in this container in the last CACHE_SECONDS."""
    now = time.monotonic()
    out: dict[dt.date, bool] = {}
    missing = []
    with _lock:
        for year in sorted(set(years)):
            hit = _cache.get((tenant, year))
            if hit and now - hit[0] < CACHE_SECONDS:
                out.update(hit[1])
            else:
                missing.append(year)
    if missing:
        found = {int(i.sk): _as_overrides(_entries(i)[0])
                 for i in WorkdaysYear.batch_get([WorkdaysYear.keys(tenant, y) for y in missing])}
        with _lock:
            for year in missing:
                _cache[(tenant, year)] = (now, found.get(year, {}))
                out.update(found.get(year, {}))
    return out


def forget(tenant: str, year: int) -> None:
    with _lock:
        _cache.pop((tenant, year), None)


def due(tenant: str, start: dt.datetime, n: int) -> dt.datetime:
    """When a period of n working days that starts at `start` ends in this county (calendar.add_workdays: 00:00
    Asia/Shanghai after the n-th working day after the filing day)."""
    return calendar.add_workdays(start, n, overrides(tenant, calendar.years_spanned(start, n)))


def _load(tenant: str, year: int) -> WorkdaysYear | None:
    try:
        return WorkdaysYear.get(*WorkdaysYear.keys(tenant, year), consistent_read=True)
    except WorkdaysYear.DoesNotExist:
        return None


def _year_out(year: int, item: WorkdaysYear | None) -> dict:
    """Every day of the year that is not what Monday-to-Friday would make it, or that the county has an entry for."""
    national = calendar.national_days(year)
    days, notes = _entries(item)
    out = []
    for d in sorted(set(national) | {dt.date.fromisoformat(k) for k in days}):
        iso = d.isoformat()
        default = national[d][0] if d in national else d.weekday() < 5
        if iso in days:
            kind = days[iso]
            out.append({"date": iso, "kind": kind, "name": f"本县调整为{KIND_ZH[kind]}", "source": "county",
                        "note": notes.get(iso), "default_kind": "work" if default else "off"})
        else:
            out.append({"date": iso, "kind": "work" if default else "off", "name": national[d][1],
                        "source": "national", "note": None, "default_kind": "work" if default else "off"})
    return {"year": year, "national_source": calendar.national_source(year), "days": out,
            "updated_at": item.updated_at if item else None}


def get_year(ctx: TenantContext, year: int) -> dict:
    """The year's calendar for the console: national holidays and 调休 working days, and the county's entries."""
    tenant = ctx.require_tenant()
    ctx.require("workdays.read")
    return _year_out(year, _load(tenant, year))


def set_day(ctx: TenantContext, day: dt.date, kind: str | None, note: str | None) -> dict:
    """Declare `day` a working day ("work") or a day off ("off") in the county, or (kind None) remove the county's
    entry so the national arrangement applies again. Get + versioned Put; a concurrent edit is a 409."""
    tenant = ctx.require_tenant()
    ctx.require("workdays.write", tenant)
    year, iso = day.year, day.isoformat()
    item = _load(tenant, year)
    days, notes = _entries(item)
    if kind is None:
        days.pop(iso, None)
        notes.pop(iso, None)
    else:
        days[iso] = kind
        if note:
            notes[iso] = note
        else:
            notes.pop(iso, None)
    if (days, notes) != _entries(item):
        if item is None:
            item = WorkdaysYear(*WorkdaysYear.keys(tenant, year))
        item.days, item.notes = days, notes
        item.updated_at, item.updated_by = clock.iso(), ctx.user_id
        save_versioned(item, "工作日历")
        forget(tenant, year)
    return _year_out(year, item)
