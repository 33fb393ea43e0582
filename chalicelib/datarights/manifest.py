"""Platform: the county's data rights (数据权利): export all its data, retention of health reports and case
photos, the audit log of privileged reads. The county admin only."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="datarights", name="数据权利", name_en="Data rights", packages=("chalicelib.datarights",), switchable=False,
    blueprints=("chalicelib.datarights.api", "chalicelib.datarights.schedule"),
    permissions={"datarights.manage": frozenset({t.COUNTY_ADMIN})},
    schedules={"data_retention": "daily 03:10: reports and case photos past the county's periods deleted, old "
                                 "export zips deleted"},
    jobs={"data_retention": "chalicelib.datarights.retention", "county_export": "chalicelib.datarights.export"})
