"""Platform: the Open311 GeoReport v2 endpoint of each county (public reads of public case types; filing with an API
key the county admin issues to each client)."""

from ..core.modules import Module
from ..core.tenancy import COUNTY_ADMIN

MODULE = Module(
    id="open311", name="Open311 接口", name_en="Open311 GeoReport v2", packages=("chalicelib.open311",),
    switchable=False, blueprints=("chalicelib.open311.api",),
    permissions={
        "open311.keys": frozenset({COUNTY_ADMIN}),  # issue, list and revoke the county's client API keys
    })
