"""Platform: the county's places (townships, villages, grids)."""

from ..core.modules import Module
from ..core.tenancy import CHECKPOINT, EPIDEMIC_COMMAND, FIELD_ROLES, OFFICE_ROLES, ORG_DEPARTMENT

MODULE = Module(
    id="places", name="区划与网格", name_en="Places", packages=("chalicelib.places",), switchable=False,
    blueprints=("chalicelib.places.api",),
    permissions={
        "places.read": FIELD_ROLES | {EPIDEMIC_COMMAND, ORG_DEPARTMENT, CHECKPOINT},
        "places.write": OFFICE_ROLES,
    })
