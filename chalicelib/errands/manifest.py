"""网上代办: the county's administrative items applied for from the village, by the villager or on their behalf."""

from ..core import tenancy as t
from ..core.modules import Module
from ..core.tenancy import COUNTY_ADMIN
from .casetype import ERRAND

MODULE = Module(
    id="errands", name="网上代办", name_en="Online proxy services", icon="briefcase", packages=("chalicelib.errands",),
    summary="生育登记、老年优待证等事项在村里网上办，材料拍照上传，结果快递到家",
    blueprints=("chalicelib.errands.api",),
    permissions={
        # The catalogue is the county's: its administrators keep it (the departments' own lists, imported).
        "errands.configure": frozenset({COUNTY_ADMIN}),
        # Applications are private: the service points (village), the township and the county offices handle them.
        "errands.read": t.OFFICE_ROLES,
        "errands.handle": t.OFFICE_ROLES,
        # Apply on a household's behalf ("网点+网格"): the grid's workers and the village service point's clerk.
        "errands.proxy": frozenset({t.GRID_WORKER, t.GRID_WORKER_PART, t.GRID_LEADER, t.VILLAGE_ADMIN}),
    },
    case_types=(ERRAND,))
