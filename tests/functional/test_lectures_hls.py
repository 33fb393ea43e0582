"""Serving a transcoded video's HLS renditions (chalicelib/lectures/hls.py) against the embedded AWS: the renditions
are written to S3 where MediaConvert writes them (the job itself is Stubber-tested in test_lectures_transcode.py),
the job-state event makes the video ready, and the video's answer then names a master playlist under the API that a
player fetches without our bearer token; the variants' segments come back as presigned GETs that S3 serves."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest
from botocore.stub import Stubber

from tests.functional.test_lectures import _course, _publish, _resident, _video
from tests.functional.test_lectures_transcode import ROLE, _client

MASTER = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=5500000,AVERAGE-BANDWIDTH=3000000,CODECS="avc1.4d4028,mp4a.40.2",RESOLUTION=1920x1080
index_1080p.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=220000,AVERAGE-BANDWIDTH=200000,CODECS="avc1.4d4015,mp4a.40.2",RESOLUTION=480x270
index_270p.m3u8
"""
VARIANT = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:6
#EXT-X-MEDIA-SEQUENCE:1
#EXT-X-PLAYLIST-TYPE:VOD
#EXTINF:6,
index_270p_00001.ts
#EXTINF:4,
index_270p_00002.ts
#EXT-X-ENDLIST
"""
SEGMENTS = {"index_270p_00001.ts": b"G" + bytes(range(187)) * 10, "index_270p_00002.ts": b"G" + b"\x01" * 939}


def _event(c, cid: str, vid: str, job: str) -> dict:
    from chalicelib.core.config import settings

    base = f"s3://{settings().media_bucket}/{c.code}/lecture-hls/{cid}/{vid}/"
    return {"version": "0", "id": "e-" + job, "detail-type": "MediaConvert Job State Change",
            "source": "aws.mediaconvert", "account": "123456789012", "time": "2026-12-01T00:00:00Z",
            "region": "cn-northwest-1", "resources": [],
            "detail": {"status": "COMPLETE", "jobId": job, "queue": "q",
                       "userMetadata": {"app": "cunqingtong", "stage": "local", "tenant": c.code, "video": vid},
                       "outputGroupDetails": [
                           {"type": "HLS_GROUP", "playlistFilePaths": [base + "index.m3u8"],
                            "outputDetails": [{"durationInMs": 10_000,
                                               "outputFilePaths": [base + "index_270p.m3u8"]}]}]}}


def _transcoded(app, c, cid: str) -> dict:
    """A video of a published course whose renditions are in S3 and whose job-state event has arrived."""
    from chalice.test import Client

    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.lectures import transcode

    mc = _client()
    stub = Stubber(mc)
    stub.add_response("create_job", {"Job": {"Id": "job-hls", "Role": ROLE, "Settings": {}}}, None)
    stub.activate()
    transcode.set_provider(transcode.MediaConvert(mc, ROLE))
    try:
        v = _video(c, cid, duration_s=10)
    finally:
        transcode.set_provider(None)
        stub.deactivate()
    s3, bucket = aws_client("s3"), settings().media_bucket
    prefix = transcode.hls_prefix(c.code, cid, v["id"])
    files = {"index.m3u8": MASTER.encode(), "index_270p.m3u8": VARIANT.encode(),
             "index_1080p.m3u8": VARIANT.replace("270p", "1080p").encode(), **SEGMENTS}
    for name, body in files.items():
        s3.put_object(Bucket=bucket, Key=prefix + name, Body=body)
    with Client(app) as lambdas:
        r = lambdas.lambda_.invoke("lecture_transcoded", _event(c, cid, v["id"], "job-hls"))
        assert r.payload is None or "errorMessage" not in json.dumps(r.payload), r.payload
    _publish(c, cid)
    return v


def test_a_transcoded_video_plays_over_hls_with_presigned_segments(client, county, app):
    c = county
    cid = _course(c)["id"]
    v = _transcoded(app, c, cid)
    got = client.get(f"/lectures/videos/{v['id']}", token=_resident(c))
    assert got.status_code == 200, got.json
    hls = got.json["sources"]["hls"]
    assert got.json["status"] == "ready" and hls.startswith("/lectures/hls/") and hls.endswith("/index")
    assert got.json["sources"]["original"]  # still there: a player without HLS support plays it

    # The master: no bearer token needed; its variants are names the player resolves against the master's URL.
    master = client.get(hls)
    assert master.status_code == 200, master.body
    headers = {k.lower(): v for k, v in master.headers.items()}
    assert headers["content-type"] == "application/vnd.apple.mpegurl" and "private" in headers["cache-control"]
    lines = master.body.decode().splitlines()
    assert lines[0] == "#EXTM3U" and "index_270p" in lines and "index_1080p" in lines
    assert any("RESOLUTION=480x270" in x for x in lines)

    # A variant: every segment a presigned GET of its object, which S3 serves.
    low = client.get(hls.rpartition("/")[0] + "/index_270p")
    assert low.status_code == 200, low.body
    text = low.body.decode()
    assert "#EXT-X-ENDLIST" in text and "#EXTINF:6," in text
    urls = [x for x in text.splitlines() if not x.startswith("#")]
    assert len(urls) == 2 and all("X-Amz-Signature=" in u or "Signature=" in u for u in urls)
    for url, name in zip(urls, SEGMENTS, strict=True):
        assert f"/lecture-hls/{cid}/{v['id']}/{name}" in url
        with urllib.request.urlopen(url, timeout=30) as r:
            assert r.status == 200 and r.read() == SEGMENTS[name]


def test_hls_tokens_are_refused_when_forged_expired_or_aimed_elsewhere(client, county, app):
    from chalicelib.core import clock
    from chalicelib.lectures import hls as hls_mod

    c = county
    cid = _course(c)["id"]
    v = _transcoded(app, c, cid)
    hls = client.get(f"/lectures/videos/{v['id']}", token=_resident(c)).json["sources"]["hls"]
    tok = hls.split("/")[3]
    flipped = tok[:-1] + ("A" if tok[-1] != "A" else "B")
    r = client.get(f"/lectures/hls/{flipped}/index")
    assert r.status_code == 404 and r.json["error"]["code"] == "not_found"
    # Another video's prefix with this token's MAC: the payload no longer matches its MAC.
    other = tok.replace(v["id"], "0" * 12)
    assert client.get(f"/lectures/hls/{other}/index").status_code == 404
    # A token made for a video whose renditions do not exist: 404, not a 5xx.
    exp = int(clock.now().timestamp()) + 600
    assert client.get(f"/lectures/hls/{hls_mod.token(c.code, cid, '0' * 12, exp)}/index").status_code == 404
    assert client.get(f"/lectures/hls/{tok}/nosuch").status_code == 404
    assert client.get("/lectures/hls/short/index").status_code == 404
    # Expired (the video's length plus an hour later): the player is told to open the video again.
    expires_in = client.get(f"/lectures/videos/{v['id']}", token=_resident(c)).json["expires_in"]
    assert expires_in == 3600 + 10
    clock.set_clock(clock.FrozenClock(clock.now() + dt.timedelta(seconds=expires_in + 5)))
    try:
        r = client.get(f"/lectures/hls/{tok}/index")
    finally:
        clock.set_clock(clock.Clock())
    assert r.status_code == 403 and r.json["error"]["code"] == "playback_expired"


@pytest.mark.parametrize("line", ["../../other/index.m3u8", "https://example.com/x.ts", "/abs/seg.ts", "..ts"])
def test_a_playlist_naming_anything_outside_its_folder_is_refused(line):
    from chalicelib.core.errors import NotFound
    from chalicelib.lectures import hls as hls_mod

    with pytest.raises(NotFound):
        hls_mod._rewrite(f"#EXTM3U\n#EXTINF:6,\n{line}\n", "330825/lecture-hls/c/v/", 600)


def test_removing_a_transcoded_video_deletes_its_renditions(client, county, app, events):
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.lectures import transcode

    c = county
    cid = _course(c)["id"]
    v1 = _transcoded(app, c, cid)
    v2 = _video(c, cid, title="第二讲")
    prefix = transcode.hls_prefix(c.code, cid, v1["id"])
    s3, bucket = aws_client("s3"), settings().media_bucket
    assert s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["KeyCount"] == 5
    hls = client.get(f"/lectures/videos/{v1['id']}", token=c.tokens["county_admin"]).json["sources"]["hls"]
    _publish(c, cid, videos=[v2["id"]])
    ran = [(b["job"], b["township"], res) for b, res in events.deliver() if b["county"] == c.code]
    assert ("lecture_renditions", f"{cid}.{v1['id']}", "done") in ran
    assert s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["KeyCount"] == 0
    assert [b for b, _ in events.deliver() if b["county"] == c.code] == []  # nothing else was queued
    assert client.get(hls).status_code == 404  # a player still holding the token gets a clear 404


def test_no_playlist_once_the_county_switches_lectures_off_or_is_suspended(client, county, app, operator_token):
    from chalicelib.core import counties

    c = county
    cid = _course(c)["id"]
    v = _transcoded(app, c, cid)
    hls = client.get(f"/lectures/videos/{v['id']}", token=_resident(c)).json["sources"]["hls"]
    before = client.get(f"/counties/{c.code}", token=operator_token).json["modules"]
    r = client.put(f"/counties/{c.code}/modules", {"modules": [m for m in before if m != "lectures"]},
                   token=operator_token)
    assert r.status_code == 200, r.json
    counties.forget(c.code)
    try:
        r = client.get(hls)
        assert r.status_code == 403 and r.json["error"]["code"] == "module_disabled", r.body
    finally:
        assert client.put(f"/counties/{c.code}/modules", {"modules": before}, token=operator_token).status_code == 200
        counties.forget(c.code)
    assert client.get(hls).status_code == 200
