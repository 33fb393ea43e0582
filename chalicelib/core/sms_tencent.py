"""Tencent Cloud SMS (腾讯云短信), the SMS sender in AWS China (`CQT_SMS_SENDER=domestic`): SendSms of API
2021-01-11 through the official SDK (tencentcloud-sdk-python-sms), imported on the first message a container sends,
never at a cold start.

Configuration: `CQT_SMS_APP_ID` (the SMS application's SdkAppId), `CQT_SMS_SIGN_NAME` (the approved signature),
`CQT_SMS_REGION` (the API's region, ap-guangzhou), `CQT_SMS_TEMPLATES` (JSON: our template name → the approved
template id, chalicelib/core/sms_templates.py), all from infra/stages.json; the API key (a CAM sub-user's SecretId
and SecretKey) from the app secret's `sms_secret_id` and `sms_secret_key` (chalicelib/core/secrets.py), never from
the environment. `CQT_SMS_ENDPOINT` points the SDK elsewhere (tests' local fake: tests/fakes/tencent_sms.py).

The provider's refusals become our errors: a number's own frequency limits (30 s, 1 h, day) → 429 with
Retry-After; a number that cannot receive SMS → 400; throttling, outages and configuration mistakes (signature,
template, key) → 503. Each is logged with the provider's code and request id, never the phone number.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import urlsplit

from . import clock, secrets
from .errors import AppError, BadRequest, ServiceUnavailable, TooManyRequests
from .sms_templates import Sms

TIMEOUT_S = 5  # per HTTP request; no retry (a retried SendSms may send a second code): the person asks again

# A number's own limits (the SMS application's 频率限制 in the console): seconds until it may receive again.
_PER_NUMBER = {
    "LimitExceeded.PhoneNumberThirtySecondLimit": 30,
    "LimitExceeded.PhoneNumberOneHourLimit": 3600,
    "LimitExceeded.PhoneNumberDailyLimit": None,  # until midnight
    "LimitExceeded.PhoneNumberSameContentDailyLimit": None,
}
# The number cannot receive SMS: unsubscribed / do-not-disturb list, not a mainland mobile number.
_UNDELIVERABLE = {
    "FailedOperation.PhoneNumberInBlacklist", "FailedOperation.PhoneNumberParseFail",
    "InvalidParameterValue.IncorrectPhoneNumber", "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone",
}
# Busy or down, worth a retry soon: API rate limits, the application's total limits, the provider's own errors,
# the network.
_BUSY_PREFIXES = ("RequestLimitExceeded", "LimitExceeded.", "InternalError", "ClientNetworkError",
                  "ServerNetworkError", "FailedOperation.ParametersOtherError")


def failure(code: str, template: str, request_id: str | None = None) -> AppError:
    """Our error for a provider's error code (logged without the phone number)."""
    from .observability import logger

    where = {"sms_provider": "tencent", "sms_template": template, "provider_code": code,
             "provider_request_id": request_id or ""}
    if code in _PER_NUMBER:
        logger.info("SMS refused: the number's frequency limit", extra=where)
        wait = _PER_NUMBER[code] or clock.seconds_until_tomorrow()
        return TooManyRequests("短信发送过于频繁，请稍后再试", retry_after=wait, code="sms_rate_limited")
    if code in _UNDELIVERABLE:
        logger.info("SMS refused: the number cannot receive SMS", extra=where)
        return BadRequest("该手机号无法接收短信，请确认号码或换一个号码", code="sms_undeliverable")
    if code.startswith(_BUSY_PREFIXES):
        logger.warning("SMS provider busy or unavailable", extra=where)
        return ServiceUnavailable("短信发送失败，请稍后重试", retry_after=10)
    # Signature, template, parameters, key, SdkAppId, arrears: ours to fix (the API's 5xx alarm sees the 503s).
    logger.error("SMS provider refused the request: check the SMS settings", extra=where)
    return ServiceUnavailable("短信服务暂不可用，请稍后重试", retry_after=60)


class TencentSmsSender:
    def __init__(self, app_id: str, sign_name: str, region: str, template_ids: dict[str, str], endpoint: str = ""):
        self.app_id = app_id
        self.sign_name = sign_name
        self.region = region
        self.template_ids = {k: str(v) for k, v in template_ids.items()}
        self.endpoint = endpoint
        self._client = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, s) -> TencentSmsSender:
        try:
            templates = json.loads(s.sms_templates) if s.sms_templates else {}
        except ValueError:
            templates = {}  # refused on first send, as unconfigured (infra/cqt_infra/config.py checks the map)
        return cls(s.sms_app_id, s.sms_sign_name, s.sms_region, templates if isinstance(templates, dict) else {},
                   s.sms_endpoint)

    def _sms_client(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    from tencentcloud.common.credential import Credential
                    from tencentcloud.common.profile.client_profile import ClientProfile
                    from tencentcloud.common.profile.http_profile import HttpProfile
                    from tencentcloud.sms.v20210111.sms_client import SmsClient

                    http = HttpProfile(reqTimeout=TIMEOUT_S)
                    if self.endpoint:
                        url = urlsplit(self.endpoint)
                        http = HttpProfile(protocol=url.scheme or "https", endpoint=url.netloc or url.path,
                                           reqTimeout=TIMEOUT_S)
                    key = Credential(secrets.get("sms_secret_id"), secrets.get("sms_secret_key"))
                    self._client = SmsClient(key, self.region, ClientProfile(httpProfile=http))
        return self._client

    def send(self, phone: str, message: Sms) -> None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111.models import SendSmsRequest

        template_id = self.template_ids.get(message.template)
        if not (self.app_id and template_id):
            raise failure("NotConfigured", message.template)
        request = SendSmsRequest()
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = list(message.params)
        request.PhoneNumberSet = [f"+86{phone}"]
        try:
            response = self._sms_client().SendSms(request)
        except KeyError:  # the app secret has no sms_secret_id / sms_secret_key (yet: read it again next time)
            self._forget_key()
            raise failure("NoCredentials", message.template) from None
        except TencentCloudSDKException as e:  # `from None`: the provider's message may quote the number
            if str(e.get_code()).startswith(("AuthFailure", "InvalidCredential")):
                self._forget_key()
            raise failure(str(e.get_code()), message.template, e.get_request_id()) from None
        status = (response.SendStatusSet or [None])[0]
        if status is None or status.Code != "Ok":
            raise failure(status.Code if status else "NoSendStatus", message.template, response.RequestId)

    def _forget_key(self) -> None:
        """A refused key may have been replaced in the secret: read it again on the next message."""
        with self._lock:
            self._client = None
        secrets.reset()
