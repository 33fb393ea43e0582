"""Powertools Logger (JSON), Metrics and Tracer, created once and configured by the environment
(POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_LOG_LEVEL, POWERTOOLS_TRACE_DISABLED).

Each is created on first use (the first invocation), not when the app is imported, so that a cold start does not
import Powertools and the X-Ray SDK before a request needs them: `logger` and `metrics` stand in for the
Powertools objects, and app.py's Lambda middleware (`inject_lambda_context`, `capture_lambda_handler`) wraps the
handler with them at each invocation.

No personal data reaches a log line: call sites log ids and codes only, and a filter masks anything shaped like a
mobile or ID-card number as a second line of defence.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable
from typing import Any


class _CreatedOnFirstUse:
    """Stands in for an object made by `factory` on first attribute access (once per process)."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self.__dict__.update(_factory=factory, _made=None, _lock=threading.Lock())

    def _get(self) -> Any:
        made = self.__dict__["_made"]
        if made is None:
            with self.__dict__["_lock"]:
                made = self.__dict__["_made"]
                if made is None:
                    made = self.__dict__["_made"] = self.__dict__["_factory"]()
        return made

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._get(), name, value)


def _make_logger():
    from aws_lambda_powertools import Logger

    made = Logger(service="cunqingtong")
    made.addFilter(RedactPersonalData())
    return made


def _make_metrics():
    from aws_lambda_powertools import Metrics

    return Metrics(namespace="Cunqingtong", service="cunqingtong")


logger = _CreatedOnFirstUse(_make_logger)
metrics = _CreatedOnFirstUse(_make_metrics)

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


_tracer = None


def tracer():
    """Created on first use: importing the X-Ray SDK is not free, and locally tracing is disabled."""
    global _tracer
    if _tracer is None:
        from aws_lambda_powertools import Tracer

        _tracer = Tracer(service="cunqingtong")
    return _tracer


def inject_lambda_context(handler: Callable) -> Callable:
    """Lambda middleware (Chalice's ConvertToMiddleware): Logger.inject_lambda_context(clear_state=True)."""
    return logger.inject_lambda_context(handler, clear_state=True)


_TRUTHY = {"1", "y", "yes", "t", "true", "on"}  # as Powertools reads POWERTOOLS_TRACE_DISABLED


def capture_lambda_handler(handler: Callable) -> Callable:
    """Lambda middleware (Chalice's ConvertToMiddleware): Tracer.capture_lambda_handler. Where tracing is switched
    off (POWERTOOLS_TRACE_DISABLED, as locally), the disabled Tracer would record nothing: the handler runs as it is,
    without importing the X-Ray SDK."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").strip().lower() in _TRUTHY:
        return handler
    return tracer().capture_lambda_handler(handler)


REQUEST_METRICS = ("Requests", "ClientErrors", "ServerErrors", "LatencyMs")  # dimension `service` only


def http_middleware(event, get_response):
    """Exactly one line per request: the EMF document of its metrics, which also carries the access fields.

    Metrics: Requests, ClientErrors/ServerErrors and LatencyMs with the `service` dimension only, so they cost the
    same four custom metrics whatever the number of counties (a dimension per county would bill four per county).
    The request's fields (request_id, route, method, tenant, roles, status, latency_ms) ride in the same document as
    EMF metadata (Powertools `Metrics.add_metadata`): not metrics, but fields of the log event that CloudWatch Logs
    Insights and Contributor Insights can filter and group by (per county: `stats count(*) by tenant`). One
    `flush_metrics()` writes them all as one JSON line (not `single_metric`, which writes a line per metric). It has
    no `level`, which Lambda's application log filter reads as INFO; find the lines with `filter ispresent(Requests)`.

    Where metrics are switched off (POWERTOOLS_METRICS_DISABLED, as locally) the same fields go out as the Logger's
    INFO line "request" instead, so there is still one line. No bodies; every string field is passed through
    `redact` like the Logger's lines (a route is the resource path template, never its values)."""
    started = time.perf_counter()
    ctx = event.context or {}
    fields: dict[str, Any] = {"request_id": ctx.get("requestId", "-"), "route": ctx.get("resourcePath", "-"),
                              "method": event.method}
    logger.append_keys(**fields)  # the request's other lines (warnings, errors, business events) carry them
    response = get_response(event)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    keys = logger.get_current_keys()
    fields.update(tenant=keys.get("tenant", "-"), roles=keys.get("roles", "-"), status=response.status_code,
                  latency_ms=elapsed_ms)
    fields = {k: redact(v) if isinstance(v, str) else v for k, v in fields.items()}
    trace = os.environ.get("_X_AMZN_TRACE_ID", "")
    if "Sampled=1" in trace:  # the few requests with a trace (trace_sample_rate) name it, to go from line to trace
        fields["xray_trace_id"] = trace.split(";", 1)[0].removeprefix("Root=")
    try:
        from aws_lambda_powertools.metrics.functions import is_metrics_disabled

        if is_metrics_disabled():
            logger.info("request", extra={"status": fields["status"], "latency_ms": elapsed_ms})
        else:
            _flush_request_metrics(fields)
    finally:
        logger.remove_keys(["tenant", "roles", "request_id", "route", "method"])
    return response


def _flush_request_metrics(fields: dict[str, Any]) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    status = fields["status"]
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    if status >= 500:
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    elif status >= 400:
        metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="LatencyMs", unit=MetricUnit.Milliseconds, value=fields["latency_ms"])
    for key, value in fields.items():
        metrics.add_metadata(key=key, value=value)
    metrics.flush_metrics()
