"""智慧招聘: verified employers post jobs; seekers keep a profile and a video résumé, apply, interview, get offers."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="recruitment", name="智慧招聘", name_en="Local jobs", icon="bag-o", packages=("chalicelib.recruitment",),
    summary="本地企业发布岗位，求职者录视频简历、投递、视频面试、在线录用",
    blueprints=("chalicelib.recruitment.api", "chalicelib.recruitment.video_api"),
    permissions={
        # Verify employers' accounts (business licence): the county.
        "recruitment.verify": frozenset({t.COUNTY_ADMIN}),
        # Post jobs, see applicants, invite, offer: verified employers.
        "recruitment.hire": frozenset({t.EMPLOYER}),
    },
    topics=("recruitment_topic",))
