"""The tenant fence: a county's request reaches its data with credentials that can reach only that county.

Every partition key starts with the tenant (core.db.key), media keys with `{tenant}/` (core.files) and every data
key is sealed with the encryption context {tenant, period} (core.keyring). The deployment's TenantDataRole
(infra/cqt_infra/stack.py `_tenant_role`) allows DynamoDB item calls only where `dynamodb:LeadingKeys` match
`${aws:PrincipalTag/tenant}#*`, S3 objects only under `${aws:PrincipalTag/tenant}/`, and KMS only where
`kms:EncryptionContext:tenant` is the tag. The API function assumes it once per county with the session tag
`tenant=<code>`; while a request of that county runs its view (core.http), every DynamoDB, KMS and S3 call made
from the process's botocore session (core.aws: the clients and PynamoDB's connection) is signed with that session's
credentials. A service function that forgets its own check, or builds another county's key, is refused by AWS.

How: `scope(tenant)` sets a context variable (per thread and per task, so concurrent requests of a threaded local
server never see each other's); a `before-sign` hook registered on the botocore session when it is made hands the
county's credentials to the signer (botocore's per-request `request_credentials`). The credentials are botocore
RefreshableCredentials, one per county and container: the first call of a county assumes the role (one STS call,
free), later calls reuse them, and botocore assumes again 15 minutes before they expire (sessions last an hour).

What stays on the function's own role, and why:
- calls outside a county's request: sign-in and other public routes (no county yet), sessions without a county (a
  villager before linking), the platform operator, the route layer itself (the county registry read before the view,
  the idempotency record written around it), stream and scheduled handlers and the jobs worker (they work for many
  counties and are not reachable by a caller);
- platform items inside a county's request: a DynamoDB call that reaches platform items (`platform_key`:
  identities, memberships, sign-in codes, invite codes, the county registry) and otherwise only the county's own
  (core.db decides it from the call's keys: `platform_call`; a call reaching any other county stays fenced), and a
  KMS call sealed for the platform (encryption context tenant=platform).
A request that acts for the person in another of their counties (switching county, redeeming an invite) moves the
fence to that county (`acting_for`); `platform()` is there for platform work that must span counties on purpose.
With no role configured (settings().tenant_role_arn empty: unit tests, tools) nothing is fenced.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from .config import settings

TAG = "tenant"  # the session tag the role's policy reads as ${aws:PrincipalTag/tenant}
PLATFORM = "platform"  # core.db.PLATFORM (not imported: core.db imports PynamoDB)
SESSION_SECONDS = 3600  # the role's maximum (a Lambda role assuming another is role chaining: at most an hour)
SERVICES = ("dynamodb", "kms", "s3")  # the data services the role fences
MAX_TENANTS = 4096  # credentials kept per container (a cell holds far fewer counties)
_PLATFORM_CALL = "cqt_platform_call"  # botocore request-context flag: this call is platform-level

_tenant: ContextVar[str | None] = ContextVar("cqt_fence_tenant", default=None)
_credentials: dict[str, Any] = {}
_lock = threading.Lock()


def enabled() -> bool:
    return bool(settings().tenant_role_arn)


def tenant_of(ctx) -> str | None:
    """The county a request's context fences it to, or None (no county, the platform, or no fence configured)."""
    tenant = getattr(ctx, "tenant_id", "") or ""
    return tenant if tenant and tenant != PLATFORM and enabled() else None


def current() -> str | None:
    """The county whose credentials sign data calls now (None: the function's own role)."""
    return _tenant.get()


@contextlib.contextmanager
def scope(tenant: str | None) -> Iterator[None]:
    """Run the block's data calls as `tenant` (None: as the function itself)."""
    if tenant is not None and (not tenant or "#" in tenant or "/" in tenant):
        raise ValueError("tenant id required")
    token = _tenant.set(tenant)
    try:
        yield
    finally:
        _tenant.reset(token)


def platform() -> contextlib.AbstractContextManager[None]:
    """Platform-level work inside a county's request (spanning counties on purpose): the function's own role."""
    return scope(None)


def acting_for(tenant: str | None) -> contextlib.AbstractContextManager[None]:
    """A request that acts for the person in another of their counties, which something verified names (a
    membership they switch to, an invite they redeem): the fence moves to that county. Anything but a county code
    (the platform, nothing) leaves the fence as it is."""
    if tenant and tenant != PLATFORM and "#" not in tenant and "/" not in tenant and current() is not None:
        return scope(tenant)
    return contextlib.nullcontext()


def bind(fn: Callable) -> Callable:
    """`fn` to run in another thread within the caller's fence (threads do not inherit context variables)."""
    tenant = _tenant.get()

    def bound(*args, **kwargs):
        with scope(tenant):
            return fn(*args, **kwargs)

    return bound


# --- botocore ------------------------------------------------------------------------------------------------

def register(session) -> None:
    """Hook the fence into the process's botocore session (core.aws, before any client is made: clients copy the
    session's handlers when they are created). Nothing is registered without a role to assume."""
    if not enabled():
        return
    for service in SERVICES:
        session.register(f"before-sign.{service}", _sign)
    session.register("before-parameter-build.kms", _kms_platform)


def _kms_platform(params: dict, context: dict, **_) -> None:
    if (params.get("EncryptionContext") or {}).get(TAG) == PLATFORM:
        context[_PLATFORM_CALL] = True


def _sign(request, **_) -> None:
    tenant = _tenant.get()
    if tenant is None or request.context.get(_PLATFORM_CALL):
        return
    request.context.setdefault("signing", {})["request_credentials"] = credentials(tenant)


def credentials(tenant: str):
    """The county's credentials in this container: assumed on first use, refreshed by botocore before expiry."""
    creds = _credentials.get(tenant)
    if creds is None:
        from botocore.credentials import DeferredRefreshableCredentials

        with _lock:
            creds = _credentials.get(tenant)
            if creds is None:
                while len(_credentials) >= MAX_TENANTS:
                    _credentials.pop(next(iter(_credentials)))
                creds = DeferredRefreshableCredentials(lambda: _assume(tenant), method="cqt-tenant-fence")
                _credentials[tenant] = creds
    return creds


def _assume(tenant: str) -> dict:
    from . import aws

    got = aws.client("sts").assume_role(
        RoleArn=settings().tenant_role_arn, RoleSessionName=f"cqt-{tenant}", DurationSeconds=SESSION_SECONDS,
        Tags=[{"Key": TAG, "Value": tenant}], TransitiveTagKeys=[TAG])["Credentials"]
    return {"access_key": got["AccessKeyId"], "secret_key": got["SecretAccessKey"], "token": got["SessionToken"],
            "expiry_time": got["Expiration"].isoformat()}


def forget() -> None:
    """Drop every county's credentials (tests)."""
    with _lock:
        _credentials.clear()


# --- which keys a DynamoDB call reaches ----------------------------------------------------------------------

def leading_keys(operation: str, params: dict, hash_key: Callable[[str, str | None], str | None]) -> list | None:
    """The partition-key values a DynamoDB call reaches (what IAM's `dynamodb:LeadingKeys` holds), from its
    low-level parameters; `hash_key(table, index)` names a table's or index's partition key. None when the call
    names no partition key (a Scan, a table operation, a Query without an equality on it)."""
    def of(table: str, attrs: dict | None, index: str | None = None):
        name = hash_key(table, index)
        value = (attrs or {}).get(name) if name else None
        return next(iter(value.values())) if isinstance(value, dict) and value else None

    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        keys = [of(params.get("TableName", ""), params.get("Key"))]
    elif operation == "PutItem":
        keys = [of(params.get("TableName", ""), params.get("Item"))]
    elif operation == "Query":
        keys = [_query_hash(params, hash_key(params.get("TableName", ""), params.get("IndexName")))]
    elif operation == "BatchGetItem":
        keys = [of(t, k) for t, spec in (params.get("RequestItems") or {}).items() for k in spec.get("Keys") or []]
    elif operation == "BatchWriteItem":
        keys = [of(t, (r.get("PutRequest") or {}).get("Item") or (r.get("DeleteRequest") or {}).get("Key"))
                for t, reqs in (params.get("RequestItems") or {}).items() for r in reqs]
    elif operation in ("TransactWriteItems", "TransactGetItems"):
        keys = [of(op.get("TableName", ""), op.get("Key") or op.get("Item"))
                for entry in params.get("TransactItems") or [] for op in entry.values()]
    else:
        return None
    return None if not keys or any(k is None for k in keys) else keys


def _query_hash(params: dict, name: str | None):
    import re

    if not name:
        return None
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    expr = params.get("KeyConditionExpression") or ""
    for left, right in re.findall(r"([#:]?[A-Za-z0-9_.]+)\s*=\s*([#:]?[A-Za-z0-9_.]+)", expr):
        attr, placeholder = (left, right) if right.startswith(":") else (right, left)
        if placeholder.startswith(":") and names.get(attr, attr) == name and isinstance(values.get(placeholder),
                                                                                          dict):
            return next(iter(values[placeholder].values()), None)
    cond = (params.get("KeyConditions") or {}).get(name) or {}
    if cond.get("ComparisonOperator") == "EQ" and cond.get("AttributeValueList"):
        return next(iter(cond["AttributeValueList"][0].values()), None)
    return None


def platform_key(key: str) -> bool:
    """A platform item's partition key: `platform#...` (identities, memberships, sign-in codes, invite codes, the
    list of counties), or a county's entry in the registry, `{code}#COUNTY` (core.counties: its name, status and
    modules, which the platform reads for any county: a person's other counties are listed by name)."""
    return key.startswith(PLATFORM + "#") or (key.endswith(_REGISTRY) and key.count("#") == 1)


_REGISTRY = "#COUNTY"


def platform_call(keys: list | None, tenant: str) -> bool:
    """A call that reaches platform items (`platform_key`) and otherwise only `tenant`'s own: the platform's work
    for the county (a new staff member's user, phone index and membership are one transaction), run on the
    function's role. A call that reaches any other county's item is not one, whatever else it reaches: it stays
    fenced, and AWS refuses it."""
    if not keys or not all(isinstance(k, str) for k in keys):
        return False
    shared = [platform_key(k) for k in keys]
    return any(shared) and all(s or k.startswith(tenant + "#") for s, k in zip(shared, keys, strict=True))
