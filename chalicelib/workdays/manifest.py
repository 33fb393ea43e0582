"""Platform: the county's working-day calendar (工作日历), which deadlines in working days are computed with."""

from ..core.modules import Module
from ..core.tenancy import COUNTY_ADMIN, EPIDEMIC_COMMAND, OFFICE_ROLES, ORG_DEPARTMENT

MODULE = Module(
    id="workdays", name="工作日历", name_en="Working-day calendar", packages=("chalicelib.workdays",),
    switchable=False, blueprints=("chalicelib.workdays.api",),
    permissions={
        "workdays.read": OFFICE_ROLES | {EPIDEMIC_COMMAND, ORG_DEPARTMENT},
        "workdays.write": frozenset({COUNTY_ADMIN}),
    })
