"""Moderated comments, one core for every module that takes them (lectures' videos, vanguard's deeds).

A module keeps its own comment model, routes, ids and permission checks, and hands this core its model class: items
`partition(tenant, subject)` / sk (epoch ms + random: sorts by time; a reply `{root}#{own}`, one level deep) with
`uid`, `name`, `text`, `status` (pending | approved | hidden), `created_at`, `decided_by`, `version` and the gsi1
pair. A pending comment sits in its place's moderation queue (gsi1 `queue(tenant, place)` / `{created_at}#{subject}#
{sk}`, oldest first) until a moderator decides: 通过 (approved: shown to everyone who sees the subject) or 隐藏
(hidden: shown to moderators only); a decision takes it out of the queue. Everyone else sees the approved comments
and their own pending ones. The caller decides who moderates (`moderator=`) and checks it before `pending`/`decide`.
"""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Callable
from dataclasses import dataclass

from pynamodb.exceptions import UpdateError

from . import clock
from .auth import service as auth
from .db import one_page
from .errors import Conflict, NotFound, ValidationFailed
from .http import decode_cursor, encode_cursor
from .tenancy import TenantContext

NOT_FOUND = "找不到该评论"
PER_DAY = 50  # comments a person may write a day (Asia/Shanghai), per module


def new_key(root: str | None = None) -> str:
    """A new comment's sk: epoch ms + 6 hex characters (sorts by time); a reply's is `{root}#{own}`."""
    own = f"{int(clock.now().timestamp() * 1000):013d}{pysecrets.token_hex(3)}"
    return f"{root}#{own}" if root else own


def sees(ctx: TenantContext, item, moderator: bool) -> bool:
    """Moderators see every comment; others the approved ones and their own pending ones."""
    return moderator or item.status == "approved" or (item.uid == ctx.user_id and item.status == "pending")


@dataclass(frozen=True)
class Comments:
    """The comments of one module: `model` its comment model, `name` its rate-limit bucket (`{name}-comment`),
    `bound`/`queue_bound` the prefixes its signed cursors are tied to, `out` its answer for one comment."""

    model: type
    name: str
    bound: str
    queue_bound: str
    out: Callable[[TenantContext, object], dict]
    per_day: int = PER_DAY

    # --- reading ---------------------------------------------------------------------------------------------------

    def page(self, ctx: TenantContext, subject: str, *, moderator: bool, limit: int, cursor: str | None) -> dict:
        """A subject's comments the caller sees, in sk order (threads with their replies after them): one Query
        page (filtered: a page may hold fewer than `limit`; the cursor goes on)."""
        tenant = ctx.require_tenant()
        m = self.model
        bound = f"{self.bound}:{tenant}:{subject}"
        cond = None if moderator else ((m.status == "approved") | (m.uid == ctx.user_id))
        q = m.query(m.partition(tenant, subject), filter_condition=cond, page_size=limit,
                    last_evaluated_key=decode_cursor(cursor, bound))
        items, last = one_page(q, limit)
        return {"items": [self.out(ctx, x) for x in items if sees(ctx, x, moderator)],
                "next_cursor": encode_cursor(last, bound)}

    def pending(self, ctx: TenantContext, place: str, *, limit: int, cursor: str | None) -> dict:
        """A place's comments awaiting a decision, oldest first (the caller has checked that it moderates there)."""
        tenant = ctx.require_tenant()
        bound = f"{self.queue_bound}:{tenant}:{place}"
        q = self.model.gsi1.query(self.model.queue(tenant, place), page_size=limit,
                                  last_evaluated_key=decode_cursor(cursor, bound))
        items, last = one_page(q, limit)
        return {"items": [self.out(ctx, x) for x in items], "next_cursor": encode_cursor(last, bound)}

    def get(self, tenant: str, subject: str, sk: str):
        """One comment (strongly consistent); 404 if there is none."""
        try:
            return self.model.get(self.model.partition(tenant, subject), sk, consistent_read=True)
        except self.model.DoesNotExist:
            raise NotFound(NOT_FOUND) from None

    def root(self, ctx: TenantContext, subject: str, sk: str | None, *, moderator: bool) -> str:
        """The thread a reply to comment `sk` joins (replies are one level deep: a reply to a reply joins its root);
        the comment replied to must exist and be approved, the caller's own, or the caller a moderator (else 422)."""
        try:
            parent = self.model.get(self.model.partition(ctx.require_tenant(), subject), sk) if sk else None
        except self.model.DoesNotExist:
            parent = None
        if parent is None or not (moderator or parent.status == "approved" or parent.uid == ctx.user_id):
            raise ValidationFailed(details=[{"field": "reply_to", "code": "unknown_comment",
                                             "message": "回复的评论不存在"}])
        return parent.parent or parent.sk

    # --- writing ---------------------------------------------------------------------------------------------------

    def add(self, ctx: TenantContext, subject: str, sk: str, *, where: str, text: str, approved: bool = False,
            **attrs) -> dict:
        """Write a comment (after the caller's checks): counted against the writer's daily allowance (429), named
        after the writer (shown masked), pending in the queue of `where` (the place whose moderators decide) unless
        `approved` (a moderator's own); `attrs`: the module's own attributes."""
        tenant = ctx.require_tenant()
        auth.rate_limit(f"{self.name}-comment", f"{tenant}#{ctx.user_id}", self.per_day, *auth.SHANGHAI_DAY)
        user = auth.get_user(tenant, ctx.user_id)
        now = clock.iso()
        m = self.model
        item = m(m.partition(tenant, subject), sk, uid=ctx.user_id, name=user.name or "村民", text=text,
                 status="approved" if approved else "pending", created_at=now, **attrs)
        if not approved:
            item.gsi1pk, item.gsi1sk = m.queue(tenant, where), f"{now}#{subject}#{sk}"
        item.save(condition=m.pk.does_not_exist())
        return self.out(ctx, item)

    def decide(self, ctx: TenantContext, item, action: str) -> dict:
        """通过 (`approve`: shown to all) or 隐藏 (`hide`) a comment the caller moderates, taking it out of the
        queue; the same decision again: the same answer; someone else's decision meanwhile: 409."""
        m = self.model
        status = "approved" if action == "approve" else "hidden"
        if item.status != status:
            try:
                item.update(actions=[m.status.set(status), m.decided_by.set(ctx.user_id), m.gsi1pk.remove(),
                                     m.gsi1sk.remove()])
            except UpdateError as e:
                if e.cause_response_code == "ConditionalCheckFailedException":
                    raise Conflict("该评论刚被他人处理，请刷新后重试", code="version_conflict") from e
                raise
        return self.out(ctx, item)
