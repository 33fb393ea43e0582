"""Households and members; invite codes; linking a phone to a household; coverage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from ..core.config import settings
from ..core.http import OWN_HOUSEHOLD, SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

if TYPE_CHECKING:
    from ..core.tenancy import TenantContext

pii = lazy_module("..core.pii", __package__)
service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("households",)


def member_out(ctx: TenantContext, grid: str, m) -> dict:
    """Full ID and phone numbers only for roles that need them at this place; masked otherwise."""
    full = ctx.can("households.pii", grid)
    if full or m.idno_mask is None or (m.phone_enc and m.phone_mask is None):  # written before masks were kept
        idno = pii.decrypt(ctx.tenant_id, m.idno_enc)
        phone = pii.decrypt(ctx.tenant_id, m.phone_enc) if m.phone_enc else None
        shown_idno, shown_phone = (idno, phone) if full else (pii.mask_id_number(idno), pii.mask_phone(phone))
    else:  # a masked answer from the stored masks: nothing decrypted
        shown_idno, shown_phone = m.idno_mask, m.phone_mask if m.phone_enc else None
    return {"id": m.mid, "name": m.name, "relation": m.relation, "id_number": shown_idno,
            "phone": shown_phone, "party_member": m.party_member,
            "outside_person": m.outside_person, "from_place": m.from_place, "pii_masked": not full}


def person_out(ctx: TenantContext, m, hh, names: dict[str, str]) -> dict:
    """A member found by "find a person": masked as at the household page, with the household and the NAMES of its
    village, grid and township."""
    return {**member_out(ctx, hh.grid, m),
            "household": {"id": hh.hid, "ref": hh.ref, "address": hh.address, "head_name": hh.head_name},
            "grid": hh.grid, "grid_name": names.get(hh.grid), "village": hh.village,
            "village_name": names.get(hh.village), "township": hh.village[:9],
            "township_name": names.get(hh.village[:9])}


def household_out(ctx: TenantContext, hh, members=None) -> dict:
    return {"id": hh.hid, "grid": hh.grid, "village": hh.village, "address": hh.address, "head_name": hh.head_name,
            "ref": hh.ref, "member_count": int(hh.member_count), "follower_count": int(hh.follower_count),
            "created_at": hh.created_at, "updated_at": hh.updated_at,
            "members": None if members is None else [member_out(ctx, hh.grid, m) for m in service.in_order(members)],
            "warnings": None}


@endpoint(bp, "/households", "POST", name="create_household",
          summary="Add a household with its members; without `ref` it gets the next number of its village. "
                  "`warnings` flags a likely duplicate (another household of the village at the same address)",
          body=".schemas:CreateHousehold", response=".schemas:HouseholdOut", status=201, idempotent=True,
          permission="households.write", tags=TAGS)
def create(call: Call):
    b = call.body
    return _saved(call, *service.create(call.ctx, b.grid, b.address, b.members, b.ref))


def _saved(call: Call, hh, warnings: list) -> dict:
    """A household just written, read back with its members, and what the worker should check (duplicates)."""
    _, members = service.get(call.ctx, hh.hid)
    return {**household_out(call.ctx, hh, members), "warnings": warnings}


@endpoint(bp, "/households", "GET", name="list_households",
          summary="Households of a village or grid, in household-number order",
          query=".schemas:HouseholdQuery", response=".schemas:HouseholdPage", permission="households.read", tags=TAGS)
def list_households(call: Call):
    q = call.query
    page = service.list_households(call.ctx, q.place, q.unlinked, q.limit, q.cursor, q.q)
    return {"items": [household_out(call.ctx, h) for h in page["items"]], "next_cursor": page["next_cursor"]}


@endpoint(bp, "/households/{hid}", "GET", name="get_household", summary="A household with its members",
          response=".schemas:HouseholdOut", permission=("households.read", OWN_HOUSEHOLD), tags=TAGS)
def get_household(call: Call):
    hh, members = service.get(call.ctx, call.params["hid"])
    return household_out(call.ctx, hh, members)


@endpoint(bp, "/households/{hid}", "PUT", name="update_household", summary="Change a household's address",
          body=".schemas:UpdateHousehold", response=".schemas:HouseholdOut", permission="households.write", tags=TAGS)
def update_household(call: Call):
    return _saved(call, *service.update(call.ctx, call.params["hid"], call.body.address))


@endpoint(bp, "/members", "GET", name="find_people",
          summary="Find a person across the caller's places: by name (prefix), or by a whole ID or phone number",
          query=".schemas:PeopleQuery", response=".schemas:PeoplePage", permission="households.read", tags=TAGS)
def find_people(call: Call):
    q = call.query
    page = service.search_people(call.ctx, q.q, q.place, q.limit, q.cursor)
    return {"items": [person_out(call.ctx, m, hh, page["names"]) for m, hh in page["items"]],
            "next_cursor": page["next_cursor"]}


@endpoint(bp, "/households/{hid}/members", "POST", name="add_member", summary="Add a member to a household",
          body=".schemas:MemberIn", response=".schemas:MemberOut", status=201, idempotent=True,
          permission="households.write", tags=TAGS)
def add_member(call: Call):
    hid = call.params["hid"]
    m = service.add_member(call.ctx, hid, call.body)
    hh, _ = service.get(call.ctx, hid)
    return member_out(call.ctx, hh.grid, m)


@endpoint(bp, "/households/{hid}/members/{mid}", "PUT", name="update_member",
          summary="Change a member's details (only the fields sent)", body=".schemas:MemberUpdate",
          response=".schemas:MemberOut", permission="households.write", tags=TAGS)
def update_member(call: Call):
    hid = call.params["hid"]
    m = service.update_member(call.ctx, hid, call.params["mid"], call.body)
    hh, _ = service.get(call.ctx, hid)
    return member_out(call.ctx, hh.grid, m)


@endpoint(bp, "/households/{hid}/members/{mid}", "DELETE", name="remove_member",
          summary="Remove a member from a household", status=204, permission="households.write", tags=TAGS)
def remove_member(call: Call):
    service.remove_member(call.ctx, call.params["hid"], call.params["mid"])


@endpoint(bp, "/households/{hid}/invites", "POST", name="create_invite",
          summary="A fresh invite code (and QR code) for villagers to link to this household", body=".schemas:InviteIn",
          response=".schemas:InviteOut", status=201, idempotent=True, permission="households.write", tags=TAGS)
def create_invite(call: Call):
    import segno

    inv = service.create_invite(call.ctx, call.params["hid"], call.body.head)
    link = f"{settings().app_url}/link?code={inv['code']}"  # absolute where the app's address is configured
    qr = segno.make(link, error="m").svg_inline(scale=4)
    return {**inv, "qr_svg": qr, "link": link}


@endpoint(bp, "/links", "POST", permission=SIGNED_IN, name="link_household",
          summary="Link my phone to a household with an invite code (returns a session in that county)",
          body=".schemas:RedeemIn", response="..core.schemas:Session", idempotent=True, tags=TAGS)
def redeem(call: Call):
    return service.redeem(call.ctx, call.body.code, call.body.name)


@endpoint(bp, "/coverage", "GET", name="coverage",
          summary="Households with at least one follower, for a place (and its children)",
          query=".schemas:CoverageQuery", response=".schemas:CoverageReport", permission="coverage.read", tags=TAGS)
def coverage(call: Call):
    return service.coverage(call.ctx, call.query.place, call.query.children)
