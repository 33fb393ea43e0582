"""The synthesized templates hold what the code needs, as the code defines it (issue 4's list)."""

from __future__ import annotations

import inspect
import json
import re

import pytest

from .conftest import ROOT, only, resources

STAGES = ("dev", "prod")
REGIONS = (False, True)  # global, China


@pytest.fixture(scope="module", params=[(s, c) for s in STAGES for c in REGIONS],
                ids=lambda p: f"{p[0]}-{'cn' if p[1] else 'global'}")
def stack(request, synth):
    stage, china = request.param
    sid, template = synth.one(stage, china)
    return stage, china, template


def _flat(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- tables ----------------------------------------------------------------------------------------------------

def _table(template, name):
    return only(template, "AWS::DynamoDB::Table", TableName=name)[1]["Properties"]


@pytest.mark.parametrize("suffix", ["households", "submissions"])
def test_tables_match_the_pynamodb_models(stack, suffix):
    from chalicelib.core import db

    stage, _, template = stack
    model = {"households": db.HouseholdsItem, "submissions": db.SubmissionsItem}[suffix]
    schema = model._get_schema()
    props = _table(template, f"cqt-{stage}-{suffix}")
    assert props["KeySchema"] == [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
                                  for k in schema["key_schema"]]
    want_attrs = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
    for gsi in schema["global_secondary_indexes"]:
        want_attrs.update({a["AttributeName"]: a["AttributeType"] for a in gsi["attribute_definitions"]})
    assert {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]} == want_attrs
    want_gsis = {g["index_name"]: ([{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
                                    for k in g["key_schema"]], g["projection"]["ProjectionType"])
                 for g in schema["global_secondary_indexes"]}
    got_gsis = {g["IndexName"]: (g["KeySchema"], g["Projection"]["ProjectionType"])
                for g in props.get("GlobalSecondaryIndexes", [])}
    assert got_gsis == want_gsis and want_gsis  # gsi1 on gsi1pk/gsi1sk, all attributes
    assert props["StreamSpecification"]["StreamViewType"] == model.Meta.stream_view_type == "NEW_AND_OLD_IMAGES"
    assert props["TimeToLiveSpecification"] == {"AttributeName": db.TTL_ATTRIBUTE, "Enabled": True}
    assert props["BillingMode"] == model.Meta.billing_mode == "PAY_PER_REQUEST"


def test_idempotency_table_matches_powertools(stack):
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    stage, _, template = stack
    defaults = inspect.signature(DynamoDBPersistenceLayer.__init__).parameters
    props = _table(template, f"cqt-{stage}-idempotency")
    assert props["KeySchema"] == [{"AttributeName": defaults["key_attr"].default, "KeyType": "HASH"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": defaults["expiry_attr"].default, "Enabled": True}
    assert props["BillingMode"] == "PAY_PER_REQUEST"


def test_tables_are_recoverable_encrypted_and_protected_in_prod(stack):
    stage, _, template = stack
    tables = resources(template, "AWS::DynamoDB::Table")
    assert len(tables) == 3
    keys = resources(template, "AWS::KMS::Key")
    for logical_id, t in tables.items():
        p = t["Properties"]
        assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert p["SSESpecification"]["SSEType"] == "KMS"
        assert p["SSESpecification"]["KMSMasterKeyId"]["Fn::GetAtt"][0] in keys  # customer-managed key
        assert p["DeletionProtectionEnabled"] is (stage == "prod")
        assert t["DeletionPolicy"] == ("Retain" if stage == "prod" else "Delete")
    for k in keys.values():
        assert k["Properties"]["EnableKeyRotation"] is True


def test_key_and_secret_names_are_the_codes_defaults(stack):
    stage, _, template = stack
    aliases = {a["Properties"]["AliasName"] for a in resources(template, "AWS::KMS::Alias").values()}
    assert f"alias/cqt-{stage}-pii" in aliases  # scripts/bootstrap_operator.py finds it with CQT_STAGE alone
    (_, secret) = only(template, "AWS::SecretsManager::Secret", Name=f"cqt-{stage}/app-secrets")
    assert "KmsKeyId" in secret["Properties"]
    rotation = next(iter(resources(template, "AWS::SecretsManager::RotationSchedule").values()))
    assert rotation["Properties"]["RotationLambdaARN"]


def test_only_the_signing_function_reads_the_signing_key(stack):
    """Access tokens (chalicelib/core/auth/keys.py): the private key is readable by the sign-in function alone, the
    public key set by the authorizer, which reads nothing else of Secrets Manager."""
    stage, _, template = stack
    ids = {}
    for name, suffix in (("signing", "signing-key"), ("jwks", "signing-jwks")):
        (ids[name], secret) = only(template, "AWS::SecretsManager::Secret", Name=f"cqt-{stage}/{suffix}")
        assert "KmsKeyId" in secret["Properties"] and secret["DeletionPolicy"] == "Retain"
    fns = resources(template, "AWS::Serverless::Function")
    readers = {name: set() for name in ids}
    for logical_id, fn in fns.items():
        for st in _policy_of(template, fn["Properties"]["Role"]["Fn::GetAtt"][0]):
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            if "secretsmanager:GetSecretValue" not in actions:
                continue
            res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            for name, secret_id in ids.items():
                if {"Ref": secret_id} in res:
                    readers[name].add(logical_id)
            if logical_id == "TokenAuthorizer":
                assert res == [{"Ref": ids["jwks"]}], res  # the public keys only
        env = fn["Properties"].get("Environment", {}).get("Variables", {})
        assert env.get("CQT_SIGNING_SECRET_NAME") == f"cqt-{stage}/signing-key"
        assert env.get("CQT_JWKS_SECRET_NAME") == f"cqt-{stage}/signing-jwks"
    assert readers["signing"] == {"SigninHandler"}, readers
    assert "TokenAuthorizer" in readers["jwks"] and "APIHandler" not in readers["signing"]


# --- buckets ---------------------------------------------------------------------------------------------------

def _bucket_policy_denies_insecure_transport(template, bucket_id):
    for pol in resources(template, "AWS::S3::BucketPolicy").values():
        if pol["Properties"]["Bucket"] == {"Ref": bucket_id}:
            for st in pol["Properties"]["PolicyDocument"]["Statement"]:
                if st["Effect"] == "Deny" and st.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                    return True
    return False


def test_buckets_are_private_tls_only_encrypted_and_logged(stack):
    _, _, template = stack
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 3  # media, web, logs
    for logical_id, b in buckets.items():
        p = b["Properties"]
        assert p["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
        assert p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert _bucket_policy_denies_insecure_transport(template, logical_id), logical_id
        assert any(r.get("AbortIncompleteMultipartUpload") for r in p["LifecycleConfiguration"]["Rules"])
        if not logical_id.startswith("LogBucket"):
            assert p["LoggingConfiguration"]["DestinationBucketName"]["Ref"].startswith("LogBucket")


def test_media_bucket_allows_presigned_posts_from_the_app_and_expires_old_versions(stack):
    stage, _, template = stack
    media = next(b["Properties"] for k, b in resources(template, "AWS::S3::Bucket").items()
                 if k.startswith("MediaBucket"))
    enc = media["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert enc["SSEAlgorithm"] == "aws:kms"
    rule = media["CorsConfiguration"]["CorsRules"][0]
    assert "POST" in rule["AllowedMethods"] and "*" not in rule["AllowedOrigins"] and rule["AllowedOrigins"]
    assert any(r.get("NoncurrentVersionExpiration") for r in media["LifecycleConfiguration"]["Rules"])
    assert media["VersioningConfiguration"]["Status"] == "Enabled"
    name = _flat(media["BucketName"])
    env = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert _flat(env["CQT_MEDIA_BUCKET"]) == name  # the code's presigned POSTs target this bucket


# --- topics, queues --------------------------------------------------------------------------------------------

def test_topics_are_kms_encrypted_and_named_for_the_code(stack):
    stage, _, template = stack
    topics = resources(template, "AWS::SNS::Topic")
    names = {t["Properties"]["TopicName"] for t in topics.values()}
    assert {f"cqt-{stage}-alerts", f"cqt-{stage}-broadcasts", f"cqt-{stage}-recruitment"} <= names
    for t in topics.values():
        assert t["Properties"]["KmsMasterKeyId"]
    for q in resources(template, "AWS::SQS::Queue").values():
        assert q["Properties"]["KmsMasterKeyId"]


# --- functions -------------------------------------------------------------------------------------------------

def _functions(template):
    return {**resources(template, "AWS::Serverless::Function"), **resources(template, "AWS::Lambda::Function")}


def _code_reads() -> set[str]:
    # core/config.py's settings, and core/throttle.py's (read per request, so that a test can change them)
    text = "".join((ROOT / "chalicelib" / "core" / f).read_text(encoding="utf-8") for f in ("config.py", "throttle.py"))
    return set(re.findall(r'"((?:CQT|POWERTOOLS)_[A-Z_]+)"', text))


def test_functions_get_the_settings_the_code_reads(stack):
    stage, _, template = stack
    for name in ("APIHandler", "TokenAuthorizer"):
        env = template["Resources"][name]["Properties"]["Environment"]["Variables"]
        assert env["CQT_STAGE"] == stage
        cqt = {k for k in env if k.startswith("CQT_")}
        assert cqt <= _code_reads(), f"set but never read: {cqt - _code_reads()}"
        for k in ("CQT_HOUSEHOLDS_TABLE", "CQT_SUBMISSIONS_TABLE", "CQT_IDEMPOTENCY_TABLE", "CQT_MEDIA_BUCKET",
                  "CQT_ALERTS_TOPIC", "CQT_BROADCASTS_TOPIC", "CQT_RECRUITMENT_TOPIC", "CQT_PII_KEY_ID",
                  "CQT_SECRET_NAME", "CQT_SMS_SENDER", "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE",
                  "POWERTOOLS_LOG_LEVEL"):
            assert env.get(k), k
        assert env["CQT_HOUSEHOLDS_TABLE"] == f"cqt-{stage}-households"


def test_every_function_is_traced_bounded_logged_and_has_its_own_role(stack):
    stage, _, template = stack
    fns = _functions(template)
    assert {"APIHandler", "TokenAuthorizer"} <= set(fns)
    roles = set()
    log_groups = {g["Properties"]["LogGroupName"]: g["Properties"] for g in
                  resources(template, "AWS::Logs::LogGroup").values()}
    for logical_id, fn in fns.items():
        p = fn["Properties"]
        assert p["Runtime"] == "python3.11"
        assert p.get("Tracing") in ("Active", "PassThrough") or p.get("TracingConfig", {}).get("Mode") == "Active", \
            logical_id
        assert p["ReservedConcurrentExecutions"] >= 1, logical_id
        assert p["FunctionName"].startswith(f"cqt-{stage}-")
        assert p["KmsKeyArn"]
        group = log_groups[f"/aws/lambda/{p['FunctionName']}"]
        assert group["KmsKeyId"] and group["RetentionInDays"] >= 180  # PRC Cybersecurity Law: 6 months
        roles.add(_flat(p["Role"]))
    assert len(roles) == len(fns)  # no shared role


def test_stream_batches_are_filled_retried_bisected_and_never_dropped(stack):
    """The submissions stream's reader waits a few seconds to fill a batch (its handlers sum a batch per counter:
    bench/cost.py), retries a failed batch in halves, and sends what still fails to the DLQ."""
    _, _, template = stack
    events = [e for fn in _functions(template).values() for e in fn["Properties"].get("Events", {}).values()
              if e.get("Type") == "DynamoDB"]
    assert events, "no stream reader"
    for e in events:
        p = e["Properties"]
        assert 1 <= p["MaximumBatchingWindowInSeconds"] <= 10 and p["BatchSize"] == 100
        assert p["BisectBatchOnFunctionError"] is True and p["MaximumRetryAttempts"] >= 1
        assert "OnFailure" in p["DestinationConfig"]


def _settings(stage: str, china: bool):
    from cqt_infra import config

    return next(d for d in config.deployments(stage=stage) if d.china == china)


def test_every_function_logs_json_without_lambdas_start_end_report_lines(stack):
    """One line per request: Lambda's own INFO lines (START, END, REPORT) are filtered out (SystemLogLevel WARN),
    the application's from the stage's log_level up, the same level Powertools gets (AWS_LAMBDA_LOG_LEVEL, which
    Lambda derives from ApplicationLogLevel, wins over POWERTOOLS_LOG_LEVEL: they must agree)."""
    stage, china, template = stack
    level = _settings(stage, china).get("log_level")
    fns = _functions(template)
    assert {"APIHandler", "TokenAuthorizer", "OnSubmissionsChange"} <= set(fns)
    assert any(k.startswith("RotateSecret") for k in fns)
    for logical_id, fn in fns.items():
        p = fn["Properties"]
        cfg = p.get("LoggingConfig") or {}
        assert cfg.get("LogFormat") == "JSON", logical_id
        assert cfg.get("SystemLogLevel") == "WARN", logical_id
        assert cfg.get("ApplicationLogLevel") == level, logical_id
        env = (p.get("Environment") or {}).get("Variables") or {}
        if "POWERTOOLS_LOG_LEVEL" in env:
            assert env["POWERTOOLS_LOG_LEVEL"] == level, logical_id


def test_api_functions_trace_as_the_stage_says_and_event_handlers_are_sampled_by_lambda(stack):
    """HTTP APIs neither trace nor pass a sampling decision on: the functions behind it follow `api_tracing`
    (PassThrough in prod: no API request traced; Active would be Lambda's own 1/s + 5 %); the event handlers stay
    Active. No X-Ray sampling rule is left (it only ever applied to the REST API's stage)."""
    stage, china, template = stack
    assert not resources(template, "AWS::XRay::SamplingRule")
    mode = _settings(stage, china).get("api_tracing")
    assert mode == ("PassThrough" if stage == "prod" else "Active")
    fns = _functions(template)
    for logical_id, fn in fns.items():
        p = fn["Properties"]
        want = mode if logical_id in ("APIHandler", "SigninHandler", "TokenAuthorizer") else "Active"
        assert (p.get("Tracing") or p.get("TracingConfig", {}).get("Mode")) == want, logical_id


def _policy_of(template, role_logical_id):
    for pol in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in pol["Properties"]["Roles"]:
            return pol["Properties"]["PolicyDocument"]["Statement"]
    raise LookupError(role_logical_id)


def test_least_privilege(stack):
    _, china, template = stack
    fns = _functions(template)
    role_of = {k: f["Properties"]["Role"]["Fn::GetAtt"][0] for k, f in fns.items()}
    for logical_id, role in role_of.items():
        for st in _policy_of(template, role):
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions), (logical_id, actions)
            if st["Resource"] == "*":
                # Actions without a resource type: X-Ray, SMS to phone numbers, random strings (rotation), the
                # list of signalling channels (the jobs worker sweeps past interview rooms' channels).
                assert set(actions) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "sns:Publish",
                                        "secretsmanager:GetRandomPassword", "kinesisvideo:ListSignalingChannels"}
                if "kinesisvideo:ListSignalingChannels" in actions:
                    assert logical_id == "RunJobs"
                if "secretsmanager:GetRandomPassword" in actions:
                    assert logical_id.startswith("RotateSecret")
                if "sns:Publish" in actions:  # SMS to phone numbers: only where SNS SMS is the sender
                    # (sign-in codes and invites from the API; case updates from the stream's reactions; urgent
                    # notices from the jobs worker)
                    assert not china and logical_id in ("APIHandler", "SigninHandler", "OnSubmissionsChange",
                                                        "RunJobs")
    authorizer = _flat(_policy_of(template, role_of["TokenAuthorizer"]))
    assert "dynamodb:" not in authorizer and "s3:" not in authorizer and "sns:" not in authorizer
    assert "secretsmanager:GetSecretValue" in authorizer
    api = _flat(_policy_of(template, role_of["APIHandler"]))
    for action in ("dynamodb:Query", "dynamodb:ConditionCheckItem", "s3:PutObject", "kms:GenerateDataKey",
                   "secretsmanager:GetSecretValue", "sns:Publish"):
        assert action in api
    assert "dynamodb:Scan" not in api and "dynamodb:DeleteTable" not in api


def test_tenant_scoped_role_is_fenced_by_leading_keys(stack):
    stage, _, template = stack
    (role_id,) = [k for k, r in resources(template, "AWS::IAM::Role").items()
                  if r["Properties"].get("RoleName", "").startswith(f"cqt-{stage}-tenant-data-")]
    trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust and all(st["Condition"] == {"StringLike": {"aws:RequestTag/tenant": "?*"}} for st in trust)
    actions = {a for st in trust for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])}
    assert {"sts:AssumeRole", "sts:TagSession"} <= actions
    statements = _policy_of(template, role_id)
    ddb = [s for s in statements if any(a.startswith("dynamodb:") for a in s["Action"])]
    assert ddb and all(s["Condition"] == {"ForAllValues:StringLike": {
        "dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenant}#*"]}} for s in ddb)
    kms = [s for s in statements if any(a.startswith("kms:") for a in s["Action"]) and "PiiKey" in _flat(s["Resource"])]
    assert kms and all("${aws:PrincipalTag/tenant}" in _flat(s["Condition"]) for s in kms)


# --- API -------------------------------------------------------------------------------------------------------

def _routes(template) -> dict[str, dict]:
    return {r["Properties"]["RouteKey"]: r["Properties"]
            for r in resources(template, "AWS::ApiGatewayV2::Route").values()}


def _target(template, route) -> str:
    (join,) = route["Target"].values()
    integration = template["Resources"][join[1][1]["Ref"]]["Properties"]
    return integration["IntegrationUri"]["Fn::GetAtt"][0]


def test_the_api_is_an_http_api_with_the_authorizer_and_no_rest_api(stack):
    """Issue 13: the HTTP API (US$1/M requests) instead of the REST API (US$3.50/M): no REST API, usage plan or API
    Gateway account role is left; the $default route reaches the API function through the Lambda authorizer
    (REQUEST, the Authorization header, simple responses, cached 5 minutes); the functions' handlers are the adapter."""
    _, _, template = stack
    assert not [r for r in template["Resources"].values() if r["Type"].startswith(("AWS::ApiGateway::",
                                                                                   "AWS::Serverless::Api"))]
    (api_id, api), = resources(template, "AWS::ApiGatewayV2::Api").items()
    assert api["Properties"]["ProtocolType"] == "HTTP"
    (_, authorizer), = resources(template, "AWS::ApiGatewayV2::Authorizer").items()
    a = authorizer["Properties"]
    assert a["AuthorizerType"] == "REQUEST" and a["EnableSimpleResponses"] is True
    assert a["IdentitySource"] == ["$request.header.Authorization"] and a["AuthorizerResultTtlInSeconds"] == 300
    assert a["AuthorizerPayloadFormatVersion"] == "2.0" and "TokenAuthorizer" in _flat(a["AuthorizerUri"])
    for integration in resources(template, "AWS::ApiGatewayV2::Integration").values():
        i = integration["Properties"]
        assert i["IntegrationType"] == "AWS_PROXY" and i["PayloadFormatVersion"] == "2.0"
        assert i["TimeoutInMillis"] <= 30000
    routes = _routes(template)
    default = routes["$default"]
    assert default["AuthorizationType"] == "CUSTOM" and _target(template, default) == "APIHandler"
    fns = _functions(template)
    assert fns["APIHandler"]["Properties"]["Handler"] == "chalicelib.core.httpapi.handler"
    assert fns["TokenAuthorizer"]["Properties"]["Handler"] == "chalicelib.core.httpapi.authorizer"
    invokers = {p["Properties"]["FunctionName"]["Fn::GetAtt"][0]: p["Properties"]
                for p in resources(template, "AWS::Lambda::Permission").values()
                if p["Properties"]["Principal"] == "apigateway.amazonaws.com"}
    assert set(invokers) == {"APIHandler", "SigninHandler", "TokenAuthorizer"}
    for p in invokers.values():
        assert {"Ref": api_id} in p["SourceArn"]["Fn::Join"][1]  # this API only


def test_public_routes_skip_the_authorizer_and_sign_in_has_its_own_function(stack):
    """The routes the app declares without the authorizer (core.http endpoint(public=True), Open311's GeoReport, the
    OpenAPI document) are served without it; /api/auth/* goes to the signin function (same code and handler, its own
    role), its signed-in routes (POST /auth/switch, POST /links) through the authorizer. Every public route of the
    app is there, and only those."""
    from app import app

    _, _, template = stack
    routes = _routes(template)
    public = {f"{method} /api{path}" for path, methods in app.routes.items() for method, entry in methods.items()
              if entry.authorizer is None and not path.startswith("/auth/")}
    assert "GET /api/health" in public
    served = {k for k, r in routes.items() if r["AuthorizationType"] == "NONE" and k != "ANY /api/auth/{proxy+}"}
    assert served == public
    assert all(_target(template, routes[k]) == "APIHandler" for k in served)
    signin = routes["ANY /api/auth/{proxy+}"]
    assert signin["AuthorizationType"] == "NONE" and _target(template, signin) == "SigninHandler"
    for key in ("POST /api/auth/switch", "POST /api/links"):  # signed in, and they answer with a new session
        assert routes[key]["AuthorizationType"] == "CUSTOM" and _target(template, routes[key]) == "SigninHandler"
    fns = _functions(template)
    s, a = fns["SigninHandler"]["Properties"], fns["APIHandler"]["Properties"]
    assert s["Handler"] == a["Handler"] and s["CodeUri"] == a["CodeUri"] and s["Role"] != a["Role"]
    assert s["FunctionName"].endswith("-signin")
    signin_policy = _flat(_policy_of(template, s["Role"]["Fn::GetAtt"][0]))
    assert "s3:PutObject" not in signin_policy and "sns:Subscribe" not in signin_policy  # sign-in only


def test_api_stage_is_throttled_and_logs_the_tenant(stack):
    stage, china, template = stack
    (_, st), = resources(template, "AWS::ApiGatewayV2::Stage").items()
    p = st["Properties"]
    assert p["StageName"] == "$default" and p["AutoDeploy"] is True
    throttle = _settings(stage, china).get("api_throttle")
    assert p["DefaultRouteSettings"]["ThrottlingRateLimit"] == throttle["rate"]
    assert p["DefaultRouteSettings"]["ThrottlingBurstLimit"] == throttle["burst"]
    fmt = json.loads(p["AccessLogSettings"]["Format"])
    assert fmt["tenant"] == "$context.authorizer.tenant" and fmt["status"] == "$context.status"
    assert not {"body", "requestBody"} & set(fmt)  # bodies may hold personal data: never logged
    env = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    limits = _settings(stage, china).get("tenant_rate_limit")
    assert env["CQT_TENANT_RATE_LIMIT"] == str(limits["default"]) and env["CQT_THROTTLE_WINDOW_S"] == str(
        limits["window_s"])
    assert env["CQT_THROTTLE_CONTAINERS"] == str(template["Resources"]["APIHandler"]["Properties"][
        "ReservedConcurrentExecutions"])


# --- web -------------------------------------------------------------------------------------------------------

def test_web_is_private_behind_cloudfront_with_the_api_on_the_same_domain(stack):
    _, china, template = stack
    (_, dist), = resources(template, "AWS::CloudFront::Distribution").items()
    cfg = dist["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in cfg["Origins"]}
    (api_behavior,) = [b for b in cfg["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    api_origin = origins[api_behavior["TargetOriginId"]]
    assert "execute-api" in _flat(api_origin["DomainName"]) and '"Ref": "HttpApi"' in _flat(api_origin["DomainName"])
    assert api_origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert "POST" in api_behavior["AllowedMethods"]
    s3_origin = origins[cfg["DefaultCacheBehavior"]["TargetOriginId"]]
    if china:
        assert s3_origin["S3OriginConfig"]["OriginAccessIdentity"]
    else:
        assert s3_origin["OriginAccessControlId"]
    for behavior in (cfg["DefaultCacheBehavior"], api_behavior):
        assert behavior["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
        assert behavior["ResponseHeadersPolicyId"]


def test_security_headers(stack):
    _, _, template = stack
    (_, policy), = resources(template, "AWS::CloudFront::ResponseHeadersPolicy").items()
    sec = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = _flat(sec["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "connect-src 'self'"):
        assert directive in csp
    assert sec["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert sec["ContentTypeOptions"]["Override"] is True
    assert sec["FrameOptions"]["FrameOption"] == "DENY"


# --- operations ------------------------------------------------------------------------------------------------

def test_alarms_cover_5xx_throttles_dlq_and_delivery_failures(stack):
    _, _, template = stack
    alarms = resources(template, "AWS::CloudWatch::Alarm")
    text = _flat(alarms)
    assert '"5xx"' in text and "Throttles" in text and "ApproximateNumberOfMessagesVisible" in text
    assert "NumberOfNotificationsFailed" in text
    ops = {k for k, t in resources(template, "AWS::SNS::Topic").items() if k.startswith("OpsTopic")}
    for a in alarms.values():
        assert [x["Ref"] for x in a["Properties"]["AlarmActions"]] == list(ops)


def test_per_county_alarms_use_contributor_insights_on_the_access_log(stack):
    """No metric per county: three Contributor Insights rules on the access log, keyed by the authorizer's tenant
    (5xx, 429, requests), and an alarm on each rule's busiest contributor (MaxContributorValue)."""
    stage, china, template = stack
    (logs_id,) = [k for k, g in resources(template, "AWS::Logs::LogGroup").items()
                  if g["Properties"]["LogGroupName"] == f"/aws/apigateway/cqt-{stage}-access"]
    rules = {r["Properties"]["RuleName"]: r for r in resources(template, "AWS::CloudWatch::InsightRule").values()}
    assert set(rules) == {f"cqt-{stage}-tenant-{k}" for k in ("5xx", "429", "requests")}
    alarms = {a["Properties"]["AlarmName"]: a["Properties"]
              for a in resources(template, "AWS::CloudWatch::Alarm").values()}
    thresholds = _settings(stage, china).get("tenant_alarms")
    for name, rule in rules.items():
        body = json.loads(rule["Properties"]["RuleBody"])
        assert body["LogGroupNames"] == [f"/aws/apigateway/cqt-{stage}-access"] and body["LogFormat"] == "JSON"
        assert body["Contribution"]["Keys"] == ["$.tenant"] and body["AggregateOn"] == "Count"
        assert rule["Properties"]["RuleState"] == "ENABLED" and logs_id in rule.get("DependsOn", [])
        alarm = alarms[name]
        (m,) = alarm["Metrics"]
        assert m["Expression"] == f"INSIGHT_RULE_METRIC('{name}', 'MaxContributorValue')"
        kind = name.rsplit("-", 1)[1]
        assert alarm["Threshold"] == thresholds[f"{kind}_per_5min"] and name in alarm["AlarmDescription"]
    assert json.loads(rules[f"cqt-{stage}-tenant-5xx"]["Properties"]["RuleBody"])["Contribution"]["Filters"] == [
        {"Match": "$.status", "StartsWith": ["5"]}]


# --- scheduled work --------------------------------------------------------------------------------------------

def _queue(template, name):
    return only(template, "AWS::SQS::Queue", QueueName=name)


def test_scheduled_work_fans_out_through_the_jobs_queue_with_retries_a_dlq_and_alarms(stack):
    """chalicelib/core/jobs.py: the schedules send one message per county or township to the jobs queue; its worker
    reports failed messages (partial batch responses), which come back after the visibility timeout and move to the
    jobs DLQ after MAX_RECEIVES receives; the DLQ's depth and the queue's age raise alarms."""
    from chalicelib.core import jobs

    stage, _, template = stack
    qid, queue = _queue(template, f"cqt-{stage}-jobs")
    dlq_id, dlq = _queue(template, f"cqt-{stage}-jobs-dlq")
    for q in (queue, dlq):
        assert q["Properties"]["KmsMasterKeyId"]
    policies = [p["Properties"] for p in resources(template, "AWS::SQS::QueuePolicy").values()]
    for q in (qid, dlq_id):  # SSL only
        (doc,) = [p["PolicyDocument"] for p in policies if {"Ref": q} in p["Queues"]]
        assert any(st["Effect"] == "Deny" and st["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for st in doc["Statement"]), q
    redrive = queue["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [dlq_id, "Arn"]}
    assert redrive["maxReceiveCount"] == jobs.MAX_RECEIVES
    assert dlq["Properties"]["MessageRetentionPeriod"] > queue["Properties"]["MessageRetentionPeriod"]

    fns = _functions(template)
    worker = fns["RunJobs"]["Properties"]
    assert queue["Properties"]["VisibilityTimeout"] == jobs.VISIBILITY_TIMEOUTS * worker["Timeout"]
    (event,) = worker["Events"].values()
    assert event["Type"] == "SQS"
    p = event["Properties"]
    assert p["Queue"] == {"Fn::GetAtt": [qid, "Arn"]}  # the stack's queue, not the app's placeholder name
    assert p["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert p["BatchSize"] == jobs.BATCH_SIZE
    assert 2 <= p["ScalingConfig"]["MaximumConcurrency"] <= max(2, worker["ReservedConcurrentExecutions"])

    role_of = {k: f["Properties"]["Role"]["Fn::GetAtt"][0] for k, f in fns.items()}
    worker_policy = _policy_of(template, role_of["RunJobs"])
    receive = [st for st in worker_policy if "sqs:ReceiveMessage" in st["Action"]]
    assert receive and all(st["Resource"] == {"Fn::GetAtt": [qid, "Arn"]} for st in receive)
    assert {"sqs:DeleteMessage", "sqs:GetQueueAttributes"} <= set(receive[0]["Action"])
    assert "sqs:SendMessage" not in _flat(worker_policy)
    api_sends = [st for st in _policy_of(template, role_of["APIHandler"]) if st["Action"] == "sqs:SendMessage"]
    assert {"Fn::GetAtt": [qid, "Arn"]} in [st["Resource"] for st in api_sends]  # jobs.submit: work asked for
    for schedule in ("ReportReminders", "CaseEscalation"):
        props = fns[schedule]["Properties"]
        env = props["Environment"]["Variables"]
        assert env["CQT_JOBS_QUEUE_URL"] == {"Ref": qid}
        policy = _policy_of(template, role_of[schedule])
        sends = [st for st in policy if st["Action"] == "sqs:SendMessage"]
        assert {"Fn::GetAtt": [qid, "Arn"]} in [st["Resource"] for st in sends]
        text = _flat(policy)
        assert "dynamodb:Query" in text and "dynamodb:PutItem" not in text  # they only read, then send
        assert "sqs:ReceiveMessage" not in text
        assert not props["Events"] or all(e["Type"] == "Schedule" for e in props["Events"].values())

    alarms = resources(template, "AWS::CloudWatch::Alarm").values()

    def watching(queue_id, metric):
        return [a for a in alarms if a["Properties"].get("MetricName") == metric and
                {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}
                in a["Properties"].get("Dimensions", [])]

    (depth,) = watching(dlq_id, "ApproximateNumberOfMessagesVisible")
    assert depth["Properties"]["Threshold"] == 0 and depth["Properties"]["AlarmActions"]
    assert watching(qid, "ApproximateAgeOfOldestMessage")
