"""Job alerts: a new job publishes ONE message on the recruitment topic, and the job `recruitment_alerts` delivers
it to the matching subscribers' inbox (and SMS for those who chose it, at most SMS_PER_DAY a seeker a day).

- **Publish:** `publish(tenant, job)` mirrors notices' broadcast: the message carries the job's summary, with the
  string attributes `tenant`, `category` and `township` (the township's code, or `county` for a county-wide job).
  An outside subscriber (e.g. a county's own job board) filters on them: a filter policy
  `{"tenant": ["330825"], "category": ["普工", "技工"], "township": ["330825001", "county"]}` gets the county's
  普工 and 技工 jobs in that township and the county-wide ones (values of one attribute are ORed, attributes ANDed;
  an attribute left out of the policy matches anything).
- **Delivery:** the job is queued (`{t}#RALERTQ`, in the job's own transaction); the schedule (every 5 minutes)
  fans `recruitment_alerts` out per county, `units` reads the queue (one Query: nothing in a quiet county). A run
  Queries, for each queued job, the at most four alert partitions that match it: `{t}#RALERT#{category}#{township}`,
  `{t}#RALERT#{category}#*`, `{t}#RALERT#*#{township}`, `{t}#RALERT#*#*` (a county-wide job: the two `#*` ones
  only) — never the county's seekers. Once per seeker per job (a conditional mark before the delivery); the queue
  entry is deleted when every match got it.
"""

from __future__ import annotations

import datetime as dt
import json

from pynamodb.exceptions import PutError, UpdateError

from ..core import clock, jobs, notify, pii
from ..core.config import settings
from ..core.observability import logger
from .models import AlertIndex, AlertMark, AlertQueue, Job

SMS_PER_DAY = 3  # alert SMS a seeker gets a day at most
PER_RUN = 2000  # deliveries a run; what is left goes next run
ANY = "*"


def publish(tenant: str, job: Job) -> None:
    """ONE message on the recruitment topic, with the attributes tenant, category, township."""
    from ..core.aws import client
    from . import service

    message = {"tenant": tenant, **service.summary(job)}
    try:
        client("sns").publish(
            TopicArn=notify.topic_arn(settings().recruitment_topic), Subject=f"村情通招聘：{job.title}"[:100],
            Message=json.dumps(message, ensure_ascii=False),
            MessageAttributes={
                "tenant": {"DataType": "String", "StringValue": tenant},
                "category": {"DataType": "String", "StringValue": job.category},
                "township": {"DataType": "String", "StringValue": job.township or "county"}})
    except Exception as e:  # noqa: BLE001 - the job stands and the alerts are queued; outside subscribers miss one
        logger.warning("recruitment publish failed", extra={"tenant": tenant, "error_type": type(e).__name__})


def partitions(tenant: str, category: str, township: str | None) -> list[str]:
    """The alert partitions a job matches (at most four Queries)."""
    towns = [ANY] if township is None else [township, ANY]
    return [AlertIndex.partition(tenant, c, t) for c in (category, ANY) for t in towns]


def units(tenant: str) -> list[str | None]:
    return [None] if _queued(tenant) else []


def _queued(tenant: str) -> list[AlertQueue]:
    return list(AlertQueue.query(AlertQueue.partition(tenant), limit=50))


def _sms_allowed(tenant: str, uid: str) -> bool:
    pk, sk = AlertMark.sms_day(tenant, clock.today().isoformat(), uid)
    try:
        AlertMark(pk, sk).update(actions=[AlertMark.count.add(1), AlertMark.expires.set(clock.epoch() + 2 * 86400)],
                                 condition=AlertMark.pk.does_not_exist() | (AlertMark.count < SMS_PER_DAY))
        return True
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise


def _user(auth, tenant: str, uid: str):
    from ..core.errors import NotFound

    try:
        return auth.get_user(tenant, uid)
    except NotFound:
        return None  # removed since: no SMS


@jobs.job("recruitment_alerts", module="recruitment", units=units)
def run(tenant: str, township: str | None = None, at: dt.datetime | None = None) -> dict:
    from ..core.auth import service as auth
    from ..inbox import service as inbox

    delivered = sms = 0
    budget = PER_RUN
    for q in _queued(tenant):
        uids: dict[str, bool] = {}
        for pk in partitions(tenant, q.category, q.township):
            for item in AlertIndex.query(pk):
                uids[item.sk] = uids.get(item.sk, False) or bool(item.sms)
        uids.pop(q.employer_uid, None)
        left = False
        for uid, wants_sms in sorted(uids.items()):
            if budget <= 0:
                left = True
                break
            try:
                AlertMark(*AlertMark.sent(tenant, q.jid, uid), expires=clock.epoch() + 30 * 86400).save(
                    condition=AlertMark.pk.does_not_exist())
            except PutError as e:
                if e.cause_response_code == "ConditionalCheckFailedException":
                    continue  # delivered before (a retry of this run)
                raise
            budget -= 1
            inbox.deliver(tenant, uid, "新岗位提醒",
                          f"{q.company}发布了“{q.title}”（{q.category}），打开智慧招聘查看。", "recruitment")
            delivered += 1
            if wants_sms and _sms_allowed(tenant, uid):
                user = _user(auth, tenant, uid)
                if user is not None and user.phone_enc:
                    notify.sms().send(pii.decrypt(tenant, user.phone_enc),
                                      notify.Sms("job_alert", company=q.company, title=q.title))
                    sms += 1
        if not left:
            q.delete()
    if delivered:
        logger.info("job alerts delivered", extra={"tenant": tenant, "delivered": delivered, "sms": sms})
    return {"delivered": delivered, "sms": sms}
