"""村民信箱 (villagers' mailbox): write a letter. Following and answering it is the case workflow's (/cases)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
cases_out = lazy_module("..cases.out", __package__)
cases = lazy_module("..cases.service", __package__)

bp = Blueprint(__name__)
TAGS = ("mailbox",)


@endpoint(bp, "/letters", "POST", permission=SIGNED_IN, name="write_letter", tags=TAGS, body=".schemas:LetterIn",
          response="..cases.schemas:CaseDetail", status=201, idempotent=True,
          summary="Write to the village leaders or the township (optionally anonymous to staff); answered within 3 "
                  "working days or it goes up a level")
def write(call: Call):
    case = service.file(call.ctx, call.body)
    _, events = cases.with_timeline(call.ctx, case.ref)
    return cases_out.detail(call.ctx, case, events)
