"""Routes of the county back office (HTTP only; the work is in service.py and report.py)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
export = lazy_module(".export", __package__)

bp = Blueprint(__name__)
TAGS = ("backoffice",)
READ = "backoffice.read"
REPORT = "backoffice.report"


@endpoint(bp, "/backoffice/quality", "GET", permission=READ, name="backoffice_quality", tags=TAGS,
          query=".schemas:QualityQuery", response=".schemas:QualityOut",
          summary="Usage quality per township for a month or a quarter (coverage, daily reporting, cases against "
                  "their SLA, party activity) with the totals: read from aggregates, a constant number of calls")
def quality(call: Call):
    return service.quality(call.ctx, call.query.period)


@endpoint(bp, "/backoffice/quality/export", "GET", permission=READ, name="backoffice_quality_export", tags=TAGS,
          query=".schemas:QualityQuery", response=".schemas:QualityExportOut",
          summary="The quality page of a month or a quarter as an Excel workbook (the same rows and totals, as the "
                  "caller sees them): a link valid 10 minutes")
def quality_export(call: Call):
    return export.export(call.ctx, call.query.period)


@endpoint(bp, "/backoffice/reports", "POST", permission=REPORT, name="create_quarterly_report", tags=TAGS,
          body=".schemas:ReportIn", response=".schemas:ReportOut", status=201, idempotent=True,
          summary="Ask for a quarter's party-building report (季度党建报表): queued, made by a background job")
def create_report(call: Call):
    return service.create_report(call.ctx, call.body.quarter)


@endpoint(bp, "/backoffice/reports", "GET", permission=REPORT, name="quarterly_reports", tags=TAGS,
          query=".schemas:ReportsQuery", response=".schemas:ReportPage",
          summary="The county's quarterly reports, newest first, with their status and progress")
def list_reports(call: Call):
    return service.list_reports(call.ctx, call.query.limit, call.query.cursor)


@endpoint(bp, "/backoffice/reports/{rid}", "GET", permission=REPORT, name="quarterly_report", tags=TAGS,
          response=".schemas:ReportOut",
          summary="A report's status and progress; when done, a link to the workbook valid 5 minutes")
def get_report(call: Call):
    return service.get_report(call.ctx, call.params["rid"])


@endpoint(bp, "/backoffice/reports/{rid}/print", "GET", permission=REPORT, name="quarterly_report_print",
          tags=TAGS, response=".schemas:PrintOut",
          summary="A done report's numbers as the printable page shows them (the workbook's sheets); 409 "
                  "report_not_ready before")
def print_report(call: Call):
    return service.printable(call.ctx, call.params["rid"])
