"""The county's working-day calendar (工作日历) against the embedded AWS: the national arrangement, the county
admin's own entries (which win), who may read and write, counties kept apart, bad input, and deadlines computed
with the county's calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import dynamodb_calls, new_phone


def days(r) -> dict[str, dict]:
    assert r.status_code == 200, r.json
    return {d["date"]: d for d in r.json["days"]}


def test_national_calendar_and_the_county_admins_entries(county):
    c, admin = county, county.tokens["county_admin"]
    with dynamodb_calls() as calls:
        r = c.api.get("/workdays/2026", token=c.tokens["village_admin"])  # staff may read
    assert calls == ["GetItem", "GetItem"]  # the county's status (uncached in tests) and the county's calendar
    year = days(r)
    assert r.json["national_source"] == "国办发明电〔2025〕7号"
    assert year["2026-10-01"] == {"date": "2026-10-01", "kind": "off", "name": "国庆节", "source": "national",
                                  "note": None, "default_kind": "off"}
    assert year["2026-10-10"]["kind"] == "work" and year["2026-10-10"]["name"] == "国庆节调休上班"
    assert "2026-10-12" not in year  # an ordinary Monday is not listed
    assert len(year) == 33 + 6  # 33 days off, 6 调休 working days

    with dynamodb_calls() as calls:
        r = c.api.put("/workdays/2026/2026-10-10", {"kind": "off", "note": "本县防汛调休"}, token=admin)
    assert calls == ["GetItem", "GetItem", "PutItem"]  # the county's status; the calendar; its versioned Put
    assert days(r)["2026-10-10"] == {"date": "2026-10-10", "kind": "off", "name": "本县调整为休息",
                                     "source": "county", "note": "本县防汛调休", "default_kind": "work"}
    r = c.api.put("/workdays/2026/2026-09-22", {"kind": "off"}, token=admin)  # an ordinary Tuesday
    assert days(r)["2026-09-22"]["source"] == "county" and days(r)["2026-09-22"]["note"] is None
    year = days(c.api.get("/workdays/2026", token=c.tokens["epidemic_command"]))
    assert year["2026-10-10"]["source"] == "county" and year["2026-09-22"]["kind"] == "off"
    assert year["2026-10-01"]["source"] == "national"

    # the county's entries count in deadlines: Fri 9-18 17:00 + 3 → Sun 9-20, Mon 9-21, (Tue 9-22 off), Wed 9-23
    from chalicelib.core.clock import SHANGHAI
    from chalicelib.workdays import service

    filed = dt.datetime(2026, 9, 18, 17, 0, tzinfo=SHANGHAI)
    assert service.due(c.code, filed, 3) == dt.datetime(2026, 9, 24, 0, 0, tzinfo=SHANGHAI)
    with dynamodb_calls() as calls:  # cached for the container
        service.due(c.code, filed, 3)
    assert calls == []

    # null removes the county's entry: the national arrangement applies again
    r = c.api.put("/workdays/2026/2026-10-10", {"kind": None}, token=admin)
    assert days(r)["2026-10-10"]["source"] == "national" and days(r)["2026-10-10"]["kind"] == "work"
    assert service.due(c.code, filed, 3) == dt.datetime(2026, 9, 24, 0, 0, tzinfo=SHANGHAI)  # 9-22 still off
    r = c.api.put("/workdays/2026/2026-09-22", {"kind": None}, token=admin)
    assert "2026-09-22" not in days(r)
    assert service.due(c.code, filed, 3) == dt.datetime(2026, 9, 23, 0, 0, tzinfo=SHANGHAI)


def test_a_year_without_national_data(county):
    c = county
    r = c.api.get("/workdays/2031", token=c.tokens["county_admin"])
    assert r.status_code == 200 and r.json["national_source"] is None and r.json["days"] == []
    r = c.api.put("/workdays/2031/2031-01-01", {"kind": "off", "note": "元旦"}, token=c.tokens["county_admin"])
    assert [d["date"] for d in days(r).values()] == ["2031-01-01"]


def test_only_the_county_admin_writes_and_offices_read(county):
    c = county
    for role in ("village_admin", "township_official", "epidemic_command", "grid_worker"):
        r = c.api.put("/workdays/2026/2026-10-10", {"kind": "off"}, token=c.tokens[role])
        assert r.status_code == 403, (role, r.json)
        assert r.json["error"]["code"] == "forbidden_scope"
    assert c.api.get("/workdays/2026", token=c.tokens["grid_worker"]).status_code == 403
    hh = c.household(members=1)
    _, session = c.villager(hh["id"])
    assert c.api.get("/workdays/2026", token=session["access_token"]).status_code == 403
    assert c.api.get("/workdays/2026", token=c.tokens["township_official"]).status_code == 200
    assert "2026-10-10" in days(c.api.get("/workdays/2026", token=c.tokens["village_admin"]))
    assert days(c.api.get("/workdays/2026", token=c.tokens["village_admin"]))["2026-10-10"]["source"] == "national"


def test_counties_are_kept_apart(county, other_county):
    a, b = county, other_county
    r = a.api.put("/workdays/2026/2026-10-10", {"kind": "off", "note": "甲县"}, token=a.tokens["county_admin"])
    assert r.status_code == 200
    assert days(b.api.get("/workdays/2026", token=b.tokens["county_admin"]))["2026-10-10"]["source"] == "national"
    r = b.api.put("/workdays/2026/2026-10-09", {"kind": "off"}, token=b.tokens["county_admin"])
    assert r.status_code == 200
    year_a = days(a.api.get("/workdays/2026", token=a.tokens["county_admin"]))
    assert year_a["2026-10-10"]["note"] == "甲县" and "2026-10-09" not in year_a

    from chalicelib.workdays import service

    overrides = service.overrides(a.code, [2026])
    assert overrides[dt.date(2026, 10, 10)] is False and dt.date(2026, 10, 9) not in overrides


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/workdays/2026/2027-01-04", {"kind": "off"}, "date"),  # not in the year
    ("/workdays/2026/2026-02-30", {"kind": "off"}, "date"),
    ("/workdays/2026/20261010", {"kind": "off"}, "date"),
    ("/workdays/26/2026-10-10", {"kind": "off"}, "year"),
    ("/workdays/1999/1999-10-10", {"kind": "off"}, "year"),
    ("/workdays/2026/2026-10-10", {"kind": "holiday"}, "kind"),
    ("/workdays/2026/2026-10-10", {"note": "只有备注"}, "kind"),  # kind is required (null to remove)
    ("/workdays/2026/2026-10-10", {"kind": "off", "note": "长" * 101}, "note"),
    ("/workdays/2026/2026-10-10", {"kind": "off", "tenant": "330000"}, "tenant"),
])
def test_bad_input_is_422(county, path, body, field):
    r = county.api.put(path, body, token=county.tokens["county_admin"])
    assert r.status_code == 422, r.json
    assert set(r.json) == {"error"} and r.json["error"]["code"] == "validation_failed"
    assert [d["field"] for d in r.json["error"]["details"]] == [field]


def test_bad_year_on_read_is_422(county):
    for year in ("abcd", "0000", "2101"):
        r = county.api.get(f"/workdays/{year}", token=county.tokens["county_admin"])
        assert r.status_code == 422 and r.json["error"]["details"][0]["field"] == "year", r.json


def test_the_platform_and_people_of_no_county_are_refused(client, operator_token):
    newcomer = client.sign_in(new_phone())["access_token"]
    for token in (operator_token, newcomer):
        assert client.get("/workdays/2026", token=token).status_code == 403
        assert client.put("/workdays/2026/2026-10-10", {"kind": "off"}, token=token).status_code == 403
    assert client.get("/workdays/2026").status_code == 401
