"""Modules declare themselves (chalicelib/<module>/manifest.py): permissions and the roles holding them, catalogue
entry, blueprints, stream reactions, topics, schedules. /me tells each person what they may do where, and whom
they may appoint; the console and the phone app build their menus from it."""

from __future__ import annotations

import pathlib
import re

import pytest

from chalicelib import manifests
from chalicelib.core import modules, streams, tenancy
from chalicelib.core.http import ROUTES

pytestmark = pytest.mark.usefixtures("app")  # app.py registers the manifests

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_core_names_no_module():
    """core/ knows modules only through the registry: no import of, and no dotted path to, any module package."""
    packages = {p.split(".")[1] for m in manifests.MODULES for p in m.packages}
    offenders = []
    for path in (ROOT / "chalicelib" / "core").rglob("*.py"):
        src = path.read_text(encoding="utf-8")
        for pkg in packages:
            if re.search(rf"(chalicelib\.{pkg}\b|from \.\.{pkg}\b|from \.\.\.{pkg}\b)", src):
                offenders.append(f"{path.relative_to(ROOT)} names {pkg}")
    assert offenders == []


def test_every_permission_a_route_needs_is_declared_by_a_manifest():
    from chalicelib.core.http import OWN_HOUSEHOLD, SIGNED_IN, permissions_of

    needs = {(s, p) for s in ROUTES for p in permissions_of(s) if p not in (SIGNED_IN, OWN_HOUSEHOLD)}
    used = {p for _, p in needs}
    assert used, "routes declare their permissions"
    assert used <= set(tenancy.PERMISSIONS), sorted(used - set(tenancy.PERMISSIONS))
    # and each is owned by the module whose package holds the route, or by the platform (always on): a module's
    # route never depends on another module that a county may switch off
    platform = {m.id for m in manifests.MODULES if not m.switchable}
    for s, p in needs:
        owner = tenancy.PERMISSION_OWNER[p]
        assert owner in platform or s.package in next(m.packages for m in manifests.MODULES if m.id == owner) or \
            modules.owner(s.package) is None, (s.path, p, owner)


def test_a_permission_is_declared_once_and_only_for_real_roles():
    with pytest.raises(ValueError, match="declared by"):
        tenancy.declare("tipoffs.read", {tenancy.VILLAGE_ADMIN}, "someone_else")
    with pytest.raises(ValueError, match="unknown roles"):
        tenancy.declare("x.y", {"mayor"}, "x")
    ctx = tenancy.TenantContext("330825", "u1", "i", (tenancy.Grant(tenancy.COUNTY_ADMIN, "330825"),))
    assert not ctx.can("never.declared", "330825")  # deny by default


def test_stream_reactions_come_from_the_manifests():
    assert streams.__dict__.get("REACTIONS") is None
    reactions = modules.reactions()
    assert reactions["case"] == "chalicelib.cases.events"  # tip-offs are cases: forwarded by the workflow
    assert reactions["daily_report"] == reactions["daily_report_day"] == "chalicelib.daily_report.events"
    streams.load_reactions()
    assert {"case", "daily_report_day", "daily_report_alert"} <= set(streams._handlers) | set(
        streams._batch_handlers)


def test_platform_parts_are_always_on_and_never_offered(client, operator_token):
    built = {"daily_report", "scan_pass", "tipoffs", "snaps", "mailbox", "errands", "notices", "boards",
             "vanguard", "recruitment", "volunteers", "lectures"}  # interviews is a platform part (recruitment's rooms)
    assert {m.id for m in modules.catalogue()} == built
    offered = {m["id"] for m in client.get("/modules", token=operator_token).json["items"]}
    assert offered == built
    assert modules.owner("chalicelib.households") is None and modules.owner("chalicelib.tipoffs") == "tipoffs"


def test_me_says_what_a_village_admin_may_do_where_and_whom_they_may_appoint(client, county):
    me = client.get("/me", token=county.tokens["village_admin"]).json
    perms = me["permissions"]
    assert perms["households.read"] == [county.village]
    assert perms["households.pii"] == [county.village]
    assert perms["tipoffs.handle"] == [county.village]
    assert "tenants.admin" not in perms and "reports.settings" not in perms and "passes.scan" not in perms
    appoint = {a["role"]: a for a in me["appoint"]}
    assert set(appoint) == {"checkpoint_staff", "grid_leader", "grid_worker", "grid_worker_part", "grid_instructor",
                            "party_member"}
    assert appoint["grid_worker"] == {"role": "grid_worker", "level": "grid", "places": [county.village]}
    assert appoint["checkpoint_staff"]["level"] == "village"
    roles = {r["id"]: r for r in me["roles"]}
    assert roles["village_admin"]["name"] == "村情通管理员" and roles["village_admin"]["name_en"] == "Village admin"
    assert [r["id"] for r in me["roles"]][:2] == ["platform_operator", "county_admin"]


def test_me_for_a_grid_worker_and_the_county_admin(client, county):
    grid = client.get("/me", token=county.tokens["grid_worker"]).json
    assert grid["permissions"]["reports.proxy"] == [county.grid]
    assert "staff.read" not in grid["permissions"] and grid["appoint"] == []
    admin = client.get("/me", token=county.tokens["county_admin"]).json
    assert admin["permissions"]["reports.settings"] == [county.code]
    assert {a["role"] for a in admin["appoint"]} >= {"county_admin", "township_official", "grid_worker"}
    assert all(a["places"] == [county.code] for a in admin["appoint"])


def test_me_leaves_out_the_permissions_of_a_module_switched_off(client, county, operator_token):
    before = client.get("/me", token=county.tokens["village_admin"]).json["permissions"]
    assert "tipoffs.read" in before and "passes.logs" in before
    r = client.put(f"/counties/{county.code}/modules", {"modules": ["daily_report"]}, token=operator_token)
    assert r.status_code == 200, r.json
    try:
        after = client.get("/me", token=county.tokens["village_admin"]).json["permissions"]
        assert "tipoffs.read" not in after and "passes.logs" not in after
        assert after["households.read"] == [county.village] and "reports.read" in after
    finally:
        client.put(f"/counties/{county.code}/modules",
                   {"modules": ["daily_report", "scan_pass", "tipoffs", "snaps", "mailbox"]}, token=operator_token)


def test_me_of_the_operator_holds_platform_permissions_everywhere(client, operator_token):
    me = client.get("/me", token=operator_token).json
    assert me["permissions"]["tenants.admin"] == ["*"]
    assert me["appoint"] == [{"role": "county_admin", "level": "county", "places": ["*"]}]


def test_me_lists_every_place_a_permission_is_held_at(client, county):
    """A village admin who is also the grid worker of one of its grids (村干部兼网格员) gets both places: the phone
    app opens field mode for the grid."""
    from tests.conftest import new_phone

    phone = new_phone()
    for role, place in (("village_admin", county.village), ("grid_worker", county.grid)):
        r = client.post("/staff", {"phone": phone, "name": "村干部兼网格员", "role": role, "place": place},
                        token=county.tokens["county_admin"])
        assert r.status_code == 201, r.json
    token = client.sign_in(phone, county.code)["access_token"]
    perms = client.get("/me", token=token).json["permissions"]
    assert perms["households.read"] == [county.village, county.grid]
    assert perms["reports.proxy"] == [county.grid]
