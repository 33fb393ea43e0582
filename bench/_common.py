"""Shared pieces of the benchmarks: capacity estimates, moto speed-ups, fast seeding, botocore event hooks that
count DynamoDB calls, and the route matrix (every route of the app's route table with a request builder).

Nothing here touches the project's configuration at import time: a benchmark sets the environment (or imports
tests/conftest.py, which does) before it calls anything below.
"""

from __future__ import annotations

import collections
import json
import re
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华建国平辉玲桂兰红霞志刚海燕春梅"


def log(text: str) -> None:
    """Progress, on stderr (stdout is for the results)."""
    print(text, file=sys.stderr, flush=True)


# --- capacity estimates and moto (moved from bench/daily_report.py) -------------------------------------------------

def _tables(op: str, p: dict) -> list[str]:
    if "TableName" in p:
        return [p["TableName"]]
    if op in ("BatchGetItem", "BatchWriteItem"):
        return list(p.get("RequestItems", {}))
    if op in ("TransactWriteItems", "TransactGetItems"):
        return list(dict.fromkeys(next(iter(i.values()))["TableName"] for i in p.get("TransactItems", [])))
    return []


def _units(size: int, unit: int) -> int:
    return max(1, -(-size // unit))


class Capacity:
    """Capacity units a call would consume in DynamoDB, estimated from the sizes of the items it touches (moto's
    item sizes: attribute names plus values) with DynamoDB's rounding: reads per 4 KB (half for eventually
    consistent reads; a Query rounds the sum of the items it evaluates, filter or not), writes per 1 KB of the
    larger of the item before and after, twice in a transaction, plus a write on each index (gsi1..3) the item is
    in."""

    measuring = False
    scanned_bytes = 0  # set by moto's Query (see speed_up_moto): the size of the items a Query evaluated

    def __init__(self, backend):
        self.backend = backend

    def _item(self, table: str, attrs: dict):
        from moto.dynamodb.models.dynamo_type import DynamoType

        t = self.backend.tables.get(table)
        if t is None or t.hash_key_attr not in attrs:
            return None
        got = t.items.get(DynamoType(attrs[t.hash_key_attr]))  # .get: do not create empty partitions
        if t.range_key_attr:
            return (got or {}).get(DynamoType(attrs[t.range_key_attr]))
        return got

    @staticmethod
    def _writes(op: str, p: dict) -> list[tuple[str, dict, str, bool]]:
        """(table, key or item, kind, transactional) for each item a write touches."""
        if op == "PutItem":
            return [(p["TableName"], p["Item"], "Put", False)]
        if op in ("UpdateItem", "DeleteItem"):
            return [(p["TableName"], p["Key"], op[:-4], False)]
        if op == "TransactWriteItems":
            out = []
            for entry in p["TransactItems"]:
                kind, body = next(iter(entry.items()))
                out.append((body["TableName"], body.get("Item") or body.get("Key"), kind, True))
            return out
        if op == "BatchWriteItem":
            return [(table, r["PutRequest"]["Item"] if "PutRequest" in r else r["DeleteRequest"]["Key"],
                     "Put" if "PutRequest" in r else "Delete", False)
                    for table, reqs in p["RequestItems"].items() for r in reqs]
        return []

    INDEXES = ("gsi1", "gsi2", "gsi3")

    @staticmethod
    def _in_index(item, index: str = "gsi1") -> tuple | None:
        if item is None or f"{index}pk" not in item.attrs or f"{index}sk" not in item.attrs:
            return None
        return item.attrs[f"{index}pk"].value, item.attrs[f"{index}sk"].value

    def before(self, op: str, p: dict) -> list:
        Capacity.scanned_bytes = 0
        return [self._item(t, a) for t, a, _, _ in self._writes(op, p)]

    def after(self, op: str, p: dict, before: list) -> tuple[float, float]:
        if op == "GetItem":
            item = self._item(p["TableName"], p["Key"])
            return _units(item.size() if item else 0, 4096) * (1.0 if p.get("ConsistentRead") else 0.5), 0.0
        if op == "BatchGetItem":
            rcu = 0.0
            for table, req in p["RequestItems"].items():
                for k in req["Keys"]:
                    item = self._item(table, k)
                    rcu += _units(item.size() if item else 0, 4096) * (1.0 if req.get("ConsistentRead") else 0.5)
            return rcu, 0.0
        if op == "Query":
            return _units(Capacity.scanned_bytes, 4096) * (1.0 if p.get("ConsistentRead") else 0.5), 0.0
        wcu = 0.0
        for (table, attrs, kind, tx), old in zip(self._writes(op, p), before, strict=True):
            new = None if kind == "Delete" else self._item(table, attrs)
            size = max(old.size() if old else 0, new.size() if new else 0)
            wcu += _units(size, 1024) * (2 if tx else 1)
            if kind == "ConditionCheck":
                continue
            for index in self.INDEXES:
                was, now = self._in_index(old, index), self._in_index(new, index)
                if now:
                    wcu += _units(new.size(), 1024)
                if was and was != now:
                    wcu += _units(old.size(), 1024)
        return 0.0, wcu


def speed_up_moto() -> None:
    """moto answers a Query by sorting the whole table; devstack's fast_queries (same results) makes a
    20,000-household county usable. While measuring, moto's Query is also run once more without its filter and
    projection to learn the size of the items it evaluated, for the read-capacity estimate."""
    from moto.dynamodb.models import DynamoDBBackend

    from devstack.moto_patches import fast_queries

    fast_queries()
    original = DynamoDBBackend.query

    def query(self, table_name, hash_key, range_comparison, range_values, limit, start_key, forward, projection,
              **kwargs):
        result = original(self, table_name, hash_key, range_comparison, range_values, limit, start_key, forward,
                          projection, **kwargs)
        if Capacity.measuring:
            scanned, _, _ = original(self, table_name, hash_key, range_comparison, range_values, limit, start_key,
                                     forward, None, **{**kwargs, "filter_expression": None})
            Capacity.scanned_bytes = sum(i.size() for i in scanned)
        return result

    DynamoDBBackend.query = query


class IdNumbers:
    """Valid, distinct ID-card numbers of a county (birth date and sequence from a counter, GB 11643 check digit)."""

    def __init__(self, region: str):
        self.region, self.n = region, 0

    def __call__(self) -> str:
        from chalicelib.core.pii import id_check_digit

        n, self.n = self.n, self.n + 1
        s = f"{self.region}{1940 + n % 60}{1 + (n // 60) % 12:02d}{1 + (n // 720) % 28:02d}{(n // 20160) % 1000:03d}"
        return s + id_check_digit(s)


# --- counting DynamoDB calls through botocore's event hooks ---------------------------------------------------------

CAPACITY_OPS = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
                "TransactGetItems", "TransactWriteItems"}  # the operations that take ReturnConsumedCapacity


@dataclass
class Write:
    """One partition written by a call: the table (or table:index) and the partition key's value."""

    table: str
    pk: str
    wcu: float  # estimated write units this item costs on that partition
    kind: str  # Put / Update / Delete / index


@dataclass
class DdbCall:
    op: str
    tables: tuple[str, ...] = ()
    rcu: float = 0.0  # estimated (see Capacity)
    wcu: float = 0.0
    reported: float | None = None  # what the server returned as ConsumedCapacity (moto: constants, or nothing)
    writes: list[Write] = field(default_factory=list)
    error: str | None = None
    stream: bool = False  # made by a stream handler


class _Http:
    status_code = 200
    headers: dict = {}
    content = b""


def bulk_load(backend, pending: dict[str, tuple[dict, collections.Counter]], items: list[dict]) -> None:
    """Apply a transaction in-process while seeding. Counter updates that only ADD numbers are summed per item in
    `pending` and applied once by `bulk_flush`: the same final items, a fraction of moto's time."""
    rest = []
    for entry in items:
        update = entry.get("Update")
        if update and update["UpdateExpression"].startswith("ADD ") and " SET " not in update["UpdateExpression"] \
                and "ConditionExpression" not in update:
            k = json.dumps([update["TableName"], update["Key"], update["UpdateExpression"],
                            update.get("ExpressionAttributeNames")], sort_keys=True)
            sums = pending.setdefault(k, (update, collections.Counter()))[1]
            for name, value in update["ExpressionAttributeValues"].items():
                sums[name] += int(value["N"])
        else:
            rest.append(entry)
    if rest:
        backend.transact_write_items(rest)


def bulk_flush(backend, pending: dict[str, tuple[dict, collections.Counter]]) -> None:
    for update, sums in pending.values():
        values = {name: {"N": str(n)} for name, n in sums.items()}
        backend.transact_write_items([{"Update": {**update, "ExpressionAttributeValues": values}}])
    pending.clear()


class Hooks:
    """Registers handlers on every DynamoDB client botocore creates (PynamoDB's and boto3's alike, through
    botocore.session.Session.create_client): `before-parameter-build` asks for ReturnConsumedCapacity=TOTAL,
    `before-call` records the call (and, while `bulk()` loads data, hands a TransactWriteItems to moto's backend
    in-process and answers it without an HTTP round trip), `after-call` reads the answer, estimates capacity units
    from the items' sizes and notes the partitions written. Install before any client exists."""

    def __init__(self):
        self.scope: list[DdbCall] | None = None
        self.loading = False
        self.handler_only = self.in_handler = False
        self.backend = None
        self.capacity: Capacity | None = None
        self.table_names: dict[str, str] = {}
        self.pending: dict[str, tuple[dict, collections.Counter]] = {}
        self.clients = 0

    def install(self) -> None:
        import botocore.session
        from moto.dynamodb.models import dynamodb_backends

        from chalicelib.core.config import settings
        from devstack.aws import ACCOUNT

        s = settings()
        self.backend = dynamodb_backends[ACCOUNT][s.region]
        self.capacity = Capacity(self.backend)
        self.table_names = {s.households_table: "households", s.submissions_table: "submissions",
                            s.idempotency_table: "idempotency"}
        original = botocore.session.Session.create_client
        hooks = self

        def create_client(session, service_name, *args, **kwargs):
            c = original(session, service_name, *args, **kwargs)
            if service_name == "dynamodb":
                hooks.attach(c)
            return c

        botocore.session.Session.create_client = create_client

    def attach(self, client) -> None:
        self.clients += 1
        client.meta.events.register("before-parameter-build.dynamodb", self._params)
        client.meta.events.register("before-call.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def _active(self) -> bool:
        return self.scope is not None and not (self.handler_only and not self.in_handler)

    def _params(self, params, model, context, **_):
        context["bench_params"] = params
        if self._active() and not self.loading and model.name in CAPACITY_OPS:
            params.setdefault("ReturnConsumedCapacity", "TOTAL")

    def _before(self, model, context, **_):
        op, p = model.name, context.get("bench_params", {})
        if self.loading and op == "TransactWriteItems":
            self.load(p["TransactItems"])
            return _Http(), {}
        if not self._active():
            return None
        call = DdbCall(op, tuple(self.table_names.get(t, t) for t in _tables(op, p)), stream=self.in_handler)
        context["bench_call"] = call
        context["bench_before"] = self.capacity.before(op, p)
        self.scope.append(call)
        return None

    def _after(self, http_response, parsed, model, context, **_):
        call = context.get("bench_call")
        if call is None:
            return
        op, p, before = model.name, context["bench_params"], context["bench_before"]
        if http_response.status_code >= 300:
            call.error = (parsed.get("Error") or {}).get("Code", str(http_response.status_code))
        reported = parsed.get("ConsumedCapacity")
        if reported is not None:
            items = reported if isinstance(reported, list) else [reported]
            call.reported = float(sum(c.get("CapacityUnits", 0) for c in items))
        call.rcu, call.wcu = self.capacity.after(op, p, before)
        if not call.error:
            call.writes = self._written(op, p, before)

    def _written(self, op: str, p: dict, before: list) -> list[Write]:
        """The partitions a write touched: the table's partition key, and each index's partition of the item before
        and after (an item in an index is written there too), with the write units each costs."""
        out = []
        for (table, attrs, kind, tx), old in zip(Capacity._writes(op, p), before, strict=True):
            if kind == "ConditionCheck":
                continue
            t = self.backend.tables.get(table)
            name = self.table_names.get(table, table)
            new = None if kind == "Delete" else self.capacity._item(table, attrs)
            size = max(old.size() if old else 0, new.size() if new else 0)
            out.append(Write(name, str(next(iter(attrs[t.hash_key_attr].values()))),
                             _units(size, 1024) * (2 if tx else 1), kind))
            for index in Capacity.INDEXES:
                was, now = Capacity._in_index(old, index), Capacity._in_index(new, index)
                if now:
                    out.append(Write(f"{name}:{index}", str(now[0]), _units(new.size(), 1024), "index"))
                if was and was != now:
                    out.append(Write(f"{name}:{index}", str(was[0]), _units(old.size(), 1024), "index"))
        return out

    # while loading
    def load(self, items: list[dict]) -> None:
        bulk_load(self.backend, self.pending, items)

    def flush(self) -> None:
        bulk_flush(self.backend, self.pending)

    @contextmanager
    def bulk(self):
        self.loading = True
        try:
            yield
        finally:
            self.loading = False
            self.flush()

    @contextmanager
    def measure(self, handler_only: bool = False):
        """The DynamoDB calls made inside the block (with handler_only: only the stream handlers' own calls, not
        the local event source mapping's DescribeTable)."""
        calls: list[DdbCall] = []
        self.scope, self.handler_only, Capacity.measuring = calls, handler_only, True
        try:
            yield calls
        finally:
            self.scope, self.handler_only, Capacity.measuring = None, False, False

    def watch(self, runner) -> None:
        """Mark the stream handlers' invocations by the local event runner."""
        invoke = runner._invoke

        def wrapped(name, event):
            self.in_handler = True
            try:
                return invoke(name, event)
            finally:
                self.in_handler = False

        runner._invoke = wrapped


# --- the embedded stack, a county and its households ----------------------------------------------------------------

def start_stack(hooks: Hooks, tenant_cache_seconds: int = 3600, env: dict | None = None):
    """tests/conftest.py's embedded AWS (importing it sets the environment), provisioned; the hooks installed
    before any client exists; the app with its local authorizer; the platform operator registered. Returns
    (conftest module, the app, the local event runner)."""
    import os
    import sys
    import warnings

    sys.path.insert(0, str(ROOT))
    import tests.conftest as conftest

    os.environ.update({"CQT_TENANT_CACHE_SECONDS": str(tenant_cache_seconds),  # a warm Lambda
                       "CQT_ACCESS_TOKEN_TTL": "86400",  # the World's tokens must outlast seeding a large county
                       "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true", **(env or {})})
    warnings.filterwarnings("ignore", message="Dimension 'tenant' has already been added")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    conftest._AWS.start()
    try:
        from chalicelib.core.config import settings

        hooks.install()
        from devstack.provision import provision

        conftest._AWS.ensure_kms_key(settings().pii_key_id)
        provision()
        speed_up_moto()
        from devstack.events import EventRunner
        from devstack.gateway import patch_local_authorizer

        patch_local_authorizer()
        import app as app_module
        from chalicelib.core.auth import service as auth
        from chalicelib.core.tenancy import PLATFORM_OPERATOR, Grant

        auth.add_grants("platform", conftest.OPERATOR_PHONE, "测试运营", [Grant(PLATFORM_OPERATOR, "*")],
                        invited_by="bench")
        runner = EventRunner(app_module.app)
        hooks.watch(runner)
        return conftest, app_module.app, runner
    except BaseException:
        conftest._AWS.stop()
        raise


def lift_tipoff_limit() -> int:
    """One villager files every case the benchmarks make (tip-offs, 随手拍, letters): lift the per-person daily
    limits (10) of every case type, and of photo uploads, in this process. The limits' counters are still written on
    every filing (the same DynamoDB calls); only their thresholds move."""
    from chalicelib import manifests
    from chalicelib.cases import service as cases
    from chalicelib.cases import types

    manifests.register()
    before = types.get("tipoff").per_day
    # The declarations are NamedTuples, registered by identity: the field's getter is replaced instead, for every
    # type, in this process only.
    types.CaseType.per_day = property(lambda _t: 10**6)
    cases.UPLOADS_PER_DAY = 10**6
    from chalicelib.datarights import service as datarights

    datarights.EXPORTS_PER_DAY = 10**6  # a county's data exports: 3 a day
    from chalicelib.backoffice import service as backoffice

    backoffice.REPORTS_PER_DAY = 10**6  # its quarterly reports: 20 a day
    return before


def stop_stack(conftest) -> None:
    conftest._AWS.stop()


def seed(hooks: Hooks, tenant: str, places: list[tuple[str, str]], grid_sizes: list[tuple[str, int]], rng,
         ids: IdNumbers | None = None) -> float:
    """Create places (code, name; parents first) and households (write_household itself, loaded in-process by
    `hooks.bulk()`) in a county. Returns the seconds it took."""
    from chalicelib.core.tenancy import COUNTY_ADMIN, Grant
    from chalicelib.core.tenancy import TenantContext as Ctx
    from chalicelib.households import service as households
    from chalicelib.households.schemas import MemberIn
    from chalicelib.places import service as place_service

    t0 = time.perf_counter()
    ctx = Ctx(tenant, "bench", "bench", (Grant(COUNTY_ADMIN, tenant),))
    ids = ids or IdNumbers(tenant)
    relations = ("户主", "配偶", "子女", "子女", "父母", "孙子女")
    with hooks.bulk():
        for code, name in places:
            place_service.create(ctx, code, name)
        for grid, count in grid_sizes:
            for n in range(count):
                surname = rng.choice(SURNAMES)
                size = rng.choices(range(1, 7), weights=(14, 30, 22, 18, 10, 6))[0]
                members = [MemberIn(name=surname + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                                    relation=relations[m], id_number=ids(),
                                    phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if m == 0 else None,
                                    outside_person=False) for m in range(size)]
                households.write_household(tenant, grid, f"{grid[-3:]}组{n + 1}号", members)
    return time.perf_counter() - t0


def county_tree(tenant: str, townships: int, villages: int, grids: int, skip: set[str]) -> list[tuple[str, str]]:
    """Places of a county (parents first): townships 001.., villages 201.. in each, grids G01.. in each."""
    out = []
    for i in range(1, townships + 1):
        township = f"{tenant}{i:03d}"
        out.append((township, f"第{i}镇"))
        for j in range(1, villages + 1):
            village = f"{township}{200 + j:03d}"
            out.append((village, f"第{j}村"))
            out += [(f"{village}G{k:02d}", f"第{k}网格") for k in range(1, grids + 1)]
    return [(c, n) for c, n in out if c not in skip]


# --- the route matrix: every route of the app's route table, with a request builder ---------------------------------

@dataclass(frozen=True)
class Builder:
    build: object  # county -> (path, body)
    owner: str | None  # a role in county.tokens, "operator", "newcomer"; None: no token (public routes)
    source: str  # where the builder comes from
    expect: int | None = None  # a status other than 2xx that is the route's right answer (GeoReport tokens: 404)


class Form(dict):
    """A form-encoded body (the GeoReport POSTs)."""


def _staff_phone(c) -> str:
    """A new grid worker of the county, by phone (not signed in yet)."""
    from tests.conftest import new_phone

    phone = new_phone()
    r = c.api.post("/staff", {"phone": phone, "name": "基准网格员", "role": "grid_worker", "place": c.grid},
                   token=c.tokens["county_admin"])
    assert r.status_code == 201, r.json
    return phone


def p_code(c):
    return "/auth/code", {"phone": _staff_phone(c)}


def p_token(c):
    from tests.conftest import last_code

    phone = _staff_phone(c)
    r = c.api.post("/auth/code", {"phone": phone})
    assert r.status_code == 202, r.json
    return "/auth/token", {"phone": phone, "code": last_code(phone), "tenant": c.code}


def p_refresh(c):
    return "/auth/refresh", {"refresh_token": c.api.sign_in(_staff_phone(c), c.code)["refresh_token"]}


def p_signout(c):
    return "/auth/signout", {"refresh_token": c.api.sign_in(_staff_phone(c), c.code)["refresh_token"]}


def p_plain(path):
    return lambda c: (path, None)


def _open311_key(c) -> str:
    """The county's GeoReport API key for the bench (issued once per county by its admin)."""
    if "open311_key" not in c.__dict__:
        r = c.api.post("/open311/keys", {"name": "基准测试客户端"}, token=c.tokens["county_admin"])
        assert r.status_code == 201, r.json
        c.open311_key = r.json["api_key"]
    return c.open311_key


def _open311_form(c) -> Form:
    return Form(jurisdiction_id=c.code, api_key=_open311_key(c), service_code="snap.sanitation",
                description="基准测试：村口垃圾堆放", address_id=c.grid)


def _open311_ref(c) -> str:
    import urllib.parse

    r = c.api.request("POST", "/open311/v2/requests.json", raw=urllib.parse.urlencode(_open311_form(c)),
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 201, r.body
    return r.json[0]["service_request_id"]


def p_open311(path: str):
    return lambda c: (f"/open311/v2/{path}?jurisdiction_id={c.code}", None)


def p_lecture_hls(c):
    """A variant playlist of a transcoded video (the demo's renditions, devstack/demo_hls/, in the county's folder)."""
    from devstack.seed import demo_renditions
    from tests.functional.test_lectures import _course, _publish, _video

    cid = _course(c)["id"]
    vid = _video(c, cid)["id"]
    demo_renditions(c.code, cid, vid)
    _publish(c, cid)
    master = c.api.get(f"/lectures/videos/{vid}", token=c.tokens["county_admin"]).json["sources"]["hls"]
    return master.rpartition("/")[0] + "/index_180p", None


# The public routes (tests/security/test_isolation.py's PUBLIC, which has no builders: they need no token).
PUBLIC_BUILDERS = {
    ("POST", "/auth/code"): p_code,
    ("POST", "/auth/token"): p_token,
    ("POST", "/auth/refresh"): p_refresh,
    ("POST", "/auth/signout"): p_signout,
    ("GET", "/health"): p_plain("/health"),
    ("GET", "/modules"): p_plain("/modules"),
    ("GET", "/openapi.json"): p_plain("/openapi.json"),
    ("GET", "/open311/v2/services.json"): p_open311("services.json"),
    ("GET", "/open311/v2/services.xml"): p_open311("services.xml"),
    ("GET", "/open311/v2/services/{service}"): p_open311("services/snap.road.json"),
    ("GET", "/open311/v2/requests.json"): p_open311("requests.json"),
    ("GET", "/open311/v2/requests.xml"): p_open311("requests.xml"),
    ("GET", "/open311/v2/requests/{request_id}"): lambda c: (
        f"/open311/v2/requests/{_open311_ref(c)}.json?jurisdiction_id={c.code}", None),
    ("GET", "/open311/v2/tokens/{token}"): p_open311("tokens/none.json"),
    ("POST", "/open311/v2/requests.json"): lambda c: ("/open311/v2/requests.json", _open311_form(c)),
    ("POST", "/open311/v2/requests.xml"): lambda c: ("/open311/v2/requests.xml", _open311_form(c)),
    ("GET", "/lectures/hls/{token}/{rendition}"): p_lecture_hls,
}
PUBLIC_EXPECT = {("GET", "/open311/v2/tokens/{token}"): 404}  # no token is ever issued: the spec's 404


def route_table(app) -> list[tuple[str, str]]:
    return sorted((method, path) for path, methods in app.routes.items() for method in methods)


def builders(app) -> tuple[dict[tuple[str, str], Builder], list[tuple[str, str]]]:
    """A builder for every route of the route table (the isolation matrix's CASES, plus the public routes here),
    and the routes that have none."""
    from tests.security.test_isolation import CASES

    out, missing = {}, []
    for route in route_table(app):
        if route in CASES:
            out[route] = Builder(CASES[route].build, CASES[route].owner, "tests/security/test_isolation.py CASES")
        elif route in PUBLIC_BUILDERS:
            out[route] = Builder(PUBLIC_BUILDERS[route], None, "bench/_common.py PUBLIC_BUILDERS",
                                 PUBLIC_EXPECT.get(route))
        else:
            missing.append(route)
    return out, missing


def fail_on_missing(missing: list[tuple[str, str]]) -> None:
    if missing:
        raise SystemExit("routes of the app's route table without a request builder (add a Case to "
                         "tests/security/test_isolation.py CASES, or a public route to bench/_common.py "
                         f"PUBLIC_BUILDERS): {', '.join(f'{m} {p}' for m, p in missing)}")


def make_world(api):
    """The isolation matrix's World (county under test `a`, tokens for every role), as its fixture makes it."""
    from tests.conftest import operator_token_for
    from tests.security.test_isolation import World

    return World(api, operator_token_for(api))


def _spec(method: str, path: str):
    from chalicelib.core.http import ROUTES

    return next((s for s in ROUTES if s.method == method and s.path == path), None)


def page_sized(method: str, template: str, path: str, limit: int) -> str:
    """A list route's request with an explicit page size (`limit`), when its query takes one."""
    spec = _spec(method, template)
    query = spec.query if spec else None
    if query is None or "limit" not in getattr(query, "model_fields", {}) or re.search(r"[?&]limit=", path):
        return path
    return path + ("&" if "?" in path else "?") + f"limit={limit}"


@dataclass
class Sent:
    status: int
    calls: list[DdbCall]  # the request's own DynamoDB calls
    stream: list[DdbCall]  # the stream handlers' calls on what the request wrote
    body: str = ""


def send(world, hooks: Hooks, runner, method: str, template: str, b: Builder, limit: int = 20) -> Sent:
    """Build a request (not measured), let the stream handlers catch up, then send it and drain the streams, each
    measured."""
    path, body = b.build(world.a)
    path = page_sized(method, template, path, limit)
    token = world.token(b.owner) if b.owner else None
    spec = _spec(method, template)
    headers = {"Idempotency-Key": uuid.uuid4().hex} if spec is not None and spec.idempotent else None
    raw = None
    if isinstance(body, Form):
        import urllib.parse

        raw, body = urllib.parse.urlencode(body), None
        headers = {**(headers or {}), "content-type": "application/x-www-form-urlencoded"}
    runner.drain()
    with hooks.measure() as calls:
        r = world.api.request(method, path, body, token=token, headers=headers, raw=raw)
    with hooks.measure(handler_only=True) as stream:
        runner.drain()
    return Sent(r.status_code, calls, stream, r.body.decode("utf-8", "replace")[:300])


def summary(calls: list[DdbCall]) -> SimpleNamespace:
    ops = collections.Counter(c.op for c in calls)
    return SimpleNamespace(n=len(calls), rcu=sum(c.rcu for c in calls), wcu=sum(c.wcu for c in calls),
                           reported=[c.reported for c in calls], ops=dict(sorted(ops.items())),
                           errors=[f"{c.op}: {c.error}" for c in calls if c.error])
