"""SMS in AWS China (sms_sender=domestic: Tencent Cloud SMS): the stage settings it needs, checked at synthesis, and
what the synthesized stacks give the functions."""

from __future__ import annotations

import json
import warnings

import pytest
from cqt_infra import config

from chalicelib.core.sms_templates import TEMPLATES

from .conftest import resources

IDS = {t: str(2100000 + i) for i, t in enumerate(TEMPLATES)}
WEB = {"web_domain": "cqt.example.cn", "web_certificate": "ASCACKCEVSQ6C2EXAMPLE",
       "icp_recordal": "浙ICP备12345678号-1"}


def _deploy(**region_cfg):
    raw = config.load()
    raw["stages"] = {"x": {"regions": {"cn-north-1": {"sms_sender": "domestic", **WEB, **region_cfg}}}}
    return config.deployments(raw)


def test_a_configured_domestic_region_passes():
    (d,) = _deploy(sms_app_id="1400123456", sms_templates=IDS)
    assert d.get("sms_sign_name") == "村情通" and d.get("sms_region") == "ap-guangzhou"


@pytest.mark.parametrize("cfg,match", [
    ({}, "needs sms_app_id and sms_templates"),
    ({"sms_app_id": "1400123456"}, "needs sms_templates"),
    ({"sms_app_id": "123", "sms_templates": IDS}, "SdkAppId"),
    ({"sms_app_id": "1400123456", "sms_templates": IDS, "sms_sign_name": "【村情通】"}, "signature"),
    ({"sms_app_id": "1400123456", "sms_templates": IDS, "sms_region": "cn-north-1"}, "sms_region"),
    ({"sms_app_id": "1400123456", "sms_templates": {k: v for k, v in IDS.items() if k != "otp"}}, r"missing \['otp'\]"),
    ({"sms_app_id": "1400123456", "sms_templates": {**IDS, "promo": "1"}}, r"unknown \['promo'\]"),
    ({"sms_app_id": "1400123456", "sms_templates": {**IDS, "otp": "SMS_1"}}, "numbers"),
    ({"sms_app_id": "1400123456", "sms_templates": IDS, "sms_pending": True}, "remove sms_pending"),
])
def test_a_domestic_region_without_valid_provider_settings_fails_synthesis(cfg, match):
    with pytest.raises(ValueError, match=match):
        _deploy(**cfg)


def test_a_pending_domestic_region_synthesizes_with_a_warning():
    with pytest.warns(UserWarning, match="sms_pending"):
        (d,) = _deploy(sms_pending=True)
    assert d.get("sms_app_id") is None


def test_the_repositorys_china_regions_are_pending_and_global_ones_use_sns():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = config.deployments()
    for d in ds:
        assert d.get("sms_sender") == ("domestic" if d.china else "sns"), d.stack_id
        if d.china:  # no Tencent account in the repository: set the real values and drop sms_pending to sign in
            assert d.get("sms_pending") is True
    assert {str(w.message).split(":")[0] for w in caught} == {d.stack_id for d in ds if d.china}


def _env(template, name):
    return template["Resources"][name]["Properties"]["Environment"]["Variables"]


def _secret_readers(template) -> set[str]:
    roles = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        for st in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            if "secretsmanager:GetSecretValue" in actions:
                roles |= {r["Ref"] for r in policy["Properties"]["Roles"]}
    return roles


def _role(template, fn: str) -> str:
    return template["Resources"][fn]["Properties"]["Role"]["Fn::GetAtt"][0]


@pytest.mark.parametrize("china", [False, True], ids=["global", "china"])
def test_functions_that_send_sms_get_the_provider_settings_but_never_its_key(synth, china):
    _, template = synth.one("dev", china)
    env = _env(template, "APIHandler")
    assert env["CQT_SMS_SENDER"] == ("domestic" if china else "sns") and env["CQT_SMS_SIGN_NAME"] == "村情通"
    assert not any("secret_key" in k.lower() or "secretkey" in json.dumps(v).lower() for k, v in env.items())
    # dev's China region is sms_pending: no provider settings yet (the app answers 503 until they are set)
    assert "CQT_SMS_APP_ID" not in env
    readers = _secret_readers(template)
    stream = _role(template, "OnSubmissionsChange")
    assert _role(template, "APIHandler") in readers
    # The stream handler sends case updates: in China it reads the provider's key from the app secret.
    assert (stream in readers) == china
