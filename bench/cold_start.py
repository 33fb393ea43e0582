"""Cold start: fresh processes that import the Lambda entry point (app.py) and serve one request through the Lambda
handler `app.app(event, context)`, next to a bare Chalice hello-world measured in the same run (ratios, because
these machines are noisy).

    .venv/bin/python bench/cold_start.py [--runs 20] [--baseline-rev REV]

Requests measured, each in `--runs` fresh processes (interleaved, so drift on the machine hits all alike):
- the health check (public), against the bare Chalice app's own /health;
- GET /me, a typical authenticated read: a county admin of the demo county, with a real signed token. The bench
  starts the embedded AWS (devstack.aws.EmbeddedAws), provisions it and seeds the demo county, signs in through
  the local API Gateway (devstack.gateway, which runs the app's token authorizer as API Gateway does) and records
  the API Gateway proxy event the handler receives, authorizer context included; the fresh processes replay it.
`--baseline-rev` also measures app.py + chalicelib/ of a git revision (exported with `git archive` into a temporary
folder, read-only for the working tree), e.g. the revision before a change.

Writes bench/results/cold_start.md (medians, ratios, the heavy packages that `import app` loads, top modules by
import time) and bench/results/cold_start.png. Exits non-zero when a heavy package is imported by `import app`
(tests/unit/test_cold_imports.py checks the same in `make test`); times are reported, never asserted.
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
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Packages a request may need, but importing the app must not (tests/unit/test_cold_imports.py has the same list).
HEAVY = ("boto3", "botocore", "pynamodb", "pydantic", "pydantic_core", "cryptography", "jwt", "aws_xray_sdk",
         "openpyxl", "segno", "aws_lambda_powertools")

PROBE = textwrap.dedent("""
    import json, sys, time
    root, event_path, heavy = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    with open(event_path, encoding="utf-8") as f:
        event = json.load(f)
    t0, c0 = time.perf_counter(), time.process_time()
    sys.path.insert(0, root)
    import app as entry
    t1, c1 = time.perf_counter(), time.process_time()
    at_import = [m for m in heavy if m in sys.modules]

    class Ctx:
        function_name = "bench"; function_version = "1"; memory_limit_in_mb = 1024; aws_request_id = "bench"
        invoked_function_arn = "arn:aws:lambda:cn-north-1:123456789012:function:bench"
        log_group_name = log_stream_name = "bench"
        def get_remaining_time_in_millis(self): return 30000

    response = entry.app(event, Ctx())
    t2 = time.perf_counter()
    assert response["statusCode"] == 200, response
    print(json.dumps({"import": t1 - t0, "import_cpu": c1 - c0, "first_request": t2 - t1, "at_import": at_import,
                      "after_request": [m for m in heavy if m in sys.modules]}))
""")

BARE = textwrap.dedent("""
    from chalice import Chalice
    app = Chalice(app_name="bare")

    @app.route("/health")
    def health():
        return {"status": "ok"}
""")


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
    """Start the embedded AWS (it keeps running for the probes, which inherit its endpoint through the
    environment), seed the demo county, sign a county admin in and record the events of the measured requests."""
    from devstack.aws import EmbeddedAws, configure_env

    aws = EmbeddedAws()
    configure_env(aws.port)
    os.environ.update({"CQT_SMS_OUTBOX": str(tmp / "sms-outbox.jsonl"), "POWERTOOLS_METRICS_DISABLED": "true",
                       "POWERTOOLS_LOG_LEVEL": "WARNING",
                       # the recorded token must outlive the run (the route re-checks its expiry every time)
                       "CQT_ACCESS_TOKEN_TTL": "21600"})
    aws.start()
    from chalicelib.core.config import settings
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

    phone = next(a["phone"] for a in DEMO_ACCOUNTS if a["role"] == "county_admin")
    call("POST", "/auth/code", {"phone": phone})
    code = re.search(r"\d{6}", sms().messages(phone)[-1]["text"]).group()
    token = call("POST", "/auth/token", {"phone": phone, "code": code})["access_token"]
    recorder.events.clear()
    call("GET", "/health")
    call("GET", "/me", token=token)
    health, me = recorder.events
    if "grants" not in (me["requestContext"].get("authorizer") or {}):
        raise RuntimeError("the recorded /me event carries no authorizer context")
    return aws, {"health": health, "me": me}


# --- measuring --------------------------------------------------------------------------------------------------

def _run(root: Path, event_file: Path, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(root), str(event_file), ",".join(HEAVY)], cwd=root,
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"probe in {root} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _importtime(root: Path, env: dict, top: int = 15) -> list[tuple[str, float]]:
    """Packages by cumulative import time (each counted once, at its shallowest appearance), below `app`."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import sys; sys.path.insert(0, {str(root)!r}); "
                          "import app"], cwd=root, env=env, capture_output=True, text=True, check=True)
    best: dict[str, float] = {}
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if not m or m.group(4) == "app":
            continue
        package = m.group(4).split(".")[0] if "." in m.group(4) else m.group(4)
        best[package] = max(best.get(package, 0.0), int(m.group(2)) / 1e6)
    return sorted(best.items(), key=lambda r: -r[1])[:top]


def _export(rev: str, dest: Path) -> Path:
    """app.py and chalicelib/ of a revision, for a same-run comparison (the working tree is not touched)."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", rev, "app.py", "chalicelib"], cwd=ROOT, capture_output=True,
                             check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def _chart(rows: list[tuple[str, dict]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [name for name, _ in rows]
    imports = [m["import"] * 1000 for _, m in rows]
    totals = [(m["import"] + m["first_request"]) * 1000 for _, m in rows]
    colours = ["#8c8c8c" if "bare" in name else "#dd8452" if "@" in name else "#4c72b0" for name in labels]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 0.45 * len(rows) + 1.8), sharey=True)
    y = list(range(len(rows)))
    for ax, values, title in ((left, imports, "import app (ms)"),
                              (right, totals, "import + first request through the handler (ms, log scale)")):
        ax.barh(y, values, color=colours)
        for i, v in enumerate(values):
            ax.text(v, i, f" {v:.0f}", va="center", fontsize=7)
        ax.set_title(title, fontsize=9)
    left.set_yticks(y, labels, fontsize=7)
    left.invert_yaxis()
    left.set_xlim(0, max(imports) * 1.2)
    right.set_xscale("log")
    right.set_xlim(min(totals) / 2, max(totals) * 3)
    fig.suptitle(f"Cold start, medians of fresh processes (grey: bare Chalice; blue: cunqingtong"
                 f"{'; orange: baseline revision' if any('@' in n for n in labels) else ''})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


MODES = {
    "bytecode": "bytecode caches written by a first, unmeasured run (as Python does on a developer machine, and as a "
                "deployment package with compiled bytecode would be)",
    "source": "no bytecode anywhere (every module compiled from source on import: the deployment package carries "
              "no bytecode, and /var/task is read-only; in Lambda only the runtime's own boto3 would have some)",
}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--baseline-rev", help="also measure app.py + chalicelib/ of this git revision")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="cqt-bench-cold-"))
    aws = None
    try:
        aws, events = record_events(tmp)
        base = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
        base.update({"POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
                     "POWERTOOLS_LOG_LEVEL": "WARNING"})
        # Bytecode goes to (and is read from) a folder of this run only, never into the working tree.
        envs = {"bytecode": {**base, "PYTHONPYCACHEPREFIX": str(tmp / "pycache")},
                "source": {**base, "PYTHONPYCACHEPREFIX": str(tmp / "no-pycache"), "PYTHONDONTWRITEBYTECODE": "1"}}
        files = {}
        for name, event in events.items():
            files[name] = tmp / f"{name}.json"
            files[name].write_text(json.dumps(event), encoding="utf-8")
        bare = tmp / "bare"
        bare.mkdir()
        (bare / "app.py").write_text(BARE)
        trees = {"cunqingtong": ROOT}
        if args.baseline_rev:
            trees[f"cunqingtong @ {args.baseline_rev}"] = _export(args.baseline_rev, tmp / "baseline")
        cases = []
        for mode in MODES:
            cases.append((mode, "bare chalice", "GET /health", bare, files["health"]))
            for tree_name, tree in trees.items():
                cases += [(mode, tree_name, "GET /health", tree, files["health"]),
                          (mode, tree_name, "GET /me", tree, files["me"])]
        runs: dict[tuple[str, str, str], list[dict]] = {c[:3]: [] for c in cases}
        for mode, _name, _request, tree, event_file in cases:  # once unmeasured: caches written, files read once
            _run(tree, event_file, envs[mode])
        for _ in range(args.runs):
            for mode, name, request, tree, event_file in cases:
                runs[(mode, name, request)].append(_run(tree, event_file, envs[mode]))
        top = _importtime(ROOT, envs["bytecode"])
    finally:
        if aws is not None:
            aws.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    med = {key: {k: statistics.median(r[k] for r in rs) for k in ("import", "import_cpu", "first_request")}
           for key, rs in runs.items()}
    ours = [r for (mode, name, _), rs in runs.items() if name == "cunqingtong" for r in rs]
    at_import = sorted({m for r in ours for m in r["at_import"]})
    after_health = sorted({m for r in runs[("bytecode", "cunqingtong", "GET /health")] for m in r["after_request"]})
    after_me = sorted({m for r in runs[("bytecode", "cunqingtong", "GET /me")] for m in r["after_request"]})

    def bare(mode: str) -> dict:
        return med[(mode, "bare chalice", "GET /health")]

    ratio = {mode: med[(mode, "cunqingtong", "GET /health")]["import"] / bare(mode)["import"] for mode in MODES}
    cpu_ratio = {mode: med[(mode, "cunqingtong", "GET /health")]["import_cpu"] / bare(mode)["import_cpu"]
                 for mode in MODES}

    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Cold start", "",
        f"Median of {args.runs} fresh processes per row (all rows interleaved), Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs. Each process imports `app` and serves one request through the Lambda handler "
        "`app.app(event, context)`; GET /me is a county admin's, with the authorizer context the local API Gateway "
        "put into the event (a real signed token, the seeded demo county on the embedded AWS). Tracing and metrics "
        "output are off, as locally. `.venv/bin/python bench/cold_start.py"
        f"{f' --baseline-rev {args.baseline_rev}' if args.baseline_rev else ''}` reproduces it.", "",
        "Two ways of loading code:", "",
    ]
    lines += [f"- **{mode}**: {text};" for mode, text in MODES.items()]
    lines += ["", "Import CPU is the process's CPU time during the import (less sensitive than wall time to other load "
              "on the machine).", "",
              "| code | entry point | request | import (ms) | import CPU (ms) | first request (ms) | total (ms) | "
              "import / bare | import CPU / bare | total / bare |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for (mode, name, request), m in med.items():
        total = m["import"] + m["first_request"]
        b = bare(mode)
        lines.append(f"| {mode} | {name} | {request} | {m['import'] * 1000:.1f} | {m['import_cpu'] * 1000:.1f} | "
                     f"{m['first_request'] * 1000:.1f} | {total * 1000:.1f} | {m['import'] / b['import']:.2f}× | "
                     f"{m['import_cpu'] / b['import_cpu']:.2f}× | {total / (b['import'] + b['first_request']):.2f}× |")
    lines += ["", f"**Import ratio (cunqingtong / bare Chalice), with bytecode: {ratio['bytecode']:.2f}× "
              f"(CPU {cpu_ratio['bytecode']:.2f}×); from source: {ratio['source']:.2f}× "
              f"(CPU {cpu_ratio['source']:.2f}×)** (target ≤ 1.5×).", "",
              "The first request pays for what it needs: the health check imports Powertools (Logger and Metrics for "
              "the access line) and pydantic (its response model); GET /me also PynamoDB, boto3 and its first AWS "
              "calls (KMS, DynamoDB, on the embedded AWS here, so its absolute time is not AWS's).", "",
              "## Heavy packages", "",
              "| package | imported by `import app` | after GET /health | after GET /me |", "|---|---|---|---|"]
    for mod in HEAVY:
        lines.append(f"| {mod} | {'**yes** ✗' if mod in at_import else 'no ✓'} | "
                     f"{'yes' if mod in after_health else 'no'} | {'yes' if mod in after_me else 'no'} |")
    lines += ["", f"Check: {'PASS' if not at_import else 'FAIL'}: `import app` imports "
              f"{', '.join(at_import) if at_import else 'none of them'}.", "",
              "## Import time by package", "",
              "Packages imported by `app` (with bytecode), by the largest cumulative import time of any of their "
              "modules (`python -X importtime`, one run; nested packages count inside their importer too):", "",
              "| package | ms |", "|---|---:|"]
    lines += [f"| {name} | {secs * 1000:.1f} |" for name, secs in top]
    lines += ["", "![cold start](cold_start.png)"]
    (RESULTS / "cold_start.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _chart([(f"{mode}: {n}: {r}", m) for (mode, n, r), m in med.items()], RESULTS / "cold_start.png")
    print("\n".join(lines))
    if at_import:
        raise SystemExit(f"FAIL: import app imports heavy packages: {', '.join(at_import)}")


if __name__ == "__main__":
    main()
