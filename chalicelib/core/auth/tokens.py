"""Signed access tokens (JWT, ES256 with a key id, short-lived) and opaque rotating refresh tokens.

Access tokens are signed with the current private key of the signing secret and verified with the public key set
(core/auth/keys.py): verifying needs no private key, and a function that may not read the signing secret cannot mint
a token. Refresh tokens are random; only an HMAC of their secret is stored, keyed by `refresh_key` of the app secret
(not by any signing key)."""

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
from . import keys

ISSUER = "cunqingtong"


def _refresh_keys() -> list[bytes]:
    """`refresh_key` (drawn once, kept by every rotation of the app secret), then the `token_key` that hashed the
    refresh tokens issued before it (HS256 days): those still refresh until they expire."""
    found = [secrets.find("refresh_key"), secrets.find("token_key")]
    return [k.encode() for k in found if k]


def require_signer() -> None:
    """Fail closed before any state changes (a code burnt, a refresh token rotated) when this function cannot sign:
    503 signing_unavailable."""
    keys.signer.current()


def issue_access(tenant: str, uid: str, identity: str, grants: tuple[Grant, ...]) -> tuple[str, int]:
    ttl = settings().access_token_ttl
    now = clock.epoch()
    claims = {"iss": ISSUER, "typ": "access", "sub": uid, "ten": tenant, "idn": identity,
              "g": [g.to_json() for g in grants], "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex}
    kid, private = keys.signer.current()
    return jwt.encode(claims, private, algorithm=keys.ALG, headers={"kid": kid}), ttl


def verify_access(token: str) -> TenantContext:
    invalid = Unauthorized("登录已失效，请重新登录", code="invalid_token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as e:
        raise invalid from e
    kid = header.get("kid")
    if header.get("alg") != keys.ALG or not isinstance(kid, str) or not kid:
        raise invalid
    found = keys.public_keys.get(kid)
    if found is None:  # unknown kid (or one dropped long after its retirement)
        raise invalid
    public, not_after = found
    if not_after is not None and clock.epoch() >= not_after:  # signed by a retired key
        raise invalid
    try:
        claims = jwt.decode(token, public, algorithms=[keys.ALG], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "typ"], "verify_iat": False,
                                     "verify_exp": False},
                            leeway=0)
    except jwt.PyJWTError as e:
        raise invalid from e
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
    return hmac.new(_refresh_keys()[0], secret.encode(), hashlib.sha256).hexdigest()


def secret_matches(stored_hash: str, secret: str) -> bool:
    """Whether `secret` is the one `stored_hash` was made from, with the refresh key or the key before it."""
    return any(hmac.compare_digest(stored_hash, hmac.new(k, secret.encode(), hashlib.sha256).hexdigest())
               for k in _refresh_keys())


def pack_refresh(tenant: str, uid: str, rtid: str, secret: str) -> str:
    return f"{tenant}.{uid}.{rtid}.{secret}"


def unpack_refresh(token: str) -> tuple[str, str, str, str]:
    parts = (token or "").split(".")
    if len(parts) != 4 or not all(parts):
        raise Unauthorized("登录已失效，请重新登录", code="invalid_refresh_token")
    return parts[0], parts[1], parts[2], parts[3]
