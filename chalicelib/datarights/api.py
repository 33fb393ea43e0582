"""Routes of the county's data rights (HTTP only; the work is in service.py, export.py and retention.py)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("datarights",)
MANAGE = "datarights.manage"


@endpoint(bp, "/datarights/exports", "POST", permission=MANAGE, name="create_county_export", tags=TAGS,
          body=".schemas:ExportIn", response=".schemas:ExportOut", status=201, idempotent=True,
          summary="Export all of the county's data (zip of JSON lines + Excel, personal data decrypted) in the "
                  "background: one at a time (409 export_running), 3 a day; audited")
def create_export(call: Call):
    return service.create_export(call.ctx)


@endpoint(bp, "/datarights/exports", "GET", permission=MANAGE, name="county_exports", tags=TAGS,
          query=".schemas:ExportListQuery", response=".schemas:ExportList",
          summary="The county's exports, newest first (no links)")
def list_exports(call: Call):
    return service.list_exports(call.ctx, call.query.limit)


@endpoint(bp, "/datarights/exports/{eid}", "GET", permission=MANAGE, name="county_export", tags=TAGS,
          response=".schemas:ExportOut",
          summary="An export's status and progress; when done, a download link valid 5 minutes (the hand-out is "
                  "written in the audit log)")
def get_export(call: Call):
    return service.get_export(call.ctx, call.params["eid"])


@endpoint(bp, "/datarights/retention", "GET", permission=MANAGE, name="retention", tags=TAGS,
          response=".schemas:RetentionOut",
          summary="How long health reports and case photos are kept, and what the daily job last deleted")
def get_retention(call: Call):
    return service.get_retention(call.ctx)


@endpoint(bp, "/datarights/retention", "PUT", permission=MANAGE, name="set_retention", tags=TAGS,
          body=".schemas:RetentionIn", response=".schemas:RetentionOut",
          summary="Set the periods (health reports 30–1095 days, case photos 90–3650); a shorter health period "
                  "sweeps older reports daily")
def put_retention(call: Call):
    return service.put_retention(call.ctx, call.body.health_days, call.body.photo_days)


@endpoint(bp, "/datarights/audit", "GET", permission=MANAGE, name="audit_log", tags=TAGS,
          query=".schemas:AuditQuery", response=".schemas:AuditPage",
          summary="Privileged reads of a month (who saw what personal data), newest first, filtered by reader, "
                  "kind and subject; one Query a page, readers' names resolved")
def audit_log(call: Call):
    q = call.query
    return service.audit_page(call.ctx, q.month, q.uid, q.what, q.subject, q.limit, q.cursor)
