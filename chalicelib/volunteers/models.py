"""紧急招募令's items, in the `submissions` table. A call and everything of its sign-ups share one partition
(`{t}#VCALL#{cid}`), so the roster is one Query and a sign-up is one transaction on two items of it. Volunteers are
registered per village (`{t}#VOLS#{village}`): a call's broadcast Queries its villages' partitions, never a scan."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from ..core.db import SubmissionsItem, key


class Volunteer(SubmissionsItem, discriminator="volunteer"):
    """`{t}#VOLS#{village}` / `{uid}`: a resident who opted in as a volunteer, with what a broadcast needs (skills,
    SMS opt-in, the encrypted phone) so that it reads nothing else."""

    uid = UnicodeAttribute()
    name = UnicodeAttribute()
    skills = UnicodeAttribute(default="[]")  # JSON list
    sms = BooleanAttribute(default=False)
    phone_enc = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, village: str, uid: str) -> tuple[str, str]:
        return key(tenant, "VOLS", village), uid


class VolCall(SubmissionsItem, discriminator="vol_call"):
    """`{t}#VCALL#{cid}` / `C`: the call, with its counters: `confirmed` (never above `slots`: every increment is
    conditional), `wait_seq` (tickets of the waiting list, ADDed atomically) and `wait_left` (tickets that left it:
    promoted, cancelled, or never used). Nobody waits while wait_seq == wait_left.
    gsi1 `{t}#VCALLS#{place}` / `{ends_at}#{cid}`: the calls of a place, ending last in key order (residents read the
    ones not ended: sk > now; organisers read them all backwards). `rev` versions the organiser's edits only, so
    sign-ups never conflict with an edit's version."""

    cid = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute()
    place = UnicodeAttribute()
    place_name = UnicodeAttribute()
    address = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    slots = NumberAttribute()
    confirmed = NumberAttribute(default=0)
    wait_seq = NumberAttribute(default=0)
    wait_left = NumberAttribute(default=0)
    requirements = UnicodeAttribute(default="")
    skills = UnicodeAttribute(default="[]")
    status = UnicodeAttribute(default="open")  # open | cancelled
    by_uid = UnicodeAttribute()
    by_name = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    cancelled_at = UnicodeAttribute(null=True)
    gated_at = UnicodeAttribute(null=True)  # when a sign-up last took a slot (service.signup's gate)
    rev = NumberAttribute(default=1)

    @staticmethod
    def keys(tenant: str, cid: str) -> tuple[str, str]:
        return key(tenant, "VCALL", cid), "C"

    @staticmethod
    def by_place(tenant: str, place: str) -> str:
        return key(tenant, "VCALLS", place)


class Signup(SubmissionsItem, discriminator="vol_signup"):
    """`{t}#VCALL#{cid}` / `U#{uid}`: one person's sign-up (one per person per call): confirmed, waiting (with its
    ticket), or cancelled; the check-in, check-out and hours. The phone is copied encrypted (the roster reads no
    user item), with its mask beside it."""

    sid = UnicodeAttribute()
    uid = UnicodeAttribute()
    name = UnicodeAttribute()
    village = UnicodeAttribute()
    phone_enc = UnicodeAttribute(null=True)
    phone_mask = UnicodeAttribute(null=True)
    sms = BooleanAttribute(default=False)
    status = UnicodeAttribute()  # confirmed | waiting | cancelled
    ticket = NumberAttribute(null=True)  # the waiting list's ticket (time order)
    created_at = UnicodeAttribute()
    confirmed_at = UnicodeAttribute(null=True)
    cancelled_at = UnicodeAttribute(null=True)
    checked_in_at = UnicodeAttribute(null=True)
    checked_out_at = UnicodeAttribute(null=True)
    hours = NumberAttribute(null=True)
    points = NumberAttribute(null=True)  # party points given for the hours (None: not a party member / not yet)

    @staticmethod
    def keys(tenant: str, cid: str, uid: str) -> tuple[str, str]:
        return key(tenant, "VCALL", cid), f"U#{uid}"


class SignupCode(SubmissionsItem, discriminator="vol_signup_code"):
    """`{t}#VCALL#{cid}` / `K#{sid}`: the sign-up id a check-in code names -> its person (the code names nobody)."""

    uid = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, cid: str, sid: str) -> tuple[str, str]:
        return key(tenant, "VCALL", cid), f"K#{sid}"


class Waiting(SubmissionsItem, discriminator="vol_waiting"):
    """`{t}#VCALL#{cid}` / `W#{ticket:06d}`: the waiting list in time order; its first item is promoted."""

    uid = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, cid: str, ticket: int) -> tuple[str, str]:
        return key(tenant, "VCALL", cid), f"W#{int(ticket):06d}"


class BroadcastDue(SubmissionsItem, discriminator="vol_broadcast_due"):
    """`{t}#VBCASTQ` / `{created_at}#{cid}`: a call whose broadcast (inbox + SMS) is still to reach some villages
    (the job `volunteer_broadcast`); expires (TTL) when the call ends."""

    cid = UnicodeAttribute()
    place = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str) -> str:
        return key(tenant, "VBCASTQ")


class BroadcastMark(SubmissionsItem, discriminator="vol_broadcast_mark"):
    """`{t}#VBCAST#{cid}` / `S#{uid}`: the call's SMS went to this volunteer (a conditional put before the send);
    `V#{village}`: the village is done."""

    at = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, cid: str) -> str:
        return key(tenant, "VBCAST", cid)
