"""ICE servers for an interview room's two browsers: a port with two adapters, chosen by settings().ice_provider.

- "none" (local, tests): no servers. Two browsers on one machine connect through their host candidates on
  127.0.0.1 (no internet, no STUN/TURN).
- "kvs": Amazon Kinesis Video Streams WebRTC, in both partitions. One signalling channel per room (named
  `cqt-{stage}-{tenant}-{room}`, made on first use); GetSignalingChannelEndpoint (HTTPS, as master) and
  GetIceServerConfig (TURN) give TURN URIs with short-lived credentials; KVS's STUN server is added. The signalling
  itself stays on our API (chalicelib/interviews/signals.py): the channel serves only TURN.

Calls: the first ask for a room in a container costs CreateSignalingChannel (DescribeSignalingChannel when it
exists), GetSignalingChannelEndpoint and GetIceServerConfig; the channel's ARN and endpoint are then kept in the
container (ICE credentials are not: they expire, Ttl ≈ 5 minutes).

Channels do not outlive their interviews: the daily job `interview_channels` (channels.py) sweeps a county's
channels made more than KEEP_HOURS ago (ListSignalingChannels by the county's name prefix, DeleteSignalingChannel
each), so an account's channel quota is never filled by past rooms. A room entered again after its sweep gets a
new channel (a container still holding the old one's ARN learns it is gone and makes it again).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol

from ..core.config import settings

KEEP_HOURS = 24  # a room's channel is swept this long after it was made (an interview lasts an hour or two)


class IceProvider(Protocol):
    def servers(self, tenant: str, room: str, client_id: str) -> list[dict]:
        """RTCIceServer dicts: {"urls": [...], "username"?, "credential"?}."""

    def sweep(self, tenant: str, before: dt.datetime) -> int:
        """Delete the county's room resources made before `before`; returns how many."""


class NoIce:
    """Local: no STUN/TURN (loopback host candidates)."""

    def servers(self, tenant: str, room: str, client_id: str) -> list[dict]:
        return []

    def sweep(self, tenant: str, before: dt.datetime) -> int:
        return 0


class KvsIce:
    """Kinesis Video Streams WebRTC's STUN/TURN, one signalling channel per room."""

    def __init__(self, video_client=None, signaling_client_for=None):
        self._video = video_client
        self._signaling_for = signaling_client_for
        self._channels: dict[str, tuple[str, str]] = {}  # channel name -> (ARN, HTTPS endpoint)
        self._lock = threading.Lock()

    def video(self):
        if self._video is None:
            from ..core.aws import client

            self._video = client("kinesisvideo")
        return self._video

    def signaling(self, endpoint: str):
        if self._signaling_for is not None:
            return self._signaling_for(endpoint)
        from ..core import aws

        with aws.lock:
            return aws.session().create_client("kinesis-video-signaling", region_name=settings().region,
                                               endpoint_url=endpoint)

    @staticmethod
    def channel_name(tenant: str, room: str) -> str:
        return f"cqt-{settings().stage}-{tenant}-{room}"

    def channel(self, tenant: str, room: str) -> tuple[str, str]:
        name = self.channel_name(tenant, room)
        known = self._channels.get(name)
        if known:
            return known
        kvs = self.video()
        try:
            arn = kvs.create_signaling_channel(ChannelName=name, ChannelType="SINGLE_MASTER",
                                               SingleMasterConfiguration={"MessageTtlSeconds": 60})["ChannelARN"]
        except kvs.exceptions.ResourceInUseException:
            arn = kvs.describe_signaling_channel(ChannelName=name)["ChannelInfo"]["ChannelARN"]
        endpoints = kvs.get_signaling_channel_endpoint(
            ChannelARN=arn, SingleMasterChannelEndpointConfiguration={"Protocols": ["HTTPS"], "Role": "MASTER"},
        )["ResourceEndpointList"]
        https = next(e["ResourceEndpoint"] for e in endpoints if e["Protocol"] == "HTTPS")
        with self._lock:
            self._channels[name] = (arn, https)
        return arn, https

    def servers(self, tenant: str, room: str, client_id: str) -> list[dict]:
        arn, https = self.channel(tenant, room)
        signaling = self.signaling(https)
        try:
            got = signaling.get_ice_server_config(ChannelARN=arn, ClientId=client_id[:256], Service="TURN")
        except signaling.exceptions.ResourceNotFoundException:  # swept since this container kept it: make it again
            with self._lock:
                self._channels.pop(self.channel_name(tenant, room), None)
            arn, https = self.channel(tenant, room)
            got = self.signaling(https).get_ice_server_config(ChannelARN=arn, ClientId=client_id[:256],
                                                              Service="TURN")
        region = settings().region
        suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        out = [{"urls": [f"stun:stun.kinesisvideo.{region}.{suffix}:443"]}]
        out += [{"urls": list(s["Uris"]), "username": s["Username"], "credential": s["Password"]}
                for s in got.get("IceServerList", [])]
        return out


    def sweep(self, tenant: str, before: dt.datetime) -> int:
        """Delete the county's channels made before `before`: ListSignalingChannels by the name prefix (a page of
        up to 10,000 a call), DeleteSignalingChannel each. Idempotent: one already gone is skipped."""
        kvs = self.video()
        prefix = f"cqt-{settings().stage}-{tenant}-"
        gone = 0
        pages = kvs.get_paginator("list_signaling_channels").paginate(
            ChannelNameCondition={"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": prefix})
        for page in pages:
            for ch in page.get("ChannelInfoList", []):
                if ch.get("ChannelStatus") == "DELETING" or ch["CreationTime"] >= before:
                    continue
                try:
                    kvs.delete_signaling_channel(ChannelARN=ch["ChannelARN"])
                except kvs.exceptions.ResourceNotFoundException:
                    continue
                with self._lock:
                    self._channels.pop(ch["ChannelName"], None)
                gone += 1
        return gone


_provider: IceProvider | None = None


def provider() -> IceProvider:
    global _provider
    if _provider is None:
        _provider = KvsIce() if settings().ice_provider == "kvs" else NoIce()
    return _provider


def set_provider(p: IceProvider | None) -> None:
    """Tests: use this adapter (None: the configured one again)."""
    global _provider
    _provider = p
