"""Platform: the case workflow every case module files through (always on; each case type belongs to a module
whose switch turns its cases off)."""

from ..core.modules import Module

MODULE = Module(
    id="cases", name="事项办理", name_en="Cases", packages=("chalicelib.cases",), switchable=False,
    blueprints=("chalicelib.cases.api", "chalicelib.cases.schedule"),
    reactions={"case": "chalicelib.cases.events"},
    schedules={"case_escalation": "every 15 minutes: overdue open cases move one level up"})
