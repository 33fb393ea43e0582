"""Seed the demo county 龙游县 (330825) through the same services the API uses."""

from __future__ import annotations

from chalicelib.core import counties
from chalicelib.core.auth import service as auth
from chalicelib.core.db import PLATFORM
from chalicelib.core.tenancy import COUNTY_ADMIN, PARTY_MEMBER, PLATFORM_OPERATOR, Grant, TenantContext
from chalicelib.households import service as households
from chalicelib.households.schemas import MemberIn
from chalicelib.party import service as party
from chalicelib.places import service as places

from .demo_data import COUNTY_CODE, DEMO_ACCOUNTS, FOCUS_VILLAGE, build_demo_county

PARTY_LINKS = 6


def is_seeded() -> bool:
    return counties.get(COUNTY_CODE, fresh=True) is not None


def seed() -> dict:
    data = build_demo_county()
    county = counties.new_county(data["code"], data["name"], list(counties.MODULES))
    county.save()
    admin = TenantContext(tenant_id=COUNTY_CODE, user_id="seed", identity="seed",
                          grants=(Grant(COUNTY_ADMIN, COUNTY_CODE),))
    for p in data["places"]:
        places.create(admin, p["code"], p["name"])
    for hh in data["households"]:
        members = [MemberIn.model_validate(m) for m in hh["members"]]
        households.write_household(COUNTY_CODE, hh["grid"], hh["address"], members, hh["ref"])
    people = {}
    for acct in DEMO_ACCOUNTS:
        tenant = PLATFORM if acct["role"] == PLATFORM_OPERATOR else COUNTY_CODE
        people[acct["role"]], _ = auth.add_grants(tenant, acct["phone"], acct["name"],
                                                  [Grant(acct["role"], acct["place"])], invited_by="seed")
    # 党员联户: the demo party member looks after the first households of their grid.
    pm = next(a for a in DEMO_ACCOUNTS if a["role"] == PARTY_MEMBER)
    grid_households = households.list_households(admin, pm["place"], False, PARTY_LINKS, None)["items"]
    party.link(admin, people[PARTY_MEMBER].uid, [h.hid for h in grid_households])
    return {"places": len(data["places"]), "households": len(data["households"]),
            "members": sum(len(h["members"]) for h in data["households"]), "party_links": len(grid_households)}


def demo_invite() -> tuple[str, str]:
    """A fresh invite code for the first household of 张王村 (printed at start for the villager demo)."""
    worker = TenantContext(tenant_id=COUNTY_CODE, user_id="seed", identity="seed",
                           grants=(Grant(COUNTY_ADMIN, COUNTY_CODE),))
    page = households.list_households(worker, FOCUS_VILLAGE, False, 1, None)
    hh = page["items"][0]
    return households.create_invite(worker, hh.hid, head=False)["code"], hh.address
