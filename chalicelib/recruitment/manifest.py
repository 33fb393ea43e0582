"""智慧招聘: verified employers post jobs; seekers keep a profile and a video résumé, apply, interview, get offers."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="recruitment", name="智慧招聘", name_en="Local jobs", icon="bag-o", packages=("chalicelib.recruitment",),
    summary="本地企业发布岗位，求职者录视频简历、投递、视频面试、在线录用",
    blueprints=("chalicelib.recruitment.api", "chalicelib.recruitment.video_api", "chalicelib.recruitment.schedule"),
    permissions={
        # Verify employers' accounts (business licence): the county.
        "recruitment.verify": frozenset({t.COUNTY_ADMIN}),
        # Post jobs, see applicants, invite, offer: verified employers.
        "recruitment.hire": frozenset({t.EMPLOYER}),
        # Keep a video résumé (recorded on the phone, uploaded in parts): any resident.
        "recruitment.seek": t.RESIDENT_ROLES,
    },
    topics=("recruitment_topic",),
    schedules={"recruitment_alerts": "every 5 minutes: new jobs' alerts to matching subscribers (inbox, SMS)"},
    jobs={"recruitment_alerts": "chalicelib.recruitment.alerts"})
