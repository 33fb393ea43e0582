"""Routes of the volunteers module (HTTP only; the work is in its service modules)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("volunteers",)
ORGANISE = "volunteers.organise"


@endpoint(bp, "/volunteers/me", "GET", permission=SIGNED_IN, name="my_volunteering", tags=TAGS,
          response=".schemas:VolunteerOut",
          summary="Am I a volunteer of my village (skills, SMS)? volunteer=false when not (403 for non-residents)")
def me(call: Call):
    return service.get_me(call.ctx)


@endpoint(bp, "/volunteers/me", "PUT", permission=SIGNED_IN, name="volunteer_opt_in", tags=TAGS,
          body=".schemas:VolunteerIn", response=".schemas:VolunteerOut",
          summary="Opt in as a volunteer of my village, or change my skills and SMS choice (my own state: last "
                  "write wins)")
def opt_in(call: Call):
    return service.put_me(call.ctx, call.body)


@endpoint(bp, "/volunteers/me", "DELETE", permission=SIGNED_IN, name="volunteer_opt_out", tags=TAGS, status=204,
          summary="Opt out: new calls no longer reach me (my sign-ups stay)")
def opt_out(call: Call):
    service.delete_me(call.ctx)


@endpoint(bp, "/volunteers/calls", "POST", permission=ORGANISE, name="post_volunteer_call", tags=TAGS,
          body=".schemas:CallIn", response=".schemas:CallOut", status=201, idempotent=True,
          summary="Post an urgent call at my office's place or below; broadcast within minutes to the volunteers "
                  "in scope (inbox, SMS to those who opted in)")
def post_call(call: Call):
    return _with_qr(service.publish(call.ctx, call.body))


@endpoint(bp, "/volunteers/calls", "GET", permission=SIGNED_IN, name="volunteer_calls", tags=TAGS,
          query=".schemas:CallsQuery", response=".schemas:CallPage",
          summary="A resident: the open calls covering my village (place=my village). An organiser: the calls "
                  "posted at a place of mine, any state")
def calls(call: Call):
    q = call.query
    return service.list_calls(call.ctx, q.place, q.limit, q.cursor)


@endpoint(bp, "/volunteers/calls/{cid}", "GET", permission=SIGNED_IN, name="volunteer_call", tags=TAGS,
          response=".schemas:CallOut",
          summary="A call, with my sign-up (status, waiting position, check-in code while confirmed)")
def detail(call: Call):
    return _with_qr(service.get(call.ctx, call.params["cid"]))


def _with_qr(out: dict) -> dict:
    """My check-in code also as a QR image (inline SVG, as the pass page shows its code)."""
    mine = out.get("mine")
    if mine is not None:
        import segno

        mine["qr_svg"] = segno.make(mine["code"], error="m").svg_inline(scale=5) if mine.get("code") else None
    return out


@endpoint(bp, "/volunteers/calls/{cid}", "PUT", permission=ORGANISE, name="update_volunteer_call", tags=TAGS,
          body=".schemas:CallUpdate", response=".schemas:CallOut",
          summary="Edit an open call (the whole call, with the version read); slots never below those confirmed "
                  "(422), more slots promote the waiting list")
def update(call: Call):
    return _with_qr(service.update(call.ctx, call.params["cid"], call.body))


@endpoint(bp, "/volunteers/calls/{cid}/cancel", "POST", permission=ORGANISE, name="cancel_volunteer_call",
          tags=TAGS, response=".schemas:CallOut",
          summary="Cancel a call: everyone signed up is told (inbox; SMS to the confirmed who opted in)")
def cancel(call: Call):
    return _with_qr(service.cancel(call.ctx, call.params["cid"]))


@endpoint(bp, "/volunteers/calls/{cid}/signups", "POST", permission=SIGNED_IN, name="volunteer_signup", tags=TAGS,
          response=".schemas:CallOut",
          summary="Sign up (idempotent: one per person per call): confirmed while slots remain, else on the waiting "
                  "list with a position; never over capacity")
def sign_up(call: Call):
    return _with_qr(service.signup(call.ctx, call.params["cid"]))


@endpoint(bp, "/volunteers/calls/{cid}/signups/mine", "DELETE", permission=SIGNED_IN,
          name="volunteer_signup_cancel", tags=TAGS, status=204,
          summary="Cancel my sign-up (again: no change); a freed slot goes to the first waiting person")
def cancel_mine(call: Call):
    service.cancel_mine(call.ctx, call.params["cid"])


@endpoint(bp, "/volunteers/calls/{cid}/roster", "GET", permission=ORGANISE, name="volunteer_roster", tags=TAGS,
          query=".schemas:RosterQuery", response=".schemas:RosterOut",
          summary="Confirmed and waiting people, phones masked; reveal=true unmasks them (recorded in the audit log)")
def roster(call: Call):
    return service.roster(call.ctx, call.params["cid"], call.query.reveal)


@endpoint(bp, "/volunteers/calls/{cid}/roster.xlsx", "GET", permission=ORGANISE, name="volunteer_roster_export",
          tags=TAGS, response=".schemas:ExportOut",
          summary="The roster as an Excel workbook (phones unmasked, recorded in the audit log): a link valid 10 "
                  "minutes")
def roster_export(call: Call):
    return service.workbook(call.ctx, call.params["cid"])


@endpoint(bp, "/volunteers/calls/{cid}/checkins", "POST", permission=ORGANISE, name="volunteer_checkin",
          tags=TAGS, body=".schemas:CodeIn", response=".schemas:RosterRow",
          summary="Scan a confirmed person's QR code: checked in (again: the same answer; another call's or an "
                  "invalid code: 422)")
def checkin(call: Call):
    return service.checkin(call.ctx, call.params["cid"], call.body.code)


@endpoint(bp, "/volunteers/calls/{cid}/checkouts", "POST", permission=ORGANISE, name="volunteer_checkout",
          tags=TAGS, body=".schemas:CodeIn", response=".schemas:RosterRow",
          summary="Scan the code at the end: checked out, hours since check-in recorded (party members get their "
                  "volunteer points once)")
def checkout(call: Call):
    return service.checkout(call.ctx, call.params["cid"], call.body.code)


@endpoint(bp, "/volunteers/calls/{cid}/hours", "POST", permission=ORGANISE, name="volunteer_hours", tags=TAGS,
          body=".schemas:HoursIn", response=".schemas:RosterRow",
          summary="Record a confirmed person's service hours (party members get their volunteer points once per "
                  "sign-up)")
def record_hours(call: Call):
    return service.hours(call.ctx, call.params["cid"], call.body.signup, call.body.hours)
