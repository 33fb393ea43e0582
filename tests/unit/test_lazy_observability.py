"""The request line and the Logger without Powertools on the request path (chalicelib/core/observability.py): the
EMF document is the one Powertools' Metrics prints, the keys appended before the Logger exists reach its lines, each
invocation starts with its Lambda context's keys, and the X-Ray SDK is loaded for sampled invocations only."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from types import SimpleNamespace

from chalicelib.core import observability
from tests.conftest import ROOT


def _json_lines(text: str) -> list[dict]:
    return [json.loads(x) for x in text.splitlines() if x.startswith("{")]


def test_the_request_line_is_the_document_powertools_metrics_prints(capsys, monkeypatch):
    from aws_lambda_powertools import Metrics
    from aws_lambda_powertools.metrics import MetricUnit

    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    fields = {"request_id": "r-1", "route": "/me", "method": "GET", "tenant": "330825", "roles": "villager",
              "status": 404, "latency_ms": 12.5}
    capsys.readouterr()
    observability._flush_request_metrics(dict(fields))
    (ours,) = _json_lines(capsys.readouterr().out)

    theirs = Metrics(namespace=observability.NAMESPACE, service=observability.SERVICE)
    theirs.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    theirs.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
    theirs.add_metric(name="LatencyMs", unit=MetricUnit.Milliseconds, value=12.5)
    for k, v in fields.items():
        theirs.add_metadata(key=k, value=v)
    theirs.flush_metrics()
    (powertools,) = _json_lines(capsys.readouterr().out)

    for doc in (ours, powertools):
        doc["_aws"].pop("Timestamp")
    assert ours == powertools
    assert list(ours) == list(powertools)  # the same order of keys, so the same bytes are logged


def test_keys_appended_before_the_logger_exists_reach_its_first_line():
    buf = io.StringIO()

    def make():
        from aws_lambda_powertools import Logger

        return Logger(service="test-lazy", logger_handler=__import__("logging").StreamHandler(buf))

    lazy = observability._LoggerOnFirstLine(make)
    lazy.append_keys(tenant="330825", roles="villager", gone="x")
    lazy.remove_keys(["gone"])
    assert lazy.__dict__["_made"] is None  # keys alone do not make it
    assert lazy.get_current_keys() == {"tenant": "330825", "roles": "villager"}
    lazy.warning("something to say")
    (line,) = _json_lines(buf.getvalue())
    assert line["tenant"] == "330825" and line["roles"] == "villager" and "gone" not in line
    assert line["message"] == "something to say"
    lazy.remove_keys(["roles"])  # from now on, the Logger's own keys
    assert "roles" not in lazy.get_current_keys() and lazy.get_current_keys()["tenant"] == "330825"


def test_each_invocation_starts_with_its_lambda_context_keys(monkeypatch):
    lazy = observability._LoggerOnFirstLine(lambda: (_ for _ in ()).throw(AssertionError("made")))
    monkeypatch.setattr(observability, "logger", lazy)
    monkeypatch.setattr(observability, "_cold_start", True)
    seen = []

    def handler(event, context):
        seen.append(lazy.get_current_keys())
        lazy.append_keys(tenant="330825")  # a request's own key: gone at the next invocation
        return "ok"

    for rid in ("req-1", "req-2"):
        context = SimpleNamespace(function_name="fn", memory_limit_in_mb=1024, aws_request_id=rid,
                                  invoked_function_arn="arn:aws:lambda:cn-north-1:123456789012:function:fn")
        assert observability.inject_lambda_context(handler)({}, context) == "ok"
    assert seen[0] == {"cold_start": True, "function_name": "fn", "function_memory_size": 1024,
                       "function_arn": "arn:aws:lambda:cn-north-1:123456789012:function:fn",
                       "function_request_id": "req-1"}
    assert seen[1]["cold_start"] is False and seen[1]["function_request_id"] == "req-2" and "tenant" not in seen[1]


FRESH = """
import json, sys
sys.path.insert(0, sys.argv[1])
import app

class Ctx:
    function_name = "api"; function_version = "$LATEST"; memory_limit_in_mb = 1024; aws_request_id = "r-1"
    invoked_function_arn = "arn:aws:lambda:cn-north-1:123456789012:function:api"
    log_group_name = log_stream_name = "api"
    def get_remaining_time_in_millis(self): return 29000

event = {"resource": "/health", "path": "/health", "httpMethod": "GET", "headers": {}, "multiValueHeaders": {},
         "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
         "stageVariables": None, "body": None, "isBase64Encoded": False,
         "requestContext": {"resourcePath": "/health", "httpMethod": "GET", "requestId": "r-1", "path": "/api/health",
                            "stage": "api", "identity": {"sourceIp": "127.0.0.1"}}}
status = app.app(event, Ctx())["statusCode"]
print(json.dumps({"status": status, "loaded": [m for m in ("aws_lambda_powertools", "aws_xray_sdk")
                                               if m in sys.modules]}))
"""


def _health_in_a_fresh_process(sampled: bool) -> tuple[dict, list[dict]]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("POWERTOOLS_")}
    env.update({"POWERTOOLS_SERVICE_NAME": "cunqingtong", "POWERTOOLS_LOG_LEVEL": "INFO",
                "AWS_LAMBDA_FUNCTION_NAME": "api", "LAMBDA_TASK_ROOT": str(ROOT),
                "_X_AMZN_TRACE_ID": f"Root=1-6756c2a1-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;"
                                    f"Sampled={int(sampled)}"})  # metrics and tracing on, as the prod stage
    out = subprocess.run([sys.executable, "-c", FRESH, str(ROOT)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = _json_lines(out.stdout)
    return lines[-1], lines[:-1]


def test_a_request_that_logs_nothing_loads_neither_powertools_nor_the_xray_sdk():
    got, lines = _health_in_a_fresh_process(sampled=False)
    assert got == {"status": 200, "loaded": []}
    (line,) = lines  # its one line: the EMF document
    assert line["route"] == "/health" and line["status"] == 200 and line["Requests"] == [1.0]


def test_a_sampled_invocation_is_traced():
    got, lines = _health_in_a_fresh_process(sampled=True)
    assert got["status"] == 200 and "aws_xray_sdk" in got["loaded"]
    assert [x["route"] for x in lines if "_aws" in x] == ["/health"]
