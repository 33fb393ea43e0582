"""Platform: the county back office (县级后台) — usage quality per township, per month and quarter, and the quarterly
party-building report (季度党建报表) as an Excel workbook made by a background job."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="backoffice", name="县级后台", name_en="County back office", packages=("chalicelib.backoffice",),
    switchable=False,
    blueprints=("chalicelib.backoffice.api", "chalicelib.backoffice.schedule"),
    permissions={
        # The quality page: the county's offices that answer for the whole county (the big-data bureau's admin,
        # the organisation department, the epidemic command: read-only county roles) see every township; a township
        # official sees their own township's row (and its totals), nobody below a township.
        "backoffice.read": frozenset({t.COUNTY_ADMIN, t.ORG_DEPARTMENT, t.EPIDEMIC_COMMAND, t.TOWNSHIP_OFFICIAL}),
        # The quarterly party-building report covers the whole county and is the organisation department's return:
        # that department and the county admin make and download it (held at the county's place only).
        "backoffice.report": frozenset({t.COUNTY_ADMIN, t.ORG_DEPARTMENT}),
    },
    schedules={"quality_rollup": "nightly 00:20 Asia/Shanghai: each township's daily-report counters of the last two "
                                 "days into its month item (one item per township-month)"},
    jobs={"quality_rollup": "chalicelib.backoffice.schedule", "quarterly_report": "chalicelib.backoffice.report"})
