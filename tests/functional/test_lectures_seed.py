"""The demo county's 专题授课 (devstack seed_lectures): 春耕技术讲座 for everyone and a 党员学习 course, each with the
10-second demo video (devstack/demo_lecture.webm) that plays from S3; 春耕's also over HLS (devstack/demo_hls/)."""

from __future__ import annotations

import urllib.request

from tests.conftest import demo_session


def test_the_demo_county_has_two_published_courses_with_a_playable_video(client, app):
    from devstack import seed
    from devstack.demo_data import COUNTY_CODE, DEMO_ACCOUNTS

    if not seed.is_seeded():
        seed.seed()
    phone = {a["role"]: a["phone"] for a in DEMO_ACCOUNTS}
    villager = demo_session(COUNTY_CODE, phone["villager"])["access_token"]
    member = demo_session(COUNTY_CODE, phone["party_member"])["access_token"]
    seen = {c["title"]: c for c in client.get("/lectures/courses", token=villager).json["items"]}
    assert "春耕技术讲座" in seen and not any(c["audience"] == "party" for c in seen.values())
    party = [c for c in client.get("/lectures/courses", token=member).json["items"] if c["audience"] == "party"]
    assert party and party[0]["status"] == "published"
    course = client.get(f"/lectures/courses/{seen['春耕技术讲座']['id']}", token=villager).json
    assert course["videos"][0]["title"] == "第一讲：水稻育秧" and course["videos"][0]["duration_s"] == 10
    video = client.get(f"/lectures/videos/{course['videos'][0]['id']}", token=villager).json
    assert video["content_type"] == "video/webm"
    req = urllib.request.Request(video["sources"]["original"], headers={"Range": "bytes=0-3"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 206 and r.read() == b"\x1a\x45\xdf\xa3"  # WebM's EBML header
    # 春耕's video also has what MediaConvert makes in AWS (devstack/demo_hls/): HLS renditions and a poster.
    assert video["status"] == "ready" and video["sources"]["hls"].startswith("/lectures/hls/")
    master = client.get(video["sources"]["hls"])
    assert master.status_code == 200 and master.body.decode().splitlines()[-1] == "index_90p"
    with urllib.request.urlopen(video["poster"], timeout=30) as r:
        assert r.status == 200 and r.read(3) == b"\xff\xd8\xff"  # a JPEG
