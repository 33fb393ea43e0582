"""党员先锋: party members' deeds, the points ledger and the party-building index (党建指数)."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="vanguard", name="党员先锋", name_en="Party vanguard", icon="flag-o", packages=("chalicelib.vanguard",),
    summary="党员晒实事、积分和党建指数排行，村民点赞评论",
    blueprints=("chalicelib.vanguard.api",),
    permissions={
        # Post deeds (and upload their photos): party members, at their village.
        "vanguard.post": frozenset({t.PARTY_MEMBER}),
        # Approve deeds and moderate comments: the village (its party secretary works as its admin) or above.
        "vanguard.approve": t.OFFICE_ROLES,
        # The points rules, awards (study, volunteer service) and corrections: the county's organisation department.
        "vanguard.rules": frozenset({t.ORG_DEPARTMENT, t.COUNTY_ADMIN}),
    },
    # Likes' points (and the daily report's answered reminders: events.py) are awarded from the stream.
    reactions={"vanguard_like": "chalicelib.vanguard.events"})
