"""The demo county's 县级后台 (devstack seed_backoffice): the quality page of this month and the last shows numbers
on `make run` — households and coverage, rolled-up daily reports, cases, party points — in both months."""

from __future__ import annotations

import datetime as dt

from tests.conftest import demo_session


def test_the_demo_county_quality_page_has_numbers_this_month_and_last(client, app):
    from chalicelib.core import clock
    from devstack import seed
    from devstack.demo_data import COUNTY_CODE, DEMO_ACCOUNTS

    if not seed.is_seeded():
        seed.seed()
    admin = next(a for a in DEMO_ACCOUNTS if a["role"] == "county_admin")
    token = demo_session(COUNTY_CODE, admin["phone"])["access_token"]
    this = clock.today().strftime("%Y-%m")
    last = (clock.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    for period in (last, this):
        r = client.get(f"/backoffice/quality?period={period}", token=token)
        assert r.status_code == 200, r.json
        total = r.json["county"]
        assert len(r.json["rows"]) == 5 and total["households"] > 100, period
        assert total["reported"] > 0 and 0.5 < total["report_rate"] <= 1, (period, total)
        assert sum(c["filed"] for c in total["cases"].values()) >= 1, period
        assert total["party"]["points"] > 0, period
    last_total = client.get(f"/backoffice/quality?period={last}", token=token).json["county"]
    assert last_total["cases"]["letter"]["resolved"] == 1 and last_total["party"]["study"] >= 1
