"""Personal-data keys: one per county and month, shared by every container, a handful of KMS calls a month."""

import base64
import datetime as dt
import os
import threading

import pytest


@pytest.fixture
def kms_calls(app, monkeypatch):
    from chalicelib.core import aws

    kms, calls = aws.client("kms"), []
    for op in ("decrypt", "generate_data_key"):
        real = getattr(kms, op)
        monkeypatch.setattr(kms, op, lambda _real=real, _op=op, **kw: calls.append(_op) or _real(**kw))
    return calls


def _tenant() -> str:
    return f"9{os.urandom(3).hex()[:5]}"


def test_containers_share_one_key_a_month_and_pay_one_kms_call_each(kms_calls):
    from chalicelib.core import keyring, pii

    tenant = _tenant()
    pii.keys.clear()
    sealed = [pii.encrypt(tenant, f"1380000{i:04d}") for i in range(200)]
    assert kms_calls == ["generate_data_key"]  # the month's key, made once
    assert all(s.startswith(f"v2.{keyring.period()}.") for s in sealed)
    assert len(set(sealed)) == 200  # a fresh nonce each
    pii.keys.clear()  # another container
    kms_calls.clear()
    assert [pii.decrypt(tenant, s) for s in sealed] == [f"1380000{i:04d}" for i in range(200)]
    pii.encrypt(tenant, "13900000000")
    assert kms_calls == ["decrypt"]  # unwrapped once, for reading and writing alike


def test_racing_containers_keep_one_key(app):
    from chalicelib.core import keyring

    tenant, rings, got = _tenant(), [keyring.Keyring() for _ in range(6)], []
    start = threading.Barrier(6)

    def first_use(ring):
        start.wait()
        got.append(ring.current(tenant))

    threads = [threading.Thread(target=first_use, args=(r,)) for r in rings]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({k for _, k in got}) == 1, "two containers sealed with different keys for one month"


def test_a_new_month_gets_a_new_key_and_old_values_still_open(app, kms_calls):
    from chalicelib.core import clock, keyring, pii

    tenant = _tenant()
    pii.keys.clear()
    old = pii.encrypt(tenant, "330825198001011234")
    saved = clock._clock
    clock.set_clock(clock.FrozenClock(clock.now() + dt.timedelta(days=32)))
    try:
        new = pii.encrypt(tenant, "330825198001011234")
        assert new.split(".")[1] != old.split(".")[1] == keyring.period(saved.now())
        assert kms_calls.count("generate_data_key") == 2
        assert pii.decrypt(tenant, old) == pii.decrypt(tenant, new) == "330825198001011234"
    finally:
        clock.set_clock(saved)


def test_a_value_does_not_open_in_another_county_or_month(app):
    from cryptography.exceptions import InvalidTag

    from chalicelib.core import pii

    a, b = _tenant(), _tenant()
    sealed = pii.encrypt(a, "13812345678")
    pii.encrypt(b, "13800000000")  # b has a key this month too
    with pytest.raises(InvalidTag):
        pii.decrypt(b, sealed)
    version, period, body = sealed.split(".")
    other_month = f"{int(period) - 1}"
    with pytest.raises((InvalidTag, ValueError)):  # no key that month, or a key that does not open it
        pii.decrypt(a, f"{version}.{other_month}.{body}")


def test_values_written_before_the_keyring_still_open(app, kms_calls):
    """v1: a per-container data key, wrapped inside each value (context: the tenant only)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from chalicelib.core import aws, pii
    from chalicelib.core.config import settings

    tenant = _tenant()
    made = aws.client("kms").generate_data_key(KeyId=settings().pii_key_id, KeySpec="AES_256",
                                               EncryptionContext={"tenant": tenant})
    nonce = os.urandom(12)
    ct = AESGCM(made["Plaintext"]).encrypt(nonce, b"13712345678", tenant.encode())
    b64 = base64.urlsafe_b64encode
    v1 = f"v1.{b64(made['CiphertextBlob']).decode()}.{b64(nonce + ct).decode()}"
    pii.keys.clear()
    kms_calls.clear()
    assert pii.decrypt(tenant, v1) == pii.decrypt(tenant, v1) == "13712345678"
    assert kms_calls == ["decrypt"]
