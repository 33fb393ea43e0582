"""What one county's month costs on AWS: a model built from what the app's screens really call, at list prices.

    .venv/bin/python bench/cost.py                         # a Longyou-sized county (about 2 minutes)
    .venv/bin/python bench/cost.py --households 20000 --staff 400

How it works:

1. **Measured**, in this process, on the embedded AWS with the configuration the prod stage deploys (log level
   INFO, metrics on): each *flow* — what a person does, as the app's screens request it (the requests are listed
   with each flow below) — is run several times. For every request: the API Gateway request, the authorizer, the
   Lambda invocation and its own time (wall time minus the time spent inside AWS calls, which here is the embedded
   AWS's), every AWS call by service and operation (botocore event hooks), DynamoDB read and write units (estimated
   from item sizes with DynamoDB's rounding, indexes included: bench/_common.py `Capacity`), the DynamoDB stream
   handlers' invocations and calls on what the request wrote, the bytes of the answer (gzip, as CloudFront sends
   it) and the bytes the function logged (Powertools log lines and EMF metrics, counted on stdout). Photos go
   from the phone straight to S3 (presigned POST): one S3 PUT each. The *schedules* flow is one tick of the local
   event runner: each scheduled handler, which only fans its job out on the jobs queue (one SQS message per county,
   or per township of a large one: chalicelib/core/jobs.py), then every invocation of the queue's worker that runs
   those jobs, all counted as scheduled invocations; the runner's ReceiveMessage/DeleteMessage calls stand for the
   event source mapping's, which SQS bills alike (its idle long polls, a few cents a month, are left out).
2. **Cold containers**: the same flows with every in-process cache emptied (secrets, KMS data keys, county and
   settings caches) give what a new container pays once more; a TTL'd cache pays that again each TTL.
3. **Modelled** (parameters below, printed with the results): a month of a county — every household opens the app
   and reports each morning, a share opens it once more, staff use the console and the field app, cases are
   filed and handled, schedules tick — times the measured flows, plus what is per container (cold starts, cache
   refreshes over the hours containers live), per month (KMS key, secrets, alarms, custom metrics, storage) and
   per request outside the function (API Gateway, CloudFront, access logs, X-Ray traces, Lambda platform log
   lines). Lambda duration = own time + each AWS call × a typical in-region latency (LATENCY_MS). What the prod
   stage configures is read from infra/ (`deployed()`): memory, log level, whether Lambda's START/END/REPORT lines
   are kept (SystemLogLevel), the API functions' tracing (`api_tracing`: HTTP APIs pass no sampling decision, so
   PassThrough traces no API request and Active is Lambda's own 1 a second + 5 %; the REST API variant is priced
   with the sampling rule it had, 1 % without reservoir); stream and scheduled handlers are traced as Lambda samples
   them (1 a second + 5 %); custom metrics as chalicelib/core/observability.py emits them (per county only if it adds
   a tenant dimension); the per-county limiter's shared-counter writes (chalicelib/core/throttle.py: one WRU per
   container over its share of the county's allowance and window, `limiter()`) and the per-county alarms'
   Contributor Insights rules (three, on the access log).
4. **Priced** with public list prices (PRICES: us-east-1, USD; other regions differ by roughly 10–30 %, the China
   regions are billed in CNY by the local operators), per service, with the top drivers (flow × service), and
   for the choices of issue 13: REST API vs HTTP API, x86_64 vs arm64, API through CloudFront or on its own.

Writes bench/results/cost.md and bench/results/cost.json. SMS is left out (priced per message by the provider).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import io
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, ROOT, Hooks, lift_tipoff_limit, log, start_stack, stop_stack  # noqa: E402

# --- public list prices, us-east-1, USD (aws.amazon.com/<service>/pricing, as of 2026) ---------------------------
PRICES = {
    "apigw_rest_per_m": 3.50,  # REST API, first 333 million requests a month
    "apigw_http_per_m": 1.00,  # HTTP API, first 300 million (per 512 KB)
    "lambda_req_per_m": 0.20,
    "lambda_gbs_x86": 0.0000166667,
    "lambda_gbs_arm": 0.0000133334,
    "ddb_wru_per_m": 0.625,  # on-demand, since November 2024
    "ddb_rru_per_m": 0.125,
    "ddb_storage_gb": 0.25,
    "ddb_pitr_gb": 0.20,
    "kms_per_10k": 0.03,
    "kms_key_month": 1.00,
    "logs_ingest_gb": 0.50,
    "logs_store_gb": 0.03,
    "metric_month": 0.30,  # a custom metric (a name with one set of dimension values)
    "alarm_month": 0.10,
    "xray_per_m_traces": 5.00,
    "ci_rule_month": 0.50,  # a CloudWatch Contributor Insights rule on logs
    "ci_events_per_m": 0.02,  # log events matched by a Contributor Insights rule
    "cf_https_per_10k": 0.0100,  # price class 100 (North America / Europe edges)
    "cf_out_gb": 0.085,
    "s3_put_per_k": 0.005,
    "s3_get_per_k": 0.0004,
    "s3_gb_month": 0.023,
    "sns_publish_per_m": 0.50,
    "sqs_per_m": 0.40,
    "secret_month": 0.40,
    "secrets_per_10k": 0.05,
}
BATCH = 20  # mornings measured together, their stream records drained as one batch
LATENCY_MS = {"dynamodb": 6, "kms": 8, "s3": 15, "sns": 12, "sqs": 10, "secretsmanager": 15, "sts": 20}
ACCESS_LOG_LINE = 330  # bytes: infra ACCESS_LOG_FORMAT with real values (ids, time, ip, route, status, latencies)
PLATFORM_LOG_LINES = 320  # bytes per invocation: Lambda's START, END and REPORT lines, where SystemLogLevel keeps them
# Lambda samples the invocations that arrive without an upstream decision (stream and scheduled handlers) itself:
# 1 a second and 5 % of the rest, not configurable for Lambda (the stage's sampling rule governs API requests only).
LAMBDA_TRACE_RESERVOIR_PER_S, LAMBDA_TRACE_RATE = 1, 0.05
AUTHORIZER_MS, AUTHORIZER_TTL_S = 8, 300
REST_TRACE_RATE = 0.01  # the REST API stage's sampling rule before issue 13 (no reservoir)
INSIGHT_RULES = 3  # infra _tenant_alarms: a county's 5xx, 429 and requests (the requests rule matches every line)
# A container's init (Python start, import app, first request's set-up), CPU ms at a full vCPU: GET /me as deployed
# in bench/results/cold_start.md. Lambda bills the init phase of managed runtimes since August 2025.
INIT_CPU_MS = 575
FULL_VCPU_MB = 1769  # Lambda gives a function CPU in proportion to memory: one full vCPU at 1,769 MB
MEMORY_SIZES = (256, 512, 1024, 1769)  # chalicelib/core/auth/authorizer.py: cached per token for 300 s


@dataclass
class County:
    """A county's month. Defaults: Longyou (龙游县), the source article's county."""
    households: int = 130_000
    staff: int = 2_000
    grid_workers: int = 1_600  # of the staff: use the field app daily
    office_staff: int = 400  # of the staff: use the console on working days
    second_opens: float = 0.3  # app opens a day per household besides the morning report (inbox, cases)
    signins_per_household: float = 0.2  # SMS sign-ins a month per household (a refresh token lives 30 days)
    snaps: int = 2_000  # cases a month
    letters: int = 300
    tipoffs: int = 100
    photos_per_snap: int = 2
    photo_kb: int = 250
    days: int = 30
    working_days: int = 22
    morning_hours: float = 2.0  # most reports arrive between 7 and 9
    active_hours: float = 14.0  # hours a day with any traffic
    report_bytes_kept_months: int = 12  # health reports kept (issue 17: a county's retention setting)
    counties_per_stage: int = 1  # shares of the stage's fixed costs (key, alarms, secrets, X-Ray reservoir)


@dataclass
class Tally:
    """What some requests cost, summed."""
    requests: int = 0  # API Gateway requests
    unauthorized: int = 0  # of which answered 401 by the authorizer (no Lambda)
    tokens: int = 0  # distinct access tokens (authorizer invocations, cached 300 s per token)
    invocations: int = 0  # API Lambda invocations
    own_s: float = 0.0  # the function's own time, AWS calls excluded
    calls: collections.Counter = field(default_factory=collections.Counter)  # "service:Op" -> n
    rru: float = 0.0
    wru: float = 0.0
    stream_invocations: int = 0
    stream_own_s: float = 0.0
    answer_gz: int = 0  # bytes of the answers, gzip
    log_bytes: int = 0
    s3_uploads: int = 0  # straight from the phone (presigned POST)
    schedule_invocations: int = 0
    kept_bytes: float = 0.0  # DynamoDB bytes it leaves that do not expire (items + index copies + 100 B overhead)
    decrypts_fresh: float = 0.0  # KMS Decrypt calls when the container has met none of the data keys it reads
    statuses: collections.Counter = field(default_factory=collections.Counter)

    def add(self, o: Tally, times: float = 1.0) -> None:
        for f in fields(self):
            v = getattr(o, f.name)
            if isinstance(v, dict):
                getattr(self, f.name).update({kk: vv * times for kk, vv in v.items()})
            else:
                setattr(self, f.name, getattr(self, f.name) + v * times)

    def scaled(self, times: float) -> Tally:
        t = Tally()
        t.add(self, times)
        return t

    def aws_ms(self) -> float:
        return sum(n * LATENCY_MS.get(k.split(":")[0], 10) for k, n in self.calls.items())


class CountingSink(io.TextIOBase):
    """stdout while measuring: counts the bytes the function writes (Powertools' log lines and EMF metrics)."""
    def __init__(self):
        self.bytes = 0

    def write(self, s: str) -> int:
        self.bytes += len(s.encode())
        return len(s)

    def writable(self) -> bool:
        return True


class Meter:
    """Counts every AWS call (any service) made by a request or by the stream handlers it triggers, with the time
    spent inside the calls, on top of bench/_common.py Hooks (DynamoDB calls and capacity)."""

    def __init__(self, hooks: Hooks, sink: CountingSink):
        self.hooks, self.sink = hooks, sink
        self.runner = self.api = None
        self.tally: Tally | None = None
        self.in_aws = 0.0
        self.tokens: set[str] = set()
        self.stream_invocations = 0

    def install(self) -> None:
        import botocore.session

        original = botocore.session.Session.create_client
        meter = self

        def create_client(session, service_name, *args, **kwargs):
            c = original(session, service_name, *args, **kwargs)
            c.meta.events.register("before-call", meter._before)
            c.meta.events.register("after-call", meter._after)
            return c

        botocore.session.Session.create_client = create_client

    def watch_runner(self) -> None:
        invoke = self.runner._invoke

        def wrapped(name, event):
            self.stream_invocations += 1
            return invoke(name, event)

        self.runner._invoke = wrapped

    def _counting(self) -> bool:
        """Inside a measured request, or inside a stream handler while draining (not the local runner's own
        stream reads, which are Lambda's event source mapping in AWS and free)."""
        return self.tally is not None and (self.in_request or (self._draining and self.hooks.in_handler))

    _draining = False
    in_request = False
    fresh_keys = False
    defer_stream = False  # leave the stream's records for one drain after several requests (a batch)

    def _before(self, model, context, **_):
        if self._counting():
            context["cost_t0"] = time.perf_counter()
            self.tally.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def _after(self, model, context, **_):
        t0 = context.get("cost_t0")
        if t0 is not None:
            self.in_aws += time.perf_counter() - t0

    def request(self, method: str, path: str, body=None, token: str | None = None, headers: dict | None = None,
                expect: int | None = None):
        """One request of a screen, measured with what the stream handlers do with what it wrote."""
        t = self.tally
        if not self.defer_stream:
            self.runner.drain()
        if token and token not in self.tokens:
            self.tokens.add(token)
            t.tokens += 1
        logged, self.in_aws = self.sink.bytes, 0.0
        if self.fresh_keys:  # a container that has met none of the data keys this request reads
            from chalicelib.core import pii

            pii.keys.clear()
        with self.hooks.measure() as calls:
            t0 = time.perf_counter()
            self.in_request = True
            try:
                r = self.api.request(method, path, body, token=token, headers=headers)
            finally:
                self.in_request = False
            wall = time.perf_counter() - t0
        t.requests += 1
        t.statuses[r.status_code] += 1
        if r.status_code == 401:
            t.unauthorized += 1
        else:
            t.invocations += 1
            t.own_s += max(0.0, wall - self.in_aws)
        t.answer_gz += len(gzip.compress(r.body or b"", 6))
        t.rru += sum(c.rcu for c in calls)
        t.wru += sum(c.wcu for c in calls)
        t.log_bytes += self.sink.bytes - logged
        if not self.defer_stream:
            self.drain(t)
        if expect is not None and r.status_code != expect:
            raise SystemExit(f"{method} {path} answered {r.status_code}, expected {expect}: {r.json}")
        return r

    def drain(self, t: Tally) -> None:
        """The stream handlers' work on everything written so far (their AWS calls, units, time and log lines)."""
        before, self.in_aws, logged = self.stream_invocations, 0.0, self.sink.bytes
        self._draining = True
        try:
            with self.hooks.measure(handler_only=True) as stream:
                t0 = time.perf_counter()
                self.runner.drain()
                wall = time.perf_counter() - t0
        finally:
            self._draining = False
        n = self.stream_invocations - before
        t.stream_invocations += n
        if n:
            t.stream_own_s += max(0.0, wall - self.in_aws)
        t.rru += sum(c.rcu for c in stream)
        t.wru += sum(c.wcu for c in stream)
        t.log_bytes += self.sink.bytes - logged

    def schedules(self, t: Tally) -> None:
        logged, self.in_aws = self.sink.bytes, 0.0
        with self.hooks.measure() as calls:
            t0 = time.perf_counter()
            self.in_request = True
            try:
                ran = self.runner.tick()
            finally:
                self.in_request = False
            wall = time.perf_counter() - t0
        t.schedule_invocations += len(ran)
        t.own_s += max(0.0, wall - self.in_aws)
        t.rru += sum(c.rcu for c in calls)
        t.wru += sum(c.wcu for c in calls)
        t.log_bytes += self.sink.bytes - logged
        self.drain(t)


def kept_bytes(hooks: Hooks) -> int:
    """Bytes DynamoDB bills storage for, of items that do not expire (the TTL attribute `expires`; the idempotency
    table's records all expire): each item's size plus 100 bytes, again for each index it is in (projection ALL)."""
    from _common import Capacity

    total = 0
    for name, table in hooks.backend.tables.items():
        if hooks.table_names.get(name) == "idempotency":
            continue
        for item in table.all_items():
            if "expires" in item.attrs:
                continue
            copies = 1 + sum(1 for ix in Capacity.INDEXES if Capacity._in_index(item, ix))
            total += (item.size() + 100) * copies
    return total


def empty_caches() -> None:
    """What a new container starts with: nothing cached in the process."""
    from chalicelib.cases import categories
    from chalicelib.core import counties, pii, secrets
    from chalicelib.daily_report import service as reports
    from chalicelib.workdays import service as workdays

    secrets.reset()
    pii.keys.clear()
    counties._cache.clear()
    reports._settings_cache.clear()
    categories._cache.clear()
    workdays._cache.clear()


# --- the flows: what people do, as the app's screens request it ---------------------------------------------------

class People:
    """A county on the embedded AWS (tests/conftest.py County: staff at every level) and its villagers."""

    def __init__(self, api, operator_token: str):
        from tests.conftest import County as TestCounty

        self.api = api
        self.c = TestCounty(api, operator_token)
        self.villagers = []  # (household, session)

    def villager(self) -> tuple[dict, dict]:
        home = self.c.household(members=3)
        _, session = self.c.villager(home["id"])
        self.villagers.append((home, session))
        return home, session


def flow_morning(m: Meter, p: People, home: dict, session: dict) -> dict:
    """A villager opens the app in the morning and reports the household's health (web/app: yesterday's access
    token is refreshed before the first request — shared/api.js; the home in one request, the report page with it —
    home/HomePage.vue, daily_report/formCache.js; then the report is sent, its answer shown without reading again.
    tests/e2e/test_phone_daily_report.py checks in Chromium that the app asks exactly GET /home, POST /reports)."""
    hid = home["id"]
    s = m.request("POST", "/auth/refresh", {"refresh_token": session["refresh_token"]}, expect=200).json
    session.update(s)
    tok = s["access_token"]
    m.request("GET", "/home", token=tok, expect=200)
    body = {"household": hid, "members": [{"member": x["id"], "colour": "green"} for x in home["members"]]}
    m.request("POST", "/reports", body, token=tok, headers={"Idempotency-Key": os.urandom(8).hex()}, expect=201)
    return session


def flow_second_open(m: Meter, p: People, home: dict, session: dict) -> None:
    """The app opened again later the same day (token still valid): the home, then the inbox."""
    tok = session["access_token"]
    m.request("GET", "/home", token=tok, expect=200)
    m.request("GET", "/inbox?limit=20", token=tok, expect=200)


def flow_signin(m: Meter, p: People) -> None:
    """Sign in by SMS code (auth/SignInPage.vue), then the home."""
    from tests.conftest import last_code, new_phone

    phone = new_phone()
    m.request("POST", "/auth/code", {"phone": phone}, expect=202)
    s = m.request("POST", "/auth/token", {"phone": phone, "code": last_code(phone)}, expect=200).json
    m.request("GET", "/home", token=s["access_token"], expect=200)


def flow_grid_day(m: Meter, p: People) -> None:
    """A grid worker's day in the field app: the field home (field/FieldHomePage.vue), the unreported list
    (daily_report/UnreportedPage.vue), two households opened."""
    c, tok = p.c, p.c.tokens["grid_worker"]
    m.request("GET", "/home", token=tok, expect=200)
    m.request("GET", f"/coverage?place={c.grid}", token=tok, expect=200)
    m.request("GET", f"/places/{c.grid}", token=tok, expect=200)
    m.request("GET", f"/reports/completion?place={c.grid}", token=tok, expect=200)
    m.request("GET", f"/reports/unreported?grid={c.grid}", token=tok, expect=200)
    for home, _ in p.villagers[:2]:
        m.request("GET", f"/households/{home['id']}", token=tok, expect=200)


def flow_console_day(m: Meter, p: People) -> None:
    """An office day in the console (village admin): sign-in state, the dashboard (completion, trend), the case
    inbox and two cases."""
    c, tok = p.c, p.c.tokens["village_admin"]
    m.request("GET", "/me", token=tok, expect=200)
    m.request("GET", "/modules", expect=200)
    m.request("GET", f"/reports/completion?place={c.village}", token=tok, expect=200)
    m.request("GET", f"/reports/trend?place={c.village}&days=30", token=tok, expect=200)
    m.request("GET", "/cases/types", token=tok, expect=200)
    items = m.request("GET", f"/cases?place={c.village}&limit=20", token=tok, expect=200).json["items"]
    for it in items[:2]:
        m.request("GET", f"/cases/{it['ref']}", token=tok, expect=200)


def _photo(m: Meter, tok: str) -> str:
    from chalicelib.core.aws import client
    from chalicelib.core.config import settings

    r = m.request("POST", "/cases/uploads", {"type": "snap", "content_type": "image/jpeg"}, token=tok, expect=201)
    # the phone's own S3 POST (outside any request): counted as an upload, not as the function's call
    client("s3").put_object(Bucket=settings().media_bucket, Key=r.json["key"], Body=b"\xff\xd8" + b"0" * 500)
    m.tally.s3_uploads += 1
    return r.json["key"]


def flow_snap(m: Meter, p: People, photos: int) -> None:
    """随手拍 filed with photos (snaps/SnapPage.vue), handled by the grid worker (accept, resolve with a photo:
    cases/CaseActions.vue), seen and rated by the villager (cases/CasePage.vue)."""
    home, session = p.villagers[0]
    tok, grid = session["access_token"], p.c.tokens["grid_worker"]
    m.request("GET", f"/snaps/similar?grid={p.c.grid}&category=sanitation", token=tok, expect=200)
    keys = [_photo(m, tok) for _ in range(photos)]
    idem = {"Idempotency-Key": os.urandom(8).hex()}
    ref = m.request("POST", "/snaps", {"category": "sanitation", "text": "村口垃圾堆放", "photos": keys},
                    token=tok, headers=idem, expect=201).json["ref"]
    m.request("GET", f"/cases/{ref}", token=grid, expect=200)
    m.request("POST", f"/cases/{ref}/actions", {"action": "accept"}, token=grid,
              headers={"Idempotency-Key": os.urandom(8).hex()}, expect=200)
    after = _photo(m, grid)
    m.request("POST", f"/cases/{ref}/actions", {"action": "resolve", "note": "已清理", "photos": [after]},
              token=grid, headers={"Idempotency-Key": os.urandom(8).hex()}, expect=200)
    m.request("GET", "/cases/mine?limit=20", token=tok, expect=200)
    m.request("GET", f"/cases/{ref}", token=tok, expect=200)
    m.request("POST", f"/cases/{ref}/actions", {"action": "rate", "rating": 5}, token=tok,
              headers={"Idempotency-Key": os.urandom(8).hex()}, expect=200)


def flow_letter(m: Meter, p: People) -> None:
    """村民信箱: a letter, a reply from the village, the writer reads it."""
    home, session = p.villagers[0]
    tok, admin = session["access_token"], p.c.tokens["village_admin"]
    ref = m.request("POST", "/letters", {"to": "village", "category": "suggestion", "text": "建议修路灯"},
                    token=tok, headers={"Idempotency-Key": os.urandom(8).hex()}, expect=201).json["ref"]
    m.request("GET", f"/cases/{ref}", token=admin, expect=200)
    m.request("POST", f"/cases/{ref}/actions", {"action": "resolve", "note": "已安排"}, token=admin,
              headers={"Idempotency-Key": os.urandom(8).hex()}, expect=200)
    m.request("GET", f"/cases/{ref}", token=tok, expect=200)


def flow_tipoff(m: Meter, p: People) -> None:
    home, session = p.villagers[0]
    tok, admin = session["access_token"], p.c.tokens["village_admin"]
    ref = m.request("POST", "/tipoffs", {"category": "returnee", "description": "有人返乡未登记"},
                    token=tok, headers={"Idempotency-Key": os.urandom(8).hex()}, expect=201).json
    ref = ref.get("ref") or ref["id"]
    m.request("GET", f"/cases/{ref}", token=admin, expect=200)
    m.request("POST", f"/cases/{ref}/actions", {"action": "resolve", "outcome": "warned", "note": "已核实"},
              token=admin, headers={"Idempotency-Key": os.urandom(8).hex()}, expect=200)


# --- measuring ------------------------------------------------------------------------------------------------------

def measure(runs: int, log_level: str = "INFO") -> tuple[dict[str, Tally], dict[str, Tally], dict]:
    """Each flow `runs` times warm, and once more per run with every cache emptied first. Returns (warm per flow,
    cold-container extra per flow, facts)."""
    sink = CountingSink()
    real_stdout = sys.stdout
    sys.stdout = sink  # before the app's logger exists: its handler writes here
    hooks = Hooks()
    m = Meter(hooks, sink)
    m.install()  # before any client exists
    # The prod stage's configuration: its log level, metrics on, the 5-second county cache (infra/stages.json,
    # chalicelib/core/config.py defaults). Tracing stays off in-process (no X-Ray daemon); traces are priced below.
    conftest, app, runner = start_stack(hooks, tenant_cache_seconds=5,
                                        env={"POWERTOOLS_LOG_LEVEL": log_level, "POWERTOOLS_METRICS_DISABLED": "false"})
    try:
        from chalice.test import Client

        lift_tipoff_limit()
        with Client(app) as client:
            from tests.conftest import Api, operator_token_for

            api = Api(client)
            m.runner, m.api = runner, api
            people = People(api, operator_token_for(api))
            before = kept_bytes(hooks)
            for _ in range(3):
                people.villager()
            household_bytes = (kept_bytes(hooks) - before) / 3
            m.watch_runner()
            runner.drain()
            mornings: list = []

            def next_morning():
                """Every morning run is a household's first report of the day (a fresh household in the same grid):
                the first report is what a morning is made of, and it moves the counters."""
                mornings.append(people.villager())
                if not m.defer_stream:  # inside a batch, a drain here would hide the earlier reports' stream work
                    runner.drain()  # its setup's stream work, not measured

            prepare = {"morning": next_morning}
            # The stream reader takes a morning's reports in batches (infra: up to 100 records, a few seconds'
            # window) and its handlers sum a batch per counter: the morning runs' stream work is drained once, as one
            # batch, and shared among them.
            batched = {"morning": BATCH}
            flows = {
                "morning": lambda: flow_morning(m, people, *mornings[-1]),
                "second_open": lambda: flow_second_open(m, people, *people.villagers[2]),
                "signin": lambda: flow_signin(m, people),
                "grid_day": lambda: flow_grid_day(m, people),
                "console_day": lambda: flow_console_day(m, people),
                "snap": lambda: flow_snap(m, people, County.photos_per_snap),
                "letter": lambda: flow_letter(m, people),
                "tipoff": lambda: flow_tipoff(m, people),
                "schedules": lambda: m.schedules(m.tally),
            }
            warm, cold = {}, {}
            for name, run in flows.items():
                ready = prepare.get(name, lambda: None)
                m.tally = Tally()
                ready()
                run()  # warms this flow's caches
                m.drain(Tally())
                total, n = Tally(), batched.get(name, runs)
                m.defer_stream = name in batched
                for _ in range(n):
                    ready()
                    m.tally, m.tokens = Tally(), set()
                    before = kept_bytes(hooks)
                    run()
                    m.tally.kept_bytes = kept_bytes(hooks) - before
                    total.add(m.tally)
                m.defer_stream = False
                m.tally = total
                m.drain(total)  # the batch's stream work (already drained per request unless batched)
                warm[name] = total.scaled(1 / n)
                ready()
                m.tally, m.tokens, m.fresh_keys = Tally(), set(), True
                run()
                m.drain(m.tally)
                m.fresh_keys = False
                warm[name].decrypts_fresh = m.tally.calls.get("kms:Decrypt", 0)
                total = Tally()
                for _ in range(max(1, runs // 2)):
                    ready()
                    empty_caches()
                    m.tally, m.tokens = Tally(), set()
                    run()
                    total.add(m.tally)
                cold[name] = total.scaled(1 / max(1, runs // 2))
                log(f"  {name}: {warm[name].requests:.0f} requests, {sum(warm[name].calls.values()):.1f} AWS calls "
                    f"warm, {sum(cold[name].calls.values()):.1f} cold")
            m.tally = None
            facts = {"metric_dims": metric_dimensions(app), "household_bytes": household_bytes,
                     "key_scope": key_scope()}
    finally:
        sys.stdout = real_stdout
        stop_stack(conftest)
    return warm, cold, facts


def key_scope() -> str:
    """How data keys are shared: "container" (each container makes its own every few minutes, so a container has
    rarely met the key of an item another container wrote: about one Decrypt per request that reads personal data)
    or "tenant-period" (one key per county and period, stored wrapped: one Decrypt per container and period)."""
    from chalicelib.core import pii

    return getattr(pii, "KEY_SCOPE", "container")


def metric_dimensions(app) -> dict:
    """Custom metrics the function emits: metric names × the tenant dimension where there is one (EMF; each distinct
    name and dimension set is a billed metric), read from chalicelib/core/observability.py."""
    import inspect

    from chalicelib.core import observability

    src = inspect.getsource(observability)
    names = sorted(set(__import__("re").findall(r'add_metric\(name="(\w+)"', src))
                   | set(getattr(observability, "REQUEST_METRICS", ())))  # the request line's, written by hand
    per_tenant = 'add_dimension(name="tenant"' in src or "tenant" in getattr(observability, "DIMENSIONS", ())
    return {"names": names, "per_tenant": per_tenant}


def deployed() -> dict:
    """What the prod stage deploys that the price depends on, read from infra/stages.json and
    infra/cqt_infra/config.py (the values the CDK app synthesizes): the API function's memory, the log level,
    whether Lambda's own START/END/REPORT lines are kept (SystemLogLevel), the X-Ray sampling rule."""
    for path in (str(ROOT), str(ROOT / "infra")):  # the stage checks read the app's SMS templates
        if path not in sys.path:
            sys.path.insert(0, path)
    from cqt_infra import config

    d = next(x for x in config.deployments(stage="prod") if not x.china)
    return {"memory_mb": d.per_function("memory_mb", "api_handler"), "log_level": d.get("log_level"),
            "system_log_level": config.SYSTEM_LOG_LEVEL,
            "platform_log_lines": config.SYSTEM_LOG_LEVEL not in ("WARN",),  # START/END/REPORT are INFO
            "api_tracing": d.get("api_tracing"), "tenant_rate_limit": d.get("tenant_rate_limit"),
            "api_reserved_concurrency": d.per_function("reserved_concurrency", "api_handler")}


# --- the month ----------------------------------------------------------------------------------------------------

def month(county: County, warm: dict[str, Tally], cold: dict[str, Tally],
          facts: dict) -> tuple[Tally, dict[str, float], dict]:
    """Every flow's count in a month, the month's summed tally, and the container model."""
    k = county
    counts = {
        "morning": k.households * k.days,
        "second_open": k.households * k.second_opens * k.days,
        "signin": k.households * k.signins_per_household,
        "grid_day": k.grid_workers * k.days,
        "console_day": k.office_staff * k.working_days,
        "snap": k.snaps,
        "letter": k.letters,
        "tipoff": k.tipoffs,
        # every 5 min (reminders; escalation every 15 min). A tick's fan-out is shared by the stage's counties but
        # its worker invocations are per county: with counties_per_stage > 1 this undercounts the latter.
        "schedules": 30 * 24 * 12 / k.counties_per_stage,
    }
    total = Tally()
    for name, n in counts.items():
        total.add(warm[name], n)
    # Containers: enough for the morning peak (requests/s × seconds each), each lives about 2 hours of traffic.
    morning_rps = warm["morning"].invocations * k.households / (k.morning_hours * 3600)
    ms_per = (warm["morning"].own_s * 1000 + warm["morning"].aws_ms()) / max(1, warm["morning"].invocations)
    peak = max(1, math.ceil(morning_rps * ms_per / 1000 * 1.5))
    base = max(1, math.ceil(peak / 10))
    starts = (peak + base * (k.active_hours / 2)) * k.days
    container_hours = (peak * k.morning_hours + base * k.active_hours) * k.days
    # A new container pays what a cold flow pays more than a warm one (secrets, data keys, settings).
    extra = Tally()
    extra.add(cold["morning"])
    for f in fields(extra):
        v = getattr(warm["morning"], f.name)
        if isinstance(v, (int, float)):
            setattr(extra, f.name, max(0, getattr(extra, f.name) - v))
    extra.calls = collections.Counter({c: n - warm["morning"].calls.get(c, 0) for c, n in cold["morning"].calls.items()
                                       if n > warm["morning"].calls.get(c, 0)})
    total.add(extra, starts)
    # KMS: with per-container data keys a container makes a key every 5 minutes and meets other containers' keys
    # on nearly every read of personal data (measured as the Decrypts of each request with no key cached).
    if facts["key_scope"] == "container":
        total.calls["kms:Decrypt"] += sum(warm[n].decrypts_fresh * c for n, c in counts.items())
        total.calls["kms:GenerateDataKey"] += container_hours * 12
    # DynamoDB storage: the households, and a year of everything else (health reports kept 12 months).
    total.kept_bytes = facts["household_bytes"] * k.households + sum(
        warm[n].kept_bytes * c for n, c in counts.items()) * k.report_bytes_kept_months
    # The county cache lives 5 s in a container (CQT_TENANT_CACHE_SECONDS): a GetItem of the county each 5 s.
    county_reads = container_hours * 3600 / 5
    total.calls["dynamodb:GetItem"] += county_reads
    total.rru += county_reads * 0.5
    # Invocations Lambda samples itself (no upstream trace decision): the stream's, in the morning window for the
    # morning reports, and the schedules' and other flows' stream work over the rest of the active hours.
    event_morning = warm["morning"].stream_invocations * counts["morning"]
    event_rest = sum(warm[n].stream_invocations * c for n, c in counts.items() if n != "morning") + sum(
        warm[n].schedule_invocations * c for n, c in counts.items())
    containers = {"morning_rps": morning_rps, "ms_per_invocation": ms_per, "peak": peak, "starts": starts,
                  "container_hours": container_hours, "cold_extra_calls": dict(extra.calls),
                  "county_cache_reads": county_reads,
                  "event_invocations": {"morning": event_morning, "rest": event_rest}}
    morning_requests = warm["morning"].invocations * counts["morning"]
    rest_rps = max(0.0, total.invocations - morning_requests) / (k.days * (k.active_hours - k.morning_hours) * 3600)
    containers["limiter"] = limiter(facts["deployed"], morning_rps, peak, rest_rps, base, k)
    total.wru += containers["limiter"]["wru"]
    total.calls["dynamodb:UpdateItem"] += containers["limiter"]["wru"]
    return total, counts, containers


def limiter(dep: dict, morning_rps: float, peak: int, rest_rps: float, base: int, k: County) -> dict:
    """The per-county limiter's shared-counter writes (chalicelib/core/throttle.py) and how far a county can overshoot.

    A container writes once per window (UpdateItem ADD, 1 WRU) when it let in at least its share of the county's
    allowance (limit × window / the API function's reserved concurrency); the county's requests are spread evenly
    over the containers that serve them (morning: `peak` containers, the rest of the day `base`). Overshoot: the
    excess of one window passes before the counts are seen (a fixed window with one window of lag)."""
    t = dep["tenant_rate_limit"]
    limit, window, reserved = t["default"], t["window_s"], dep["api_reserved_concurrency"]
    share = max(1.0, limit * window / reserved)

    def writes(rps: float, containers: int, seconds: float) -> float:
        per_container = rps / containers * window
        return containers * seconds / window if per_container >= share else 0.0

    morning_s = k.days * k.morning_hours * 3600
    rest_s = k.days * (k.active_hours - k.morning_hours) * 3600
    wru = writes(morning_rps, peak, morning_s) + writes(rest_rps, base, rest_s)
    return {"limit_rps": limit, "window_s": window, "share": share, "wru": wru,
            "morning_per_container_window": morning_rps / peak * window, "rest_rps": rest_rps,
            "overshoot_requests": limit * window}


def lambda_sampled(n: float, seconds: float, counties: int) -> float:
    """Traces of `n` invocations spread over `seconds` that Lambda samples itself: the first each second (in the
    seconds that have any: Poisson) and LAMBDA_TRACE_RATE of the others; the reservoir is the stage's, shared."""
    if not n or not seconds:
        return 0.0
    stage_n = n * counties
    first = seconds * LAMBDA_TRACE_RESERVOIR_PER_S * (1 - math.exp(-stage_n / seconds))
    return (first + LAMBDA_TRACE_RATE * max(0.0, stage_n - first)) / counties


def traces(t: Tally, k: County, facts: dict, containers: dict, http_api: bool = True,
           api_tracing: str | None = None) -> dict:
    """X-Ray traces a month: API requests behind the HTTP API as the API functions' tracing mode has them
    (`api_tracing`: PassThrough none — HTTP APIs pass no sampling decision on —, Active Lambda's own 1 a second + 5 %
    of the API invocations), behind the REST API as its stage's sampling rule had them (REST_TRACE_RATE, no
    reservoir); event handlers as Lambda samples them."""
    dep = facts["deployed"]
    mode = dep["api_tracing"] if api_tracing is None else api_tracing
    active_s = k.days * k.active_hours * 3600
    if not http_api:
        api = t.requests * REST_TRACE_RATE
    elif mode == "Active":
        api = lambda_sampled(t.invocations + t.tokens, active_s, k.counties_per_stage)
    else:
        api = 0.0
    ev = containers["event_invocations"]
    morning_s = k.days * k.morning_hours * 3600
    events = (lambda_sampled(ev["morning"], morning_s, k.counties_per_stage)
              + lambda_sampled(ev["rest"], active_s - morning_s, k.counties_per_stage))
    return {"api": api, "events": events}


def price(t: Tally, k: County, facts: dict, containers: dict, *, http_api: bool, arm: bool, cdn_api: bool,
          memory_mb: int = 1024, per_tenant_metrics: bool | None = None) -> dict:
    P = PRICES
    dep = facts["deployed"]
    gbs = P["lambda_gbs_arm" if arm else "lambda_gbs_x86"]
    charged = t.requests - t.unauthorized  # failed authorizations are not charged
    out = collections.OrderedDict()
    out["API Gateway"] = charged / 1e6 * P["apigw_http_per_m" if http_api else "apigw_rest_per_m"]
    invocations = t.invocations + t.stream_invocations + t.schedule_invocations
    ms = t.own_s * 1000 + t.stream_own_s * 1000 + t.aws_ms() + invocations * 1.0  # rounding up to the ms
    authorizer_calls = t.tokens
    # own CPU time stretches below a full vCPU; time spent waiting on AWS does not
    slow = max(1.0, FULL_VCPU_MB / memory_mb)
    ms = (t.own_s + t.stream_own_s) * 1000 * slow + t.aws_ms() + invocations * 1.0
    ms += containers["starts"] * INIT_CPU_MS * slow  # billed init phases
    lam = invocations / 1e6 * P["lambda_req_per_m"] + ms / 1000 * memory_mb / 1024 * gbs
    lam += authorizer_calls / 1e6 * P["lambda_req_per_m"] + authorizer_calls * AUTHORIZER_MS / 1000 * 0.5 * gbs
    out["Lambda"] = lam
    storage_gb = t.kept_bytes / 1e9
    out["DynamoDB"] = (t.wru / 1e6 * P["ddb_wru_per_m"] + t.rru / 1e6 * P["ddb_rru_per_m"]
                       + storage_gb * (P["ddb_storage_gb"] + P["ddb_pitr_gb"]))
    kms = sum(n for c, n in t.calls.items() if c.startswith("kms:"))
    out["KMS"] = kms / 1e4 * P["kms_per_10k"] + P["kms_key_month"] / k.counties_per_stage
    platform = PLATFORM_LOG_LINES if dep["platform_log_lines"] else 0
    log_gb = (t.log_bytes + t.requests * ACCESS_LOG_LINE + (invocations + authorizer_calls) * platform) / 1e9
    out["CloudWatch Logs"] = log_gb * (P["logs_ingest_gb"] + P["logs_store_gb"])
    metrics = facts["metric_dims"]
    per_tenant = metrics["per_tenant"] if per_tenant_metrics is None else per_tenant_metrics
    n_metrics = len(metrics["names"]) * (1 if per_tenant else 1 / k.counties_per_stage)
    out["CloudWatch metrics/alarms"] = n_metrics * P["metric_month"] + 20 * P["alarm_month"] / k.counties_per_stage
    if http_api:  # the per-county alarms (Contributor Insights on the access log) and the limiter's writes
        out["CloudWatch metrics/alarms"] += (INSIGHT_RULES * (P["ci_rule_month"] + P["alarm_month"])
                                             / k.counties_per_stage + t.requests / 1e6 * P["ci_events_per_m"])
        out["DynamoDB"] += containers["limiter"]["wru"] / 1e6 * P["ddb_wru_per_m"]
    out["X-Ray"] = sum(traces(t, k, facts, containers, http_api).values()) / 1e6 * P["xray_per_m_traces"]
    static_gb = k.households * 0.2 / 1e3  # 200 KB of app a household a month (a new release; index.html checks)
    cf_requests = (t.requests if cdn_api else 0) + k.households * k.days * 2
    out["CloudFront"] = cf_requests / 1e4 * P["cf_https_per_10k"] + (
        (t.answer_gz if cdn_api else 0) / 1e9 + static_gb) * P["cf_out_gb"]
    if not cdn_api:
        out["API Gateway"] += t.answer_gz / 1e9 * 0.09  # data out from API Gateway
        # On another origin than the app every API request is cross-origin and not "simple" (Authorization, JSON):
        # the browser asks first (OPTIONS), once per URL and method, its answer kept at most 2 hours (Chromium); a
        # morning's requests are each a first. The HTTP API answers them from its CORS configuration, billed as
        # requests.
        out["API Gateway"] += charged / 1e6 * P["apigw_http_per_m"]
    s3_gets = sum(n for c, n in t.calls.items() if c.startswith("s3:Get")) + t.s3_uploads * 3  # each photo seen ~3x
    photos_gb = t.s3_uploads * k.photo_kb / 1e6
    out["S3"] = ((t.s3_uploads + sum(n for c, n in t.calls.items() if c.startswith("s3:Put"))) / 1e3 * P["s3_put_per_k"]
                 + s3_gets / 1e3 * P["s3_get_per_k"] + photos_gb * 12 * P["s3_gb_month"])
    sns = sum(n for c, n in t.calls.items() if c.startswith("sns:"))
    sqs = sum(n for c, n in t.calls.items() if c.startswith("sqs:"))
    secrets = sum(n for c, n in t.calls.items() if c.startswith("secretsmanager:"))
    out["SNS/SQS/Secrets"] = (sns / 1e6 * P["sns_publish_per_m"] + sqs / 1e6 * P["sqs_per_m"]
                              + secrets / 1e4 * P["secrets_per_10k"] + P["secret_month"] / k.counties_per_stage)
    out["total"] = sum(out.values())
    return out


VARIANTS = {
    "as deployed: HTTP API, x86_64, API through CloudFront": {"http_api": True, "arm": False, "cdn_api": True},
    "REST API (before issue 13)": {"http_api": False, "arm": False, "cdn_api": True},
    "HTTP API, arm64 (needs aarch64 wheels: not in the package mirror)": {"http_api": True, "arm": True,
                                                                         "cdn_api": True},
    "HTTP API, arm64, API on its own domain (not through CloudFront)": {"http_api": True, "arm": True,
                                                                       "cdn_api": False},
}


def floor_text(k: County, warm: dict[str, Tally]) -> str:
    """What the morning reports alone cannot cost less than with this architecture (CloudFront → HTTP API → Lambda →
    DynamoDB on demand), at the prices above: the fewest requests a morning can make, each priced without any work
    done in it, and the write units a report cannot do without (docs/data-model.md, "Write units of a daily
    report")."""
    P = PRICES
    mornings = k.households * k.days
    per_request = (P["cf_https_per_10k"] * 100 + P["apigw_http_per_m"] + P["lambda_req_per_m"]) / 1e6
    report_wru = 4.4
    m = warm["morning"]
    rows = []
    for label, n in (("the refresh of yesterday's token, the home, the report (the app as it is)", 3),
                     ("the refresh and the report, the app showing nothing first", 2)):
        req = mornings * n * per_request
        ddb = mornings * report_wru * P["ddb_wru_per_m"] / 1e6
        rows.append(f"| {label} | {n} | {req:,.2f} | {ddb:,.2f} | **{req + ddb:,.2f}** |")
    return "\n".join([
        "### Why US$25 is below this architecture's floor\n",
        f"The county's {mornings:,} morning reports a month, priced with nothing but what each must pay: every request "
        f"CloudFront US${P['cf_https_per_10k'] * 100:.2f} + HTTP API US${P['apigw_http_per_m']:.2f} + a Lambda "
        f"invocation US${P['lambda_req_per_m']:.2f} a million (no duration, no authorizer, no reads, no logs), and the "
        f"report's {report_wru} write units at US${P['ddb_wru_per_m']} a million. The app makes {m.invocations:g} "
        "requests a morning (the flow above; tests/e2e/test_phone_daily_report.py checks in Chromium that opening "
        "the app and reporting asks GET /home and POST /reports only, after the day's token refresh).\n",
        "| a morning | requests | requests US$ | write units US$ | floor US$ a month |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        "So the reports alone cost more than US$25 a month before anything else is counted; the target needs another "
        "architecture (for instance the app served by the API's own front, or reports batched per village by the "
        "grid worker's phone), not a cheaper configuration of this one. An API on its own domain saves CloudFront's "
        "request fee but pays a CORS preflight per request (column 4 above). What is left to take: DynamoDB "
        "provisioned capacity with scheduled scaling for the morning peak (the county's writes are predictable: "
        "about half of on-demand's price), one write instead of two when a refresh token rotates, and arm64 when the "
        "package mirror has aarch64 wheels.\n",
    ])


def memory_table(t: Tally, warm: dict[str, Tally], containers: dict,
                 arm: bool) -> list[tuple[int, float, float, float]]:
    """(memory MB, Lambda US$ a month, a morning request's duration ms, a cold start's init ms) for the functions at
    each memory size: own CPU time measured here (taken as a full vCPU) stretched by 1,769 MB / memory below it,
    AWS waits unchanged."""
    rows = []
    for mb in MEMORY_SIZES:
        slow = max(1.0, FULL_VCPU_MB / mb)
        invocations = t.invocations + t.stream_invocations + t.schedule_invocations
        ms = (t.own_s + t.stream_own_s) * 1000 * slow + t.aws_ms() + invocations + containers["starts"] * \
            INIT_CPU_MS * slow
        gbs = PRICES["lambda_gbs_arm" if arm else "lambda_gbs_x86"]
        usd = invocations / 1e6 * PRICES["lambda_req_per_m"] + ms / 1000 * mb / 1024 * gbs
        m = warm["morning"]
        per = (m.own_s * 1000 * slow + m.aws_ms()) / max(1, m.invocations)
        rows.append((mb, usd, per, INIT_CPU_MS * slow))
    return rows


def drivers(warm: dict[str, Tally], counts: dict[str, float], key_scope: str) -> list[tuple[str, str, float]]:
    """(flow, what, monthly count) of the biggest per-flow quantities."""
    rows = []
    for name, t in warm.items():
        n = counts[name]
        rows.append((name, "API requests", t.requests * n))
        rows.append((name, "DynamoDB write units", t.wru * n))
        rows.append((name, "DynamoDB read units", t.rru * n))
        kms = sum(v for c, v in t.calls.items() if c.startswith("kms:"))
        rows.append((name, "KMS calls", (kms + (t.decrypts_fresh if key_scope == "container" else 0)) * n))
        rows.append((name, "log MB", t.log_bytes * n / 1e6))
    return rows


def report(county: County, warm, cold, counts, total, containers, priced, facts, runs: int) -> str:
    L = []
    w = L.append
    dep = facts["deployed"]
    w("# What a county's month costs on AWS\n")
    w(f"`.venv/bin/python bench/cost.py` reproduces it. Each flow below was run {runs} times on the embedded AWS "
      f"with the prod stage's configuration ({dep['log_level']} logs, metrics on, 5-second county cache), its "
      "requests, AWS calls, DynamoDB units, stream work, answer and log bytes counted; then priced for a month of the "
      "county with public us-east-1 list prices (other regions differ by about 10–30 %; SMS is left out). See the "
      "docstring of bench/cost.py for the model.\n")
    tr = traces(total, county, facts, containers)
    names = facts["metric_dims"]["names"]
    n_metrics = len(names) * (1000 if facts["metric_dims"]["per_tenant"] else 1)
    w(f"As deployed (infra/stages.json, infra/cqt_infra/config.py): Lambda's own START/END/REPORT lines "
      f"{'kept' if dep['platform_log_lines'] else 'dropped'} (SystemLogLevel {dep['system_log_level']}); the API "
      f"functions behind the HTTP API trace with {dep['api_tracing']} ({tr['api']:,.0f} API traces a month: an HTTP "
      f"API passes no sampling decision; Active would be Lambda's own 1 a second + {LAMBDA_TRACE_RATE:.0%}, "
      f"{traces(total, county, facts, containers, True, 'Active')['api']:,.0f}) and Lambda samples the stream and "
      f"scheduled handlers itself, 1 a second + {LAMBDA_TRACE_RATE:.0%} ({tr['events']:,.0f}); custom metrics "
      f"{', '.join(facts['metric_dims']['names'])} "
      + ("per county (a tenant dimension)" if facts["metric_dims"]["per_tenant"] else
         "per service (no tenant dimension; the county is a field of the request line)")
      + f": {n_metrics} billed metrics for 1,000 counties (US${n_metrics * PRICES['metric_month']:,.2f} a month; "
      f"US${1000 * len(names) * PRICES['metric_month']:,.2f} with a metric per county).\n")
    w("## The county\n")
    w("| parameter | value |\n|---|---:|")
    for k, v in asdict(county).items():
        w(f"| {k} | {v:,} |")
    w("\n## Per flow (measured, warm container)\n")
    w("| flow | a month | requests | Lambda ms (own + AWS) | DynamoDB RRU | WRU | KMS calls | stream invocations "
      "| answer KB (gz) | log KB | kept KB | AWS calls by operation |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, t in warm.items():
        kms = sum(n for c, n in t.calls.items() if c.startswith("kms:"))
        kms = f"{kms:g} ({t.decrypts_fresh:g} with no key cached)"
        ops = ", ".join(f"{c} {n:g}" for c, n in sorted(t.calls.items(), key=lambda x: -x[1])[:6])
        w(f"| {name} | {counts[name]:,.0f} | {t.requests:g} | {t.own_s * 1000:.0f} + {t.aws_ms():.0f} | "
          f"{t.rru:.1f} | {t.wru:.1f} | {kms} | {t.stream_invocations:g} | {t.answer_gz / 1024:.1f} | "
          f"{t.log_bytes / 1024:.1f} | {t.kept_bytes / 1024:.1f} | {ops} |")
    w("\nCold container: AWS calls a flow makes more when every cache of the process is empty: " + "; ".join(
        f"{n}: " + ", ".join(f"{c} +{v - warm[n].calls.get(c, 0):g}" for c, v in sorted(t.calls.items())
                             if v > warm[n].calls.get(c, 0)) for n, t in cold.items()) + ".\n")
    w(f"Containers (model): morning peak {containers['morning_rps']:.1f} requests/s × "
      f"{containers['ms_per_invocation']:.0f} ms → {containers['peak']} containers; "
      f"{containers['starts']:,.0f} cold starts and {containers['container_hours']:,.0f} container-hours a month; "
      f"{containers['county_cache_reads']:,.0f} county cache refreshes.\n")
    w("## The month, priced (USD)\n")
    names = list(priced)
    services = list(next(iter(priced.values())))
    w("| service | " + " | ".join(names) + " |")
    w("|---|" + "---:|" * len(names))
    for s in services:
        cells = [f"**{priced[n][s]:,.2f}**" if s == "total" else f"{priced[n][s]:,.2f}" for n in names]
        w(f"| {s} | " + " | ".join(cells) + " |")
    w(f"\nTarget: ≤ US$25 a month for this county (issue 13). Per household and month (as deployed): "
      f"US${priced[names[0]]['total'] / county.households:.5f}.\n")
    w(floor_text(county, warm))
    lim = containers["limiter"]
    w("## Per-county limits and alarms (as deployed)\n")
    w(f"The limiter (chalicelib/core/throttle.py): a county's default limit {lim['limit_rps']:g} requests a second, "
      f"windows of {lim['window_s']} s, a container's share {lim['share']:.1f} requests a window (the allowance over "
      f"the API function's reserved concurrency, {dep['api_reserved_concurrency']}). In the morning each of the "
      f"{containers['peak']} containers lets in about {lim['morning_per_container_window']:.1f} of the county's "
      f"requests a window, the rest of the day {lim['rest_rps']:.1f} a second over "
      f"{max(1, math.ceil(containers['peak'] / 10))} container(s): {lim['wru']:,.0f} shared-counter writes (WRU) a "
      "month, "
      f"US${lim['wru'] / 1e6 * PRICES['ddb_wru_per_m']:,.2f}. A county can overshoot by about one window's allowance "
      f"(≈ {lim['overshoot_requests']:,.0f} requests, all containers together) before its containers hold it for a "
      "window.\n")
    w(f"Per-county alarms: {INSIGHT_RULES} Contributor Insights rules on the API access log "
      f"(US${PRICES['ci_rule_month']:.2f} a rule a month, shared by the stage's counties, and "
      f"US${PRICES['ci_events_per_m']:.2f} a million matched lines: "
      f"US${total.requests / 1e6 * PRICES['ci_events_per_m']:,.2f} for this county's requests) and an alarm on each; a "
      f"metric per county would be US${PRICES['metric_month']:.2f} a metric and county.\n")
    w("## The functions' memory (x86_64; Lambda only)\n")
    w(f"Own CPU time measured here is taken as a full vCPU ({FULL_VCPU_MB:,} MB) and stretched below it; waits on "
      f"AWS calls are not. A cold start's init is {INIT_CPU_MS} ms of CPU at a full vCPU (bench/results/cold_start.md, "
      f"GET /me as deployed); {containers['starts']:,.0f} a month, billed. Deployed: {dep['memory_mb']} MB.\n")
    w("| memory | Lambda US$ a month | a morning request (ms) | a cold start's init (ms) |\n|---:|---:|---:|---:|")
    for mb, usd, per, init in memory_table(total, warm, containers, arm=False):
        w(f"| {mb:,} MB{' (deployed)' if mb == dep['memory_mb'] else ''} | {usd:,.2f} | {per:,.0f} | {init:,.0f} |")
    w("")
    w("## Top drivers (as deployed, a month)\n")
    w("| flow | what | a month |\n|---|---|---:|")
    for flow, what, n in sorted(drivers(warm, counts, facts['key_scope']), key=lambda r: -r[2])[:12]:
        w(f"| {flow} | {what} | {n:,.0f} |")
    w(f"\nMonthly totals: {total.requests:,.0f} API requests ({total.unauthorized:,.0f} refused by the authorizer), "
      f"{total.tokens:,.0f} authorizer invocations, {total.invocations:,.0f} API invocations, "
      f"{total.stream_invocations:,.0f} stream invocations, {total.rru:,.0f} RRU, {total.wru:,.0f} WRU, "
      f"{sum(n for c, n in total.calls.items() if c.startswith('kms:')):,.0f} KMS calls, "
      f"{total.log_bytes / 1e9:.1f} GB of function logs, {total.kept_bytes / 1e9:.1f} GB in DynamoDB "
      f"({facts['household_bytes'] / 1024:.1f} KB a household; data keys shared per {facts['key_scope']}). "
      f"Custom metrics: {', '.join(facts['metric_dims']['names'])}"
      f"{' per county' if facts['metric_dims']['per_tenant'] else ''}.")
    return "\n".join(L) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=4)
    for k, v in asdict(County()).items():
        ap.add_argument(f"--{k.replace('_', '-')}", type=type(v), default=v)
    a = ap.parse_args(argv)
    county = County(**{k: getattr(a, k) for k in asdict(County())})
    dep = deployed()
    log(f"measuring the flows ({a.runs} runs each)...")
    warm, cold, facts = measure(a.runs, dep["log_level"])
    facts["deployed"] = dep
    total, counts, containers = month(county, warm, cold, facts)
    priced = {name: price(total, county, facts, containers, memory_mb=dep["memory_mb"], **v)
              for name, v in VARIANTS.items()}
    text = report(county, warm, cold, counts, total, containers, priced, facts, a.runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cost.md").write_text(text, encoding="utf-8")
    (RESULTS / "cost.json").write_text(json.dumps({
        "county": asdict(county), "prices": PRICES, "latency_ms": LATENCY_MS, "counts": counts,
        "containers": containers, "priced": priced, "deployed": dep,
        "traces": traces(total, county, facts, containers),
        "flows": {n: {f.name: (dict(getattr(t, f.name)) if isinstance(getattr(t, f.name), dict) else getattr(t, f.name))
                   for f in fields(t)} for n, t in warm.items()},
    }, indent=1, ensure_ascii=False, default=float), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
