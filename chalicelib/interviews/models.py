"""Interview rooms, their listing per person and their WebRTC signals. Items in the `submissions` table."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key


class Room(SubmissionsItem, discriminator="interview_room"):
    """`{t}#ROOM#{id}` / `ROOM`: an interview at a time between a host (the employer) and a guest (the candidate).
    The id is a keyed hash of (kind, ref) (service.room_id): inviting the same application again finds the same
    room and moves its time. `at` is UTC ISO; mode onsite (the host scans the guest's QR) | online (WebRTC)."""

    kind_of = UnicodeAttribute()  # what invited: e.g. "application"
    ref = UnicodeAttribute()  # its id
    host_uid = UnicodeAttribute()
    guest_uid = UnicodeAttribute()
    at = UnicodeAttribute()
    mode = UnicodeAttribute()
    title = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    admitted_at = UnicodeAttribute(null=True)
    admitted_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, room: str) -> tuple[str, str]:
        return key(tenant, "ROOM", room), "ROOM"


class RoomRef(SubmissionsItem, discriminator="interview_room_ref"):
    """`{t}#ROOMS#{uid}` / `{at}#{room}`: a room a person hosts or is a guest of, in time order (GET /interviews/mine
    is one Query of upcoming ones ascending and, if room is left on the page, one of past ones descending). Moved
    (deleted and put) in the transaction that moves the room's time."""

    room = UnicodeAttribute()
    role = UnicodeAttribute()  # host | guest
    at = UnicodeAttribute()
    mode = UnicodeAttribute()
    title = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, uid: str, at: str, room: str) -> tuple[str, str]:
        return key(tenant, "ROOMS", uid), f"{at}#{room}"

    @staticmethod
    def partition(tenant: str, uid: str) -> str:
        return key(tenant, "ROOMS", uid)


class Signal(SubmissionsItem, discriminator="interview_signal"):
    """`{t}#SIG#{room}` / `{time-ordered id}`: one WebRTC signalling message (offer, answer, ICE candidate, bye) from
    one party to the other; kept a day (TTL). A party reads the other's after a cursor (its last sk) in one Query."""

    sender = UnicodeAttribute()  # host | guest
    type = UnicodeAttribute()
    data = UnicodeAttribute()  # JSON, ≤ 16 KB
    at = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, room: str) -> str:
        return key(tenant, "SIG", room)
