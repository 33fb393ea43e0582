"""紧急招募令: urgent volunteer calls from a township or village, first come first served, with a waiting list."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="volunteers", name="紧急招募令", name_en="Volunteer calls", icon="friends-o",
    packages=("chalicelib.volunteers",),
    summary="乡镇、村发布紧急招募，志愿者先到先得报名、候补递补、扫码签到",
    blueprints=("chalicelib.volunteers.api", "chalicelib.volunteers.schedule"),
    permissions={
        # Post calls, see and export rosters, check people in, record hours: the offices, at their place and below.
        "volunteers.organise": t.OFFICE_ROLES,
    },
    schedules={"volunteer_broadcast": "every 2 minutes: new calls to the volunteers in scope (inbox and SMS)"},
    jobs={"volunteer_broadcast": "chalicelib.volunteers.broadcast"})
