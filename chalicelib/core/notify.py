"""One notification port: the SMS sender and SNS topics.

Every SMS is a template message (`Sms`, chalicelib/core/sms_templates.py: the one table of their texts), as
mainland providers require: `sms().send(phone, Sms("otp", code=code))`. Senders: the local outbox in development,
SNS SMS in global regions (both send the text rendered from the table, with the signature), Tencent Cloud SMS in
AWS China (`CQT_SMS_SENDER=domestic`: the approved template's id and the parameters, chalicelib/core/sms_tencent.py).

The outbox is a JSON-lines file that the local stack prints and tests read; it is the only place an SMS text
(which may hold a sign-in code) is written, and it never exists outside the local stage.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Protocol

from . import clock
from .aws import client
from .config import settings
from .sms_templates import Sms  # noqa: F401 - call sites write notify.Sms(...)


class SmsSender(Protocol):
    def send(self, phone: str, message: Sms) -> None: ...


class OutboxSender:
    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()

    def send(self, phone: str, message: Sms) -> None:
        text = message.text(settings().sms_sign_name)
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        line = json.dumps({"at": clock.iso(), "phone": phone, "text": text, "template": message.template,
                           "params": list(message.params)}, ensure_ascii=False)
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        print(f"[sms-outbox] to {phone}: {text}", flush=True)  # local development only

    def messages(self, phone: str | None = None) -> list[dict]:
        if not os.path.exists(self.path):
            return []
        with open(self.path, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        return [r for r in rows if phone is None or r["phone"] == phone]


class SnsSmsSender:
    def send(self, phone: str, message: Sms) -> None:
        client("sns").publish(PhoneNumber=f"+86{phone}", Message=message.text(settings().sms_sign_name),
                              MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String",
                                                                         "StringValue": "Transactional"}})


_sender: SmsSender | None = None


def sms() -> SmsSender:
    global _sender
    if _sender is None:
        s = settings()
        if s.sms_sender == "outbox":
            if s.stage not in ("local", "test"):
                raise RuntimeError("the SMS outbox exists only in local stages")
            _sender = OutboxSender(s.sms_outbox_path)
        elif s.sms_sender == "sns":
            _sender = SnsSmsSender()
        elif s.sms_sender == "domestic":  # AWS China regions, where SNS has no SMS
            from .sms_tencent import TencentSmsSender

            _sender = TencentSmsSender.from_settings(s)
        else:
            raise RuntimeError(f"no SMS adapter for CQT_SMS_SENDER={s.sms_sender!r}")
    return _sender


def set_sms_sender(sender: SmsSender | None) -> None:
    global _sender
    _sender = sender


# --- SNS topics (alerts, broadcasts, recruitment) -------------------------------------------------------------

_topic_arns: dict[str, str] = {}


def topic_arn(topic: str) -> str:
    """Deployed stages configure topic ARNs; the local stack configures names (moto's create_topic is idempotent
    and returns the ARN)."""
    if topic.startswith("arn:"):
        return topic
    if topic not in _topic_arns:
        _topic_arns[topic] = client("sns").create_topic(Name=topic)["TopicArn"]
    return _topic_arns[topic]


def publish(topic: str, subject: str, message: dict, attributes: dict[str, str]) -> str:
    """Publish a JSON message with string attributes (subscriptions filter on them, e.g. per county)."""
    attrs = {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()}
    res = client("sns").publish(TopicArn=topic_arn(topic), Subject=subject[:100],
                                Message=json.dumps(message, ensure_ascii=False), MessageAttributes=attrs)
    return res["MessageId"]


def subscribe(topic: str, protocol: str, endpoint: str, filter_policy: dict) -> str:
    res = client("sns").subscribe(TopicArn=topic_arn(topic), Protocol=protocol, Endpoint=endpoint,
                                  Attributes={"FilterPolicy": json.dumps(filter_policy)}, ReturnSubscriptionArn=True)
    return res["SubscriptionArn"]
