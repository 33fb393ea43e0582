"""The cells' directory: county code → cell, one per stage and partition (docs/deploy.md, "Cells").

One JSON object, `directory.json` = {"counties": {"330825": {"cell", "region", "api", "web", "name"}}}, in a private
S3 bucket behind its own CloudFront distribution (origin access control; origin access identity in China). Chosen
over a DynamoDB table: what the app needs at sign-in is the one URL of its county's cell, read by the browser before
anyone is signed in, so a table would need an API and a function in front of it (a cold start and US$ per request
before sign-in), while the object is a cached static file (CloudFront: US$0.0075–0.01 per 10,000 requests, nothing
when the browser's copy is fresh; S3 keeps it for cents). It holds no personal data (codes, names and URLs of
counties, all public). Written only by scripts/onboard_county.py (scripts/cell_directory.py), read by anyone.
Mainland counties stay in China: the aws-cn directory lists the stage's China cells, the aws one the others.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .checks import skip
from .config import Deployment

OBJECT_KEY = "directory.json"


def directory_id(stage: str, partition: str) -> str:
    return f"cqt-{stage}-directory-{partition}"


class DirectoryStack(Stack):
    """The directory of one stage in one partition, in the region of the stage's first cell there (`home`)."""

    def __init__(self, scope: Construct, home: Deployment, cell_ids: list[str], **kw) -> None:
        super().__init__(scope, directory_id(home.stage, home.partition), stack_name=f"{home.prefix}-directory",
                         env={"region": home.region},
                         description=f"村情通 {home.stage}: county → cell directory ({', '.join(cell_ids)})", **kw)
        retain = RemovalPolicy.RETAIN if home.get("deletion_protection") else RemovalPolicy.DESTROY
        self.bucket = s3.Bucket(
            self, "Directory", encryption=s3.BucketEncryption.S3_MANAGED, enforce_ssl=True, versioned=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(id="old-versions", noncurrent_version_expiration=Duration.days(90))],
            removal_policy=retain)
        if home.china:
            # AWS::CloudFront::OriginAccessControl is not available in the China regions: origin access identity.
            origin = origins.S3BucketOrigin.with_origin_access_identity(self.bucket)
        else:
            origin = origins.S3BucketOrigin.with_origin_access_control(self.bucket)
        cache = cloudfront.CachePolicy(
            self, "Short", cache_policy_name=f"{home.prefix}-{home.region}-directory",
            default_ttl=Duration.minutes(5), min_ttl=Duration.seconds(0), max_ttl=Duration.minutes(5))
        # Each cell's web app reads the directory from the browser (its /site.json names it; web/shared/cells.js):
        # a cross-origin GET, without credentials, of public data.
        cors = cloudfront.ResponseHeadersPolicy(
            self, "Cors", response_headers_policy_name=f"{home.prefix}-{home.region}-directory-cors",
            cors_behavior=cloudfront.ResponseHeadersCorsBehavior(
                access_control_allow_credentials=False, access_control_allow_headers=["*"],
                access_control_allow_methods=["GET", "HEAD"], access_control_allow_origins=["*"],
                access_control_max_age=Duration.minutes(5), origin_override=True))
        self.distribution = cloudfront.Distribution(
            self, "Web", comment=f"村情通 {home.stage} directory",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin, cache_policy=cache, response_headers_policy=cors,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if not home.china else None,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100 if not home.china else None)
        skip(self.bucket, ("CKV_AWS_18", "The directory holds public, non-personal data (county codes, names and cell "
                                         "addresses), written only by scripts/onboard_county.py (CloudTrail records "
                                         "the writes); reads come through CloudFront, whose metrics count them."))
        skip(self.distribution,
             ("CKV_AWS_86", "Serves one public, non-personal file, cached; CloudFront's metrics count its requests, "
                            "and access logs would cost more than the directory itself."),
             ("CKV_AWS_68", "One cached public file of a few KB: a WAF web ACL (USD 5/month + per request) would "
                            "protect nothing the cache does not."),
             ("CKV_AWS_174", "No custom domain: CloudFront's default certificate is used and TLS versions cannot "
                             "be set."))
        CfnOutput(self, "DirectoryBucketName", value=self.bucket.bucket_name)
        CfnOutput(self, "DirectoryUrl", value=f"https://{self.distribution.distribution_domain_name}/{OBJECT_KEY}")
