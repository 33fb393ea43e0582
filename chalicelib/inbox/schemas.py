"""Response models of the inbox."""

from __future__ import annotations

from ..core.schemas import Out


class MessageOut(Out):
    id: str
    title: str
    body: str
    category: str
    created_at: str
    read: bool


class MessagePage(Out):
    items: list[MessageOut]
    next_cursor: str | None = None
