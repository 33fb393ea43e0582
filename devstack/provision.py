"""Create the tables, bucket, topics, key and secrets the code needs, from the same definitions the deployment
uses (chalicelib.core.db.TABLES and chalicelib.core.config). Safe to run again: it creates only what is missing."""

from __future__ import annotations

import json
import secrets as pysecrets

from chalicelib.core.aws import client
from chalicelib.core.config import settings
from chalicelib.core.db import TABLES, TTL_ATTRIBUTE


def _add_missing_indexes(ddb, model) -> list[str]:
    """A local stack kept from an earlier version gets the indexes added since (one at a time, as DynamoDB wants)."""
    schema = model._get_schema()
    have = {g["IndexName"] for g in ddb.describe_table(TableName=model.Meta.table_name)["Table"].get(
        "GlobalSecondaryIndexes", [])}
    added = []
    for gsi in schema["global_secondary_indexes"]:
        if gsi["index_name"] in have:
            continue
        ddb.update_table(
            TableName=model.Meta.table_name,
            AttributeDefinitions=[{"AttributeName": a["AttributeName"], "AttributeType": a["AttributeType"]}
                                  for a in gsi.get("attribute_definitions", [])],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": gsi["index_name"],
                "KeySchema": [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
                              for k in gsi["key_schema"]],
                "Projection": {"ProjectionType": gsi["projection"]["ProjectionType"]}}}])
        added.append(f"{model.Meta.table_name}.{gsi['index_name']}")
    return added


def provision() -> list[str]:
    s = settings()
    made: list[str] = []
    ddb = client("dynamodb")
    existing = set(ddb.list_tables()["TableNames"])
    for model in TABLES:
        name = model.Meta.table_name
        if name not in existing:
            model.create_table(wait=True)
            ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                             "AttributeName": TTL_ATTRIBUTE})
            made.append(name)
        else:
            made += _add_missing_indexes(ddb, model)
    if s.idempotency_table not in existing:
        ddb.create_table(TableName=s.idempotency_table, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        ddb.update_time_to_live(TableName=s.idempotency_table,
                                TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"})
        made.append(s.idempotency_table)
    s3 = client("s3")
    buckets = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if s.media_bucket not in buckets:
        s3.create_bucket(Bucket=s.media_bucket, CreateBucketConfiguration={"LocationConstraint": s.region})
        s3.put_public_access_block(Bucket=s.media_bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
        made.append(s.media_bucket)
    if s.app_origins:  # browsers upload straight to S3 from the app's origin
        s3.put_bucket_cors(Bucket=s.media_bucket, CORSConfiguration={"CORSRules": [{
            "AllowedOrigins": list(s.app_origins), "AllowedMethods": ["POST", "GET", "PUT"], "AllowedHeaders": ["*"],
            "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000}]})
    sns = client("sns")
    for topic in (s.alerts_topic, s.broadcasts_topic, s.recruitment_topic):
        sns.create_topic(Name=topic)  # idempotent
    provision_jobs_queue()
    sm = client("secretsmanager")
    try:
        sm.describe_secret(SecretId=s.secret_name)
    except sm.exceptions.ResourceNotFoundException:
        sm.create_secret(Name=s.secret_name, SecretString=json.dumps({
            "token_key": pysecrets.token_urlsafe(48), "blind_index_key": pysecrets.token_urlsafe(48),
            "refresh_key": pysecrets.token_urlsafe(48)}))
        made.append(s.secret_name)
    else:  # a stack kept from before refresh_key: draw it as the rotation does (infra/rotation/rotate_secret.py)
        value = json.loads(sm.get_secret_value(SecretId=s.secret_name)["SecretString"])
        if not value.get("refresh_key"):
            sm.put_secret_value(SecretId=s.secret_name, SecretString=json.dumps(
                {**value, "refresh_key": pysecrets.token_urlsafe(48)}))
    from chalicelib.core import clock
    from chalicelib.core.auth import keys

    if keys.ensure(sm, signing_secret=s.signing_secret_name, jwks_secret=s.jwks_secret_name, now=clock.epoch(),
                   max_token_ttl=s.access_token_ttl):  # the first ES256 key (scripts/rotate_signing_key.py rotates)
        made.append(s.signing_secret_name)
    return made


def provision_jobs_queue() -> None:
    """The jobs queue and its dead-letter queue, redriven after jobs.MAX_RECEIVES receives as in AWS
    (infra/cqt_infra/stack.py). Idempotent."""
    from chalicelib.core import jobs

    s, sqs = settings(), client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{s.jobs_queue}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=s.jobs_queue)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps({
        "deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(jobs.MAX_RECEIVES)})})


def provision_directory(counties: dict[str, str], web_url: str) -> str:
    """The cells' directory (scripts/cell_directory.py, docs/deploy.md "Cells"): locally the one stack is the only
    cell, `{stage}-{region}`, and the directory lists `counties` (code → name: the demo county) in it, served at
    `web_url`. Its bucket is private, as the DirectoryStack's. Idempotent; returns the bucket's name."""
    from scripts import cell_directory

    s, s3 = settings(), client("s3")
    bucket = f"cqt-{s.stage}-directory"
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": s.region})
        s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True})
    for code, name in counties.items():
        cell_directory.put(s3, bucket, code, cell_directory.entry(f"{s.stage}-{s.region}", s.region, web_url, name))
    return bucket
