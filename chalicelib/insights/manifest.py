"""Platform: the analysis of what people raise (问题分析) for the county's offices: every case type by category ×
place × week, trends, hotspots, frequent words, anomaly flags, Excel exports."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="insights", name="问题分析", name_en="Case analysis", packages=("chalicelib.insights",), switchable=False,
    blueprints=("chalicelib.insights.api", "chalicelib.insights.schedule"),
    permissions={
        # The county's offices: the county admin and the county's read-only roles everywhere, a township official
        # for their township (and its villages). Aggregates only: no case, text or person is shown.
        "insights.read": frozenset({t.COUNTY_ADMIN, t.EPIDEMIC_COMMAND, t.ORG_DEPARTMENT, t.TOWNSHIP_OFFICIAL}),
    },
    reactions={"case_count": "chalicelib.insights.events", "case": "chalicelib.insights.events"},
    schedules={"insights_rollup": "nightly 02:40: the last 26 weeks' matrices rolled up again from the case counters"},
    jobs={"insights_rollup": "chalicelib.insights.rollup"})
