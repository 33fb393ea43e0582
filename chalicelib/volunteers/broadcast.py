"""A new call reaches the volunteers in its scope within minutes: the job `volunteer_broadcast`.

The schedule (every 2 minutes, schedule.py) fans the job out per village: `units(county)` reads the county's calls
still to broadcast (`{t}#VBCASTQ`, one Query — empty nearly always) and names the villages they reach that are not
done yet (the call's place's villages: one Query of the places tree; one BatchGet of the done marks). Each
village's run Queries that village's volunteer registry (`{t}#VOLS#{village}`), filtered by the call's skills:
- an inbox item per volunteer, written in batches of 25, with an id made of the call's (`{created ms}-{call id}`):
  a retried run writes the same items again, never a second message;
- an SMS (template `volunteer_call`) to those who opted in, once per person and call (a conditional mark before
  the send), at most SMS_PER_RUN a run and the module's hourly limit per county; what is left waits for the next
  run (the village is marked done only when nothing is left).
Phones are decrypted only to be sent, never logged. A county-wide call is split per village like any other.
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
from ..places import codes
from ..places.models import Place
from .models import BroadcastDue, BroadcastMark, VolCall, Volunteer
from .service import SMS_BUCKET, SMS_PER_HOUR

SMS_PER_RUN = 300
KEEP_DAYS = 30


def _due(tenant: str) -> list[BroadcastDue]:
    return list(BroadcastDue.query(BroadcastDue.partition(tenant)))


def villages_of(tenant: str, place: str) -> list[str]:
    """The villages at or below a place: itself, or one Query of the county's places tree (a key range)."""
    if codes.level_of(place) == "village":
        return [place]
    pk = Place.keys(tenant, tenant)[0]
    cond = Place.sk.startswith(place) if place != tenant else None
    return sorted(p.code for p in Place.query(pk, cond, filter_condition=Place.level == "village"))


def _done(tenant: str, cid: str, villages: list[str]) -> set[str]:
    keys = [(BroadcastMark.partition(tenant, cid), f"V#{v}") for v in villages]
    out: set[str] = set()
    for i in range(0, len(keys), 100):
        out.update(m.sk[2:] for m in BroadcastMark.batch_get(keys[i:i + 100]))
    return out


def units(tenant: str) -> list[str | None]:
    """The villages with a call still to broadcast ([]: no message at all)."""
    out: set[str] = set()
    for d in _due(tenant):
        villages = villages_of(tenant, d.place)
        out.update(set(villages) - _done(tenant, d.cid, villages))
    return sorted(out)


def _mark(tenant: str, cid: str, sk: str, condition=None) -> None:
    BroadcastMark(BroadcastMark.partition(tenant, cid), sk, at=clock.iso(),
                  expires=clock.epoch() + KEEP_DAYS * 86400).save(condition=condition)


def _message(tenant: str, c: VolCall, uid: str):
    from ..inbox import service as inbox

    msg = inbox.message(tenant, uid, f"紧急招募：{c.title}",
                        f"{c.place_name}发布紧急招募《{c.title}》，需要{int(c.slots)}人，地点：{c.address}。"
                        "名额有限，先到先得，请打开村情通报名。", "volunteer")
    created = dt.datetime.fromisoformat(c.created_at.replace("Z", "+00:00"))
    msg.sk, msg.mid = f"{int(created.timestamp() * 1000):013d}#{c.cid}", c.cid  # the same item on a retry
    return msg


@jobs.job("volunteer_broadcast", module="volunteers", units=units)
def run(tenant: str, village: str | None = None, at: dt.datetime | None = None) -> dict:
    """One village's inbox items and SMS for every call still to broadcast that reaches it."""
    from ..inbox.models import Message

    told = sent = 0
    budget = SMS_PER_RUN
    now = clock.iso()
    for d in _due(tenant):
        if village is None or not within(village, d.place) or village in _done(tenant, d.cid, [village]):
            continue
        try:
            c = VolCall.get(*VolCall.keys(tenant, d.cid))
        except VolCall.DoesNotExist:
            continue
        if c.status != "open" or c.ends_at <= now:
            _mark(tenant, d.cid, f"V#{village}")
            continue
        skills = set(json.loads(c.skills))
        vols = [v for v in Volunteer.query(Volunteer.keys(tenant, village, "")[0])
                if not skills or skills & set(json.loads(v.skills))]
        with Message.batch_write() as batch:
            for v in vols:
                batch.save(_message(tenant, c, v.uid))
        told += len(vols)
        left = False
        for v in vols:
            if not v.sms or not v.phone_enc:
                continue
            if budget <= 0:
                left = True
                break
            try:
                auth.rate_limit(SMS_BUCKET, tenant, SMS_PER_HOUR, 3600)
            except TooManyRequests:
                left = True
                break
            try:
                _mark(tenant, d.cid, f"S#{v.uid}", condition=BroadcastMark.pk.does_not_exist())
            except PutError as e:
                if e.cause_response_code == "ConditionalCheckFailedException":
                    continue  # sent before (a retry of this run)
                raise
            notify.sms().send(pii.decrypt(tenant, v.phone_enc),
                              notify.Sms("volunteer_call", sender=c.place_name, title=c.title))
            budget -= 1
            sent += 1
        if not left:
            _mark(tenant, d.cid, f"V#{village}")
    if told or sent:
        logger.info("volunteer call broadcast", extra={"tenant": tenant, "village": village, "told": told,
                                                       "sent": sent})
    return {"told": told, "sent": sent}
