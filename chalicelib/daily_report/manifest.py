"""每日上报: the daily household report, its alerts to the county command and the reminder chain (党员联户 links
live in chalicelib.party and belong to this module)."""

from ..core.modules import Module

MODULE = Module(id="daily_report", name="每日上报", name_en="Daily report", icon="report",
                packages=("chalicelib.daily_report", "chalicelib.party"),
                summary="每户每天上报成员健康码与外来人员，红黄码即时推送县防疫指挥部")
