"""ES256 access tokens with a key id: signing, verifying with public keys only, and the rotation windows.

The two secrets (the private signing key, the public key set) live in an in-memory Secrets Manager stand-in; time
is the app's injected clock (chalicelib.core.clock)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json

import jwt
import pytest

from chalicelib.core import clock
from chalicelib.core.auth import keys, tokens
from chalicelib.core.errors import ServiceUnavailable, Unauthorized
from chalicelib.core.tenancy import Grant

SIGNING, JWKS = "test/signing-key", "test/signing-jwks"
TTL = 900
T0 = dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC)


class _NotFound(Exception):
    pass


class FakeSecrets:
    """get/put/create_secret_value as Secrets Manager answers them; `denied` names refuse reads (no IAM grant)."""

    class exceptions:  # noqa: N801  (boto3's shape)
        ResourceNotFoundException = _NotFound

    def __init__(self):
        self.values: dict[str, str] = {}
        self.denied: set[str] = set()
        self.reads: list[str] = []

    def get_secret_value(self, SecretId):  # noqa: N803
        from botocore.exceptions import ClientError

        self.reads.append(SecretId)
        if SecretId in self.denied:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetSecretValue")
        if SecretId not in self.values:
            raise _NotFound(SecretId)
        return {"SecretString": self.values[SecretId]}

    def put_secret_value(self, SecretId, SecretString):  # noqa: N803
        if SecretId not in self.values:
            raise _NotFound(SecretId)
        self.values[SecretId] = SecretString

    def create_secret(self, Name, SecretString):  # noqa: N803
        self.values[Name] = SecretString


@pytest.fixture
def world(monkeypatch):
    sm = FakeSecrets()
    monkeypatch.setattr(keys, "client", lambda service: sm)
    settings = keys.settings()._replace(signing_secret_name=SIGNING, jwks_secret_name=JWKS, access_token_ttl=TTL)
    monkeypatch.setattr(keys, "settings", lambda: settings)
    monkeypatch.setattr(tokens, "settings", lambda: settings)
    frozen = clock.FrozenClock(T0)
    clock.set_clock(frozen)
    keys.reset()
    sm.clock = frozen
    yield sm
    keys.reset()
    clock.set_clock(clock.Clock())


def _rotate(sm) -> dict:
    return keys.rotate(sm, signing_secret=SIGNING, jwks_secret=JWKS, now=clock.epoch(), max_token_ttl=TTL)


def _issue() -> str:
    return tokens.issue_access("330825", "u1", "idn", (Grant("villager", "330825001001", "h1"),))[0]


def _code(call) -> str:
    with pytest.raises(Unauthorized) as e:
        call()
    return e.value.code


def test_tokens_are_es256_with_the_current_kid_and_verify_with_the_public_set(world):
    first = _rotate(world)
    token = _issue()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["kid"] == first["kid"]
    ctx = tokens.verify_access(token)
    assert (ctx.tenant_id, ctx.user_id, ctx.grants[0].household) == ("330825", "u1", "h1")
    published = json.loads(world.values[JWKS])["keys"]
    assert [k["kid"] for k in published] == [first["kid"]]
    assert "d" not in published[0] and "private_key" not in published[0]  # nothing private is published


def test_verifying_reads_only_the_public_set(world):
    _rotate(world)
    token = _issue()
    keys.reset()
    world.reads.clear()
    world.denied.add(SIGNING)  # the authorizer's configuration: no grant on the signing secret
    assert tokens.verify_access(token).user_id == "u1"
    assert world.reads == [JWKS]


def test_without_the_signing_secret_nothing_is_minted_503(world):
    _rotate(world)
    world.denied.add(SIGNING)
    with pytest.raises(ServiceUnavailable) as e:
        _issue()
    assert e.value.status == 503 and e.value.code == "signing_unavailable"
    with pytest.raises(ServiceUnavailable):
        tokens.require_signer()


def test_an_empty_signing_secret_fails_closed(world):
    world.values[SIGNING] = "{}"  # what the stack creates before the first rotation
    with pytest.raises(ServiceUnavailable):
        _issue()


def test_the_previous_key_is_accepted_until_it_retires_then_refused(world):
    first = _rotate(world)
    old = _issue()
    world.clock.advance(seconds=60)
    second = _rotate(world)
    assert second["retiring"] == [first["kid"]]
    retire_at = clock.epoch() + keys.SIGNING_CACHE_SECONDS + TTL
    assert second["retire_at"] == retire_at
    # A warm signer keeps its cached key up to SIGNING_CACHE_SECONDS; then it signs with the new one.
    world.clock.advance(seconds=keys.SIGNING_CACHE_SECONDS)
    new = _issue()
    assert jwt.get_unverified_header(new)["kid"] == second["kid"]
    # The old token lived only `TTL`: move back its expiry check out of the way to test the key's retirement alone.
    forged_late = _reissue_with_kid(world, first, exp_offset=10 * TTL)
    world.clock.at = dt.datetime.fromtimestamp(retire_at - 1, dt.UTC)
    keys.public_keys.clear()
    assert tokens.verify_access(forged_late).user_id == "u1"  # still before retirement
    assert tokens.verify_access(new).user_id == "u1"
    world.clock.at = dt.datetime.fromtimestamp(retire_at, dt.UTC)
    assert _code(lambda: tokens.verify_access(forged_late)) == "invalid_token"
    assert tokens.verify_access(_issue()).user_id == "u1"
    assert old  # issued before the rotation: expired long before retirement (below)
    assert _code(lambda: tokens.verify_access(old)) in {"invalid_token", "token_expired"}


def _reissue_with_kid(world, rotated: dict, exp_offset: int) -> str:
    """A token signed with a key the set holds (the previous one's private key kept by the test)."""
    pem = world.previous_pems[rotated["kid"]]
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(pem.encode(), password=None)
    now = clock.epoch()
    return jwt.encode({"iss": tokens.ISSUER, "typ": "access", "sub": "u1", "ten": "330825", "idn": "idn", "g": [],
                       "iat": now, "exp": now + exp_offset}, private, algorithm="ES256",
                      headers={"kid": rotated["kid"]})


@pytest.fixture(autouse=True)
def _keep_pems(monkeypatch):
    """Remember every private key a rotation makes (what a leaked old key would be), by kid."""
    made = {}
    real = keys.new_key_pair

    def keeping(now=None):
        signing, jwk = real(now)
        made[jwk["kid"]] = signing["private_key"]
        return signing, jwk

    monkeypatch.setattr(keys, "new_key_pair", keeping)
    FakeSecrets.previous_pems = made
    yield


def test_a_retired_key_is_dropped_by_the_next_rotation(world):
    first = _rotate(world)
    second = _rotate(world)
    world.clock.at = dt.datetime.fromtimestamp(second["retire_at"] + 1, dt.UTC)
    third = _rotate(world)
    assert third["dropped"] == [first["kid"]] and third["retiring"] == [second["kid"]]
    assert [k["kid"] for k in json.loads(world.values[JWKS])["keys"]] == [third["kid"], second["kid"]]


def test_an_unknown_kid_is_invalid_token_after_one_fresh_read(world):
    _rotate(world)
    token = _issue()
    tokens.verify_access(token)
    world.reads.clear()
    head, body, sig = token.split(".")
    forged_head = base64.urlsafe_b64encode(json.dumps({"alg": "ES256", "kid": "k-nobody", "typ": "JWT"})
                                           .encode()).rstrip(b"=").decode()
    forged = f"{forged_head}.{body}.{sig}"
    world.clock.advance(seconds=keys.JWKS_REFRESH_SECONDS)
    assert _code(lambda: tokens.verify_access(forged)) == "invalid_token"
    assert world.reads == [JWKS]  # the set is read again once, in case a rotation published the kid
    assert _code(lambda: tokens.verify_access(forged)) == "invalid_token"
    assert world.reads == [JWKS]  # …and not again within JWKS_REFRESH_SECONDS


def test_a_key_published_after_the_set_was_read_is_found(world):
    _rotate(world)
    tokens.verify_access(_issue())  # the verifier holds the set
    world.clock.advance(seconds=keys.JWKS_REFRESH_SECONDS)
    second = _rotate(world)
    keys.signer.clear()  # a signer that read the secret after the rotation
    new = _issue()
    assert jwt.get_unverified_header(new)["kid"] == second["kid"]
    assert tokens.verify_access(new).user_id == "u1"


@pytest.mark.parametrize("header", [{"alg": "HS256", "kid": "x"}, {"alg": "ES256"}, {"alg": "none", "kid": "x"}])
def test_other_algorithms_and_missing_kids_are_refused(world, header):
    first = _rotate(world)
    token = _issue()
    _, body, sig = token.split(".")
    header = {**header, "kid": header.get("kid") and first["kid"]}
    h = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    assert _code(lambda: tokens.verify_access(f"{h}.{body}.{sig}")) == "invalid_token"


def test_hs256_with_the_public_key_as_secret_is_refused(world):
    """The classic algorithm-confusion forgery: HMAC keyed by the published key."""
    first = _rotate(world)
    jwk = json.loads(world.values[JWKS])["keys"][0]
    now = clock.epoch()
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    signing_input = b64(json.dumps({"alg": "HS256", "kid": first["kid"], "typ": "JWT"}).encode()) + "." + b64(
        json.dumps({"iss": tokens.ISSUER, "typ": "access", "sub": "root", "iat": now, "exp": now + 60}).encode())
    sig = hmac.new(json.dumps(jwk).encode(), signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{b64(sig)}"
    assert _code(lambda: tokens.verify_access(forged)) == "invalid_token"


def test_expiry_uses_the_injected_clock(world):
    _rotate(world)
    token = _issue()
    world.clock.advance(seconds=TTL)
    assert _code(lambda: tokens.verify_access(token)) == "token_expired"


def test_ensure_makes_the_first_key_once(world):
    args = {"signing_secret": SIGNING, "jwks_secret": JWKS, "now": clock.epoch(), "max_token_ttl": TTL}
    assert keys.ensure(world, **args) is True
    before = dict(world.values)
    assert keys.ensure(world, **args) is False
    assert world.values == before
