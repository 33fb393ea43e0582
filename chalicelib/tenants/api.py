"""Platform operator: onboard counties, disable/enable them, switch modules per county."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("counties",)


def _out(c) -> dict:
    from ..core.counties import enabled_modules

    return {"code": c.code, "name": c.name, "status": c.status, "modules": enabled_modules(c), "contact": c.contact,
            "created_at": c.created_at, "updated_at": c.updated_at}


@endpoint(bp, "/counties", "POST", name="onboard_county", summary="Onboard a county (tenant) with its first admin",
          body=".schemas:OnboardCounty", response=".schemas:CountyOut", status=201, idempotent=True,
          permission="tenants.admin", tags=TAGS)
def onboard(call: Call):
    b = call.body
    return _out(service.onboard(call.ctx, b.code, b.name, b.admin_phone, b.admin_name, b.modules, b.contact))


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


@endpoint(bp, "/counties/{code}", "PATCH", name="edit_county", summary="Change a county's name or service contact",
          body=".schemas:CountyEdit", response=".schemas:CountyOut", permission="tenants.admin", tags=TAGS)
def edit_county(call: Call):
    changes = call.body.model_dump(exclude_none=True)
    return _out(service.edit(call.ctx, call.params["code"], **changes))


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


@endpoint(bp, "/modules", "GET", name="list_modules", summary="The module catalogue: every module that is built",
          response=".schemas:ModuleCatalogue", public=True, tags=TAGS)
def list_modules(call: Call):
    from ..core import modules

    return {"items": [m.to_json() for m in modules.catalogue()]}
