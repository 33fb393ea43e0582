"""The one place that reads the environment.

Every setting has a default that works under the local stack; the deployment (infra/) sets the real values.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import NamedTuple


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Settings(NamedTuple):  # immutable; a NamedTuple rather than a dataclass keeps `dataclasses` out of cold start
    stage: str = "local"
    region: str = "cn-north-1"
    households_table: str = "cqt-local-households"
    submissions_table: str = "cqt-local-submissions"
    # The stream the daily report's handler reads. Chalice needs an ARN when the app is imported; the deployment
    # (infra/) replaces the event source's stream with the table's real one, so this default is a placeholder.
    submissions_stream_arn: str = ""
    idempotency_table: str = "cqt-local-idempotency"
    media_bucket: str = "cqt-local-media"
    alerts_topic: str = "cqt-local-alerts"
    broadcasts_topic: str = "cqt-local-broadcasts"
    recruitment_topic: str = "cqt-local-recruitment"
    # Scheduled work (core.jobs): the queue the schedules fan out to, one message per county or township. The
    # worker's event source names the queue; the schedules send to its URL (looked up once when not given).
    jobs_queue: str = "cqt-local-jobs"
    jobs_queue_url: str = ""
    pii_key_id: str = "alias/cqt-local-pii"
    secret_name: str = "cqt-local/app-secrets"
    # The tenant fence (core/fence.py): the role a county's requests assume for their data calls; empty: no fence.
    tenant_role_arn: str = ""
    # Access-token keys (core/auth/keys.py): the private signing key (read by the signing routes only) and the
    # public key set every verifier reads.
    signing_secret_name: str = "cqt-local/signing-key"
    jwks_secret_name: str = "cqt-local/signing-jwks"
    sms_sender: str = "outbox"  # outbox | sns | domestic (Tencent Cloud SMS: chalicelib/core/sms_tencent.py)
    sms_outbox_path: str = "var/sms-outbox.jsonl"
    sms_sign_name: str = "村情通"  # the SMS signature (签名), 【村情通】
    sms_app_id: str = ""  # Tencent Cloud SMS SdkAppId
    sms_region: str = "ap-guangzhou"  # Tencent Cloud SMS API region
    sms_templates: str = ""  # JSON {our template name: the provider's approved template id}
    sms_endpoint: str = ""  # the provider's API, e.g. http://127.0.0.1:8123 (tests' fake); empty: the provider's own
    # Sign-in and token policy.
    access_token_ttl: int = 900
    refresh_token_ttl: int = 30 * 24 * 3600
    otp_ttl: int = 300
    otp_max_tries: int = 5
    otp_resend_after: int = 60
    otp_per_phone_per_day: int = 10
    otp_per_client_per_hour: int = 30
    # Input bounds (OWASP API4).
    max_body_bytes: int = 64 * 1024
    max_page_size: int = 100
    default_page_size: int = 20
    # How long an in-process copy of a county's status and module switches may be stale.
    tenant_cache_seconds: int = 5
    endpoint_url: str | None = None
    # Origins the web apps are served from (S3 CORS for browser uploads with presigned POSTs).
    app_origins: tuple[str, ...] = ()
    app_url: str = ""  # the phone app's public address, for links in QR codes and SMS
    # Interview rooms' ICE servers (chalicelib/interviews/ice.py): "none" (local: host candidates on loopback) or
    # "kvs" (Kinesis Video Streams WebRTC's STUN/TURN; the deployed stages).
    ice_provider: str = "none"
    # Lecture videos' transcoding (chalicelib/lectures/transcode.py): "none" (the original plays, with range
    # requests) or "mediaconvert" (HLS renditions and a poster, where the region has MediaConvert) and its role.
    transcoder: str = "none"
    mediaconvert_role_arn: str = ""


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = os.environ
    stage = env.get("CQT_STAGE", "local")
    prefix = f"cqt-{stage}"
    return Settings(
        stage=stage,
        region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "cn-north-1")),
        households_table=env.get("CQT_HOUSEHOLDS_TABLE", f"{prefix}-households"),
        submissions_table=env.get("CQT_SUBMISSIONS_TABLE", f"{prefix}-submissions"),
        submissions_stream_arn=env.get("CQT_SUBMISSIONS_STREAM_ARN",
                                       "arn:aws:dynamodb:{}:000000000000:table/{}/stream/local"
                                       .format(env.get("AWS_REGION", "cn-north-1"), f"{prefix}-submissions")),
        idempotency_table=env.get("CQT_IDEMPOTENCY_TABLE", f"{prefix}-idempotency"),
        media_bucket=env.get("CQT_MEDIA_BUCKET", f"{prefix}-media"),
        alerts_topic=env.get("CQT_ALERTS_TOPIC", f"{prefix}-alerts"),
        broadcasts_topic=env.get("CQT_BROADCASTS_TOPIC", f"{prefix}-broadcasts"),
        recruitment_topic=env.get("CQT_RECRUITMENT_TOPIC", f"{prefix}-recruitment"),
        jobs_queue=env.get("CQT_JOBS_QUEUE", f"{prefix}-jobs"),
        jobs_queue_url=env.get("CQT_JOBS_QUEUE_URL", ""),
        pii_key_id=env.get("CQT_PII_KEY_ID", f"alias/{prefix}-pii"),
        secret_name=env.get("CQT_SECRET_NAME", f"{prefix}/app-secrets"),
        tenant_role_arn=env.get("CQT_TENANT_ROLE_ARN", ""),
        signing_secret_name=env.get("CQT_SIGNING_SECRET_NAME", f"{prefix}/signing-key"),
        jwks_secret_name=env.get("CQT_JWKS_SECRET_NAME", f"{prefix}/signing-jwks"),
        sms_sender=env.get("CQT_SMS_SENDER", "outbox" if stage == "local" else "sns"),
        sms_outbox_path=env.get("CQT_SMS_OUTBOX", "var/sms-outbox.jsonl"),
        sms_sign_name=env.get("CQT_SMS_SIGN_NAME") or "村情通",
        sms_app_id=env.get("CQT_SMS_APP_ID", ""),
        sms_region=env.get("CQT_SMS_REGION") or "ap-guangzhou",
        sms_templates=env.get("CQT_SMS_TEMPLATES", ""),
        sms_endpoint=env.get("CQT_SMS_ENDPOINT", ""),
        access_token_ttl=_int("CQT_ACCESS_TOKEN_TTL", 900),
        otp_per_client_per_hour=_int("CQT_OTP_PER_CLIENT_PER_HOUR", 30),
        otp_per_phone_per_day=_int("CQT_OTP_PER_PHONE_PER_DAY", 10),
        tenant_cache_seconds=_int("CQT_TENANT_CACHE_SECONDS", 5),
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        app_url=env.get("CQT_APP_URL", "").rstrip("/"),
        app_origins=tuple(o.strip() for o in env.get("CQT_APP_ORIGINS", "").split(",") if o.strip()),
        ice_provider=env.get("CQT_ICE_PROVIDER") or "none",
        transcoder=env.get("CQT_TRANSCODER") or "none",
        mediaconvert_role_arn=env.get("CQT_MEDIACONVERT_ROLE_ARN", ""),
    )


def page_size(limit: int | None) -> int:
    """A list's page size: the caller's limit (already validated by its query model), at most the stage's maximum.
    Here rather than beside the query models so that services use it without importing pydantic."""
    s = settings()
    return min(limit or s.default_page_size, s.max_page_size)
