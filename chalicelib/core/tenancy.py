"""Who is asking, for which county, with which roles over which places.

A TenantContext is built once per request from the verified token (the authorizer's context) and nothing else.
"May this person do X at place P?" is one function here: a grant covers a place when the place's code starts
with the grant's place code (county 330825 ⊃ township 330825001 ⊃ village 330825001201 ⊃ grid 330825001201G01;
see `within`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

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
ALL_ROLES = tuple(ROLE_NAMES_ZH)
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

_OFFICE = frozenset({VILLAGE_ADMIN, TOWNSHIP_OFFICIAL, COUNTY_ADMIN})
_FIELD = GRID_ROLES | _OFFICE

# Permission → roles that hold it (at the places they are granted).
PERMISSIONS: dict[str, frozenset[str]] = {
    "places.read": _FIELD | {EPIDEMIC_COMMAND, ORG_DEPARTMENT, CHECKPOINT},
    "places.write": _OFFICE,
    "households.read": _FIELD | {EPIDEMIC_COMMAND},
    "households.write": _FIELD - {GRID_INSTRUCTOR},
    "households.pii": GRID_ROLES | {VILLAGE_ADMIN},  # may see full ID and phone numbers
    "coverage.read": _FIELD | {EPIDEMIC_COMMAND, ORG_DEPARTMENT},
    "staff.read": _OFFICE | {GRID_LEADER},
    "staff.write": frozenset(CAN_INVITE),
    "imports.write": _OFFICE,
    "tenant.read": _OFFICE | {EPIDEMIC_COMMAND, ORG_DEPARTMENT},
    "tenants.admin": frozenset({PLATFORM_OPERATOR}),
    # Daily report (每日上报): completion, trends and the unreported list; 代报 by grid workers; county settings.
    "reports.read": _FIELD | {EPIDEMIC_COMMAND, ORG_DEPARTMENT},
    "reports.proxy": GRID_ROLES - {GRID_INSTRUCTOR},
    "reports.settings": frozenset({COUNTY_ADMIN, EPIDEMIC_COMMAND}),
    "alerts.read": frozenset({EPIDEMIC_COMMAND, COUNTY_ADMIN}),
    "alerts.write": frozenset({EPIDEMIC_COMMAND}),
    # Scan-to-pass (扫码通行): checkpoint staff scan; offices read the scan logs of their checkpoints.
    "passes.scan": frozenset({CHECKPOINT}),
    "passes.logs": frozenset({CHECKPOINT}) | _OFFICE | {EPIDEMIC_COMMAND},
    # Epidemic tip-offs (疫情举报): a tip-off belongs to a village, which handles it (offices above may too); the
    # county command sees all. Grid staff are told to check by the village, not given the reporter's words.
    "tipoffs.read": _OFFICE | {EPIDEMIC_COMMAND},
    "tipoffs.handle": _OFFICE | {EPIDEMIC_COMMAND},
    # 党员联户: who links party members to households (at the household's grid).
    "party.link": _OFFICE | {GRID_LEADER, GRID_WORKER},
}


def within(place_code: str, scope: str) -> bool:
    """Is the place at or below `scope`? Division codes have fixed widths per level, so below a county, township
    or village it is a prefix test; a grid (…G01) has nothing below it, and …G012 is a different grid."""
    if "G" in scope:
        return place_code == scope
    return place_code.startswith(scope)


@dataclass(frozen=True)
class Grant:
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


@dataclass(frozen=True)
class TenantContext:
    tenant_id: str  # "" for a signed-in person who belongs to no county yet
    user_id: str
    identity: str  # blind index of the phone the person signed in with
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    request_id: str = ""
    expires: int = 0  # epoch seconds when the access token stops being valid

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @property
    def is_operator(self) -> bool:
        return PLATFORM_OPERATOR in self.roles

    def grants_for(self, permission: str) -> list[Grant]:
        roles = PERMISSIONS[permission]
        return [g for g in self.grants if g.role in roles]

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
