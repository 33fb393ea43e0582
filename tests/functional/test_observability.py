import io
import json

from chalicelib.core.observability import REQUEST_METRICS, logger


def _lines(client, path, token, capsys, monkeypatch=None):
    buf = io.StringIO()
    old = logger.registered_handler.setStream(buf)
    try:
        capsys.readouterr()
        status = client.get(path, token=token).status_code
    finally:
        logger.registered_handler.setStream(old)
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in (buf.getvalue() + out).splitlines() if line.startswith("{")]
    return status, lines


def test_one_line_per_request_the_metrics_document_with_tenant_as_a_field_not_a_dimension(client, county, capsys):
    status, lines = _lines(client, "/me", county.tokens["village_admin"], capsys)
    assert status == 200
    assert len(lines) == 1, lines  # no separate "request" info line next to the metrics
    (line,) = lines
    (emf,) = line["_aws"]["CloudWatchMetrics"]
    assert emf["Dimensions"] == [["service"]]  # service-level metrics: 4 custom metrics for any number of counties
    assert {m["Name"] for m in emf["Metrics"]} == {"Requests", "LatencyMs"} <= set(REQUEST_METRICS)
    assert line["Requests"] == [1.0] or line["Requests"] == 1.0
    assert "message" not in line and "level" not in line  # Lambda reads a line without a level as INFO
    assert line["tenant"] == county.code and line["roles"] == "village_admin"  # searchable fields of the event
    assert line["status"] == 200 and line["route"] == "/me" and line["method"] == "GET" and "latency_ms" in line
    assert "request_id" in line and "xray_trace_id" not in line  # tracing is off here


def test_a_client_error_counts_as_one(client, county, capsys):
    status, lines = _lines(client, "/households/nope", county.tokens["village_admin"], capsys)
    assert status == 404
    (line,) = [x for x in lines if "_aws" in x]
    assert line["ClientErrors"] in (1.0, [1.0]) and "ServerErrors" not in line and line["status"] == 404


def test_without_metrics_the_same_fields_are_one_logger_line(client, county, capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    status, lines = _lines(client, "/me", county.tokens["village_admin"], capsys)
    assert status == 200
    (line,) = lines
    assert "_aws" not in line and line["message"] == "request" and line["tenant"] == county.code
    assert line["status"] == 200 and line["route"] == "/me" and "latency_ms" in line
