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


def test_kvs_sweep_deletes_the_countys_past_channels_only():
    """The daily sweep: the county's channels (by name prefix) made before the cut-off are deleted; newer ones, those
    already deleting and one gone meanwhile are left; a swept room's cached channel is made again on the next ask."""
    import datetime as dt

    from chalicelib.interviews import ice

    video, signaling = _clients()
    cut = dt.datetime(2026, 12, 6, 19, 30, tzinfo=dt.UTC)
    old, new = cut - dt.timedelta(hours=6), cut + dt.timedelta(hours=2)  # made before / after the cut-off

    def info(room, at, status="ACTIVE"):
        return {"ChannelName": f"cqt-local-330825-{room}", "ChannelARN": f"{ARN[:-13]}{room}/1", "CreationTime": at,
                "ChannelStatus": status}

    listed = {"ComparisonOperator": "BEGINS_WITH", "ComparisonValue": "cqt-local-330825-"}
    with Stubber(video) as v:
        v.add_response("list_signaling_channels", {"ChannelInfoList": [info("a" * 20, old), info("b" * 20, new)],
                                                   "NextToken": "p2"}, {"ChannelNameCondition": listed})
        v.add_response("delete_signaling_channel", {}, {"ChannelARN": info("a" * 20, old)["ChannelARN"]})
        v.add_response("list_signaling_channels", {"ChannelInfoList": [info("c" * 20, old, "DELETING"),
                                                                       info("d" * 20, old)]},
                       {"ChannelNameCondition": listed, "NextToken": "p2"})
        v.add_client_error("delete_signaling_channel", service_error_code="ResourceNotFoundException",
                           http_status_code=404, expected_params={"ChannelARN": info("d" * 20, old)["ChannelARN"]})
        kvs = ice.KvsIce(video, lambda e: signaling)
        kvs._channels["cqt-local-330825-" + "a" * 20] = (info("a" * 20, old)["ChannelARN"], ENDPOINT)
        assert kvs.sweep("330825", cut) == 1
        v.assert_no_pending_responses()
    assert kvs._channels == {}  # the swept room's channel is forgotten
    assert ice.NoIce().sweep("330825", cut) == 0


def test_a_channel_swept_under_a_container_is_made_again():
    from chalicelib.interviews import ice

    video, signaling = _clients()
    room = "0123456789abcdef0123"
    name = f"cqt-local-330825-{room}"
    fresh = ARN.replace("1700000000000", "1800000000000")
    with Stubber(video) as v, Stubber(signaling) as sg:
        sg.add_client_error("get_ice_server_config", service_error_code="ResourceNotFoundException",
                            http_status_code=404)
        v.add_response("create_signaling_channel", {"ChannelARN": fresh}, None)
        v.add_response("get_signaling_channel_endpoint",
                       {"ResourceEndpointList": [{"Protocol": "HTTPS", "ResourceEndpoint": ENDPOINT}]}, None)
        sg.add_response("get_ice_server_config", {"IceServerList": []},
                        {"ChannelARN": fresh, "ClientId": "guest-u", "Service": "TURN"})
        kvs = ice.KvsIce(video, lambda e: signaling)
        kvs._channels[name] = (ARN, ENDPOINT)  # kept from before the sweep
        got = kvs.servers("330825", room, "guest-u")
        v.assert_no_pending_responses()
        sg.assert_no_pending_responses()
    assert len(got) == 1 and kvs._channels[name] == (fresh, ENDPOINT)
