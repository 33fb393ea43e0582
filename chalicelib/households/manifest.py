"""Platform: households and their members, the roster every module builds on, and its coverage."""

from ..core.modules import Module
from ..core.tenancy import EPIDEMIC_COMMAND, FIELD_ROLES, GRID_INSTRUCTOR, GRID_ROLES, ORG_DEPARTMENT, VILLAGE_ADMIN

MODULE = Module(
    id="households", name="户籍台账", name_en="Households", packages=("chalicelib.households",), switchable=False,
    blueprints=("chalicelib.households.api",),
    permissions={
        "households.read": FIELD_ROLES | {EPIDEMIC_COMMAND},
        "households.write": FIELD_ROLES - {GRID_INSTRUCTOR},
        "households.pii": GRID_ROLES | {VILLAGE_ADMIN},  # may see full ID and phone numbers, search by them
        "coverage.read": FIELD_ROLES | {EPIDEMIC_COMMAND, ORG_DEPARTMENT},
    })
