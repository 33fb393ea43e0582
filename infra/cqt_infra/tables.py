"""DynamoDB tables built from the same definitions the code uses (chalicelib/core/db.py), like devstack/provision.py.

The key schema, indexes, stream and TTL come from the PynamoDB models, so the deployed schema cannot drift from the
code; tests/infra/test_template.py compares the synthesized template with the models independently.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.core.db import TTL_ATTRIBUTE, HouseholdsItem, SubmissionsItem

# Settings field (chalicelib/core/config.py) -> model. Names are cqt-{stage}-{suffix}, the code's defaults.
MODEL_TABLES = {"households": HouseholdsItem, "submissions": SubmissionsItem}

# The Powertools idempotency table (chalicelib/core/http.py: DynamoDBPersistenceLayer with its defaults).
IDEMPOTENCY_KEY = "id"
IDEMPOTENCY_TTL = "expiration"


@dataclass(frozen=True)
class TableSpec:
    suffix: str
    attributes: dict[str, str]  # name -> S/N/B
    key: list[tuple[str, str]]  # (name, HASH/RANGE)
    gsis: list[dict]  # {"name", "key": [(name, type)], "projection": "ALL"}
    stream: str | None
    ttl: str | None


def model_spec(suffix: str, model) -> TableSpec:
    schema = model._get_schema()
    attrs = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
    gsis = []
    for gsi in schema["global_secondary_indexes"]:
        for a in gsi.get("attribute_definitions", []):
            attrs[a["AttributeName"]] = a["AttributeType"]
        gsis.append({"name": gsi["index_name"],
                     "key": [(k["AttributeName"], k["KeyType"]) for k in gsi["key_schema"]],
                     "projection": gsi["projection"]["ProjectionType"]})
    if schema["local_secondary_indexes"]:
        raise NotImplementedError("local secondary indexes are not expected (DESIGN.md: gsi1 only)")
    return TableSpec(suffix=suffix, attributes=attrs,
                     key=[(k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]], gsis=gsis,
                     stream=getattr(model.Meta, "stream_view_type", None), ttl=TTL_ATTRIBUTE)


def specs() -> list[TableSpec]:
    out = [model_spec(s, m) for s, m in MODEL_TABLES.items()]
    out.append(TableSpec(suffix="idempotency", attributes={IDEMPOTENCY_KEY: "S"}, key=[(IDEMPOTENCY_KEY, "HASH")],
                         gsis=[], stream=None, ttl=IDEMPOTENCY_TTL))
    return out
