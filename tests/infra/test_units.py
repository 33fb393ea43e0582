"""Pure parts of the CDK app: stage configuration, function plans, the rotation handler, the package slimmer."""

from __future__ import annotations

import importlib.util
import json
import marshal
import types
import zipfile

import pytest
from cqt_infra import config
from cqt_infra.functions import plan_functions
from cqt_infra.package import slim_zip


def _raw(**region_cfg):
    from chalicelib.core.sms_templates import TEMPLATES

    sms = {"sms_app_id": "1400123456", "sms_templates": {t: str(2100000 + i) for i, t in enumerate(TEMPLATES)}}
    web = {"web_domain": "cqt.example.cn", "web_certificate": "ASCACKCEVSQ6C2EXAMPLE",
           "icp_recordal": "浙ICP备12345678号-1"}
    raw = config.load()
    raw["stages"] = {"x": {"regions": {"cn-north-1": {**sms, **web, **region_cfg}}}}  # a configured China region
    return raw


def test_config_merges_defaults_stage_and_region():
    (d,) = config.deployments(stage="prod", region="cn-north-1")
    assert d.china and d.partition == "aws-cn" and d.prefix == "cqt-prod"
    assert d.get("deletion_protection") is True
    assert d.per_function("reserved_concurrency", "api_handler") > 0
    (dev,) = config.deployments(stage="dev", region="ap-east-1")
    assert not dev.china and dev.get("deletion_protection") is False


def test_china_refuses_sns_sms():
    with pytest.raises(ValueError, match="SNS SMS"):
        config.deployments(_raw(sms_sender="sns"))
    assert config.deployments(_raw(sms_sender="domestic"))


def test_logs_are_kept_six_months_at_least():
    with pytest.raises(ValueError, match="180"):
        config.deployments(_raw(sms_sender="domestic", log_retention_days=30))


@pytest.mark.parametrize("level", ["WARNING", "WARN", "ERROR"])
def test_a_stage_logs_at_info_or_below_so_lambda_keeps_the_request_line(level):
    # Lambda's ApplicationLogLevel drops lines below it: above INFO the request line (with its metrics) would go.
    with pytest.raises(ValueError, match="log_level"):
        config.deployments(_raw(sms_sender="domestic", log_level=level))
    assert config.deployments(_raw(sms_sender="domestic", log_level="INFO"))


def test_api_tracing_is_a_lambda_tracing_mode():
    with pytest.raises(ValueError, match="api_tracing"):
        config.deployments(_raw(sms_sender="domestic", api_tracing="Sampled"))
    (prod,) = config.deployments(stage="prod", region="cn-north-1")
    assert prod.get("api_tracing") == "PassThrough"  # HTTP APIs pass no decision: Active would be 1/s + 5 %


@pytest.mark.parametrize("change, match", [
    ({"tenant_rate_limit": {"default": 1000, "window_s": 5, "request_ms": 100}}, "tenant_rate_limit.default"),
    ({"api_throttle": {"rate": 5000, "burst": 5000}}, "api_throttle.rate"),
    ({"tenant_rate_limit": {"default": 10, "window_s": 0, "request_ms": 100}}, "window_s"),
    ({"tenant_rate_limit": {"request_ms": 0}}, "request_ms > 0"),
])
def test_county_limits_and_the_stage_throttle_fit_the_api_functions_reserved_concurrency(change, match):
    with pytest.raises(ValueError, match=match):
        config.deployments(_raw(sms_sender="domestic", **change))
    for d in config.deployments():
        t, reserved = d.get("tenant_rate_limit"), d.per_function("reserved_concurrency", "api_handler")
        assert t["default"] * t["request_ms"] / 1000 <= reserved
        assert d.get("api_throttle")["rate"] * t["request_ms"] / 1000 <= reserved


def _sam(**functions):
    return {"Resources": {k: {"Type": "AWS::Serverless::Function", "Properties": p} for k, p in functions.items()}}


def test_function_plans_pick_failure_handling_by_invocation():
    sam = _sam(APIHandler={"Handler": "app.app"},
               OnAlert={"Handler": "app.on_alert", "Events": {"e": {"Type": "SNS"}}},
               Counters={"Handler": "chalicelib.x.events.counters", "Events": {"s": {"Type": "DynamoDB"}}})
    caps = {"api_handler": frozenset(), "on_alert": frozenset(), "counters": frozenset()}
    plans = {p.name: p for p in plan_functions(sam, caps)}
    assert not plans["api_handler"].asynchronous and not plans["api_handler"].stream_events
    assert plans["on_alert"].asynchronous
    assert plans["counters"].stream_events == ("s",)


def test_a_queue_handler_is_planned_with_its_queue_events():
    sam = _sam(APIHandler={"Handler": "app.app"},
               Worker={"Handler": "chalicelib.core.jobs.run_jobs", "Events": {"q": {"Type": "SQS"}}})
    plans = {p.name: p for p in plan_functions(sam, {"api_handler": frozenset(),
                                                     "run_jobs": frozenset({"jobs:receive"})})}
    assert plans["run_jobs"].queue_events == ("q",)
    assert not plans["run_jobs"].asynchronous and not plans["run_jobs"].stream_events


def test_a_new_handler_must_declare_what_it_may_access():
    sam = _sam(APIHandler={"Handler": "app.app"}, Nightly={"Handler": "app.nightly"})
    with pytest.raises(ValueError, match="CAPABILITIES"):
        plan_functions(sam)


def test_rotation_draws_token_key_and_keeps_blind_index_key():
    import importlib.util

    from .conftest import INFRA

    spec = importlib.util.spec_from_file_location("rotate_secret", INFRA / "rotation" / "rotate_secret.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    first = mod.next_value({"token_key": "generated-by-cloudformation"})
    assert first["blind_index_key"] and first["token_key"] != "generated-by-cloudformation"
    second = mod.next_value(first)
    assert second["blind_index_key"] == first["blind_index_key"]  # blind indexes stay valid
    assert first["refresh_key"] and second["refresh_key"] == first["refresh_key"]  # sessions stay valid
    assert second["token_key"] != first["token_key"]
    assert all(len(second[k]) >= 32 for k in mod.KEYS)


def test_slim_zip_drops_what_the_runtime_provides(tmp_path):
    path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(path, "w") as z:
        for name in ("app.py", "chalicelib/core/db.py", "botocore/client.py", "botocore-1.0.dist-info/METADATA",
                     "boto3/__init__.py", "six.py", "python_dateutil-2.9.dist-info/RECORD", "pynamodb/models.py",
                     "jwt/__pycache__/x.cpython-311.pyc", "urllib3/__init__.py"):
            z.writestr(name, f"NAME = {json.dumps(name)}\n")
    zipped, unzipped = slim_zip(path)
    with zipfile.ZipFile(path) as z:
        # The app keeps its sources beside unchecked-hash bytecode; a dependency ships its bytecode alone.
        assert sorted(z.namelist()) == ["__pycache__/app.cpython-311.pyc", "app.py",
                                        "chalicelib/core/__pycache__/db.cpython-311.pyc", "chalicelib/core/db.py",
                                        "pynamodb/models.pyc"]
        pyc = z.read("pynamodb/models.pyc")
    assert zipped == path.stat().st_size and unzipped > 0
    assert pyc[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(pyc[4:8], "little") == 0b01  # unchecked hash
    module = types.ModuleType("models")  # the bytecode runs, and names its file where Lambda unpacks the zip
    code = marshal.loads(pyc[16:])
    exec(code, module.__dict__)
    assert module.NAME == "pynamodb/models.py" and code.co_filename == "/var/task/pynamodb/models.py"


def test_the_http_api_front_rewrites_chalices_template():
    """front.py: the REST API and its permissions go, the handlers become the HTTP API adapter and authorizer, the
    signin function is the API function again, and the public and sign-in routes are what Chalice declared."""
    from cqt_infra.front import http_api_template
    from cqt_infra.functions import CAPABILITIES

    auth = {"security": [{"token_authorizer": []}]}
    sam = {"Resources": {
        "APIHandler": {"Type": "AWS::Serverless::Function", "Properties": {"Handler": "app.app", "MemorySize": 1}},
        "TokenAuthorizer": {"Type": "AWS::Serverless::Function",
                            "Properties": {"Handler": "chalicelib.core.auth.authorizer.token_authorizer"}},
        "RestAPI": {"Type": "AWS::Serverless::Api", "Properties": {"DefinitionBody": {"paths": {
            "/health": {"get": {}}, "/me": {"get": auth}, "/auth/token": {"post": {}},
            "/auth/switch": {"post": auth}, "/open311/v2/services/{service}": {"get": {}, "x-amazon-x": {}}}}}},
        "APIHandlerInvokePermission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "SourceArn": {"Fn::Sub": ["…${RestAPIId}/*", {"RestAPIId": {"Ref": "RestAPI"}}]}}},
    }, "Outputs": {"RestAPIId": {}, "EndpointURL": {}, "APIHandlerArn": {}}}
    out, public, signed_in_auth = http_api_template(sam)
    res = out["Resources"]
    assert set(res) == {"APIHandler", "TokenAuthorizer", "SigninHandler"}
    assert res["APIHandler"]["Properties"]["Handler"] == "chalicelib.core.httpapi.handler"
    assert res["SigninHandler"]["Properties"] == res["APIHandler"]["Properties"]
    assert res["TokenAuthorizer"]["Properties"]["Handler"] == "chalicelib.core.httpapi.authorizer"
    assert set(out["Outputs"]) == {"APIHandlerArn"}
    assert public == [("GET", "/health"), ("GET", "/open311/v2/services/{service}")]
    assert signed_in_auth == [("POST", "/auth/switch")]
    plans = {p.logical_id: p.name for p in plan_functions(out)}
    assert plans == {"APIHandler": "api_handler", "TokenAuthorizer": "token_authorizer", "SigninHandler": "signin"}
    assert "signing" in CAPABILITIES["signin"] and "signing" not in CAPABILITIES["token_authorizer"]
    assert "RestAPI" in sam["Resources"]  # the input is left as it was
