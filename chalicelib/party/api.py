"""党员联户: link party members to households."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

staff = lazy_module("..staff.service", __package__)
service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("party",)


@endpoint(bp, "/party-links", "POST", name="link_party_member", tags=TAGS, body=".schemas:LinkIn",
          response=".schemas:LinkPage",
          permission="party.link", summary="Link a party member to households of their village (党员联户); a "
                                           "household linked to another party member moves")
def link(call: Call):
    return service.link(call.ctx, call.body.member, call.body.households)


@endpoint(bp, "/party-links", "GET", permission=("party.link", "party.duties"),
          name="party_member_households", tags=TAGS, query=".schemas:LinkQuery",
          response=".schemas:LinkPage", summary="The households a party member looks after, with today's report status")
def households_of(call: Call):
    return service.households_of(call.ctx, call.query.member)


@endpoint(bp, "/party-links/{hid}", "DELETE", name="unlink_party_member", tags=TAGS, status=204,
          permission="party.link", summary="Remove a household's party member link")
def unlink(call: Call):
    service.unlink(call.ctx, call.params["hid"])


@endpoint(bp, "/party-links/members", "GET", name="party_members", tags=TAGS, query=".schemas:MembersQuery",
          response=".schemas:MembersPage", permission="party.link",
          summary="Party members placed at or below a place (for whoever may link households there)")
def members(call: Call):
    q = call.query
    page = service.members(call.ctx, q.place, q.limit, q.cursor)
    names = staff.place_names(call.ctx, page["items"])  # one BatchGet for the page, not one per person
    return {"items": [staff.out(call.ctx, u, names) for u in page["items"]], "next_cursor": page["next_cursor"]}
