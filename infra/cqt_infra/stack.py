"""One stack per (stage, region): everything 村情通 needs in AWS.

Resource names follow the defaults of chalicelib/core/config.py (cqt-{stage}-...), so scripts run with only
CQT_STAGE set (scripts/bootstrap_operator.py) find the same tables, key alias and secret as the Lambda functions.
ARNs are built with the stack's partition (${AWS::Partition}): the same code deploys to aws and aws-cn.
"""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk import Aws, CfnOutput, CfnResource, Duration, Fn, RemovalPolicy, Stack, Tags
from aws_cdk import aws_apigateway as apigw
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
from aws_cdk import aws_xray as xray
from constructs import Construct

from chalicelib.core import jobs
from chalicelib.core.gateway import GATEWAY_RESPONSES, envelope

from .checks import NO_VPC, SYNC_NO_DLQ, skip
from .config import SYSTEM_LOG_LEVEL, TRACE_RESERVOIR_PER_S, Deployment
from .functions import API_HANDLER, FunctionPlan, plan_functions
from .package import SlimChalice
from .tables import TableSpec, specs

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
API_STAGE = "api"  # .chalice/config.json: the API lives under /api/ (CloudFront routes /api/* to it)
TOPICS = ("alerts", "broadcasts", "recruitment")
READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"]
ITEM_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem"]
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "time": "$context.requestTimeEpoch", "ip": "$context.identity.sourceIp",
    "principal": "$context.authorizer.principalId", "method": "$context.httpMethod",
    "resource": "$context.resourcePath", "status": "$context.status", "latency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency", "length": "$context.responseLength",
    "error": "$context.error.responseType", "trace": "$context.xrayTraceId",
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
            cors=[s3.CorsRule(allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET],
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
            description="村情通 token_key (rotates) and blind_index_key (drawn once, never rotates)",
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
        # Runs once right after creation (draws blind_index_key), then every secret_rotation_days; rotating
        # the token key signs everybody out: see docs/deploy.md before shortening it.
        self.secret.add_rotation_schedule("Rotation", rotation_lambda=fn,
                                          automatically_after=Duration.days(self.d.get("secret_rotation_days")))
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
            "CQT_SECRET_NAME": f"{self.prefix}/app-secrets",
            "CQT_SMS_SENDER": d.get("sms_sender"),
            "CQT_SMS_SIGN_NAME": d.get("sms_sign_name"),
            **self._tencent_sms_env(),
            "CQT_APP_ORIGINS": ",".join(self.app_origins),
            "POWERTOOLS_SERVICE_NAME": "cunqingtong",
            "POWERTOOLS_METRICS_NAMESPACE": "Cunqingtong",
            "POWERTOOLS_LOG_LEVEL": d.get("log_level"),
        }
        self.chalice = SlimChalice(self, "Chalice", source_dir=str(REPO), stage_config={
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
        self.plans = plan_functions(self.chalice.sam_dict)
        self.functions: dict[str, CfnResource] = {}
        self.roles: dict[str, iam.Role] = {}
        for plan in self.plans:
            self._function(plan)
        self._rest_api()

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
        # Traced, sampled: API Gateway's decision (the stage's sampling rule, _rest_api) reaches the API handler and
        # the authorizer in the trace header; event handlers have no upstream decision and Lambda samples them itself
        # (1 a second and 5 % more, not configurable for Lambda).
        fn.add_property_override("Tracing", "Active")
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
        if "media" in can:  # presigned POST / head + get (chalicelib/core/files.py)
            role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject", "s3:GetObject"],
                                                   resources=[Fn.join("", [self.media_bucket_arn, "/*"])]))
            # ListBucket makes a missing key a 404 (files.read) instead of a 403.
            role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"],
                                                   resources=[self.media_bucket_arn]))
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
        via += [v for c, v in (("secret", "secretsmanager"), ("tables", "dynamodb"), ("tables:read", "dynamodb"),
                               ("idempotency", "dynamodb"), ("media", "s3"), ("topics", "sns"), ("alerts", "sns"),
                               ("jobs:send", "sqs"), ("jobs:receive", "sqs")) if c in can]
        self.grant_data_key(role, *sorted(set(via)))

    def _rest_api(self) -> None:
        d = self.d
        api = self.chalice.get_resource("RestAPI")
        self.rest_api = api
        self.api_name = f"{self.prefix}-api"
        api.add_property_override("Name", self.api_name)
        api.add_property_override("DefinitionBody.info.title", self.api_name)
        api.add_property_override("DefinitionBody.x-amazon-apigateway-gateway-responses", gateway_responses())
        api.add_property_override("TracingEnabled", True)
        self._sampling_rule()
        access_logs = self.log_group("ApiAccessLogs", f"/aws/apigateway/{self.prefix}-access")
        api.add_property_override("AccessLogSetting", {"DestinationArn": access_logs.log_group_arn,
                                                       "Format": ACCESS_LOG_FORMAT})
        api.add_property_override("MethodSettings", [{
            "ResourcePath": "/*", "HttpMethod": "*", "LoggingLevel": "ERROR", "MetricsEnabled": True,
            "DataTraceEnabled": False,  # request/response bodies may hold personal data: never logged
            "ThrottlingRateLimit": d.get("api_throttle")["rate"],
            "ThrottlingBurstLimit": d.get("api_throttle")["burst"]}])
        skip(api, ("CKV_AWS_120", "No API cache: answers are per user and per county (authorizer context), "
                                  "and a cache cluster costs per hour; DynamoDB reads take milliseconds."))
        if d.get("api_gateway_cloudwatch_role"):
            # Execution and access logging need the account's API Gateway CloudWatch role (one per region).
            cw_role = iam.Role(self, "ApiGatewayCloudWatchRole",
                               assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
                               managed_policies=[iam.ManagedPolicy.from_managed_policy_arn(
                                   self, "ApiGwPushToCloudWatch", Fn.join("", [
                                       "arn:", Aws.PARTITION,
                                       ":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"]))])
            account = apigw.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=cw_role.role_arn)
            api.add_resource_dependency(account)
        # SAM creates the usage plan bound to this API's stage (after the stage exists).
        api.add_property_override("Auth.UsagePlan", {
            "CreateUsagePlan": "PER_API", "UsagePlanName": f"{self.prefix}-default",
            "Description": "Per-client limits for API-key clients (county integrations); browsers are limited "
                           "by the stage throttle and the app's own rate limits.",
            "Throttle": {"RateLimit": d.get("usage_plan")["rate"], "BurstLimit": d.get("usage_plan")["burst"]},
            "Quota": {"Limit": d.get("usage_plan")["quota_per_day"], "Period": "DAY"}})
        self.api_domain = Fn.join(".", [api.ref, "execute-api", Aws.REGION, Aws.URL_SUFFIX])
        CfnOutput(self, "ApiUrl", value=Fn.join("", ["https://", self.api_domain, f"/{API_STAGE}/"]))

    def _sampling_rule(self) -> None:
        """X-Ray samples `trace_sample_rate` of the stage's API requests, with no reservoir.

        Without a rule of ours API Gateway applies X-Ray's Default rule: 1 request a second (the reservoir) plus 5 %
        of the rest, which for one Longyou-sized county is about 3.7 million traces a month (≈ US$18). The reservoir
        is counted per second, so its smallest non-zero value, 1, alone traces up to 86,400 requests a day (every
        second with traffic: ≈ 1.5 million a month over 14 busy hours a day, ≈ US$7.5, more than the fixed rate
        itself): it is 0, and a quiet stage is sampled at the same rate as a busy one. Errors are not sampled
        away: every request's line (status, latency, route, tenant) is in the logs, and a sampled request's line
        names its trace (xray_trace_id). API Gateway passes its decision to the functions in the trace header."""
        d = self.d
        rule = xray.CfnSamplingRule(
            self, "TraceSampling",
            sampling_rule=xray.CfnSamplingRule.SamplingRuleProperty(
                rule_name=f"{self.prefix}-api",  # ≤ 32 characters; rules are per account and region, like stacks
                priority=100,  # before the Default rule (10000)
                fixed_rate=d.get("trace_sample_rate"), reservoir_size=TRACE_RESERVOIR_PER_S,
                # This stage only, by its ARN (the name it reports, {api-name}/{stage}, could be reused elsewhere).
                service_name="*", service_type="AWS::ApiGateway::Stage",
                resource_arn=Fn.join("", ["arn:", Aws.PARTITION, ":apigateway:", Aws.REGION, "::/restapis/",
                                          self.rest_api.ref, f"/stages/{API_STAGE}"]),
                host="*", http_method="*", url_path="*", version=1))
        rule.add_metadata("Description", (
            f"X-Ray samples {d.get('trace_sample_rate'):.0%} of the {API_STAGE} stage's requests with no reservoir "
            "(trace_sample_rate in infra/stages.json; a reservoir is per second: 1 would trace a request every "
            "second with traffic, more than the rate itself). Every request still logs one line."))
        self.sampling_rule = rule

    # --- tenant-scoped role ------------------------------------------------------------------------------------

    def _tenant_role(self) -> None:
        """Credentials fenced to one county: every partition key starts with `{tenant}#` (DESIGN.md), so
        `dynamodb:LeadingKeys` on `${aws:PrincipalTag/tenant}#*` confines a session tagged tenant=330825 to that
        county's items, whatever the code does. Assumed with a session tag (docs/deploy.md, 'Tenant-scoped role')."""
        api_role = self.roles[API_HANDLER]
        self.tenant_role = iam.Role(
            self, "TenantDataRole", role_name=f"{self.prefix}-tenant-data-{self.d.region}",
            # Only with a non-empty `tenant` session tag: the policy below reads it as ${aws:PrincipalTag/tenant}.
            assumed_by=iam.CompositePrincipal(*[
                iam.ArnPrincipal(arn).with_conditions({"StringLike": {"aws:RequestTag/tenant": "?*"}})
                .with_session_tags() for arn in [api_role.role_arn, *self.d.get("tenant_role_trusted_arns")]]),
            max_session_duration=Duration.hours(1),
            description="One county's items only: assume with session tag tenant=<county code>")
        self.tenant_role.add_to_policy(iam.PolicyStatement(
            actions=ITEM_ACTIONS, resources=self.table_arns("households", "submissions"),
            conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["${aws:PrincipalTag/tenant}#*"]}}))
        self.tenant_role.add_to_policy(iam.PolicyStatement(
            actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[self.pii_key.key_arn],
            conditions={"StringEquals": {"kms:EncryptionContext:tenant": "${aws:PrincipalTag/tenant}"}}))
        api_role.add_to_policy(iam.PolicyStatement(actions=["sts:AssumeRole", "sts:TagSession"],
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
            "; connect-src 'self' ", media_hosts, "; form-action 'self' ", media_hosts,
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

        dims = {"ApiName": self.api_name, "Stage": API_STAGE}
        rate = cw.MathExpression(
            expression="IF(requests > 0, errors / requests, 0)", period=five,
            using_metrics={"errors": cw.Metric(namespace="AWS/ApiGateway", metric_name="5XXError",
                                               dimensions_map=dims, statistic="Sum", period=five),
                           "requests": cw.Metric(namespace="AWS/ApiGateway", metric_name="Count",
                                                 dimensions_map=dims, statistic="Sum", period=five)})
        alarm("api-5xx-rate", rate, self.d.get("api_5xx_rate"),
              "More than api_5xx_rate of API requests answered 5xx (a 5xx is a bug) for 10 minutes", periods=2)
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


RETENTION = {1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
             60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
             365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS",
             1827: "FIVE_YEARS", 3653: "TEN_YEARS"}


def retention_days(days: int) -> logs.RetentionDays:
    if days not in RETENTION:
        raise ValueError(f"log_retention_days must be one of {sorted(RETENTION)}")
    return getattr(logs.RetentionDays, RETENTION[days])


def gateway_responses() -> dict:
    """API Gateway's own answers (chalicelib/core/gateway.py) in our envelope, as part of the API definition."""
    out = {}
    for kind, (status, _code, _message) in GATEWAY_RESPONSES.items():
        _status, body = envelope(kind)
        params = {"gatewayresponse.header.Content-Type": "'application/json; charset=utf-8'",
                  "gatewayresponse.header.Cache-Control": "'no-store'"}
        if kind == "THROTTLED":
            params["gatewayresponse.header.Retry-After"] = "'1'"
        out[kind] = {"statusCode": status, "responseParameters": params,
                     "responseTemplates": {"application/json": json.dumps(body, ensure_ascii=False)}}
    return out


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

__all__ = ["CqtStack", "gateway_responses"]
