"""Local-runner fixes for moto's DynamoDB (development and tests only; nothing here ships).

moto rolls a failed TransactWriteItems back by deep-copying every table the transaction touches, once per
transaction item, which makes each transaction cost O(items x table size): seeding a county slows to a crawl.
Here the backup is taken of the touched items only, and restored if the transaction fails.
"""

from __future__ import annotations

import copy as _copy
import threading
import types

_applied = False


def fast_transactions() -> None:
    global _applied
    if _applied:
        return
    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    def deepcopy(obj, memo=None):
        if isinstance(obj, Table):
            return obj  # the touched items are backed up by the wrapper below instead
        return _copy.deepcopy(obj, memo)

    models.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=_copy.copy)
    original = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        backup = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            if table is None:
                continue
            attrs = op.get("Key") or op.get("Item") or {}
            if table.hash_key_attr not in attrs:
                continue
            h = DynamoType(attrs[table.hash_key_attr])
            r = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr in attrs else None
            old = table.items.get(h, {}).get(r) if table.range_key_attr else table.items.get(h)
            backup.append((table, h, r, _copy.deepcopy(old)))
        try:
            return original(self, transact_items)
        except Exception:
            for table, h, r, old in reversed(backup):
                if table.range_key_attr:
                    if old is None:
                        table.items.get(h, {}).pop(r, None)
                    else:
                        table.items[h][r] = old
                elif old is None:
                    table.items.pop(h, None)
                else:
                    table.items[h] = old
            raise

    models.DynamoDBBackend.transact_write_items = transact_write_items
    fast_queries()
    _applied = True


_scope = threading.local()


def fast_queries() -> None:
    """moto answers every Query by sorting the whole table (`Table.all_items`) and then filtering it, so one Query
    costs O(table · log table) DynamoType comparisons: ~60 ms at 3,000 items, growing with every test's data. A
    Query on the table's own key needs only its partition (`Table.items[hash]`); a Query on an index filters and
    sorts its candidates itself, so the table need not be sorted first. Same results, in the same order."""
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_cqt_fast_queries", False):
        return
    all_items, query = Table.all_items, Table.query

    def scoped_all_items(self):
        scope = getattr(_scope, "query", None)
        if scope is None or scope[0] is not self or not self.range_key_attr or scope[1] is None:
            return all_items(self)
        _, hash_key, index_name = scope
        if index_name is None:
            return list((self.items.get(hash_key) or {}).values())
        return [item for bucket in self.items.values() for item in bucket.values()]

    def scoped_query(self, hash_key, *args, **kwargs):
        # moto's backend passes index_name as the 8th positional argument (after projection_expressions)
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        _scope.query = (self, hash_key, index_name)
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _scope.query = None

    Table.all_items = scoped_all_items
    Table.query = scoped_query
    Table._cqt_fast_queries = True


def s3_post_policy() -> None:
    """moto accepts any browser-form upload; real S3 enforces the signed policy's conditions. Enforce the ones the
    app relies on (content-length-range, exact-match fields, expiry) so local tests see S3's refusals."""
    import base64
    import datetime as dt
    import json

    from moto.s3.responses import S3Response

    if getattr(S3Response, "_cqt_policy", False):
        return
    original = S3Response._bucket_response_post

    def refuse(code: str, message: str):
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        return 400 if code != "AccessDenied" else 403, {"Content-Type": "application/xml"}, body

    def checked(self, request, bucket_name):
        qs = self.querystring
        policy = (qs.get("policy") or qs.get("Policy") or [None])[0]
        if policy and "key" in qs:
            doc = json.loads(base64.b64decode(policy))
            expires = dt.datetime.fromisoformat(doc["expiration"].replace("Z", "+00:00"))
            if expires < dt.datetime.now(dt.UTC):
                return refuse("AccessDenied", "Invalid according to Policy: Policy expired.")
            size = len(self.body or b"")
            for cond in doc.get("conditions", []):
                if isinstance(cond, list) and cond and cond[0] == "content-length-range":
                    if size > int(cond[2]):
                        return refuse("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
                    if size < int(cond[1]):
                        return refuse("EntityTooSmall", "Your proposed upload is smaller than the minimum size")
                elif isinstance(cond, dict):
                    for field, want in cond.items():
                        if field in ("bucket",):
                            continue
                        got = (qs.get(field) or [None])[0]
                        if got != want:
                            return refuse("AccessDenied", f"Invalid according to Policy: Policy Condition failed: "
                                                          f"[\"eq\", \"${field}\", \"{want}\"]")
        return original(self, request, bucket_name)

    S3Response._bucket_response_post = checked
    S3Response._cqt_policy = True
