"""Video résumé: a resident uploads it in parts straight to S3 (presigned UploadPart URLs), resumes after a lost
signal, completes; a new one replaces the old; only the owner reaches an upload; caps on size, length and type."""

from __future__ import annotations

import os
import urllib.request

import pytest

MIB = 1024 * 1024


def put(url: str, data: bytes) -> str:
    """The phone's PUT of a part (a Blob's type is sent; see tests/unit/test_multipart.py), keeping the ETag."""
    req = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "video/webm"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.headers["ETag"]


@pytest.fixture
def seeker(county):
    hh = county.household(members=1)
    _, session = county.villager(hh["id"])
    county.tokens["villager"] = session["access_token"]
    county.villager_uid = session["user_id"]
    _, other = county.villager(county.household(members=1)["id"])
    county.tokens["villager2"] = other["access_token"]
    return county


def upload(c, token, data: bytes, seconds=60, key="k"):
    r = c.api.post("/recruitment/profile/video/uploads", {"content_type": "video/webm", "size": len(data),
                                                          "seconds": seconds},
                   token=token, headers={"Idempotency-Key": f"video-{key}-{os.urandom(4).hex()}"})
    assert r.status_code == 201, r.json
    return r.json


def test_upload_resume_complete_replace_delete(seeker, client):
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.recruitment import video

    c, token = seeker, seeker.tokens["villager"]
    data = os.urandom(7 * MIB)
    up = upload(c, token, data)
    assert up["part_size"] == 5 * MIB and up["parts_count"] == 2 and up["done"] == [] and up["missing"] == 2
    e1 = put(up["parts"][0]["url"], data[:5 * MIB])
    # The signal drops after part 1: the phone asks what S3 has.
    r = client.get(f"/recruitment/profile/video/uploads/{up['upload_id']}", token=token)
    assert r.status_code == 200, r.json
    assert [p["number"] for p in r.json["done"]] == [1] and [p["number"] for p in r.json["parts"]] == [2]
    e2 = put(r.json["parts"][0]["url"], data[5 * MIB:])
    done = client.post(f"/recruitment/profile/video/uploads/{up['upload_id']}/complete",
                       {"parts": [{"number": 1, "etag": e1}, {"number": 2, "etag": e2}]}, token=token,
                       headers={"Idempotency-Key": f"complete-{up['upload_id']}"})
    assert done.status_code == 200, done.json
    assert done.json["seconds"] == 60 and done.json["size"] == len(data) and done.json["content_type"] == "video/webm"
    mine = client.get("/recruitment/profile/video", token=token).json["video"]
    assert mine["seconds"] == 60
    first = video.Video.get(*video.Video.keys(c.code, c.villager_uid)).s3_key
    assert first.startswith(f"{c.code}/rvideo/") and first.endswith(".webm")
    assert aws_client("s3").head_object(Bucket=settings().media_bucket, Key=first)["ContentLength"] == len(data)
    # What an employer's list of applicants gets (one BatchGet).
    assert video.summaries(c.code, [c.villager_uid])[c.villager_uid]["seconds"] == 60

    # A new recording replaces the old one; the old object is deleted.
    small = os.urandom(1000)
    up2 = upload(c, token, small, seconds=30, key="second")
    e = put(up2["parts"][0]["url"], small)
    r = client.post(f"/recruitment/profile/video/uploads/{up2['upload_id']}/complete",
                    {"parts": [{"number": 1, "etag": e}]}, token=token)
    assert r.status_code == 200 and r.json["seconds"] == 30
    second = video.Video.get(*video.Video.keys(c.code, c.villager_uid)).s3_key
    assert second != first
    with pytest.raises(Exception, match="404|Not Found"):
        aws_client("s3").head_object(Bucket=settings().media_bucket, Key=first)
    # Completing again: the upload is gone.
    assert client.post(f"/recruitment/profile/video/uploads/{up2['upload_id']}/complete",
                       {"parts": [{"number": 1, "etag": e}]}, token=token).status_code == 404

    assert client.delete("/recruitment/profile/video", token=token).status_code == 204
    assert client.get("/recruitment/profile/video", token=token).json == {"video": None}
    assert client.delete("/recruitment/profile/video", token=token).status_code == 404


def test_only_the_owner_reaches_an_upload(seeker, other_county, client):
    c = seeker
    up = upload(c, c.tokens["villager"], b"x" * 100)
    path = f"/recruitment/profile/video/uploads/{up['upload_id']}"
    for token in (c.tokens["villager2"], c.tokens["grid_worker"]):
        r = client.get(path, token=token)
        assert r.status_code in (403, 404), r.json
        assert client.post(path + "/complete", {"parts": [{"number": 1, "etag": "x"}]},
                           token=token).status_code in (403, 404)
        assert client.delete(path, token=token).status_code in (403, 404)
    assert client.get(path, token=c.tokens["villager2"]).status_code == 404
    assert client.get(path, token=c.tokens["grid_worker"]).status_code == 403  # staff are no seekers
    assert client.delete(path, token=c.tokens["villager"]).status_code == 204
    assert client.get(path, token=c.tokens["villager"]).status_code == 404


def test_caps_and_bad_input(seeker, client):
    c, token = seeker, seeker.tokens["villager"]
    for body in ({"content_type": "video/webm", "size": 60 * MIB + 1, "seconds": 60},
                 {"content_type": "video/webm", "size": 100, "seconds": 121},
                 {"content_type": "video/quicktime", "size": 100, "seconds": 60},
                 {"content_type": "video/webm", "size": 0, "seconds": 60},
                 {"content_type": "video/webm", "size": 100}):
        r = client.post("/recruitment/profile/video/uploads", body, token=token)
        assert r.status_code in (400, 422) and r.json["error"]["code"], (body, r.json)
    up = upload(c, token, b"y" * 100)
    path = f"/recruitment/profile/video/uploads/{up['upload_id']}/complete"
    r = client.post(path, {"parts": [{"number": 1, "etag": "\"abc\""}]}, token=token)  # nothing uploaded
    assert r.status_code == 422 and r.json["error"]["code"] == "parts_incomplete"
    e = put(up["parts"][0]["url"], b"y" * 100)
    r = client.post(path, {"parts": [{"number": 1, "etag": "\"0000\""}]}, token=token)
    assert r.status_code == 422 and r.json["error"]["code"] == "part_mismatch"
    r = client.post(path, {"parts": [{"number": 2, "etag": e}]}, token=token)
    assert r.status_code == 422 and r.json["error"]["code"] == "parts_incomplete"
    assert client.get("/recruitment/profile/video/uploads/zzz", token=token).status_code == 404
