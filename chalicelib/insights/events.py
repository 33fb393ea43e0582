"""Reactions of the analysis to the submissions stream (dispatched by core/streams.py):

- CaseCount items inserted or changed (a case filed) → the county-week's matrices rolled up again (rollup.py);
- a case inserted → its text's words counted into the week's word counters of the county and of its township
  (words.py), exactly once; the text itself is never stored here.
"""

from __future__ import annotations

from ..core import streams
from . import rollup, words


@streams.on_records("case_count")
def on_case_counts(batch: list[tuple[str, dict | None, dict | None]]) -> dict[str, int]:
    return rollup.on_count_changes(batch)


@streams.on_record("case")
def on_case(event: str, new: dict | None, old: dict | None) -> str | None:
    if event != "INSERT" or not new:
        return None
    tenant = new["pk"]["S"].split("#", 1)[0]
    week = new.get("week", {}).get("S")
    township = new.get("township", {}).get("S")
    text = new.get("text", {}).get("S") or ""
    cid = new.get("cid", {}).get("S")
    if not (week and township and cid):
        return None
    return words.apply(tenant, cid, week, [tenant, township], text)
