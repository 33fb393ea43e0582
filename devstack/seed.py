"""Seed the demo county 龙游县 (330825) through the same services the API uses."""

from __future__ import annotations

import datetime as dt

from chalicelib.core import clock, counties, modules
from chalicelib.core.auth import service as auth
from chalicelib.core.db import PLATFORM
from chalicelib.core.tenancy import (
    COUNTY_ADMIN,
    PARTY_MEMBER,
    PLATFORM_OPERATOR,
    VILLAGER,
    Grant,
    TenantContext,
    grants_from_json,
)
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
    counties.forget(COUNTY_CODE)  # is_seeded() cached "no such county" a moment ago; the cases below read it
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
        household = None
        if acct["role"] == VILLAGER:  # a villager belongs to a household: the grid's first
            household = households.list_households(admin, acct["place"], False, 1, None)["items"][0].hid
        people[acct["role"]], _ = auth.add_grants(tenant, acct["phone"], acct["name"],
                                                  [Grant(acct["role"], acct["place"], household)], invited_by="seed")
    # 党员联户: the demo party member looks after the first households of their grid.
    pm = next(a for a in DEMO_ACCOUNTS if a["role"] == PARTY_MEMBER)
    grid_households = households.list_households(admin, pm["place"], False, PARTY_LINKS, None)["items"]
    party.link(admin, people[PARTY_MEMBER].uid, [h.hid for h in grid_households])
    past = seed_past_days(data, hids)
    cases = seed_cases(people)
    errand_items = seed_errands(admin)
    return {"places": len(data["places"]), "households": len(data["households"]),
            "members": sum(len(h["members"]) for h in data["households"]), "party_links": len(grid_households),
            "past_report_days": past, "cases": cases, "errand_items": errand_items}


def seed_errands(admin: TenantContext) -> int:
    """网上代办: the demo county's catalogue (devstack/demo_errands.py), as its administrator would add it."""
    from chalicelib.errands import service as errands
    from chalicelib.errands.schemas import ItemIn

    from .demo_errands import ITEMS

    return errands.create_many(admin, [ItemIn.model_validate(i) for i in ITEMS])


def seed_cases(people: dict) -> int:
    """A few cases of each type filed by the demo villager over the last days, through the workflow's own services
    (clock moved back for each step): a 随手拍 waiting for the grid worker, one resolved with an after photo and rated
    (on the village board), a safety hazard past its SLA (the escalation schedule moves it up at the next tick), a
    letter answered in a thread, an anonymous letter waiting, and a tip-off."""
    from types import SimpleNamespace as Body

    from chalicelib.cases import service as cases
    from chalicelib.core import files
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.config import settings
    from chalicelib.letters import service as letters
    from chalicelib.snaps import service as snaps
    from chalicelib.tipoffs import service as tipoffs

    from .demo_photos import PHOTOS, png

    def ctx(role: str) -> TenantContext:
        user = people[role]
        return TenantContext(tenant_id=COUNTY_CODE, user_id=user.uid, identity="seed",
                             grants=grants_from_json(user.grants))

    def photo(who: str, name: str) -> str:
        form = files.presigned_upload(COUNTY_CODE, "cases/snap", ".png", "image/png", 300 * 1024,
                                      name=cases.photo_name(people[who].uid))
        aws_client("s3").put_object(Bucket=settings().media_bucket, Key=form["key"], Body=png(PHOTOS[name]),
                                    ContentType="image/png")
        return form["key"]

    real = clock.Clock()
    now = real.now()

    def at(hours_ago: float) -> None:
        clock.set_clock(clock.FrozenClock(now - dt.timedelta(hours=hours_ago)))

    villager, worker, admin = ctx(VILLAGER), ctx("grid_worker"), ctx("village_admin")
    try:
        at(50)
        lamp = snaps.file(villager, Body(category="road", text="村口第三根路灯不亮，晚上看不清路", grid=None,
                                         location="村口桥头", extra={"facility": "streetlight"}, lat=29.031,
                                         lng=119.172, photos=[photo(VILLAGER, "lamp")]))
        at(49)
        cases.act(worker, lamp.ref, "accept", note="已联系电工，明天来修")
        at(30)
        cases.act(worker, lamp.ref, "resolve", outcome="fixed", note="已更换灯泡，恢复照明",
                  photos=[photo("grid_worker", "lamp_fixed")])
        at(28)
        cases.act(villager, lamp.ref, "rate", rating=5, note="修得很快，谢谢")
        at(30)
        snaps.file(villager, Body(category="safety", text="水塘边的护栏倒了，孩子常在附近玩", grid=None,
                                  location="祠堂后面的水塘", extra={"urgent": "yes"}, lat=None, lng=None,
                                  photos=[photo(VILLAGER, "pond")]))
        at(3)
        snaps.file(villager, Body(category="sanitation", text="巷子里堆了好几袋垃圾，好几天没人清运", grid=None,
                                  location="东巷", extra={}, lat=None, lng=None,
                                  photos=[photo(VILLAGER, "rubbish")]))
        at(72)
        letter = letters.file(villager, Body(to="village", category="suggestion",
                                             text="建议在文化礼堂旁边增设几张休息长椅，老人晚上乘凉有地方坐。",
                                             anonymous=False, photos=[]))
        at(48)
        cases.act(admin, letter.ref, "note", note="已收到，村两委本周开会商议")
        at(47)
        cases.act(villager, letter.ref, "reply", note="最好放在树荫下面")
        at(20)
        letters.file(villager, Body(to="village", category="complaint",
                                    text="隔壁养鸡场气味很大，夏天尤其严重，希望村里协调一下。", anonymous=True,
                                    photos=[]))
        at(5)
        tipoffs.create(villager, Body(category="gathering", description="祠堂里有人在办酒席，来了很多外地亲戚",
                                      location="祠堂", village=None, anonymous=True))
    finally:
        clock.set_clock(real)
    return 6


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
