"""The AWS services 村情通 uses: every one of them must exist in both AWS China regions (cn-north-1, operated by
Sinnet in Beijing; cn-northwest-1, NWCD in Ningxia), where the same stack deploys.

tests/infra/test_china.py holds these lists to the authorities: the synthesized China templates' resource types
(SAM's expanded) against cfn-lint's resource specifications of cn-north-1 and cn-northwest-1, and the services the app
calls at run time against botocore's endpoint data for the aws-cn partition. A new service is added here first, after
checking that it exists in China; the tests then say whether it really does.
"""

from __future__ import annotations

CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")

# CloudFormation namespaces (AWS::<service>::…) of the stack's resources, SAM's generated ones included.
STACK_SERVICES = frozenset({
    "ApiGatewayV2",    # the HTTP API: its stage, routes, Lambda integrations and authorizer
    "CloudFront",      # the web distribution (origin access identity in China: no origin access control, no Functions)
    "CloudWatch",      # alarms, Contributor Insights rules (per-county top contributors of the API access log)
    "DynamoDB",        # tables (no global tables: data stays in the stack's region)
    "Events",          # the schedules of the reminder and escalation handlers (SAM Schedule events)
    "IAM",             # one role per function, the tenant-scoped role
    "KMS",             # the data key and the PII key (single-region keys)
    "Lambda",          # functions, their permissions, the stream's event source mapping
    "Logs",            # log groups (KMS-encrypted)
    "S3",              # media, web and log buckets (no replication)
    "SNS",             # topics (not SMS: Amazon SNS has no SMS in China, sms_sender=domestic)
    "SQS",             # the DLQ
    "SecretsManager",  # the app secret and its rotation (no replica regions)
})

# botocore service names of the clients the app creates (chalicelib/core/aws.py `client("…")`, PynamoDB's own
# DynamoDB client), with what for. X-Ray traces go to the Lambda's local daemon and CloudWatch metrics are log lines
# (EMF): no client. Sign-in SMS in China go to Tencent Cloud SMS in a mainland region (config.SMS_REGIONS).
RUNTIME_SERVICES = {
    "dynamodb": "tables: PynamoDB models, transactions, Powertools idempotency",
    "kms": "PII envelope encryption (chalicelib/core/pii.py, keyring.py)",
    "s3": "media: presigned POST and GET, head (chalicelib/core/files.py)",
    "secretsmanager": "the app secret (chalicelib/core/secrets.py)",
    "sqs": "the jobs queue: send (chalicelib/core/jobs.py)",
    "sts": "AssumeRole of the tenant data role with a session tag (chalicelib/core/fence.py)",
    "sns": "topics: publish and subscribe (chalicelib/core/notify.py); SMS only where sms_sender=sns, never in China",
}

# Services the app calls only in some China regions, and only where the stack's configuration says so: Kinesis Video
# Streams (WebRTC signalling channels and their TURN servers for interview rooms, chalicelib/interviews/ice.py) is in
# cn-north-1 but not cn-northwest-1 (botocore's endpoint data). A stack in a region not listed here sets
# CQT_ICE_PROVIDER=none (stack.py): interviews connect directly, without TURN.
# (Its signalling data plane, kinesis-video-signaling, answers at the endpoint GetSignalingChannelEndpoint returns
# per channel: botocore lists no regional endpoints for it.)
# AWS Elemental MediaConvert (lecture videos' HLS renditions and posters, chalicelib/lectures/transcode.py) is the other
# way round: cn-northwest-1 only (botocore's endpoint data); a cn-north-1 stack sets CQT_TRANSCODER=none and phones
# play the original file (S3 range requests).
REGIONAL_RUNTIME_SERVICES = {
    "kinesisvideo": ("cn-north-1",),
    "mediaconvert": ("cn-northwest-1",),
}


def ice_provider(region: str) -> str:
    """The interview rooms' ICE provider of a stack in this region: kvs wherever Kinesis Video Streams is."""
    if not region.startswith("cn-"):
        return "kvs"
    return "kvs" if region in REGIONAL_RUNTIME_SERVICES["kinesisvideo"] else "none"


def transcoder(region: str) -> str:
    """Lecture videos' transcoder of a stack in this region: mediaconvert wherever MediaConvert is, else none."""
    if not region.startswith("cn-"):
        return "mediaconvert"
    return "mediaconvert" if region in REGIONAL_RUNTIME_SERVICES["mediaconvert"] else "none"
