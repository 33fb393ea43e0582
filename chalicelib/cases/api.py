"""The case workflow's routes, shared by every case type: the console inbox, "my cases", one case with its
timeline, actions, counts, and the declared types. Filing is each module's own route (its body differs)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
out = lazy_module(".out", __package__)

bp = Blueprint(__name__)
# Staff who read cases of some type: the inbox and the numbers (a test keeps it equal to the case types' own).
CASE_READ = ("tipoffs.read", "snaps.read", "letters.read", "errands.read")
TAGS = ("cases",)


def _types(raw: str | None) -> list[str] | None:
    return raw.split(",") if raw else None


@endpoint(bp, "/cases", "GET", permission=CASE_READ,
          name="case_inbox", tags=TAGS, query=".schemas:InboxQuery", response=".schemas:CasePage",
          summary="The inbox: cases at or below a place, of every type the caller may read there (filters: type, "
                  "status, category, overdue), newest first, with SLA colours")
def inbox(call: Call):
    q = call.query
    page = service.inbox_page(call.ctx, q.place, case_types=_types(q.type), status=q.status, category=q.category,
                              overdue=q.overdue, limit=q.limit, cursor=q.cursor)
    return out.page(call.ctx, page)


@endpoint(bp, "/cases/mine", "GET", permission=SIGNED_IN, name="my_cases", tags=TAGS, query=".schemas:MineQuery",
          response=".schemas:CasePage", summary="The caller's own cases of every type, newest first")
def mine(call: Call):
    q = call.query
    return out.page(call.ctx, service.mine(call.ctx, _types(q.type), q.limit, q.cursor))


@endpoint(bp, "/cases/types", "GET", permission=SIGNED_IN, name="case_types", tags=TAGS, response=".schemas:CaseTypes",
          summary="The case types of the caller's county: categories with their extra fields, statuses, outcomes")
def case_types(call: Call):
    return {"items": out.types_of(call.ctx)}


@endpoint(bp, "/cases/types/{type}/categories", "PUT", name="set_case_categories", tags=TAGS,
          body=".schemas:CategoriesIn", response=".schemas:CategoriesOut", permission="cases.configure",
          summary="The county's categories of a case type (rename, SLA, extra fields, switch off, add): the whole "
                  "list; a category once used is never removed, only switched off")
def set_categories(call: Call):
    from . import categories

    cats = categories.replace(call.ctx, call.params["type"], [c.model_dump() for c in call.body.categories])
    return {"type": call.params["type"], "categories": [c.to_json() for c in cats]}


@endpoint(bp, "/cases/uploads", "POST", permission=SIGNED_IN,
          name="case_photo_upload", tags=TAGS, body=".schemas:UploadIn",
          response=".schemas:UploadForm", status=201,
          summary="A presigned S3 form for one photo of a case (JPEG/PNG/WebP, at most 300 KB: shrink it first)")
def upload(call: Call):
    return service.photo_upload(call.ctx, call.body.type, call.body.content_type)


@endpoint(bp, "/cases/stats", "GET", permission=CASE_READ, name="case_stats", tags=TAGS, query=".schemas:StatsQuery",
          response=".schemas:StatsOut", summary="Counts of a case type by category × place × week")
def stats(call: Call):
    q = call.query
    return out.stats(call.ctx, service.stats(call.ctx, q.type, q.place, q.weeks))


@endpoint(bp, "/cases/{ref}", "GET", permission=SIGNED_IN, name="get_case", tags=TAGS, response=".schemas:CaseDetail",
          summary="One case with its timeline (its filer, or staff in scope)")
def get_case(call: Call):
    case, events = service.with_timeline(call.ctx, call.params["ref"])
    return out.detail(call.ctx, case, events)


@endpoint(bp, "/cases/{ref}/actions", "POST", permission=SIGNED_IN,
          name="act_on_case", tags=TAGS, body=".schemas:ActionIn",
          response=".schemas:CaseDetail", idempotent=True,
          summary="Act on a case: assign, accept, note, escalate, resolve, close, duplicate, hide (staff); reopen, "
                  "rate (the filer). The filer is told of every status change.")
def act(call: Call):
    b = call.body
    case = service.act(call.ctx, call.params["ref"], b.action, note=b.note, outcome=b.outcome, assignee=b.assignee,
                       duplicate_of=b.duplicate_of, reason=b.reason, rating=b.rating, photos=b.photos,
                       hide_photos=b.hide_photos)
    _, events = service.with_timeline(call.ctx, case.ref)
    return out.detail(call.ctx, case, events)
