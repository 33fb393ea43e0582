"""Routes of 专题授课 (HTTP only; the work is in service.py)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, Text, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("lectures",)
PUBLISH = "lectures.publish"
UPLOADS = "/lectures/courses/{cid}/videos/uploads"


@endpoint(bp, "/lectures/courses", "GET", permission=SIGNED_IN, name="lecture_courses", tags=TAGS,
          query=".schemas:CoursesQuery", response=".schemas:CoursePage",
          summary="Courses I may watch, newest first (status=draft: the drafts of my offices' places)")
def courses(call: Call):
    q = call.query
    return service.list_courses(call.ctx, q.status, q.limit, q.cursor)


@endpoint(bp, "/lectures/courses", "POST", permission=PUBLISH, name="create_lecture_course", tags=TAGS,
          body=".schemas:CourseIn", response=".schemas:CourseOut", status=201, idempotent=True,
          summary="Make a draft course at the county or a township of mine")
def create(call: Call):
    return service.create(call.ctx, call.body)


@endpoint(bp, "/lectures/courses/{cid}", "GET", permission=SIGNED_IN, name="lecture_course", tags=TAGS,
          response=".schemas:CourseDetail", summary="A course, its videos in order and my progress in each")
def detail(call: Call):
    return service.detail(call.ctx, call.params["cid"])


@endpoint(bp, "/lectures/courses/{cid}", "PUT", permission=PUBLISH, name="update_lecture_course", tags=TAGS,
          body=".schemas:CourseUpdate", response=".schemas:CourseDetail",
          summary="Edit the whole course with the version read (publish, reorder, remove videos); stale: 409")
def update(call: Call):
    return service.update(call.ctx, call.params["cid"], call.body)


@endpoint(bp, UPLOADS, "POST", permission=PUBLISH, name="start_lecture_upload", tags=TAGS,
          body=".schemas:UploadIn", response="..core.upload_schemas:UploadOut", status=201, idempotent=True,
          summary="Begin uploading a lecture video (mp4/webm/mov, ≤ 2 GB): 16 MiB parts, a presigned URL per part "
                  "(PUT each part, keep its ETag)")
def start_upload(call: Call):
    return service.start_upload(call.ctx, call.params["cid"], call.body)


@endpoint(bp, UPLOADS + "/{upload_id}", "GET", permission=PUBLISH, name="lecture_upload", tags=TAGS,
          response="..core.upload_schemas:UploadOut",
          summary="Resume: the parts S3 already has (with ETags) and fresh URLs for the missing ones")
def upload_status(call: Call):
    return service.upload_status(call.ctx, call.params["cid"], call.params["upload_id"])


@endpoint(bp, UPLOADS + "/{upload_id}/complete", "POST", permission=PUBLISH, name="complete_lecture_upload",
          tags=TAGS, body=".schemas:CompleteIn", response=".schemas:VideoBrief", idempotent=True,
          summary="Finish the upload (every part with its ETag, in order): the video joins the end of the course "
                  "and goes to transcoding where the stage has it")
def complete_upload(call: Call):
    return service.complete_upload(call.ctx, call.params["cid"], call.params["upload_id"], call.body)


@endpoint(bp, UPLOADS + "/{upload_id}", "DELETE", permission=PUBLISH, name="abort_lecture_upload", tags=TAGS,
          status=204, summary="Give up an upload (its parts are freed)")
def abort_upload(call: Call):
    service.abort_upload(call.ctx, call.params["cid"], call.params["upload_id"])


@endpoint(bp, "/lectures/courses/{cid}/stats", "GET", permission=PUBLISH, name="lecture_stats", tags=TAGS,
          query=".schemas:StatsQuery", response=".schemas:StatsOut",
          summary="Views and completion rate of a course at a place of mine, per video and per township/village")
def stats(call: Call):
    return service.stats(call.ctx, call.params["cid"], call.query.place)


@endpoint(bp, "/lectures/videos/{vid}", "GET", permission=SIGNED_IN, name="lecture_video", tags=TAGS,
          response=".schemas:VideoOut",
          summary="A video to play: presigned sources (the original answers Range requests), poster, my progress")
def video(call: Call):
    return service.video(call.ctx, call.params["vid"])


@endpoint(bp, "/lectures/hls/{token}/{rendition}", "GET", public=True, name="lecture_hls", tags=TAGS,
          media_type="application/vnd.apple.mpegurl", errors=(404,),
          summary="An HLS playlist of a transcoded video (the token from GET /lectures/videos/{vid} sources.hls): "
                  "the master, or a variant with presigned segment URLs")
def hls_playlist(call: Call):
    from . import hls

    return Text(hls.playlist(call.params["token"], call.params["rendition"]),
                {"Cache-Control": "private, max-age=60"})


@endpoint(bp, "/lectures/videos/{vid}/progress", "PUT", permission=SIGNED_IN, name="lecture_progress", tags=TAGS,
          body=".schemas:ProgressIn", response=".schemas:MyProgress",
          summary="Heartbeat while playing (every 30–60 s): the playhead and the ranges played since the last one")
def progress(call: Call):
    return service.heartbeat(call.ctx, call.params["vid"], call.body)


@endpoint(bp, "/lectures/videos/{vid}/comments", "GET", permission=SIGNED_IN, name="lecture_comments", tags=TAGS,
          query=".schemas:PageQuery", response=".schemas:CommentPage",
          summary="A video's approved comments and replies, and my own pending ones (editors: all)")
def comments(call: Call):
    q = call.query
    return service.comments(call.ctx, call.params["vid"], q.limit, q.cursor)


@endpoint(bp, "/lectures/videos/{vid}/comments", "POST", permission=SIGNED_IN, name="comment_lecture", tags=TAGS,
          body=".schemas:CommentIn", response=".schemas:CommentOut", status=201, idempotent=True,
          summary="Comment or reply (≤ 300 characters): held for approval, unless I edit the course")
def comment(call: Call):
    return service.add_comment(call.ctx, call.params["vid"], call.body.text, call.body.reply_to)


@endpoint(bp, "/lectures/comments/pending", "GET", permission=PUBLISH, name="lecture_comment_queue", tags=TAGS,
          query=".schemas:QueueQuery", response=".schemas:CommentPage",
          summary="Comments awaiting approval on the courses of a place of mine, oldest first")
def comment_queue(call: Call):
    q = call.query
    return service.comment_queue(call.ctx, q.place, q.limit, q.cursor)


@endpoint(bp, "/lectures/comments/{cmid}/decision", "POST", permission=PUBLISH, name="moderate_lecture_comment",
          tags=TAGS, body=".schemas:DecisionIn", response=".schemas:CommentOut",
          summary="Approve (shown to all) or hide a comment")
def moderate(call: Call):
    return service.moderate(call.ctx, call.params["cmid"], call.body.action)
