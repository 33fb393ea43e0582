"""Signed access tokens (JWT, HS256, short-lived) and opaque rotating refresh tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets as pysecrets
import uuid

import jwt

from .. import clock, secrets
from ..config import settings
from ..errors import Unauthorized
from ..tenancy import Grant, TenantContext, grants_from_json

ISSUER = "cunqingtong"


def _key() -> str:
    return secrets.get("token_key")


def issue_access(tenant: str, uid: str, identity: str, grants: tuple[Grant, ...]) -> tuple[str, int]:
    ttl = settings().access_token_ttl
    now = clock.epoch()
    claims = {"iss": ISSUER, "typ": "access", "sub": uid, "ten": tenant, "idn": identity,
              "g": [g.to_json() for g in grants], "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, _key(), algorithm="HS256"), ttl


def verify_access(token: str) -> TenantContext:
    try:
        claims = jwt.decode(token, _key(), algorithms=["HS256"], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "typ"], "verify_iat": False,
                                     "verify_exp": False},
                            leeway=0)
    except jwt.PyJWTError as e:
        raise Unauthorized("登录已失效，请重新登录", code="invalid_token") from e
    if claims.get("typ") != "access":
        raise Unauthorized("登录已失效，请重新登录", code="invalid_token")
    # Expiry against the injected clock (the wall clock in production; tests move it), not PyJWT's time.time().
    if claims["exp"] <= clock.epoch():
        raise Unauthorized("登录已过期，请重新登录", code="token_expired")
    return TenantContext(tenant_id=claims.get("ten", ""), user_id=claims["sub"], identity=claims.get("idn", ""),
                         grants=grants_from_json(claims.get("g", [])), expires=int(claims["exp"]))


def new_refresh_secret() -> tuple[str, str, str]:
    """Return (rtid, secret, hash)."""
    rtid = uuid.uuid4().hex
    secret = pysecrets.token_urlsafe(32)
    return rtid, secret, hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hmac.new(_key().encode(), secret.encode(), hashlib.sha256).hexdigest()


def pack_refresh(tenant: str, uid: str, rtid: str, secret: str) -> str:
    return f"{tenant}.{uid}.{rtid}.{secret}"


def unpack_refresh(token: str) -> tuple[str, str, str, str]:
    parts = (token or "").split(".")
    if len(parts) != 4 or not all(parts):
        raise Unauthorized("登录已失效，请重新登录", code="invalid_refresh_token")
    return parts[0], parts[1], parts[2], parts[3]
