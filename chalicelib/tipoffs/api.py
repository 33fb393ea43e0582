"""Epidemic tip-offs (疫情举报)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

if TYPE_CHECKING:
    from ..core.tenancy import TenantContext

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("tip-offs",)


def _names(ctx: TenantContext, tips) -> dict[str, str]:
    """Village names for a page of tip-offs: one BatchGet."""
    return service.village_names(ctx.tenant_id, {t.village for t in tips})


def tipoff_out(ctx: TenantContext, t, names: dict[str, str] | None = None) -> dict:
    """A tip-off case in this API's shape. Staff never see an anonymous reporter; nobody sees the reporter's phone
    or id; hidden (moderated) words are shown to staff and the reporter only."""
    own = t.filer_uid == ctx.user_id
    names = names if names is not None else _names(ctx, [t])
    hidden = bool(t.hidden_reason) and not own and not service.cases.staff_may_read(ctx, t)
    return {"id": t.ref, "village": t.village, "village_name": names.get(t.village), "category": t.category,
            "description": "（内容已屏蔽）" if hidden else t.text,
            "location": t.location, "anonymous": t.anonymous,
            "reporter": None if t.anonymous and not own else t.filer_name,
            "status": service.STATUS_OF_CASE.get(t.status, "open"),
            "disposition": t.outcome, "note": t.note, "handled_by": t.handled_by_name,
            "handled_at": t.handled_at, "created_at": t.created_at}


@endpoint(bp, "/tipoffs", "POST", permission=SIGNED_IN, name="create_tipoff", tags=TAGS, body=".schemas:TipoffIn",
          response=".schemas:TipoffOut", status=201,
          idempotent=True, summary="Report returnees, a gathering or another risk (optionally anonymous)")
def create(call: Call):
    return tipoff_out(call.ctx, service.create(call.ctx, call.body))


@endpoint(bp, "/tipoffs/mine", "GET", permission=SIGNED_IN, name="my_tipoffs", tags=TAGS, query=".schemas:TipoffQuery",
          response=".schemas:TipoffPage", summary="The caller's own tip-offs with their outcome")
def mine(call: Call):
    page = service.mine(call.ctx, call.query.limit, call.query.cursor)
    names = _names(call.ctx, page["items"])
    return {"items": [tipoff_out(call.ctx, t, names) for t in page["items"]], "next_cursor": page["next_cursor"]}


@endpoint(bp, "/tipoffs", "GET", name="list_tipoffs", tags=TAGS, query=".schemas:TipoffQuery",
          response=".schemas:TipoffPage",
          permission="tipoffs.read", summary="Tip-offs of a village, or of the county (county command)")
def list_tipoffs(call: Call):
    q = call.query
    page = service.list_tipoffs(call.ctx, q.village, q.status, q.limit, q.cursor)
    names = _names(call.ctx, page["items"])
    return {"items": [tipoff_out(call.ctx, t, names) for t in page["items"]], "next_cursor": page["next_cursor"]}


@endpoint(bp, "/tipoffs/stats", "GET", name="tipoff_stats", tags=TAGS, query=".schemas:StatsQuery",
          response=".schemas:StatsOut", permission="tipoffs.read", summary="Counts by category × village × week")
def stats(call: Call):
    return service.stats(call.ctx, call.query.place, call.query.weeks)


@endpoint(bp, "/tipoffs/{tid}", "GET", permission=SIGNED_IN,
          name="get_tipoff", tags=TAGS, response=".schemas:TipoffOut",
          summary="One tip-off (its reporter, or staff of its village and above)")
def get_tipoff(call: Call):
    return tipoff_out(call.ctx, service.get(call.ctx, call.params["tid"]))


@endpoint(bp, "/tipoffs/{tid}", "PUT", name="handle_tipoff", tags=TAGS, body=".schemas:HandleIn",
          response=".schemas:TipoffOut",
          permission="tipoffs.handle", summary="Handle a tip-off: status and disposition (the reporter is told)")
def handle(call: Call):
    b = call.body
    return tipoff_out(call.ctx, service.handle(call.ctx, call.params["tid"], b.status, b.disposition, b.note))
