"""Routes of the video résumé (resumable multipart upload to S3; HTTP only): recorded on the phone (MediaRecorder
stops at 120 s), uploaded in parts straight to S3 with presigned URLs (core/multipart.py), resumable after a lost
signal."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

video = lazy_module(".video", __package__)

bp = Blueprint(__name__)
TAGS = ("recruitment",)
SEEK = "recruitment.seek"


@endpoint(bp, "/recruitment/profile/video/uploads", "POST", permission=SEEK, name="start_video_upload", tags=TAGS,
          body=".video:UploadIn", response="..core.upload_schemas:UploadOut", status=201, idempotent=True,
          summary="Begin uploading my video résumé (webm/mp4, ≤ 60 MB, ≤ 120 s): the part size and a presigned "
                  "URL per part (PUT each part, keep its ETag)")
def start(call: Call):
    return video.start(call.ctx, call.body)


@endpoint(bp, "/recruitment/profile/video/uploads/{upload_id}", "GET", permission=SEEK, name="video_upload",
          tags=TAGS, response="..core.upload_schemas:UploadOut",
          summary="Resume: the parts S3 already has (with ETags) and fresh URLs for the missing ones")
def status(call: Call):
    return video.upload_status(call.ctx, call.params["upload_id"])


@endpoint(bp, "/recruitment/profile/video/uploads/{upload_id}/complete", "POST", permission=SEEK,
          name="complete_video_upload", tags=TAGS, body=".video:CompleteIn", response=".video:VideoOut",
          idempotent=True,
          summary="Finish the upload (every part with its ETag, in order; sizes checked): it becomes my video "
                  "résumé, replacing the older one")
def complete(call: Call):
    return video.complete(call.ctx, call.params["upload_id"], call.body)


@endpoint(bp, "/recruitment/profile/video/uploads/{upload_id}", "DELETE", permission=SEEK,
          name="abort_video_upload", tags=TAGS, status=204, summary="Give up an upload (its parts are freed)")
def abort(call: Call):
    video.abort(call.ctx, call.params["upload_id"])


@endpoint(bp, "/recruitment/profile/video", "GET", permission=SEEK, name="my_video", tags=TAGS,
          response=".video:MineOut", summary="My video résumé (a presigned GET), or null")
def mine(call: Call):
    return video.mine(call.ctx)


@endpoint(bp, "/recruitment/profile/video", "DELETE", permission=SEEK, name="delete_my_video", tags=TAGS,
          status=204, summary="Remove my video résumé")
def delete(call: Call):
    video.delete(call.ctx)
