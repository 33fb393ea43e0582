"""The case workflow's items, in the `submissions` table. Keys (docs/data-model.md, "Cases"):

- `Case`      `{t}#CASE#{cid}` / `A`: the case (cid = `SP-000123`; public ref `SP-330825-000123`). Indexes, all
  `{ms}#{cid}` newest first: gsi1 `{t}#CASEV#{village}` (or the township, for a case filed to the township),
  gsi2 `{t}#CASET#{township}`, gsi3 `{t}#CASEC` (the county).
- `CaseEvent` `{t}#CASE#{cid}` / `E#{ms}#{rand}`: the timeline; one Query reads the case and its events.
- `CaseRef`   `{t}#CASEU#{uid}` / `{ms}#{cid}`: the filer's own cases ("my cases").
- `CaseDue`   `{t}#CASEDUE` / `{due iso}#{cid}`: open cases with an SLA, by when they are due (the escalation
  schedule reads only the overdue ones); removed when the case is resolved or closed.
- `CaseCount` `{t}#CASECNT#{type}#{ISO week}` / `{village}#{category}`: counts by category × place × week.
- `CaseMonth` `{t}#CASEMON#{YYYY-MM}` / `{township}#{type}`: the month's filings and how they fared (response and
  resolution times, within the SLA), ADDed in the transactions of the filing and of the steps (quality.py).
- `CaseSeq`   `{t}#CASESEQ` / `{prefix}`: the county's reference counter per type.
- `CaseAlias` `{t}#CASEALIAS#{old id}` / `A`: an id a case had before it moved onto the workflow (tip-offs).
- `CaseCategories` `{t}#CASECAT#{type}` / `A`: the county's categories of a type, once its admin edited them.
- `CaseSmsSent` `{t}#CASE#{cid}` / `SMS#{event sk}`: an SMS went to the filer for that event.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)

from ..core.db import SubmissionsItem, key

HEAD = "A"


class Case(SubmissionsItem, discriminator="case"):
    cid = UnicodeAttribute()
    ref = UnicodeAttribute()  # public reference, with the county code
    type = UnicodeAttribute()
    category = UnicodeAttribute()
    place = UnicodeAttribute()  # where it is: a grid, village or township code
    village = UnicodeAttribute(null=True)
    township = UnicodeAttribute()
    text = UnicodeAttribute()
    location = UnicodeAttribute(null=True)  # as the filer wrote it (a courtyard, a road)
    lat = NumberAttribute(null=True)  # rounded for privacy (about 100 m)
    lng = NumberAttribute(null=True)
    extra = MapAttribute(default=dict)  # the category's extra fields
    photos = ListAttribute(default=list)  # S3 keys of the filer's photos
    after_photos = ListAttribute(default=list)  # S3 keys of photos taken when resolving
    hidden_photos = ListAttribute(default=list)  # photos staff hid (moderation)
    anonymous = BooleanAttribute(default=False)
    filer_uid = UnicodeAttribute()  # kept even when anonymous (rate limits, abuse tracing by the platform)
    filer_name = UnicodeAttribute()
    status = UnicodeAttribute(default="filed")
    level = UnicodeAttribute()  # who handles it now: village, township, county
    assignee_uid = UnicodeAttribute(null=True)
    assignee_name = UnicodeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)  # the resolution's result code (the type's outcomes)
    note = UnicodeAttribute(null=True)  # the latest answer to the filer
    handled_by = UnicodeAttribute(null=True)
    handled_by_name = UnicodeAttribute(null=True)
    handled_at = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)  # when staff at the current level must have answered
    resolved_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    rating = NumberAttribute(null=True)  # 1..5
    rating_note = UnicodeAttribute(null=True)
    duplicate_of = UnicodeAttribute(null=True)
    hidden_reason = UnicodeAttribute(null=True)  # moderation: the text is hidden from everyone but staff
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    forwarded_at = UnicodeAttribute(null=True)  # published to the type's topic
    legacy_id = UnicodeAttribute(null=True)  # the id it had before the workflow (tip-offs)
    photos_expired_at = UnicodeAttribute(null=True)  # its photos were deleted (the county's retention)
    week = UnicodeAttribute()
    # The month aggregates (CaseMonth, quality.py): counted there since its filing; the SLA deadline set at filing
    # (`due_at` moves with escalations); the first staff answer and the first resolution (each counted once).
    counted = BooleanAttribute(null=True)
    sla_due_at = UnicodeAttribute(null=True)
    responded_at = UnicodeAttribute(null=True)
    first_resolved_at = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def partition(tenant: str, cid: str) -> str:
        return key(tenant, "CASE", cid)


class CaseEvent(SubmissionsItem, discriminator="case_event"):
    event = UnicodeAttribute()  # types.EVENTS
    at = UnicodeAttribute()
    by_uid = UnicodeAttribute(null=True)  # None: the system (escalation schedule)
    by_name = UnicodeAttribute(null=True)
    by_role = UnicodeAttribute(null=True)  # filer | staff | system
    status = UnicodeAttribute(null=True)  # the status after the event
    note = UnicodeAttribute(null=True)
    detail = MapAttribute(default=dict)  # e.g. {"to": "township"}, {"assignee": "..."}, {"rating": 5}


class CaseRef(SubmissionsItem, discriminator="case_ref"):
    cid = UnicodeAttribute()
    type = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, uid: str) -> str:
        return key(tenant, "CASEU", uid)


class CaseDue(SubmissionsItem, discriminator="case_due"):
    cid = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str) -> str:
        return key(tenant, "CASEDUE")


class CaseCount(SubmissionsItem, discriminator="case_count"):
    count = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, type_id: str, week: str, place: str, category: str) -> tuple[str, str]:
        return key(tenant, "CASECNT", type_id, week), f"{place}#{category}"


class CaseMonth(SubmissionsItem, discriminator="case_month"):
    """`{t}#CASEMON#{YYYY-MM}` / `{township}#{type}`: the cases of a type filed in a township in a month (Asia/Shanghai)
    and how they fared since: responded (a first staff answer), the seconds to it summed and how many within the
    SLA; resolved (first resolution), the seconds to it summed and how many within the SLA (a category without an
    SLA counts as within). A month's numbers settle as its cases are answered."""

    filed = NumberAttribute(default=0)
    responded = NumberAttribute(default=0)
    response_s = NumberAttribute(default=0)
    response_in_sla = NumberAttribute(default=0)
    resolved = NumberAttribute(default=0)
    resolution_s = NumberAttribute(default=0)
    resolution_in_sla = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, month: str, township: str, type_id: str) -> tuple[str, str]:
        return key(tenant, "CASEMON", month), f"{township}#{type_id}"


class CaseSeq(SubmissionsItem, discriminator="case_seq"):
    value = NumberAttribute(default=0)


class CaseCategories(SubmissionsItem, discriminator="case_categories"):
    """`{t}#CASECAT#{type}` / `A`: the county's own categories of a case type (JSON list), replacing the type's
    defaults once the county admin edits them."""

    categories = UnicodeAttribute()
    updated_by = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, type_id: str) -> tuple[str, str]:
        return key(tenant, "CASECAT", type_id), "A"


class CaseSmsSent(SubmissionsItem, discriminator="case_sms"):
    """`{t}#CASE#{cid}` / `SMS#{event sk}`: the filer was sent an SMS for this event (at most once)."""


class CaseAlias(SubmissionsItem, discriminator="case_alias"):
    cid = UnicodeAttribute()
