"""Sign-in routes: request a code, exchange it for tokens, refresh, switch county, sign out, who am I."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import SIGNED_IN, Call, endpoint
from ..core.lazy import lazy_module

counties = lazy_module("..core.counties", __package__)
pii = lazy_module("..core.pii", __package__)
service = lazy_module("..core.auth.service", __package__)
places = lazy_module("..places.service", __package__)

bp = Blueprint(__name__)
TAGS = ("sign-in",)


@endpoint(bp, "/auth/code", "POST", name="request_code", summary="Send a 6-digit sign-in code by SMS",
          body=".schemas:CodeRequest", response=".schemas:CodeSent", status=202, public=True, tags=TAGS)
def request_code(call: Call):
    return service.request_code(call.body.phone, call.client_ip)


@endpoint(bp, "/auth/token", "POST", name="sign_in", summary="Exchange phone + code for tokens",
          body=".schemas:TokenRequest", response=".schemas:Session", public=True, tags=TAGS)
def sign_in(call: Call):
    return service.sign_in(call.body.phone, call.body.code, call.body.tenant, client_id=call.client_ip)


@endpoint(bp, "/auth/refresh", "POST", name="refresh", summary="Rotate a refresh token for new tokens",
          body=".schemas:RefreshRequest", response=".schemas:Session", public=True, tags=TAGS)
def refresh(call: Call):
    return service.refresh(call.body.refresh_token)


@endpoint(bp, "/auth/signout", "POST", name="sign_out", summary="Revoke a refresh token",
          body=".schemas:RefreshRequest", status=204, public=True, tags=TAGS)
def sign_out(call: Call):
    service.sign_out(call.body.refresh_token)


@endpoint(bp, "/auth/switch", "POST", permission=SIGNED_IN,
          name="switch_county", summary="Open a session in another county I belong to",
          body=".schemas:SwitchRequest", response=".schemas:Session", tags=TAGS)
def switch(call: Call):
    return service.switch(call.ctx, call.body.tenant)


def _grants_out(ctx) -> list[dict]:
    """Grants with the names of their places (one BatchGet)."""
    from ..core.tenancy import ROLE_NAMES_ZH

    names = places.names(ctx.tenant_id, [g.place for g in ctx.grants if g.place != ctx.tenant_id])
    names[ctx.tenant_id] = service.county_name(ctx.tenant_id)
    return [{"role": g.role, "role_name": ROLE_NAMES_ZH.get(g.role, g.role), "place": g.place,
             "place_name": names.get(g.place), "household": g.household or None} for g in ctx.grants]


def _roles() -> list[dict]:
    from ..core.tenancy import ROLE_LEVEL, ROLE_NAMES_EN, ROLE_NAMES_ZH, ROLE_ORDER

    return [{"id": r, "name": ROLE_NAMES_ZH[r], "name_en": ROLE_NAMES_EN[r], "level": ROLE_LEVEL.get(r)}
            for r in ROLE_ORDER]


def _permissions(ctx, enabled: list[str] | None) -> dict[str, list[str]]:
    """Permission -> topmost places, leaving out the permissions of switchable modules the county has off."""
    from ..core import modules
    from ..core.tenancy import PERMISSION_OWNER

    switchable = modules.ids()
    return {p: places for p, places in ctx.permission_places().items()
            if enabled is None or PERMISSION_OWNER.get(p) not in switchable or PERMISSION_OWNER[p] in enabled}


@endpoint(bp, "/me", "GET", permission=SIGNED_IN, name="me", tags=TAGS, response=".schemas:Me",
          summary="Who am I: county, roles and places, switched-on modules, what I may do where, whom I may appoint")
def me(call: Call):
    return _me(call.ctx)[0]


def _me(ctx) -> tuple[dict, list[str]]:
    """/me's answer, and the county's switched-on modules."""
    enabled: list[str] = []
    ms = service.memberships(ctx.identity)
    names = {m.tenant: service.county_name(m.tenant) for m in ms}
    out = {"tenant": ctx.tenant_id or None, "county_name": None, "user_id": ctx.user_id or None, "name": None,
           "phone": None, "grants": [], "modules": [],
           "memberships": [{"tenant": t, "name": n} for t, n in names.items()],
           "permissions": {}, "appoint": [], "roles": _roles(), "sms_updates": False}
    if ctx.tenant_id:
        user = service.get_user(ctx.tenant_id, ctx.user_id)
        county = counties.get(ctx.tenant_id)
        enabled = counties.enabled_modules(county)
        out.update(county_name=service.county_name(ctx.tenant_id), name=user.name, sms_updates=bool(user.sms_updates),
                   phone=user.phone_mask or pii.mask_phone(pii.decrypt(ctx.tenant_id, user.phone_enc)),
                   modules=enabled, grants=_grants_out(ctx),
                   permissions=_permissions(ctx, None if ctx.is_operator else enabled),
                   appoint=ctx.appointable())
    return out, enabled


@endpoint(bp, "/home", "GET", permission=SIGNED_IN, name="home", tags=TAGS, response=".schemas:Home",
          summary="Everything the phone's home needs in one call: /me, the module catalogue, and each switched-on "
                  "module's part (the inbox's unread count, today's report of my households)")
def home(call: Call):
    from ..core import modules

    out, enabled = _me(call.ctx)
    return {"me": out, "modules": [m.to_json() for m in modules.catalogue()],
            "parts": modules.home_parts(call.ctx, out, enabled) if call.ctx.tenant_id else {}}


@endpoint(bp, "/me/settings", "PUT", permission=SIGNED_IN,
          name="my_settings", tags=TAGS, body=".schemas:SettingsIn", response=".schemas:Me",
          summary="My settings: SMS when a case I filed changes status")
def settings(call: Call):
    from ..core.db import save_versioned

    ctx = call.ctx
    ctx.require_tenant()
    user = service.get_user(ctx.tenant_id, ctx.user_id)
    user.sms_updates = call.body.sms_updates
    save_versioned(user, "设置")  # two devices changing it at once: one wins, the other is told (409)
    return me(call)
