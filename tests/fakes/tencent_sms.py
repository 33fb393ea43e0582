"""A local fake of Tencent Cloud SMS's API (SendSms, version 2021-01-11), close enough for the official SDK to talk
to it over http://127.0.0.1 (HttpProfile(protocol="http", endpoint="127.0.0.1:PORT")).

Like the real API it checks the TC3-HMAC-SHA256 signature (computed here independently of the SDK, from the
documented algorithm), the action and version headers, the SdkAppId, the approved signature, the approved template
and its parameters (count, 验证码 parameters ≤ 6 digits, others ≤ `param_max` characters, no links), and the
+86 number; it answers in the API's JSON (`Response.SendStatusSet` per number, or `Response.Error`). It keeps every
request it received (`requests`) and the messages a phone would show (`messages`). `refuse(code)` scripts the
next answer: a number's own refusal (per-number status) or a request-level error.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Codes the real API answers per number (in SendStatusSet) rather than for the whole request.
PER_NUMBER_CODES = ("LimitExceeded.Phone", "FailedOperation.PhoneNumber", "InvalidParameterValue.IncorrectPhone")


@dataclass
class Received:
    headers: dict[str, str]
    body: dict
    signature_ok: bool


@dataclass
class Approved:
    """An approved template: its text with {1}, {2}, … and whether it is a 验证码 template."""

    text: str
    code: bool = False

    @property
    def params(self) -> int:
        return len(re.findall(r"\{\d+\}", self.text))


@dataclass
class FakeTencentSms:
    secret_id: str
    secret_key: str
    app_id: str
    sign_name: str
    templates: dict[str, Approved]
    param_max: int = 6
    requests: list[Received] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)
    _scripted: list[str] = field(default_factory=list)

    def start(self) -> FakeTencentSms:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, out = fake._answer(self.command, self.path, dict(self.headers.items()), raw)
                data = json.dumps({"Response": out}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")  # exactly: the SDK checks it
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTencentSms:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def refuse(self, code: str) -> None:
        """The next SendSms is refused with `code`."""
        self._scripted.append(code)

    def sent_to(self, phone: str) -> list[dict]:
        return [m for m in self.messages if m["phone"] == f"+86{phone}"]

    def requests_to(self, phone: str) -> list[Received]:
        return [r for r in self.requests if f"+86{phone}" in (r.body.get("PhoneNumberSet") or [])]

    # --- the API ---------------------------------------------------------------------------------------------

    def _answer(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, dict]:
        headers = {k.lower(): v for k, v in headers.items()}
        request_id = str(uuid.uuid4())
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return 200, _error("InvalidParameter", "body is not JSON", request_id)
        ok, problem = self._check_signature(method, path, headers, raw)
        self.requests.append(Received(headers, body, ok))
        if not ok:
            return 200, _error(problem, "signature check failed", request_id)
        if headers.get("x-tc-action") != "SendSms":
            return 200, _error("InvalidAction", "only SendSms is faked", request_id)
        if headers.get("x-tc-version") != "2021-01-11":
            return 200, _error("InvalidParameter", "wrong version", request_id)
        scripted = self._scripted.pop(0) if self._scripted else None
        if scripted and not scripted.startswith(PER_NUMBER_CODES):
            return 200, _error(scripted, "scripted refusal", request_id)
        if body.get("SmsSdkAppId") != self.app_id:
            return 200, _error("InvalidParameterValue.SdkAppIdNotExist", "SdkAppId", request_id)
        if body.get("SignName") != self.sign_name:
            return 200, _error("FailedOperation.SignatureIncorrectOrUnapproved", "sign", request_id)
        template = self.templates.get(str(body.get("TemplateId")))
        if template is None:
            return 200, _error("FailedOperation.TemplateIncorrectOrUnapproved", "template", request_id)
        params = body.get("TemplateParamSet") or []
        if len(params) != template.params:
            return 200, _error("FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "params", request_id)
        for p in params:
            if template.code and not re.fullmatch(r"\d{0,6}", p):
                return 200, _error("InvalidParameterValue.TemplateParameterFormatError", "code", request_id)
            if len(p) > self.param_max:
                return 200, _error("InvalidParameterValue.TemplateParameterLengthLimit", "length", request_id)
            if re.search(r"(?i)https?://|www\.", p):
                return 200, _error("InvalidParameterValue.ProhibitedUseUrlInTemplateParameter", "url", request_id)
        statuses = []
        for phone in body.get("PhoneNumberSet") or []:
            code = "Ok"
            if not re.fullmatch(r"\+861[3-9]\d{9}", phone):
                code = "InvalidParameterValue.IncorrectPhoneNumber"
            elif scripted:
                code = scripted
            if code == "Ok":
                text = template.text
                for i, p in enumerate(params, 1):
                    text = text.replace(f"{{{i}}}", p)
                self.messages.append({"phone": phone, "text": f"【{self.sign_name}】{text}",
                                      "template": str(body["TemplateId"]), "params": list(params)})
            statuses.append({"SerialNo": f"2433:{uuid.uuid4().int % 10**20}", "PhoneNumber": phone,
                             "Fee": 1 if code == "Ok" else 0, "SessionContext": body.get("SessionContext", ""),
                             "Code": code, "Message": "send success" if code == "Ok" else code, "IsoCode": "CN"})
        if not statuses:
            return 200, _error("MissingParameter.EmptyPhoneNumberSet", "no number", request_id)
        return 200, {"SendStatusSet": statuses, "RequestId": request_id}

    def _check_signature(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[bool, str]:
        """TC3-HMAC-SHA256 as documented (API 3.0 签名方法 v3)."""
        auth = headers.get("authorization", "")
        m = re.fullmatch(r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/sms/tc3_request, "
                         r"SignedHeaders=([a-z;-]+), Signature=([0-9a-f]{64})", auth)
        if not m:
            return False, "AuthFailure.InvalidAuthorization"
        secret_id, date, signed, signature = m.groups()
        if secret_id != self.secret_id:
            return False, "AuthFailure.SecretIdNotFound"
        timestamp = int(headers.get("x-tc-timestamp", "0"))
        if abs(time.time() - timestamp) > 300:
            return False, "AuthFailure.SignatureExpire"
        if date != dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d"):
            return False, "AuthFailure.SignatureFailure"
        names = signed.split(";")
        canonical_headers = "".join(f"{n}:{headers.get(n, '').strip().lower()}\n" for n in names)
        canonical = "\n".join([method, path.split("?", 1)[0], path.split("?", 1)[1] if "?" in path else "",
                               canonical_headers, signed, hashlib.sha256(raw).hexdigest()])
        to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), f"{date}/sms/tc3_request",
                             hashlib.sha256(canonical.encode()).hexdigest()])

        def _hmac(key: bytes, msg: str) -> bytes:
            return hmac.new(key, msg.encode(), hashlib.sha256).digest()

        key = _hmac(_hmac(_hmac(("TC3" + self.secret_key).encode(), date), "sms"), "tc3_request")
        want = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, signature):
            return False, "AuthFailure.SignatureFailure"
        return True, ""


def _error(code: str, message: str, request_id: str) -> dict:
    return {"Error": {"Code": code, "Message": message}, "RequestId": request_id}
