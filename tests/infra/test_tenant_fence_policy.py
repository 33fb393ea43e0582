"""The TenantDataRole the stack synthesizes says what the local stack enforces (devstack/moto_patches.py
TENANT_POLICY), and the API function is told its ARN without a reference to it (its trust names the API's role)."""

from __future__ import annotations

import json

import pytest

from devstack.moto_patches import TENANT_POLICY

from .conftest import only, resources


@pytest.fixture(scope="module", params=[("dev", False), ("prod", False), ("prod", True)],
                ids=lambda p: f"{p[0]}-{'cn' if p[1] else 'global'}")
def stack(request, synth):
    stage, china = request.param
    return stage, synth.one(stage, china)[1]


def _role(template, stage):
    (role_id,) = [k for k, r in resources(template, "AWS::IAM::Role").items()
                  if r["Properties"].get("RoleName", "").startswith(f"cqt-{stage}-tenant-data-")]
    statements = [st for pol in resources(template, "AWS::IAM::Policy").values()
                  if {"Ref": role_id} in pol["Properties"]["Roles"]
                  for st in pol["Properties"]["PolicyDocument"]["Statement"]]
    return role_id, template["Resources"][role_id]["Properties"]["RoleName"], statements


def _actions(st) -> set[str]:
    return set(st["Action"] if isinstance(st["Action"], list) else [st["Action"]])


def test_the_synthesized_tenant_role_is_what_the_local_stack_enforces(stack):
    stage, template = stack
    _, _, statements = _role(template, stage)
    seen = []

    ddb = [st for st in statements if any(a.startswith("dynamodb:") for a in _actions(st))]
    assert len(ddb) == 1 and _actions(ddb[0]) == set(TENANT_POLICY["dynamodb"]["actions"])
    assert ddb[0]["Condition"] == TENANT_POLICY["dynamodb"]["condition"]
    tables = json.dumps(ddb[0]["Resource"])
    for suffix in ("households", "submissions", "idempotency"):
        table_id = only(template, "AWS::DynamoDB::Table", TableName=f"cqt-{stage}-{suffix}")[0]
        assert (table_id in tables) == (suffix in TENANT_POLICY["dynamodb"]["tables"]), suffix
    assert "/index/*" in tables
    seen += ddb

    kms = [st for st in statements if "kms:EncryptionContext:tenant" in json.dumps(st.get("Condition"))]
    assert len(kms) == 1 and _actions(kms[0]) == set(TENANT_POLICY["kms"]["actions"])
    assert kms[0]["Condition"] == TENANT_POLICY["kms"]["condition"]
    assert "PiiKey" in json.dumps(kms[0]["Resource"])
    seen += kms

    objects = [st for st in statements if _actions(st) & {"s3:GetObject", "s3:PutObject"}]
    assert len(objects) == 1 and _actions(objects[0]) == set(TENANT_POLICY["s3"]["actions"])
    media = json.dumps(objects[0]["Resource"])
    assert f'"/{TENANT_POLICY["s3"]["objects"]}"' in media and f"cqt-{stage}" in media and "media" in media
    assert "Condition" not in objects[0]
    listing = [st for st in statements if _actions(st) == {"s3:ListBucket"}]
    assert len(listing) == 1 and listing[0]["Condition"] == TENANT_POLICY["s3"]["list"]
    seen += objects + listing

    # The media bucket is SSE-KMS with the data key: the session may use it through S3 only.
    via_s3 = [st for st in statements if "kms:ViaService" in json.dumps(st.get("Condition"))]
    assert len(via_s3) == 1 and json.dumps(via_s3[0]["Condition"]).count("s3.") == 1
    seen += via_s3
    assert len(seen) == len(statements), [st for st in statements if st not in seen]  # nothing else


def test_the_api_function_names_the_tenant_role_without_referring_to_it(stack):
    stage, template = stack
    role_id, role_name, _ = _role(template, stage)
    env = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    arn = env["CQT_TENANT_ROLE_ARN"]
    assert role_id not in json.dumps(arn)  # a Ref/GetAtt would be a cycle: the role's trust names the API's role
    delimiter, parts = arn["Fn::Join"]
    flat = delimiter.join(p if isinstance(p, str) else f"<{p['Ref']}>" for p in parts)
    assert flat == f"arn:<AWS::Partition>:iam::<AWS::AccountId>:role/{role_name}"
    # Every function that serves routes (the API function, and the sign-in function where there is one: POST
    # /auth/switch) is trusted and may assume it with a session tag.
    trust = json.dumps(template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"])
    fns = template["Resources"]
    for fn_id in [f for f in ("APIHandler", "SigninHandler") if f in fns]:
        assert fns[fn_id]["Properties"]["Environment"]["Variables"]["CQT_TENANT_ROLE_ARN"] == arn
        role = fns[fn_id]["Properties"]["Role"]["Fn::GetAtt"][0]
        assert role in trust, fn_id
        grants = [st for pol in resources(template, "AWS::IAM::Policy").values()
                  if {"Ref": role} in pol["Properties"]["Roles"] for st in pol["Properties"]["PolicyDocument"][
                      "Statement"] if role_id in json.dumps(st.get("Resource"))]
        assert any({"sts:AssumeRole", "sts:TagSession"} <= _actions(st) for st in grants), fn_id
