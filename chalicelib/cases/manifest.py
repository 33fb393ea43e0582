"""Platform: the case workflow every case module files through (always on; each case type belongs to a module
whose switch turns its cases off)."""

from ..core.modules import Module
from ..core.tenancy import COUNTY_ADMIN

MODULE = Module(
    id="cases", name="事项办理", name_en="Cases", packages=("chalicelib.cases",), switchable=False,
    blueprints=("chalicelib.cases.api", "chalicelib.cases.schedule"),
    permissions={"cases.configure": frozenset({COUNTY_ADMIN})},  # the county's categories of each case type
    reactions={"case": "chalicelib.cases.events", "case_event": "chalicelib.cases.events"},
    schedules={"case_escalation": "every 15 minutes: overdue open cases move one level up"},
    jobs={"case_escalation": "chalicelib.cases.schedule"})
