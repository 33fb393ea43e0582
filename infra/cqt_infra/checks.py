"""checkov skips live next to the resource they concern, with the reason written out (`Metadata.checkov.skip`)."""

from __future__ import annotations

from aws_cdk import CfnResource
from constructs import IConstruct

# Reasons shared by several resources.
NO_VPC = ("CKV_AWS_117", "No VPC: the functions call only AWS APIs (DynamoDB, S3, KMS, SNS, Secrets Manager) over "
                         "TLS with IAM auth; a VPC would add NAT gateways or endpoints (cost, cold start) "
                         "and no control.")
SYNC_NO_DLQ = ("CKV_AWS_116", "Invoked synchronously (API Gateway / Secrets Manager): the caller sees the error and "
                              "retries; a DLQ only receives asynchronous invocations.")


def _cfn(node: IConstruct) -> CfnResource:
    return node if isinstance(node, CfnResource) else node.node.default_child  # type: ignore[return-value]


def skip(node: IConstruct, *checks: tuple[str, str]) -> None:
    """Add checkov skips (id, reason) to the resource's metadata, merging with earlier ones."""
    cfn = _cfn(node)
    current = cfn.get_metadata("checkov") or {}
    listed = list(current.get("skip", []))
    seen = {s["id"] for s in listed}
    for check_id, reason in checks:
        if check_id not in seen:
            listed.append({"id": check_id, "comment": reason})
            seen.add(check_id)
    cfn.add_metadata("checkov", {"skip": listed})
