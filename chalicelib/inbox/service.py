"""The in-app inbox: notices addressed to one person (role changes, links; later broadcasts and alerts)."""

from __future__ import annotations

import re
import uuid

from pynamodb.exceptions import UpdateError

from ..core import clock
from ..core.config import page_size
from ..core.errors import NotFound
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from .models import Message

TTL_DAYS = 180
_ID = re.compile(r"^(\d{13})-([0-9a-f]{12})$")


def message_id(msg: Message) -> str:
    return msg.sk.replace("#", "-")


def message(tenant: str, uid: str, title: str, body: str, category: str = "system") -> Message:
    """A notice for one person, not yet stored (to write it in the same transaction as what it tells of). The id
    orders by time: `{epoch ms}-{random}`."""
    now = clock.now()
    mid = uuid.uuid4().hex[:12]
    sk = f"{int(now.timestamp() * 1000):013d}#{mid}"
    return Message(Message.partition(tenant, uid), sk, mid=mid, title=title, body=body, category=category,
                   created_at=clock.iso(now), read=False, expires=clock.epoch() + TTL_DAYS * 86400)


def deliver(tenant: str, uid: str, title: str, body: str, category: str = "system") -> Message:
    """Store a notice for one person."""
    msg = message(tenant, uid, title, body, category)
    msg.save()
    return msg


def list_messages(ctx: TenantContext, limit: int | None, cursor: str | None) -> dict:
    """Newest first: one Query per page."""
    tenant = ctx.require_tenant()
    pk = Message.partition(tenant, ctx.user_id)
    res = Message.query(pk, scan_index_forward=False, limit=page_size(limit),
                        last_evaluated_key=decode_cursor(cursor, pk))
    items = list(res)
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, pk)}


HOME_WINDOW = 20  # the home's badge counts the unread among the newest 20, as the inbox's first page shows them


def home(ctx: TenantContext, me: dict) -> dict | None:
    """The home's badge: how many of the newest notices are unread (one Query)."""
    if not ctx.tenant_id:
        return None
    newest = list_messages(ctx, HOME_WINDOW, None)["items"]
    return {"unread": sum(1 for m in newest if not m.read)}


def mark_read(ctx: TenantContext, message: str) -> None:
    tenant = ctx.require_tenant()
    m = _ID.match(message)
    if not m:
        raise NotFound("找不到该通知")
    item = Message(Message.partition(tenant, ctx.user_id), f"{m.group(1)}#{m.group(2)}")
    try:
        item.update(actions=[Message.read.set(True)], condition=Message.pk.exists())
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise NotFound("找不到该通知") from e
        raise
