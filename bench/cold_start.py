"""Cold start: fresh processes that import the Lambda entry point and serve one request through the handler,
next to a bare Chalice hello-world measured in the same run (ratios, because these machines are noisy).

    .venv/bin/python bench/cold_start.py [--runs 20]

Writes bench/results/cold_start.md: median import and first-request times, their ratio to the bare app, and the
top modules by cumulative import time (python -X importtime).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

PROBE = textwrap.dedent("""
    import json, sys, time
    t0 = time.perf_counter()
    sys.path.insert(0, {root!r})
    import app as entry
    t1 = time.perf_counter()
    event = {{"resource": "/health", "path": "/health", "httpMethod": "GET", "headers": {{}},
             "multiValueHeaders": {{}}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
             "requestContext": {{"resourcePath": "/health", "httpMethod": "GET", "requestId": "bench",
                                 "identity": {{"sourceIp": "127.0.0.1"}}, "stage": "api"}}}}

    class Ctx:
        function_name = "bench"; function_version = "1"; memory_limit_in_mb = 1024; aws_request_id = "bench"
        invoked_function_arn = "arn:aws:lambda:cn-north-1:123456789012:function:bench"
        log_group_name = log_stream_name = "bench"
        def get_remaining_time_in_millis(self): return 30000

    response = entry.app(event, Ctx())
    t2 = time.perf_counter()
    assert response["statusCode"] == 200, response
    print(json.dumps({{"import": t1 - t0, "first_request": t2 - t1}}))
""")

BARE = textwrap.dedent("""
    from chalice import Chalice
    app = Chalice(app_name="bare")

    @app.route("/health")
    def health():
        return {"status": "ok"}
""")


def _run(root: Path, env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE.format(root=str(root))], cwd=root, env=env,
                         capture_output=True, text=True, check=True)
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


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20)
    args = p.parse_args()
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true",
           "POWERTOOLS_LOG_LEVEL": "WARNING", "AWS_DEFAULT_REGION": "cn-north-1", "CQT_STAGE": "bench"}
    with tempfile.TemporaryDirectory() as bare_dir:
        bare = Path(bare_dir)
        (bare / "app.py").write_text(BARE)
        ours, theirs = [], []
        for _ in range(args.runs):  # interleaved, so drift on the machine hits both alike
            ours.append(_run(ROOT, env))
            theirs.append(_run(bare, env))
    med = {name: {k: statistics.median(r[k] for r in runs) for k in ("import", "first_request")}
           for name, runs in (("cunqingtong", ours), ("bare chalice", theirs))}
    ratio = med["cunqingtong"]["import"] / med["bare chalice"]["import"]
    top = _importtime(ROOT, env)
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        "# Cold start", "",
        f"Median of {args.runs} fresh processes each (interleaved), Python {sys.version.split()[0]}. "
        "`.venv/bin/python bench/cold_start.py` reproduces it.", "",
        "| entry point | import (ms) | first request through the handler (ms) |", "|---|---:|---:|",
    ]
    for name, m in med.items():
        lines.append(f"| {name} | {m['import'] * 1000:.0f} | {m['first_request'] * 1000:.1f} |")
    lines += ["", f"**Import ratio (ours / bare Chalice): {ratio:.2f}×** (target ≤ 1.5×).", "",
              "Packages imported by `app`, by the largest cumulative import time of any of their modules "
              "(nested packages count inside their importer too):", "", "| package | ms |", "|---|---:|"]
    lines += [f"| {name} | {secs * 1000:.0f} |" for name, secs in top]
    (RESULTS / "cold_start.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
