"""GET /home: the phone's home in one request (me, the module catalogue, each switched-on module's part)."""

import datetime as dt

import pytest

from chalicelib.core import clock
from tests.conftest import new_phone


@pytest.fixture
def frozen():
    """The clock held still, so "today" is the same day before and after the report (at Shanghai midnight too)."""
    clock.set_clock(clock.FrozenClock(dt.datetime.now(dt.UTC).replace(microsecond=0)))
    yield
    clock.set_clock(clock.Clock())


def _report(client, home, token):
    body = {"household": home["id"], "members": [{"member": m["id"], "colour": "green"} for m in home["members"]]}
    r = client.post("/reports", body, token=token, headers={"Idempotency-Key": new_phone()})
    assert r.status_code == 201, r.json


def test_a_villagers_home_is_one_answer_that_follows_the_morning(client, county, frozen):
    home = county.household(members=2)
    _, session = county.villager(home["id"])
    tok = session["access_token"]
    r = client.get("/home", token=tok)
    assert r.status_code == 200, r.json
    out = r.json
    assert out["me"] == client.get("/me", token=tok).json  # the same /me, not a second version of it
    assert out["modules"] == client.get("/modules").json["items"]  # as the app keeps it (`built` included)
    today = out["parts"]["daily_report"]["today"][home["id"]]
    assert today["report"] is None and today == client.get(f"/reports/today?household={home['id']}", token=tok).json
    inbox = client.get("/inbox?limit=20", token=tok).json["items"]
    assert out["parts"]["inbox"] == {"unread": sum(1 for m in inbox if not m["read"])}

    # the report page comes with the home: the morning's report needs no request before it is sent
    form = out["parts"]["daily_report"]["forms"][home["id"]]
    assert form == client.get(f"/reports/form?household={home['id']}", token=tok).json
    assert form["today"] == today and form["history"]["items"] == []

    _report(client, home, tok)
    part = client.get("/home", token=tok).json["parts"]["daily_report"]
    after = part["today"][home["id"]]
    assert after["date"] == today["date"] and after["report"] is not None
    assert [m["colour"] for m in after["report"]["members"]] == ["green", "green"]
    assert part["forms"][home["id"]]["today"] == after
    assert part["forms"][home["id"]]["history"]["items"] == [after["report"]]


def test_the_unread_badge_counts_notices_not_yet_read(client, county):
    home = county.household(members=1)
    _, session = county.villager(home["id"])
    tok = session["access_token"]
    # A grid worker reporting for the household tells the household's villagers (代报): one notice.
    body = {"household": home["id"], "members": [{"member": home["members"][0]["id"], "colour": "green"}]}
    assert client.post("/reports", body, token=county.tokens["grid_worker"],
                       headers={"Idempotency-Key": new_phone()}).status_code == 201
    inbox = client.get("/inbox", token=tok).json["items"]
    unread = sum(1 for m in inbox if not m["read"])
    assert client.get("/home", token=tok).json["parts"]["inbox"] == {"unread": unread}
    for m in inbox:
        assert client.post(f"/inbox/{m['id']}/read", token=tok).status_code == 204
    assert client.get("/home", token=tok).json["parts"]["inbox"] == {"unread": 0}


def test_a_switched_off_module_has_no_part(client, county, operator_token):
    home = county.household(members=1)
    _, session = county.villager(home["id"])
    r = client.put(f"/counties/{county.code}/modules", {"modules": ["tipoffs"]}, token=operator_token)
    assert r.status_code == 200, r.json
    from chalicelib.core import counties

    counties.forget(county.code)
    out = client.get("/home", token=session["access_token"]).json
    assert "daily_report" not in out["parts"] and out["me"]["modules"] == ["tipoffs"]
    assert "inbox" in out["parts"]  # the platform's own part stays


def test_someone_in_no_county_gets_their_me_and_no_parts(client):
    ident = client.sign_in(new_phone())
    out = client.get("/home", token=ident["access_token"])
    assert out.status_code == 200, out.json
    assert out.json["me"]["tenant"] is None and out.json["parts"] == {}
    assert client.get("/home").status_code == 401


def test_staff_without_a_household_get_no_today(client, county):
    out = client.get("/home", token=county.tokens["grid_worker"]).json
    assert "daily_report" not in out["parts"] and out["me"]["grants"][0]["role"] == "grid_worker"


def test_the_report_page_is_one_request(client, county):
    """GET /reports/form = today + the last 5 reports + the household as the form shows it (no numbers)."""
    home = county.household(members=2)
    _, session = county.villager(home["id"])
    tok = session["access_token"]
    _report(client, home, tok)
    form = client.get(f"/reports/form?household={home['id']}", token=tok)
    assert form.status_code == 200, form.json
    out = form.json
    assert out["today"] == client.get(f"/reports/today?household={home['id']}", token=tok).json
    assert out["history"] == client.get(f"/reports?household={home['id']}&limit=5", token=tok).json
    hh = client.get(f"/households/{home['id']}", token=tok).json
    assert out["household"] == {"id": hh["id"], "grid": hh["grid"], "address": hh["address"],
                                "head_name": hh["head_name"],
                                "members": [{"id": m["id"], "name": m["name"], "relation": m["relation"]}
                                            for m in hh["members"]]}
    assert "id_number" not in form.body.decode() and "phone" not in form.body.decode()
    # a grid worker reporting for the household (代报) uses it too; another county's staff do not
    assert client.get(f"/reports/form?household={home['id']}", token=county.tokens["grid_worker"]).status_code == 200

