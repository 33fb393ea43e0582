"""Interviews: rooms at a set time, QR admission, and two-party WebRTC video with signalling through the API."""

from ..core.modules import Module

MODULE = Module(
    id="interviews", name="视频面试", name_en="Interviews", packages=("chalicelib.interviews",), switchable=False,
    blueprints=("chalicelib.interviews.api", "chalicelib.interviews.channels"),
    permissions={},
    schedules={"interview_channels": "daily at 03:30: past rooms' signalling channels deleted (ICE provider kvs)"},
    jobs={"interview_channels": "chalicelib.interviews.channels"})
