"""Scan-to-pass (扫码通行): personal pass codes, scanning at checkpoints, scan logs."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import OWN_HOUSEHOLD, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("scan-to-pass",)


@endpoint(bp, "/passes", "POST", permission=(OWN_HOUSEHOLD, "households.write"),
          name="issue_pass", tags=TAGS, body=".schemas:IssueIn", response=".schemas:PassOut",
          status=201,
          idempotent=True, summary="Issue a member's pass code (signed, expiring; revokes the member's previous one)")
def issue(call: Call):
    import segno

    out = service.issue(call.ctx, call.body.household, call.body.member)
    return {**out, "qr_svg": segno.make(out["code"], error="m").svg_inline(scale=5)}


@endpoint(bp, "/passes/{pid}/revoke", "POST", permission=(OWN_HOUSEHOLD, "households.write"),
          name="revoke_pass", tags=TAGS, status=204,
          summary="Revoke a pass (e.g. a lost phone)")
def revoke(call: Call):
    service.revoke(call.ctx, call.params["pid"])


@endpoint(bp, "/passes/{pid}/status", "GET", permission=(OWN_HOUSEHOLD, "households.write"),
          name="pass_status", tags=TAGS, response=".schemas:PassStatusOut",
          summary="What a checkpoint would answer for my pass now (pass / stop with the reasons), and its short code")
def status(call: Call):
    return service.status(call.ctx, call.params["pid"])


@endpoint(bp, "/passes/scan", "POST", name="scan_pass", tags=TAGS, body=".schemas:ScanIn", response=".schemas:ScanOut",
          permission="passes.scan", summary="Checkpoint staff scan a pass, or type its short code: pass or stop with "
                                            "the reasons; a forged, expired, revoked, unknown or other county's code "
                                            "is refused (422) and logged; wrong short codes are limited (429)")
def scan(call: Call):
    return service.scan(call.ctx, call.body.code, call.body.checkpoint)


@endpoint(bp, "/passes/scans", "GET", name="list_scans", tags=TAGS, query=".schemas:ScanQuery",
          response=".schemas:ScanPage", permission="passes.logs", summary="A checkpoint's scans of a day, newest first")
def scans(call: Call):
    q = call.query
    return service.scans(call.ctx, q.checkpoint, q.date, q.limit, q.cursor)
