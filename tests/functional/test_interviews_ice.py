"""The ICE port's adapters: none locally; Kinesis Video Streams WebRTC (moto lacks it: botocore's Stubber checks
each call's parameters against the service model and answers as the service would)."""

from __future__ import annotations

import botocore.session
from botocore.stub import Stubber

ARN = "arn:aws-cn:kinesisvideo:cn-north-1:123456789012:channel/cqt-local-330825-abc/1700000000000"
ENDPOINT = "https://r-1234.kinesisvideo.cn-north-1.amazonaws.com.cn"


def _clients():
    s = botocore.session.get_session()
    kw = {"region_name": "cn-north-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    return s.create_client("kinesisvideo", **kw), s.create_client("kinesis-video-signaling", endpoint_url=ENDPOINT,
                                                                    **kw)


def test_no_ice_locally():
    from chalicelib.interviews import ice

    assert ice.NoIce().servers("330825", "r" * 20, "guest-u") == []
    assert isinstance(ice.provider(), ice.NoIce)  # settings().ice_provider defaults to none


def test_kvs_channel_per_room_and_turn_servers():
    from chalicelib.interviews import ice

    video, signaling = _clients()
    room = "0123456789abcdef0123"
    name = f"cqt-local-330825-{room}"
    endpoint_cfg = {"Protocols": ["HTTPS"], "Role": "MASTER"}
    turn = {"IceServerList": [{"Uris": ["turn:1-2-3-4.t-1.kinesisvideo.cn-north-1.amazonaws.com.cn:443?transport=udp",
                                        "turns:1-2-3-4.t-1.kinesisvideo.cn-north-1.amazonaws.com.cn:443?transport=tcp"],
                               "Username": "1700000300:channel/x", "Password": "secret", "Ttl": 300}]}
    with Stubber(video) as v, Stubber(signaling) as sg:
        v.add_response("create_signaling_channel", {"ChannelARN": ARN},
                       {"ChannelName": name, "ChannelType": "SINGLE_MASTER",
                        "SingleMasterConfiguration": {"MessageTtlSeconds": 60}})
        v.add_response("get_signaling_channel_endpoint",
                       {"ResourceEndpointList": [{"Protocol": "WSS", "ResourceEndpoint": "wss://x"},
                                                 {"Protocol": "HTTPS", "ResourceEndpoint": ENDPOINT}]},
                       {"ChannelARN": ARN, "SingleMasterChannelEndpointConfiguration": endpoint_cfg})
        sg.add_response("get_ice_server_config", turn, {"ChannelARN": ARN, "ClientId": "guest-u", "Service": "TURN"})
        sg.add_response("get_ice_server_config", turn, {"ChannelARN": ARN, "ClientId": "host-h", "Service": "TURN"})
        seen = []
        kvs = ice.KvsIce(video, lambda e: seen.append(e) or signaling)
        got = kvs.servers("330825", room, "guest-u")
        # The second party's ask reuses the channel (no Create/GetEndpoint again): only fresh credentials.
        again = kvs.servers("330825", room, "host-h")
        v.assert_no_pending_responses()
        sg.assert_no_pending_responses()
    assert seen == [ENDPOINT, ENDPOINT]
    assert got[0] == {"urls": ["stun:stun.kinesisvideo.cn-north-1.amazonaws.com.cn:443"]}
    assert got[1] == {"urls": turn["IceServerList"][0]["Uris"], "username": "1700000300:channel/x",
                      "credential": "secret"}
    assert again == got


def test_kvs_existing_channel_is_described():
    from chalicelib.interviews import ice

    video, signaling = _clients()
    room = "fedcba9876543210fedc"
    name = f"cqt-local-330825-{room}"
    with Stubber(video) as v, Stubber(signaling) as sg:
        v.add_client_error("create_signaling_channel", service_error_code="ResourceInUseException",
                           http_status_code=400)
        v.add_response("describe_signaling_channel", {"ChannelInfo": {"ChannelARN": ARN, "ChannelName": name}},
                       {"ChannelName": name})
        v.add_response("get_signaling_channel_endpoint",
                       {"ResourceEndpointList": [{"Protocol": "HTTPS", "ResourceEndpoint": ENDPOINT}]}, None)
        sg.add_response("get_ice_server_config", {"IceServerList": []}, None)
        got = ice.KvsIce(video, lambda e: signaling).servers("330825", room, "guest-u")
        v.assert_no_pending_responses()
    assert got == [{"urls": ["stun:stun.kinesisvideo.cn-north-1.amazonaws.com.cn:443"]}]
