"""The demo county's 紧急招募令 (devstack seed_volunteers): volunteers in 张王村 and one open call for drivers with 2 of
its 5 slots taken, that the demo villager can still sign up for."""

from __future__ import annotations

from tests.conftest import demo_session


def test_the_demo_county_has_volunteers_and_an_open_call(client, app):
    from chalicelib.volunteers.models import Volunteer
    from devstack import seed
    from devstack.demo_data import COUNTY_CODE, DEMO_ACCOUNTS, FOCUS_VILLAGE

    if not seed.is_seeded():
        seed.seed()
    vols = list(Volunteer.query(Volunteer.keys(COUNTY_CODE, FOCUS_VILLAGE, "")[0]))
    assert len(vols) >= 4 and any(v.sms for v in vols)
    villager = next(a for a in DEMO_ACCOUNTS if a["role"] == "villager")
    token = demo_session(COUNTY_CODE, villager["phone"])["access_token"]
    r = client.get(f"/volunteers/calls?place={FOCUS_VILLAGE}", token=token)
    assert r.status_code == 200, r.json
    call = next(c for c in r.json["items"] if c["title"] == "为村医招募驾驶员")
    assert (call["slots"], call["confirmed"], call["waiting"], call["status"]) == (5, 2, 0, "open")
    assert call["skills"] == ["驾驶"]
