"""Routes of the notices module (HTTP only; the work is in its service modules)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
receipts = lazy_module(".receipts", __package__)

bp = Blueprint(__name__)
TAGS = ("notices",)


@endpoint(bp, "/notices/uploads", "POST", permission="notices.publish", name="notice_upload", tags=TAGS,
          body=".schemas:UploadIn", response="..core.schemas:UploadForm", status=201,
          summary="A presigned S3 POST for one attachment (JPEG/PNG ≤ 2 MB, PDF ≤ 10 MB); give its key in "
                  "attachments")
def upload(call: Call):
    return service.upload(call.ctx, call.body.content_type, call.body.name)


@endpoint(bp, "/notices", "POST", permission="notices.publish", name="publish_notice", tags=TAGS,
          body=".schemas:NoticeIn", response=".schemas:NoticeOut", status=201, idempotent=True,
          summary="Publish (or schedule) a notice from a place where I may publish, to all of it or narrower places "
                  "inside it, optionally to some roles only; one SNS message on the broadcasts topic")
def publish(call: Call):
    return service.publish(call.ctx, call.body)


@endpoint(bp, "/notices", "GET", permission=SIGNED_IN, name="my_notices", tags=TAGS, query=".schemas:ListQuery",
          response=".schemas:NoticePage",
          summary="My notices (those of my places and roles, published, not withdrawn), newest first, read or not")
def mine(call: Call):
    return service.list_mine(call.ctx, call.query.limit, call.query.cursor)


@endpoint(bp, "/notices/sent", "GET", permission="notices.publish", name="sent_notices", tags=TAGS,
          query=".schemas:SentQuery", response=".schemas:SentPage",
          summary="What a place published (scheduled and withdrawn ones included), newest first")
def sent(call: Call):
    q = call.query
    return service.sent(call.ctx, q.place, q.limit, q.cursor)


@endpoint(bp, "/notices/urgent", "GET", permission=SIGNED_IN, name="urgent_notices", tags=TAGS,
          response=".schemas:UrgentOut",
          summary="The banner's urgent notices I have not opened, for pages that do not open the home (grid work)")
def urgent(call: Call):
    return service.home(call.ctx, {}) or {"urgent": []}


@endpoint(bp, "/notices/{notice}", "GET", permission=SIGNED_IN, name="notice", tags=TAGS,
          response=".schemas:NoticeOut",
          summary="A notice as its reader sees it, or as staff who may publish at its place see it (any state)")
def detail(call: Call):
    return service.get(call.ctx, call.params["notice"])


@endpoint(bp, "/notices/{notice}", "PUT", permission="notices.publish", name="update_notice", tags=TAGS,
          body=".schemas:NoticeUpdate", response=".schemas:NoticeOut",
          summary="Edit a notice before its publication time (the whole notice, with the version read)")
def update(call: Call):
    return service.update(call.ctx, call.params["notice"], call.body)


@endpoint(bp, "/notices/{notice}/withdraw", "POST", permission="notices.publish", name="withdraw_notice",
          tags=TAGS, response=".schemas:NoticeOut",
          summary="Withdraw a notice (its publisher, or one who may publish above its place): readers no longer see "
                  "it, staff see 已撤回")
def withdraw(call: Call):
    return service.withdraw(call.ctx, call.params["notice"])


@endpoint(bp, "/notices/{notice}/read", "POST", permission=SIGNED_IN, name="read_notice", tags=TAGS, status=204,
          summary="I opened the notice (acknowledges an urgent one's banner); my households count as having read it")
def read(call: Call):
    receipts.mark_read(call.ctx, call.params["notice"])


@endpoint(bp, "/notices/{notice}/receipts", "GET", permission="notices.receipts", name="notice_receipts",
          tags=TAGS, query=".schemas:ReceiptsQuery", response=".schemas:ReceiptsOut",
          summary="Households that have read it per child place of `place` (read / reached); for a grid, the "
                  "households that have not")
def receipts_view(call: Call):
    return receipts.receipts(call.ctx, call.params["notice"], call.query.place)
