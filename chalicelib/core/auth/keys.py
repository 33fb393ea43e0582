"""Access-token keys: ES256 (ECDSA P-256) key pairs named by a key id (`kid`).

Two Secrets Manager secrets, so that verifying never needs a private key:
- the **signing secret** (`CQT_SIGNING_SECRET_NAME`, `cqt-{stage}/signing-key`): {"kid", "alg", "private_key"
  (PKCS#8 PEM), "created_at"}. Only the functions that sign (the /auth/* routes and linking to a household) may read
  it; without it they answer 503 `signing_unavailable` (fail closed) while every other route keeps working.
- the **public key set** (`CQT_JWKS_SECRET_NAME`, `cqt-{stage}/signing-jwks`): a JWKS {"keys": [{"kid", "kty",
  "crv", "x", "y", "alg", "use", "not_after"}]} of the current key and the previous ones still accepted. Every
  function may read it. `not_after` (epoch seconds, null for the current key) is when a key retires: a token signed
  by it is refused from then on, whatever its own expiry says.

Caches, per container: the signing key is read again after SIGNING_CACHE_SECONDS (a rotation reaches every signer
within that time), the key set after JWKS_CACHE_SECONDS, and at once (at most every JWKS_REFRESH_SECONDS) when a
token names a kid it does not hold (a key published by a rotation after the set was read). A rotation
(`rotate`, scripts/rotate_signing_key.py) therefore retires the previous key at rotation time + SIGNING_CACHE_SECONDS
+ the longest access-token lifetime: no token a warm signer still made with it outlives its key.

Why ES256: of the asymmetric JWS algorithms PyJWT offers with `cryptography`, P-256 verifies fastest on the Lambda's
x86-64 OpenSSL (≈ 65 µs against ≈ 105 µs for Ed25519 and a few ms for RS256 keys of a safe size, measured on this
repository's machines), and the authorizer verifies on every uncached token. Nothing here logs key material.
"""

from __future__ import annotations

import base64
import json
import secrets as pysecrets
import threading

from .. import clock
from ..aws import client
from ..config import settings
from ..errors import ServiceUnavailable

ALG = "ES256"
SIGNING_CACHE_SECONDS = 300
JWKS_CACHE_SECONDS = 300
JWKS_REFRESH_SECONDS = 30


class SigningUnavailable(ServiceUnavailable):
    code = "signing_unavailable"
    message = "登录服务暂不可用，请稍后重试"


def _b64(n: int) -> str:
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


def _unb64(s: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)), "big")


def new_kid(now: int | None = None) -> str:
    """`k` + UTC date and time of creation + 6 random hex digits: sortable, and unique without coordination."""
    import datetime as dt

    at = dt.datetime.fromtimestamp(clock.epoch() if now is None else now, dt.UTC)
    return f"k{at:%Y%m%d%H%M}-{pysecrets.token_hex(3)}"


def new_key_pair(now: int | None = None) -> tuple[dict, dict]:
    """A fresh key: (signing secret value, its public JWK)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    now = clock.epoch() if now is None else now
    kid = new_kid(now)
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    nums = private.public_key().public_numbers()
    jwk = {"kid": kid, "kty": "EC", "crv": "P-256", "x": _b64(nums.x), "y": _b64(nums.y), "alg": ALG, "use": "sig",
           "not_after": None}
    return {"kid": kid, "alg": ALG, "private_key": pem, "created_at": now}, jwk


def _public_key(jwk: dict):
    from cryptography.hazmat.primitives.asymmetric import ec

    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("unsupported key")
    return ec.EllipticCurvePublicNumbers(_unb64(jwk["x"]), _unb64(jwk["y"]), ec.SECP256R1()).public_key()


class _Signer:
    def __init__(self) -> None:
        self._key: tuple[str, object] | None = None
        self._read_at = 0
        self._lock = threading.Lock()

    def current(self) -> tuple[str, object]:
        """(kid, private key object) to sign with; SigningUnavailable when this function may not read the secret or
        it holds no key yet."""
        now = clock.epoch()
        with self._lock:
            if self._key is not None and 0 <= now - self._read_at < SIGNING_CACHE_SECONDS:
                return self._key
        from botocore.exceptions import BotoCoreError, ClientError
        from cryptography.hazmat.primitives import serialization

        try:
            raw = client("secretsmanager").get_secret_value(SecretId=settings().signing_secret_name)["SecretString"]
            value = json.loads(raw or "{}")
            key = (value["kid"], serialization.load_pem_private_key(value["private_key"].encode(), password=None))
        except (ClientError, BotoCoreError, KeyError, ValueError, TypeError) as e:
            raise SigningUnavailable() from e
        with self._lock:
            self._key, self._read_at = key, now
        return key

    def clear(self) -> None:
        with self._lock:
            self._key, self._read_at = None, 0


class _PublicKeys:
    def __init__(self) -> None:
        self._keys: dict[str, tuple[object, int | None]] = {}
        self._read_at: int | None = None
        self._lock = threading.Lock()

    def _load(self, now: int) -> None:
        raw = client("secretsmanager").get_secret_value(SecretId=settings().jwks_secret_name)["SecretString"]
        keys = {}
        for jwk in json.loads(raw or "{}").get("keys", []):
            try:
                keys[jwk["kid"]] = (_public_key(jwk), jwk.get("not_after"))
            except (KeyError, ValueError, TypeError):
                continue  # a key this code cannot use verifies nothing
        with self._lock:
            self._keys, self._read_at = keys, now

    def get(self, kid: str) -> tuple[object, int | None] | None:
        """The public key of `kid` and its retirement time, or None for a kid the set does not hold."""
        now = clock.epoch()
        with self._lock:
            age = None if self._read_at is None else now - self._read_at
            hit = self._keys.get(kid)
        if age is None or not 0 <= age < JWKS_CACHE_SECONDS or (hit is None and age >= JWKS_REFRESH_SECONDS):
            self._load(now)
            with self._lock:
                hit = self._keys.get(kid)
        return hit

    def clear(self) -> None:
        with self._lock:
            self._keys, self._read_at = {}, None


signer = _Signer()
public_keys = _PublicKeys()


def reset() -> None:
    """Forget every key (what a new container starts with)."""
    signer.clear()
    public_keys.clear()


# --- provisioning and rotation (devstack/provision.py, scripts/rotate_signing_key.py) ---------------------------

def rotate(sm, *, signing_secret: str, jwks_secret: str, now: int, max_token_ttl: int) -> dict:
    """Make a new key current. The new public key is published first (verifiers accept it before anyone signs with
    it), then the signing secret moves to it. Every other key in the set gets a `not_after` of at most
    now + SIGNING_CACHE_SECONDS + max_token_ttl; keys already past theirs are dropped. Returns a summary (no key
    material). Running it twice makes two rotations; a run stopped between the two writes leaves an unused public
    key, which the next run retires."""
    signing, jwk = new_key_pair(now)
    try:
        current = json.loads(sm.get_secret_value(SecretId=jwks_secret)["SecretString"] or "{}")
    except sm.exceptions.ResourceNotFoundException:
        current = None
    retire_at = now + SIGNING_CACHE_SECONDS + max_token_ttl
    kept, retired, dropped = [], [], []
    for k in (current or {}).get("keys", []):
        if k.get("not_after") is not None and k["not_after"] <= now:
            dropped.append(k["kid"])
            continue
        if k.get("not_after") is None or k["not_after"] > retire_at:
            k = {**k, "not_after": retire_at}
            retired.append(k["kid"])
        kept.append(k)
    jwks = json.dumps({"keys": [jwk, *kept]})
    if current is None:
        sm.create_secret(Name=jwks_secret, SecretString=jwks)
    else:
        sm.put_secret_value(SecretId=jwks_secret, SecretString=jwks)
    value = json.dumps(signing)
    try:
        sm.put_secret_value(SecretId=signing_secret, SecretString=value)
    except sm.exceptions.ResourceNotFoundException:
        sm.create_secret(Name=signing_secret, SecretString=value)
    return {"kid": jwk["kid"], "retiring": retired, "retire_at": retire_at if retired else None, "dropped": dropped}


def ensure(sm, *, signing_secret: str, jwks_secret: str, now: int, max_token_ttl: int) -> bool:
    """Make the first key when the signing secret holds none (the local stack; a new stage). True if made."""
    try:
        value = json.loads(sm.get_secret_value(SecretId=signing_secret)["SecretString"] or "{}")
        if value.get("private_key") and value.get("kid"):
            return False
    except sm.exceptions.ResourceNotFoundException:
        pass
    rotate(sm, signing_secret=signing_secret, jwks_secret=jwks_secret, now=now, max_token_ttl=max_token_ttl)
    return True
