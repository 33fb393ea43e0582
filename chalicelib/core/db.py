"""Table definitions shared by the code, the local stack and the deployment.

Two tables (DESIGN.md): `households` holds counties, places, households, members and people; `submissions`
holds what people submit. Items of each table are polymorphic PynamoDB models told apart by `kind`. Every
partition key, of the table and of its indexes, starts with the tenant id (`{tenant}#...`); platform-level items
belong to the pseudo-tenant `platform`.
"""

from __future__ import annotations

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from . import aws, fence
from .config import settings

PLATFORM = "platform"


def key(tenant: str, *parts: object) -> str:
    """A partition or sort key: always the tenant first."""
    if not tenant or "#" in tenant:
        raise ValueError("tenant id required")
    return "#".join([tenant, *(str(p) for p in parts)])


def _meta(table: str):
    s = settings()

    class Meta:
        table_name = table
        region = s.region
        host = s.endpoint_url
        billing_mode = "PAY_PER_REQUEST"
        stream_view_type = "NEW_AND_OLD_IMAGES"
        max_retry_attempts = 3
        connect_timeout_seconds = 3
        read_timeout_seconds = 10

    return Meta


class Gsi1(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()
        billing_mode = "PAY_PER_REQUEST"

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()
        billing_mode = "PAY_PER_REQUEST"

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class Gsi3(GlobalSecondaryIndex):
    class Meta:
        index_name = "gsi3"
        projection = AllProjection()
        billing_mode = "PAY_PER_REQUEST"

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class HouseholdsItem(Model):
    """Base of every item in the `households` table."""

    Meta = _meta(settings().households_table)
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    expires = NumberAttribute(null=True)  # DynamoDB TTL attribute (epoch seconds)


class SubmissionsItem(Model):
    """Base of every item in the `submissions` table (reports, letters, photos' metadata, applications...).

    Three sparse indexes, all keyed `{tenant}#...`: gsi1 is each kind's own second access pattern; gsi2 and gsi3 are
    the case workflow's township and county logs (only case items carry their keys, so nothing else pays for them).
    """

    Meta = _meta(settings().submissions_table)
    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi1 = Gsi1()
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi2 = Gsi2()
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi3 = Gsi3()
    expires = NumberAttribute(null=True)


TABLES = (HouseholdsItem, SubmissionsItem)
TTL_ATTRIBUTE = "expires"


class _Connection(Connection):
    """A PynamoDB connection whose botocore client comes from the process's one session (core.aws): PynamoDB's own
    makes a new botocore session per connection, and loading botocore's data again costs a cold start 45–75 ms."""

    @property
    def session(self):
        return aws.session()

    @property
    def client(self):
        with aws.lock:  # making a client from a shared session is not thread-safe
            return super().client

    def _make_api_call(self, operation_name: str, operation_kwargs: dict) -> dict:
        """Inside a county's request (core.fence), a call that reaches platform items (identities, memberships, codes,
        the county registry) and nothing of another county runs on the function's own role (fence.platform_call)."""
        tenant = fence.current()
        if tenant is not None and fence.platform_call(
                fence.leading_keys(operation_name, operation_kwargs, self._hash_key), tenant):
            with fence.platform():
                return super()._make_api_call(operation_name, operation_kwargs)
        return super()._make_api_call(operation_name, operation_kwargs)

    def _hash_key(self, table: str, index: str | None) -> str | None:
        meta = self._tables.get(table)
        if meta is None:
            return None
        return meta.get_index_hash_keyname(index) if index else meta.hash_keyname


def _one_connection() -> None:
    """Every model of both tables on one connection (one botocore client). PynamoDB makes a connection per model
    class on first use, unless the class inherits one: the two tables' bases get theirs now, before any model is
    used, and both tables' schemas go on one connection."""
    m = HouseholdsItem.Meta
    shared = _Connection(region=m.region, host=m.host, max_retry_attempts=m.max_retry_attempts,
                         connect_timeout_seconds=m.connect_timeout_seconds, read_timeout_seconds=m.read_timeout_seconds)
    for model in TABLES:
        table = model._get_connection()  # PynamoDB's, with the table's schema (no AWS call)
        shared.add_meta_table(table.get_meta_table())
        table.connection = shared


_one_connection()
_connection = None


def transact():
    """A PynamoDB TransactWrite on core.db's own connection: `with transact() as tx: ...` (at most 100 items)."""
    global _connection
    from pynamodb.transactions import TransactWrite

    if _connection is None:
        s = settings()
        conn = _Connection(region=s.region, host=s.endpoint_url, max_retry_attempts=3)
        for model in TABLES:  # the tables' schemas (no AWS call): the fence reads their partition keys' names
            conn.add_meta_table(model._get_connection().get_meta_table())
        _connection = conn
    return TransactWrite(connection=_connection)


def save_versioned(item, what: str) -> None:
    """Save a model with a VersionAttribute; a concurrent edit is a 409 (one wins, the other is told)."""
    from pynamodb.exceptions import PutError

    from .errors import Conflict

    try:
        item.save()
    except PutError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict(f"{what}刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise


def cancellation_codes(error) -> list[str | None]:
    """Per-item reasons of a cancelled TransactWrite ("ConditionalCheckFailed", "TransactionConflict", None...)."""
    return [getattr(r, "code", None) if r else None for r in (getattr(error, "cancellation_reasons", None) or [])]


def tx_update_unversioned(tx, model_cls, hash_key: str, range_key: str, actions: list, condition=None) -> None:
    """Add an UpdateItem on an item of a versioned model to a TransactWrite without touching its version.

    PynamoDB's `tx.update` on a model with a VersionAttribute adds a version condition and sets or bumps the
    version; a side attribute written by another module (e.g. a household's last report date) must neither
    conflict with nor invalidate an edit of the household in progress.
    """
    conn = model_cls._get_connection()
    hk, rk = model_cls._serialize_keys(hash_key, range_key)
    tx._update_items.append(conn.get_operation_kwargs(hk, range_key=rk, actions=actions, condition=condition))


def one_page(results, limit: int) -> tuple[list, dict | None]:
    """The first page of a PynamoDB query (`Model.query(..., page_size=limit)`), in exactly one DynamoDB call.

    Iterating a ResultIterator fetches page after page until `limit` items pass the filter, so a filtered list's
    calls would grow with the items the filter drops; a page here evaluates at most `limit` items and may hold
    fewer (the cursor goes on from the last one evaluated)."""
    results._get_next_page()
    items = [results._map_fn(i) if results._map_fn else i for i in (results._items or [])][:limit]
    return items, results.page_iter.last_evaluated_key
