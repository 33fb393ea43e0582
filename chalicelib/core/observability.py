"""Powertools Logger (JSON), Metrics and Tracer, created once and configured by the environment
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL, POWERTOOLS_TRACE_DISABLED).

No personal data reaches a log line: call sites log ids and codes only, and a filter masks anything shaped like a
mobile or ID-card number as a second line of defence.
"""

from __future__ import annotations

import logging
import re
import time

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="cunqingtong")
metrics = Metrics(namespace="Cunqingtong", service="cunqingtong")

_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_IDNO = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def redact(text: str) -> str:
    return _PHONE.sub(r"\1****\2", _IDNO.sub(r"\1********\2", text))


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        for k, v in list(record.__dict__.items()):
            if isinstance(v, str) and k not in ("msg", "name", "levelname", "pathname", "filename", "module",
                                                 "funcName", "processName", "threadName"):
                record.__dict__[k] = redact(v)
        return True


logger.addFilter(RedactPersonalData())

_tracer = None


def tracer():
    """Created on first use: importing the X-Ray SDK is not free, and locally tracing is disabled."""
    global _tracer
    if _tracer is None:
        from aws_lambda_powertools import Tracer

        _tracer = Tracer(service="cunqingtong")
    return _tracer


def http_middleware(event, get_response):
    """One structured access line per request (no bodies, no personal data) and request metrics."""
    started = time.perf_counter()
    ctx = event.context or {}
    logger.append_keys(request_id=ctx.get("requestId", "-"), route=ctx.get("resourcePath", "-"),
                       method=event.method)
    response = get_response(event)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    tenant = logger.get_current_keys().get("tenant", "-")
    logger.info("request", extra={"status": response.status_code, "latency_ms": elapsed_ms})
    metrics.add_dimension(name="tenant", value=str(tenant))
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    if response.status_code >= 500:
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    elif response.status_code >= 400:
        metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="LatencyMs", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    metrics.flush_metrics()
    logger.remove_keys(["tenant", "roles", "request_id", "route", "method"])
    return response
