"""MediaConvert's job-state events (EventBridge "MediaConvert Job State Change", COMPLETE or ERROR, of jobs this
app made): the video becomes ready with its HLS playlist and poster, or failed (transcode.py). Only stacks whose
transcoder is mediaconvert receive them (the rule's pattern names the app's user metadata; the handler keeps only
its own stage's jobs). Kept apart so that registering the handler imports nothing heavy."""

from __future__ import annotations

from chalice import Blueprint

bp = Blueprint(__name__)

PATTERN = {"source": ["aws.mediaconvert"], "detail-type": ["MediaConvert Job State Change"],
           "detail": {"status": ["COMPLETE", "ERROR"], "userMetadata": {"app": ["cunqingtong"]}}}


@bp.on_cw_event(PATTERN, name="lecture_transcoded")
def lecture_transcoded(event):
    handle(event.to_dict().get("detail") or {})


def handle(detail: dict) -> bool:
    """Apply one event's outcome; True when a video changed (again, or another stage's job: False)."""
    from ..core import modules
    from . import service, transcode

    modules.ensure_registered()
    out = transcode.outcome(detail)
    if out is None or not out["video"]:
        return False
    return service.transcoded(out["tenant"], out["video"], out["job_id"], out["status"], out.get("hls_key"),
                              out.get("poster_key"), out.get("duration_s"), out.get("error"))
