"""红黑榜: courtyard hygiene and garbage-sorting scores per household, a monthly board per village."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="boards", name="红黑榜", name_en="Red/black boards", icon="medal-o", packages=("chalicelib.boards",),
    summary="庭院卫生、垃圾分类按户评分，每月按村公布红榜和黑榜",
    blueprints=("chalicelib.boards.api",),
    permissions={
        # The county sets the criteria (names, weights, maximum scores).
        "boards.configure": frozenset({t.COUNTY_ADMIN}),
        # Inspectors score households of their place (grid roles: their grid; the village admin: the village) and
        # read their village's draft.
        "boards.inspect": t.GRID_ROLES | {t.VILLAGE_ADMIN},
        # Cadres of the village or above publish its board, set its settings and decide appeals.
        "boards.approve": t.OFFICE_ROLES,
    })
