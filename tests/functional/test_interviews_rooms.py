"""Interview rooms made by the inviting module (service.create): one room per (kind, ref), moved when invited
again; the rooms listed per person."""

from __future__ import annotations

import datetime as dt

import pytest


def test_create_is_idempotent_per_ref_and_moves_the_time(county):
    from chalicelib.interviews import service
    from chalicelib.interviews.models import Room, RoomRef

    a = service.create(county.code, kind="application", ref="app1", host_uid="h1", guest_uid="g1",
                       at="2026-12-10T10:00:00+08:00", mode="onsite", title="面试：焊工")
    assert a == {"id": a["id"], "at": "2026-12-10T02:00:00Z", "mode": "onsite", "title": "面试：焊工"}
    b = service.create(county.code, kind="application", ref="app1", host_uid="h1", guest_uid="g1",
                       at="2026-12-11T09:30:00", mode="online", title="面试：焊工")
    assert b["id"] == a["id"] and b["at"] == "2026-12-11T01:30:00Z" and b["mode"] == "online"
    again = service.create(county.code, kind="application", ref="app1", host_uid="h1", guest_uid="g1",
                           at="2026-12-11T09:30:00", mode="online", title="面试：焊工")
    assert again == b
    other = service.create(county.code, kind="application", ref="app2", host_uid="h1", guest_uid="g2",
                           at="2026-12-11T09:30:00", mode="online", title="面试：电工")
    assert other["id"] != a["id"]
    room = Room.get(*Room.keys(county.code, a["id"]))
    assert (room.host_uid, room.guest_uid, room.at) == ("h1", "g1", "2026-12-11T01:30:00Z")
    refs = [r.sk for r in RoomRef.query(RoomRef.partition(county.code, "g1"))]
    assert refs == [f"2026-12-11T01:30:00Z#{a['id']}"]  # the old time's ref was moved, not left behind
    assert len(list(RoomRef.query(RoomRef.partition(county.code, "h1")))) == 2


def test_create_refuses_bad_values(county):
    from chalicelib.core.errors import ValidationFailed
    from chalicelib.interviews import service

    with pytest.raises(ValidationFailed):
        service.create(county.code, kind="application", ref="x", host_uid="h", guest_uid="g", at="tomorrow",
                       mode="online", title="t")
    with pytest.raises(ValidationFailed):
        service.create(county.code, kind="application", ref="x", host_uid="h", guest_uid="g",
                       at="2026-12-11T09:30:00", mode="phone", title="t")


def test_video_summaries_batch_get(county):
    from chalicelib.recruitment import video

    video.Video(*video.Video.keys(county.code, "u1"), uid="u1", s3_key=f"{county.code}/rvideo/x.webm", seconds=90,
                content_type="video/webm", size=1000, uploaded_at="2026-12-07T01:00:00Z").save()
    got = video.summaries(county.code, ["u1", "u2", "u1"])
    assert set(got) == {"u1"}
    assert got["u1"]["seconds"] == 90 and got["u1"]["uploaded_at"] == "2026-12-07T01:00:00Z"
    assert f"{county.code}/rvideo/x.webm" in got["u1"]["url"]
    assert video.summaries(county.code, []) == {}


# --- the parties' routes ------------------------------------------------------------------------------------------


def _at(**delta) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def parties(county):
    """A host (standing in for an employer), a guest and a third person of the county, each signed in."""
    people = {}
    for who in ("host", "guest", "third"):
        _, session = county.villager(county.household(members=1)["id"])
        people[who] = (session["user_id"], session["access_token"])
    county.people = people
    return county


def room(c, mode="online", ref=None, **delta):
    from chalicelib.interviews import service

    return service.create(c.code, kind="application", ref=ref or f"app-{dt.datetime.now().timestamp()}",
                          host_uid=c.people["host"][0], guest_uid=c.people["guest"][0],
                          at=_at(**(delta or {"minutes": 5})), mode=mode, title="面试：仓库管理员")


def test_parties_see_the_room_others_get_404(parties, other_county, client):
    c = parties
    r = room(c, mode="onsite", hours=3)
    host = client.get(f"/interviews/{r['id']}", token=c.people["host"][1])
    assert host.status_code == 200, host.json
    assert host.json["role"] == "host" and host.json["admit"] is None and host.json["open"] is False
    guest = client.get(f"/interviews/{r['id']}", token=c.people["guest"][1]).json
    assert guest["role"] == "guest" and guest["admit"]["code"].startswith(f"CQI1.{c.code}.{r['id']}.")
    assert guest["admit"]["qr_text"] == guest["admit"]["code"] and guest["ice_servers"] == []
    assert client.get(f"/interviews/{r['id']}", token=c.people["third"][1]).status_code == 404
    assert client.get(f"/interviews/{r['id']}", token=c.tokens["county_admin"]).status_code == 404
    assert client.get(f"/interviews/{r['id']}", token=other_county.tokens["county_admin"]).status_code == 404
    assert client.get("/interviews/nope", token=c.people["host"][1]).status_code == 404


def test_mine_lists_upcoming_first(parties, client):
    c = parties
    later = room(c, ref="later", days=2)
    soon = room(c, ref="soon", minutes=5)
    past = room(c, ref="past", days=-3)
    for who, role in (("host", "host"), ("guest", "guest")):
        r = client.get("/interviews/mine", token=c.people[who][1])
        assert r.status_code == 200, r.json
        assert [i["id"] for i in r.json["items"]] == [soon["id"], later["id"], past["id"]]
        assert {i["role"] for i in r.json["items"]} == {role}
        assert [i["open"] for i in r.json["items"]] == [True, False, False]
    assert client.get("/interviews/mine", token=c.people["third"][1]).json == {"items": []}


def test_host_admits_the_guest_with_the_code(parties, client):
    c = parties
    r = room(c, mode="onsite", ref="onsite", minutes=30)
    other = room(c, mode="onsite", ref="onsite2", minutes=30)
    code = client.get(f"/interviews/{r['id']}", token=c.people["guest"][1]).json["admit"]["code"]
    other_code = client.get(f"/interviews/{other['id']}", token=c.people["guest"][1]).json["admit"]["code"]
    path = f"/interviews/{r['id']}/admit"
    # The guest cannot admit themselves; a third person does not see the room.
    assert client.post(path, {"code": code}, token=c.people["guest"][1]).status_code == 403
    assert client.post(path, {"code": code}, token=c.people["third"][1]).status_code == 404
    for bad, why in (("hello", "code_invalid"), (code[:-2] + "AA", "code_invalid"), (other_code, "code_other_room")):
        got = client.post(path, {"code": bad}, token=c.people["host"][1])
        assert got.status_code == 422 and got.json["error"]["code"] == why, got.json
    ok = client.post(path, {"code": code}, token=c.people["host"][1])
    assert ok.status_code == 200 and ok.json["admitted_at"], ok.json
    again = client.post(path, {"code": code}, token=c.people["host"][1])
    assert again.json["admitted_at"] == ok.json["admitted_at"]  # the first admission stands
    seen = client.get(f"/interviews/{r['id']}", token=c.people["guest"][1]).json
    assert seen["admitted_at"] == ok.json["admitted_at"]


def test_expired_code_is_refused(parties, client):
    c = parties
    r = room(c, mode="onsite", ref="old", hours=-3)  # the code expired 2 hours after the time
    code = client.get(f"/interviews/{r['id']}", token=c.people["guest"][1]).json["admit"]["code"]
    got = client.post(f"/interviews/{r['id']}/admit", {"code": code}, token=c.people["host"][1])
    assert got.status_code == 422 and got.json["error"]["code"] == "code_expired"


def test_signalling_end_to_end(parties, client):
    """The handshake a browser runs (notes: api-interviews.md): the host offers, the guest answers, both trickle
    candidates, each reads only the other's after its cursor; bye ends it."""
    c = parties
    r = room(c, minutes=10)
    path = f"/interviews/{r['id']}/signals"
    host, guest, third = c.people["host"][1], c.people["guest"][1], c.people["third"][1]
    assert client.get(path, token=guest).json == {"items": [], "cursor": None, "sender": "host"}
    offer = {"type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}
    sent = client.post(path, {"type": "offer", "data": offer}, token=host)
    assert sent.status_code == 201, sent.json
    got = client.get(path, token=guest).json
    assert [(s["type"], s["data"]) for s in got["items"]] == [("offer", offer)] and got["sender"] == "host"
    cursor = got["cursor"]
    assert client.get(path + f"?after={cursor}", token=guest).json == {"items": [], "cursor": cursor,
                                                                       "sender": "host"}
    # The guest answers and trickles candidates; the host sees them in order, not its own offer.
    answer = {"type": "answer", "sdp": "v=0\r\n"}
    cands = [{"candidate": f"candidate:{i} 1 udp 2122260223 127.0.0.1 5000{i} typ host", "sdpMid": "0",
              "sdpMLineIndex": 0} for i in range(3)]
    assert client.post(path, {"type": "answer", "data": answer}, token=guest).status_code == 201
    for cand in cands:
        assert client.post(path, {"type": "candidate", "data": cand}, token=guest).status_code == 201
    got = client.get(path, token=host).json
    assert [s["type"] for s in got["items"]] == ["answer", "candidate", "candidate", "candidate"]
    assert [s["data"] for s in got["items"][1:]] == cands and got["sender"] == "guest"
    host_cursor = got["cursor"]
    assert client.post(path, {"type": "candidate", "data": cands[0]}, token=host).status_code == 201
    got = client.get(path + f"?after={cursor}", token=guest).json
    assert [s["type"] for s in got["items"]] == ["candidate"]
    assert client.post(path, {"type": "bye"}, token=guest).status_code == 201
    got = client.get(path + f"?after={host_cursor}", token=host).json
    assert [(s["type"], s["data"]) for s in got["items"]] == [("bye", None)]
    # A third person does not see the room; bad input is refused.
    assert client.get(path, token=third).status_code == 404
    assert client.post(path, {"type": "offer", "data": offer}, token=third).status_code == 404
    bad = client.post(path, {"type": "hello", "data": {}}, token=host)
    assert bad.status_code in (400, 422) and bad.json["error"]["code"]
    big = client.post(path, {"type": "offer", "data": {"sdp": "a" * (17 * 1024)}}, token=host)
    assert big.status_code in (400, 413) and big.json["error"]["code"], big.json
    assert client.get(path + "?after=zzz", token=host).status_code in (400, 422)


def test_room_opens_15_minutes_before_and_closes_2_hours_after(parties, client):
    c = parties
    early = room(c, ref="early", minutes=20)
    late = room(c, ref="late", hours=-2, minutes=-1)
    onsite = room(c, mode="onsite", ref="site", minutes=5)
    for r, code in ((early, "room_closed"), (late, "room_closed"), (onsite, "not_online")):
        path = f"/interviews/{r['id']}/signals"
        got = client.post(path, {"type": "offer", "data": {"sdp": "x"}}, token=c.people["host"][1])
        assert got.status_code == 409 and got.json["error"]["code"] == code, got.json
        assert client.get(path, token=c.people["guest"][1]).status_code == 409
    info = client.get(f"/interviews/{early['id']}", token=c.people["guest"][1]).json
    assert info["open"] is False and info["opens_at"] < early["at"] < info["closes_at"]


def test_ice_servers_come_from_the_configured_port(parties, client):
    from chalicelib.interviews import ice

    class Fixed:
        def servers(self, tenant, room_id, client_id):
            return [{"urls": ["turn:turn.example:443?transport=tcp"], "username": "u", "credential": "p"}]

    c = parties
    r = room(c, minutes=1)
    ice.set_provider(Fixed())
    try:
        got = client.get(f"/interviews/{r['id']}", token=c.people["guest"][1]).json
    finally:
        ice.set_provider(None)
    assert got["open"] is True
    assert got["ice_servers"] == [{"urls": ["turn:turn.example:443?transport=tcp"], "username": "u",
                                   "credential": "p"}]
