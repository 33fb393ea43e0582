"""The tenant fence (chalicelib/core/fence.py): a county's request reaches its data with credentials of the
TenantDataRole assumed for that county, so code that forgets its tenant check still cannot reach another county.
The embedded AWS enforces the role's policy (devstack/moto_patches.py `tenant_fence`, the same statements as
infra/cqt_infra/stack.py `_tenant_role`: tests/infra/test_tenant_fence_policy.py compares them).

(a) a careless service function run by a county's request is refused by AWS, through the real route and directly
    (DynamoDB item, query, batch and transaction calls; KMS with another county's encryption context; S3 keys
    outside the county's prefix);
(b) the same code with the fence off reads the other county (so (a) can fail);
(c) credentials are assumed once per county and container (counted on the embedded AWS), named for the county,
    tagged with it, and assumed again before they expire;
(d) platform work inside a county's request still runs (a new staff member: user, phone index and platform
    membership in one transaction), and a request without a county is not fenced.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import new_phone


@pytest.fixture
def fenced(app):
    from chalicelib.core import fence

    assert fence.enabled(), "the test stack runs with the fence on (devstack.aws.configure_env)"
    return fence


def _denied(exc: BaseException) -> bool:
    """The embedded AWS refused the call as IAM does (AccessDenied / AccessDeniedException)."""
    seen = exc
    while seen is not None:
        code = getattr(seen, "cause_response_code", None) or (
            getattr(seen, "response", None) or {}).get("Error", {}).get("Code")
        if code in ("AccessDeniedException", "AccessDenied", "403"):  # 403: a HEAD's refusal has no body
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _careless_get(other: str, refusals: list):
    """A service function that forgets its check: it reads the household the URL names, in a county it was given
    (say, from a query parameter) instead of the caller's. What it meets on the way is kept in `refusals`."""
    from chalicelib.households import service

    def get(ctx, hid):
        try:
            return service._load(other, hid)
        except Exception as e:
            refusals.append(e)
            raise

    return get


# --- (a) and (b): through a real route ------------------------------------------------------------------------

def test_a_careless_service_function_cannot_read_another_county(client, county, other_county, fenced, monkeypatch):
    from chalicelib.households import service

    theirs, refusals = other_county.household(), []
    monkeypatch.setattr(service, "get", _careless_get(other_county.code, refusals))
    r = client.get(f"/households/{theirs['id']}", token=county.tokens["county_admin"])
    # A bug, not a bad request: the route layer's last line of defence answers 500 and logs it; nothing leaks.
    assert r.status_code == 500 and r.json["error"]["code"] == "internal_error", r.json
    assert theirs["id"] not in r.body.decode() and theirs["address"] not in r.body.decode()
    # The refusal came from AWS (the role's policy), not from a check in the code:
    assert len(refusals) == 1 and _denied(refusals[0]), refusals


def test_the_same_careless_function_without_the_fence_reads_the_other_county(client, county, other_county, fenced,
                                                                             monkeypatch):
    from chalicelib.households import service

    theirs, refusals = other_county.household(), []
    monkeypatch.setattr(service, "get", _careless_get(other_county.code, refusals))
    monkeypatch.setattr(fenced, "enabled", lambda: False)
    r = client.get(f"/households/{theirs['id']}", token=county.tokens["county_admin"])
    assert r.status_code == 200, r.json
    assert r.json["id"] == theirs["id"] and r.json["address"] == theirs["address"] and not refusals


# --- (a): each kind of call, inside a county's fence ----------------------------------------------------------

def test_every_dynamodb_call_shape_reaching_another_county_is_refused(county, other_county, fenced):
    from pynamodb.exceptions import PynamoDBException

    from chalicelib.core.db import HouseholdsItem, key, transact
    from chalicelib.core.keyring import DataKey
    from chalicelib.households.models import Household

    mine, theirs = county.household(), other_county.household()
    mk, tk = Household.keys(county.code, mine["id"]), Household.keys(other_county.code, theirs["id"])
    with fenced.scope(county.code):
        assert Household.get(*mk).hid == mine["id"]  # the county's own items: allowed
        assert [i.hid for i in Household.batch_get([mk])] == [mine["id"]]
        attempts = {
            "GetItem": lambda: Household.get(*tk),
            "Query": lambda: list(HouseholdsItem.query(tk[0])),
            "BatchGetItem (one key of another county among own)": lambda: list(Household.batch_get([mk, tk])),
            "PutItem": lambda: DataKey(key(other_county.code, "DATAKEY"), "209901", wrapped="x",
                                       created_at="2099-01-01").save(),
            "UpdateItem": lambda: Household(*tk).update(actions=[Household.address.set("x")]),
            "DeleteItem": lambda: DataKey(key(other_county.code, "DATAKEY"), "209901").delete(),
        }
        for name, attempt in attempts.items():
            with pytest.raises(PynamoDBException) as e:
                attempt()
            assert _denied(e.value), (name, e.value)

        def mixed():  # the county's own item and another county's, one transaction
            with transact() as tx:
                tx.condition_check(Household, *mk, condition=Household.pk.exists())
                tx.condition_check(Household, *tk, condition=Household.pk.exists())

        with pytest.raises(PynamoDBException) as e:
            mixed()
        assert _denied(e.value)
    # Outside a county's request the function's own role reads it (the platform's work, e.g. the schedules).
    assert Household.get(*tk).hid == theirs["id"]


def test_a_transaction_of_platform_items_and_another_countys_stays_fenced(county, other_county, fenced):
    """Platform items ride along with the county's own (fence.platform_call), never with another county's."""
    from pynamodb.exceptions import PynamoDBException

    from chalicelib.core.auth.models import Membership
    from chalicelib.core.db import transact
    from chalicelib.households.models import Household

    theirs = other_county.household()
    with fenced.scope(county.code), pytest.raises(PynamoDBException) as e, transact() as tx:
        tx.save(Membership(*Membership.keys("fence-test", other_county.code), tenant=other_county.code,
                           uid="nobody"))
        tx.condition_check(Household, *Household.keys(other_county.code, theirs["id"]),
                           condition=Household.pk.exists())
    assert _denied(e.value)


def test_kms_only_with_the_countys_encryption_context(county, other_county, fenced):
    from botocore.exceptions import ClientError

    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    kms, key_id = client("kms"), settings().pii_key_id
    with fenced.scope(county.code):
        own = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256",
                                    EncryptionContext={"tenant": county.code, "period": "202601"})
        assert kms.decrypt(CiphertextBlob=own["CiphertextBlob"], EncryptionContext={
            "tenant": county.code, "period": "202601"})["Plaintext"] == own["Plaintext"]
        with pytest.raises(ClientError) as e:
            kms.generate_data_key(KeyId=key_id, KeySpec="AES_256",
                                  EncryptionContext={"tenant": other_county.code, "period": "202601"})
        assert _denied(e.value)
    theirs = kms.generate_data_key(KeyId=key_id, KeySpec="AES_256",
                                   EncryptionContext={"tenant": other_county.code, "period": "202601"})
    with fenced.scope(county.code), pytest.raises(ClientError) as e:
        kms.decrypt(CiphertextBlob=theirs["CiphertextBlob"],
                    EncryptionContext={"tenant": other_county.code, "period": "202601"})
    assert _denied(e.value)


def test_media_only_under_the_countys_prefix(county, other_county, fenced):
    import requests
    from botocore.exceptions import ClientError

    from chalicelib.core import files
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    theirs = f"{other_county.code}/cases/fence/photo.jpg"
    client("s3").put_object(Bucket=settings().media_bucket, Key=theirs, Body=b"their photo")
    s3, bucket = client("s3"), settings().media_bucket
    with fenced.scope(county.code):
        # S3 refuses the county's session another county's object, whatever the code asks for:
        for attempt in (lambda: s3.get_object(Bucket=bucket, Key=theirs),
                        lambda: s3.head_object(Bucket=bucket, Key=theirs)):
            with pytest.raises(ClientError) as e:
                attempt()
            assert _denied(e.value)
        # ... which core.files takes as "not there", like a missing object of its own (403 too: the session may
        # list only its prefix, and S3 answers 404 only to one that may list the bucket).
        assert files.read(theirs, 100) is None and files.size(theirs) is None
        assert files.size(f"{county.code}/cases/fence/missing.jpg") is None
        # A presigned download of another county's object, signed with the county's session, is refused by S3.
        assert requests.get(files.download_url(theirs), timeout=10).status_code == 403
        # An upload form signed with the county's session: accepted under its prefix, refused outside it.
        own = files.presigned_upload(county.code, "cases/fence", ".jpg", "image/jpeg", 1000)
        assert "x-amz-security-token" in {k.lower() for k in own["fields"]}  # signed by the assumed session
        post = requests.post(own["url"], data=own["fields"], files={"file": ("p.jpg", b"jpeg", "image/jpeg")},
                             timeout=10)
        assert post.status_code in (200, 201, 204), post.text
        forged = files.presigned_upload(other_county.code, "cases/fence", ".jpg", "image/jpeg", 1000)
        post = requests.post(forged["url"], data=forged["fields"],
                             files={"file": ("p.jpg", b"jpeg", "image/jpeg")}, timeout=10)
        assert post.status_code == 403 and "AccessDenied" in post.text
        assert requests.get(files.download_url(own["key"]), timeout=10).content == b"jpeg"
    assert files.read(theirs, 100) == b"their photo"  # unfenced (the platform's own role): unchanged


# --- (c): credentials per county and container ----------------------------------------------------------------

def _assumed(tenant: str) -> int:
    from devstack.moto_patches import TENANT_ASSUMED

    return TENANT_ASSUMED.count(tenant)


def test_credentials_are_assumed_once_per_county_tagged_and_refreshed_before_expiry(client, county, other_county,
                                                                                      fenced, monkeypatch):
    from botocore.credentials import RefreshableCredentials
    from moto.sts.models import sts_backends

    from devstack.aws import ACCOUNT

    # Setting the counties up ran many of their requests: one AssumeRole each.
    assert _assumed(county.code) == 1 and _assumed(other_county.code) == 1
    hh = county.household()
    for _ in range(3):
        assert client.get(f"/households/{hh['id']}", token=county.tokens["grid_worker"]).status_code == 200
        assert client.get("/me", token=other_county.tokens["county_admin"]).status_code == 200
    assert _assumed(county.code) == 1 and _assumed(other_county.code) == 1
    sessions = {r.session_name for part in sts_backends[ACCOUNT].values() for r in part.assumed_roles}
    assert {f"cqt-{county.code}", f"cqt-{other_county.code}"} <= sessions

    creds = fenced.credentials(county.code)
    assert isinstance(creds, RefreshableCredentials)
    first = creds.get_frozen_credentials().access_key
    # Fifty-two minutes on, the hour-long session has eight minutes left: botocore assumes again before using it.
    monkeypatch.setattr(creds, "_expiry_time", dt.datetime.now(dt.UTC) + dt.timedelta(minutes=8))
    assert client.get(f"/households/{hh['id']}", token=county.tokens["grid_worker"]).status_code == 200
    assert _assumed(county.code) == 2
    assert creds.get_frozen_credentials().access_key != first
    assert client.get(f"/households/{hh['id']}", token=county.tokens["grid_worker"]).status_code == 200
    assert _assumed(county.code) == 2 and _assumed(other_county.code) == 1


def test_the_role_refuses_a_session_without_the_county_tag(fenced):
    from botocore.exceptions import ClientError

    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    with pytest.raises(ClientError) as e:
        client("sts").assume_role(RoleArn=settings().tenant_role_arn, RoleSessionName="untagged")
    assert _denied(e.value)


def test_the_local_stack_keeps_its_tenant_sessions_across_a_restart(tmp_path, fenced, monkeypatch):
    """`make run` replays its recording after a restart; requests signed by a tenant session (browser uploads whose
    signature S3 checks) are judged again with that session's secret, kept beside the recording."""
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings
    from devstack import moto_patches

    path = str(tmp_path / "tenant-sessions.jsonl")
    monkeypatch.setattr(moto_patches, "_sessions_file", [])
    moto_patches.remember_tenant_sessions(path)
    got = client("sts").assume_role(RoleArn=settings().tenant_role_arn, RoleSessionName="cqt-999901",
                                    Tags=[{"Key": "tenant", "Value": "999901"}])["Credentials"]
    key_id = got["AccessKeyId"]
    assert moto_patches.TENANT_SESSIONS.pop(key_id) == ("999901", got["SecretAccessKey"])  # as after a restart
    moto_patches.remember_tenant_sessions(path)
    assert moto_patches.TENANT_SESSIONS[key_id] == ("999901", got["SecretAccessKey"])


# --- (d): what still runs ----------------------------------------------------------------------------------------

def test_platform_work_inside_a_countys_request_still_runs(client, county, fenced):
    """Inviting staff writes the county's user and phone index and the platform's membership in one transaction;
    the new staff member then signs in (identity and membership lookups are platform items)."""
    phone = new_phone()
    r = client.post("/staff", {"phone": phone, "name": "围栏测试", "role": "grid_worker", "place": county.grid},
                    token=county.tokens["county_admin"])
    assert r.status_code == 201, r.json
    session = client.sign_in(phone, county.code)
    assert session["tenant"] == county.code
    assert client.get("/me", token=session["access_token"]).status_code == 200


def test_only_a_countys_request_is_fenced(fenced):
    from chalicelib.core.tenancy import TenantContext

    def ctx(tenant):
        return TenantContext(tenant_id=tenant, user_id="u", identity="i", grants=(), request_id="r", expires=0)

    assert fenced.tenant_of(ctx("330825")) == "330825"
    assert fenced.tenant_of(ctx("")) is None  # signed in, no county yet
    assert fenced.tenant_of(ctx("platform")) is None  # the platform operator
    assert fenced.tenant_of(None) is None  # a public route
    with fenced.scope("330825"):
        assert fenced.current() == "330825"
        with fenced.platform():
            assert fenced.current() is None
        assert fenced.bind(fenced.current)() == "330825"
    assert fenced.current() is None


@pytest.mark.parametrize(("keys", "platform"), [
    (["platform#PHONE#b"], True),
    (["platform#PHONE#b", "330825#USER#u"], True),  # a new staff member: county items and the platform's
    (["330825#HH#1"], False),  # the county's own: fenced (and allowed)
    (["platform#PHONE#b", "330826#USER#u"], False),  # reaches another county: fenced (and refused)
    (["330826#HH#1"], False),
    (None, False), ([], False),
])
def test_which_calls_are_the_platforms(fenced, keys, platform):
    assert fenced.platform_call(keys, "330825") is platform
