"""One stack per (stage, region): everything 村情通 needs in AWS.

Resource names follow the defaults of chalicelib/core/config.py (cqt-{stage}-...), so scripts run with only
CQT_STAGE set (scripts/bootstrap_operator.py) find the same tables, key alias and secret as the Lambda functions.
ARNs are built with the stack's partition (${AWS::Partition}): the same code deploys to aws and aws-cn.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from aws_cdk import Aws, CfnOutput, CfnResource, Duration, Fn, RemovalPolicy, SecretValue, Stack, Tags
from aws_cdk import aws_apigatewayv2 as apigwv2
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as sm
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from chalicelib.core import jobs

from .checks import NO_VPC, SYNC_NO_DLQ, skip
from .config import SYSTEM_LOG_LEVEL, Deployment, directory_origin
from .front import AUTH_PREFIX, HttpApiChalice
from .functions import API_HANDLER, SIGNIN, FunctionPlan, plan_functions
from .package import LAYERS, layer_path
from .services import ice_provider, transcoder
from .tables import TableSpec, specs

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
API_STAGE = "api"  # .chalice/config.json: the API lives under /api/ (CloudFront routes /api/* to it)
AUTHORIZER_TTL_S = 300  # as chalicelib/core/auth/authorizer.py's REST authorizer: one check per token per 5 min
API_BASE = "/api"  # the HTTP API's routes (stage $default): /api/… as CloudFront forwards it
API_FUNCTIONS = (API_HANDLER, SIGNIN, "token_authorizer")  # behind the HTTP API: tracing is `api_tracing`
TOPICS = ("alerts", "broadcasts", "recruitment")
READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]
ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"]
# The HTTP API's access log line (JSON, no bodies): `tenant` is the Lambda authorizer's context (the county of the
# verified token; "-" on public routes), which the per-county Contributor Insights rules key on (_alarms).
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "time": "$context.requestTimeEpoch", "ip": "$context.identity.sourceIp",
    "tenant": "$context.authorizer.tenant", "principal": "$context.authorizer.principalId",
    "method": "$context.httpMethod", "route": "$context.routeKey", "status": "$context.status",
    "latency": "$context.responseLatency", "integrationLatency": "$context.integrationLatency",
    "length": "$context.responseLength", "error": "$context.error.message",
    "authorizerError": "$context.authorizer.error", "integrationError": "$context.integrationErrorMessage",
}, separators=(",", ":"))


class CqtStack(Stack):
    def __init__(self, scope: Construct, d: Deployment, **kwargs) -> None:
        super().__init__(scope, d.stack_id, stack_name=d.prefix, env={"region": d.region},
                         description=f"村情通 {d.stage} ({d.region})", **kwargs)
        self.d = d
        self.prefix = d.prefix
        self.suffix = "amazonaws.com.cn" if d.china else "amazonaws.com"
        self.retain = RemovalPolicy.RETAIN if d.get("deletion_protection") else RemovalPolicy.DESTROY
        Tags.of(self).add("app", "cunqingtong")
        Tags.of(self).add("stage", d.stage)

        self._keys()
        self._log_bucket()
        self.tables = {spec.suffix: self._table(spec) for spec in specs()}
        # Deterministic name, known before the bucket exists: the functions, their policies and the web's CSP name
        # it without depending on the bucket, whose CORS names the web distribution (no dependency cycle).
        self.media_bucket_name = Fn.join("-", [self.prefix, "media", Aws.ACCOUNT_ID, Aws.REGION])
        self.media_bucket_arn = Fn.join("", ["arn:", Aws.PARTITION, ":s3:::", self.media_bucket_name])
        self._topics()
        self._dlq()
        self._secret()
        self._api()
        self._tenant_role()
        self._mediaconvert_role()
        self._web()
        self._media_bucket()
        self._alarms()

    # --- helpers -----------------------------------------------------------------------------------------------

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return Fn.join(":", ["arn", Aws.PARTITION, service, Aws.REGION if region else "",
                             Aws.ACCOUNT_ID if account else "", resource])

    def service(self, name: str) -> str:
        """A service's regional endpoint name, as in kms:ViaService (….amazonaws.com.cn in China)."""
        return f"{name}.{self.d.region}.{self.suffix}"

    def log_group(self, id_: str, name: str) -> logs.LogGroup:
        return logs.LogGroup(self, id_, log_group_name=name, encryption_key=self.data_key,
                             retention=retention_days(self.d.get("log_retention_days")),
                             removal_policy=self.retain)

    def logging_config(self) -> dict:
        """Every function's LoggingConfig: JSON, application lines from the stage's `log_level` up, and of Lambda's
        own lines only warnings and errors (SYSTEM_LOG_LEVEL: no START/END/REPORT lines, ~320 bytes an invocation).
        Lambda hands ApplicationLogLevel to the function as AWS_LAMBDA_LOG_LEVEL, which Powertools' Logger prefers
        to POWERTOOLS_LOG_LEVEL (and warns when it is less verbose): both are the stage's `log_level`, so they agree.
        Powertools' lines and the EMF request line are JSON already: Lambda keeps them as they are."""
        return {"LogFormat": "JSON", "ApplicationLogLevel": self.d.get("log_level"), "SystemLogLevel": SYSTEM_LOG_LEVEL}

    # --- keys --------------------------------------------------------------------------------------------------

    def _keys(self) -> None:
        self.data_key = kms.Key(self, "DataKey", alias=f"alias/{self.prefix}-data", enable_key_rotation=True,
                                description="村情通: tables, buckets, topics, queues, logs, secrets",
                                removal_policy=RemovalPolicy.RETAIN)
        # CloudWatch Logs encrypts log groups with it; CloudWatch alarms publish to the encrypted ops topic.
        self.data_key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal(self.service("logs"))],
            actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            resources=["*"],
            conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": self.arn("logs", "*")}}))
        self.data_key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"], resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}))
        # PII: envelope encryption of ID-card and phone numbers (chalicelib/core/pii.py), always with a tenant
        # in the encryption context. Its own key, so that its use is audited and granted apart from the data.
        self.pii_key = kms.Key(self, "PiiKey", alias=f"alias/{self.prefix}-pii", enable_key_rotation=True,
                               description="村情通: envelope encryption of ID and phone numbers (PIPL)",
                               removal_policy=RemovalPolicy.RETAIN)

    # --- tables ------------------------------------------------------------------------------------------------

    def _table(self, spec: TableSpec) -> ddb.CfnTable:
        t = ddb.CfnTable(
            self, f"Table{spec.suffix.title()}", table_name=f"{self.prefix}-{spec.suffix}",
            billing_mode="PAY_PER_REQUEST",
            attribute_definitions=[ddb.CfnTable.AttributeDefinitionProperty(attribute_name=n, attribute_type=t)
                                   for n, t in spec.attributes.items()],
            key_schema=[ddb.CfnTable.KeySchemaProperty(attribute_name=n, key_type=k) for n, k in spec.key],
            global_secondary_indexes=[ddb.CfnTable.GlobalSecondaryIndexProperty(
                index_name=g["name"],
                key_schema=[ddb.CfnTable.KeySchemaProperty(attribute_name=n, key_type=k) for n, k in g["key"]],
                projection=ddb.CfnTable.ProjectionProperty(projection_type=g["projection"]))
                for g in spec.gsis] or None,
            stream_specification=ddb.CfnTable.StreamSpecificationProperty(stream_view_type=spec.stream)
            if spec.stream else None,
            time_to_live_specification=ddb.CfnTable.TimeToLiveSpecificationProperty(
                attribute_name=spec.ttl, enabled=True) if spec.ttl else None,
            point_in_time_recovery_specification=ddb.CfnTable.PointInTimeRecoverySpecificationProperty(
                point_in_time_recovery_enabled=True),
            sse_specification=ddb.CfnTable.SSESpecificationProperty(
                sse_enabled=True, sse_type="KMS", kms_master_key_id=self.data_key.key_arn),
            deletion_protection_enabled=bool(self.d.get("deletion_protection")),
        )
        t.apply_removal_policy(self.retain)
        return t

    def table_arns(self, *suffixes: str) -> list[str]:
        out = []
        for s in suffixes:
            out += [self.tables[s].attr_arn, Fn.join("", [self.tables[s].attr_arn, "/index/*"])]
        return out

    # --- buckets -----------------------------------------------------------------------------------------------

    def _log_bucket(self) -> None:
        self.log_bucket = s3.Bucket(
            self, "LogBucket", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            # CloudFront standard logs are delivered through an ACL grant to the awslogsdelivery account.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=Duration.days(
                self.d.get("log_retention_days")), noncurrent_version_expiration=Duration.days(7),
                abort_incomplete_multipart_upload_after=Duration.days(1))],
            removal_policy=self.retain)
        skip(self.log_bucket,
             ("CKV_AWS_18", "This is the access-log bucket itself; logging it into itself would loop."))

    def _media_bucket(self) -> None:
        origins_ = self.app_origins + ([] if self.d.get("web_domain") else
                                       [Fn.join("", ["https://", self.distribution.distribution_domain_name])])
        self.media_bucket = s3.Bucket(
            self, "MediaBucket", bucket_name=self.media_bucket_name,
            encryption=s3.BucketEncryption.KMS, encryption_key=self.data_key, bucket_key_enabled=True,
            enforce_ssl=True, versioned=True, block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.log_bucket, server_access_logs_prefix="s3/media/",
            # Browsers upload with presigned POSTs (chalicelib/core/files.py) from the app's origin.
            # Large files (video résumés) go up in parts, PUT to presigned UploadPart URLs (core/multipart.py): the
            # phone reads each part's ETag.
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET, s3.HttpMethods.PUT],
                              allowed_origins=origins_,
                              allowed_headers=["*"], exposed_headers=["ETag"], max_age=3000)],
            lifecycle_rules=[
                s3.LifecycleRule(id="abort-incomplete-uploads",
                                 abort_incomplete_multipart_upload_after=Duration.days(1)),
                s3.LifecycleRule(id="old-versions", noncurrent_version_expiration=Duration.days(
                    self.d.get("media_noncurrent_days")), expired_object_delete_marker=True),
            ],
            removal_policy=RemovalPolicy.RETAIN)

    # --- topics and queues -------------------------------------------------------------------------------------

    def _topics(self) -> None:
        self.topics = {}
        for name in TOPICS:
            self.topics[name] = sns.Topic(self, f"Topic{name.title()}", topic_name=f"{self.prefix}-{name}",
                                          master_key=self.data_key, enforce_ssl=True)
        self.ops_topic = sns.Topic(self, "OpsTopic", topic_name=f"{self.prefix}-ops", master_key=self.data_key,
                                   enforce_ssl=True, display_name="村情通 alarms")
        if self.d.get("alarm_email"):
            self.ops_topic.add_subscription(subs.EmailSubscription(self.d.get("alarm_email")))

    def _dlq(self) -> None:
        self.dlq = sqs.Queue(self, "Dlq", queue_name=f"{self.prefix}-dlq", encryption=sqs.QueueEncryption.KMS,
                             encryption_master_key=self.data_key, enforce_ssl=True,
                             retention_period=Duration.days(14))
        self._jobs_queue()

    def _jobs_queue(self) -> None:
        """Scheduled work (chalicelib/core/jobs.py): the schedules send one message per county or township, the
        `run_jobs` worker runs each. A message its job failed on comes back after the visibility timeout (AWS's
        advice for an event source mapping: six times the worker's timeout, so a slow or throttled try is not
        taken for a failure), and after jobs.MAX_RECEIVES receives moves to the jobs' own dead-letter queue: apart
        from the shared DLQ (failed asynchronous invocations and stream batches, another format), so that SQS's
        DLQ redrive can move its messages back to the jobs queue (docs/operations.md, "Scheduled work"). The DLQ
        keeps messages 14 days, longer than the queue (4): an expiry counts from the first enqueue."""
        worker_timeout = self.d.per_function("timeout_s", "run_jobs")
        self.jobs_dlq = sqs.Queue(self, "JobsDlq", queue_name=f"{self.prefix}-jobs-dlq",
                                  encryption=sqs.QueueEncryption.KMS, encryption_master_key=self.data_key,
                                  enforce_ssl=True, retention_period=Duration.days(14))
        self.jobs_queue = sqs.Queue(
            self, "JobsQueue", queue_name=f"{self.prefix}-jobs", encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.data_key, enforce_ssl=True, retention_period=Duration.days(4),
            visibility_timeout=Duration.seconds(worker_timeout * jobs.VISIBILITY_TIMEOUTS),
            dead_letter_queue=sqs.DeadLetterQueue(queue=self.jobs_dlq, max_receive_count=jobs.MAX_RECEIVES))

    # --- secret and its rotation -------------------------------------------------------------------------------

    def _secret(self) -> None:
        self.secret = sm.Secret(
            self, "AppSecrets", secret_name=f"{self.prefix}/app-secrets", encryption_key=self.data_key,
            description="村情通 token_key (rotates), blind_index_key and refresh_key (drawn once, never rotate)",
            generate_secret_string=sm.SecretStringGenerator(
                secret_string_template="{}", generate_string_key="token_key", exclude_punctuation=True,
                password_length=64),
            removal_policy=RemovalPolicy.RETAIN)
        name = f"{self.prefix}-rotate-secret"
        role = self.function_role("RotateSecretRole", name)
        role.add_to_policy(iam.PolicyStatement(
            actions=["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                     "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
            resources=[self.secret.secret_arn]))
        self.grant_data_key(role, "secretsmanager", "lambda")
        fn = lambda_.Function(
            self, "RotateSecret", function_name=name, runtime=lambda_.Runtime.PYTHON_3_11,
            handler="rotate_secret.handler", code=lambda_.Code.from_asset(str(INFRA / "rotation")), role=role,
            timeout=Duration.seconds(self.d.per_function("timeout_s", "rotate_secret")),
            memory_size=self.d.per_function("memory_mb", "rotate_secret"),
            reserved_concurrent_executions=self.d.per_function("reserved_concurrency", "rotate_secret"),
            tracing=lambda_.Tracing.ACTIVE, environment_encryption=self.data_key,
            log_group=self.log_group("RotateSecretLogs", f"/aws/lambda/{name}"),
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=getattr(lambda_.ApplicationLogLevel, self.d.get("log_level")),
            system_log_level_v2=getattr(lambda_.SystemLogLevel, SYSTEM_LOG_LEVEL))
        skip(fn, NO_VPC, SYNC_NO_DLQ)
        self.rotate_fn = fn
        # Runs once right after creation (draws blind_index_key and refresh_key), then every secret_rotation_days;
        # rotating token_key voids sign-in codes in flight, passes and list cursors (not sessions): see
        # docs/deploy.md before shortening it.
        self.secret.add_rotation_schedule("Rotation", rotation_lambda=fn,
                                          automatically_after=Duration.days(self.d.get("secret_rotation_days")))
        # Access-token keys (chalicelib/core/auth/keys.py): the private ES256 key, read only by the functions that
        # sign ("signing"), and the public key set every verifier reads ("jwks"). Created empty: the first
        # `python -m scripts.rotate_signing_key --stage <stage>` makes the first key (until then the /auth routes
        # answer 503) and every later run rotates it (docs/operations.md); the stack never overwrites them.
        no_rotation = ("CKV2_AWS_57", "Rotated by scripts/rotate_signing_key.py, which must publish the public key "
                                      "before the private one moves: not Secrets Manager's single-secret rotation.")
        self.signing_secret = sm.Secret(
            self, "SigningKey", secret_name=f"{self.prefix}/signing-key", encryption_key=self.data_key,
            description="村情通 access-token signing key (ES256 private key and its kid)",
            secret_string_value=SecretValue.unsafe_plain_text("{}"), removal_policy=RemovalPolicy.RETAIN)
        self.jwks_secret = sm.Secret(
            self, "SigningJwks", secret_name=f"{self.prefix}/signing-jwks", encryption_key=self.data_key,
            description="村情通 access-token public keys (JWKS: current and retiring kids)",
            secret_string_value=SecretValue.unsafe_plain_text('{"keys": []}'), removal_policy=RemovalPolicy.RETAIN)
        skip(self.signing_secret, no_rotation)
        skip(self.jwks_secret, no_rotation)
        for child in fn.node.children:  # the invoke permission CDK adds for Secrets Manager: this account only
            if isinstance(child, lambda_.CfnPermission):
                child.source_account = Aws.ACCOUNT_ID

    # --- IAM building blocks -----------------------------------------------------------------------------------

    def function_role(self, id_: str, function_name: str) -> iam.Role:
        role = iam.Role(self, id_,  # no role name: IAM names are account-wide, stacks are regional
                        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description=f"Execution role of {function_name}: only what it uses")
        role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[self.arn("logs", f"log-group:/aws/lambda/{function_name}:*")]))
        role.add_to_policy(iam.PolicyStatement(
            actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]))
        policy = role.node.try_find_child("DefaultPolicy")
        skip(policy, ("CKV_AWS_111", "Only actions without a resource type use Resource '*': X-Ray "
                                     "PutTraceSegments/PutTelemetryRecords, SNS SMS to phone numbers (where "
                                     "sms_sender=sns) and GetRandomPassword (rotation). Everything else names its "
                                     "table, index, key, bucket, topic or secret."))
        return role

    def grant_data_key(self, role: iam.IRole, *via: str) -> None:
        role.add_to_principal_policy(iam.PolicyStatement(
            actions=["kms:Decrypt", "kms:GenerateDataKey"], resources=[self.data_key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": [self.service(v) for v in via]}}))

    # --- the Chalice app ---------------------------------------------------------------------------------------

    def _api(self) -> None:
        d = self.d
        # The app's origins (CQT_APP_ORIGINS): configured ones and the web domain. The default CloudFront domain is
        # added to the bucket's CORS only (naming it here would make the API depend on its own distribution).
        self.app_origins = list(d.get("app_origins")) + ([f"https://{d.get('web_domain')}"] if d.get("web_domain")
                                                         else [])
        env = {
            "CQT_STAGE": d.stage,
            "CQT_HOUSEHOLDS_TABLE": f"{self.prefix}-households",
            "CQT_SUBMISSIONS_TABLE": f"{self.prefix}-submissions",
            "CQT_IDEMPOTENCY_TABLE": f"{self.prefix}-idempotency",
            "CQT_MEDIA_BUCKET": self.media_bucket_name,
            "CQT_ALERTS_TOPIC": self.topics["alerts"].topic_arn,
            "CQT_BROADCASTS_TOPIC": self.topics["broadcasts"].topic_arn,
            "CQT_RECRUITMENT_TOPIC": self.topics["recruitment"].topic_arn,
            "CQT_JOBS_QUEUE": self.jobs_queue.queue_name,
            "CQT_JOBS_QUEUE_URL": self.jobs_queue.queue_url,
            "CQT_PII_KEY_ID": self.pii_key.key_arn,
            # The tenant fence's role (`_tenant_role`), named rather than referenced: its trust names this role.
            "CQT_TENANT_ROLE_ARN": self.arn("iam", f"role/{self.prefix}-tenant-data-{d.region}", region=False),
            "CQT_SECRET_NAME": f"{self.prefix}/app-secrets",
            "CQT_SIGNING_SECRET_NAME": f"{self.prefix}/signing-key",
            "CQT_JWKS_SECRET_NAME": f"{self.prefix}/signing-jwks",
            "CQT_SMS_SENDER": d.get("sms_sender"),
            "CQT_SMS_SIGN_NAME": d.get("sms_sign_name"),
            **self._tencent_sms_env(),
            "CQT_APP_ORIGINS": ",".join(self.app_origins),
            # Interview rooms' ICE servers (chalicelib/interviews/ice.py): Kinesis Video Streams' TURN where the
            # region has it ("kvs" capability below; services.py REGIONAL_RUNTIME_SERVICES), else none.
            "CQT_ICE_PROVIDER": ice_provider(d.region),
            # Lecture videos' transcoding (chalicelib/lectures/transcode.py): MediaConvert where the region has it
            # ("mediaconvert" capability below; its role `_mediaconvert_role`), else none (the original plays).
            "CQT_TRANSCODER": transcoder(d.region),
            "CQT_MEDIACONVERT_ROLE_ARN": self.arn("iam", f"role/{self.prefix}-mediaconvert-{d.region}", region=False)
            if transcoder(d.region) == "mediaconvert" else "",
            "POWERTOOLS_SERVICE_NAME": "cunqingtong",
            "POWERTOOLS_METRICS_NAMESPACE": "Cunqingtong",
            "POWERTOOLS_LOG_LEVEL": d.get("log_level"),
            # Per-county request limits (chalicelib/core/throttle.py): the stage's default limit and window, and
            # the most API containers that can count at once (a container's share of a county's allowance).
            "CQT_TENANT_RATE_LIMIT": str(d.get("tenant_rate_limit")["default"]),
            "CQT_THROTTLE_WINDOW_S": str(d.get("tenant_rate_limit")["window_s"]),
            "CQT_THROTTLE_CONTAINERS": str(d.per_function("reserved_concurrency", API_HANDLER)),
        }
        self.chalice = HttpApiChalice(self, "Chalice", source_dir=str(REPO), stage_config={
            "api_gateway_stage": API_STAGE,
            "api_gateway_endpoint_type": "REGIONAL",  # EDGE does not exist in China; CloudFront fronts it anyway
            "environment_variables": env,
            "xray": True,
            "manage_iam_role": False,
            # Replaced per function below; chalice needs a role when it does not manage one.
            "iam_role_arn": self.arn("iam", "role/placeholder", region=False),
            "lambda_memory_size": d.per_function("memory_mb", "default"),
            "lambda_timeout": d.per_function("timeout_s", "default"),
        })
        self.package_sizes = self.chalice.package_sizes
        # The packages that only some functions use, as layers (package.py LAYERS), attached by capability.
        self.layers = {name: lambda_.LayerVersion(
            self, f"Layer{name.title()}", code=lambda_.Code.from_asset(str(layer_path(
                os.path.join(self.chalice._sam_package_dir, "deployment.zip"), name))),
            compatible_runtimes=[lambda_.Runtime.PYTHON_3_11], description=f"{', '.join(tops)} (package.py LAYERS)")
            for name, tops in LAYERS.items()}
        self.plans = plan_functions(self.chalice.sam_dict)
        self.functions: dict[str, CfnResource] = {}
        self.roles: dict[str, iam.Role] = {}
        for plan in self.plans:
            self._function(plan)
        self._http_api()

    def _function(self, plan: FunctionPlan) -> None:
        d = self.d
        name = f"{self.prefix}-{plan.name.replace('_', '-')}"
        fn = self.chalice.get_resource(plan.logical_id)
        role = self.function_role(f"Role{plan.logical_id}", name)
        self._grant(plan, role)
        log_group = self.log_group(f"Logs{plan.logical_id}", f"/aws/lambda/{name}")
        fn.add_property_override("FunctionName", name)
        fn.add_property_override("Role", role.role_arn)
        fn.add_property_override("MemorySize", d.per_function("memory_mb", plan.name))
        fn.add_property_override("Timeout", d.per_function("timeout_s", plan.name))
        fn.add_property_override("ReservedConcurrentExecutions", d.per_function("reserved_concurrency", plan.name))
        fn.add_property_override("KmsKeyArn", self.data_key.key_arn)
        layers = [self.layers[c.split(":", 1)[1]].layer_version_arn for c in sorted(plan.capabilities)
                  if c.startswith("layer:")]
        if layers:
            fn.add_property_override("Layers", layers)
        # X-Ray. HTTP APIs do not trace and pass no sampling decision on, so the functions behind it follow the
        # stage's `api_tracing`: PassThrough (prod) traces none of their requests (a trace only comes with an upstream
        # "Sampled=1", which nothing sends), Active (dev) makes Lambda sample them at its fixed, not configurable rate
        # (1 a second and 5 % of the rest: ≈ US$13 a month for a Longyou-sized county, bench/results/cost.md). Every
        # request still logs its line (status, latency, route, tenant). Event handlers have no upstream decision
        # either and stay Active: Lambda samples their invocations at that rate (far fewer than requests).
        mode = self.d.get("api_tracing") if plan.name in API_FUNCTIONS else "Active"
        fn.add_property_override("Tracing", mode)
        fn.add_property_override("LoggingConfig", self.logging_config())
        fn.add_resource_dependency(log_group.node.default_child)  # the function must not create its own, unencrypted
        fn.add_resource_dependency(role.node.try_find_child("DefaultPolicy").node.default_child)
        checks_ = [NO_VPC]
        if plan.asynchronous:
            fn.add_property_override("DeadLetterQueue", {"Type": "SQS", "TargetArn": self.dlq.queue_arn})
            role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dlq.queue_arn]))
            self.grant_data_key(role, "sqs")
        elif plan.stream_events:
            streams = [c.split(":", 1)[1] for c in plan.capabilities if c.startswith("stream:")]
            if len(streams) != 1:
                raise ValueError(f"{plan.name}: a stream handler needs exactly one stream:<table> capability")
            for event in plan.stream_events:
                # The app names a placeholder stream (CQT_SUBMISSIONS_STREAM_ARN); the real one is the table's.
                fn.add_property_override(f"Events.{event}.Properties.Stream", self.tables[streams[0]].attr_stream_arn)
                fn.add_property_override(f"Events.{event}.Properties.DestinationConfig",
                                         {"OnFailure": {"Type": "SQS", "Destination": self.dlq.queue_arn}})
                fn.add_property_override(f"Events.{event}.Properties.MaximumRetryAttempts", 3)
                fn.add_property_override(f"Events.{event}.Properties.BisectBatchOnFunctionError", True)
                # Wait up to this long to fill a batch (≤ 100 records): the handlers sum a batch per counter, so a
                # morning's reports cost a few counter writes per batch instead of per report, and far fewer
                # invocations; completion counts lag by at most this many seconds.
                fn.add_property_override(f"Events.{event}.Properties.MaximumBatchingWindowInSeconds",
                                         self.d.get("stream_batching_window_s"))
            role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dlq.queue_arn]))
            self.grant_data_key(role, "sqs")
            checks_.append(("CKV_AWS_116", "Stream handler: failed batches go to the DLQ through the event source "
                                           "mapping's on-failure destination, not the function's DLQ."))
        elif plan.queue_events:
            if "jobs:receive" not in plan.capabilities:
                raise ValueError(f"{plan.name}: a queue handler needs the jobs:receive capability")
            for event in plan.queue_events:
                # The app names the queue by its default name; the real one is the stack's.
                fn.add_property_override(f"Events.{event}.Properties.Queue", self.jobs_queue.queue_arn)
                # Partial batch responses: the handler names the messages that failed (chalicelib/core/jobs.py).
                fn.add_property_override(f"Events.{event}.Properties.FunctionResponseTypes",
                                         ["ReportBatchItemFailures"])
                # No more pollers than the function may run: a throttled message would go back to the queue with
                # its receive count up, and a few of those would dead-letter a job that never failed.
                fn.add_property_override(f"Events.{event}.Properties.ScalingConfig", {
                    "MaximumConcurrency": max(2, d.per_function("reserved_concurrency", plan.name))})
            checks_.append(("CKV_AWS_116", "Queue handler: a message that keeps failing goes to the jobs DLQ "
                                           "through the queue's redrive policy, not the function's DLQ."))
        else:
            checks_.append(SYNC_NO_DLQ)
        skip(fn, *checks_)
        self.functions[plan.name] = fn
        self.roles[plan.name] = role

    def _tencent_sms_env(self) -> dict[str, str]:
        """sms_sender=domestic: Tencent Cloud SMS (chalicelib/core/sms_tencent.py). Its API key is in the app secret,
        never here; nothing while the stage's SMS is pending (the app then answers sign-in with 503)."""
        d = self.d
        if d.get("sms_sender") != "domestic" or not d.get("sms_app_id"):
            return {}
        return {"CQT_SMS_APP_ID": str(d.get("sms_app_id")), "CQT_SMS_REGION": d.get("sms_region"),
                "CQT_SMS_TEMPLATES": json.dumps({k: str(v) for k, v in sorted(d.get("sms_templates").items())},
                                                separators=(",", ":"))}

    def _grant(self, plan: FunctionPlan, role: iam.Role) -> None:
        """Least privilege: each capability the code uses, on its resources only."""
        can = plan.capabilities
        if "sms" in can and self.d.get("sms_sender") == "domestic":
            # Tencent Cloud SMS is called over HTTPS with its API key from the app secret (no IAM of its own), so a
            # function that sends SMS reads the secret there (the stream handler: case updates).
            can = can | {"secret"}
        if "secret" in can:  # chalicelib/core/secrets.py, once per cold start
            role.add_to_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"],
                                                   resources=[self.secret.secret_arn]))
        if "tables" in can:  # PynamoDB models and TransactWrite (chalicelib/core/db.py)
            role.add_to_policy(iam.PolicyStatement(actions=ITEM_ACTIONS,
                                                   resources=self.table_arns("households", "submissions")))
        elif "tables:read" in can:  # the schedules: the county registry, counters, places (chalicelib/core/jobs.py)
            role.add_to_policy(iam.PolicyStatement(actions=READ_ACTIONS,
                                                   resources=self.table_arns("households", "submissions")))
        if "tables:scan" in can:  # chalicelib/datarights/export.py: a county's export (a job, never a request)
            role.add_to_policy(iam.PolicyStatement(actions=["dynamodb:Scan"],
                                                   resources=self.table_arns("households", "submissions")))
        if "jobs:send" in can:  # chalicelib/core/jobs.py fan_out
            role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"],
                                                   resources=[self.jobs_queue.queue_arn]))
        if "jobs:receive" in can:  # the event source mapping polls with the function's role
            role.add_to_policy(iam.PolicyStatement(
                actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                resources=[self.jobs_queue.queue_arn]))
        if "idempotency" in can:  # Powertools DynamoDBPersistenceLayer (chalicelib/core/http.py)
            role.add_to_policy(iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                resources=[self.tables["idempotency"].attr_arn]))
        if "media" in can:  # presigned POST / head + get (core/files.py); multipart uploads (core/multipart.py)
            role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject",
                                                            "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
                                                   resources=[Fn.join("", [self.media_bucket_arn, "/*"])]))
            # ListBucket makes a missing key a 404 (files.read) instead of a 403.
            role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"],
                                                   resources=[self.media_bucket_arn]))
        if "kvs" in can:  # chalicelib/interviews/ice.py: a signalling channel per room, its TURN servers
            role.add_to_policy(iam.PolicyStatement(
                actions=["kinesisvideo:CreateSignalingChannel", "kinesisvideo:DescribeSignalingChannel",
                         "kinesisvideo:GetSignalingChannelEndpoint", "kinesisvideo:GetIceServerConfig"],
                resources=[self.arn("kinesisvideo", f"channel/{self.prefix}-*/*")]))
        if "mediaconvert" in can and transcoder(self.d.region) == "mediaconvert":
            # chalicelib/lectures/transcode.py: one CreateJob per uploaded lecture, run as the MediaConvert role.
            role.add_to_policy(iam.PolicyStatement(actions=["mediaconvert:CreateJob"],
                                                   resources=[self.arn("mediaconvert", "*")]))
            role.add_to_policy(iam.PolicyStatement(
                actions=["iam:PassRole"],
                resources=[self.arn("iam", f"role/{self.prefix}-mediaconvert-{self.d.region}", region=False)],
                conditions={"StringEquals": {"iam:PassedToService": "mediaconvert.amazonaws.com"}}))
        if "kvs:sweep" in can:  # chalicelib/interviews/channels.py: past rooms' channels deleted (List has no ARN)
            role.add_to_policy(iam.PolicyStatement(actions=["kinesisvideo:ListSignalingChannels"], resources=["*"]))
            role.add_to_policy(iam.PolicyStatement(
                actions=["kinesisvideo:DeleteSignalingChannel"],
                resources=[self.arn("kinesisvideo", f"channel/{self.prefix}-*/*")]))
        if "pii" in can:  # chalicelib/core/pii.py: data keys always bound to a tenant
            role.add_to_policy(iam.PolicyStatement(
                actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[self.pii_key.key_arn],
                conditions={"Null": {"kms:EncryptionContext:tenant": "false"}}))
        if "topics" in can:
            role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"],
                                                   resources=[t.topic_arn for t in self.topics.values()]))
            # POST /alerts/subscriptions: a county subscribes its command, with a filter policy on its tenant.
            role.add_to_policy(iam.PolicyStatement(actions=["sns:Subscribe"],
                                                   resources=[self.topics["alerts"].topic_arn]))
        if "signing" in can:  # chalicelib/core/auth/keys.py: the private signing key (re-read every 5 minutes)
            role.add_to_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"],
                                                   resources=[self.signing_secret.secret_arn]))
        if "jwks" in can:  # chalicelib/core/auth/keys.py: the public key set (verifying)
            role.add_to_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"],
                                                   resources=[self.jwks_secret.secret_arn]))
        if "alerts" in can:  # chalicelib/daily_report/alerts.py publish
            role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"],
                                                   resources=[self.topics["alerts"].topic_arn]))
        for cap in sorted(c for c in can if c.startswith("stream:")):  # the event source mapping reads the stream
            table = self.tables[cap.split(":", 1)[1]]
            role.add_to_policy(iam.PolicyStatement(
                actions=["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
                         "dynamodb:ListStreams"], resources=[table.attr_stream_arn]))
        if "sms" in can and self.d.get("sms_sender") == "sns":  # chalicelib/core/notify.py SnsSmsSender
            role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))
        via = ["lambda"]  # environment variables are encrypted with the data key
        via += [v for c, v in (("secret", "secretsmanager"), ("signing", "secretsmanager"),
                               ("jwks", "secretsmanager"), ("tables", "dynamodb"), ("tables:read", "dynamodb"),
                               ("idempotency", "dynamodb"), ("media", "s3"), ("topics", "sns"), ("alerts", "sns"),
                               ("jobs:send", "sqs"), ("jobs:receive", "sqs")) if c in can]
        self.grant_data_key(role, *sorted(set(via)))

    def _http_api(self) -> None:
        """The stage's API: an API Gateway HTTP API (front.py says why), routes under /api/ as CloudFront forwards
        them, on the stage $default:

        - `$default` → the API function, through the HTTP API Lambda authorizer (REQUEST, the Authorization header,
          simple responses, cached per header for the authorizer's TTL as on the REST API);
        - the app's public routes (GET /api/health, the Open311 reads and filings, …: the routes Chalice declared
          without its authorizer, front.py) → the API function, without the authorizer;
        - `ANY /api/auth/{proxy+}` → the signin function (the same code and handler, its own role), and its
          signed-in routes (POST /api/auth/switch) → the signin function through the authorizer;
        - stage throttle `api_throttle` for every route (the per-county limits are the app's: core/throttle.py);
          access logs as JSON with the authorizer's tenant (the per-county Contributor Insights rules read them).

        API Gateway's own refusals (401 without a valid token, 429 over the stage throttle) are HTTP API's
        {"message": …}: HTTP APIs have no gateway responses; the web client takes any non-envelope error by status."""
        d = self.d
        self.api_name = f"{self.prefix}-api"
        api = apigwv2.CfnApi(self, "HttpApi", name=self.api_name, protocol_type="HTTP",
                             description=f"村情通 {d.stage}: CloudFront /api/* → the Chalice app")
        self.http_api = api
        source_arn = Fn.join("", ["arn:", Aws.PARTITION, ":execute-api:", Aws.REGION, ":", Aws.ACCOUNT_ID, ":",
                                  api.ref, "/*"])

        def invoke_uri(fn: CfnResource) -> str:
            return Fn.join("", ["arn:", Aws.PARTITION, ":apigateway:", Aws.REGION, ":lambda:path/2015-03-31/functions/",
                                fn.get_att("Arn").to_string(), "/invocations"])

        def permission(id_: str, fn: CfnResource) -> None:
            lambda_.CfnPermission(self, id_, action="lambda:InvokeFunction",
                                  function_name=fn.get_att("Arn").to_string(),
                                  principal="apigateway.amazonaws.com", source_arn=source_arn,
                                  source_account=Aws.ACCOUNT_ID)

        timeout_ms = min(30_000, d.per_function("timeout_s", API_HANDLER) * 1000)

        def integration(id_: str, fn: CfnResource) -> apigwv2.CfnIntegration:
            return apigwv2.CfnIntegration(self, id_, api_id=api.ref, integration_type="AWS_PROXY",
                                          integration_uri=fn.get_att("Arn").to_string(),
                                          payload_format_version="2.0", timeout_in_millis=timeout_ms)

        app_fn, signin_fn = self.functions[API_HANDLER], self.functions[SIGNIN]
        auth_fn = self.functions["token_authorizer"]
        for id_, fn in (("ApiInvoke", app_fn), ("SigninInvoke", signin_fn), ("AuthorizerInvoke", auth_fn)):
            permission(id_, fn)
        app_int, signin_int = integration("ApiIntegration", app_fn), integration("SigninIntegration", signin_fn)
        authorizer = apigwv2.CfnAuthorizer(
            self, "HttpApiAuthorizer", api_id=api.ref, name="token_authorizer", authorizer_type="REQUEST",
            authorizer_uri=invoke_uri(auth_fn), authorizer_payload_format_version="2.0",
            enable_simple_responses=True, identity_source=["$request.header.Authorization"],
            authorizer_result_ttl_in_seconds=AUTHORIZER_TTL_S)

        def route(id_: str, key: str, target: apigwv2.CfnIntegration, signed_in: bool) -> apigwv2.CfnRoute:
            return apigwv2.CfnRoute(
                self, id_, api_id=api.ref, route_key=key, target=Fn.join("/", ["integrations", target.ref]),
                authorization_type="CUSTOM" if signed_in else "NONE",
                authorizer_id=authorizer.ref if signed_in else None)

        route("RouteDefault", "$default", app_int, signed_in=True)
        route("RouteSignin", f"ANY {API_BASE}{AUTH_PREFIX}{{proxy+}}", signin_int, signed_in=False)
        for i, (method, path) in enumerate(self.chalice.signed_in_signin_routes):  # /auth/switch, /links
            route(f"RouteSigninAuthorized{i}", f"{method} {API_BASE}{path}", signin_int, signed_in=True)
        self.public_routes = [f"{m} {API_BASE}{p}" for m, p in self.chalice.public_routes]
        for i, key in enumerate(self.public_routes):
            route(f"RoutePublic{i}", key, app_int, signed_in=False)
        access_logs = self.log_group("ApiAccessLogs", f"/aws/apigateway/{self.prefix}-access")
        self.access_logs = access_logs
        apigwv2.CfnStage(
            self, "HttpApiStage", api_id=api.ref, stage_name="$default", auto_deploy=True,
            default_route_settings=apigwv2.CfnStage.RouteSettingsProperty(
                throttling_rate_limit=d.get("api_throttle")["rate"],
                throttling_burst_limit=d.get("api_throttle")["burst"], detailed_metrics_enabled=False),
            access_log_settings=apigwv2.CfnStage.AccessLogSettingsProperty(
                destination_arn=access_logs.log_group_arn, format=ACCESS_LOG_FORMAT))
        self.api_domain = Fn.join(".", [api.ref, "execute-api", Aws.REGION, Aws.URL_SUFFIX])
        CfnOutput(self, "ApiUrl", value=Fn.join("", ["https://", self.api_domain, f"{API_BASE}/"]))

    # --- tenant-scoped role ------------------------------------------------------------------------------------

    def _mediaconvert_role(self) -> None:
        """The role MediaConvert's lecture jobs run as (chalicelib/lectures/transcode.py), where the region has it:
        read the originals (`{tenant}/lecture/…`), write the renditions and posters (`{tenant}/lecture-hls/…`), with
        the bucket's data key. Named, not referenced: the API's CQT_MEDIACONVERT_ROLE_ARN is built from the name."""
        if transcoder(self.d.region) != "mediaconvert":
            return
        self.mediaconvert_role = iam.Role(
            self, "MediaConvertRole", role_name=f"{self.prefix}-mediaconvert-{self.d.region}",
            assumed_by=iam.ServicePrincipal("mediaconvert.amazonaws.com"),
            description="Lecture transcoding jobs: the originals in, HLS renditions and posters out")
        self.mediaconvert_role.add_to_policy(iam.PolicyStatement(
            actions=["s3:GetObject"], resources=[Fn.join("", [self.media_bucket_arn, "/*/lecture/*"])]))
        self.mediaconvert_role.add_to_policy(iam.PolicyStatement(
            actions=["s3:PutObject"], resources=[Fn.join("", [self.media_bucket_arn, "/*/lecture-hls/*"])]))
        self.grant_data_key(self.mediaconvert_role, "s3")

    def _tenant_role(self) -> None:
        """Credentials fenced to one county: every partition key starts with `{tenant}#` (DESIGN.md), so
        `dynamodb:LeadingKeys` on `${aws:PrincipalTag/tenant}#*` confines a session tagged tenant=330825 to that
        county's items, whatever the code does; media keys start with `{tenant}/` and data keys are sealed with the
        encryption context tenant=<code>. The API function assumes it per county with a session tag while a county's
        request runs (chalicelib/core/fence.py; docs/operations.md, 'Tenant fence'); devstack/moto_patches.py
        enforces the same statements locally (TENANT_POLICY, compared with this by tests/infra). Its name is fixed:
        the API's CQT_TENANT_ROLE_ARN is built from it (a reference would be a cycle through the trust policy)."""
        # The functions that serve routes: the API function and the sign-in function (POST /auth/switch is a
        # county's request, fenced to the county it switches to).
        route_roles = [self.roles[name] for name in (API_HANDLER, SIGNIN) if name in self.roles]
        self.tenant_role = iam.Role(
            self, "TenantDataRole", role_name=f"{self.prefix}-tenant-data-{self.d.region}",
            # Only with a non-empty `tenant` session tag: the policy below reads it as ${aws:PrincipalTag/tenant}.
            assumed_by=iam.CompositePrincipal(*[
                iam.ArnPrincipal(arn).with_conditions({"StringLike": {"aws:RequestTag/tenant": "?*"}})
                .with_session_tags()
                for arn in [*(r.role_arn for r in route_roles), *self.d.get("tenant_role_trusted_arns")]]),
            max_session_duration=Duration.hours(1),
            description="One county's items only: assume with session tag tenant=<county code>")
        self.tenant_role.add_to_policy(iam.PolicyStatement(
            actions=ITEM_ACTIONS, resources=self.table_arns("households", "submissions"),
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenant}#*"]}}))
        self.tenant_role.add_to_policy(iam.PolicyStatement(
            actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[self.pii_key.key_arn],
            conditions={"StringEquals": {"kms:EncryptionContext:tenant": "${aws:PrincipalTag/tenant}"}}))
        # Media: objects under `{tenant}/` (chalicelib/core/files.py), uploaded by browsers with presigned POSTs
        # signed by this session; listing only that prefix. The bucket is SSE-KMS with the data key.
        self.tenant_role.add_to_policy(iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListMultipartUploadParts",
                     "s3:AbortMultipartUpload"],
            resources=[Fn.join("", [self.media_bucket_arn, "/${aws:PrincipalTag/tenant}/*"])]))
        self.tenant_role.add_to_policy(iam.PolicyStatement(
            actions=["s3:ListBucket"], resources=[self.media_bucket_arn],
            conditions={"StringLike": {"s3:prefix": ["${aws:PrincipalTag/tenant}/*"]}}))
        self.grant_data_key(self.tenant_role, "s3")
        for role in route_roles:
            role.add_to_policy(iam.PolicyStatement(actions=["sts:AssumeRole", "sts:TagSession"],
                                                   resources=[self.tenant_role.role_arn]))
        CfnOutput(self, "TenantDataRoleArn", value=self.tenant_role.role_arn)

    # --- web: private bucket + CloudFront, /api/* to API Gateway ------------------------------------------------

    def _web(self) -> None:
        d = self.d
        self.web_bucket = s3.Bucket(
            self, "WebBucket", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.log_bucket, server_access_logs_prefix="s3/web/",
            lifecycle_rules=[s3.LifecycleRule(id="old-builds", noncurrent_version_expiration=Duration.days(30),
                                              abort_incomplete_multipart_upload_after=Duration.days(1))],
            removal_policy=self.retain, auto_delete_objects=False)
        if d.china:
            # AWS::CloudFront::OriginAccessControl is not available in the China regions: origin access identity.
            s3_origin = origins.S3BucketOrigin.with_origin_access_identity(self.web_bucket)
        else:
            s3_origin = origins.S3BucketOrigin.with_origin_access_control(self.web_bucket)
        media = self.media_bucket_name
        media_hosts = Fn.join(" ", [Fn.join("", ["https://", media, ".s3.", Aws.REGION, ".", Aws.URL_SUFFIX]),
                                    Fn.join("", ["https://", media, ".s3.", Aws.URL_SUFFIX])])
        csp = Fn.join("", [
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; ",
            "img-src 'self' data: blob: ", media_hosts, "; media-src 'self' blob: ", media_hosts,
            "; connect-src 'self' ", media_hosts, directory_origin(d), "; form-action 'self' ", media_hosts,
            # blob: workers: the checkpoint scanner's QR decoder (qr-scanner) starts its worker from a Blob URL
            "; worker-src 'self' blob:; manifest-src 'self'; object-src 'none'; base-uri 'self'",
            "; frame-ancestors 'none'"])
        self.csp = csp
        headers = cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders",  # policy names are account-wide: the region keeps stacks apart
            response_headers_policy_name=f"{self.prefix}-{d.region}-security-headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=csp, override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(730), include_subdomains=True, override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True)),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(custom_headers=[
                cloudfront.ResponseCustomHeader(header="Permissions-Policy", override=True,
                                                value="camera=(self), geolocation=(self), microphone=()")]))
        api_origin = origins.HttpOrigin(self.api_domain, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                                        origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2])
        functions = None
        if not d.china:
            # History-mode routes (/households/…, /console/…) load the app's index.html. Not in China, where
            # CloudFront has no edge functions: there the PWA's service worker serves navigations.
            spa = cloudfront.Function(self, "SpaRewrite", function_name=f"{self.prefix}-{d.region}-spa-rewrite",
                                      runtime=cloudfront.FunctionRuntime.JS_2_0,
                                      code=cloudfront.FunctionCode.from_inline(SPA_REWRITE))
            functions = [cloudfront.FunctionAssociation(function=spa,
                                                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)]
        cert = None
        domain = d.get("web_domain")
        if domain and not d.china:
            from aws_cdk import aws_certificatemanager as acm

            cert = acm.Certificate.from_certificate_arn(self, "WebCert", d.get("web_certificate"))
        self.distribution = cloudfront.Distribution(
            self, "Web", comment=f"村情通 {d.stage}", default_root_object="index.html",
            price_class=getattr(cloudfront.PriceClass, d.get("web_price_class")) if not d.china else None,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3 if not d.china else cloudfront.HttpVersion.HTTP2,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if domain else None,
            domain_names=[domain] if domain and not d.china else None, certificate=cert,
            enable_logging=True, log_bucket=self.log_bucket, log_file_prefix="cloudfront/",
            web_acl_id=d.get("web_acl_arn"),
            default_behavior=cloudfront.BehaviorOptions(
                origin=s3_origin, viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED, compress=True,
                response_headers_policy=headers, function_associations=functions),
            additional_behaviors={"/api/*": cloudfront.BehaviorOptions(
                origin=api_origin, viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=headers, compress=True)})
        cfn_dist = self.distribution.node.default_child
        if domain and d.china:
            # China: a CNAME with an ICP recordal is mandatory and ACM is not supported: IAM server certificate.
            cfn_dist.add_property_override("DistributionConfig.Aliases", [domain])
            cfn_dist.add_property_override("DistributionConfig.ViewerCertificate", {
                "IamCertificateId": d.get("web_certificate"), "SslSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021"})
        reasons = [] if d.get("web_acl_arn") else [
            ("CKV_AWS_68", "No WAF web ACL unless web_acl_arn is set (USD 5/month + per request, more than the "
                           "rest of a county's bill); the API is throttled by API Gateway and the app's limits.")]
        if not domain:
            reasons.append(("CKV_AWS_174", "Without a custom domain CloudFront's default certificate is used and "
                                           "TLS versions cannot be set; set web_domain/web_certificate (required "
                                           "in China) to get TLSv1.2_2021."))
        if reasons:
            skip(self.distribution, *reasons)
        CfnOutput(self, "WebUrl", value=Fn.join("", ["https://", domain or self.distribution.distribution_domain_name]))
        CfnOutput(self, "WebBucketName", value=self.web_bucket.bucket_name)
        CfnOutput(self, "DistributionId", value=self.distribution.distribution_id)

    # --- alarms ------------------------------------------------------------------------------------------------

    def _alarms(self) -> None:
        action = cw_actions.SnsAction(self.ops_topic)
        five = Duration.minutes(5)

        def alarm(id_: str, metric: cw.IMetric, threshold: float, desc: str, periods: int = 1) -> cw.Alarm:
            a = cw.Alarm(self, id_, alarm_name=f"{self.prefix}-{id_}", metric=metric, threshold=threshold,
                         evaluation_periods=periods, alarm_description=desc,
                         comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                         treat_missing_data=cw.TreatMissingData.NOT_BREACHING)
            a.add_alarm_action(action)
            return a

        dims = {"ApiId": self.http_api.ref, "Stage": "$default"}
        rate = cw.MathExpression(
            expression="IF(requests > 0, errors / requests, 0)", period=five,
            using_metrics={"errors": cw.Metric(namespace="AWS/ApiGateway", metric_name="5xx",
                                               dimensions_map=dims, statistic="Sum", period=five),
                           "requests": cw.Metric(namespace="AWS/ApiGateway", metric_name="Count",
                                                 dimensions_map=dims, statistic="Sum", period=five)})
        alarm("api-5xx-rate", rate, self.d.get("api_5xx_rate"),
              "More than api_5xx_rate of API requests answered 5xx (a 5xx is a bug) for 10 minutes", periods=2)
        self._tenant_alarms(alarm, five)
        fn_names = [f"{self.prefix}-{p.name.replace('_', '-')}" for p in self.plans] + [f"{self.prefix}-rotate-secret"]
        for name in fn_names:
            short = name.removeprefix(f"{self.prefix}-")
            fdims = {"FunctionName": name}
            alarm(f"{short}-throttles", cw.Metric(namespace="AWS/Lambda", metric_name="Throttles",
                                                  dimensions_map=fdims, statistic="Sum", period=five), 0,
                  f"{name} was throttled (reserved concurrency reached)")
            alarm(f"{short}-errors", cw.Metric(namespace="AWS/Lambda", metric_name="Errors",
                                               dimensions_map=fdims, statistic="Sum", period=five), 0,
                  f"{name} raised (unhandled errors)")
        for suffix, table in self.tables.items():
            for m in ("ReadThrottleEvents", "WriteThrottleEvents"):
                alarm(f"{suffix}-{m}", cw.Metric(namespace="AWS/DynamoDB", metric_name=m,
                                                 dimensions_map={"TableName": table.table_name}, statistic="Sum",
                                                 period=five), 0, f"DynamoDB throttled {table.table_name}")
        alarm("dlq-depth", self.dlq.metric_approximate_number_of_messages_visible(period=five, statistic="Maximum"),
              0, "Asynchronous handler invocations failed and wait in the DLQ")
        alarm("jobs-dlq-depth", self.jobs_dlq.metric_approximate_number_of_messages_visible(
            period=five, statistic="Maximum"), 0,
            "A scheduled job failed for a county or township at every try and waits in the jobs DLQ "
            "(docs/operations.md, \"Scheduled work\": find why in run_jobs' logs, fix, redrive)")
        alarm("jobs-age", self.jobs_queue.metric_approximate_age_of_oldest_message(
            period=five, statistic="Maximum"), 3600,
            "Scheduled jobs have waited over an hour in the jobs queue: the worker is not taking them")
        for name, topic in self.topics.items():
            alarm(f"{name}-delivery-failures", topic.metric_number_of_notifications_failed(period=five), 0,
                  f"SNS could not deliver messages of {topic.topic_name}")
        if self.d.get("sms_sender") == "sns":
            alarm("sms-delivery-failures", cw.Metric(namespace="AWS/SNS", metric_name="NumberOfNotificationsFailed",
                                                     dimensions_map={"PhoneNumber": "PhoneNumberDirect"},
                                                     statistic="Sum", period=five), 0,
                  "SNS could not deliver SMS (sign-in codes)")

    def _tenant_alarms(self, alarm, five: Duration) -> None:
        """Alarms per county without a metric per county (1,000 counties × US$0.30 a metric each): CloudWatch
        Contributor Insights rules on the API access log, keyed by the authorizer's `tenant`, count each county's
        5xx answers, 429 answers (its limit: core/throttle.py; the stage throttle) and requests; an alarm on each
        rule's MaxContributorValue (the busiest county's count in the period) fires when any one county is over the
        stage's `tenant_alarms` threshold. The rule's report names the counties (console: CloudWatch → Contributor
        Insights → the rule; or `aws cloudwatch get-insight-rule-report --rule-name <rule> --start-time … --end-time
        … --period 300 --max-contributor-count 10`): docs/operations.md, "Per-county alarms"."""
        thresholds = self.d.get("tenant_alarms")
        filters = {"5xx": [{"Match": "$.status", "StartsWith": ["5"]}],
                   "429": [{"Match": "$.status", "In": ["429"]}],
                   "requests": []}
        what = {"5xx": "answers 5xx (a 5xx is a bug)", "429": "answers 429 (over its request limit or the stage "
                "throttle)", "requests": "requests (near its request limit: core/throttle.py)"}
        self.insight_rules = {}
        for kind, flt in filters.items():
            name = f"{self.prefix}-tenant-{kind}"
            body = {"Schema": {"Name": "CloudWatchLogRule", "Version": 1},
                    "LogGroupNames": [f"/aws/apigateway/{self.prefix}-access"], "LogFormat": "JSON",
                    "Contribution": {"Keys": ["$.tenant"], **({"Filters": flt} if flt else {})},
                    "AggregateOn": "Count"}
            rule = cw.CfnInsightRule(self, f"TenantRule{kind.title()}", rule_name=name, rule_state="ENABLED",
                                     rule_body=json.dumps(body, separators=(",", ":")))
            rule.add_dependency(self.access_logs.node.default_child)
            self.insight_rules[kind] = rule
            metric = cw.MathExpression(expression=f"INSIGHT_RULE_METRIC('{name}', 'MaxContributorValue')",
                                       period=five, using_metrics={}, label=f"busiest county's {kind}")
            a = alarm(f"tenant-{kind}", metric, thresholds[f"{kind}_per_5min"],
                      f"One county {what[kind]} more than {thresholds[f'{kind}_per_5min']} times in 5 minutes: the "
                      f"Contributor Insights rule {name} names it (docs/operations.md, \"Per-county alarms\")")
            a.node.default_child.add_dependency(rule)


RETENTION = {1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
             60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
             365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS",
             1827: "FIVE_YEARS", 3653: "TEN_YEARS"}


def retention_days(days: int) -> logs.RetentionDays:
    if days not in RETENTION:
        raise ValueError(f"log_retention_days must be one of {sorted(RETENTION)}")
    return getattr(logs.RetentionDays, RETENTION[days])


SPA_REWRITE = """function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.startsWith('/api/')) { return request; }
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = (uri === '/console' || uri.startsWith('/console/')) ? '/console/index.html' : '/index.html';
  }
  return request;
}
"""

__all__ = ["CqtStack"]
