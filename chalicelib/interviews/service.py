"""Interview rooms: made (or moved) by the module that invites (recruitment), listed per person, read by its two
parties only.

A room's id is a keyed hash of (tenant, kind, ref): inviting the same application again finds the same room and
moves its time in one TransactWrite (the room, conditional on its version, and its two per-person refs moved)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from pynamodb.exceptions import TransactWriteError

from ..core import clock, secrets, signed
from ..core.db import transact
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.tenancy import TenantContext
from .models import Room, RoomRef

MODES = ("onsite", "online")
ROOM_ID = re.compile(r"^[0-9a-f]{20}$")


def room_id(tenant: str, kind: str, ref: str) -> str:
    key = hmac.new(secrets.get("token_key").encode(), b"cunqingtong-room-v1", hashlib.sha256).digest()
    return hmac.new(key, f"{tenant}|{kind}|{ref}".encode(), hashlib.sha256).hexdigest()[:20]


def utc(at: str) -> str:
    """An ISO-8601 time (with an offset or Z; naive means Asia/Shanghai) as stored: UTC `YYYY-MM-DDTHH:MM:SSZ`."""
    try:
        t = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        raise ValidationFailed("面试时间格式不正确", code="bad_time") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=clock.SHANGHAI)
    return clock.iso(t)


def out(room: Room) -> dict:
    return {"id": room.pk.rsplit("#", 1)[1], "at": room.at, "mode": room.mode, "title": room.title}


def create(tenant: str, *, kind: str, ref: str, host_uid: str, guest_uid: str, at: str, mode: str,
           title: str) -> dict:
    """Make the room of (kind, ref), or move the existing one to the new time (mode and title too). The caller has
    checked who may invite whom; this checks only the values. Returns {id, at, mode, title}."""
    if mode not in MODES:
        raise ValidationFailed("面试方式只能是现场或线上", code="bad_mode")
    if not kind or not ref or not host_uid or not guest_uid or host_uid == guest_uid:
        raise ValidationFailed("面试双方不正确", code="bad_parties")
    at = utc(at)
    rid = room_id(tenant, kind, ref)
    now = clock.iso()
    try:
        old = Room.get(*Room.keys(tenant, rid), consistent_read=True)
    except Room.DoesNotExist:
        old = None
    room = Room(*Room.keys(tenant, rid), kind_of=kind, ref=ref, host_uid=host_uid, guest_uid=guest_uid, at=at,
                mode=mode, title=title[:100], created_at=old.created_at if old else now, updated_at=now)
    if old is not None:
        room.version = old.version
        room.admitted_at, room.admitted_by = old.admitted_at, old.admitted_by
    try:
        with transact() as tx:
            if old is None:
                tx.save(room, condition=Room.pk.does_not_exist())
            else:
                tx.save(room)  # conditional on the version read
                new = {(host_uid, at), (guest_uid, at)}
                for uid in {old.host_uid, old.guest_uid}:
                    if (uid, old.at) not in new:
                        tx.delete(RoomRef(*RoomRef.keys(tenant, uid, old.at, rid)))
            for uid, role in ((host_uid, "host"), (guest_uid, "guest")):
                tx.save(RoomRef(*RoomRef.keys(tenant, uid, at, rid), room=rid, role=role, at=at, mode=mode,
                                title=room.title))
    except TransactWriteError as e:
        raise Conflict("面试安排刚被修改，请重试", code="version_conflict") from e
    return out(room)


# --- the parties' view ------------------------------------------------------------------------------------------

OPENS_BEFORE = dt.timedelta(minutes=15)  # an online room opens 15 minutes before the time
OPEN_FOR = dt.timedelta(hours=2)  # and closes 2 hours after it
CODE_AFTER = OPEN_FOR  # the guest's admission code expires 2 hours after the time
MINE_UPCOMING = 50
MINE_PAST = 20
_CODE = re.compile(r"^CQI1\.(\d{6})\.([0-9a-f]{20})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$")


def _parse(at: str) -> dt.datetime:
    return dt.datetime.fromisoformat(at.replace("Z", "+00:00"))


def window(room: Room) -> tuple[dt.datetime, dt.datetime]:
    at = _parse(room.at)
    return at - OPENS_BEFORE, at + OPEN_FOR


def is_open(room: Room) -> bool:
    opens, closes = window(room)
    return opens <= clock.now() <= closes


PURPOSE = b"cunqingtong-interview-v1"  # core.signed: the key of admission codes


def make_code(tenant: str, room: str, expires_at: int) -> str:
    """The guest's admission code (the QR's text): `CQI1.{tenant}.{room}.{expiry, base 36}.{mac}`: names no person,
    expires CODE_AFTER the interview's time, signed with a key derived from the token key."""
    return signed.sign(PURPOSE, f"CQI1.{tenant}.{room}.{signed.b36(expires_at)}")


def _room_of(tenant: str, room_id: str) -> Room:
    if not ROOM_ID.match(room_id or ""):
        raise NotFound("找不到该面试")
    try:
        return Room.get(*Room.keys(tenant, room_id), consistent_read=True)
    except Room.DoesNotExist:
        raise NotFound("找不到该面试") from None


def party(ctx: TenantContext, room_id: str) -> tuple[str, Room, str]:
    """(tenant, room, host|guest) for one of the room's two parties; anyone else: 404 (the room is not theirs)."""
    tenant = ctx.require_tenant()
    room = _room_of(tenant, room_id)
    if ctx.user_id == room.host_uid:
        return tenant, room, "host"
    if ctx.user_id == room.guest_uid:
        return tenant, room, "guest"
    raise NotFound("找不到该面试")


def _view(tenant: str, room: Room, role: str, ice_servers: list[dict]) -> dict:
    opens, closes = window(room)
    admit = None
    if role == "guest":
        code = make_code(tenant, out(room)["id"], int((_parse(room.at) + CODE_AFTER).timestamp()))
        import segno  # the QR image as the pass page's (inline SVG); only the guest's view draws one

        admit = {"code": code, "qr_text": code, "qr_svg": segno.make(code, error="m").svg_inline(scale=5)}
    return {**out(room), "role": role, "admit": admit, "admitted_at": room.admitted_at,
            "opens_at": clock.iso(opens), "closes_at": clock.iso(closes),
            "open": room.mode == "online" and is_open(room), "ice_servers": ice_servers}


def detail(ctx: TenantContext, room_id: str) -> dict:
    """The room as one party sees it: the guest's admission QR; an online room's ICE servers while it is open."""
    from . import ice

    tenant, room, role = party(ctx, room_id)
    servers: list[dict] = []
    if room.mode == "online" and is_open(room):
        try:
            servers = ice.provider().servers(tenant, out(room)["id"], f"{role}-{ctx.user_id}")
        except Exception:  # noqa: BLE001 - no TURN: the room still opens (host candidates, STUN-less networks)
            from ..core.observability import logger

            logger.warning("ice servers unavailable", extra={"tenant": tenant, "room": out(room)["id"]})
    return _view(tenant, room, role, servers)


def mine(ctx: TenantContext) -> dict:
    """Rooms I host or am a guest of: upcoming (and open) ones soonest first, then recent past ones, latest first:
    two Queries of my partition, each one page."""
    from ..core.db import one_page

    tenant = ctx.require_tenant()
    part = RoomRef.partition(tenant, ctx.user_id)
    since = clock.iso(clock.now() - OPEN_FOR)
    upcoming, _ = one_page(RoomRef.query(part, RoomRef.sk >= since, page_size=MINE_UPCOMING), MINE_UPCOMING)
    past, _ = one_page(RoomRef.query(part, RoomRef.sk < since, scan_index_forward=False, page_size=MINE_PAST),
                       MINE_PAST)
    now = clock.now()

    def item(r: RoomRef) -> dict:
        at = _parse(r.at)
        return {"id": r.room, "at": r.at, "mode": r.mode, "title": r.title, "role": r.role,
                "open": r.mode == "online" and at - OPENS_BEFORE <= now <= at + OPEN_FOR}

    return {"items": [item(r) for r in upcoming] + [item(r) for r in past]}


def admit(ctx: TenantContext, room_id: str, code: str) -> dict:
    """The host scans the guest's QR: a valid code of this room (signed, this county, not expired) admits the
    guest (the first admission's time is kept). A wrong, expired or other room's code: 422."""
    tenant, room, role = party(ctx, room_id)
    if role != "host":
        raise Forbidden("只有面试官可以核验面试凭证", code="not_host")
    m = _CODE.match((code or "").strip())
    if not m:
        raise ValidationFailed("这不是面试凭证二维码", code="code_invalid")
    county, rid, exp36, _ = m.groups()
    if not signed.valid(PURPOSE, code):
        raise ValidationFailed("面试凭证无效（签名不符）", code="code_invalid")
    if county != tenant or rid != out(room)["id"]:
        raise ValidationFailed("这不是本场面试的凭证", code="code_other_room")
    if int(exp36, 36) <= clock.epoch():
        raise ValidationFailed("面试凭证已过期", code="code_expired")
    if room.admitted_at is None:
        from pynamodb.exceptions import UpdateError

        try:
            room.update(actions=[Room.admitted_at.set(clock.iso()), Room.admitted_by.set(ctx.user_id)],
                        condition=Room.admitted_at.does_not_exist())
        except UpdateError as e:
            if e.cause_response_code != "ConditionalCheckFailedException":
                raise
            room = _room_of(tenant, room_id)  # admitted meanwhile (a second scan): the first time stands
    return _view(tenant, room, role, [])
