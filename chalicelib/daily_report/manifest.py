"""每日上报: the daily household report, its alerts to the county command and the reminder chain (党员联户 links
live in chalicelib.party and belong to this module)."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="daily_report", name="每日上报", name_en="Daily report", icon="report",
    packages=("chalicelib.daily_report", "chalicelib.party"),
    summary="每户每天上报成员健康码与外来人员，红黄码即时推送县防疫指挥部",
    blueprints=("chalicelib.daily_report.api", "chalicelib.party.api", "chalicelib.daily_report.schedule"),
    permissions={
        # Completion, trends and the unreported list; 代报 by grid workers; the county's times; alerts.
        "reports.read": t.FIELD_ROLES | {t.EPIDEMIC_COMMAND, t.ORG_DEPARTMENT},
        "reports.proxy": t.GRID_ROLES - {t.GRID_INSTRUCTOR},
        "reports.settings": frozenset({t.COUNTY_ADMIN, t.EPIDEMIC_COMMAND}),
        "alerts.read": frozenset({t.EPIDEMIC_COMMAND, t.COUNTY_ADMIN}),
        "alerts.write": frozenset({t.EPIDEMIC_COMMAND}),
        # 党员联户: who links party members to households (at the household's grid), and the party member's own
        # linked households (their reminders and report status).
        "party.link": t.OFFICE_ROLES | {t.GRID_LEADER, t.GRID_WORKER},
        "party.duties": frozenset({t.PARTY_MEMBER}),
    },
    reactions=dict.fromkeys(("daily_report", "daily_report_day", "daily_report_alert"),
                            "chalicelib.daily_report.events"),
    topics=("alerts_topic",),
    schedules={"report_reminders": "every 5 minutes: the reminder chain's due stages"},
    jobs={"report_reminders": "chalicelib.daily_report.reminders"},
    home="chalicelib.daily_report.service:home")
