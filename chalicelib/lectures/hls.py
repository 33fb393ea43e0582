"""Serving a transcoded video's HLS renditions (transcode.py made them under `{t}/lecture-hls/{cid}/{vid}/`).

The media bucket is private and a player fetches the playlists and every segment itself, without our bearer token
(Safari's native HLS sends no headers; hls.js could, but the two must behave alike). So the video's answer
(service.video) carries a playback token, and the public route `GET /lectures/hls/{token}/{rendition}` answers a
playlist read from S3 and rewritten:
- the master playlist (`index`): each variant's URI becomes the bare rendition name (`index_270p`), which the
  player resolves against the master's URL: the same route and token;
- a variant playlist: each segment's URI (and an `EXT-X-MAP` / `EXT-X-KEY` URI) becomes a presigned S3 GET that
  lives as long as the token (signed locally: no AWS call).

The token is `{tenant}-{cid}-{vid}-{expiry in base 36}` followed by the 22-character MAC of core/signed.py under its
own purpose: at most 64 URL-safe characters, one path segment, naming no person. A token of one county can only
ever read that county's objects (the S3 read runs inside the county's fence). It is valid for the video's length
plus an hour, at most 6 hours, like the original's presigned GET; a county suspended or with 专题授课 switched off
serves no playlist (403), as its signed-in routes refuse. Cost per playlist fetch: one S3 GetObject, and the county
record (cached in-process for seconds); a viewer fetches the master and one variant, a second one when the player
switches rendition.
"""

from __future__ import annotations

import re

from ..core import clock, counties, fence, files, signed
from ..core.errors import Forbidden, NotFound
from .transcode import hls_prefix

PURPOSE = b"lecture-hls"
MODULE = "lectures"
MAC_LEN = 22
_TOKEN = re.compile(r"^([0-9A-Za-z]{1,16})-([0-9a-f]{12})-([0-9a-f]{12})-([0-9a-z]{1,8})$")
_RENDITION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")  # MediaConvert's SINGLE_DIRECTORY names: index_270p_00001.ts
_URI_ATTR = re.compile(r'URI="([^"]*)"')
MEDIA_TYPE = "application/vnd.apple.mpegurl"
MAX_PLAYLIST = 1 << 20  # a 2-hour variant of 6-second segments is about 60 KB
MIN_LEFT_S = 60  # a segment URL lives at least this long, even from a token about to expire


def token(tenant: str, cid: str, vid: str, expires_at: int) -> str:
    payload = f"{tenant}-{cid}-{vid}-{signed.b36(expires_at)}"
    return payload + signed.mac(PURPOSE, payload)


def _open(tok: str) -> tuple[str, str, str, int]:
    """(tenant, cid, vid, expires_at) of a valid token: 404 for anything forged or malformed, 403 once expired."""
    payload, mac = tok[:-MAC_LEN], tok[-MAC_LEN:]
    m = _TOKEN.match(payload)
    if len(tok) <= MAC_LEN or not m or not signed.valid(PURPOSE, f"{payload}.{mac}"):
        raise NotFound("找不到该视频")
    tenant, cid, vid, exp = m.groups()
    expires_at = int(exp, 36)
    if expires_at <= int(clock.now().timestamp()):
        raise Forbidden("播放链接已过期，请重新打开视频", code="playback_expired")
    return tenant, cid, vid, expires_at


def master_name(hls_key: str) -> str:
    """The rendition name of a video's master playlist key (`…/index.m3u8` → `index`)."""
    return hls_key.rpartition("/")[2].removesuffix(".m3u8")


def _rewrite(text: str, prefix: str, expires: int) -> str:
    """The playlist with its URIs made playable: another playlist → its bare rendition name (this route again), a
    segment → a presigned GET. A URI that is absolute or leaves the video's folder is refused (404)."""

    def uri(u: str) -> str:
        if u.endswith(".m3u8"):
            name = u.removesuffix(".m3u8")
            if not _RENDITION.match(name):
                raise NotFound("找不到该视频")
            return name
        if not _SEGMENT.match(u) or u.startswith("."):
            raise NotFound("找不到该视频")
        return files.download_url(prefix + u, expires=expires)

    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            out.append(_URI_ATTR.sub(lambda m: f'URI="{uri(m.group(1))}"', s) if 'URI="' in s else s)
        else:
            out.append(uri(s))
    return "\n".join(out) + "\n"


def playlist(tok: str, rendition: str) -> str:
    """The rewritten playlist `rendition` of the token's video (404: no such playlist, e.g. a video deleted)."""
    tenant, cid, vid, expires_at = _open(tok)
    if not _RENDITION.match(rendition):
        raise NotFound("找不到该视频")
    # What the route layer checks for a signed-in caller: the county is active and has 专题授课 switched on (the
    # county record is cached in-process for seconds: no call on most playlist fetches).
    county = counties.require_active(tenant)
    if MODULE not in counties.enabled_modules(county):
        raise Forbidden("本县未开通该功能", code="module_disabled", details={"module": MODULE})
    prefix = hls_prefix(tenant, cid, vid)
    left = max(MIN_LEFT_S, expires_at - int(clock.now().timestamp()))
    with fence.scope(tenant if fence.enabled() else None):
        text = files.read_text(prefix + rendition + ".m3u8", MAX_PLAYLIST)
        if text is None:
            raise NotFound("找不到该视频")
        return _rewrite(text, prefix, left)
