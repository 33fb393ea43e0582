"""专题授课: training videos (long lectures uploaded by the offices, watched on phones, party study points)."""

from ..core import tenancy as t
from ..core.modules import Module

MODULE = Module(
    id="lectures", name="专题授课", name_en="Training videos", icon="video-o", packages=("chalicelib.lectures",),
    summary="县、乡镇上传专题讲座视频，村民手机观看、断点续看，党员学习完成计入积分",
    blueprints=("chalicelib.lectures.api", "chalicelib.lectures.events"),
    jobs={"lecture_renditions": "chalicelib.lectures.cleanup"},
    permissions={
        # Make courses, upload their videos (up to 2 GB each), publish, moderate comments, read the numbers: the
        # county's and townships' offices, and the county's organisation department (it runs 党员学习). Not the
        # villages: lectures are organised for many villages at once, and each upload costs storage and transcoding.
        "lectures.publish": frozenset({t.COUNTY_ADMIN, t.TOWNSHIP_OFFICIAL, t.ORG_DEPARTMENT}),
    })
