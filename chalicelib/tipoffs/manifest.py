"""疫情举报: tip-offs about returnees and gatherings, handled by the village."""

from ..core.modules import Module
from ..core.tenancy import EPIDEMIC_COMMAND, OFFICE_ROLES
from .casetype import TIPOFF

MODULE = Module(
    id="tipoffs", name="疫情举报", name_en="Epidemic tip-offs", icon="alert", packages=("chalicelib.tipoffs",),
    summary="举报返乡人员与聚集活动，可匿名，村里处置并转报县防疫指挥部",
    blueprints=("chalicelib.tipoffs.api",),
    permissions={
        # A tip-off belongs to a village, which handles it (offices above may too); the county command sees all.
        # Grid staff are told to check by the village, not given the reporter's words.
        "tipoffs.read": OFFICE_ROLES | {EPIDEMIC_COMMAND},
        "tipoffs.handle": OFFICE_ROLES | {EPIDEMIC_COMMAND},
    },
    topics=("alerts_topic",),  # new tip-offs are forwarded by the case workflow (cases/events.py)
    case_types=(TIPOFF,))
