"""Platform operator: onboard counties, disable/enable them, switch modules per county."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("counties",)


def _out(c) -> dict:
    return {"code": c.code, "name": c.name, "status": c.status, "modules": list(c.modules),
            "created_at": c.created_at, "updated_at": c.updated_at}


@endpoint(bp, "/counties", "POST", name="onboard_county", summary="Onboard a county (tenant) with its first admin",
          body=".schemas:OnboardCounty", response=".schemas:CountyOut", status=201, idempotent=True,
          permission="tenants.admin", tags=TAGS)
def onboard(call: Call):
    b = call.body
    return _out(service.onboard(call.ctx, b.code, b.name, b.admin_phone, b.admin_name, b.modules))


@endpoint(bp, "/counties", "GET", name="list_counties", summary="List counties", query=".schemas:CountyQuery",
          response=".schemas:CountyPage", permission="tenants.admin", tags=TAGS)
def list_counties(call: Call):
    q = call.query
    page = service.list_counties(call.ctx, q.limit, q.cursor, q.status)
    return {"items": [_out(c) for c in page["items"]], "next_cursor": page["next_cursor"]}


@endpoint(bp, "/counties/{code}", "GET", name="get_county", summary="One county", response=".schemas:CountyOut",
          permission="tenants.admin", tags=TAGS)
def get_county(call: Call):
    return _out(service.get(call.ctx, call.params["code"]))


@endpoint(bp, "/counties/{code}/disable", "POST", name="disable_county",
          summary="Disable a county: its users get 403, its data stays", response=".schemas:CountyOut",
          permission="tenants.admin", tags=TAGS)
def disable(call: Call):
    return _out(service.set_status(call.ctx, call.params["code"], "disabled"))


@endpoint(bp, "/counties/{code}/enable", "POST", name="enable_county", summary="Re-enable a county",
          response=".schemas:CountyOut", permission="tenants.admin", tags=TAGS)
def enable(call: Call):
    return _out(service.set_status(call.ctx, call.params["code"], "active"))


@endpoint(bp, "/counties/{code}/modules", "PUT", name="set_county_modules",
          summary="Switch modules on/off for a county", body=".schemas:ModuleSwitches", response=".schemas:CountyOut",
          permission="tenants.admin", tags=TAGS)
def set_modules(call: Call):
    return _out(service.set_modules(call.ctx, call.params["code"], call.body.modules))


@endpoint(bp, "/modules", "GET", name="list_modules", summary="The module catalogue",
          response=".schemas:ModuleCatalogue", public=True, tags=TAGS)
def list_modules(call: Call):
    from ..core.counties import BUILT_MODULES, MODULES

    return {"items": [{"id": k, "name": v, "built": k in BUILT_MODULES} for k, v in MODULES.items()]}
