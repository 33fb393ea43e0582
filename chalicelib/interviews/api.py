"""Routes of the interviews module (HTTP only; the work is in its service modules): rooms made by recruitment's
invitations, the guest's admission QR scanned by the host, and WebRTC signalling between the two parties."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
signals = lazy_module(".signals", __package__)

bp = Blueprint(__name__)
TAGS = ("interviews",)


@endpoint(bp, "/interviews/mine", "GET", permission=SIGNED_IN, name="my_interviews", tags=TAGS,
          response=".schemas:Mine",
          summary="Interviews I host or am invited to: upcoming (soonest first), then recent past ones")
def mine(call: Call):
    return service.mine(call.ctx)


@endpoint(bp, "/interviews/{room_id}", "GET", permission=SIGNED_IN, name="interview", tags=TAGS,
          response=".schemas:RoomOut",
          summary="One interview, for its host or guest only (anyone else: 404): the guest's admission QR, when the "
                  "online room opens and closes, its ICE servers while open")
def detail(call: Call):
    return service.detail(call.ctx, call.params["room_id"])


@endpoint(bp, "/interviews/{room_id}/admit", "POST", permission=SIGNED_IN, name="admit_interview_guest",
          tags=TAGS, body=".schemas:AdmitIn", response=".schemas:RoomOut",
          summary="The host scans the guest's QR: a valid code of this room admits the guest (wrong, expired or "
                  "another room's code: 422)")
def admit(call: Call):
    return service.admit(call.ctx, call.params["room_id"], call.body.code)


@endpoint(bp, "/interviews/{room_id}/signals", "POST", permission=SIGNED_IN, name="post_interview_signal",
          tags=TAGS, body=".schemas:SignalIn", response=".schemas:SignalOut", status=201, idempotent=True,
          summary="Send the other party a WebRTC signal (offer, answer, ICE candidate, bye; ≤ 16 KB) while the "
                  "online room is open (else 409 room_closed); a retry with the same Idempotency-Key is one signal")
def post_signal(call: Call):
    return signals.post(call.ctx, call.params["room_id"], call.body)


@endpoint(bp, "/interviews/{room_id}/signals", "GET", permission=SIGNED_IN, name="interview_signals", tags=TAGS,
          query=".schemas:SignalsQuery", response=".schemas:Signals",
          summary="The other party's signals after the cursor (poll about once a second while connecting) and the "
                  "next cursor")
def read_signals(call: Call):
    return signals.read(call.ctx, call.params["room_id"], call.query.after)
