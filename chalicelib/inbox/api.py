"""My notices."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("inbox",)


@endpoint(bp, "/inbox", "GET", permission=SIGNED_IN,
          name="list_inbox", summary="My notices, newest first", query="..core.schemas:PageQuery",
          response=".schemas:MessagePage", tags=TAGS)
def list_inbox(call: Call):
    page = service.list_messages(call.ctx, call.query.limit, call.query.cursor)
    return {"items": [{"id": service.message_id(m), "title": m.title, "body": m.body, "category": m.category,
                       "created_at": m.created_at, "read": m.read} for m in page["items"]],
            "next_cursor": page["next_cursor"]}


@endpoint(bp, "/inbox/{message}/read", "POST", permission=SIGNED_IN,
          name="read_inbox_message", summary="Mark a notice as read",
          status=204, tags=TAGS)
def read(call: Call):
    service.mark_read(call.ctx, call.params["message"])
