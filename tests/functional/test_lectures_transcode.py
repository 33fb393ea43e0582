"""Lecture transcoding's port: none locally (the original plays); AWS Elemental MediaConvert in AWS (moto lacks it:
botocore's Stubber checks CreateJob's parameters against the service model and answers as the service would), and
the job-state event (EventBridge) that marks the video ready with its HLS playlist and poster, or failed."""

from __future__ import annotations

import json
import uuid

import botocore.session
from botocore.stub import ANY, Stubber

from tests.functional.test_lectures import _course, _publish, _resident, _video

ROLE = "arn:aws-cn:iam::123456789012:role/cqt-prod-mediaconvert-cn-northwest-1"


def _client():
    return botocore.session.get_session().create_client(
        "mediaconvert", region_name="cn-northwest-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_none_locally():
    from chalicelib.lectures import transcode

    assert isinstance(transcode.provider(), transcode.NoTranscode)  # settings().transcoder defaults to none
    assert transcode.NoTranscode().submit("330825", "c" * 12, "v" * 12, "k") == {"status": "ready", "job_id": None}


def test_mediaconvert_job_has_hls_renditions_down_to_270p_and_a_poster():
    from chalicelib.core.config import settings
    from chalicelib.lectures import transcode

    mc = _client()
    bucket = settings().media_bucket
    with Stubber(mc) as stub:
        stub.add_response("create_job", {"Job": {"Id": "1700000000000-abc123", "Role": ROLE, "Settings": {}}},
                          {"Role": ROLE, "Settings": ANY, "StatusUpdateInterval": "SECONDS_60", "Priority": 0,
                           "UserMetadata": {"app": "cunqingtong", "stage": "local", "tenant": "330825",
                                            "video": "0123456789ab"}})
        got = transcode.MediaConvert(mc, ROLE).submit("330825", "cccccccccccc", "0123456789ab",
                                                      "330825/lecture/cccccccccccc/x.mp4")
        stub.assert_no_pending_responses()
    assert got == {"status": "processing", "job_id": "1700000000000-abc123"}
    s = transcode.job_settings(bucket, "330825/lecture/c/x.mp4", "330825/lecture-hls/c/v/")
    assert s["Inputs"][0]["FileInput"] == f"s3://{bucket}/330825/lecture/c/x.mp4"
    hls, poster = s["OutputGroups"]
    assert hls["OutputGroupSettings"]["HlsGroupSettings"]["Destination"] == f"s3://{bucket}/330825/lecture-hls/c/v/index"
    heights = [o["VideoDescription"]["Height"] for o in hls["Outputs"]]
    assert heights == [1080, 720, 480, 270]
    low = hls["Outputs"][-1]
    total = low["VideoDescription"]["CodecSettings"]["H264Settings"]["MaxBitrate"] + \
        low["AudioDescriptions"][0]["CodecSettings"]["AacSettings"]["Bitrate"]
    assert total == 200_000
    assert poster["Outputs"][0]["VideoDescription"]["CodecSettings"]["Codec"] == "FRAME_CAPTURE"
    # The whole Settings document is valid CreateJob input (botocore's validator, as the Stubber would check it).
    from botocore.validate import ParamValidator

    shape = mc.meta.service_model.operation_model("CreateJob").input_shape
    report = ParamValidator().validate({"Role": ROLE, "Settings": s}, shape)
    assert not report.has_errors(), report.generate_report()


def _event(c, vid: str, job: str, status: str = "COMPLETE", stage: str = "local") -> dict:
    from chalicelib.core.config import settings

    base = f"s3://{settings().media_bucket}/{c.code}/lecture-hls/x/{vid}/"
    detail = {"status": status, "jobId": job, "queue": "arn:aws-cn:mediaconvert:cn-northwest-1:1:queues/Default",
              "userMetadata": {"app": "cunqingtong", "stage": stage, "tenant": c.code, "video": vid}}
    if status == "COMPLETE":
        detail["outputGroupDetails"] = [
            {"type": "HLS_GROUP", "playlistFilePaths": [base + "index.m3u8"],
             "outputDetails": [{"durationInMs": 5_400_000, "outputFilePaths": [base + "index_270p.m3u8"]}]},
            {"type": "FILE_GROUP",
             "outputDetails": [{"durationInMs": 0, "outputFilePaths": [base + "poster.0000000.jpg"]}]}]
    else:
        detail.update(errorCode=1030, errorMessage="Video codec not supported")
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "MediaConvert Job State Change",
            "source": "aws.mediaconvert", "account": "123456789012", "time": "2026-12-01T00:00:00Z",
            "region": "cn-northwest-1", "resources": [], "detail": detail}


def test_a_job_state_event_makes_the_video_ready_or_failed(client, county, app):
    from chalice.test import Client

    from chalicelib.lectures import transcode
    from chalicelib.lectures.models import Video

    c = county
    mc = _client()
    stub = Stubber(mc)
    stub.add_response("create_job", {"Job": {"Id": "job-1", "Role": ROLE, "Settings": {}}}, None)
    stub.add_response("create_job", {"Job": {"Id": "job-2", "Role": ROLE, "Settings": {}}}, None)
    stub.activate()
    transcode.set_provider(transcode.MediaConvert(mc, ROLE))
    try:
        cid = _course(c)["id"]
        v1 = _video(c, cid, duration_s=60)
        v2 = _video(c, cid, duration_s=60, title="第二讲")
    finally:
        transcode.set_provider(None)
        stub.deactivate()
    assert v1["status"] == "processing" and v2["status"] == "processing"
    _publish(c, cid)
    token = _resident(c)
    # Meanwhile the original plays.
    got = client.get(f"/lectures/videos/{v1['id']}", token=token).json
    assert got["status"] == "processing" and got["sources"]["original"] and got["poster"] is None
    with Client(app) as lambdas:
        for event in (_event(c, v1["id"], "job-1"), _event(c, v1["id"], "job-1"),  # redelivered: the same
                      _event(c, v2["id"], "job-2", status="ERROR"),
                      _event(c, v2["id"], "job-2", stage="prod"),  # another stage's: ignored
                      _event(c, v2["id"], "job-9")):  # not the job the video waits for: ignored
            r = lambdas.lambda_.invoke("lecture_transcoded", event)
            assert r.payload is None or "errorMessage" not in json.dumps(r.payload), r.payload
    ready = Video.get(*Video.keys(c.code, v1["id"]))
    assert (ready.status, ready.duration_s) == ("ready", 5400)
    assert ready.hls_key == f"{c.code}/lecture-hls/x/{v1['id']}/index.m3u8"
    assert ready.poster_key == f"{c.code}/lecture-hls/x/{v1['id']}/poster.0000000.jpg"
    failed = Video.get(*Video.keys(c.code, v2["id"]))
    assert failed.status == "failed" and "1030" in failed.error
    got = client.get(f"/lectures/videos/{v1['id']}", token=token).json
    assert got["status"] == "ready" and got["duration_s"] == 5400 and got["poster"]
