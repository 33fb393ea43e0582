"""村民信箱: letters to the village leaders or the township, answered in a thread."""

from ..core import tenancy as t
from ..core.modules import Module
from .casetype import LETTER

MODULE = Module(
    id="mailbox", name="村民信箱", name_en="Villagers' mailbox", icon="mail", packages=("chalicelib.letters",),
    summary="给村两委或乡镇写信，可匿名，3个工作日内答复，超时自动转交上级",
    blueprints=("chalicelib.letters.api",),
    permissions={
        # Private: the village's and township's offices (and the county above them) only; never grid staff.
        "letters.read": t.OFFICE_ROLES,
        "letters.handle": t.OFFICE_ROLES,
    },
    case_types=(LETTER,))
