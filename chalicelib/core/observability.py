"""Powertools Logger (JSON) and Tracer, created once and configured by the environment (POWERTOOLS_SERVICE_NAME,
POWERTOOLS_LOG_LEVEL, POWERTOOLS_TRACE_DISABLED), and the one line per request (an EMF document).

Nothing here imports Powertools before a line is logged: a request that logs nothing but its request line (most
of them) never imports it, which keeps Powertools (and the botocore it imports for its user agent) out of a cold
start (bench/cold_start.py). `logger` stands in for the Powertools Logger: it is made when a line is first logged,
and keeps the keys appended before that (the Lambda context's, the request's) to hand them over then. The request
line is the EMF document Powertools' Metrics would print, written here. app.py's Lambda middleware
(`inject_lambda_context`, `capture_lambda_handler`) wraps the handler at each invocation.

No personal data reaches a log line: call sites log ids and codes only, and a filter masks anything shaped like a
mobile or ID-card number as a second line of defence.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
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
                    made = self.__dict__["_made"] = self._create()
        return made

    def _create(self) -> Any:
        """Make the object (called once, under the lock)."""
        return self.__dict__["_factory"]()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._get(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._get(), name, value)


class _LoggerOnFirstLine(_CreatedOnFirstUse):
    """The Powertools Logger, made when it is first used for anything but its keys: until then the keys appended,
    removed, read or cleared are kept here, and handed to the Logger when it is made."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        super().__init__(factory)
        self.__dict__["_keys"] = {}

    def _create(self) -> Any:
        made = self.__dict__["_factory"]()
        if self.__dict__["_keys"]:
            made.append_keys(**self.__dict__["_keys"])
            self.__dict__["_keys"] = {}
        return made

    def append_keys(self, **keys: Any) -> None:
        with self.__dict__["_lock"]:
            made = self.__dict__["_made"]
            if made is None:
                self.__dict__["_keys"].update(keys)
                return
        made.append_keys(**keys)

    def remove_keys(self, keys: Iterable[str]) -> None:
        with self.__dict__["_lock"]:
            made = self.__dict__["_made"]
            if made is None:
                for k in keys:
                    self.__dict__["_keys"].pop(k, None)
                return
        made.remove_keys(keys)

    def get_current_keys(self) -> dict[str, Any]:
        made = self.__dict__["_made"]
        return dict(self.__dict__["_keys"]) if made is None else made.get_current_keys()

    def clear_state(self) -> None:
        with self.__dict__["_lock"]:
            made = self.__dict__["_made"]
            if made is None:
                self.__dict__["_keys"] = {}
                return
        made.clear_state()


def _make_logger():
    from aws_lambda_powertools import Logger

    made = Logger(service="cunqingtong")
    made.addFilter(RedactPersonalData())
    return made


logger = _LoggerOnFirstLine(_make_logger)

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


_cold_start = True


def inject_lambda_context(handler: Callable) -> Callable:
    """Lambda middleware (Chalice's ConvertToMiddleware): what Powertools' Logger.inject_lambda_context(
    clear_state=True) does, without making the Logger: each invocation's lines carry only the keys of its Lambda
    context (and cold_start), as Powertools names them."""

    @functools.wraps(handler)
    def wrapped(event, context, *args, **kwargs):
        global _cold_start
        cold, _cold_start = _cold_start, False
        logger.clear_state()
        logger.append_keys(cold_start=cold, function_name=context.function_name,
                           function_memory_size=context.memory_limit_in_mb, function_arn=context.invoked_function_arn,
                           function_request_id=context.aws_request_id)
        return handler(event, context, *args, **kwargs)

    return wrapped


_TRUTHY = {"1", "y", "yes", "t", "true", "on"}  # as Powertools reads its switches (POWERTOOLS_TRACE_DISABLED, ...)


def _switch(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in _TRUTHY


def capture_lambda_handler(handler: Callable) -> Callable:
    """Lambda middleware (Chalice's ConvertToMiddleware): Tracer.capture_lambda_handler, for the invocations X-Ray
    samples. The handler runs as it is, without importing the X-Ray SDK, where tracing is switched off
    (POWERTOOLS_TRACE_DISABLED, as locally) and for an invocation that is not sampled (the trace header Lambda sets
    for each invocation, _X_AMZN_TRACE_ID, says Sampled=0: all but the stage's sampled share, 1 %), for which the
    Tracer would record nothing, until the container's first sampled invocation has made the Tracer: importing the
    X-Ray SDK and Powertools' Tracer and patching botocore costs a cold start about 200 ms of CPU
    (bench/cold_start.py), which the unsampled 99 % no longer pay."""
    if _switch("POWERTOOLS_TRACE_DISABLED"):
        return handler
    if _tracer is None and "Sampled=0" in os.environ.get("_X_AMZN_TRACE_ID", ""):
        return handler
    return tracer().capture_lambda_handler(handler)


REQUEST_METRICS = ("Requests", "ClientErrors", "ServerErrors", "LatencyMs")
DIMENSIONS = ("service",)  # of every request metric (bench/cost.py prices a custom metric per dimension value)
SERVICE, NAMESPACE = "cunqingtong", "Cunqingtong"


def metrics_disabled() -> bool:
    """As Powertools decides it: POWERTOOLS_METRICS_DISABLED, or POWERTOOLS_DEV when that one is not set."""
    if "POWERTOOLS_METRICS_DISABLED" in os.environ:
        return _switch("POWERTOOLS_METRICS_DISABLED")
    return _switch("POWERTOOLS_DEV")


def http_middleware(event, get_response):
    """Exactly one line per request: the EMF document of its metrics, which also carries the access fields.

    Metrics: Requests, ClientErrors/ServerErrors and LatencyMs with the `service` dimension only, so they cost the
    same four custom metrics whatever the number of counties (a dimension per county would bill four per county).
    The request's fields (request_id, route, method, tenant, roles, status, latency_ms) ride in the same document as
    EMF metadata (as Powertools' `Metrics.add_metadata` puts them): not metrics, but fields of the log event that
    CloudWatch Logs Insights and Contributor Insights can filter and group by (per county: `stats count(*) by
    tenant`). The document is the one Powertools' `Metrics.flush_metrics()` prints, written here without importing
    Powertools (`_flush_request_metrics`): one JSON line on stdout. It has no `level`, which Lambda's application log
    filter reads as INFO; find the lines with `filter ispresent(Requests)`.

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
        if metrics_disabled():
            logger.info("request", extra={"status": fields["status"], "latency_ms": elapsed_ms})
        else:
            _flush_request_metrics(fields)
    finally:
        logger.remove_keys(["tenant", "roles", "request_id", "route", "method"])
    return response


def _flush_request_metrics(fields: dict[str, Any]) -> None:
    """The EMF document of the request's metrics, as Powertools' Metrics(namespace=NAMESPACE, service=SERVICE)
    prints it after add_metric/add_metadata: the `service` dimension, the metadata, each metric's values as a list."""
    status = fields["status"]
    values = [("Requests", "Count", 1.0)]
    if status >= 500:
        values.append(("ServerErrors", "Count", 1.0))
    elif status >= 400:
        values.append(("ClientErrors", "Count", 1.0))
    values.append(("LatencyMs", "Milliseconds", float(fields["latency_ms"])))
    document = {"_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
        "Namespace": NAMESPACE, "Dimensions": [list(DIMENSIONS)],
        "Metrics": [{"Name": name, "Unit": unit} for name, unit, _ in values]}]},
        "service": SERVICE, **fields, **{name: [value] for name, _, value in values}}
    print(json.dumps(document, separators=(",", ":")))
