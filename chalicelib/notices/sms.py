"""Urgent notices by SMS to the households that have not opened the app in 7 days: the job `notice_sms`.

The schedule (every 10 minutes, schedule.py) fans the job out per village: `units(county)` reads the county's due
urgent notices (`{t}#NSMSQ`, one Query — empty nearly always, and then no message is sent at all) and names the
villages they reach that are not done yet (one BatchGet of the villages' done marks). Each village's run:
- a household has "opened the app" when it reported in the last 7 days (`last_report_date`, written by the daily
  report anyway: nothing is added to the morning's path) or one of its members has read this notice; a household
  nobody follows (no one linked) has never opened it;
- once per household per notice: a conditional mark `{t}#NSMS#{nid}` / `H#{hid}` before the send (a crash after
  the mark loses that one SMS, never sends two);
- rate-limited: at most SMS_PER_RUN a run and SMS_PER_HOUR per county (core.auth's fixed window); what is left
  waits for the next run (the village is marked done only when nothing is left).
Phones are decrypted only to be sent, never logged.
"""

from __future__ import annotations

import datetime as dt
import json

from pynamodb.exceptions import PutError

from ..core import clock, jobs, notify, pii
from ..core.auth import service as auth
from ..core.errors import TooManyRequests
from ..core.observability import logger
from ..core.tenancy import within
from ..households import service as households
from ..places import codes
from ..places import service as places
from .models import NoticeRead, NoticeSmsDue, NoticeSmsMark

INACTIVE_DAYS = 7
SMS_PER_RUN = 300
SMS_PER_HOUR = 2000  # per county


def _due(tenant: str, at: dt.datetime) -> list[NoticeSmsDue]:
    """The county's urgent notices published by `at` whose SMS are not done (one Query)."""
    return list(NoticeSmsDue.query(NoticeSmsDue.partition(tenant), NoticeSmsDue.sk < f"{clock.iso(at)}#~"))


def _villages(tenant: str, targets: list[str]) -> list[str]:
    out: set[str] = set()
    for t in targets:
        if codes.level_of(t) in ("village", "grid"):
            out.add(t[:12])
        else:
            out.update(g.code[:12] for g in places.grids(tenant, None if t == tenant else t))
    return sorted(out)


def _done(tenant: str, nid: str, villages: list[str]) -> set[str]:
    keys = [(NoticeSmsMark.partition(tenant, nid), f"V#{v}") for v in villages]
    out: set[str] = set()
    for i in range(0, len(keys), 100):
        out.update(m.sk[2:] for m in NoticeSmsMark.batch_get(keys[i:i + 100]))
    return out


def units(tenant: str) -> list[str | None]:
    """The villages with an urgent notice's SMS still to send ([]: no message at all)."""
    out: set[str] = set()
    for d in _due(tenant, clock.now()):
        villages = _villages(tenant, json.loads(d.targets))
        out.update(set(villages) - _done(tenant, d.nid, villages))
    return sorted(out)


@jobs.job("notice_sms", module="notices", units=units)
def run(tenant: str, village: str | None = None, at: dt.datetime | None = None) -> dict:
    """One village's SMS for every due urgent notice that reaches it."""
    at = at or clock.now()
    sent = skipped = 0
    cutoff = (clock.today() - dt.timedelta(days=INACTIVE_DAYS)).isoformat()
    budget = SMS_PER_RUN
    for d in _due(tenant, at):
        targets = json.loads(d.targets)
        if village is None or not any(within(village, t) or within(t, village) for t in targets):
            continue
        if village in _done(tenant, d.nid, [village]):
            continue
        read = {r.sk.split("#", 1)[1] for r in NoticeRead.query(NoticeRead.partition(tenant, d.nid),
                                                                  NoticeRead.sk.startswith(village))}
        wanted = []
        for grid in sorted({g.code for g in places.grids(tenant, village)}):
            if not any(within(grid, t) for t in targets):
                continue
            for h in households.grid_households(tenant, grid):
                active = (h.last_report_date or "") > cutoff or h.hid in read
                if active:
                    skipped += 1
                else:
                    wanted.append(h)
        left = False
        heads = households.heads(tenant, wanted)
        for h in wanted:
            head = heads.get(h.hid)
            if head is None or not head.phone_enc:
                continue
            if budget <= 0:
                left = True
                break
            try:
                auth.rate_limit("notice-sms", tenant, SMS_PER_HOUR, 3600)
            except TooManyRequests:
                left = True
                break
            try:
                NoticeSmsMark(NoticeSmsMark.partition(tenant, d.nid), f"H#{h.hid}", at=clock.iso(),
                              expires=clock.epoch() + 30 * 86400).save(condition=NoticeSmsMark.pk.does_not_exist())
            except PutError as e:
                if e.cause_response_code == "ConditionalCheckFailedException":
                    continue  # sent before (a retry of this run)
                raise
            notify.sms().send(pii.decrypt(tenant, head.phone_enc),
                              notify.Sms("notice_urgent", sender=d.from_name, title=d.title))
            budget -= 1
            sent += 1
        if not left:
            NoticeSmsMark(NoticeSmsMark.partition(tenant, d.nid), f"V#{village}", at=clock.iso(),
                          expires=clock.epoch() + 30 * 86400).save()
    if sent:
        logger.info("notice sms sent", extra={"tenant": tenant, "village": village, "sent": sent})
    return {"sent": sent, "active": skipped}
