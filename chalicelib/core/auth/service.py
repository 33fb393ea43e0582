"""Sign-in: phone + SMS one-time code, then access tokens with rotating, revocable refresh tokens."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets as pysecrets
import uuid

from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError

from .. import clock, counties, pii, secrets
from ..config import settings
from ..db import PLATFORM, cancellation_codes, transact
from ..errors import BadRequest, Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized
from ..lazy import lazy_module
from ..notify import Sms, sms
from ..tenancy import Grant, TenantContext, grants_from_json
from .models import Identity, Membership, OtpChallenge, PhoneIndex, RateCounter, RefreshToken, StaffPost, User

tokens = lazy_module(".tokens", __package__)  # PyJWT: only signing in and refreshing need it, not every read


def _code_hash(bidx: str, code: str) -> str:
    return hmac.new(secrets.get("token_key").encode(), f"otp:{bidx}:{code}".encode(), hashlib.sha256).hexdigest()


def _rate(bucket: str, subject: str, limit: int, window_seconds: int, offset: int = 0) -> None:
    """Fixed-window counter; raises 429 with Retry-After when the window is full. Windows start at multiples of
    `window_seconds` after the epoch shifted by `offset` (8 h: days that start at midnight Asia/Shanghai)."""
    now = clock.epoch()
    window = (now + offset) // window_seconds
    end = (window + 1) * window_seconds - offset
    pk, sk = RateCounter.keys(bucket, subject, window)
    item = RateCounter(pk, sk, expires=end + window_seconds)
    try:
        item.update(actions=[RateCounter.count.add(1), RateCounter.expires.set(end + window_seconds)],
                    condition=RateCounter.count.does_not_exist() | (RateCounter.count < limit))
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise TooManyRequests(retry_after=end - now) from e
        raise


def request_code(phone: str, client_id: str) -> dict:
    s = settings()
    bidx = pii.blind_index("phone", phone)
    _rate("otp-client", hashlib.sha256(client_id.encode()).hexdigest()[:24], s.otp_per_client_per_hour, 3600)
    now = clock.epoch()
    day = clock.today().isoformat()
    pk, sk = OtpChallenge.keys(bidx)
    try:
        prev = OtpChallenge.get(pk, sk, consistent_read=True)
    except OtpChallenge.DoesNotExist:
        prev = None
    sent_today = 1
    if prev is not None:
        wait = prev.issued_at + s.otp_resend_after - now
        if wait > 0:
            raise TooManyRequests("验证码已发送，请稍后再试", retry_after=wait, code="otp_resend_throttled")
        if prev.day == day:
            if prev.sent_today >= s.otp_per_phone_per_day:
                raise TooManyRequests("今日获取验证码次数已达上限", retry_after=clock.seconds_until_tomorrow(),
                                      code="otp_daily_limit")
            sent_today = prev.sent_today + 1
    code = f"{pysecrets.randbelow(10**6):06d}"
    challenge = OtpChallenge(pk, sk, code_hash=_code_hash(bidx, code), issued_at=now, tries=0, day=day,
                             sent_today=sent_today, expires=now + 86400)
    cond = OtpChallenge.pk.does_not_exist() if prev is None else (OtpChallenge.issued_at == prev.issued_at)
    try:
        challenge.save(condition=cond)
    except PutError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise TooManyRequests("验证码已发送，请稍后再试", retry_after=s.otp_resend_after,
                                  code="otp_resend_throttled") from e
        raise
    try:
        sms().send(phone, Sms("otp", code=code))
    except Exception:
        _withdraw(challenge, prev)  # no SMS left: the person may ask again at once, not after otp_resend_after
        raise
    return {"expires_in": s.otp_ttl, "resend_after": s.otp_resend_after}


def _withdraw(challenge: OtpChallenge, prev: OtpChallenge | None) -> None:
    """Put back the phone's previous challenge (or none) if the one just saved is still there. Best effort."""
    mine = OtpChallenge.code_hash == challenge.code_hash
    try:
        if prev is None:
            challenge.delete(condition=mine)
        else:
            prev.save(condition=mine)
    except (PutError, DeleteError):
        pass  # at worst the person waits otp_resend_after seconds, as before


def verify_code(phone: str, code: str) -> str:
    """Check the code; return the phone's blind index (the identity) or raise."""
    s = settings()
    bidx = pii.blind_index("phone", phone)
    pk, sk = OtpChallenge.keys(bidx)
    try:
        ch = OtpChallenge.get(pk, sk, consistent_read=True)
    except OtpChallenge.DoesNotExist:
        raise BadRequest("请先获取验证码", code="otp_missing") from None
    now = clock.epoch()
    if ch.code_hash == "" or now - ch.issued_at > s.otp_ttl:
        raise BadRequest("验证码已过期，请重新获取", code="otp_expired")
    locked = BadRequest("验证码错误次数过多，请重新获取", code="otp_locked")
    if ch.tries >= s.otp_max_tries:
        raise locked
    # Count the try before comparing: of guesses that arrive together, the condition lets at most otp_max_tries
    # be compared; the rest are refused as locked (the right code's try is used up by its own success).
    try:
        ch.update(actions=[OtpChallenge.tries.add(1)], condition=OtpChallenge.tries < s.otp_max_tries)
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise locked from e
        raise
    if not hmac.compare_digest(ch.code_hash, _code_hash(bidx, code)):
        left = max(0, s.otp_max_tries - ch.tries)
        raise BadRequest("验证码不正确", code="otp_wrong", details={"tries_left": left})
    # Burn the code so it cannot be used twice (keep the item for the resend/daily limits).
    try:
        ch.update(actions=[OtpChallenge.code_hash.set("")], condition=OtpChallenge.code_hash == ch.code_hash)
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise BadRequest("验证码已使用，请重新获取", code="otp_used") from e
        raise
    return bidx


def memberships(identity: str) -> list[Membership]:
    pk = Membership.keys(identity, "x")[0]
    return list(Membership.query(pk, Membership.sk.startswith("MEMBER#")))


def _active_user(tenant: str, uid: str) -> User:
    try:
        user = User.get(*User.keys(tenant, uid), consistent_read=True)
    except User.DoesNotExist:
        raise Unauthorized("账号不存在或已被移除", code="user_removed") from None
    if user.status != "active":
        raise Unauthorized("账号已被移除", code="user_removed")
    return user


def _require_active_county(tenant: str) -> None:
    if tenant != PLATFORM:
        counties.require_active(tenant, fresh=True)


def session_for(user: User, tenant: str, family: str | None = None) -> dict:
    grants = grants_from_json(user.grants)
    access, ttl = tokens.issue_access(tenant, user.uid, user.phone_bidx, grants)
    rtid, secret, secret_hash = tokens.new_refresh_secret()
    family = family or uuid.uuid4().hex
    RefreshToken(*RefreshToken.keys(tenant, user.uid, rtid), secret_hash=secret_hash, family=family,
                 created_at=clock.iso(), expires=clock.epoch() + settings().refresh_token_ttl).save()
    return {"access_token": access, "expires_in": ttl, "token_type": "Bearer",
            "refresh_token": tokens.pack_refresh(tenant, user.uid, rtid, secret),
            "tenant": tenant, "user_id": user.uid, "roles": sorted({g.role for g in grants}),
            "memberships": [{"tenant": m.tenant, "name": county_name(m.tenant)} for m in memberships(user.phone_bidx)]}


def sign_in(phone: str, code: str, tenant: str | None, client_id: str | None = None) -> dict:
    if client_id:  # one address guesses at no more codes than it could have had sent itself
        s = settings()
        _rate("otp-guess-client", hashlib.sha256(client_id.encode()).hexdigest()[:24],
              s.otp_per_client_per_hour * s.otp_max_tries, 3600)
    tokens.require_signer()  # before the code is burnt
    identity = verify_code(phone, code)
    # Remember the (encrypted) phone of this identity, so that linking to a household can register it.
    Identity(*Identity.keys(identity), phone_enc=pii.encrypt(PLATFORM, phone), last_sign_in=clock.iso()).save()
    return _open_session(identity, tenant)


def identity_phone(identity: str) -> str:
    try:
        item = Identity.get(*Identity.keys(identity), consistent_read=True)
    except Identity.DoesNotExist:
        raise Unauthorized("请重新登录", code="identity_missing") from None
    return pii.decrypt(PLATFORM, item.phone_enc)


def _open_session(identity: str, tenant: str | None) -> dict:
    ms = memberships(identity)
    options = [{"tenant": m.tenant, "name": county_name(m.tenant)} for m in ms]
    chosen = None
    if tenant:
        chosen = next((m for m in ms if m.tenant == tenant), None)
        if chosen is None:
            raise Forbidden("您不属于该县", code="not_a_member")
    elif len(ms) == 1:
        chosen = ms[0]
    if chosen is None:
        # Signed in, but not (or not yet chosen) in a county: a session that can only link or choose.
        access, ttl = tokens.issue_access("", "", identity, ())
        return {"access_token": access, "expires_in": ttl, "token_type": "Bearer", "refresh_token": None,
                "tenant": None, "user_id": None, "roles": [], "memberships": options}
    _require_active_county(chosen.tenant)
    user = _active_user(chosen.tenant, chosen.uid)
    return session_for(user, chosen.tenant)


def county_name(tenant: str) -> str:
    if tenant == PLATFORM:
        return "村情通平台"
    county = counties.get(tenant)
    return county.name if county else tenant


def switch(ctx: TenantContext, tenant: str) -> dict:
    """Open a session in another county this person belongs to (its items: that county's fence, core.fence)."""
    from .. import fence

    with fence.acting_for(tenant):
        return _open_session(ctx.identity, tenant)


def refresh(token: str) -> dict:
    tenant, uid, rtid, secret = tokens.unpack_refresh(token)
    tokens.require_signer()  # before the refresh token is rotated
    if not tenant or "#" in tenant:
        raise Unauthorized("登录已失效，请重新登录", code="invalid_refresh_token")
    pk, sk = RefreshToken.keys(tenant, uid, rtid)
    try:
        rt = RefreshToken.get(pk, sk, consistent_read=True)
    except RefreshToken.DoesNotExist:
        raise Unauthorized("登录已失效，请重新登录", code="invalid_refresh_token") from None
    if not tokens.secret_matches(rt.secret_hash, secret) or (rt.expires or 0) <= clock.epoch():
        raise Unauthorized("登录已失效，请重新登录", code="invalid_refresh_token")
    if rt.status != "active":
        # A rotated token used again: someone holds a copy. Revoke the whole family.
        revoke_all(tenant, uid, family=rt.family)
        raise Unauthorized("登录状态异常，请重新登录", code="refresh_token_reused")
    _require_active_county(tenant)
    user = _active_user(tenant, uid)
    try:
        rt.update(actions=[RefreshToken.status.set("rotated")], condition=RefreshToken.status == "active")
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Unauthorized("登录状态异常，请重新登录", code="refresh_token_reused") from e
        raise
    return session_for(user, tenant, family=rt.family)


def sign_out(token: str) -> None:
    tenant, uid, rtid, secret = tokens.unpack_refresh(token)
    pk, sk = RefreshToken.keys(tenant, uid, rtid)
    try:
        rt = RefreshToken.get(pk, sk, consistent_read=True)
    except RefreshToken.DoesNotExist:
        return
    if tokens.secret_matches(rt.secret_hash, secret):
        try:
            rt.delete()
        except DeleteError:
            return


def revoke_all(tenant: str, uid: str, family: str | None = None) -> int:
    pk = User.keys(tenant, uid)[0]
    n = 0
    for rt in RefreshToken.query(pk, RefreshToken.sk.startswith("RT#")):
        if family is None or rt.family == family:
            rt.delete()
            n += 1
    return n


# --- people ------------------------------------------------------------------------------------------------

def find_user_by_phone(tenant: str, phone: str) -> User | None:
    bidx = pii.blind_index("phone", phone)
    try:
        idx = PhoneIndex.get(*PhoneIndex.keys(tenant, bidx), consistent_read=True)
    except PhoneIndex.DoesNotExist:
        return None
    try:
        return User.get(*User.keys(tenant, idx.uid), consistent_read=True)
    except User.DoesNotExist:
        return None


def staff_places(grants) -> set[str]:
    """Places where a person holds a staff role (resident roles come from a household, not a post)."""
    return {g.place for g in grants if g.household is None and g.place != "*"}


def _posts(tenant: str, user: User, places: set[str]) -> list:
    return [(StaffPost(*StaffPost.keys(tenant, user.uid, p), uid=user.uid, place=p,
                       gsi1pk=StaffPost.index(tenant), gsi1sk=f"{p}#{user.uid}"), None) for p in sorted(places)]


def add_grants(tenant: str, phone: str, name: str, new: list[Grant], *, invited_by: str | None) -> tuple[User, bool]:
    """Create the person in the county (user, phone index, membership, staff posts in one transaction) or add
    grants to the existing one. Returns (user, created)."""
    existing = find_user_by_phone(tenant, phone)
    if existing is None:
        user, items = new_user(tenant, phone, name, new, invited_by=invited_by)
        try:
            with transact() as tx:
                for item, cond in items:
                    tx.save(item, condition=cond)
        except TransactWriteError as e:
            if "ConditionalCheckFailed" not in cancellation_codes(e):
                raise  # throttled or an outage: 503 (core.http)
            raise Conflict("该手机号刚被登记，请重试", code="phone_taken") from e
        return user, True
    before = staff_places(grants_from_json(existing.grants))
    if with_grants(existing, new):
        after = staff_places(grants_from_json(existing.grants))
        try:
            with transact() as tx:
                tx.save(existing)  # versioned: a concurrent edit cancels the transaction
                for item, cond in _posts(tenant, existing, after - before):
                    tx.save(item, condition=cond)
        except TransactWriteError as e:
            if "ConditionalCheckFailed" not in cancellation_codes(e):
                raise  # throttled or an outage: 503 (core.http)
            raise Conflict("该用户刚被他人修改，请重试", code="version_conflict") from e
    return existing, False


def new_user(tenant: str, phone: str, name: str, grants: list[Grant], *, invited_by: str | None) -> tuple[User, list]:
    """A new person's items (user, phone index, membership, staff posts) with their conditions, for the caller's
    transaction."""
    now = clock.iso()
    uid = uuid.uuid4().hex[:16]
    bidx = pii.blind_index("phone", phone)
    user = User(*User.keys(tenant, uid), uid=uid, name=name, phone_enc=pii.encrypt(tenant, phone), phone_bidx=bidx,
                phone_mask=pii.mask_phone(phone), status="active",
                grants=json.dumps([g.to_json() for g in grants], ensure_ascii=False),
                invited_by=invited_by, created_at=now, updated_at=now)
    return user, [(user, User.pk.does_not_exist()),
                  (PhoneIndex(*PhoneIndex.keys(tenant, bidx), uid=uid), PhoneIndex.pk.does_not_exist()),
                  (Membership(*Membership.keys(bidx, tenant), tenant=tenant, uid=uid), None),
                  *_posts(tenant, user, staff_places(grants))]


def set_grants(tenant: str, user: User, keep: list[Grant]) -> None:
    """Replace a person's grants (staff removal): user, staff posts and status in one transaction."""
    before = staff_places(grants_from_json(user.grants))
    after = staff_places(keep)
    user.grants = json.dumps([g.to_json() for g in keep], ensure_ascii=False)
    user.status = "active" if keep else "removed"
    user.updated_at = clock.iso()
    try:
        with transact() as tx:
            tx.save(user)
            for place in before - after:
                tx.delete(StaffPost(*StaffPost.keys(tenant, user.uid, place)))
    except TransactWriteError as e:
        if "ConditionalCheckFailed" not in cancellation_codes(e):
            raise  # throttled or an outage: 503 (core.http)
        raise Conflict("该用户刚被他人修改，请重试", code="version_conflict") from e


def get_user(tenant: str, uid: str) -> User:
    try:
        return User.get(*User.keys(tenant, uid), consistent_read=True)
    except User.DoesNotExist:
        raise NotFound("找不到该人员") from None


def with_grants(user: User, new: list[Grant]) -> bool:
    """Add grants to a loaded user (for the caller's transaction). Returns False if nothing changed."""
    grants = list(grants_from_json(user.grants))
    added = [g for g in new if g not in grants]
    if not added and user.status == "active":
        return False
    user.grants = json.dumps([g.to_json() for g in grants + added], ensure_ascii=False)
    user.status = "active"
    user.updated_at = clock.iso()
    return True


def staff_at(tenant: str, place: str) -> list[User]:
    """Active people posted exactly at a place (a batch job's read: Query the posts index, BatchGet the people)."""
    posts = list(StaffPost.gsi1.query(StaffPost.index(tenant), StaffPost.gsi1sk.startswith(f"{place}#")))
    uids = list(dict.fromkeys(p.uid for p in posts if p.place == place))
    users: list[User] = []
    for i in range(0, len(uids), 100):
        batch = User.batch_get([User.keys(tenant, uid) for uid in uids[i:i + 100]])
        users += [u for u in batch if u.status == "active"]
    return users


def rate_limit(bucket: str, subject: str, limit: int, window_seconds: int, offset: int = 0) -> None:
    """A fixed-window limit for any module (429 with Retry-After when the window is full)."""
    _rate(bucket, subject, limit, window_seconds, offset)


def rate_check(bucket: str, subject: str, limit: int, window_seconds: int, offset: int = 0) -> None:
    """429 when the window of `rate_limit(bucket, subject, ...)` is already full, without counting: for limits on
    failures only (check before trying, `rate_limit` after a failure). One GetItem."""
    now = clock.epoch()
    window = (now + offset) // window_seconds
    try:
        item = RateCounter.get(*RateCounter.keys(bucket, subject, window), consistent_read=True)
    except RateCounter.DoesNotExist:
        return
    if (item.count or 0) >= limit:
        raise TooManyRequests(retry_after=(window + 1) * window_seconds - offset - now)


SHANGHAI_DAY = (86400, 8 * 3600)  # (window, offset): a day from midnight Asia/Shanghai (UTC+8, no DST)


def posts_under(tenant: str, place: str, limit: int | None, cursor: str | None) -> dict:
    """People posted at or below a place (a grid: exactly there), one page: Query the posts index, BatchGet them."""
    from ..config import page_size
    from ..http import decode_cursor, encode_cursor

    pk = StaffPost.index(tenant)
    if place == tenant:
        cond = None
    elif "G" in place:
        cond = StaffPost.gsi1sk.startswith(f"{place}#")
    else:
        cond = StaffPost.gsi1sk.startswith(place)
    bound = f"{pk}|{place}"
    res = StaffPost.gsi1.query(pk, cond, limit=page_size(limit), last_evaluated_key=decode_cursor(cursor, bound))
    posts = list(res)
    uids = list(dict.fromkeys(p.uid for p in posts))
    users = {u.uid: u for u in User.batch_get([User.keys(tenant, uid) for uid in uids])} if uids else {}
    return {"items": [users[u] for u in uids if u in users],
            "next_cursor": encode_cursor(res.last_evaluated_key, bound)}
