"""通知公告: notices from the county, a township or a village to everyone in scope (or some places, or some roles)."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="notices", name="通知公告", name_en="Notices", icon="volume-o", packages=("chalicelib.notices",),
    summary="县、镇、村发布通知公告，紧急通知置顶提醒并短信告知",
    blueprints=("chalicelib.notices.api", "chalicelib.notices.schedule"),
    permissions={
        # County admin at the county, township official at a township, village admin at a village.
        "notices.publish": t.OFFICE_ROLES,
        # Read receipts (per place; a grid's unread households): the offices and the grid's workers.
        "notices.receipts": t.OFFICE_ROLES | t.GRID_ROLES,
    },
    topics=("broadcasts_topic",),
    schedules={"notice_sms": "every 10 minutes: urgent notices' SMS to households inactive for 7 days"},
    jobs={"notice_sms": "chalicelib.notices.sms"},
    home="chalicelib.notices.service:home")
