"""WebRTC signalling through our API: each party posts its offer / answer / ICE candidates / bye, and polls for the
other party's (about once a second while the call is set up).

`{t}#SIG#{room}` / `{sender}#{id}`: the id is time-ordered (epoch milliseconds, 13 digits, then 6 random hex), so
one party's signals sort in the order it sent them (a phone posts them one after another) and the other party's
are one key range: GET …/signals?after=<cursor> is one Query (`sk > {other}#{cursor}` and `< {other}$`), the cursor
being the id of the last signal read. Kept a day (TTL). Only while an online room is open (15 minutes before the
time until 2 hours after), only its two parties; 16 KB a signal (an SDP with many codecs is 5–10 KB).
"""

from __future__ import annotations

import json
import re
import secrets as pysecrets

from ..core import clock
from ..core.errors import Conflict, PayloadTooLarge, ValidationFailed
from ..core.tenancy import TenantContext
from . import service
from .models import Signal

TYPES = ("offer", "answer", "candidate", "bye")
MAX_DATA = 16 * 1024
KEEP_SECONDS = 24 * 3600
PAGE = 50
CURSOR = re.compile(r"^\d{13}[0-9a-f]{6}$")
OTHER = {"host": "guest", "guest": "host"}


def _open_room(ctx: TenantContext, room_id: str):
    tenant, room, role = service.party(ctx, room_id)
    if room.mode != "online":
        raise Conflict("现场面试没有视频通话", code="not_online")
    if not service.is_open(room):
        opens, closes = service.window(room)
        raise Conflict("面试间未开放（开始前15分钟开放，结束后2小时关闭）", code="room_closed",
                       details={"opens_at": clock.iso(opens), "closes_at": clock.iso(closes)})
    return tenant, room_id, role


def post(ctx: TenantContext, room_id: str, body) -> dict:
    tenant, rid, role = _open_room(ctx, room_id)
    if body.type not in TYPES:
        raise ValidationFailed("信令类型不正确", code="bad_type")
    data = json.dumps(body.data, ensure_ascii=False, separators=(",", ":"))
    if len(data.encode()) > MAX_DATA:
        raise PayloadTooLarge(f"信令内容不能超过{MAX_DATA // 1024}KB")
    sid = f"{int(clock.now().timestamp() * 1000):013d}{pysecrets.token_hex(3)}"
    now = clock.iso()
    Signal(Signal.partition(tenant, rid), f"{role}#{sid}", sender=role, type=body.type, data=data, at=now,
           expires=clock.epoch() + KEEP_SECONDS).save()
    return {"id": sid, "type": body.type, "at": now}


def read(ctx: TenantContext, room_id: str, after: str | None) -> dict:
    """The other party's signals after the cursor, oldest first (one Query, one page of PAGE), and the cursor to
    ask from next (the last id read; the same cursor when there is nothing new)."""
    from ..core.db import one_page

    tenant, rid, role = _open_room(ctx, room_id)
    if after is not None and after != "" and not CURSOR.match(after):
        raise ValidationFailed("游标格式不正确", code="bad_cursor")
    other = OTHER[role]
    lower = f"{other}#{after}" if after else f"{other}#"
    items, _ = one_page(Signal.query(Signal.partition(tenant, rid), Signal.sk.between(lower, f"{other}$"),
                                     consistent_read=True, page_size=PAGE + 1), PAGE + 1)
    items = [s for s in items if s.sk != lower][:PAGE]  # BETWEEN includes the cursor's own signal
    out = [{"id": s.sk.split("#", 1)[1], "type": s.type, "data": json.loads(s.data), "at": s.at} for s in items]
    return {"items": out, "cursor": out[-1]["id"] if out else (after or None), "sender": other}
