"""How cases fare, per type × township × month (the county back office's quality page, issue 17 point 5): filed,
answered (the first staff step that answers the filer), resolved (first resolved or closed), the seconds each took
summed and how many within the SLA — counted in CaseMonth items ADDed in the same transaction as the filing and as
the step that answers or resolves (service.file / service.act), never by scanning.

- The month is the one the case was **filed** in (Asia/Shanghai), as 网上代办's stats: a month's row says how that
  month's cases fared, and settles as they are answered.
- A first answer is a staff step other than assign, escalate and hide (those pass a case on or moderate it without
  answering the filer): accept, note, resolve, close, duplicate, and a module's own staff steps (网上代办's return,
  forward...). Counted once a case (`Case.responded_at`).
- A resolution is the first time the case reaches resolved or closed (`Case.first_resolved_at`): a reopened case
  resolved again is not counted twice.
- Within the SLA: by the deadline its category's SLA gave at filing (`Case.sla_due_at`; escalations move `due_at`,
  not this). A category without an SLA counts as within.
- Only cases filed since the counters exist are counted (`Case.counted`): an older case's answer adds nothing, so a
  month never shows more answered than filed.
"""

from __future__ import annotations

import datetime as dt

from ..core import clock
from .models import Case, CaseMonth

FIELDS = ("filed", "responded", "response_s", "response_in_sla", "resolved", "resolution_s", "resolution_in_sla")
NOT_AN_ANSWER = frozenset({"assign", "escalate", "hide"})
DONE = frozenset({"resolved", "closed"})


def month_of(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(clock.SHANGHAI).strftime("%Y-%m")


def _update(tenant: str, case: Case, add: dict[str, int]):
    stat = CaseMonth(*CaseMonth.keys(tenant, month_of(case.created_at), case.township, case.type))
    return stat, [CaseMonth.kind.set(CaseMonth), *(getattr(CaseMonth, k).add(v) for k, v in add.items() if v)]


def filed(tenant: str, case: Case):
    """The filing's ADD, (model, actions) for its transaction; marks the case counted."""
    case.counted = True
    return _update(tenant, case, {"filed": 1})


def step(tenant: str, case: Case, action: str, role: str, now: dt.datetime):
    """After a step changed `case` (status already set): the ADD of its first answer and/or first resolution, or
    None. Sets `responded_at` / `first_resolved_at` on the case (saved in the same transaction)."""
    if not case.counted:
        return None
    at = clock.iso(now)
    within = case.sla_due_at is None or at <= case.sla_due_at
    seconds = max(0, int((now - dt.datetime.fromisoformat(case.created_at)).total_seconds()))
    add: dict[str, int] = {}
    if role == "staff" and action not in NOT_AN_ANSWER and case.responded_at is None:
        case.responded_at = at
        add.update(responded=1, response_s=seconds, response_in_sla=int(within))
    if case.status in DONE and case.first_resolved_at is None:
        case.first_resolved_at = at
        add.update(resolved=1, resolution_s=seconds, resolution_in_sla=int(within))
    return _update(tenant, case, add) if add else None


def months(tenant: str, month_list: list[str]) -> dict[tuple[str, str], dict[str, int]]:
    """{(township, type): summed fields} over the months: one Query per month (a row per township and type that had
    filings: 15 townships × 4 types = 60 small items, one page)."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for month in month_list:
        for item in CaseMonth.query(CaseMonth.keys(tenant, month, "", "")[0]):
            township, _, type_id = item.sk.partition("#")
            row = out.setdefault((township, type_id), dict.fromkeys(FIELDS, 0))
            for f in FIELDS:
                row[f] += int(getattr(item, f) or 0)
    return out
