"""AWS China (issue 13, point 13): a China region is served only on an ICP-recorded domain, uses only services that
exist in cn-north-1 and cn-northwest-1, and keeps mainland personal data in mainland regions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from cqt_infra import config
from cqt_infra.services import CHINA_REGIONS, REGIONAL_RUNTIME_SERVICES, RUNTIME_SERVICES, STACK_SERVICES, ice_provider

from chalicelib.core.sms_templates import TEMPLATES

from .conftest import ROOT, clean_env, resources, run_synth

WEB = {"web_domain": "cqt.example.cn", "web_certificate": "ASCACKCEVSQ6C2EXAMPLE",
       "icp_recordal": "浙ICP备12345678号-1"}
SMS = {"sms_sender": "domestic", "sms_app_id": "1400123456",
       "sms_templates": {t: str(2100000 + i) for i, t in enumerate(TEMPLATES)}}
ARN_PREFIX = re.compile(r"arn:[\w-]*:")
DIRECTORY_URL = "https://d111111abcdef8.cloudfront.cn/directory.json"  # the aws-cn directory's DirectoryUrl


def _deploy(region: str = "cn-north-1", **cfg):
    raw = config.load()
    raw["stages"] = {"x": {"regions": {region: {**SMS, **WEB, **cfg}}}}
    return config.deployments(raw)


def _china_templates(synth) -> dict[str, dict]:
    return {sid: synth.template(sid) for sid, s in synth.stacks.items() if s["partition"] == "aws-cn"}


# --- ICP: a domain with its recordal, an IAM certificate, the number in the footer --------------------------------

@pytest.mark.parametrize("region", CHINA_REGIONS)
def test_a_china_region_with_its_recorded_domain_passes(region):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing pending: no warning
        (d,) = _deploy(region)
    assert d.get("web_domain") == "cqt.example.cn" and config.site(d) == {
        "cell": f"x-{region}", "icp_recordal": "浙ICP备12345678号-1", "icp_url": "https://beian.miit.gov.cn/"}


@pytest.mark.parametrize("icp", ["京ICP备2020034567号", "粤ICP备12345678号-12", "京ICP证030173号"])
def test_recordal_numbers_as_miit_issues_them(icp):
    (d,) = _deploy(icp_recordal=icp)
    assert config.site(d)["icp_recordal"] == icp


@pytest.mark.parametrize("cfg,match", [
    ({"web_domain": None, "web_certificate": None, "icp_recordal": None}, "ICP-recorded domain: set web_domain, "
                                                                         "web_certificate, icp_recordal"),
    ({"icp_recordal": None}, "set icp_recordal"),
    ({"icp_recordal": "ICP备12345678号"}, "icp_recordal must be"),
    ({"icp_recordal": "浙ICP备12345678"}, "icp_recordal must be"),
    ({"icp_recordal": "浙icp备12345678号-1"}, "icp_recordal must be"),
    ({"web_certificate": "arn:aws-cn:acm:cn-north-1:111122223333:certificate/abc"}, "does not take ACM"),
    ({"web_certificate": "cert-1"}, "IAM ServerCertificateId"),
    ({"web_domain": "https://cqt.example.cn/"}, "host name"),
    ({"web_domain": "d111111abcdef8.cloudfront.cn"}, "host name"),
    ({"web_pending": True}, "remove web_pending"),
    ({"web_pending": True, "web_domain": None, "web_certificate": None}, r"now set: icp_recordal"),
])
def test_a_china_region_without_a_valid_recorded_domain_fails_synthesis(cfg, match):
    with pytest.raises(ValueError, match=match):
        _deploy(**cfg)


def test_a_pending_china_region_synthesizes_with_a_warning_and_no_footer():
    with pytest.warns(UserWarning, match="web_pending: no ICP-recorded domain"):
        (d,) = _deploy(web_pending=True, web_domain=None, web_certificate=None, icp_recordal=None)
    assert config.site(d) == {"cell": "x-cn-north-1"}


def test_web_pending_and_unknown_china_regions_are_refused_elsewhere():
    raw = config.load()
    raw["stages"] = {"x": {"regions": {"ap-east-1": {"web_pending": True}}}}
    with pytest.raises(ValueError, match="web_pending is for China regions"):
        config.deployments(raw)
    with pytest.raises(ValueError, match="AWS China regions are"):
        _deploy("cn-south-1")


def test_the_repositorys_china_regions_await_their_domain():
    """No ICP-recorded domain in the repository: dev's and prod's cn-north-1 are web_pending (and say so)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = config.deployments()
    china = [d for d in ds if d.china]
    assert china and all(d.get("web_pending") is True and not d.get("web_domain") for d in china)
    assert not any(d.get("web_pending") for d in ds if not d.china)
    pending = {str(w.message).split(":")[0] for w in caught if "web_pending" in str(w.message)}
    assert pending == {d.stack_id for d in china}


# --- residency: the settings of a China region name nothing outside China -----------------------------------------

@pytest.mark.parametrize("cfg,match", [
    ({"tenant_role_trusted_arns": ["arn:aws:iam::111122223333:role/support"]}, "ARN outside AWS China"),
    ({"web_acl_arn": "arn:aws-cn:wafv2:us-east-1:111122223333:global/webacl/x/1"}, "region us-east-1 outside"),
    ({"app_origins": ["https://cqt-media.s3.ap-east-1.amazonaws.com"]}, "region ap-east-1 outside"),
    ({"alarm_email": "ops@eu-west-1.example.com"}, "region eu-west-1 outside"),
])
def test_a_china_region_names_no_resource_or_region_outside_china(cfg, match):
    with pytest.raises(ValueError, match=match):
        _deploy(**cfg)
    (d,) = _deploy(tenant_role_trusted_arns=["arn:aws-cn:iam::111122223333:role/support"],
                   web_acl_arn="arn:aws-cn:wafv2:cn-north-1:111122223333:global/webacl/x/1")
    assert d.get("tenant_role_trusted_arns")


def test_chinese_sms_stay_on_the_mainland():
    """Phone numbers and codes go to Tencent Cloud SMS in a mainland region only (not ap-hongkong)."""
    assert set(config.SMS_REGIONS) <= {"ap-guangzhou", "ap-beijing", "ap-nanjing", "ap-shanghai", "ap-chengdu"}
    with pytest.raises(ValueError, match="sms_region"):
        _deploy(sms_region="ap-hongkong")


def test_the_china_templates_stay_in_china(synth):
    """No ARN of another partition, no region outside China, nothing that copies data elsewhere: no replication,
    no global tables, no multi-region keys or replica secrets, no backups copied away, no log subscriptions; the
    CloudFront logs go to the stack's own bucket, and recovery is the tables' point-in-time recovery in place."""
    templates = _china_templates(synth)
    assert templates
    for sid, template in templates.items():
        text = json.dumps(template, ensure_ascii=False)
        assert set(ARN_PREFIX.findall(text)) <= {"arn:aws-cn:"}, sid
        assert not config.NON_CN_REGION.search(text), (sid, config.NON_CN_REGION.search(text).group(0))
        assert ".amazonaws.com/" not in text and ".cloudfront.net" not in text, sid
        types = {r["Type"] for r in template["Resources"].values()}
        assert not types & {"AWS::DynamoDB::GlobalTable", "AWS::S3::MultiRegionAccessPoint",
                            "AWS::Logs::SubscriptionFilter", "AWS::Logs::Destination", "AWS::KMS::ReplicaKey"}, sid
        assert not any(t.startswith(("AWS::Backup::", "AWS::DMS::", "AWS::Kinesis")) for t in types), sid
        for logical_id, bucket in resources(template, "AWS::S3::Bucket").items():
            assert "ReplicationConfiguration" not in bucket["Properties"], (sid, logical_id)
        for logical_id, table in resources(template, "AWS::DynamoDB::Table").items():
            p = table["Properties"]
            assert "Replicas" not in p and "KinesisStreamSpecification" not in p, (sid, logical_id)
            assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        for logical_id, key in resources(template, "AWS::KMS::Key").items():
            assert not key["Properties"].get("MultiRegion"), (sid, logical_id)
        for logical_id, secret in resources(template, "AWS::SecretsManager::Secret").items():
            assert "ReplicaRegions" not in secret["Properties"], (sid, logical_id)
        (dist,) = resources(template, "AWS::CloudFront::Distribution").values()
        log_bucket = dist["Properties"]["DistributionConfig"]["Logging"]["Bucket"]["Fn::GetAtt"][0]
        assert template["Resources"][log_bucket]["Type"] == "AWS::S3::Bucket"  # this stack's, in this region
        for fn in resources(template, "AWS::Serverless::Function").values():
            env = fn["Properties"].get("Environment", {}).get("Variables", {})
            assert not {"AWS_REGION", "AWS_DEFAULT_REGION", "CQT_ENDPOINT_URL"} & set(env)  # the function's region


# --- services: only what exists in both China regions ---------------------------------------------------------------

def _china_resource_types() -> dict[str, set[str]]:
    """cfn-lint's resource specification of each China region (the types CloudFormation offers there)."""
    import cfnlint

    providers = Path(cfnlint.__file__).parent / "data" / "schemas" / "providers"
    return {r: set(json.loads((providers / f"{r}.json").read_text())) for r in CHINA_REGIONS}


# What SAM's transform makes of our AWS::Serverless resources ("Generated AWS CloudFormation resources" in the SAM
# developer guide); cfn-lint checks SAM templates against SAM's own schema, so the expansion is declared here. A type
# or event not listed fails the test: add what SAM generates for it.
SAM_GENERATES = {
    "AWS::Serverless::Function": {"AWS::Lambda::Function"},  # Role given: no AWS::IAM::Role from SAM
    "AWS::Serverless::Api": {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage"},
}
SAM_EVENT_GENERATES = {
    "Schedule": {"AWS::Events::Rule", "AWS::Lambda::Permission"},
    "CloudWatchEvent": {"AWS::Events::Rule", "AWS::Lambda::Permission"},  # MediaConvert's job-state events
    "DynamoDB": {"AWS::Lambda::EventSourceMapping"},
    "SQS": {"AWS::Lambda::EventSourceMapping"},
    "SNS": {"AWS::SNS::Subscription", "AWS::Lambda::Permission"},
    "Api": {"AWS::Lambda::Permission"},
}
SAM_USAGE_PLAN_GENERATES = {"AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::ApiKey", "AWS::ApiGateway::UsagePlanKey"}


def _deployed_types(template: dict) -> set[str]:
    out = set()
    for logical_id, res in template["Resources"].items():
        t = res["Type"]
        if not t.startswith("AWS::Serverless::"):
            out.add(t)
            continue
        assert t in SAM_GENERATES, f"{logical_id}: what does SAM generate for {t}?"
        out |= SAM_GENERATES[t]
        for name, event in (res["Properties"].get("Events") or {}).items():
            assert event["Type"] in SAM_EVENT_GENERATES, f"{logical_id}.{name}: what does SAM generate for it?"
            out |= SAM_EVENT_GENERATES[event["Type"]]
        if (res["Properties"].get("Auth") or {}).get("UsagePlan"):
            out |= SAM_USAGE_PLAN_GENERATES
    return out


def test_the_china_stacks_use_only_allowed_services_that_exist_in_both_china_regions(synth):
    available = _china_resource_types()
    assert all(len(types) > 500 for types in available.values())  # the real specifications
    assert all("AWS::CloudFront::Function" not in types for types in available.values())  # they do differ
    used = set()
    for sid, template in _china_templates(synth).items():
        types = _deployed_types(template)
        used |= types
        for region, offered in available.items():
            assert not types - offered, f"{sid}: not in {region}: {sorted(types - offered)}"
    namespaces = {t.split("::")[1] for t in used}
    assert namespaces <= STACK_SERVICES, f"not allowed (infra/cqt_infra/services.py): {namespaces - STACK_SERVICES}"
    assert namespaces >= STACK_SERVICES, f"allowed but unused: {STACK_SERVICES - namespaces}: keep the list exact"


def _clients_in_the_app() -> set[str]:
    found = set()
    for path in [ROOT / "app.py", *(ROOT / "chalicelib").rglob("*.py")]:
        found |= set(re.findall(r"""\bclient\(\s*["']([\w.-]+)["']""", path.read_text(encoding="utf-8")))
    return found


def test_the_app_calls_only_allowed_services_that_exist_in_both_china_regions():
    """botocore's endpoint data is the SDK's own list of where each service answers (cognito-idp, for one, is not in
    the aws-cn partition). Amazon SNS is there, but not its SMS: sms_sender=domestic in China (config.validate)."""
    import botocore.loaders

    clients = _clients_in_the_app()
    assert {"dynamodb", "kms", "s3", "secretsmanager", "sns"} <= clients  # the grep still finds them
    undeclared = clients - set(RUNTIME_SERVICES) - set(REGIONAL_RUNTIME_SERVICES)
    assert not undeclared, f"declare them in infra/cqt_infra/services.py: {undeclared}"
    partitions = {p["partition"]: p for p in botocore.loaders.Loader().load_data("endpoints")["partitions"]}
    china = partitions["aws-cn"]["services"]
    assert "cognito-idp" not in china  # the data does tell services apart
    for service in RUNTIME_SERVICES:
        assert set(CHINA_REGIONS) <= set(china.get(service, {}).get("endpoints", {})), service
    for service, regions in REGIONAL_RUNTIME_SERVICES.items():  # where listed, and only there (stack.py)
        assert set(regions) <= set(china.get(service, {}).get("endpoints", {})), service
    assert (ice_provider("cn-north-1"), ice_provider("cn-northwest-1"), ice_provider("us-east-1")) == (
        "kvs", "none", "kvs")
    for service in ("xray", "logs", "monitoring"):  # traces via the daemon, logs and EMF metrics: no client
        assert set(CHINA_REGIONS) <= set(china[service]["endpoints"]), service
    with pytest.raises(ValueError, match="SNS SMS"):
        _deploy(sms_sender="sns")


# --- a configured China region, synthesized: its domain, certificate, footer and SMS -------------------------------

@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    """One China stack (cn-northwest-1, the other region) configured as a real one would be, synthesized like the
    repository's own stages (infra/app.py, its stages file given by CQT_STAGES_FILE)."""
    tmp = tmp_path_factory.mktemp("cn")
    raw = config.load()
    raw["stages"] = {"x": {"regions": {"cn-northwest-1": {**SMS, **WEB, "directory_url": DIRECTORY_URL}}}}
    stages = tmp / "stages.json"
    stages.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    out = tmp / "cdk.out"
    proc = run_synth(out, CQT_STAGES_FILE=str(stages))
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "web_pending" not in proc.stderr and "sms_pending" not in proc.stderr
    stacks = json.loads((out / "cqt-stacks.json").read_text())
    (s,) = stacks.values()
    return out, s, json.loads((out / s["template"]).read_text())


def test_a_configured_china_stack_serves_its_recorded_domain_with_the_iam_certificate(configured):
    out, s, template = configured
    assert s["region"] == "cn-northwest-1" and s["partition"] == "aws-cn"
    (dist,) = resources(template, "AWS::CloudFront::Distribution").values()
    cfg = dist["Properties"]["DistributionConfig"]
    assert cfg["Aliases"] == ["cqt.example.cn"]
    assert cfg["ViewerCertificate"] == {"IamCertificateId": "ASCACKCEVSQ6C2EXAMPLE", "SslSupportMethod": "sni-only",
                                        "MinimumProtocolVersion": "TLSv1.2_2021"}
    env = template["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert "https://cqt.example.cn" in env["CQT_APP_ORIGINS"].split(",")
    # the app may fetch the cells' directory (directory_url) from the browser
    (headers,) = resources(template, "AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = headers["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]
    text = "".join(p if isinstance(p, str) else "<media>" for p in csp["ContentSecurityPolicy"]["Fn::Join"][1])
    assert re.search(r"; connect-src 'self' [^;]* https://d111111abcdef8\.cloudfront\.cn;", text), text
    # the footer's recordal number, served as /site.json with the web app
    site = json.loads((out / s["site"]).read_text(encoding="utf-8"))
    assert site == {"cell": "x-cn-northwest-1", "directory": DIRECTORY_URL, "icp_recordal": "浙ICP备12345678号-1",
                    "icp_url": "https://beian.miit.gov.cn/"}
    # cfn-lint against cn-northwest-1's specification (the IAM certificate override included)
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    proc = subprocess.run([str(cfn_lint), "--regions", "cn-northwest-1", "--", str(out / s["template"])],
                          capture_output=True, text=True, timeout=600, env=clean_env())
    assert proc.returncode & 3 == 0, proc.stdout[-6000:]


def test_people_sign_in_through_the_domestic_sms_in_a_configured_china_stack(configured):
    """Point 12's adapter gets what chalicelib/core/sms_tencent.py reads (its key comes from the app secret)."""
    _, _, template = configured
    for fn in ("APIHandler", "OnSubmissionsChange"):
        env = template["Resources"][fn]["Properties"]["Environment"]["Variables"]
        assert env["CQT_SMS_SENDER"] == "domestic"
        assert env["CQT_SMS_APP_ID"] == "1400123456" and env["CQT_SMS_REGION"] in config.SMS_REGIONS
        assert set(json.loads(env["CQT_SMS_TEMPLATES"])) == set(TEMPLATES)
        assert not any("secret" in k.lower() and not k.endswith("_SECRET_NAME") for k in env)  # names, no values


def test_the_repositorys_china_stacks_send_sms_domestically(synth):
    for sid, template in _china_templates(synth).items():
        for fn in resources(template, "AWS::Serverless::Function").values():
            env = fn["Properties"].get("Environment", {}).get("Variables", {})
            if "CQT_SMS_SENDER" in env:
                assert env["CQT_SMS_SENDER"] == "domestic", sid
        site = json.loads((synth.outdir / synth.stacks[sid]["site"]).read_text())
        assert site == {"cell": f"{synth.stacks[sid]['stage']}-{synth.stacks[sid]['region']}"}  # pending: no footer
