"""A household's consent to an application made on its behalf (网格员 or the village service point's clerk): a
6-digit code texted to the household's phone (its head's, else the first member's with one), which the family hands
to the person applying. The code is kept as a keyed hash, lives 10 minutes, allows 5 tries and is used once; a
person may text a household once a minute and 5 times a day. What the application records of it: who applied,
in which role, the phone (masked) that confirmed, and when (shown in the case's timeline)."""

from __future__ import annotations

import hmac
import secrets

from pynamodb.exceptions import PutError, UpdateError

from ..core import clock, pii
from ..core.errors import BadRequest, NotFound, TooManyRequests, ValidationFailed
from ..core.notify import Sms, sms
from ..core.tenancy import TenantContext
from ..households import service as households
from .models import ErrandConsent

TTL = 600
RESEND_AFTER = 60
PER_DAY = 5
MAX_TRIES = 5


def _hash(tenant: str, hid: str, uid: str, code: str) -> str:
    return pii.county_blind_index(tenant, "errand-consent", f"{hid}:{uid}:{code}")


def _household_phone(tenant: str, hid: str) -> str | None:
    hh, members = households.load(tenant, hid)
    ordered = sorted(members, key=lambda m: m.mid != hh.head_mid)  # the head first
    for m in ordered:
        if m.phone_enc:
            return pii.decrypt(tenant, m.phone_enc)
    return None


def proxy_household(ctx: TenantContext, hid: str):
    """The household, if the caller may apply on its behalf (errands.proxy at its grid); else 404."""
    tenant = ctx.require_tenant()
    hh, members = households.load(tenant, hid)
    if not ctx.can("errands.proxy", hh.grid):
        raise NotFound("找不到该户")
    return hh, members


def request(ctx: TenantContext, hid: str) -> dict:
    tenant = ctx.require_tenant()
    proxy_household(ctx, hid)
    phone = _household_phone(tenant, hid)
    if phone is None:
        raise ValidationFailed("该户没有登记手机号，无法短信确认，请先在户籍信息中补充户主手机号",
                               code="no_household_phone")
    now, day = clock.epoch(), clock.today().isoformat()
    pk, sk = ErrandConsent.keys(tenant, hid, ctx.user_id)
    try:
        prev = ErrandConsent.get(pk, sk, consistent_read=True)
    except ErrandConsent.DoesNotExist:
        prev = None
    sent_today = 1
    if prev is not None:
        wait = prev.issued_at + RESEND_AFTER - now
        if wait > 0:
            raise TooManyRequests("验证码已发送，请稍后再试", retry_after=wait, code="consent_resend_throttled")
        if prev.day == day:
            if prev.sent_today >= PER_DAY:
                raise TooManyRequests("今天给该户发送验证码的次数已达上限", retry_after=clock.seconds_until_tomorrow(),
                                      code="consent_daily_limit")
            sent_today = prev.sent_today + 1
    code = f"{secrets.randbelow(10**6):06d}"
    item = ErrandConsent(pk, sk, code_hash=_hash(tenant, hid, ctx.user_id, code), phone_mask=pii.mask_phone(phone),
                         issued_at=now, tries=0, sent_today=sent_today, day=day, expires=now + 86400)
    try:
        item.save(condition=ErrandConsent.pk.does_not_exist() if prev is None
                  else ErrandConsent.issued_at == prev.issued_at)
    except PutError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise TooManyRequests("验证码已发送，请稍后再试", retry_after=RESEND_AFTER,
                                  code="consent_resend_throttled") from e
        raise
    sms().send(phone, Sms("errand_consent", code=code))
    return {"phone": item.phone_mask, "expires_in": TTL, "resend_after": RESEND_AFTER}


def verify(ctx: TenantContext, hid: str, code: str | None) -> dict:
    """Check and use up the household's code for this person; returns what the application records."""
    tenant = ctx.require_tenant()
    if not code:
        raise ValidationFailed(details=[{"field": "consent_code", "code": "required",
                                         "message": "代办需要该户的短信验证码，请先发送验证码"}])
    pk, sk = ErrandConsent.keys(tenant, hid, ctx.user_id)
    try:
        item = ErrandConsent.get(pk, sk, consistent_read=True)
    except ErrandConsent.DoesNotExist:
        raise BadRequest("请先给该户发送验证码", code="consent_missing") from None
    if not item.code_hash:
        raise BadRequest("验证码已使用，请重新发送", code="consent_used")
    if clock.epoch() - item.issued_at > TTL:
        raise BadRequest("验证码已过期，请重新发送", code="consent_expired")
    try:  # count the try before comparing: concurrent guesses cannot exceed MAX_TRIES
        item.update(actions=[ErrandConsent.tries.add(1)], condition=ErrandConsent.tries < MAX_TRIES)
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise BadRequest("验证码错误次数过多，请重新发送", code="consent_locked") from e
        raise
    if not hmac.compare_digest(item.code_hash, _hash(tenant, hid, ctx.user_id, code)):
        raise BadRequest("验证码不正确", code="consent_wrong", details={"tries_left": max(0, MAX_TRIES - item.tries)})
    try:
        item.update(actions=[ErrandConsent.code_hash.set("")], condition=ErrandConsent.code_hash == item.code_hash)
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise BadRequest("验证码已使用，请重新发送", code="consent_used") from e
        raise
    return {"phone": item.phone_mask, "phone_full": _household_phone(tenant, hid), "at": clock.iso()}
