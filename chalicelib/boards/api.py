"""Routes of the boards module (HTTP only; the work is in its service modules)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import OWN_HOUSEHOLD, SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)
board = lazy_module(".board", __package__)

bp = Blueprint(__name__)
TAGS = ("boards",)
STAFF = ("boards.inspect", "boards.approve")


@endpoint(bp, "/boards/criteria", "GET", permission=SIGNED_IN, name="board_criteria", tags=TAGS,
          response=".schemas:CriteriaOut",
          summary="The county's scoring criteria (the defaults until it sets its own): one read")
def criteria(call: Call):
    return service.get_criteria(call.ctx)


@endpoint(bp, "/boards/criteria", "PUT", permission="boards.configure", name="set_board_criteria", tags=TAGS,
          body=".schemas:CriteriaIn", response=".schemas:CriteriaOut",
          summary="Replace the county's criteria (weights add up to 100) with the version read (409 when stale); "
                  "inspections keep the criteria they were scored on")
def set_criteria(call: Call):
    return service.set_criteria(call.ctx, call.body)


@endpoint(bp, "/boards/uploads", "POST", permission="boards.inspect", name="board_photo_upload", tags=TAGS,
          body=".schemas:UploadIn", response=".schemas:UploadForm", status=201,
          summary="A presigned S3 form for one evidence photo (JPEG/PNG/WebP, at most 300 KB)")
def upload(call: Call):
    return service.photo_upload(call.ctx, call.body.content_type)


@endpoint(bp, "/boards/inspections", "POST", permission="boards.inspect", name="inspect_household", tags=TAGS,
          body=".schemas:InspectionIn", response=".schemas:InspectionOut", status=201, idempotent=True,
          summary="Score a household of my grid (a village admin: of my village) on every criterion, with 1–4 "
                  "photos; the weighted total is computed here; the latest inspection of a month counts")
def inspect(call: Call):
    return service.inspect(call.ctx, call.body)


@endpoint(bp, "/boards/households/{hid}/history", "GET", permission=(OWN_HOUSEHOLD, *STAFF),
          name="board_household_history", tags=TAGS, query=".schemas:HistoryQuery", response=".schemas:HistoryOut",
          summary="A household's score records, newest first, with appeals and decisions (its people; inspectors "
                  "and cadres over its grid)")
def household_history(call: Call):
    return service.history(call.ctx, call.params["hid"], call.query.limit, call.query.cursor)


@endpoint(bp, "/boards/inspections/{iid}/appeal", "POST", permission=OWN_HOUSEHOLD, name="appeal_board_score",
          tags=TAGS, body=".schemas:AppealIn", response=".schemas:InspectionOut", status=201, idempotent=True,
          summary="The household appeals a score, once (409 already_appealed the second time)")
def appeal(call: Call):
    return service.appeal(call.ctx, call.params["iid"], call.body.reason)


@endpoint(bp, "/boards/inspections/{iid}/decision", "POST", permission="boards.approve",
          name="decide_board_appeal", tags=TAGS, body=".schemas:DecisionIn", response=".schemas:InspectionOut",
          idempotent=True,
          summary="A cadre of the village decides an appeal: uphold, or amend (a new score record that replaces the "
                  "appealed one on the month's board)")
def decide(call: Call):
    return service.decide(call.ctx, call.params["iid"], call.body)


@endpoint(bp, "/boards/villages/{village}/appeals", "GET", permission="boards.approve", name="board_appeals",
          tags=TAGS, query=".schemas:HistoryQuery", response=".schemas:AppealsOut",
          summary="Appeals waiting for a decision in a village, oldest first (one Query)")
def appeals(call: Call):
    return service.appeals(call.ctx, call.params["village"], call.query.limit, call.query.cursor)


@endpoint(bp, "/boards/villages/{village}/settings", "GET", permission=STAFF, name="board_settings", tags=TAGS,
          response=".schemas:SettingsOut", summary="A village's board settings (the defaults until it sets its own)")
def settings(call: Call):
    return service.get_settings(call.ctx, call.params["village"])


@endpoint(bp, "/boards/villages/{village}/settings", "PUT", permission="boards.approve", name="set_board_settings",
          tags=TAGS, body=".schemas:SettingsIn", response=".schemas:SettingsOut",
          summary="A village's board: how many on 红榜 / 黑榜, the scores they take, how 黑榜 names are shown to "
                  "villagers (with the version read: 409 when stale)")
def set_settings(call: Call):
    return service.set_settings(call.ctx, call.params["village"], call.body)


@endpoint(bp, "/boards/villages/{village}/{month}/draft", "GET", permission=STAFF, name="board_draft", tags=TAGS,
          response=".schemas:DraftOut",
          summary="The month's board as it stands (红榜, 黑榜, every scored household with its breakdown) and whether "
                  "it differs from the published version: a constant number of reads whatever the village's size")
def draft(call: Call):
    return board.draft(call.ctx, call.params["village"], call.params["month"])


@endpoint(bp, "/boards/villages/{village}/{month}/publish", "POST", permission="boards.approve",
          name="publish_board", tags=TAGS, body=".schemas:PublishIn", response=".schemas:BoardOut", idempotent=True,
          summary="Publish the month's board (a cadre of the village or above): a frozen version; unchanged since "
                  "the newest version: that version again; changed: the next version")
def publish(call: Call):
    return board.publish(call.ctx, call.params["village"], call.params["month"], call.body.note)


@endpoint(bp, "/boards/villages/{village}/{month}", "GET", permission=SIGNED_IN, name="published_board", tags=TAGS,
          response=".schemas:BoardOut",
          summary="The published board of a month (month=latest: the newest) for the village's people (黑榜 names as "
                  "the village decided) and its staff (full names); 403 for anyone else")
def published(call: Call):
    return board.published(call.ctx, call.params["village"], call.params["month"])
