"""随手拍: photograph a problem in the village; the grid worker resolves it with an after photo."""

from ..core import tenancy as t
from ..core.modules import Module
from .casetype import SNAP

MODULE = Module(
    id="snaps", name="随手拍", name_en="Snap-and-report", icon="camera", packages=("chalicelib.snaps",),
    summary="拍照反映身边问题，直达网格员，办结有整改照片，村民评价",
    blueprints=("chalicelib.snaps.api",),
    permissions={
        # Grid staff see and handle their grid's; offices above see and handle all of theirs (escalations).
        "snaps.read": t.FIELD_ROLES,
        "snaps.handle": t.FIELD_ROLES - {t.GRID_INSTRUCTOR},
    },
    case_types=(SNAP,))
