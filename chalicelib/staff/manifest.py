"""Platform: staff posts (invite by phone, remove); who may appoint whom is core.tenancy.CAN_INVITE."""

from ..core.modules import Module
from ..core.tenancy import GRID_LEADER, OFFICE_ROLES, STAFF_WRITE_ROLES

MODULE = Module(
    id="staff", name="人员管理", name_en="Staff", packages=("chalicelib.staff",), switchable=False,
    blueprints=("chalicelib.staff.api",),
    permissions={
        "staff.read": OFFICE_ROLES | {GRID_LEADER},
        "staff.write": STAFF_WRITE_ROLES,
    })
