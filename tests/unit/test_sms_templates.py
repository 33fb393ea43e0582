"""Every SMS is a template of chalicelib/core/sms_templates.py that a mainland provider would approve, with
parameters shaped to its limits; the provider's refusals map to our errors; its SDK stays out of cold starts."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.core.sms_templates import PARAM_MAX, SIGN_NAME, SINGLE_SMS, TEMPLATES, Sms, shape

ROOT = Path(__file__).resolve().parents[2]


def _sms_calls() -> list[tuple[str, ast.Call]]:
    out = []
    for path in sorted((ROOT / "chalicelib").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "send" \
                    and isinstance(node.func.value, ast.Call) and getattr(node.func.value.func, "id",
                                                                         getattr(node.func.value.func, "attr", "")) \
                    == "sms":
                out.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return out


def test_every_sms_the_code_sends_is_a_template_of_the_table_with_its_parameters():
    calls = _sms_calls()
    used = set()
    for where, call in calls:
        assert len(call.args) == 2, where
        message = call.args[1]
        assert isinstance(message, ast.Call) and getattr(message.func, "id", getattr(message.func, "attr", "")) \
            == "Sms", f"{where}: send an Sms(template, **params), not free text"
        name = message.args[0]
        assert isinstance(name, ast.Constant) and name.value in TEMPLATES, where
        assert [k.arg for k in message.keywords] and {k.arg for k in message.keywords} == \
            {p.name for p in TEMPLATES[name.value].params}, where
        used.add(name.value)
    assert used == set(TEMPLATES), f"templates nobody sends (withdraw them at the provider): {set(TEMPLATES) - used}"


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_each_template_is_one_a_mainland_provider_approves(name):
    t = TEMPLATES[name]
    body = t.provider_body
    assert re.findall(r"\{(\d+)\}", body) == [str(i) for i in range(1, len(t.params) + 1)]  # {1}, {2}, … in order
    assert not re.search(r"\}\{", body), "two variables may not be adjacent"
    assert re.sub(r"\{\d+\}", "", body).strip("，。：（） "), "not variables only"
    assert not re.search(r"[【】\[\]¥★☞✓※^]", body), "no 【】 (they look like a signature) nor special symbols"
    assert not re.search(r"(?i)https?://|www\.|\.(com|cn)\b", body), "no link (only an ICP-recorded one, as fixed text)"
    assert t.type in ("验证码", "通知")
    if t.type == "验证码":
        assert [p.kind for p in t.params] == ["code"] and "验证码" in body
    else:
        assert "code" not in [p.kind for p in t.params]
    # One billed SMS at most (70 characters, signature included; longer ones are billed per 67), within the 500
    # characters a message may have.
    assert t.max_length(SIGN_NAME) <= SINGLE_SMS, t.max_length(SIGN_NAME)
    longest = Sms(name, **{p.name: ("123456" if p.kind == "code" else "长" * 20) for p in t.params})
    assert all(len(v) <= PARAM_MAX for v in longest.params)
    assert len(longest.text()) <= t.max_length(SIGN_NAME)


def test_parameters_are_shaped_to_the_providers_limits():
    assert shape("code", "012345") == "012345"
    for bad in ("12345a", "1234567", "", "12 34"):
        with pytest.raises(ValueError):
            shape("code", bad)
    assert shape("text", "县级管理员（大数据局）") == "县级管理员"  # the parenthesis goes before anything is cut
    assert shape("text", "乡镇（街道）干部") == "乡镇干部"
    assert shape("text", "阿不都热合曼·买买提") == "阿不都热合曼"
    assert shape("text", "村情通管理员") == "村情通管理员"
    assert shape("text", "张三http://t.cn/x") == "张三" and shape("text", "www.evil.com李四") == "李四"
    assert shape("text", "王【五】") == "王五" and shape("text", "赵{1}六") == "赵1六"
    assert shape("text", "  钱\n七 ") == "钱 七"
    assert shape("tail", "SP-330825-000123") == "000123"
    with pytest.raises(TypeError):
        Sms("otp", code="123456", extra="x")
    with pytest.raises(KeyError):
        Sms("free_text", text="任意内容")
    assert "123456" not in repr(Sms("otp", code="123456"))


def test_the_outbox_shows_what_the_provider_would():
    m = Sms("case_update", noun="来信", ref="XF-330825-000042", status="已答复")
    assert m.params == ("来信", "000042", "已答复")
    text = TEMPLATES["case_update"].provider_body
    for i, p in enumerate(m.params, 1):
        text = text.replace(f"{{{i}}}", p)
    assert m.text() == f"【{SIGN_NAME}】{text}" == "【村情通】您的来信（编号尾号000042）已答复，详情请打开村情通查看。"


def test_operations_doc_lists_every_template_to_submit():
    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    for t in TEMPLATES.values():
        assert f"`{t.name}`" in doc and t.provider_body in doc, t.name


@pytest.mark.parametrize("code,status,error", [
    ("LimitExceeded.PhoneNumberThirtySecondLimit", 429, "sms_rate_limited"),
    ("LimitExceeded.PhoneNumberOneHourLimit", 429, "sms_rate_limited"),
    ("LimitExceeded.PhoneNumberDailyLimit", 429, "sms_rate_limited"),
    ("LimitExceeded.PhoneNumberSameContentDailyLimit", 429, "sms_rate_limited"),
    ("FailedOperation.PhoneNumberInBlacklist", 400, "sms_undeliverable"),
    ("InvalidParameterValue.IncorrectPhoneNumber", 400, "sms_undeliverable"),
    ("RequestLimitExceeded", 503, "service_unavailable"),
    ("LimitExceeded.DeliveryFrequencyLimit", 503, "service_unavailable"),
    ("LimitExceeded.AppMainlandChinaDailyLimit", 503, "service_unavailable"),
    ("InternalError.SendAndRecvFail", 503, "service_unavailable"),
    ("ClientNetworkError", 503, "service_unavailable"),
    ("FailedOperation.SignatureIncorrectOrUnapproved", 503, "service_unavailable"),
    ("InvalidParameterValue.TemplateParameterLengthLimit", 503, "service_unavailable"),
    ("AuthFailure.SecretIdNotFound", 503, "service_unavailable"),
    ("NotConfigured", 503, "service_unavailable"),
])
def test_provider_errors_map_to_4xx_or_503(code, status, error):
    from chalicelib.core.sms_tencent import failure

    e = failure(code, "otp", "req-1")
    assert (e.status, e.code) == (status, error)
    assert re.search(r"[\u4e00-\u9fff]", e.message)
    if status != 400:
        assert int(e.headers["Retry-After"]) >= 1


def test_the_providers_sdk_is_imported_on_the_first_message_not_at_a_cold_start():
    code = ("import json, sys\nimport app\nfrom chalicelib.core import notify, sms_tencent, sms_templates\n"
            "print(json.dumps([m for m in ('tencentcloud', 'requests', 'certifi') if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n{code}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
