"""Every SMS the app sends, as a template message: the one table of their texts.

Mainland SMS providers send only templates approved in advance, under a registered signature (签名, shown as
【村情通】), with the variable parts passed as parameters; free text is refused. So a message is a template name of
ours plus its parameters (`Sms("otp", code="123456")`), shaped here to the providers' limits when the message is
made, so that every sender sends the same thing: the local outbox and SNS (global regions) send the text rendered
from this table, Tencent Cloud SMS (China) sends the template id approved for it with the parameters in order.

The provider's rules (Tencent Cloud SMS 正文模板审核标准, which Aliyun's and others' resemble):
- variables are {1}, {2}, … numbered in order of appearance (`Template.provider_body`); two variables may not be
  adjacent, and a template may not be variables only;
- a 验证码 (verification code) template's variable is at most 6 digits;
- a notification's variables are as long as the account allows: 6 characters on accounts opened since 2024-01-25
  (and accounts long unused), more on request. Every variable here is at most `PARAM_MAX` = 6 characters, so the
  templates work on any account: names are cut to 6, a role loses its parenthesis (县级管理员（大数据局） → 县级
  管理员), a case is named by the last 6 characters of its number;
- no links in variables (an ICP-recorded URL may only be fixed text), no 【】 (they look like a signature), no ¥ ★
  and the like; the whole message with its signature at most 500 characters. Ours stay within 70 characters,
  one billed SMS (longer ones are billed per 67-character part).

docs/operations.md lists the templates to submit for approval (tests/unit/test_sms_templates.py keeps it true).
"""

from __future__ import annotations

import re
from typing import NamedTuple

PARAM_MAX = 6  # characters per variable (digits for a 验证码 template)
SINGLE_SMS = 70  # characters (signature included) billed as one SMS
SIGN_NAME = "村情通"  # the registered signature; CQT_SMS_SIGN_NAME overrides it


class Param(NamedTuple):
    name: str
    kind: str  # "code": 4-6 digits, never altered | "text": shaped to PARAM_MAX | "tail": last PARAM_MAX letters/digits
    meaning: str  # what it holds, for the template's application remarks (docs/operations.md)


class Template(NamedTuple):
    name: str
    type: str  # the provider's template type: 验证码 or 通知
    body: str  # {param} placeholders; the signature is added by the provider (the outbox and SNS add 【sign】)
    params: tuple[Param, ...]
    purpose: str

    @property
    def provider_body(self) -> str:
        """The text to submit for approval: {1}, {2}, … in order of appearance."""
        out = self.body
        for i, p in enumerate(self.params, 1):
            out = out.replace("{" + p.name + "}", "{" + str(i) + "}")
        return out

    def max_length(self, sign: str = SIGN_NAME) -> int:
        return len(f"【{sign}】") + len(self.body) - sum(len(p.name) + 2 for p in self.params) + PARAM_MAX * len(
            self.params)


def _template(name: str, type_: str, body: str, purpose: str, **meanings: str) -> Template:
    names = re.findall(r"\{(\w+)\}", body)
    assert names == list(meanings), (name, names)  # each placeholder once, described in order
    kinds = {"code": "code", "ref": "tail"}
    return Template(name, type_, body, tuple(Param(n, kinds.get(n, "text"), meanings[n]) for n in names), purpose)


TEMPLATES: dict[str, Template] = {t.name: t for t in (
    _template("otp", "验证码", "您的验证码是{code}，5分钟内有效。如非本人操作，请忽略。",
              "sign-in code (chalicelib/core/auth/service.py request_code)",
              code="6-digit code"),
    _template("staff_invited", "通知", "您已被设为{role}，请用本手机号登录村情通。",
              "someone was given a staff role (chalicelib/staff/service.py invite)",
              role="role, e.g. 网格员, 村情通管理员"),
    _template("report_reminder", "通知",
              "{head}您好，您家今天的健康上报还没有完成，请打开村情通填报。提醒人：{sender}（{role}）",
              "a grid worker or party member reminds a household (chalicelib/daily_report/reminders.py)",
              head="head of household's name", sender="reminding person's name", role="党员 or 网格员"),
    _template("errand_consent", "验证码",
              "村里工作人员正在村情通为您家代办事项，验证码{code}，10分钟内有效。同意代办请将验证码告诉工作人员，否则请忽略。",
              "a grid worker or service-point clerk applies for an item on a household's behalf (chalicelib/errands/"
              "consent.py): the household consents by handing over the code",
              code="6-digit code"),
    _template("case_update", "通知", "您的{noun}（编号尾号{ref}）{status}，详情请打开村情通查看。",
              "a case the person filed changed status (chalicelib/cases/events.py), if they opted in",
              noun="kind of case, e.g. 随手拍, 来信, 举报", ref="last 6 characters of the case number",
              status="new status, e.g. 处理中, 已办结"),
    _template("notice_urgent", "通知", "{sender}发布了紧急通知《{title}》，请尽快打开村情通查看。",
              "an urgent notice, to households that have not opened the app in 7 days, once per notice "
              "(chalicelib/notices/sms.py)",
              sender="publishing place, e.g. 张王村, 龙游县", title="the notice's title (first 6 characters)"),
    _template("interview_invite", "通知", "{company}邀请您参加面试，日期{date}，时间{time}，面试凭证请打开村情通查看。",
              "an employer invites a job seeker to an interview (chalicelib/recruitment/applications.py invite)",
              company="employer's name (first 6 characters)", date="date, e.g. 12月8日", time="time, e.g. 09:30"),
    _template("job_alert", "通知", "{company}发布了新岗位“{title}”，符合您订阅的条件，请打开村情通查看。",
              "a new job matches a seeker's job alert, if they chose SMS (chalicelib/recruitment/alerts.py)",
              company="employer's name (first 6 characters)", title="the job's title (first 6 characters)"),
    _template("volunteer_call", "通知", "{sender}发布了紧急招募《{title}》，名额有限，请打开村情通报名。",
              "a new urgent volunteer call, to the volunteers in its scope who opted in to SMS, once per call "
              "(chalicelib/volunteers/broadcast.py)",
              sender="calling place, e.g. 张王村, 湖镇镇", title="the call's title (first 6 characters)"),
    _template("volunteer_update", "通知", "您报名的紧急招募《{title}》{status}，详情请打开村情通查看。",
              "a volunteer's sign-up changed: promoted from the waiting list, or the call cancelled "
              "(chalicelib/volunteers/service.py), if they opted in to SMS",
              title="the call's title (first 6 characters)", status="候补成功 or 已取消"),
)}

_URL_CHARS = r"[A-Za-z0-9._~:/?#@!$&'()*+,;=%-]"
_URL = re.compile(rf"(?i)(?:https?://|www\.){_URL_CHARS}*|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|cn|net|org|gov|top|"
                  rf"xyz|cc|io)(?![A-Za-z0-9]){_URL_CHARS}*")
_NOT_IN_PARAMS = re.compile(r"[\x00-\x1f\x7f【】\[\]{}¥★☞✓※^]")
_PARENS = re.compile(r"（[^（）]*）|\([^()]*\)")


def shape(kind: str, value: object) -> str:
    """A parameter value as the provider accepts it (see the module's docstring)."""
    text = str(value).strip()
    if kind == "code":
        if not re.fullmatch(r"\d{4,6}", text):
            raise ValueError("a verification code is 4 to 6 digits")
        return text
    text = re.sub(r" +", " ", _NOT_IN_PARAMS.sub("", _URL.sub("", re.sub(r"\s+", " ", text)))).strip()
    if kind == "tail":
        return re.sub(r"[^0-9A-Za-z]", "", text)[-PARAM_MAX:]
    if len(text) > PARAM_MAX:
        text = _PARENS.sub("", text).strip()
    return text[:PARAM_MAX]


class Sms:
    """One template message: `Sms("case_update", noun="随手拍", ref=case.ref, status="已办结")`."""

    __slots__ = ("template", "params")

    def __init__(self, template: str, **params: object):
        t = TEMPLATES[template]
        if set(params) != {p.name for p in t.params}:
            raise TypeError(f"SMS template {template!r} takes {[p.name for p in t.params]}, got {sorted(params)}")
        self.template = template
        self.params: tuple[str, ...] = tuple(shape(p.kind, params[p.name]) for p in t.params)

    def named(self) -> dict[str, str]:
        return {p.name: v for p, v in zip(TEMPLATES[self.template].params, self.params, strict=True)}

    def text(self, sign: str = SIGN_NAME) -> str:
        """The message as the phone shows it: 【signature】 then the template with its parameters."""
        return f"【{sign}】" + TEMPLATES[self.template].body.format(**self.named())

    def __repr__(self) -> str:  # no parameter values: they may hold a code or a name
        return f"Sms({self.template!r})"
