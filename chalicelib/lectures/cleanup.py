"""Removing a deleted video's HLS renditions (the on-demand job `lecture_renditions`).

A 2-hour class leaves about 5,000 objects under `{t}/lecture-hls/{cid}/{vid}/` (4 renditions of 6-second segments,
their playlists, the poster). The request that removes the video deletes its original and poster itself and submits
this job (core.jobs.submit, unit `{cid}.{vid}`), which lists the folder and deletes it: one ListObjectsV2 and one
DeleteObjects per 1,000 objects, in the jobs worker. A duplicate delivery finds nothing left to delete.
"""

from __future__ import annotations

import datetime as dt
import re

from ..core import files, jobs
from .transcode import hls_prefix

JOB = "lecture_renditions"
_UNIT = re.compile(r"^([0-9a-f]{12})\.([0-9a-f]{12})$")


def unit(cid: str, vid: str) -> str:
    return f"{cid}.{vid}"


@jobs.job(JOB, module=None)
def run(county: str, what: str | None, at: dt.datetime) -> str:
    m = _UNIT.match(what or "")
    if not m:
        return "skipped"
    files.delete_prefix(hls_prefix(county, *m.groups()))
    return "done"
