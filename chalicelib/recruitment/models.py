"""智慧招聘's items, in the `submissions` table. Every key starts with the county (tenant)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from ..core.db import SubmissionsItem, key


class Employer(SubmissionsItem, discriminator="recruit_employer"):
    """`{t}#EMPLOYER#{eid}` / `EMPLOYER`: an employer's account application and its state (pending, verified,
    refused), linking the person who applied (`uid`). gsi1 `{t}#EMPLOYERS#{status}` / `{epoch ms}#{eid}`: the
    county's list per state (one Query a page)."""

    uid = UnicodeAttribute()
    company = UnicodeAttribute()
    licence_no = UnicodeAttribute()
    contact_name = UnicodeAttribute()
    address = UnicodeAttribute()
    intro = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="pending")
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)

    @staticmethod
    def keys(tenant: str, eid: str) -> tuple[str, str]:
        return key(tenant, "EMPLOYER", eid), "EMPLOYER"

    @staticmethod
    def index(tenant: str, status: str) -> str:
        return key(tenant, "EMPLOYERS", status)


class EmployerOfUser(SubmissionsItem, discriminator="recruit_employer_user"):
    """`{t}#EMPLOYERUSER#{uid}` / `EMPLOYER`: the person's one employer account (eid and its state, copied in the
    transactions that change it): what /recruitment/employers/mine and every employer route read first (GetItem)."""

    eid = UnicodeAttribute()
    status = UnicodeAttribute()
    company = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, uid: str) -> tuple[str, str]:
        return key(tenant, "EMPLOYERUSER", uid), "EMPLOYER"


class LicenceClaim(SubmissionsItem, discriminator="recruit_licence"):
    """`{t}#LICENCE#{licence_no}` / `LICENCE`: a licence number is used by one employer account of the county (put
    with a condition in the application's transaction; released when the application is refused)."""

    eid = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, licence_no: str) -> tuple[str, str]:
        return key(tenant, "LICENCE", licence_no), "LICENCE"


class Job(SubmissionsItem, discriminator="recruit_job"):
    """`{t}#JOB#{jid}` / `JOB`: a job (the applications live in the same partition, `APP#{uid}`). Counters kept in
    the transactions that change them: `applicants`, `openings_left` (decremented with the condition > 0 when an
    offer is accepted). gsi1 `{t}#EMPJOBS#{eid}` / `{epoch ms}#{jid}`: the employer's own jobs."""

    eid = UnicodeAttribute()
    uid = UnicodeAttribute()  # the employer's person (who posted)
    company = UnicodeAttribute()
    title = UnicodeAttribute()
    category = UnicodeAttribute()
    pay_min = NumberAttribute()
    pay_max = NumberAttribute()
    township = UnicodeAttribute(null=True)  # None: county-wide
    place = UnicodeAttribute()
    shifts = UnicodeAttribute(default="")
    requirements = UnicodeAttribute(default="")
    openings = NumberAttribute()
    openings_left = NumberAttribute()
    applicants = NumberAttribute(default=0)
    status = UnicodeAttribute(default="open")  # open | closed
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    rev = NumberAttribute(default=1)  # edits are conditional on it (no VersionAttribute: counters change apart)

    @staticmethod
    def keys(tenant: str, jid: str) -> tuple[str, str]:
        return key(tenant, "JOB", jid), "JOB"

    @staticmethod
    def index(tenant: str, eid: str) -> str:
        return key(tenant, "EMPJOBS", eid)


class JobFeed(SubmissionsItem, discriminator="recruit_job_feed"):
    """`{t}#JOBFEED#{category|*}#{township|COUNTY|*}` / `{epoch ms}#{jid}`: an open job as the seekers' list shows
    it, written to four feeds (any, its category, its township, both) so that every filter is one Query, newest
    first. Deleted when the job closes or fills."""

    jid = UnicodeAttribute()
    data = UnicodeAttribute()  # the summary (JSON)

    @staticmethod
    def partition(tenant: str, category: str, township: str) -> str:
        return key(tenant, "JOBFEED", category, township)


class Application(SubmissionsItem, discriminator="recruit_application"):
    """`{t}#JOB#{jid}` / `APP#{uid}`: one seeker's application to a job (one per seeker per job: a conditional
    put). Its id is `{jid}{uid}`. gsi1 `{t}#MYAPPS#{uid}` / `{epoch ms}#{jid}`: the seeker's applications."""

    jid = UnicodeAttribute()
    uid = UnicodeAttribute()
    eid = UnicodeAttribute()
    title = UnicodeAttribute()
    company = UnicodeAttribute()
    status = UnicodeAttribute(default="submitted")
    cover = UnicodeAttribute(null=True)  # the seeker's words to the employer (求职留言)
    note = UnicodeAttribute(null=True)  # the offer's or the rejection's note
    interview = UnicodeAttribute(null=True)  # {id, at, mode, address} (JSON)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, jid: str, uid: str) -> tuple[str, str]:
        return key(tenant, "JOB", jid), f"APP#{uid}"

    @staticmethod
    def index(tenant: str, uid: str) -> str:
        return key(tenant, "MYAPPS", uid)


class Profile(SubmissionsItem, discriminator="recruit_profile"):
    """`{t}#RPROFILE#{uid}` / `PROFILE`: a seeker's profile; the phone encrypted (masked unless invited)."""

    uid = UnicodeAttribute()
    name = UnicodeAttribute()
    skills = UnicodeAttribute(default="[]")
    experience = UnicodeAttribute(default="")
    townships = UnicodeAttribute(default="[]")
    phone_enc = UnicodeAttribute(null=True)
    phone_mask = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()
    rev = NumberAttribute(default=1)  # saved on the condition that it is the one read (two edits: one 409)

    @staticmethod
    def keys(tenant: str, uid: str) -> tuple[str, str]:
        return key(tenant, "RPROFILE", uid), "PROFILE"


class AlertSub(SubmissionsItem, discriminator="recruit_alert_sub"):
    """`{t}#RALERTSUB#{uid}` / `ALERT`: a seeker's job alert (categories, townships, sms)."""

    categories = UnicodeAttribute(default="[]")
    townships = UnicodeAttribute(default="[]")
    sms = BooleanAttribute(default=False)
    updated_at = UnicodeAttribute()
    rev = NumberAttribute(default=1)  # saved on the condition that it is the one read (two edits: one 409)

    @staticmethod
    def keys(tenant: str, uid: str) -> tuple[str, str]:
        return key(tenant, "RALERTSUB", uid), "ALERT"


class AlertIndex(SubmissionsItem, discriminator="recruit_alert_index"):
    """`{t}#RALERT#{category|*}#{township|*}` / `{uid}`: one item per seeker per (category, township) pair they
    subscribed to (`*`: any). A new job's delivery Queries the four partitions that match it."""

    sms = BooleanAttribute(default=False)

    @staticmethod
    def partition(tenant: str, category: str, township: str) -> str:
        return key(tenant, "RALERT", category, township)


class AlertQueue(SubmissionsItem, discriminator="recruit_alert_queue"):
    """`{t}#RALERTQ` / `{epoch ms}#{jid}`: a new job whose alerts are not delivered yet (the job
    `recruitment_alerts` reads it: one Query, empty nearly always)."""

    jid = UnicodeAttribute()
    category = UnicodeAttribute()
    township = UnicodeAttribute(null=True)
    title = UnicodeAttribute()
    company = UnicodeAttribute()
    employer_uid = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str) -> str:
        return key(tenant, "RALERTQ")


class AlertMark(SubmissionsItem, discriminator="recruit_alert_mark"):
    """`{t}#RALERTSENT#{jid}` / `{uid}`: the alert of a job delivered to a seeker (once: a conditional put before the
    delivery); `{t}#RALERTSMS#{day}` / `{uid}`: the alert SMS a seeker got that day (a counter, capped)."""

    count = NumberAttribute(default=0)

    @staticmethod
    def sent(tenant: str, jid: str, uid: str) -> tuple[str, str]:
        return key(tenant, "RALERTSENT", jid), uid

    @staticmethod
    def sms_day(tenant: str, day: str, uid: str) -> tuple[str, str]:
        return key(tenant, "RALERTSMS", day), uid
