"""Who is asking, for which county, with which roles over which places.

A TenantContext is built once per request from the verified token (the authorizer's context) and nothing else.
"May this person do X at place P?" is one function here: a grant covers a place when the place's code starts
with the grant's place code (county 330825 ⊃ township 330825001 ⊃ village 330825001201 ⊃ grid 330825001201G01;
see `within`).
"""

from __future__ import annotations

import json
from typing import NamedTuple

from .errors import Forbidden

# Roles, from the villager up to the platform operator.
VILLAGER = "villager"
HOUSEHOLD_HEAD = "household_head"
PARTY_MEMBER = "party_member"
GRID_LEADER = "grid_leader"
GRID_WORKER = "grid_worker"  # 专职网格员
GRID_WORKER_PART = "grid_worker_part"  # 兼职网格员
GRID_INSTRUCTOR = "grid_instructor"
CHECKPOINT = "checkpoint_staff"
VILLAGE_ADMIN = "village_admin"
TOWNSHIP_OFFICIAL = "township_official"
COUNTY_ADMIN = "county_admin"
EPIDEMIC_COMMAND = "epidemic_command"
ORG_DEPARTMENT = "org_department"
EMPLOYER = "employer"
PLATFORM_OPERATOR = "platform_operator"

ROLE_NAMES_ZH = {
    VILLAGER: "村民", HOUSEHOLD_HEAD: "户主", PARTY_MEMBER: "党员", GRID_LEADER: "网格长", GRID_WORKER: "专职网格员",
    GRID_WORKER_PART: "兼职网格员", GRID_INSTRUCTOR: "网格指导员", CHECKPOINT: "卡口值守人员",
    VILLAGE_ADMIN: "村情通管理员", TOWNSHIP_OFFICIAL: "乡镇（街道）干部", COUNTY_ADMIN: "县级管理员（大数据局）",
    EPIDEMIC_COMMAND: "县防疫指挥部", ORG_DEPARTMENT: "组织部", EMPLOYER: "企业", PLATFORM_OPERATOR: "平台运营",
}
ROLE_NAMES_EN = {
    VILLAGER: "Villager", HOUSEHOLD_HEAD: "Household head", PARTY_MEMBER: "Party member", GRID_LEADER: "Grid leader",
    GRID_WORKER: "Grid worker (full-time)", GRID_WORKER_PART: "Grid worker (part-time)",
    GRID_INSTRUCTOR: "Grid instructor", CHECKPOINT: "Checkpoint staff", VILLAGE_ADMIN: "Village admin",
    TOWNSHIP_OFFICIAL: "Township official", COUNTY_ADMIN: "County admin", EPIDEMIC_COMMAND: "Epidemic command",
    ORG_DEPARTMENT: "Organisation department", EMPLOYER: "Employer", PLATFORM_OPERATOR: "Platform operator",
}
ALL_ROLES = tuple(ROLE_NAMES_ZH)
# The order people think of them in (a role select, a list of roles): the operator and county first, grid last.
ROLE_ORDER = (PLATFORM_OPERATOR, COUNTY_ADMIN, EPIDEMIC_COMMAND, ORG_DEPARTMENT, EMPLOYER, TOWNSHIP_OFFICIAL,
              VILLAGE_ADMIN, CHECKPOINT, GRID_LEADER, GRID_WORKER, GRID_WORKER_PART, GRID_INSTRUCTOR, PARTY_MEMBER,
              HOUSEHOLD_HEAD, VILLAGER)
RESIDENT_ROLES = frozenset({VILLAGER, HOUSEHOLD_HEAD, PARTY_MEMBER})
GRID_ROLES = frozenset({GRID_LEADER, GRID_WORKER, GRID_WORKER_PART, GRID_INSTRUCTOR})
# The level of place each staff role is placed at.
ROLE_LEVEL = {
    GRID_LEADER: "grid", GRID_WORKER: "grid", GRID_WORKER_PART: "grid", GRID_INSTRUCTOR: "grid",
    CHECKPOINT: "village", VILLAGE_ADMIN: "village", TOWNSHIP_OFFICIAL: "township", COUNTY_ADMIN: "county",
    EPIDEMIC_COMMAND: "county", ORG_DEPARTMENT: "county", EMPLOYER: "county", PARTY_MEMBER: "grid",
}
# Who may invite whom (staff are invited by phone by someone allowed to).
CAN_INVITE = {
    COUNTY_ADMIN: frozenset({TOWNSHIP_OFFICIAL, VILLAGE_ADMIN, COUNTY_ADMIN, EPIDEMIC_COMMAND, ORG_DEPARTMENT,
                             EMPLOYER, CHECKPOINT} | GRID_ROLES | {PARTY_MEMBER}),
    TOWNSHIP_OFFICIAL: frozenset({VILLAGE_ADMIN, CHECKPOINT} | GRID_ROLES | {PARTY_MEMBER}),
    VILLAGE_ADMIN: frozenset({CHECKPOINT, PARTY_MEMBER} | GRID_ROLES),
    PLATFORM_OPERATOR: frozenset({COUNTY_ADMIN}),
}
STAFF_WRITE_ROLES = frozenset(CAN_INVITE)

# Role sets the manifests build their permissions from.
OFFICE_ROLES = frozenset({VILLAGE_ADMIN, TOWNSHIP_OFFICIAL, COUNTY_ADMIN})
FIELD_ROLES = GRID_ROLES | OFFICE_ROLES

# Permission -> roles that hold it (at the places they are granted). Filled by the modules' manifests
# (core.modules.register -> declare); empty until then, and a permission nobody declared is held by nobody.
PERMISSIONS: dict[str, frozenset[str]] = {}
PERMISSION_OWNER: dict[str, str] = {}  # permission -> the module that declared it


def declare(permission: str, roles, owner: str) -> None:
    roles = frozenset(roles)
    unknown = roles - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"{owner}: permission {permission} names unknown roles {sorted(unknown)}")
    if permission in PERMISSION_OWNER and PERMISSION_OWNER[permission] != owner:
        raise ValueError(f"permission {permission} declared by {PERMISSION_OWNER[permission]} and {owner}")
    PERMISSIONS[permission] = roles
    PERMISSION_OWNER[permission] = owner


def topmost(places) -> list[str]:
    """The places not covered by another of them ("*" covers all), sorted."""
    ps = set(places)
    if "*" in ps:
        return ["*"]
    return sorted(p for p in ps if not any(q != p and within(p, q) for q in ps))


def within(place_code: str, scope: str) -> bool:
    """Is the place at or below `scope`? Division codes have fixed widths per level, so below a county, township
    or village it is a prefix test; a grid (…G01) has nothing below it, and …G012 is a different grid."""
    if "G" in scope:
        return place_code == scope
    return place_code.startswith(scope)


class Grant(NamedTuple):
    role: str
    place: str  # place code the role is scoped to ("*" for the platform operator)
    household: str | None = None  # for resident roles: the household it comes from

    def covers(self, place_code: str) -> bool:
        return self.place == "*" or within(place_code, self.place)

    def to_json(self) -> dict:
        d = {"role": self.role, "place": self.place}
        if self.household:
            d["household"] = self.household
        return d


def grants_from_json(raw: str | list) -> tuple[Grant, ...]:
    items = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(Grant(g["role"], g["place"], g.get("household")) for g in items)


class TenantContext(NamedTuple):
    tenant_id: str  # "" for a signed-in person who belongs to no county yet
    user_id: str
    identity: str  # blind index of the phone the person signed in with
    grants: tuple[Grant, ...] = ()
    request_id: str = ""
    expires: int = 0  # epoch seconds when the access token stops being valid

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @property
    def is_operator(self) -> bool:
        return PLATFORM_OPERATOR in self.roles

    def grants_for(self, permission: str) -> list[Grant]:
        roles = PERMISSIONS.get(permission, frozenset())
        return [g for g in self.grants if g.role in roles]

    def permission_places(self, permissions=None) -> dict[str, list[str]]:
        """Permission -> the places of the grants that hold it ("*": everywhere), for every declared permission (or
        those given) they hold somewhere. Every grant's place is listed, not only the topmost: a village admin who
        is also the grid worker of one of its grids works that grid in field mode."""
        out = {}
        for perm in (PERMISSIONS if permissions is None else permissions):
            places = sorted({g.place for g in self.grants_for(perm)})
            if places:
                out[perm] = ["*"] if "*" in places else places
        return out

    def appointable(self) -> list[dict]:
        """Whom this person may appoint (and remove), and under which places: [{role, level, places}] in ROLE_ORDER.
        A role is placed at its level (ROLE_LEVEL) at or below one of the places."""
        by_role: dict[str, set[str]] = {}
        for g in self.grants:
            for role in CAN_INVITE.get(g.role, ()):
                by_role.setdefault(role, set()).add(g.place)
        return [{"role": r, "level": ROLE_LEVEL.get(r), "places": topmost(by_role[r])}
                for r in ROLE_ORDER if r in by_role]

    def may_appoint(self, role: str, place: str) -> bool:
        return any(role in CAN_INVITE.get(g.role, ()) and g.covers(place) for g in self.grants)

    def can(self, permission: str, place_code: str) -> bool:
        return any(g.covers(place_code) for g in self.grants_for(permission))

    def require(self, permission: str, place_code: str | None = None) -> None:
        """Deny by default: raise Forbidden unless a grant with this permission covers the place."""
        grants = self.grants_for(permission)
        if not grants or (place_code is not None and not any(g.covers(place_code) for g in grants)):
            raise Forbidden("没有权限访问该范围的数据", code="forbidden_scope")

    def households(self) -> frozenset[str]:
        """Households this person belongs to (through resident grants)."""
        return frozenset(g.household for g in self.grants if g.household)

    def require_tenant(self) -> str:
        if not self.tenant_id:
            raise Forbidden("请先使用邀请码关联到您所在的村", code="no_county")
        return self.tenant_id
