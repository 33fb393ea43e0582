"""Access-token keys on the embedded AWS: a session survives a rotation of the signing key, a token signed by a
retired key is refused, and a function that cannot read the signing secret mints nothing (the /auth routes answer
503, every other route keeps working). See chalicelib/core/auth/keys.py."""

from __future__ import annotations

import datetime as dt
import json

import jwt
import pytest

from chalicelib.core import clock
from chalicelib.core.auth import keys
from chalicelib.core.aws import client as aws
from chalicelib.core.config import settings
from tests.conftest import last_code, new_phone


@pytest.fixture
def secrets_kept():
    """Put both key secrets back as they were (tokens other tests hold stay valid), with fresh caches."""
    sm, s = aws("secretsmanager"), settings()
    before = {n: sm.get_secret_value(SecretId=n)["SecretString"] for n in (s.signing_secret_name, s.jwks_secret_name)}
    frozen = clock.FrozenClock(dt.datetime.now(dt.UTC).replace(microsecond=0))
    clock.set_clock(frozen)
    yield sm, frozen
    clock.set_clock(clock.Clock())
    for n, v in before.items():
        sm.put_secret_value(SecretId=n, SecretString=v)
    keys.reset()


def _rotate(sm) -> dict:
    s = settings()
    return keys.rotate(sm, signing_secret=s.signing_secret_name, jwks_secret=s.jwks_secret_name, now=clock.epoch(),
                       max_token_ttl=s.access_token_ttl)


def _staff(client, county, role: str = "grid_worker") -> str:
    """A new staff member's phone (no code sent yet)."""
    phone = new_phone()
    r = client.post("/staff", {"phone": phone, "name": "测试人员", "role": role, "place": county.grid},
                    token=county.tokens["county_admin"])
    assert r.status_code == 201, r.json
    return phone


def _kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def _sign_with(pem: str, kid: str, claims: dict) -> str:
    from cryptography.hazmat.primitives import serialization

    return jwt.encode(claims, serialization.load_pem_private_key(pem.encode(), password=None), algorithm="ES256",
                      headers={"kid": kid})


def test_a_session_survives_a_rotation_and_a_retired_key_is_refused(client, county, secrets_kept):
    sm, frozen = secrets_kept
    s = settings()
    session = client.sign_in(_staff(client, county), county.code)
    old_kid = _kid(session["access_token"])
    old_signing = json.loads(sm.get_secret_value(SecretId=s.signing_secret_name)["SecretString"])
    assert old_signing["kid"] == old_kid

    frozen.advance(seconds=10)
    rotated = _rotate(sm)
    assert rotated["retiring"] == [old_kid]
    # Warm containers: the verifier still holds the old set, the signer its old key (both re-read later).
    assert client.get("/me", token=session["access_token"]).status_code == 200  # old kid, still accepted

    frozen.advance(seconds=keys.SIGNING_CACHE_SECONDS)  # every signer has read the new key by now
    refreshed = client.post("/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert refreshed.status_code == 200, refreshed.json
    new_access = refreshed.json["access_token"]
    assert _kid(new_access) == rotated["kid"]
    r = client.get("/me", token=new_access)  # a kid the verifier's cached set lacks: it reads the set again
    assert r.status_code == 200 and r.json["tenant"] == county.code
    assert client.get("/me", token=session["access_token"]).status_code == 200  # old token, within its lifetime

    # The old private key (as if leaked) signs a token that expires well after the key's retirement.
    now = clock.epoch()
    late = _sign_with(old_signing["private_key"], old_kid, {
        "iss": "cunqingtong", "typ": "access", "sub": session["user_id"], "ten": county.code, "idn": "x",
        "g": [], "iat": now, "exp": now + 10 * s.access_token_ttl})
    assert client.get("/me", token=late).status_code == 200  # before retirement: a valid old-key signature
    frozen.at = dt.datetime.fromtimestamp(rotated["retire_at"], dt.UTC)
    assert client.get("/me", token=late).status_code == 401  # retired: refused whatever its exp says
    again = client.post("/auth/refresh", {"refresh_token": refreshed.json["refresh_token"]})
    assert again.status_code == 200, again.json  # the session itself lives on
    assert client.get("/me", token=again.json["access_token"]).status_code == 200

    unknown = _sign_with(old_signing["private_key"], "k-unknown", {
        "iss": "cunqingtong", "typ": "access", "sub": session["user_id"], "ten": county.code, "idn": "x",
        "g": [], "iat": clock.epoch(), "exp": clock.epoch() + 60})
    assert client.get("/me", token=unknown).status_code == 401


def test_without_the_signing_secret_auth_routes_fail_closed_and_the_rest_works(client, county, monkeypatch):
    """The API function's configuration: no grant on the signing secret (here: a name it cannot read)."""
    session = client.sign_in(_staff(client, county), county.code)
    household = county.household(token=session["access_token"])
    phone = _staff(client, county)
    r = client.post("/auth/code", {"phone": phone})
    assert r.status_code == 202
    code = last_code(phone)

    keys.reset()
    cut_off = settings()._replace(signing_secret_name="cqt-local/not-granted")
    monkeypatch.setattr(keys, "settings", lambda: cut_off)
    try:
        for path, body in (("/auth/token", {"phone": phone, "code": code, "tenant": county.code}),
                           ("/auth/refresh", {"refresh_token": session["refresh_token"]})):
            r = client.post(path, body)
            assert r.status_code == 503, (path, r.json)
            assert r.json["error"]["code"] == "signing_unavailable"
        r = client.post("/auth/switch", {"tenant": county.code}, token=session["access_token"])
        assert r.status_code == 503 and r.json["error"]["code"] == "signing_unavailable"
        # Everything else works: verifying needs the public set only.
        assert client.get("/me", token=session["access_token"]).status_code == 200
        assert client.get(f"/households/{household['id']}", token=session["access_token"]).status_code == 200
        assert client.post("/households", {"grid": county.grid, "address": "测试村2号", "members": [
            {"name": "户主乙", "relation": "户主", "id_number": _idno(), "phone": new_phone()}]},
            token=session["access_token"]).status_code == 201
    finally:
        monkeypatch.undo()
        keys.reset()
    # Nothing was used up while signing was unavailable: the same code and refresh token still work.
    r = client.post("/auth/token", {"phone": phone, "code": code, "tenant": county.code})
    assert r.status_code == 200, r.json
    r = client.post("/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert r.status_code == 200, r.json


def _idno() -> str:
    from tests.conftest import unique_id_number

    return unique_id_number()


def test_the_rotation_script_rotates_and_shows_no_key_material(client, secrets_kept, capsys):
    from scripts import rotate_signing_key

    sm, _ = secrets_kept
    s = settings()
    before = json.loads(sm.get_secret_value(SecretId=s.signing_secret_name)["SecretString"])["kid"]
    assert rotate_signing_key.main([]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["rotated"] and out["retiring"] == [before] and out["kid"] != before
    assert "PRIVATE" not in json.dumps(out)
    assert json.loads(sm.get_secret_value(SecretId=s.signing_secret_name)["SecretString"])["kid"] == out["kid"]
    assert rotate_signing_key.main(["--show"]) == 0
    shown = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [k["kid"] for k in shown["keys"]][:2] == [out["kid"], before]


def test_refresh_tokens_do_not_depend_on_the_signing_key_and_older_hashes_still_refresh(client, county):
    """Refresh tokens are hashed with `refresh_key` of the app secret; those stored before it existed (hashed with
    `token_key`, the HS256 days) still refresh, so the switch to ES256 signs nobody out."""
    import hashlib
    import hmac

    from chalicelib.core import secrets
    from chalicelib.core.auth import tokens
    from chalicelib.core.auth.models import RefreshToken

    session = client.sign_in(_staff(client, county), county.code)
    tenant, uid, rtid, secret = tokens.unpack_refresh(session["refresh_token"])
    rt = RefreshToken.get(*RefreshToken.keys(tenant, uid, rtid), consistent_read=True)
    new_hash = hmac.new(secrets.get("refresh_key").encode(), secret.encode(), hashlib.sha256).hexdigest()
    assert rt.secret_hash == new_hash
    old_hash = hmac.new(secrets.get("token_key").encode(), secret.encode(), hashlib.sha256).hexdigest()
    rt.update(actions=[RefreshToken.secret_hash.set(old_hash)])  # as an earlier version stored it
    r = client.post("/auth/refresh", {"refresh_token": session["refresh_token"]})
    assert r.status_code == 200, r.json
    _, _, rtid2, secret2 = tokens.unpack_refresh(r.json["refresh_token"])
    assert RefreshToken.get(*RefreshToken.keys(tenant, uid, rtid2), consistent_read=True).secret_hash == hmac.new(
        secrets.get("refresh_key").encode(), secret2.encode(), hashlib.sha256).hexdigest()
    wrong = tokens.pack_refresh(tenant, uid, rtid2, "x" * 43)
    assert client.post("/auth/refresh", {"refresh_token": wrong}).status_code == 401
