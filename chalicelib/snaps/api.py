"""随手拍 (snap-and-report): file with photos, duplicate suggestions, the village board. Following and handling a
snap is the case workflow's (/cases)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
cases_out = lazy_module("..cases.out", __package__)
cases = lazy_module("..cases.service", __package__)

bp = Blueprint(__name__)
TAGS = ("snaps",)


@endpoint(bp, "/snaps", "POST", permission=SIGNED_IN, name="file_snap", tags=TAGS, body=".schemas:SnapIn",
          response="..cases.schemas:CaseDetail", status=201, idempotent=True,
          summary="File a 随手拍: 1–6 photos (uploaded first with POST /cases/uploads), a category, words, the grid "
                  "(default: the filer's household's); it goes to the grid worker")
def file_snap(call: Call):
    case = service.file(call.ctx, call.body)
    _, events = cases.with_timeline(call.ctx, case.ref)
    return cases_out.detail(call.ctx, case, events)


@endpoint(bp, "/snaps/similar", "GET", permission=SIGNED_IN,
          name="similar_snaps", tags=TAGS, query=".schemas:SimilarQuery",
          response=".schemas:SimilarPage",
          summary="Open 随手拍 of the same category in the same grid in the last 7 days (before filing a duplicate)")
def similar(call: Call):
    return {"items": service.similar(call.ctx, call.query.grid, call.query.category)}


@endpoint(bp, "/snaps/board", "GET", permission=SIGNED_IN, name="snap_board", tags=TAGS, query=".schemas:BoardQuery",
          response=".schemas:BoardPage",
          summary="The village board: resolved 随手拍 with before and after photos (no filer names)")
def board(call: Call):
    return service.board(call.ctx, call.query.village, call.query.cursor)
