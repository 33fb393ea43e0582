"""observability.http_middleware: one line per request, lean and free of personal data whatever it is given."""

import json
from types import SimpleNamespace

import pytest

from chalicelib.core import observability

PHONE, IDNO = "13812345678", "110101199003070019"


def _run(capsys, status=200, trace=None, monkeypatch=None):
    if trace is not None:
        monkeypatch.setenv("_X_AMZN_TRACE_ID", trace)
    event = SimpleNamespace(method="GET", context={"requestId": f"req-{PHONE}", "resourcePath": f"/x/{IDNO}"})
    capsys.readouterr()
    observability.logger.append_keys(tenant=PHONE, roles="villager")  # as http.py does, here with a bad value
    response = observability.http_middleware(event, lambda _e: SimpleNamespace(status_code=status))
    assert response.status_code == status
    return [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]


def test_phone_and_id_numbers_never_reach_the_line(capsys):
    (line,) = _run(capsys)
    text = json.dumps(line)
    assert PHONE not in text and IDNO not in text
    assert line["route"] == "/x/110101********0019" and line["tenant"] == "138****5678"
    assert observability.logger.get_current_keys().get("tenant") is None  # the request's keys are removed


@pytest.mark.parametrize(("status", "counted"), [(500, "ServerErrors"), (429, "ClientErrors")])
def test_errors_are_counted_in_the_same_line(capsys, status, counted):
    (line,) = _run(capsys, status)
    names = {m["Name"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert names == {"Requests", counted, "LatencyMs"}
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]


def test_a_sampled_request_names_its_trace_and_an_unsampled_one_does_not(capsys, monkeypatch):
    (line,) = _run(capsys, trace="Root=1-6756c2a1-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1",
                   monkeypatch=monkeypatch)
    assert line["xray_trace_id"] == "1-6756c2a1-0123456789abcdef01234567"
    (line,) = _run(capsys, trace="Root=1-6756c2a1-0123456789abcdef01234568;Parent=53995c3f42cd8ad8;Sampled=0",
                   monkeypatch=monkeypatch)
    assert "xray_trace_id" not in line
