"""Daily report (每日上报): DynamoDB calls per operation at two sizes, and a county's morning peak per partition key.

    .venv/bin/python bench/daily_report.py                 # both parts (a few minutes)
    .venv/bin/python bench/daily_report.py --peak-only     # part 2 only: prints it and redraws the chart

Part 1 runs the app against the embedded AWS (moto's server, in-process, as tests/conftest.py starts it) with two
counties of the same place tree (20 townships x 10 villages x 2 grids): one with 100 households (one village), one
with 20,000 (50 per grid; plus one grid of 200 for the unreported list's cost). Households report through
chalicelib.daily_report.service.submit and the stream handler runs through devstack.events.EventRunner; then one
submit, the handler's work and every completion read go through the HTTP layer (chalice.test.Client, the app's
authorizer and middleware) while every AWS call is counted by operation name, with DynamoDB capacity units
estimated from the items' sizes.

Part 2 simulates, without moto, a 500,000-household county reporting in one morning: every write the submit
transaction and the stream handler make is attributed to its partition key through the code's own key functions,
and the writes per second per key are reported.

Writes bench/results/daily_report.md and bench/results/daily_report_peak.svg. Exits 1 when a completion read's
DynamoDB calls differ between the two sizes, when a request fails, or when the counters disagree with the reports.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import math
import os
import random
import re
import sys
import tempfile
import time
import uuid
import warnings
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from _common import GIVEN, SURNAMES, Capacity, IdNumbers, _tables, bulk_flush, bulk_load, speed_up_moto  # noqa: E402

from devstack.aws import ACCOUNT, EmbeddedAws, configure_env  # noqa: E402

# The environment is read once, on the first import of the project's configuration: set it before anything else.
AWS = EmbeddedAws()
configure_env(AWS.port)
os.environ.update({
    "CQT_TENANT_CACHE_SECONDS": "3600",  # a warm Lambda: county record and report settings come from its cache
    "CQT_SMS_OUTBOX": str(Path(tempfile.mkdtemp(prefix="cqt-bench-")) / "sms.jsonl"),
    "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true",
})

# With metrics disabled (no EMF lines on stdout), Powertools keeps the per-request dimension and warns on the next.
warnings.filterwarnings("ignore", message="Dimension 'tenant' has already been added")

SHANGHAI = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has no daylight saving time
MORNING = dt.time(6, 30)  # time 0 of the arrival model (seconds after 06:30 local time)
TOWNSHIPS, VILLAGES, GRIDS = 20, 10, 2  # part 1's place tree, the same for both sizes
SHARE = 0.87  # households that have reported by the time the dashboards are read
REPLACE = 0.03  # of those, the share that submit a second report the same morning
PROXY = 0.20  # share reported by their grid worker (代报) in part 1
YELLOW, RED = 0.01, 0.002  # households with a yellow / red code
OUTSIDE = 0.03  # households hosting outside persons (外来人员)
TARGET = 300  # writes per second on the hottest partition key
TX_SECONDS = 0.020  # assumed duration of the stream handler's 5-item TransactWriteItems in DynamoDB
BIG_GRID = 200  # households of the one larger grid of the large county (village 2 of township 1)


# --- counting AWS calls ------------------------------------------------------------------------------------------

@dataclass
class Call:
    service: str
    op: str
    tables: tuple[str, ...] = ()
    rcu: float = 0.0
    wcu: float = 0.0
    keys: int = 0  # items asked for by a BatchGetItem
    error: str | None = None


@dataclass
class Measured:
    calls: list[Call] = field(default_factory=list)
    status: int | None = None
    note: str = ""
    pages: int = 1

    def ddb(self) -> list[Call]:
        return [c for c in self.calls if c.service == "dynamodb"]

    def signature(self) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(collections.Counter(c.op for c in self.ddb()).items()))

    def rcu(self) -> float:
        return sum(c.rcu for c in self.ddb())

    def wcu(self) -> float:
        return sum(c.wcu for c in self.ddb())


class Meter:
    """Wraps botocore's BaseClient._make_api_call, through which PynamoDB and boto3 clients both go: every AWS call
    of the process is seen once, by service and operation name. While `loading`, a DynamoDB TransactWriteItems is
    handed to moto's backend in-process instead (the same request, no HTTP round trip) to build the data quickly."""

    def __init__(self):
        self.scope: list[Call] | None = None
        self.loading = False
        self.backend = None
        self.capacity: Capacity | None = None
        self.table_names: dict[str, str] = {}
        self.pending: dict[str, tuple[dict, collections.Counter]] = {}
        self.handler_only = self.in_handler = False

    def install(self) -> None:
        import botocore.client
        from moto.dynamodb.models import dynamodb_backends

        from chalicelib.core.config import settings

        s = settings()
        self.backend = dynamodb_backends[ACCOUNT][s.region]
        self.capacity = Capacity(self.backend)
        self.table_names = {s.households_table: "households", s.submissions_table: "submissions",
                            s.idempotency_table: "idempotency"}
        original = botocore.client.BaseClient._make_api_call
        meter = self

        def make_api_call(client, operation_name, api_params):
            service = client.meta.service_model.service_name
            if meter.loading and service == "dynamodb" and operation_name == "TransactWriteItems":
                meter.load(api_params["TransactItems"])
                return {}
            if meter.scope is None or (meter.handler_only and not meter.in_handler):
                return original(client, operation_name, api_params)
            call = Call(service, operation_name)
            if service == "dynamodb":
                call.tables = tuple(meter.table_names.get(t, t) for t in _tables(operation_name, api_params))
                before = meter.capacity.before(operation_name, api_params)
                if operation_name == "BatchGetItem":
                    call.keys = sum(len(r["Keys"]) for r in api_params["RequestItems"].values())
            meter.scope.append(call)
            try:
                return original(client, operation_name, api_params)
            except Exception as e:
                call.error = type(e).__name__
                raise
            finally:
                if service == "dynamodb":
                    call.rcu, call.wcu = meter.capacity.after(operation_name, api_params, before)

        botocore.client.BaseClient._make_api_call = make_api_call

    def load(self, items: list[dict]) -> None:
        bulk_load(self.backend, self.pending, items)

    def flush(self) -> None:
        bulk_flush(self.backend, self.pending)

    @contextmanager
    def measure(self, handler_only: bool = False):
        """Count the calls made inside the block (with handler_only: only those of the stream handler itself, not
        the event source mapping's reads of the stream)."""
        m = Measured()
        self.scope, self.handler_only, Capacity.measuring = m.calls, handler_only, True
        try:
            yield m
        finally:
            self.scope, self.handler_only, Capacity.measuring = None, False, False

    def watch(self, runner) -> None:
        """Mark the stream handler's invocations by the local event runner."""
        invoke = runner._invoke

        def wrapped(name, event):
            self.in_handler = True
            try:
                return invoke(name, event)
            finally:
                self.in_handler = False

        runner._invoke = wrapped

    @contextmanager
    def bulk(self):
        self.loading = True
        try:
            yield
        finally:
            self.loading = False
            self.flush()


# --- data ----------------------------------------------------------------------------------------------------------

def arrival(rng: random.Random) -> float:
    """Seconds after 06:30 at which a household first reports (the same model as part 2, documented there)."""
    u = rng.random()
    if u < 0.08:
        return 1800 * math.sqrt(rng.random())  # early risers, 06:30-07:00, more and more of them
    if u < 0.14:
        return 1800 + rng.expovariate(1 / 120)  # the county's 07:00 push: a burst that decays over minutes
    if u < 0.88:
        return 1800 + 3600 * rng.betavariate(2, 3.2)  # the main wave, 07:00-08:00, peaking around 07:19
    late = rng.expovariate(1 / 900)
    while late >= 5400:  # latecomers after 08:00, by 09:30
        late = rng.expovariate(1 / 900)
    return 5400 + late


@dataclass
class Hh:
    hid: str
    grid: str
    members: list[str] = field(default_factory=list)  # member ids (loaded for households that report for real)


@dataclass
class County:
    label: str
    code: str
    per_grid: int
    populated: str  # "village": only the first village has households; "county": every grid has
    big_grid: str | None = None  # one more grid, of `big_size` households, for the unreported list's cost
    big_size: int = 0
    households: list[Hh] = field(default_factory=list)
    users: dict = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    truth: dict[str, collections.Counter] = field(default_factory=dict)
    reserved: dict[str, Hh] = field(default_factory=dict)
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def township(self) -> str:
        return self.code + "001"

    @property
    def village(self) -> str:
        return self.township + "201"

    @property
    def grid(self) -> str:
        return self.village + "G01"

    def grids(self) -> list[str]:
        out = []
        for i in range(1, TOWNSHIPS + 1):
            for j in range(1, VILLAGES + 1):
                v = f"{self.code}{i:03d}{200 + j:03d}"
                if self.populated == "county" or v == self.village:
                    out += [f"{v}G{k:02d}" for k in range(1, GRIDS + 1)]
        return out

    def grid_sizes(self) -> list[tuple[str, int]]:
        return [(g, self.per_grid) for g in self.grids()] + ([(self.big_grid, self.big_size)] if self.big_grid else [])


def build(c: County, rng: random.Random) -> None:
    """The county, its place tree, its households (write_household) and the staff the measurements sign in as."""
    from chalicelib.core.auth import service as auth
    from chalicelib.core.tenancy import COUNTY_ADMIN, GRID_WORKER, HOUSEHOLD_HEAD, PLATFORM_OPERATOR, VILLAGER, Grant
    from chalicelib.core.tenancy import TenantContext as Ctx
    from chalicelib.households import service as households
    from chalicelib.households.schemas import MemberIn
    from chalicelib.places import service as places
    from chalicelib.tenants import service as tenants

    t0 = time.perf_counter()
    admin_phone = f"139{zlib.crc32(c.code.encode()) % 10**8:08d}"
    tenants.onboard(Ctx("platform", "bench", "bench", (Grant(PLATFORM_OPERATOR, "*"),)), c.code, f"基准县{c.code}",
                    admin_phone, "县管理员", None)
    admin = auth.find_user_by_phone(c.code, admin_phone)
    ctx = Ctx(c.code, admin.uid, admin.phone_bidx, (Grant(COUNTY_ADMIN, c.code),))
    ids = IdNumbers(c.code)
    relations = ("户主", "配偶", "子女", "子女", "父母", "孙子女")
    with METER.bulk():
        for i in range(1, TOWNSHIPS + 1):
            township = f"{c.code}{i:03d}"
            places.create(ctx, township, f"第{i}镇")
            for j in range(1, VILLAGES + 1):
                village = f"{township}{200 + j:03d}"
                places.create(ctx, village, f"{rng.choice(SURNAMES)}家村")
                for k in range(1, GRIDS + 1):
                    places.create(ctx, f"{village}G{k:02d}", f"第{k}网格")
        if c.big_grid:
            places.create(ctx, c.big_grid, "大网格")
        for grid, count in c.grid_sizes():
            for n in range(count):
                surname = rng.choice(SURNAMES)
                size = rng.choices(range(1, 7), weights=(14, 30, 22, 18, 10, 6))[0]
                members = [MemberIn(name=surname + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                                    relation=relations[m], id_number=ids(),
                                    phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if m == 0 else None,
                                    outside_person=False) for m in range(size)]
                hh = households.write_household(c.code, grid, f"{grid[-3:]}组{n + 1}号", members)
                c.households.append(Hh(hh.hid, grid))
    c.stats["build_s"] = time.perf_counter() - t0
    in_grid = [h for h in c.households if h.grid == c.grid]
    c.reserved = {"warm": in_grid[0], "self": in_grid[1], "proxy": in_grid[2]}
    sessions = {"county_admin": admin}
    sessions["grid_worker"], _ = auth.add_grants(c.code, f"137{zlib.crc32(c.grid.encode()) % 10**8:08d}", "网格员甲",
                                                 [Grant(GRID_WORKER, c.grid)], invited_by=admin.uid)
    me = c.reserved["self"]
    sessions["villager"], _ = auth.add_grants(c.code, f"158{zlib.crc32(me.hid.encode()) % 10**8:08d}", "户主乙",
                                              [Grant(VILLAGER, c.grid, me.hid), Grant(HOUSEHOLD_HEAD, c.grid, me.hid)],
                                              invited_by=admin.uid)
    c.users = sessions


def _vector(colours: list[str], outside: int, proxy: bool) -> dict[str, int]:
    """What one household's day adds to each of its counters (what the stream handler derives from a day status)."""
    yellow, red = colours.count("yellow"), colours.count("red")
    return {"reported": 1, "on_time": 1, "proxy": int(proxy), "green": colours.count("green"), "yellow": yellow,
            "red": red, "alert_households": int(yellow + red > 0), "outside_households": int(outside > 0),
            "outside_persons": outside}


def _report(rng: random.Random, size: int) -> tuple[list[str], int]:
    u = rng.random()
    colours = ["green"] * size
    if u < RED + YELLOW:
        colours[rng.randrange(size)] = "red" if u < RED else "yellow"
    outside = rng.randint(1, 3) if rng.random() < OUTSIDE else 0
    return colours, outside


def morning(c: County, rng: random.Random, runner, clock_) -> None:
    """Households of the first township report through service.submit (a villager for their own household, or the
    grid worker: 代报), some twice; then the stream handler runs. In the 20,000-household county the other 19
    townships' mornings go into the counters directly (see synthetic_counters)."""
    from chalicelib.core.tenancy import GRID_WORKER, VILLAGER, Grant
    from chalicelib.core.tenancy import TenantContext as Ctx
    from chalicelib.daily_report import service
    from chalicelib.daily_report.events import counter_targets
    from chalicelib.daily_report.schemas import SubmitReport
    from chalicelib.households import service as households

    t0 = time.perf_counter()
    date = clock_.now().astimezone(SHANGHAI).date().isoformat()
    start = dt.datetime.combine(clock_.now().astimezone(SHANGHAI).date(), MORNING, tzinfo=SHANGHAI)
    reserved = {h.hid for h in c.reserved.values()}
    real = [h for h in c.households if h.grid.startswith(c.township)]
    events = []  # (seconds after 06:30, household, proxy?, colours, outside)
    for h in real:
        if h.hid in reserved or rng.random() >= SHARE:
            continue
        _, members = households.load(c.code, h.hid)
        h.members = [m.mid for m in members]
        proxy = rng.random() < PROXY
        at = arrival(rng)
        events.append((at, h, proxy, *_report(rng, len(members))))
        if rng.random() < REPLACE:
            events.append((at + 120 + rng.expovariate(1 / 600), h, proxy, *_report(rng, len(members))))
    events.sort(key=lambda e: e[0])
    final: dict[str, tuple] = {}
    for at, h, proxy, colours, outside in events:
        clock_.at = (start + dt.timedelta(seconds=at)).astimezone(dt.UTC)
        if proxy:
            ctx = Ctx(c.code, "gw" + h.grid[-6:], "bench", (Grant(GRID_WORKER, h.grid),))
        else:
            ctx = Ctx(c.code, "u" + h.hid, "bench", (Grant(VILLAGER, h.grid, h.hid),))
        body = SubmitReport.model_validate({
            "household": h.hid, "outside": [{"from_place": "杭州市", "count": outside}] if outside else [],
            "members": [{"member": m, "colour": k} for m, k in zip(h.members, colours, strict=True)]})
        service.submit(ctx, body)
        final[h.hid] = (h, colours, outside, proxy)
    c.stats["submits"] = len(events)
    c.stats["replacements"] = len(events) - len(final)
    c.stats["real_households"] = len(real)
    t1 = time.perf_counter()
    with METER.measure(handler_only=True) as handled:
        runner.drain()
    c.stats["handler_calls_per_version"] = len(handled.ddb()) / max(1, len(events))
    c.stats["handler_ops"] = dict(collections.Counter(x.op for x in handled.ddb()))
    c.stats["handler_other"] = dict(collections.Counter(f"{x.service}:{x.op}" for x in handled.calls
                                                        if x.service != "dynamodb"))
    c.stats["morning_s"], c.stats["drain_s"] = t1 - t0, time.perf_counter() - t1
    truth: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for h, colours, outside, proxy in final.values():
        for place in (h.grid, h.grid[:12], h.grid[:9], c.code):
            truth[place].update(_vector(colours, outside, proxy))
    if c.populated == "county":
        synthetic_counters(c, rng, date, truth, counter_targets)
    for h in c.households:
        for place in (h.grid, h.grid[:12], h.grid[:9], c.code):
            truth[place]["expected"] += 1
    c.truth = truth


def synthetic_counters(c: County, rng: random.Random, date: str, truth, counter_targets) -> None:
    """Townships 2-20 of the large county: each of their households that reports (the same shares and colours as
    above) adds its day to the keys counter_targets gives, as the stream handler would; the sums go in with one
    UpdateItem per counter item (the handler's actions: ADD the fields, SET expires and kind). No report item is
    written for them: no measured read touches one (the unreported list is read in the first township)."""
    from chalicelib.daily_report.models import COUNTER_FIELDS, Counter
    from chalicelib.daily_report.service import COUNTER_DAYS, expires_in

    t0 = time.perf_counter()
    sums: dict[tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    reported = 0
    for h in c.households:
        if h.grid.startswith(c.township) or rng.random() >= SHARE:
            continue
        size = rng.choices(range(1, 7), weights=(14, 30, 22, 18, 10, 6))[0]  # same distribution as build()
        colours, outside = _report(rng, size)
        vec = _vector(colours, outside, rng.random() < PROXY)
        for key in counter_targets(c.code, date, h.grid, h.hid):
            sums[key].update(vec)
        for place in (h.grid, h.grid[:12], h.grid[:9], c.code):
            truth[place].update(vec)
        reported += 1
    for (pk, sk), vec in sums.items():
        Counter(pk, sk).update(actions=[getattr(Counter, f).add(vec[f]) for f in COUNTER_FIELDS if vec[f]]
                               + [Counter.expires.set(expires_in(COUNTER_DAYS)), Counter.kind.set(Counter)])
    c.stats["synthetic_reports"] = reported
    c.stats["synthetic_counter_items"] = len(sums)
    c.stats["synthetic_s"] = time.perf_counter() - t0


def check_counters(c: County, date: str) -> list[str]:
    """The counters against what was reported (grid, village, township, county)."""
    from chalicelib.core.tenancy import COUNTY_ADMIN, Grant
    from chalicelib.core.tenancy import TenantContext as Ctx
    from chalicelib.daily_report import service
    from chalicelib.daily_report.models import COUNTER_FIELDS, Counter

    ctx = Ctx(c.code, "bench", "bench", (Grant(COUNTY_ADMIN, c.code),))
    problems = []
    for place in (c.grid, c.village, c.township, c.code):
        got = service.completion(ctx, place, date, False)["place"]
        want = c.truth[place]
        for f in ("expected", *COUNTER_FIELDS):
            if int(got[f]) != want[f]:
                problems.append(f"{c.label}: {f} of {place} is {got[f]}, expected {want[f]}")
    if c.populated == "county":  # the synthetic counter items must look like the handler's own
        from chalicelib.daily_report.events import counter_targets

        real = Counter.get(*Counter.keys(c.code, date, c.grid))
        other = next(h for h in c.households if not h.grid.startswith(c.township))
        fake = Counter.get(*counter_targets(c.code, date, other.grid, other.hid)[0])
        if set(real.attribute_values) - set(fake.attribute_values):
            problems.append(f"synthetic counters lack {set(real.attribute_values) - set(fake.attribute_values)}: "
                            "update bench/daily_report.py's synthetic_counters to what the stream handler writes")
    return problems


# --- the measured operations ---------------------------------------------------------------------------------------

class Http:
    def __init__(self, client):
        self.client = client

    def __call__(self, method: str, path: str, token: str, body=None, key: str | None = None):
        headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        data = json.dumps(body, ensure_ascii=False) if body is not None else None
        r = self.client.http.request(method, path, headers=headers, body=data)
        return r.status_code, (json.loads(r.body) if r.body else None)


READS = [  # (label, path, docs' access pattern)
    ("completion: grid", "/reports/completion?place={grid}", "32"),
    ("completion: grid + children", "/reports/completion?place={grid}&children=true", "32"),
    ("completion: village", "/reports/completion?place={village}", "32"),
    ("completion: village + children", "/reports/completion?place={village}&children=true", "32"),
    ("completion: township", "/reports/completion?place={township}", "32"),
    ("completion: township + children", "/reports/completion?place={township}&children=true", "32"),
    ("completion: county", "/reports/completion?place={county}", "32"),
    ("completion: county + children", "/reports/completion?place={county}&children=true", "32"),
    ("trend: village, 30 days", "/reports/trend?place={village}&days=30", "33"),
    ("trend: county, 30 days", "/reports/trend?place={county}&days=30", "33"),
    ("unreported: grid, first page", "/reports/unreported?grid={grid}", "34"),
]


def measure(c: County, http: Http, runner, clock_) -> dict[str, Measured]:
    out: dict[str, Measured] = {}
    places = {"grid": c.grid, "village": c.village, "township": c.township, "county": c.code}

    def members(h: Hh, colour="green", red=False):
        from chalicelib.households import service as households

        if not h.members:
            h.members = [m.mid for m in households.load(c.code, h.hid)[1]]
        return [{"member": m, "colour": "red" if red and i == len(h.members) - 1 else colour}
                for i, m in enumerate(h.members)]

    def submit(label: str, h: Hh, role: str, red=False, outside=0):
        body = {"household": h.hid, "members": members(h, red=red),
                "outside": [{"from_place": "温州市", "count": outside}] if outside else []}
        clock_.at += dt.timedelta(seconds=30)
        with METER.measure() as m:
            m.status, _ = http("POST", "/reports", c.tokens[role], body, key=uuid.uuid4().hex)
        out[f"submit: {label}"] = m
        with METER.measure(handler_only=True) as m2:
            runner.drain()
        m2.status = 200
        out[f"stream handler: {label}"] = m2

    # warm-up: the Lambda's caches (county, settings, secrets, data keys, clients) as after a few requests
    warm = [http("POST", "/reports", c.tokens["grid_worker"], {"household": c.reserved["warm"].hid,
                                                              "members": members(c.reserved["warm"])},
                 key=uuid.uuid4().hex)[0]]
    runner.drain()
    warm += [http("GET", path.format(**places), c.tokens["county_admin"])[0] for _, path, _ in READS]
    c.stats["warm_failures"] = [status for status in warm if status not in (200, 201)]
    submit("first report of the day (villager)", c.reserved["self"], "villager")
    submit("replacement the same day (villager; adds 2 outside persons)", c.reserved["self"], "villager", outside=2)
    submit("代报 by the grid worker, red code (alert)", c.reserved["proxy"], "grid_worker", red=True)
    for label, path, _ in READS:
        with METER.measure() as m:
            m.status, body = http("GET", path.format(**places), c.tokens["county_admin"])
        out[label] = m
        if label.startswith("completion: county") and m.status == 200:
            m.note = f"rate {body['place']['rate']:.1%} of {body['place']['expected']:,}"
    with METER.measure() as m:  # the whole unreported list of the grid, page after page
        cursor, pages, items = None, 0, 0
        while True:
            path = f"/reports/unreported?grid={c.grid}" + (f"&cursor={cursor}" if cursor else "")
            m.status, body = http("GET", path, c.tokens["county_admin"])
            pages += 1
            if m.status != 200:
                break
            items += len(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                break
        m.note, m.pages = f"{pages} page{'s' * (pages > 1)}, {items} households of {c.per_grid}", pages
    out["unreported: grid, every page"] = m
    if c.big_grid:
        with METER.measure() as m:
            m.status, body = http("GET", f"/reports/unreported?grid={c.big_grid}", c.tokens["county_admin"])
        m.note = f"{len(body['items'])} households listed" if m.status == 200 else ""
        out[f"unreported: a grid of {c.big_size} households, first page"] = m
    return out


def part1(args) -> dict:
    t0 = time.perf_counter()
    AWS.start()
    from chalicelib.core import clock
    from chalicelib.core.auth import service as auth
    from chalicelib.core.config import settings
    from devstack.provision import provision

    AWS.ensure_kms_key(settings().pii_key_id)
    provision()
    speed_up_moto()
    METER.install()
    from chalice.test import Client

    from devstack.events import EventRunner
    from devstack.gateway import patch_local_authorizer

    patch_local_authorizer()
    import app as app_module

    today = dt.datetime.now(SHANGHAI).date()
    frozen = clock.FrozenClock(dt.datetime.combine(today, MORNING, tzinfo=SHANGHAI).astimezone(dt.UTC))
    clock.set_clock(frozen)
    rng = random.Random(args.seed)
    runner = EventRunner(app_module.app)
    METER.watch(runner)
    small = County("100 households", "330824", 50, "village")
    large = County(f"{args.households:,} households", "330825", args.households // (TOWNSHIPS * VILLAGES * GRIDS),
                   "county", big_grid="330825001202G03", big_size=BIG_GRID)
    problems: list[str] = []
    for c in (small, large):
        frozen.at = dt.datetime.combine(today, MORNING, tzinfo=SHANGHAI).astimezone(dt.UTC)
        build(c, rng)
        print(f"[{time.perf_counter() - t0:5.0f}s] {c.label}: built {len(c.households):,} households "
              f"in {c.stats['build_s']:.0f} s", flush=True)
    for c in (small, large):
        frozen.at = dt.datetime.combine(today, MORNING, tzinfo=SHANGHAI).astimezone(dt.UTC)
        morning(c, rng, runner, frozen)
        problems += check_counters(c, today.isoformat())
        print(f"[{time.perf_counter() - t0:5.0f}s] {c.label}: {c.stats['submits']:.0f} submits, stream drained",
              flush=True)
    measured = {}
    with Client(app_module.app) as client:
        http = Http(client)
        for c in (small, large):
            frozen.at = dt.datetime.combine(today, dt.time(9, 30), tzinfo=SHANGHAI).astimezone(dt.UTC)
            c.tokens = {role: auth.session_for(user, c.code)["access_token"] for role, user in c.users.items()}
            measured[c.label] = measure(c, http, runner, frozen)
            print(f"[{time.perf_counter() - t0:5.0f}s] {c.label}: measured", flush=True)
    AWS.stop()
    for c in (small, large):
        if c.stats["warm_failures"]:
            problems.append(f"{c.label}: warm-up requests answered {c.stats['warm_failures']}")
        for label, m in measured[c.label].items():
            if m.status not in (200, 201):
                problems.append(f"{c.label}: {label} answered {m.status}")
    mismatched = [label for label, *_ in READS + [("unreported: grid, every page", "", "34")]
                  if measured[small.label][label].signature() != measured[large.label][label].signature()]
    return {"small": small, "large": large, "measured": measured, "problems": problems, "mismatched": mismatched,
            "seconds": time.perf_counter() - t0}


# --- part 2: the morning peak ---------------------------------------------------------------------------------------

BIN = 0.1  # seconds: event times are kept at this resolution
PEAK_DATE = "2025-03-03"


def county_shape(rng: random.Random, households: int, townships: int, villages: int, grids: int):
    """Villages per township around villages/townships, village sizes lognormal (σ 0.45), grids in proportion to a
    village's households (at least one), households spread evenly over a village's grids."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(townships)]
    per_township = [max(1, round(villages * w / sum(weights))) for w in weights]
    per_township[-1] += villages - sum(per_township)
    sizes = [rng.lognormvariate(0, 0.45) for _ in range(villages)]
    hh = [int(households * s / sum(sizes)) for s in sizes]
    for i in range(households - sum(hh)):
        hh[i % villages] += 1
    per_grid = households / grids
    shape = []  # (grid code, households)
    v = 0
    for i, count in enumerate(per_township, 1):
        township = f"330825{i:03d}"
        for j in range(1, count + 1):
            village = f"{township}{200 + j:03d}"
            n = max(1, round(hh[v] / per_grid))
            for k in range(n):
                share = hh[v] // n + (1 if k < hh[v] % n else 0)
                shape.append((f"{village}G{k + 1:02d}" if n < 100 else f"{village}G{k + 1:03d}", share))
            v += 1
    return shape


class Timeline:
    """Write times per partition key, kept as 100 ms bins."""

    def __init__(self):
        self.keys: dict[str, list[int]] = collections.defaultdict(list)
        self.kind: dict[str, str] = {}

    def add(self, key: str, kind: str, at: float) -> None:
        self.keys[key].append(int(at / BIN))
        self.kind[key] = kind


def peak(bins: list[int], width: int) -> tuple[int, int]:
    """The most events in any window of `width` bins, and where it starts (bins sorted)."""
    best, at, j = 0, 0, 0
    for i, b in enumerate(bins):
        while bins[j] <= b - width:
            j += 1
        if i - j + 1 > best:
            best, at = i - j + 1, bins[j]
    return best, at


def part2(args) -> dict:
    """500,000 households report in one morning; every write is attributed to its partition key."""
    from chalicelib.daily_report.events import counter_targets
    from chalicelib.daily_report.models import Alert, Applied, Report
    from chalicelib.households.models import Household

    t0 = time.perf_counter()
    rng = random.Random(args.seed)
    tenant = "330825"
    shape = county_shape(rng, args.peak_households, 20, 300, 3000)
    shared = Timeline()  # keys several households write to
    unique_peak: dict[str, tuple[int, str]] = {}  # kind -> (highest writes in one second, key)
    unique_totals: collections.Counter = collections.Counter()
    unique_keys: collections.Counter = collections.Counter()
    arrivals: list[int] = []
    county_tx: dict[str, list[int]] = collections.defaultdict(list)
    alerts = proxies = replacements = 0

    def own(kind: str, key: str, times: list[float]) -> None:
        bins = sorted(int(t / BIN) for t in times)
        n, _ = peak(bins, int(1 / BIN))
        unique_totals[kind] += len(bins)
        unique_keys[kind] += 1
        if n > unique_peak.get(kind, (0, ""))[0]:
            unique_peak[kind] = (n, key)

    for grid, count in shape:
        village = grid[:12]
        worker_at = 3600 + rng.uniform(0, 3600)  # the grid worker's sitting for the households they report for
        for _ in range(count):
            hid = f"{rng.getrandbits(64):016x}"
            if rng.random() < 0.10:
                at, proxies = worker_at, proxies + 1
                worker_at += rng.uniform(20, 40)
            else:
                at = arrival(rng)
            u = rng.random()
            level = "red" if u < RED else "yellow" if u < RED + YELLOW else "green"
            submits = [at]
            if rng.random() < REPLACE:
                submits.append(at + 120 + rng.expovariate(1 / 600))
                replacements += 1
            dr, hh, marker, alert_keys = [], [], [], []
            for version, s in enumerate(submits, 1):
                arrivals.append(int(s / BIN))
                # the request's TransactWriteItems: report + day status, household's last report date, [alert]
                dr += [s, s]
                hh.append(s)
                shared.add(Household.village_index(tenant, village), "gsi1: a village's households", s)
                # Powertools' idempotency record of the request (a key of its own): PutItem, then UpdateItem
                own("idempotency record", f"{tenant}#submit_report#{rng.getrandbits(128):032x}", [s, s])
                lag = s + min(0.25 + rng.expovariate(2), 5.0)  # stream record to handler
                if level != "green":
                    aid = uuid.UUID(int=rng.getrandbits(128)).hex[:16]
                    alert_keys.append((Alert.keys(tenant, aid)[0], [s, lag]))  # Put, then published_at
                    shared.add(Alert.status_index(tenant, "open"), "gsi1: open alerts", s)
                    shared.add(Alert.status_index(tenant, "open"), "gsi1: open alerts", lag)
                    alerts += 1
                # the stream handler's TransactWriteItems: marker + 4 counters
                marker.append(lag)
                marker_key = Applied.keys(tenant, hid, PEAK_DATE, version)[0]
                for i, (pk, _) in enumerate(counter_targets(tenant, PEAK_DATE, grid, hid)):
                    shared.add(pk, ("counter: grid", "counter: village", "counter: township shard",
                                    "counter: county shard")[i], lag)
                    if i == 3:
                        county_tx[pk].append(int(lag / BIN))
            own("report partition (report + day status)", Report.partition(tenant, hid), dr)
            own("household", Household.keys(tenant, hid)[0], hh)
            own("counted marker", marker_key, marker)
            for key, times in alert_keys:
                own("alert", key, times)

    minute, second = int(60 / BIN), int(1 / BIN)
    rows = []
    for key, bins in shared.keys.items():
        bins.sort()
        p1, at1 = peak(bins, second)
        p60, at60 = peak(bins, minute)
        rows.append({"key": key, "kind": shared.kind[key], "writes": len(bins), "peak_s": p1, "peak_at": at1 * BIN,
                     "peak_min": p60 / 60, "peak_min_at": at60 * BIN})
    rows.sort(key=lambda r: (-r["peak_s"], -r["peak_min"]))
    kinds: dict[str, dict] = {}
    for r in rows:
        k = kinds.setdefault(r["kind"], {"kind": r["kind"], "keys": 0, "writes": 0, "peak_s": 0, "peak_min": 0.0,
                                         "key": r["key"]})
        k["keys"] += 1
        k["writes"] += r["writes"]
        k["peak_min"] = max(k["peak_min"], r["peak_min"])
        if r["peak_s"] > k["peak_s"]:
            k["peak_s"], k["key"] = r["peak_s"], r["key"]
    for kind, (n, key) in unique_peak.items():
        kinds[kind] = {"kind": kind, "keys": unique_keys[kind], "writes": unique_totals[kind], "peak_s": n,
                       "peak_min": None, "key": key}
    arrivals.sort()
    tx_peak, _ = peak(sorted(b for bins in county_tx.values() for b in bins), second)
    shards = []
    for pk, bins in sorted(county_tx.items()):
        bins.sort()
        in_hour = sum(1 for b in bins if 18000 <= b < 54000)  # 07:00-08:00
        p1, _ = peak(bins, second)
        p60, _ = peak(bins, minute)
        shards.append({"key": pk, "tx": len(bins), "hour_mean": in_hour / 3600, "peak_min": p60 / 60, "peak_s": p1})
    hottest_of_kind = {}
    for r in rows:  # sorted hottest first
        hottest_of_kind.setdefault(r["kind"], r["key"])
    series = _series(list(hottest_of_kind.items()), shared.keys, arrivals)
    a1, a1_at = peak(arrivals, second)
    a60, _ = peak(arrivals, minute)
    return {"rows": rows, "kinds": sorted(kinds.values(), key=lambda k: -k["peak_s"]), "shards": shards,
            "series": series, "households": args.peak_households, "grids": len(shape),
            "villages": len({g[:12] for g, _ in shape}), "townships": len({g[:9] for g, _ in shape}),
            "submits": len(arrivals), "replacements": replacements, "alerts": alerts, "proxies": proxies,
            "arrival_peak_s": a1, "arrival_peak_at": a1_at * BIN, "arrival_peak_min": a60 / 60,
            "in_hour": sum(1 for b in arrivals if 18000 <= b < 54000) / len(arrivals),
            "hottest": rows[0], "tx_peak": tx_peak, "seconds": time.perf_counter() - t0, "seed": args.seed}


def _series(keys: list[tuple[str, str]], timeline: dict[str, list[int]], arrivals: list[int],
            step: int = 10) -> dict:
    """Writes per second, averaged over `step`-second buckets, 06:30-10:00, by legend label."""
    buckets = int(12600 / step)
    out = {}
    named = [("all reports (submits/s)", arrivals)]
    named += [(kind, timeline[key]) for kind, key in keys]
    for name, bins in named:
        counts = [0] * buckets
        for b in bins:
            i = int(b * BIN / step)
            if 0 <= i < buckets:
                counts[i] += 1
        out[name] = [n / step for n in counts]
    return out


# --- results ---------------------------------------------------------------------------------------------------------

def _cell(m: Measured) -> str:
    ops = collections.Counter()
    for c in m.ddb():
        ops[(c.op, "+".join(c.tables))] += 1
    return ", ".join(f"{op}{f' ×{n}' if n > 1 else ''} ({t})" for (op, t), n in sorted(ops.items()))


def _others(m: Measured) -> str:
    ops = collections.Counter(f"{c.service} {c.op}" for c in m.calls if c.service != "dynamodb")
    return ", ".join(f"{k}{f' ×{n}' if n > 1 else ''}" for k, n in sorted(ops.items())) or "—"


def _hhmm(seconds: float) -> str:
    t = dt.datetime.combine(dt.date(2000, 1, 1), MORNING) + dt.timedelta(seconds=seconds)
    return t.strftime("%H:%M:%S")


def documented() -> dict[int, str]:
    """The 'DynamoDB calls' column of docs/data-model.md's access patterns, by pattern number."""
    out = {}
    for line in (ROOT / "docs" / "data-model.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| (\d+) \|", line)
        if m:
            out[int(m.group(1))] = line.rstrip().rstrip("|").rsplit("|", 1)[1].strip()
    return out


def _patterns(label: str) -> list[int]:
    for prefix, numbers in (("submit", [27]), ("stream handler", [28]), ("completion", [32]), ("trend", [33]),
                            ("unreported", [34])):
        if label.startswith(prefix):
            return numbers + ([29] if prefix == "stream handler" and "alert" in label else [])
    return []


def _documented_max(label: str, m: Measured, docs: dict[int, str]) -> int | None:
    """The most DynamoDB calls the docs allow for this row (Powertools' idempotency table not counted)."""
    total = 0
    for n in _patterns(label):
        cell = docs.get(n, "")
        if cell.startswith("⌈items/100⌉"):
            days = int(re.search(r"(\d+) days", label).group(1))
            items = days * (8 if "county" in label or "township" in label else 1)
            total += -(-items // 100) + 1
            continue
        found = re.match(r"(\d+)(?:–(\d+))?", cell)
        if not found:
            return None
        total += int(found.group(2) or found.group(1)) * (m.pages if "per page" in cell else 1)
    return total or None


def _app_calls(m: Measured) -> int:
    return sum(1 for c in m.ddb() if "idempotency" not in c.tables)


def observations(measured: dict[str, Measured], docs: dict[int, str]) -> list[str]:
    """Rows that cost more DynamoDB calls than docs/data-model.md says, with what the calls show."""
    out = []
    for label, m in measured.items():
        most = _documented_max(label, m, docs)
        if most is None or _app_calls(m) <= most:
            continue
        why = []
        if label.startswith("completion") and any(c.op == "GetItem" for c in m.ddb()):
            why.append("a GetItem of the place's own record (its name)")
        batches = [c for c in m.ddb() if c.op == "BatchGetItem"]
        if len(batches) > 2:
            keys = collections.Counter()
            for c in batches:
                keys[c.tables[0]] += c.keys
            why.append(f"{len(batches)} BatchGetItems for {keys['submissions']} report-counter and "
                       f"{keys['households']} coverage keys (at most 100 keys per call; a county or township counts "
                       "8 shards, so a county with more than 11 townships needs two calls for each)")
        if label.startswith("unreported"):
            why.append("PynamoDB's `limit` keeps querying until the page holds `limit` households that pass the "
                       "filter, so with most households reported a page reads the whole grid, 20 at a time")
        numbers = " + ".join(f"#{n} ({docs.get(n, '?')})" for n in _patterns(label))
        out.append(f"**{label}**: {_app_calls(m)} DynamoDB calls; docs {numbers} allow {most}"
                   + (f" — {'; '.join(why)}." if why else "."))
    return out


def render(p1: dict | None, p2: dict, args, total_s: float) -> str:
    from chalicelib.daily_report.events import CHUNK

    lines = ["# Daily report: DynamoDB calls per operation, and the morning peak", ""]
    lines += [f"`.venv/bin/python bench/daily_report.py` (run by `make bench`) reproduces this; it took "
              f"{total_s / 60:.1f} minutes on this machine (2 cores, shared). Python {sys.version.split()[0]}, "
              f"seed {args.seed}.", ""]
    if p1:
        small, large, measured = p1["small"], p1["large"], p1["measured"]
        docs = documented()
        lines += ["## 1. Calls per operation at two sizes", "",
                  f"Two counties with the same place tree ({TOWNSHIPS} townships × {VILLAGES} villages × {GRIDS} "
                  f"grids): **{small.label}** (one village, 2 grids of 50) and **{large.label}** "
                  f"({large.per_grid} per grid, plus one grid of {large.big_size} in village 2 of township 1). "
                  "Households were created with `households.service.write_household`; "
                  f"in the first township {SHARE:.0%} of them reported through `daily_report.service.submit` "
                  f"({PROXY:.0%} by their grid worker, {REPLACE:.0%} twice, {YELLOW:.0%} yellow, {RED:.1%} red), "
                  "then `EventRunner.drain()` ran the stream handler. The operations below then went through the "
                  "HTTP layer (`chalice.test.Client`: authorizer, middleware, Idempotency-Key on the submit) with "
                  "warm caches (a Lambda after a few requests), on the first grid, village and township. Each cell "
                  "lists every DynamoDB call by operation name and table; the last columns are capacity units "
                  "estimated from the items' sizes (see Method).", "",
                  f"| operation | {small.label} | {large.label} | DynamoDB calls ({large.label}) | other AWS calls "
                  "| est. RCU | est. WCU | docs/data-model.md |",
                  "|---|---:|---:|---|---|---:|---:|---|"]
        for label, m in measured[large.label].items():
            s = measured[small.label].get(label)
            flag = "" if s is None or s.signature() == m.signature() else " ⚠"
            doc = "; ".join(f"#{n}: {docs.get(n, '?')}" for n in _patterns(label))
            note = f" — {m.note}" if m.note else ""
            cell = _cell(m) + (f"; **{small.label}: {_cell(s)}**" if flag else "")
            lines.append(f"| {label}{note} | {len(s.ddb()) if s else '—'} | {len(m.ddb())}{flag} | {cell} "
                         f"| {_others(m)} | {m.rcu():g} | {m.wcu():g} | {doc} |")
        verdict = ("**Gate passed:** every completion read (completion, trend, unreported) makes the same DynamoDB "
                   "calls, by operation name, at both sizes." if not p1["mismatched"] else
                   f"**Gate FAILED:** these reads differ between the sizes: {', '.join(p1['mismatched'])}.")
        lines += ["", verdict, ""]
        seen = observations(measured[large.label], docs)
        if seen:
            lines += ["Above what docs/data-model.md says (its counts leave out Powertools' idempotency table, 2 calls "
                      "per submit with an Idempotency-Key):", ""] + [f"- {o}" for o in seen] + [""]
        lines += ["Loading and the morning, as run:", "", "| | " + " | ".join(c.label for c in (small, large)) + " |",
                  "|---|---:|---:|"]
        rows = [("households created (write_household)",
                 lambda c: f"{len(c.households):,} in {c.stats['build_s']:.0f} s"),
                ("submits through service.submit (first township)",
                 lambda c: f"{c.stats['submits']:,.0f} (of which {c.stats['replacements']:.0f} replaced a report) "
                           f"in {c.stats['morning_s']:.0f} s"),
                ("stream handler: DynamoDB calls per day-status version (drain of the morning)",
                 lambda c: f"{c.stats['handler_calls_per_version']:.2f} ("
                           + ", ".join(f"{k} {v}" for k, v in sorted(c.stats["handler_ops"].items())) + ")"),
                ("stream handler: other AWS calls (alerts on SNS)",
                 lambda c: ", ".join(f"{k} {v}" for k, v in sorted(c.stats["handler_other"].items())) or "—"),
                ("reports of townships 2–20 put into the counters directly",
                 lambda c: f"{c.stats.get('synthetic_reports', 0):,.0f} reports → "
                           f"{c.stats.get('synthetic_counter_items', 0):,.0f} counter items"
                           if c.populated == "county" else "—")]
        for name, fn in rows:
            lines.append(f"| {name} | {fn(small)} | {fn(large)} |")
        lines += ["", "Counters checked against what was reported (expected, reported, on time, 代报, colours, "
                  "alert households, outside persons) for the grid, village, township and county of both sizes: "
                  + ("**all equal**." if not p1["problems"] else "**differences:** " + "; ".join(p1["problems"])), ""]
    h = p2["hottest"]
    ok = h["peak_s"] < TARGET
    lines += ["## 2. Morning peak: writes per second per partition key", "",
              f"{p2['households']:,} households in one county ({p2['townships']} townships, {p2['villages']} "
              f"villages, {p2['grids']:,} grids) all report in one morning: {p2['submits']:,} submits "
              f"({p2['replacements']:,} replacements, {p2['proxies']:,} 代报 by grid workers, {p2['alerts']:,} with "
              f"a yellow or red code); {p2['in_hour']:.0%} of the submits fall between 07:00 and 08:00. Peak: "
              f"**{p2['arrival_peak_s']} submits in one second** (at {_hhmm(p2['arrival_peak_at'])}), "
              f"{p2['arrival_peak_min']:.0f}/s over the busiest minute, {p2['submits'] / 3600:.0f}/s if spread "
              "evenly over an hour.", "",
              f"**Hottest partition key: `{h['key']}` ({h['kind']}), {h['peak_s']} writes in its busiest second, "
              f"{h['peak_min']:.1f}/s over its busiest minute — {'under' if ok else 'OVER'} the target of "
              f"{TARGET}/s.** Its writes are transactional on items under 1 KB, so about "
              f"{2 * h['peak_s']} WCU/s (DynamoDB's limit per partition: 1,000 WCU/s).", "",
              "By kind of key (the hottest key of each kind):", "",
              "| kind of partition key | keys | writes in the morning | peak writes in 1 s | peak-minute "
              "writes/s | hottest key |", "|---|---:|---:|---:|---:|---|"]
    for k in p2["kinds"]:
        pm = f"{k['peak_min']:.1f}" if k["peak_min"] is not None else "—"
        lines.append(f"| {k['kind']} | {k['keys']:,} | {k['writes']:,} | {k['peak_s']} | {pm} | `{k['key']}` |")
    lines += ["", "The 12 hottest keys:", "", "| partition key | kind | writes | peak writes in 1 s (at) | "
              "peak-minute writes/s (from) |", "|---|---|---:|---:|---:|"]
    for r in p2["rows"][:12]:
        lines.append(f"| `{r['key']}` | {r['kind']} | {r['writes']:,} | {r['peak_s']} ({_hhmm(r['peak_at'])}) | "
                     f"{r['peak_min']:.1f} ({_hhmm(r['peak_min_at'])}) |")
    lines += ["", "Contention on the county counter shards: each report's stream-handler transaction touches one "
              "shard (with its grid, village and township-shard counters). A transaction that meets another one in "
              "flight on the same item is cancelled (TransactionConflict) and retried by the handler with backoff. "
              "The last columns estimate, for the busiest second, the chance that another transaction on the same "
              "shard is within ±w of a given one (Poisson: 1 − e^(−2λw)); one handler per stream shard caps the "
              "number in flight, so these are upper estimates.", "",
              "| county shard | transactions | mean tx/s 07:00–08:00 | peak-minute tx/s | peak tx in 1 s | "
              "overlap w = 10 ms | overlap w = 25 ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for s in p2["shards"]:
        lines.append(f"| `{s['key']}` | {s['tx']:,} | {s['hour_mean']:.1f} | {s['peak_min']:.1f} | {s['peak_s']} | "
                     f"{1 - math.exp(-2 * s['peak_s'] * 0.010):.0%} | {1 - math.exp(-2 * s['peak_s'] * 0.025):.0%} |")
    in_flight = p2["tx_peak"] * TX_SECONDS
    lines += ["", f"With one handler per stream shard the transactions in flight are those of the busy handlers: at "
              f"the busiest second the handlers run {p2['tx_peak']} counter transactions; at ~{TX_SECONDS * 1000:.0f} "
              f"ms each that is about {in_flight:.1f} in flight, so a transaction meets another one on its county "
              f"shard with a probability of about 1 − (7/8)^{max(in_flight - 1, 0):.1f} = "
              f"{1 - (7 / 8) ** max(in_flight - 1, 0):.0%} (each other one is on one of 8 shards). Either way, at the "
              "peak a sizeable share of the counter transactions is cancelled and retried (the handler tries 6 "
              "times, then fails the batch, which Lambda delivers again; the markers keep the counts exact).", "",
              "The figures above model one handler transaction per report, the upper bound. The handler "
              f"(`chalicelib/daily_report/events.py`) sums each stream batch per counter and writes one transaction "
              f"per chunk of up to {CHUNK} reports, with the chunk's county sum on one shard: at the busiest second "
              f"that is about {p2['tx_peak'] / CHUNK:.0f} county-shard transactions across all 8 shards instead of "
              f"{p2['tx_peak']}, and fewer writes on every counter key.", ""]
    lines += ["![writes per second on the hottest keys](daily_report_peak.svg)", ""]
    lines += ["## Method", "",
              "**Counting.** `botocore.client.BaseClient._make_api_call` is wrapped for the run: PynamoDB and the "
              "boto3 clients (Powertools idempotency, KMS, SNS) all call AWS through it, so each call is counted "
              "once by service and operation name, and DynamoDB calls by table. The stream handler's calls are "
              "those made while `EventRunner.drain()` runs (its own GetRecords/DescribeStream are the Lambda event "
              "source mapping's, left out). DynamoDB calls are gated: a read whose calls differ between the sizes "
              "makes the bench exit 1.", "",
              "**Capacity units** are estimates (moto returns constants): an item's size is moto's (attribute "
              "names + values); reads round up per 4 KB (GetItem/BatchGetItem per item, Query over the sum of the "
              "items it evaluated before the filter), eventually consistent reads count half; writes round up per "
              "1 KB of the larger of the item before and after, twice inside a transaction, plus one write on gsi1 "
              "when the item is in the index (ALL projection: any change of a household or alert also writes the "
              "index).", "",
              "**Building the data.** Households are created by `write_household` itself. While loading, its "
              "TransactWriteItems request is handed to moto's backend in-process instead of over HTTP, and the "
              "coverage counters' `ADD 1` updates are summed per counter item and applied once at the end: the same "
              "items (household, members, ID-number indexes, coverage counters), several times faster. moto "
              "sorts a whole table for every Query; devstack's `fast_queries` (same results) is switched on. The "
              "large county has one more grid (village 2 of township 1, 200 households) to show what the unreported "
              "list costs in a bigger grid. Households of the first township (the one whose grid, village and "
              "township are read; about 1,200 households in the large county) report through `service.submit`, "
              "then the stream handler counts them. The large county's 19 other townships do not go through submit "
              "and the stream (about 17,000 more reports would take some 20 minutes on moto): their reports (same "
              "shares and colours) are added to the counter items that `events.counter_targets` names, summed per "
              "item, with the handler's update actions, so completion reads see a whole county's counters; the "
              "bench checks that these items carry the same attributes as the handler's. No measured read touches "
              "their report items.", "",
              "**Peak simulation** (no moto): a county shaped like a real one — 20 townships, 300 villages (15 ± 4 "
              "per township, sizes lognormal σ 0.45), grids of ~167 households. Arrival of a household's first "
              "report, in seconds after 06:30: 8 % early risers (06:30–07:00, density rising), 6 % right after the "
              "county's 07:00 push (exponential, mean 2 min), 74 % in the main wave 07:00 + 60 min × Beta(2, 3.2) "
              "(mode 07:19), 12 % late (08:00 + exponential, mean 15 min, by 09:30); 10 % instead reported by "
              "their grid worker in one sitting per grid (starting 07:30–08:30, one every 20–40 s). "
              f"{REPLACE:.0%} replace their report 2 + Exp(10) min later; {YELLOW:.0%} yellow and {RED:.1%} red "
              "(an alert per submit). Each submit writes, at its time: the report and the day status "
              "(`Report.partition`), the household's last report date (`Household.keys`) and therefore gsi1's "
              "village partition (`Household.village_index`), [the alert (`Alert.keys`) and gsi1's open-alerts "
              "partition (`Alert.status_index`)], and the Powertools idempotency record (PutItem + UpdateItem, a "
              "key of its own). The stream handler, 0.25 s + Exp(0.5 s) later (≤ 5 s), writes the marker "
              "(`Applied.keys`) and the four counters of `events.counter_targets` in one transaction, and for an "
              "alert its `published_at` (the alert and gsi1 again). Writes are kept at 100 ms resolution; the "
              "peak 1 s and peak minute are sliding windows.", "",
              "Reproduce: `make bench` (both benchmarks) or `.venv/bin/python bench/daily_report.py "
              "[--households 20000] [--peak-households 500000] [--seed 7] [--peak-only]`."]
    return "\n".join(lines) + "\n"


def svg_chart(p2: dict) -> str:
    """Two panels: submits per second in the county, and writes per second on the hottest keys, 06:30-10:00."""
    series = p2["series"]
    peaks = {k["kind"]: k["peak_s"] for k in p2["kinds"]}
    width, left, right = 1000, 60, 290
    plot_w = width - left - right
    colours = ["#444", "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="620" font-family="sans-serif" '
           'font-size="12">', '<rect width="100%" height="100%" fill="white"/>']

    def panel(top: int, height: int, names: list[str], title: str, ymax: float, target: float | None):
        n = len(series[names[0]])
        out.append(f'<text x="{left}" y="{top - 10}" font-size="14" font-weight="bold">{title}</text>')
        out.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{height}" fill="none" stroke="#999"/>')
        step = 10 ** math.floor(math.log10(ymax / 2)) if ymax > 2 else 0.5
        while ymax / step > 8:
            step *= 2
        y = 0.0
        while y <= ymax + 1e-9:
            py = top + height - height * y / ymax
            out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{py:.1f}" y2="{py:.1f}" stroke="#eee"/>')
            out.append(f'<text x="{left - 6}" y="{py + 4:.1f}" text-anchor="end">{y:g}</text>')
            y += step
        for minutes in range(0, 211, 30):
            px = left + plot_w * minutes * 60 / 12600
            out.append(f'<line x1="{px:.1f}" x2="{px:.1f}" y1="{top}" y2="{top + height}" stroke="#eee"/>')
            out.append(f'<text x="{px:.1f}" y="{top + height + 16}" text-anchor="middle">'
                       f'{_hhmm(minutes * 60)[:5]}</text>')
        if target is not None and target <= ymax:
            py = top + height - height * target / ymax
            out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{py:.1f}" y2="{py:.1f}" stroke="#d62728" '
                       'stroke-dasharray="6 4"/>')
            out.append(f'<text x="{left + 6}" y="{py - 5:.1f}" fill="#d62728">target {target:g} writes/s</text>')
        elif target is not None:
            out.append(f'<text x="{left + plot_w - 6}" y="{top + 16}" text-anchor="end" fill="#d62728">target: '
                       f'{target:g} writes/s on a key, {target / ymax:.0f}× above this scale</text>')
        for i, name in enumerate(names):
            pts = " ".join(f"{left + plot_w * (j + 0.5) / n:.1f},{top + height - height * min(v, ymax) / ymax:.1f}"
                           for j, v in enumerate(series[name]))
            colour = colours[(i + (0 if names[0].startswith("all") else 1)) % len(colours)]
            out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.3"/>')
            label = f"{name} (1 s peak {peaks[name]})" if name in peaks else name
            ly = top + 14 + 16 * i
            if target is None or name.startswith("all"):
                continue
            out.append(f'<line x1="{left + plot_w + 6}" x2="{left + plot_w + 24}" y1="{ly - 4}" y2="{ly - 4}" '
                       f'stroke="{colour}" stroke-width="2"/>')
            out.append(f'<text x="{left + plot_w + 28}" y="{ly}">{label}</text>')

    first = "all reports (submits/s)"
    panel(40, 200, [first], "Submits per second in the county (10-second averages)",
          max(series[first]) * 1.1, None)
    keys = [k for k in series if k != first]
    top_value = max(max(series[k]) for k in keys)
    panel(310, 260, keys, "Writes per second on the hottest key of each kind (10-second averages)",
          top_value * 1.2, TARGET)
    out.append(f'<text x="{left}" y="610" fill="#666">1-second peaks are in the tables; time is Asia/Shanghai; '
               f'seed {p2["seed"]}.</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


METER = Meter()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--households", type=int, default=20_000, help="households of the large county (part 1)")
    p.add_argument("--peak-households", type=int, default=500_000, help="households of the simulated county")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--peak-only", action="store_true", help="skip part 1 (the embedded AWS)")
    args = p.parse_args()
    t0 = time.perf_counter()
    p1 = None if args.peak_only else part1(args)
    p2 = part2(args)
    print(f"[{time.perf_counter() - t0:5.0f}s] peak simulated", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = render(p1, p2, args, time.perf_counter() - t0)
    if not args.peak_only:
        (RESULTS / "daily_report.md").write_text(text, encoding="utf-8")
    (RESULTS / "daily_report_peak.svg").write_text(svg_chart(p2), encoding="utf-8")
    print(text)
    failed = bool(p1 and (p1["mismatched"] or p1["problems"]))
    if failed:
        print("FAILED: " + "; ".join([f"calls differ between sizes: {', '.join(p1['mismatched'])}"] * bool(
            p1["mismatched"]) + p1["problems"]), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
