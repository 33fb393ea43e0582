"""Cold start, whole process: what a user waits for on a new Lambda container is the interpreter starting,
`import app` **and** the first request through the handler. Each run here is a new Python process that does exactly
that, measured against a floor measured in the same run (ratios, because these machines are noisy).

    .venv/bin/python bench/cold_start.py [--runs 20] [--modes deployed,source] [--baseline-rev REV] [--no-package]

The embedded AWS (moto's server, devstack.aws.EmbeddedAws) is started once, in this process, on 127.0.0.1: the
demo county is provisioned and seeded, the demo villager signs in through the local API Gateway (devstack.gateway,
which runs the app's token authorizer as API Gateway does) and the API Gateway proxy events (REST, v1) that the
handler receives are recorded, authorizer context included. Each measured run is then a fresh process that sets the
environment the prod stage deploys (infra/stages.json and infra/cqt_infra/stack.py: log level INFO, metrics on, the
CQT_* names of the tables, key and secret, which point at the embedded AWS here; tracing on) and what the Lambda
runtime sets (function name, memory, LAMBDA_TASK_ROOT, the invocation's X-Ray trace header), imports `app` and
invokes `app.app(event, context)` with a recorded event.

Tracing: the prod stage samples 1 % of requests (infra: trace_sample_rate), so 99 % of invocations, cold ones
included, carry a trace header with Sampled=0; the measured processes do too. An unsampled invocation sends nothing,
so it needs no X-Ray daemon. A sampled one (the "sampled" rows: Sampled=1, reported against the GET /me floor) sends
its segments by UDP to the daemon's address, where nothing listens here: they are lost, but the X-Ray SDK's work is
counted like the rest.

**The quantity compared is the CPU time of the measured process** (user + system, `getrusage(RUSAGE_SELF)` when the
response is back: interpreter start-up, the import and the first request). The embedded AWS answers in another
process (this one), so its own work is not in it, and waiting on a socket is not CPU time. Wall time is reported for
information (it includes the embedded AWS's time).

Requests and their yardsticks (targets of issue 13, point 14):
- GET /health against a bare Chalice app with one route (/health): target ≤ 1.5×;
- GET /me of the signed-in demo villager against its **floor**: target ≤ 1.3×;
- GET /home (the phone's bootstrap) of the same villager against its own floor: reported.

A floor is a Chalice app that imports chalice, boto3 and PynamoDB, defines a PynamoDB model per table the request
touches, makes its clients as the app makes them (all from one botocore session; boto3 clients with the app's
botocore Config; DynamoDB through a PynamoDB connection with the app's Meta settings) and makes exactly the AWS calls
the app's request made, then answers the app's response body. The calls are recorded in a first, unmeasured pass: a
fresh app process with botocore event hooks (`before-parameter-build`, `after-call`) that keep each call's service,
operation, parameters and status.

Two ways of loading code (`--modes`):
- **deployed**: every module with bytecode: the deployment package ships it (infra/cqt_infra/package.py: the app's
  beside its sources, dependencies' in place of theirs, checked by bench/package.py), and the runtime's standard
  library and boto3/botocore have theirs;
- **source**: for comparison, the package as it was before it shipped bytecode: /var/task is read-only, so
  everything in it (app.py, chalicelib, chalice, PynamoDB, pydantic, Powertools, ...) was compiled from source at
  every cold start; the runtime's own modules with bytecode.

`--baseline-rev` also measures app.py + chalicelib/ of a git revision (exported with `git archive` into a temporary
folder; the working tree is not touched), e.g. the revision before a change.

Also: the package's zipped size (bench/package.py's build, target ≤ 5 MB), the heavy packages `import app` loads
(tests/unit/test_cold_imports.py checks the same), and where the time above the floor goes (`python -X importtime`
of the app's and the floor's GET /me processes, by package).

Writes bench/results/cold_start.md and bench/results/cold_start.png. Exits non-zero on errors only (a probe that
fails, a heavy package imported by `import app`); a missed time or size target is reported, not an error.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Packages a request may need, but importing the app must not (tests/unit/test_cold_imports.py has the same list).
HEAVY = ("boto3", "botocore", "pynamodb", "pydantic", "pydantic_core", "cryptography", "jwt", "aws_xray_sdk",
         "openpyxl", "segno", "aws_lambda_powertools")
TARGETS = {"GET /health": 1.5, "GET /me": 1.3}  # issue 13, point 14 (GET /home: reported against its own floor)
TARGET_ZIPPED = 5 * 1024 * 1024

# Every measured process runs this. argv: root of the app to import, event file, heavy packages, record file ("" when
# measuring). It prints one JSON line last (the app may print log and EMF lines before it).
PROBE = textwrap.dedent("""
    import resource
    def cpu():
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    c0 = cpu()  # the interpreter's own start-up (site, encodings), before any line of ours
    import json, sys, time
    t0 = time.perf_counter()
    root, event_path, heavy, record = sys.argv[1], sys.argv[2], sys.argv[3].split(","), sys.argv[4]
    with open(event_path, encoding="utf-8") as f:
        event = json.load(f)
    if record:  # the recording pass: every AWS call the request makes, through botocore's event hooks
        import copy, botocore.session
        calls, clients = [], []
        create = botocore.session.Session.create_client
        def create_client(self, service_name, *args, **kwargs):
            made = create(self, service_name, *args, **kwargs)
            clients.append(service_name)
            def before(params, model, **_):
                calls.append({"service": service_name, "op": model.name, "params": copy.deepcopy(params)})
            def after(http_response, model, **_):
                calls[-1]["status"] = http_response.status_code
            made.meta.events.register("before-parameter-build", before)
            made.meta.events.register("after-call", after)
            return made
        botocore.session.Session.create_client = create_client
        c0, t0 = cpu(), time.perf_counter()
    c1 = cpu()
    sys.path.insert(0, root)
    import app as entry
    t2, c2 = time.perf_counter(), cpu()
    at_import = [m for m in heavy if m in sys.modules]

    class Ctx:
        function_name = "cunqingtong-api"; function_version = "$LATEST"; memory_limit_in_mb = 1024
        aws_request_id = "bench"; log_group_name = log_stream_name = "bench"
        invoked_function_arn = "arn:aws:lambda:cn-north-1:123456789012:function:cunqingtong-api"
        def get_remaining_time_in_millis(self): return 29000

    response = entry.app(event, Ctx())
    t3, c3 = time.perf_counter(), cpu()
    end = time.time()
    out = {"startup_cpu": c0, "prologue_cpu": c1 - c0, "import_cpu": c2 - c1, "request_cpu": c3 - c2, "cpu": c3,
           "import": t2 - t0, "first_request": t3 - t2, "end": end, "status": response["statusCode"],
           "at_import": at_import, "after_request": [m for m in heavy if m in sys.modules]}
    if record:
        import base64
        out.update(calls=calls, clients=clients, body=json.loads(response.get("body") or "null"))
        print(json.dumps(out, default=lambda o: {"__bytes__": base64.b64encode(o).decode()}))
    else:
        print(json.dumps(out))
""")

BARE = textwrap.dedent("""
    from chalice import Chalice
    app = Chalice(app_name="bare")

    @app.route("/health")
    def health():
        return {"status": "ok"}
""")

FLOOR = textwrap.dedent('''
    """The floor of a request: chalice, boto3 and PynamoDB, one botocore session for every client (as the app has),
    PynamoDB models of the tables, and the AWS calls the app's request made (recorded: CQT_FLOOR_CALLS), then the
    app's response body. Nothing else."""
    import base64
    import json
    import os

    import boto3
    import botocore.session
    from botocore import xform_name
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from chalice import Chalice
    from pynamodb.attributes import UnicodeAttribute
    from pynamodb.connection import Connection
    from pynamodb.models import Model


    def _bytes(o):
        return base64.b64decode(o["__bytes__"]) if len(o) == 1 and "__bytes__" in o else o


    with open(os.environ["CQT_FLOOR_CALLS"], encoding="utf-8") as f:
        SPEC = json.load(f, object_hook=_bytes)
    REGION, ENDPOINT = os.environ["AWS_REGION"], os.environ.get("AWS_ENDPOINT_URL")
    SESSION = botocore.session.get_session()


    class OneSession(Connection):
        @property
        def session(self):
            return SESSION


    def _table(name):
        """A table's model, with the settings the app's models have (chalicelib/core/db.py)."""
        class Meta:
            table_name = name
            region = REGION
            host = ENDPOINT
            max_retry_attempts = 3
            connect_timeout_seconds = 3
            read_timeout_seconds = 10

        return type("Table", (Model,), {"Meta": Meta, "pk": UnicodeAttribute(hash_key=True),
                                        "sk": UnicodeAttribute(range_key=True)})


    TABLES = [_table(name) for name in SPEC["tables"]]
    app = Chalice(app_name="floor")
    _clients = {}


    def _client(service):
        """With the botocore Config of the app's clients (chalicelib/core/aws.py)."""
        if service not in _clients:
            _clients[service] = boto3.Session(botocore_session=SESSION).client(
                service, region_name=REGION, endpoint_url=ENDPOINT,
                config=Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=10))
        return _clients[service]


    def replay():
        dynamodb = OneSession(region=REGION, host=ENDPOINT, max_retry_attempts=3, connect_timeout_seconds=3,
                              read_timeout_seconds=10)
        for call in SPEC["calls"]:
            try:
                if call["service"] == "dynamodb":
                    dynamodb.dispatch(call["op"], call["params"])
                else:
                    getattr(_client(call["service"]), xform_name(call["op"]))(**call["params"])
                failed = False
            except ClientError:  # PynamoDB's VerboseClientError is one too
                failed = True
            if failed != (call.get("status", 200) >= 300):
                raise RuntimeError(f"{call['service']} {call['op']}: replay answered differently")
        return SPEC["body"]


    @app.route("/me")
    def me():
        return replay()


    @app.route("/home")
    def home():
        return replay()
''')


# --- the events, as the local API Gateway hands them to the handler --------------------------------------------

class _Recorder:
    """Stands in for the Chalice app in devstack.gateway.Gateway and keeps the events the handler received."""

    def __init__(self, app) -> None:
        self.app = app
        self.events: list[dict] = []

    def __getattr__(self, name):
        return getattr(self.app, name)

    def __call__(self, event, context):
        recorded = copy.deepcopy(event)
        if isinstance(recorded.get("body"), bytes):  # API Gateway hands the handler text (or null), as JSON does
            recorded["body"] = recorded["body"].decode("utf-8") or None
        self.events.append(recorded)
        return self.app(event, context)


def record_events(tmp: Path):
    """Start the embedded AWS (it keeps running for the probes, which reach it through AWS_ENDPOINT_URL), seed the
    demo county, sign the demo villager in and record the events of the measured requests."""
    from devstack.aws import EmbeddedAws, configure_env

    aws = EmbeddedAws()
    configure_env(aws.port)
    os.environ.update({"CQT_SMS_OUTBOX": str(tmp / "sms-outbox.jsonl"), "POWERTOOLS_METRICS_DISABLED": "true",
                       "POWERTOOLS_LOG_LEVEL": "WARNING",
                       # the recorded token must outlive the run (the route re-checks its expiry every time)
                       "CQT_ACCESS_TOKEN_TTL": "21600"})
    aws.start()
    try:
        from chalicelib.core.config import settings
        from chalicelib.core.tenancy import VILLAGER
        from devstack.demo_data import DEMO_ACCOUNTS
        from devstack.provision import provision
        from devstack.seed import seed

        aws.ensure_kms_key(settings().pii_key_id)
        provision()
        seed()
        import app as entry
        from chalicelib.core.notify import sms
        from devstack.gateway import Gateway

        recorder = _Recorder(entry.app)
        gateway = Gateway(recorder)

        def call(method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
            headers = {"content-type": "application/json", "host": "127.0.0.1", "user-agent": "bench"}
            if token:
                headers["authorization"] = f"Bearer {token}"
            status, _, out = gateway.handle(method, path, headers, json.dumps(body).encode() if body else b"")
            if status not in (200, 202):
                raise RuntimeError(f"{method} {path} answered {status}: {out[:300]!r}")
            return json.loads(out)

        phone = next(a["phone"] for a in DEMO_ACCOUNTS if a["role"] == VILLAGER)
        call("POST", "/auth/code", {"phone": phone})
        code = re.search(r"\d{6}", sms().messages(phone)[-1]["text"]).group()
        token = call("POST", "/auth/token", {"phone": phone, "code": code})["access_token"]
        recorder.events.clear()
        call("GET", "/health")
        call("GET", "/me", token=token)
        call("GET", "/home", token=token)
        health, me, home = recorder.events
        for e in (me, home):
            if "grants" not in (e["requestContext"].get("authorizer") or {}):
                raise RuntimeError("the recorded event carries no authorizer context")
        for i, e in enumerate((health, me, home)):  # API Gateway names every request (the local one does not)
            e["requestContext"].setdefault("requestId", f"c0ffee00-0000-4000-8000-{i:012d}")
        return aws, {"GET /health": health, "GET /me": me, "GET /home": home}
    except BaseException:
        aws.stop()
        raise


def prod_env(base: dict) -> dict:
    """The environment of the prod stage's API function (infra/cqt_infra/stack.py `_api`, infra/stages.json), its
    resources named as the embedded AWS has them, plus what the Lambda runtime sets."""
    from chalicelib.core.config import settings

    stages = json.loads((ROOT / "infra" / "stages.json").read_text(encoding="utf-8"))
    prod = {**stages["defaults"], **stages["stages"].get("prod", {})}
    s = settings()
    env = {k: v for k, v in base.items() if not k.startswith(("CQT_", "POWERTOOLS_", "PYTHONDONTWRITEBYTECODE",
                                                                 "PYTHONPYCACHEPREFIX", "AWS_LAMBDA"))}
    env.update({
        "CQT_STAGE": "prod", "CQT_HOUSEHOLDS_TABLE": s.households_table, "CQT_SUBMISSIONS_TABLE": s.submissions_table,
        "CQT_IDEMPOTENCY_TABLE": s.idempotency_table, "CQT_MEDIA_BUCKET": s.media_bucket,
        "CQT_ALERTS_TOPIC": s.alerts_topic, "CQT_BROADCASTS_TOPIC": s.broadcasts_topic,
        "CQT_RECRUITMENT_TOPIC": s.recruitment_topic, "CQT_PII_KEY_ID": s.pii_key_id, "CQT_SECRET_NAME": s.secret_name,
        "CQT_SMS_SENDER": prod["sms_sender"], "CQT_APP_ORIGINS": "",
        # The tenant fence (the view's calls with the county's assumed role: one AssumeRole on a cold request), the
        # token key names, the per-county limiter as the stack sets them.
        "CQT_TENANT_ROLE_ARN": s.tenant_role_arn, "CQT_SIGNING_SECRET_NAME": s.signing_secret_name,
        "CQT_JWKS_SECRET_NAME": s.jwks_secret_name,
        "CQT_TENANT_RATE_LIMIT": str(prod["tenant_rate_limit"]["default"]),
        "CQT_THROTTLE_WINDOW_S": str(prod["tenant_rate_limit"]["window_s"]),
        "CQT_THROTTLE_CONTAINERS": str(prod["reserved_concurrency"]["api_handler"]),
        "POWERTOOLS_SERVICE_NAME": "cunqingtong", "POWERTOOLS_METRICS_NAMESPACE": "Cunqingtong",
        "POWERTOOLS_LOG_LEVEL": prod["log_level"],
        # Lambda passes the LoggingConfig's ApplicationLogLevel as AWS_LAMBDA_LOG_LEVEL (the stage's log_level).
        "AWS_LAMBDA_LOG_LEVEL": prod["log_level"],
        # Metrics on (the EMF line is printed); tracing on (the stage's functions have Active tracing).
        "POWERTOOLS_METRICS_DISABLED": "false",
        "AWS_LAMBDA_FUNCTION_NAME": "cunqingtong-api", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(prod["memory_mb"]["api_handler"]),
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11", "LAMBDA_TASK_ROOT": str(ROOT),
        "_X_AMZN_TRACE_ID": trace_header(sampled=False),
    })
    return env


def trace_header(sampled: bool) -> str:
    """The X-Ray trace header Lambda sets for an invocation (_X_AMZN_TRACE_ID)."""
    return f"Root=1-6756c2a1-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled={int(sampled)}"


# --- measuring --------------------------------------------------------------------------------------------------

def _run(root: Path, event_file: Path, env: dict, record: Path | None = None) -> dict:
    started = time.time()
    out = subprocess.run([sys.executable, "-c", PROBE, str(root), str(event_file), ",".join(HEAVY),
                          str(record or "")], cwd=root, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"probe in {root} failed:\n{out.stderr[-3000:]}")
    got = json.loads(out.stdout.strip().splitlines()[-1])
    if got["status"] != 200:
        raise RuntimeError(f"probe in {root} answered {got['status']}:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    got["wall"] = got["end"] - started  # from the parent's spawn to the response (fork and exec included)
    return got


def _floor_spec(recorded: dict) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from _common import _tables  # the tables a DynamoDB call names

    tables = [t for c in recorded["calls"] if c["service"] == "dynamodb" for t in _tables(c["op"], c["params"])]
    return {"calls": recorded["calls"], "body": recorded["body"], "tables": list(dict.fromkeys(tables))}


def _lambda_bytecode(full: Path, dest: Path, package_roots: list[Path]) -> None:
    """A copy of the bytecode cache `full` (PYTHONPYCACHEPREFIX layout: the prefix + each source's absolute folder)
    without the bytecode of what the deployment package carries: the app, the floors, and every installed
    distribution except those the Lambda runtime provides (boto3, botocore, ...)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from package import _infra_package

    provided = _infra_package().RUNTIME_PROVIDED
    site = {Path(p).resolve() for p in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"])}
    shutil.copytree(full, dest)
    for pyc in list(dest.rglob("*.pyc")):
        source_dir = Path("/") / pyc.parent.relative_to(dest)
        in_site = next((s for s in site if source_dir == s or s in source_dir.parents), None)
        if in_site is not None:
            parts = (source_dir / pyc.name).relative_to(in_site).parts
            top = parts[0].split(".")[0] if len(parts) == 1 else parts[0]  # six.cpython-311.pyc, botocore/...
            if top not in provided:
                pyc.unlink()
        elif any(source_dir == r or r in source_dir.parents for r in package_roots):
            pyc.unlink()


def _import_profile(root: Path, event_file: Path, env: dict, runs: int = 3) -> dict[str, tuple[float, int]]:
    """Self time (seconds) and module count per top-level package of every module the process imports (import and
    first request), from `python -X importtime`: each module's least self time of `runs` runs, summed by package."""
    best: dict[str, float] = {}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", PROBE, str(root), str(event_file),
                              ",".join(HEAVY), ""], cwd=root, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"importtime probe in {root} failed:\n{out.stderr[-2000:]}")
        for line in out.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
            if m:
                best[m.group(3)] = min(best.get(m.group(3), float("inf")), int(m.group(1)) / 1e6)
    per: dict[str, list] = {}
    for module, secs in best.items():
        entry = per.setdefault(module.split(".")[0], [0.0, 0])
        entry[0] += secs
        entry[1] += 1
    return {k: (v[0], v[1]) for k, v in per.items()}


def _export(rev: str, dest: Path) -> Path:
    """app.py and chalicelib/ of a revision, for a same-run comparison (the working tree is not touched)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev, "app.py", "chalicelib"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _package_size(tmp: Path) -> dict:
    """deployment.zip as the deployment builds it (bench/package.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import package

    out = tmp / "package"
    out.mkdir()
    inv = package.inventory(package.build(out))
    top = sorted(inv["by_top"].items(), key=lambda kv: -kv[1]["zipped"])[:6]
    return {"zipped": inv["zipped"], "unzipped": inv["unzipped"], "top": top}


def _chart(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(dict.fromkeys(r["mode"] for r in rows))
    fig, axes = plt.subplots(1, len(modes), figsize=(6 * len(modes), 0.42 * len(rows) / len(modes) + 1.9),
                             squeeze=False)
    for ax, mode in zip(axes[0], modes, strict=True):
        mine = [r for r in rows if r["mode"] == mode]
        y = list(range(len(mine)))
        parts = (("startup_cpu", "interpreter start-up", "#c7c7c7"), ("import_cpu", "import", "#4c72b0"),
                 ("request_cpu", "first request", "#dd8452"))
        left = [0.0] * len(mine)
        for key, label, colour in parts:
            values = [r["med"][key] * 1000 for r in mine]
            ax.barh(y, values, left=left, color=colour, label=label)
            left = [a + b for a, b in zip(left, values, strict=True)]
        for i, r in enumerate(mine):
            ratio = f"  {r['ratio']:.2f}×" if r.get("ratio") else ""
            ax.text(left[i], i, f" {r['med']['cpu'] * 1000:.0f} ms{ratio}", va="center", fontsize=7)
        ax.set_yticks(y, [f"{r['subject']}: {r['request']}" for r in mine], fontsize=7)
        ax.invert_yaxis()
        ax.set_xlim(0, max(left) * 1.35)
        ax.set_xlabel("CPU ms of the process (median)", fontsize=8)
        ax.set_title(f"{mode}", fontsize=9)
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("Cold start, whole process: CPU time of fresh processes (import + first request), "
                 "ratio to the yardstick", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


MODES = {
    "deployed": "as deployed: every module with bytecode (the package ships it: infra/cqt_infra/package.py; here "
                "written by a first, unmeasured run)",
    "source": "for comparison, the package before it shipped bytecode: its modules (app, chalicelib, chalice, "
              "PynamoDB, pydantic, Powertools, ...) compiled from source at every cold start (/var/task is "
              "read-only); the standard library and the runtime's boto3/botocore with bytecode",
}
FIGURES = ("cpu", "startup_cpu", "import_cpu", "request_cpu", "wall", "import", "first_request")
TRACED = "cunqingtong, sampled (1 %)"


class Case(NamedTuple):
    mode: str
    subject: str  # "bare chalice", "floor", "cunqingtong", "cunqingtong @ REV", TRACED
    request: str
    tree: Path
    yard: str | None = None  # the yardstick's subject (None: this is one)
    traced: bool = False  # the invocation is sampled by X-Ray (Sampled=1)

    @property
    def key(self) -> tuple[str, str, str]:
        return self.mode, self.subject, self.request


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20, help="fresh processes per row (interleaved)")
    p.add_argument("--modes", default="deployed,source", help=f"of {', '.join(MODES)}")
    p.add_argument("--baseline-rev", help="also measure app.py + chalicelib/ of this git revision")
    p.add_argument("--no-package", action="store_true", help="leave out the package size (it builds the package)")
    args = p.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if not modes or set(modes) - set(MODES):
        p.error(f"--modes: of {', '.join(MODES)}")
    tmp = Path(tempfile.mkdtemp(prefix="cqt-bench-cold-"))
    aws = None
    try:
        aws, events = record_events(tmp)
        env = prod_env(dict(os.environ))
        envs = {"deployed": {**env, "PYTHONPYCACHEPREFIX": str(tmp / "pyc-all")},
                "source": {**env, "PYTHONPYCACHEPREFIX": str(tmp / "pyc-lambda"), "PYTHONDONTWRITEBYTECODE": "1"}}
        files = {}
        for name, event in events.items():
            files[name] = tmp / f"{name.split()[-1].strip('/')}.json"
            files[name].write_text(json.dumps(event), encoding="utf-8")
        trees = {"bare chalice": tmp / "bare", "floor": tmp / "floor"}
        for tree, source in ((trees["bare chalice"], BARE), (trees["floor"], FLOOR)):
            tree.mkdir()
            (tree / "app.py").write_text(source, encoding="utf-8")
        apps = {"cunqingtong": ROOT}
        if args.baseline_rev:
            apps[f"cunqingtong @ {args.baseline_rev}"] = _export(args.baseline_rev, tmp / "baseline")

        # The recording pass (also writes the bytecode of the app's modules): the AWS calls of a cold request.
        recorded, specs = {}, {}
        for request in ("GET /me", "GET /home"):
            recorded[request] = _run(ROOT, files[request], envs["deployed"], record=tmp / "record")
            specs[request] = tmp / f"floor-{request.split('/')[-1]}.json"
            specs[request].write_text(json.dumps(_floor_spec(recorded[request])), encoding="utf-8")

        # The app's rows, each paired run by run with its yardstick's (the bare app, or the request's floor).
        cases = []
        for mode in modes:
            cases.append(Case(mode, "bare chalice", "GET /health", trees["bare chalice"]))
            cases += [Case(mode, "floor", request, trees["floor"]) for request in ("GET /me", "GET /home")]
            for name, tree in apps.items():
                cases.append(Case(mode, name, "GET /health", tree, "bare chalice"))
                cases += [Case(mode, name, request, tree, "floor") for request in ("GET /me", "GET /home")]
            cases.append(Case(mode, TRACED, "GET /me", ROOT, "floor", traced=True))

        def env_of(case: Case, mode: str | None = None) -> dict:
            env = envs[mode or case.mode]
            if case.subject == "floor":
                return {**env, "CQT_FLOOR_CALLS": str(specs[case.request])}
            return {**env, "_X_AMZN_TRACE_ID": trace_header(sampled=True)} if case.traced else env

        for case in cases:  # bytecode written, files read once
            _run(case.tree, files[case.request], env_of(case, "deployed"))
        _lambda_bytecode(tmp / "pyc-all", tmp / "pyc-lambda", [ROOT / "app.py", ROOT / "chalicelib", tmp])

        runs: dict[tuple[str, str, str], list[dict]] = {case.key: [] for case in cases}
        for i in range(args.runs):
            for mode in modes:
                for request in ("GET /health", "GET /me", "GET /home"):
                    pair = [c for c in cases if c.mode == mode and c.request == request]
                    yard = [c for c in pair if c.yard is None]
                    ours = [c for c in pair if c.yard is not None]
                    for case in yard + ours if i % 2 else ours + yard:  # neither side always first
                        runs[case.key].append(_run(case.tree, files[request], env_of(case)))
            print(f"round {i + 1}/{args.runs}", file=sys.stderr, flush=True)
        floor_me = next(c for c in cases if c.subject == "floor" and c.request == "GET /me")
        profile = {"app": _import_profile(ROOT, files["GET /me"], envs["deployed"]),
                   "floor": _import_profile(floor_me.tree, files["GET /me"], env_of(floor_me, "deployed"))}
        package = None if args.no_package else _package_size(tmp)
    finally:
        if aws is not None:
            aws.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    report(args, modes, cases, runs, recorded, profile, package)


def notes(modes: list[str], rows: list[dict], a_health: set, a_me: set, package: dict | None) -> list[str]:
    """What keeps the figures above their targets, as far as this run shows it."""
    def cpu(mode: str, subject: str, request: str) -> float:
        return next(r["med"]["cpu"] for r in rows
                    if r["mode"] == mode and r["subject"] == subject and r["request"] == request) * 1000

    out = []
    if "pydantic" in a_health:
        out.append("- GET /health imports pydantic: chalicelib/core/http.py `_render` validates every answer with the "
                   "route's response model and imports pydantic for any answer. Without it, the health check costs "
                   "little more than `import app`.")
    if "pydantic" in a_me:
        out.append("- GET /me and GET /home import pydantic for the same reason, and because service modules import "
                   "`page_size` from chalicelib/core/schemas.py, a pydantic module.")
    if "cryptography" in a_me:
        out.append("- GET /me decrypts the caller's phone number only to answer it masked (cryptography, a KMS call "
                   "and the data key's GetItem, which the floor replays too).")
    if {"source", "deployed"} <= set(modes):
        me = {m: cpu(m, "cunqingtong", "GET /me") for m in ("source", "deployed")}
        out.append(f"- The package ships bytecode: GET /me costs {me['deployed']:.0f} ms of CPU, against "
                   f"{me['source']:.0f} ms when its modules were compiled from source at every cold start.")
    if package and package["zipped"] > TARGET_ZIPPED:
        top = ", ".join(f"{name} {v['zipped'] / 2**20:.2f} MB" for name, v in package["top"][:2])
        out.append(f"- The package is {package['zipped'] / 2**20:.2f} MB zipped; its largest entries: {top}.")
    return ["Why, as far as this run shows:", "", *out] if out else []


def _fmt_calls(calls: list[dict]) -> str:
    counts: dict[str, int] = {}
    for c in calls:
        k = f"{c['service']}:{c['op']}"
        counts[k] = counts.get(k, 0) + 1
    return ", ".join(f"{k} × {n}" if n > 1 else k for k, n in counts.items())


def report(args, modes, cases, runs, recorded, profile, package) -> None:
    med = {key: {f: statistics.median(r[f] for r in rs) for f in FIGURES} for key, rs in runs.items()}
    rows = []
    for case in cases:
        row = {"mode": case.mode, "subject": case.subject, "request": case.request, "med": med[case.key],
               "yard": case.yard}
        if case.yard:
            pairs = list(zip(runs[case.key], runs[(case.mode, case.yard, case.request)], strict=True))
            ratios = [a["cpu"] / b["cpu"] for a, b in pairs]
            row.update(ratio=statistics.median(ratios), lo=min(ratios), hi=max(ratios),
                       wall_ratio=statistics.median(a["wall"] / b["wall"] for a, b in pairs))
        rows.append(row)
    ours = [r for key, rs in runs.items() if key[1] == "cunqingtong" for r in rs]
    at_import = sorted({m for r in ours for m in r["at_import"]})

    def after(request: str) -> set:
        return {m for (_, name, req), rs in runs.items() if name == "cunqingtong" and req == request for r in rs
                for m in r["after_request"]}

    verdicts = []
    for mode in modes:
        for request, target in TARGETS.items():
            r = next(x for x in rows if x["mode"] == mode and x["subject"] == "cunqingtong" and x["request"] == request)
            verdicts.append((mode, request, r["yard"], r["ratio"], target, r["ratio"] <= target))
    ms = 1000
    lines = [
        "# Cold start, whole process", "",
        f"Median of {args.runs} fresh processes per row, each app row paired run by run with its yardstick's (the "
        f"two alternate, so drift on the machine hits both alike); Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs. `.venv/bin/python bench/cold_start.py --runs {args.runs}"
        f"{f' --baseline-rev {args.baseline_rev}' if args.baseline_rev else ''}` reproduces it (bench/cold_start.py "
        "says how in full).", "",
        "Each process starts Python, imports the app and serves one request through the Lambda handler "
        "`app.app(event, context)`, with the API Gateway (REST) event the local API Gateway built for it, the token "
        "authorizer's context included (the demo villager, signed in with a real token), and the prod stage's "
        "environment (log level INFO; metrics on: the EMF line is printed; tracing on, the invocation not sampled, as "
        "99 % are at the stage's 1 % rule, except in the rows marked sampled; the CQT_* names point at the embedded "
        "AWS). **CPU** is the process's own CPU time (user + system) "
        "from its start to the response: interpreter start-up + import + first request. The embedded AWS answers "
        "from another process, so its time is not in it; **wall** (spawn to response) includes it and is given for "
        "information.", "",
        "Yardsticks: for GET /health, a bare Chalice app with one route; for GET /me and GET /home, a **floor**: a "
        "Chalice app that imports chalice, boto3 and PynamoDB, makes its clients as the app does and replays "
        "exactly the AWS calls the app's request made (recorded in a first pass through botocore's event hooks), "
        "then answers the app's response body.", "",
        "Ways of loading code:", "",
    ]
    lines += [f"- **{mode}**: {MODES[mode]};" for mode in modes]
    lines += ["", "## Verdict", "", "| mode | request | against | CPU ratio (median of pairs) | target | met |",
              "|---|---|---|---:|---:|---|"]
    for mode, request, yard, ratio, target, ok in verdicts:
        met = "yes ✓" if ok else "**no** ✗"
        lines.append(f"| {mode} | {request} | {yard} | **{ratio:.2f}×** | ≤ {target}× | {met} |")
    for mode in modes:
        for subject, request in (("cunqingtong", "GET /home"), (TRACED, "GET /me")):
            r = next(x for x in rows if x["mode"] == mode and x["subject"] == subject and x["request"] == request)
            what = request if subject == "cunqingtong" else f"{request}, sampled by X-Ray (1 %)"
            lines.append(f"| {mode} | {what} | floor | {r['ratio']:.2f}× | (reported) | |")
    if package:
        ok = package["zipped"] <= TARGET_ZIPPED
        lines.append(f"| | deployment.zip | | **{package['zipped'] / 2**20:.2f} MB** zipped | ≤ 5 MB | "
                     f"{'yes ✓' if ok else '**no** ✗'} |")
    a_health, a_me, a_home = after("GET /health"), after("GET /me"), after("GET /home")
    lines += ["", *notes(modes, rows, a_health, a_me, package)]
    lines += ["", "## All rows (medians)", "",
              "| mode | code | request | CPU (ms) | start-up | import | first request | wall (ms) | "
              "CPU / yardstick (min–max) | wall / yardstick |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        m = r["med"]
        ratio = f"{r['ratio']:.2f}× ({r['lo']:.2f}–{r['hi']:.2f})" if r["yard"] else "(yardstick)"
        wall = f"{r['wall_ratio']:.2f}×" if r["yard"] else ""
        lines.append(f"| {r['mode']} | {r['subject']} | {r['request']} | {m['cpu'] * ms:.0f} | "
                     f"{m['startup_cpu'] * ms:.0f} | {m['import_cpu'] * ms:.0f} | {m['request_cpu'] * ms:.0f} | "
                     f"{m['wall'] * ms:.0f} | {ratio} | {wall} |")
    lines += ["", "Start-up is the interpreter's own (before the probe's first line); import is `import app`; first "
              "request is the handler call (it imports what the route needs: see below).", "",
              "## The AWS calls of a cold request (replayed by the floors)", "",
              "| request | calls | clients made |", "|---|---|---|"]
    for request, rec in recorded.items():
        lines.append(f"| {request} | {_fmt_calls(rec['calls'])} | {', '.join(rec['clients'])} |")
    lines += ["", "## Where the time above the floor goes", "",
              "Modules imported (at import or during the request) by the app's GET /me process and by its floor's, "
              "by top-level package: self time summed over the package's modules (`python -X importtime`, each "
              "module's least of three runs, with bytecode), the packages where the app spends most above the floor "
              "first. A package the floor does not import at all is the app's own price:", "",
              "| package | app (ms) | modules | floor (ms) | modules |", "|---|---:|---:|---:|---:|"]
    app_p, floor_p = profile["app"], profile["floor"]
    diff = sorted(app_p, key=lambda k: -(app_p[k][0] - floor_p.get(k, (0.0, 0))[0]))
    for k in diff[:14]:
        a, f = app_p[k], floor_p.get(k, (0.0, 0))
        lines.append(f"| {k} | {a[0] * ms:.1f} | {a[1]} | {f[0] * ms:.1f} | {f[1]} |")
    total_a = sum(v[0] for v in app_p.values())
    total_f = sum(v[0] for v in floor_p.values())
    lines.append(f"| **all** | **{total_a * ms:.1f}** | {sum(v[1] for v in app_p.values())} | "
                 f"**{total_f * ms:.1f}** | {sum(v[1] for v in floor_p.values())} |")
    lines += ["", "## Heavy packages", "",
              "| package | imported by `import app` | after GET /health | after GET /me | after GET /home |",
              "|---|---|---|---|---|"]
    for mod in HEAVY:
        lines.append(f"| {mod} | {'**yes** ✗' if mod in at_import else 'no ✓'} | "
                     f"{'yes' if mod in a_health else 'no'} | {'yes' if mod in a_me else 'no'} | "
                     f"{'yes' if mod in a_home else 'no'} |")
    lines += ["", f"Check: {'PASS' if not at_import else 'FAIL'}: `import app` imports "
              f"{', '.join(at_import) if at_import else 'none of them'}."]
    if package:
        lines += ["", "## Package", "",
                  f"deployment.zip as the deployment builds it (bench/package.py): **{package['zipped'] / 2**20:.2f} "
                  f"MB** zipped, {package['unzipped'] / 2**20:.2f} MB unzipped (target ≤ 5 MB zipped). Largest "
                  "entries: " + ", ".join(f"{name} {v['zipped'] / 2**20:.2f} MB" for name, v in package["top"]) + "."]
    lines += ["", "![cold start](cold_start.png)"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cold_start.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _chart(rows, RESULTS / "cold_start.png")
    print("\n".join(lines))
    if at_import:
        raise SystemExit(f"FAIL: import app imports heavy packages: {', '.join(at_import)}")


if __name__ == "__main__":
    main()
