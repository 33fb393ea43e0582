from __future__ import annotations

from pydantic import Field

from ..core.schemas import MembershipOut, Out, Phone, Session, Strict  # noqa: F401
from ..tenants.schemas import ModuleInfo


class CodeRequest(Strict):
    phone: Phone


class CodeSent(Out):
    expires_in: int
    resend_after: int


class TokenRequest(Strict):
    phone: Phone
    code: str = Field(pattern=r"^\d{6}$")
    tenant: str | None = Field(default=None, pattern=r"^(\d{6}|platform)$")


class RefreshRequest(Strict):
    refresh_token: str = Field(min_length=10, max_length=300)


class SwitchRequest(Strict):
    tenant: str = Field(pattern=r"^(\d{6}|platform)$")


class GrantOut(Out):
    role: str
    role_name: str
    place: str
    place_name: str | None = None
    household: str | None = None


class AppointOut(Out):
    role: str
    level: str | None = Field(description="the level of place the role is placed at: county, township, village, grid")
    places: list[str] = Field(description="the role may be given at or below these places (and taken away there)")


class RoleOut(Out):
    id: str
    name: str
    name_en: str
    level: str | None = None


class SettingsIn(Strict):
    sms_updates: bool = Field(description="an SMS when a case I filed changes status (the inbox has it anyway)")


class Me(Out):
    tenant: str | None
    county_name: str | None
    user_id: str | None
    name: str | None
    phone: str | None
    grants: list[GrantOut]
    modules: list[str]
    memberships: list[MembershipOut]
    permissions: dict[str, list[str]] = Field(
        description="what the caller may do: permission -> the places of the grants holding it ('*' everywhere); "
                    "permissions of modules the county switched off are left out. Menus are built from this.")
    appoint: list[AppointOut] = Field(description="whom the caller may appoint or remove, and where")
    roles: list[RoleOut] = Field(description="every role's names and level, in the order people think of them")
    sms_updates: bool = False


class Home(Out):
    me: Me
    modules: list[ModuleInfo] = Field(description="the module catalogue, as GET /modules lists it")
    parts: dict[str, dict] = Field(
        description="module id -> what the home shows of it, for the switched-on modules that have a part: "
                    "inbox {unread}, daily_report {forms: {household id: GET /reports/form's answer}, "
                    "today: {household id: GET /reports/today's answer}}")
