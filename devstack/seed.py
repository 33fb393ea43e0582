"""Seed the demo county 龙游县 (330825) through the same services the API uses."""

from __future__ import annotations

import datetime as dt

from chalicelib.core import clock, counties, modules
from chalicelib.core.auth import service as auth
from chalicelib.core.db import PLATFORM
from chalicelib.core.tenancy import COUNTY_ADMIN, PARTY_MEMBER, PLATFORM_OPERATOR, Grant, TenantContext
from chalicelib.households import service as households
from chalicelib.households.schemas import MemberIn
from chalicelib.party import service as party
from chalicelib.places import service as places

from .demo_data import COUNT_FIELDS, COUNTY_CODE, DEMO_ACCOUNTS, FOCUS_VILLAGE, build_demo_county, past_day_counts

PARTY_LINKS = 6


def is_seeded() -> bool:
    return counties.get(COUNTY_CODE, fresh=True) is not None


def seed() -> dict:
    import app  # noqa: F401  (its wiring registers the modules: the demo county gets every module that is built)

    data = build_demo_county()
    county = counties.new_county(data["code"], data["name"], [m.id for m in modules.catalogue()],
                                 contact="龙游县大数据发展中心 0570-7012345")
    county.save()
    admin = TenantContext(tenant_id=COUNTY_CODE, user_id="seed", identity="seed",
                          grants=(Grant(COUNTY_ADMIN, COUNTY_CODE),))
    for p in data["places"]:
        places.create(admin, p["code"], p["name"])
    hids = []
    for hh in data["households"]:
        members = [MemberIn.model_validate(m) for m in hh["members"]]
        hids.append(households.write_household(COUNTY_CODE, hh["grid"], hh["address"], members, hh["ref"]).hid)
    people = {}
    for acct in DEMO_ACCOUNTS:
        tenant = PLATFORM if acct["role"] == PLATFORM_OPERATOR else COUNTY_CODE
        people[acct["role"]], _ = auth.add_grants(tenant, acct["phone"], acct["name"],
                                                  [Grant(acct["role"], acct["place"])], invited_by="seed")
    # 党员联户: the demo party member looks after the first households of their grid.
    pm = next(a for a in DEMO_ACCOUNTS if a["role"] == PARTY_MEMBER)
    grid_households = households.list_households(admin, pm["place"], False, PARTY_LINKS, None)["items"]
    party.link(admin, people[PARTY_MEMBER].uid, [h.hid for h in grid_households])
    past = seed_past_days(data, hids)
    return {"places": len(data["places"]), "households": len(data["households"]),
            "members": sum(len(h["members"]) for h in data["households"]), "party_links": len(grid_households),
            "past_report_days": past}


def seed_past_days(data: dict, hids: list[str]) -> int:
    """The daily report's last PAST_DAYS days before today, so the console's 30-day trend is not empty: the
    completion counters of every grid, village, township and county, written directly (BatchWrite, about 30 calls)
    from the deterministic per-household simulation in demo_data.past_day_counts — the same items and sums the
    stream handler writes from real reports — and each household's last report date (what the unreported list
    shows; 3 transactions). No past reports or day statuses are made (writing ~7,000 reports through the service
    would take minutes at every fresh start), so a household's own history starts today.
    Township and county sums go to shard 0; a read adds up all shards."""
    from chalicelib.core.db import transact
    from chalicelib.daily_report.models import Counter
    from chalicelib.daily_report.service import COUNTER_DAYS, expires_in

    today = clock.today()
    days, last = past_day_counts(data)
    sums: dict[tuple[str, str, int | None], dict[str, int]] = {}
    for ago, grids in days:
        date = (today - dt.timedelta(days=ago)).isoformat()
        for grid, counts in grids.items():
            for place, shard in ((grid, None), (grid[:12], None), (grid[:9], 0), (COUNTY_CODE, 0)):
                acc = sums.setdefault((date, place, shard), dict.fromkeys(COUNT_FIELDS, 0))
                for f in COUNT_FIELDS:
                    acc[f] += counts[f]
    expires = expires_in(COUNTER_DAYS)
    with Counter.batch_write() as batch:
        for (date, place, shard), acc in sums.items():
            batch.save(Counter(*Counter.keys(COUNTY_CODE, date, place, shard), expires=expires, **acc))
    reported = [(hid, (today - dt.timedelta(days=ago)).isoformat()) for hid, ago in zip(hids, last, strict=True)
                if ago is not None]
    for i in range(0, len(reported), 100):
        with transact() as tx:
            for hid, date in reported[i:i + 100]:
                households.mark_reported(tx, COUNTY_CODE, hid, date)
    return len(days)


def demo_invite() -> tuple[str, str]:
    """A fresh invite code for the first household of 张王村 (printed at start for the villager demo)."""
    worker = TenantContext(tenant_id=COUNTY_CODE, user_id="seed", identity="seed",
                           grants=(Grant(COUNTY_ADMIN, COUNTY_CODE),))
    page = households.list_households(worker, FOCUS_VILLAGE, False, 1, None)
    hh = page["items"][0]
    return households.create_invite(worker, hh.hid, head=False)["code"], hh.address
