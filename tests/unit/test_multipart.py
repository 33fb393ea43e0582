"""core/multipart.py against the embedded S3 (moto's server): parts PUT to presigned UploadPart URLs exactly as a
phone does (plain HTTP, no AWS SDK), resumed after a lost connection, checked and completed."""

from __future__ import annotations

import os
import urllib.request

import pytest

MIB = 1024 * 1024


def put(url: str, data: bytes) -> str:
    """What the phone does with a part: PUT it to its URL and keep the ETag. (A body type is set, as a browser's
    fetch of a Blob does: urllib's default, form-urlencoded, makes moto read the part as form fields.)"""
    req = urllib.request.Request(url, data=data, method="PUT", headers={"Content-Type": "application/octet-stream"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200
        return r.headers["ETag"]


@pytest.fixture
def tenant(aws):
    import uuid

    return "9" + uuid.uuid4().hex[:5]


def test_plan_sizes_parts():
    from chalicelib.core import multipart

    assert multipart.plan(1) == (5 * MIB, 1)
    assert multipart.plan(12 * MIB) == (5 * MIB, 3)
    ps, n = multipart.plan(50_000 * MIB)  # a long lecture: parts grow so that there are at most 10,000
    assert n <= 10_000 and ps >= 5 * MIB and ps * n >= 50_000 * MIB


def test_upload_resume_complete(tenant):
    from chalicelib.core import multipart
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings
    from chalicelib.core.errors import NotFound, ValidationFailed

    data = os.urandom(11 * MIB + 4)  # parts of 5, 5 and 1 MiB + 4 bytes
    began = multipart.start(tenant, "u1", "tests", "video/webm", len(data), max_bytes=60 * MIB, suffix=".webm")
    assert began["part_size"] == 5 * MIB and began["parts_count"] == 3 and began["key"].startswith(f"{tenant}/tests/")
    assert [p["number"] for p in began["parts"]] == [1, 2, 3] and began["done"] == []
    chunk = [data[i * 5 * MIB:(i + 1) * 5 * MIB] for i in range(3)]
    e1 = put(began["parts"][0]["url"], chunk[0])
    # The signal drops: the phone asks what is done and gets fresh URLs for the rest only.
    up = multipart.load(tenant, began["upload_id"], "u1", "tests")
    st = multipart.status(up)
    assert [(p["number"], p["etag"]) for p in st["done"]] == [(1, e1)]
    assert [p["number"] for p in st["parts"]] == [2, 3] and st["missing"] == 2
    e3 = put(st["parts"][1]["url"], chunk[2])
    with pytest.raises(ValidationFailed):  # part 2 is not there yet
        multipart.complete(up, [{"number": 1, "etag": e1}, {"number": 2, "etag": e1}, {"number": 3, "etag": e3}])
    e2 = put(st["parts"][0]["url"], chunk[1])
    with pytest.raises(ValidationFailed):  # a wrong ETag
        multipart.complete(up, [{"number": 1, "etag": e1}, {"number": 2, "etag": e1}, {"number": 3, "etag": e3}])
    with pytest.raises(ValidationFailed):  # not every part
        multipart.complete(up, [{"number": 1, "etag": e1}, {"number": 2, "etag": e2}])
    done = multipart.complete(up, [{"number": 1, "etag": e1}, {"number": 2, "etag": e2}, {"number": 3, "etag": e3}])
    assert done["key"] == began["key"] and done["size"] == len(data)
    body = client("s3").get_object(Bucket=settings().media_bucket, Key=began["key"])["Body"].read()
    assert body == data
    with pytest.raises(NotFound):  # completed: the record is gone
        multipart.load(tenant, began["upload_id"], "u1", "tests")


def test_wrong_part_size_is_refused_and_asked_again(tenant):
    from chalicelib.core import multipart
    from chalicelib.core.errors import ValidationFailed

    began = multipart.start(tenant, "u1", "tests", "video/mp4", 6 * MIB, max_bytes=60 * MIB)
    e1 = put(began["parts"][0]["url"], b"x" * (5 * MIB))
    e2 = put(began["parts"][1]["url"], b"y" * 10)  # the declared last part is 1 MiB
    up = multipart.load(tenant, began["upload_id"], "u1", "tests")
    assert [p["number"] for p in multipart.status(up)["parts"]] == [2]
    with pytest.raises(ValidationFailed):
        multipart.complete(up, [{"number": 1, "etag": e1}, {"number": 2, "etag": e2}])


def test_owner_purpose_caps_and_abort(tenant):
    from chalicelib.core import multipart
    from chalicelib.core.errors import NotFound, ValidationFailed

    with pytest.raises(ValidationFailed):
        multipart.start(tenant, "u1", "tests", "video/mp4", 61 * MIB, max_bytes=60 * MIB)
    with pytest.raises(ValidationFailed):
        multipart.start(tenant, "u1", "tests", "video/mp4", 0, max_bytes=60 * MIB)
    began = multipart.start(tenant, "u1", "tests", "video/mp4", 100, max_bytes=60 * MIB)
    for owner, folder, uid in (("u2", "tests", began["upload_id"]), ("u1", "other", began["upload_id"]),
                               ("u1", "tests", "nope"), ("u1", "tests", "0" * 24)):
        with pytest.raises(NotFound):
            multipart.load(tenant, uid, owner, folder)
    up = multipart.load(tenant, began["upload_id"], "u1", "tests")
    multipart.abort(up)
    with pytest.raises(NotFound):
        multipart.load(tenant, began["upload_id"], "u1", "tests")


def test_a_completion_whose_record_was_kept_can_be_retried(tenant):
    """A caller that records the file in its own transaction (forget=False) and fails there retries: S3 no longer
    knows the upload, the object is there at its size, so the completion goes on; forget drops the record."""
    from chalicelib.core import multipart

    began = multipart.start(tenant, "u1", "tests", "video/webm", 10, max_bytes=60 * MIB)
    etag = put(began["parts"][0]["url"], b"0123456789")
    up = multipart.load(tenant, began["upload_id"], "u1", "tests")
    first = multipart.complete(up, [{"number": 1, "etag": etag}], forget=False)
    again = multipart.complete(multipart.load(tenant, began["upload_id"], "u1", "tests"),
                               [{"number": 1, "etag": etag}])
    assert again == first
    with pytest.raises(multipart.NotFound):
        multipart.load(tenant, began["upload_id"], "u1", "tests")
