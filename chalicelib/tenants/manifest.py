"""Platform: counties (tenants), onboarding and module switches, run by the platform operator."""

from ..core.modules import Module
from ..core.tenancy import EPIDEMIC_COMMAND, OFFICE_ROLES, ORG_DEPARTMENT, PLATFORM_OPERATOR

MODULE = Module(
    id="tenants", name="县开通", name_en="Counties", packages=("chalicelib.tenants",), switchable=False,
    blueprints=("chalicelib.tenants.api",),
    permissions={
        "tenant.read": OFFICE_ROLES | {EPIDEMIC_COMMAND, ORG_DEPARTMENT},  # the county's own settings
        "tenants.admin": frozenset({PLATFORM_OPERATOR}),
    })
