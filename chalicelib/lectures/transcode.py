"""Transcoding of lecture videos for phones on weak signals: a port with two adapters, chosen by
settings().transcoder (as chalicelib/interviews/ice.py chooses its ICE servers).

- "none" (local, tests, and stacks in regions without MediaConvert): nothing is made; the original file plays, and
  since S3 answers Range requests (206) a phone fetches only what it plays and seeks without downloading the file.
- "mediaconvert" (AWS Elemental MediaConvert, where the region has it: services.py REGIONAL_RUNTIME_SERVICES):
  completing an upload creates one job (`job_settings`): HLS renditions 1080p / 720p / 480p and a 270p one at about
  200 kbps (136 kbps video + 64 kbps mono AAC: speech stays clear when the picture is small), 6-second segments, and
  a poster frame (JPEG). The job carries {app, stage, tenant, video} as user metadata; its completion comes as the
  EventBridge event "MediaConvert Job State Change" (COMPLETE or ERROR) to `events.py` (a Chalice handler), which
  marks the video ready with its playlist and poster, or failed (the original still plays).

Calls: one CreateJob per uploaded video (the regional endpoint: botocore resolves it, no DescribeEndpoints).
"""

from __future__ import annotations

from typing import Protocol

from ..core.config import settings

APP = "cunqingtong"
# (name modifier, width, height, max video bitrate, audio bitrate, audio channels): 16:9 boxes; a source of another
# shape fits inside them (FIT_NO_UPSCALE: a 720p source is not blown up to 1080p).
RENDITIONS = (
    ("_1080p", 1920, 1080, 5_000_000, 128_000, "CODING_MODE_2_0"),
    ("_720p", 1280, 720, 2_500_000, 128_000, "CODING_MODE_2_0"),
    ("_480p", 854, 480, 1_000_000, 96_000, "CODING_MODE_2_0"),
    ("_270p", 480, 270, 136_000, 64_000, "CODING_MODE_1_0"),
)
SEGMENT_S = 6


def hls_prefix(tenant: str, cid: str, vid: str) -> str:
    return f"{tenant}/lecture-hls/{cid}/{vid}/"


class Transcoder(Protocol):
    name: str

    def submit(self, tenant: str, cid: str, vid: str, s3_key: str) -> dict:
        """Start making the renditions: {"status": "ready" | "processing", "job_id": str | None}."""


class NoTranscode:
    """Local: the original plays (HTTP range requests)."""

    name = "none"

    def submit(self, tenant: str, cid: str, vid: str, s3_key: str) -> dict:
        return {"status": "ready", "job_id": None}


def _rendition(modifier: str, width: int, height: int, bitrate: int, audio: int, channels: str) -> dict:
    return {
        "NameModifier": modifier,
        "ContainerSettings": {"Container": "M3U8", "M3u8Settings": {}},
        "VideoDescription": {
            "Width": width, "Height": height, "ScalingBehavior": "FIT_NO_UPSCALE",
            "CodecSettings": {"Codec": "H_264", "H264Settings": {
                "RateControlMode": "QVBR", "MaxBitrate": bitrate, "QvbrSettings": {"QvbrQualityLevel": 7},
                "GopSize": 2.0, "GopSizeUnits": "SECONDS", "CodecProfile": "MAIN",
                "SceneChangeDetect": "TRANSITION_DETECTION"}}},
        "AudioDescriptions": [{"CodecSettings": {"Codec": "AAC", "AacSettings": {
            "Bitrate": audio, "CodingMode": channels, "SampleRate": 48000}}}],
    }


def job_settings(bucket: str, s3_key: str, prefix: str) -> dict:
    """CreateJob's Settings: the original in, HLS renditions and one poster frame out under `prefix`."""
    return {
        "TimecodeConfig": {"Source": "ZEROBASED"},
        "Inputs": [{"FileInput": f"s3://{bucket}/{s3_key}", "TimecodeSource": "ZEROBASED",
                    "AudioSelectors": {"Audio Selector 1": {"DefaultSelection": "DEFAULT"}}}],
        "OutputGroups": [
            {"Name": "HLS", "OutputGroupSettings": {"Type": "HLS_GROUP_SETTINGS", "HlsGroupSettings": {
                "Destination": f"s3://{bucket}/{prefix}index", "SegmentLength": SEGMENT_S, "MinSegmentLength": 0,
                "SegmentControl": "SEGMENTED_FILES", "DirectoryStructure": "SINGLE_DIRECTORY",
                "ManifestDurationFormat": "INTEGER"}},
             "Outputs": [_rendition(*r) for r in RENDITIONS]},
            {"Name": "Poster", "OutputGroupSettings": {"Type": "FILE_GROUP_SETTINGS", "FileGroupSettings": {
                "Destination": f"s3://{bucket}/{prefix}poster"}},
             "Outputs": [{"ContainerSettings": {"Container": "RAW"}, "VideoDescription": {
                 "Width": 640, "Height": 360, "ScalingBehavior": "FIT_NO_UPSCALE",
                 "CodecSettings": {"Codec": "FRAME_CAPTURE", "FrameCaptureSettings": {
                     "FramerateNumerator": 1, "FramerateDenominator": 10, "MaxCaptures": 1, "Quality": 80}}}}]},
        ],
    }


class MediaConvert:
    """AWS Elemental MediaConvert: one job per video, its completion an EventBridge event (events.py)."""

    name = "mediaconvert"

    def __init__(self, client=None, role_arn: str | None = None):
        self._client = client
        self._role = role_arn

    def client(self):
        if self._client is None:
            from ..core.aws import client

            self._client = client("mediaconvert")
        return self._client

    def submit(self, tenant: str, cid: str, vid: str, s3_key: str) -> dict:
        s = settings()
        job = self.client().create_job(
            Role=self._role or s.mediaconvert_role_arn,
            Settings=job_settings(s.media_bucket, s3_key, hls_prefix(tenant, cid, vid)),
            UserMetadata={"app": APP, "stage": s.stage, "tenant": tenant, "video": vid},
            StatusUpdateInterval="SECONDS_60", Priority=0)
        return {"status": "processing", "job_id": job["Job"]["Id"]}


def outcome(detail: dict) -> dict | None:
    """What a "MediaConvert Job State Change" event's detail says of one of this stage's lecture videos:
    {tenant, video, job_id, status: ready | failed, hls_key?, poster_key?, duration_s?, error?}; None for a job of
    another app or stage, or a state that is not final."""
    meta = detail.get("userMetadata") or {}
    if meta.get("app") != APP or meta.get("stage") != settings().stage or not meta.get("tenant"):
        return None
    out = {"tenant": meta["tenant"], "video": meta.get("video", ""), "job_id": detail.get("jobId", "")}
    if detail.get("status") == "ERROR":
        return {**out, "status": "failed", "error": f"{detail.get('errorCode', '')} {detail.get('errorMessage', '')}"
                                                     .strip()[:300]}
    if detail.get("status") != "COMPLETE":
        return None
    bucket = f"s3://{settings().media_bucket}/"
    hls = poster = None
    duration_ms = 0
    for group in detail.get("outputGroupDetails") or []:
        if group.get("type") == "HLS_GROUP":
            hls = next(iter(group.get("playlistFilePaths") or []), None)
        for o in group.get("outputDetails") or []:
            duration_ms = max(duration_ms, int(o.get("durationInMs") or 0))
            if group.get("type") == "FILE_GROUP" and o.get("outputFilePaths"):
                poster = o["outputFilePaths"][0]
    strip = (lambda p: p[len(bucket):] if p and p.startswith(bucket) else None)  # noqa: E731
    return {**out, "status": "ready", "hls_key": strip(hls), "poster_key": strip(poster),
            "duration_s": round(duration_ms / 1000) or None}


_provider: Transcoder | None = None


def provider() -> Transcoder:
    global _provider
    if _provider is None:
        _provider = MediaConvert() if settings().transcoder == "mediaconvert" else NoTranscode()
    return _provider


def set_provider(p: Transcoder | None) -> None:
    """Tests: use this adapter (None: the configured one again)."""
    global _provider
    _provider = p
