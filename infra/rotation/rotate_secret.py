"""Secrets Manager rotation for cqt-{stage}/app-secrets: {"token_key", "blind_index_key", "refresh_key", ...}.

Every rotation draws a new `token_key` (keys the HMACs of sign-in codes in flight, passes and list cursors; access
tokens are signed elsewhere, by the ES256 key of cqt-{stage}/signing-key, see scripts/rotate_signing_key.py).
`blind_index_key` (the platform-wide blind index of sign-in phones) and `refresh_key` (the HMAC of stored refresh
tokens) are drawn once, on the first rotation (which Secrets Manager runs right after the stack creates the secret),
and then kept: rotating them would lose every sign-in identity, or sign everybody out.
Standard four steps: createSecret, setSecret, testSecret, finishSecret.
"""

import json
import secrets

import boto3

KEYS = ("token_key", "blind_index_key", "refresh_key")


def _client():
    return boto3.client("secretsmanager")


def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    sm = _client()
    meta = sm.describe_secret(SecretId=arn)
    if not meta.get("RotationEnabled"):
        raise ValueError("rotation is not enabled for this secret")
    stages = meta.get("VersionIdsToStages", {})
    if token not in stages:
        raise ValueError("unknown secret version")
    if "AWSCURRENT" in stages[token]:
        return  # already current: nothing to do
    if "AWSPENDING" not in stages[token]:
        raise ValueError("secret version is not pending rotation")
    if step == "createSecret":
        create(sm, arn, token)
    elif step == "setSecret":
        pass  # nothing outside Secrets Manager holds the keys
    elif step == "testSecret":
        test(sm, arn, token)
    elif step == "finishSecret":
        finish(sm, arn, token, stages)
    else:
        raise ValueError(f"unknown step {step}")


def next_value(current: dict) -> dict:
    new = dict(current)
    new["token_key"] = secrets.token_urlsafe(48)
    for kept in ("blind_index_key", "refresh_key"):
        if not new.get(kept):
            new[kept] = secrets.token_urlsafe(48)
    return new


def create(sm, arn, token):
    try:
        sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        return
    except sm.exceptions.ResourceNotFoundException:
        pass
    current = json.loads(sm.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"] or "{}")
    sm.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(next_value(current)),
                        VersionStages=["AWSPENDING"])


def test(sm, arn, token):
    value = json.loads(sm.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")["SecretString"])
    for k in KEYS:
        if len(value.get(k) or "") < 32:
            raise ValueError(f"{k} missing or too short")


def finish(sm, arn, token, stages):
    current = next((v for v, s in stages.items() if "AWSCURRENT" in s), None)
    if current == token:
        return
    sm.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                   RemoveFromVersionId=current)
