"""Sign-in in AWS China: `CQT_SMS_SENDER=domestic` sends through Tencent Cloud SMS with the real SDK, here pointed
at a local fake of the provider's API (tests/fakes/tencent_sms.py) that checks what the real one checks: the
TC3-HMAC-SHA256 signature, SdkAppId, the approved signature and template, the parameters, the +86 number."""

from __future__ import annotations

import json
import re

import pytest

from chalicelib.core import notify
from chalicelib.core.config import settings
from chalicelib.core.sms_templates import TEMPLATES
from tests.conftest import new_phone
from tests.fakes.tencent_sms import Approved, FakeTencentSms

APP_ID = "1400123456"
SIGN = "村情通"
SECRET_ID = "AKIDfakeTencentSmsKey0000000000000000"
SECRET_KEY = "fakeTencentSmsSecretKey000000000000"
# Our template -> the id the provider approved it under (the stage's sms_templates).
TEMPLATE_IDS = {name: str(2100000 + i) for i, name in enumerate(sorted(TEMPLATES))}


def _error(r) -> dict:
    assert r.json is not None and set(r.json) == {"error"}, r.body
    err = r.json["error"]
    assert set(err) == {"code", "message", "details"} and re.search(r"[\u4e00-\u9fff]", err["message"]), err
    return err


def _header(r, name: str) -> str | None:
    return next((v for k, v in (r.headers or {}).items() if k.lower() == name.lower()), None)


@pytest.fixture
def tencent(app, monkeypatch):
    """The app configured as in a cn stage (CQT_SMS_* from infra/stages.json, the API key in the app secret), its
    SMS going to the fake; afterwards the local outbox again."""
    from chalicelib.core import secrets
    from chalicelib.core.aws import client

    approved = {TEMPLATE_IDS[t.name]: Approved(t.provider_body, code=t.type == "验证码") for t in TEMPLATES.values()}
    sm = client("secretsmanager")
    secret_name = settings().secret_name
    before = sm.get_secret_value(SecretId=secret_name)["SecretString"]
    sm.put_secret_value(SecretId=secret_name, SecretString=json.dumps(
        {**json.loads(before), "sms_secret_id": SECRET_ID, "sms_secret_key": SECRET_KEY}))
    secrets.reset()
    with FakeTencentSms(SECRET_ID, SECRET_KEY, APP_ID, SIGN, approved) as fake, monkeypatch.context() as env:
        env.setenv("CQT_SMS_SENDER", "domestic")
        env.setenv("CQT_SMS_APP_ID", APP_ID)
        env.setenv("CQT_SMS_SIGN_NAME", SIGN)
        env.setenv("CQT_SMS_REGION", "ap-guangzhou")
        env.setenv("CQT_SMS_TEMPLATES", json.dumps(TEMPLATE_IDS))
        env.setenv("CQT_SMS_ENDPOINT", fake.endpoint)
        env.setenv("NO_PROXY", "127.0.0.1")
        settings.cache_clear()
        notify.set_sms_sender(None)
        try:
            from chalicelib.core.sms_tencent import TencentSmsSender

            assert isinstance(notify.sms(), TencentSmsSender)
            yield fake
        finally:
            notify.set_sms_sender(None)
    settings.cache_clear()
    sm.put_secret_value(SecretId=secret_name, SecretString=before)
    secrets.reset()
    assert isinstance(notify.sms(), notify.OutboxSender)


def _code(fake: FakeTencentSms, phone: str) -> str:
    (msg,) = fake.sent_to(phone)
    (code,) = msg["params"]
    return code


def test_sign_in_with_a_code_sent_by_tencent_cloud_sms(client, tencent):
    phone = new_phone()
    r = client.post("/auth/code", {"phone": phone})
    assert r.status_code == 202, r.json
    (req,) = tencent.requests_to(phone)
    assert req.signature_ok, req.headers.get("authorization")
    assert req.headers["authorization"].startswith(f"TC3-HMAC-SHA256 Credential={SECRET_ID}/")
    assert (req.headers["x-tc-action"], req.headers["x-tc-version"], req.headers["x-tc-region"]) == \
        ("SendSms", "2021-01-11", "ap-guangzhou")
    assert req.body["SmsSdkAppId"] == APP_ID and req.body["SignName"] == SIGN
    assert req.body["TemplateId"] == TEMPLATE_IDS["otp"]
    assert req.body["PhoneNumberSet"] == [f"+86{phone}"]
    (code,) = req.body["TemplateParamSet"]
    assert re.fullmatch(r"\d{6}", code)
    (shown,) = tencent.sent_to(phone)
    assert shown["text"] == f"【村情通】您的验证码是{code}，5分钟内有效。如非本人操作，请忽略。"
    assert notify.OutboxSender(settings().sms_outbox_path).messages(phone) == []  # nothing went elsewhere

    r = client.post("/auth/token", {"phone": phone, "code": code})
    assert r.status_code == 200, r.json
    assert r.json["token_type"] == "Bearer" and r.json["access_token"]


def test_an_invited_staff_member_is_told_and_signs_in_to_the_county(client, county, tencent):
    phone = new_phone()
    r = client.post("/staff", {"phone": phone, "name": "王五", "role": "township_official", "place": county.township},
                    token=county.tokens["county_admin"])
    assert r.status_code == 201, r.json
    (invite,) = tencent.sent_to(phone)
    assert invite["template"] == TEMPLATE_IDS["staff_invited"]
    assert invite["params"] == ["乡镇干部"]  # 乡镇（街道）干部: a variable holds at most 6 characters
    assert invite["text"] == "【村情通】您已被设为乡镇干部，请用本手机号登录村情通。"
    assert client.post("/auth/code", {"phone": phone}).status_code == 202
    r = client.post("/auth/token", {"phone": phone, "code": _code_of_last(tencent, phone), "tenant": county.code})
    assert r.status_code == 200, r.json
    assert r.json["tenant"] == county.code and r.json["roles"] == ["township_official"]


def _code_of_last(fake: FakeTencentSms, phone: str) -> str:
    msg = fake.sent_to(phone)[-1]
    assert msg["template"] == TEMPLATE_IDS["otp"]
    return msg["params"][0]


@pytest.mark.parametrize("provider_code,status,retry_after", [
    ("LimitExceeded.PhoneNumberOneHourLimit", 429, "3600"),
    ("LimitExceeded.PhoneNumberThirtySecondLimit", 429, "30"),
    ("RequestLimitExceeded", 503, "10"),
    ("LimitExceeded.AppDailyLimit", 503, "10"),
    ("InternalError.Timeout", 503, "10"),
])
def test_the_providers_throttling_is_a_clean_429_or_503_and_the_phone_may_ask_again(client, tencent, provider_code,
                                                                                    status, retry_after):
    phone = new_phone()
    tencent.refuse(provider_code)
    r = client.post("/auth/code", {"phone": phone})
    assert r.status_code == status, r.json
    err = _error(r)
    assert err["code"] == ("sms_rate_limited" if status == 429 else "service_unavailable")
    assert _header(r, "Retry-After") == retry_after
    assert tencent.sent_to(phone) == []
    # The challenge whose SMS never left was withdrawn: asking again works at once (no "code already sent").
    r = client.post("/auth/code", {"phone": phone})
    assert r.status_code == 202, r.json
    assert client.post("/auth/token", {"phone": phone, "code": _code(tencent, phone)}).status_code == 200


@pytest.mark.parametrize("provider_code,status", [
    ("FailedOperation.PhoneNumberInBlacklist", 400),  # the person unsubscribed: their number, their answer
    ("FailedOperation.TemplateIncorrectOrUnapproved", 503),  # ours to fix: never a 500
    ("AuthFailure.SignatureFailure", 503),
    ("UnauthorizedOperation.ServiceSuspendDueToArrears", 503),
])
def test_other_refusals_are_4xx_or_503_and_logged_without_the_number(client, tencent, monkeypatch, provider_code,
                                                                     status):
    from chalicelib.core import observability

    lines = []
    real = observability.logger

    class Recorder:  # the log lines as the code writes them; anything else to the real logger
        def __getattr__(self, name):
            if name in ("debug", "info", "warning", "error", "exception"):
                return lambda msg, *a, extra=None, **kw: lines.append((name, msg, extra))
            return getattr(real, name)

    monkeypatch.setattr(observability, "logger", Recorder())
    phone = new_phone()
    tencent.refuse(provider_code)
    r = client.post("/auth/code", {"phone": phone})
    assert r.status_code == status, r.json
    _error(r)
    provider_lines = [x for x in lines if x[2] and x[2].get("provider_code")]
    assert [x[2]["provider_code"] for x in provider_lines] == [provider_code]
    (level, msg, extra) = provider_lines[0]
    assert level == ("info" if status == 400 else "error") and extra["sms_template"] == "otp"
    assert extra["provider_request_id"]  # to quote to the provider's support
    assert phone not in json.dumps(lines, ensure_ascii=False) and phone[-4:] not in json.dumps(extra)


def test_a_wrong_template_map_is_refused_by_the_provider_as_a_503(client, tencent, monkeypatch):
    sender = notify.sms()
    monkeypatch.setitem(sender.template_ids, "otp", "9999999")  # not approved
    r = client.post("/auth/code", {"phone": new_phone()})
    assert r.status_code == 503 and _error(r)["code"] == "service_unavailable"
    assert tencent.requests[-1].body["TemplateId"] == "9999999"


def test_an_unconfigured_domestic_sender_answers_503_without_calling_the_provider(client, tencent, monkeypatch):
    sender = notify.sms()
    monkeypatch.setattr(sender, "app_id", "")  # a stage with sms_pending: no SdkAppId yet
    before = len(tencent.requests)
    r = client.post("/auth/code", {"phone": new_phone()})
    assert r.status_code == 503 and _error(r)["code"] == "service_unavailable"
    assert len(tencent.requests) == before


def test_a_replaced_api_key_is_read_again_after_the_provider_refuses_the_old_one(client, tencent):
    from chalicelib.core import secrets

    sender = notify.sms()
    assert client.post("/auth/code", {"phone": new_phone()}).status_code == 202
    assert sender._client is not None
    tencent.secret_key = "rotatedTencentSmsSecretKey0000000000"  # the operator rotated the key at the provider...
    r = client.post("/auth/code", {"phone": new_phone()})
    assert r.status_code == 503  # ...the container's copy is refused once,
    assert sender._client is None
    from chalicelib.core.aws import client as aws

    name = settings().secret_name
    value = json.loads(aws("secretsmanager").get_secret_value(SecretId=name)["SecretString"])
    aws("secretsmanager").put_secret_value(SecretId=name, SecretString=json.dumps(
        {**value, "sms_secret_key": tencent.secret_key}))  # ...and the secret has the new one
    secrets.reset()
    phone = new_phone()
    assert client.post("/auth/code", {"phone": phone}).status_code == 202
    assert tencent.requests_to(phone)[-1].signature_ok


def test_case_updates_and_reminders_fit_the_templates(tencent):
    """The notification templates go out with parameters the provider accepts (≤ 6 characters each)."""
    from chalicelib.core.notify import Sms

    sender = notify.sms()
    phone = new_phone()
    sender.send(phone, Sms("case_update", noun="随手拍", ref="SP-330825-000123", status="已转上级办理"))
    sender.send(phone, Sms("report_reminder", head="阿不都热合曼·买买提", sender="测试party_member", role="党员"))
    texts = [m["text"] for m in tencent.sent_to(phone)]
    assert texts == ["【村情通】您的随手拍（编号尾号000123）已转上级办理，详情请打开村情通查看。",
                     "【村情通】阿不都热合曼您好，您家今天的健康上报还没有完成，请打开村情通填报。提醒人：测试part（党员）"]
    assert [r.body["TemplateId"] for r in tencent.requests_to(phone)] == \
        [TEMPLATE_IDS["case_update"], TEMPLATE_IDS["report_reminder"]]


def test_an_api_key_added_to_the_secret_after_the_deployment_is_picked_up(client, tencent):
    from chalicelib.core import secrets
    from chalicelib.core.aws import client as aws

    sm, name = aws("secretsmanager"), settings().secret_name
    value = json.loads(sm.get_secret_value(SecretId=name)["SecretString"])
    without = {k: v for k, v in value.items() if not k.startswith("sms_")}
    sm.put_secret_value(SecretId=name, SecretString=json.dumps(without))
    secrets.reset()
    notify.set_sms_sender(None)  # a fresh container, before the operator added the key
    r = client.post("/auth/code", {"phone": new_phone()})
    assert r.status_code == 503 and _error(r)["code"] == "service_unavailable"
    sm.put_secret_value(SecretId=name, SecretString=json.dumps(value))  # the operator adds it; no redeployment
    phone = new_phone()
    assert client.post("/auth/code", {"phone": phone}).status_code == 202
    assert tencent.requests_to(phone)[-1].signature_ok
