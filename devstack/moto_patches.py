"""Local-runner fixes for moto's DynamoDB (development and tests only; nothing here ships).

moto rolls a failed TransactWriteItems back by deep-copying every table the transaction touches, once per
transaction item, which makes each transaction cost O(items x table size): seeding a county slows to a crawl.
Here the backup is taken of the touched items only, and restored if the transaction fails.
"""

from __future__ import annotations

import copy as _copy
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
            if table.range_key_attr:
                old = table.items.get(h, {}).get(r)
            else:
                old = table.items.get(h)
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
    _applied = True
