"""Staff: invite by phone with a role at a place, list, remove."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("staff",)


@endpoint(bp, "/staff", "POST", name="invite_staff", summary="Invite a person by phone to a role at a place",
          body=".schemas:InviteStaff", response=".schemas:StaffOut", status=201, idempotent=True,
          permission="staff.write", tags=TAGS)
def invite(call: Call):
    b = call.body
    return service.out(call.ctx, service.invite(call.ctx, b.phone, b.name, b.role, b.place))


@endpoint(bp, "/staff", "GET", name="list_staff", summary="Staff placed at or below a place",
          query=".schemas:StaffQuery", response=".schemas:StaffPage", permission="staff.read", tags=TAGS)
def list_staff(call: Call):
    page = service.list_staff(call.ctx, call.query.place, call.query.limit, call.query.cursor)
    names = service.place_names(call.ctx, page["items"])
    return {"items": [service.out(call.ctx, u, names) for u in page["items"]], "next_cursor": page["next_cursor"]}


@endpoint(bp, "/staff/{uid}", "DELETE", name="remove_staff",
          summary="Remove a person's staff roles (and sign them out everywhere)", response=".schemas:StaffOut",
          permission="staff.write", tags=TAGS)
def remove(call: Call):
    return service.out(call.ctx, service.remove(call.ctx, call.params["uid"]))
