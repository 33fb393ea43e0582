"""Importing the app (every Lambda function's cold start) imports nothing heavy: the blueprints import their
services, models and schemas, and Powertools its Logger, Metrics and Tracer, when a request first needs them
(chalicelib/core/lazy.py; bench/cold_start.py measures the times)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("boto3", "botocore", "pynamodb", "pydantic", "pydantic_core", "cryptography", "jwt", "aws_xray_sdk",
         "openpyxl", "segno", "aws_lambda_powertools")


def _fresh(code: str) -> dict:
    """Run `code` in a fresh interpreter (nothing imported yet) and return the JSON it prints last."""
    out = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r})\n{code}"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_app_imports_no_heavy_package():
    got = _fresh(f"import json\nimport app\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    assert got == [], f"`import app` imports {got}: import them where a request needs them"


def test_every_lazily_named_schema_resolves_to_a_pydantic_model():
    got = _fresh("import json\nimport app\nfrom pydantic import BaseModel\nfrom chalicelib.core.http import ROUTES\n"
                 "bad = [(r.name, k) for r in ROUTES for k in ('body', 'query', 'response')\n"
                 "       if getattr(r, k) is not None and not issubclass(getattr(r, k), BaseModel)]\n"
                 "print(json.dumps({'routes': len(ROUTES), 'bad': bad}))")
    assert got["routes"] > 50 and got["bad"] == []


def test_the_stream_function_alone_loads_its_reactions():
    """In AWS the stream's Lambda imports chalicelib.core.streams only (never app.py): its first dispatch imports
    the reacting modules."""
    got = _fresh("import json\nfrom chalicelib.core import streams\n"
                 "before = sorted(streams._handlers) + sorted(streams._batch_handlers)\n"
                 "streams.dispatch([])\n"
                 "print(json.dumps({'before': before, 'after': sorted(streams._handlers),"
                 " 'batch': sorted(streams._batch_handlers)}))")
    assert got["before"] == []
    assert {"case", "daily_report_alert"} <= set(got["after"]) and got["batch"] == [
        "case_count", "daily_report", "daily_report_day"]


def test_the_authorizer_function_imports_jwt_only_when_called():
    got = _fresh("import json\nfrom chalicelib.core.auth import authorizer\n"
                 "print(json.dumps(sorted(m for m in ('jwt', 'cryptography', 'pynamodb', 'boto3') "
                 "if m in sys.modules)))")
    assert got == []


def test_the_jobs_worker_alone_loads_its_jobs():
    """In AWS the jobs queue's worker imports chalicelib.core.jobs only (never app.py), which is light; a job's
    module is imported when its first message comes."""
    got = _fresh("import json\nfrom chalicelib.core import jobs\n"
                 "before = sorted(jobs._jobs)\nheavy = [m for m in ('boto3', 'pynamodb') if m in sys.modules]\n"
                 "jobs.get('case_escalation'), jobs.get('report_reminders')\n"
                 "print(json.dumps({'before': before, 'heavy': heavy, 'after': sorted(jobs._jobs)}))")
    assert got == {"before": [], "heavy": [], "after": ["case_escalation", "report_reminders"]}


def test_a_cold_health_check_imports_no_pydantic():
    """Answers leave as the views return them (chalicelib/core/http.py `_render`): without strict mode (production)
    GET /health imports no heavy package (chalice.test brings botocore along: only what the request adds counts).
    tests/functional/test_cold_requests.py does GET /me and /home."""
    got = _fresh("import json, os\nos.environ.pop('CQT_STRICT_RESPONSES', None)\nimport app\n"
                 "from chalice.test import Client\n"
                 f"before = {{m for m in {HEAVY!r} if m in sys.modules}}\n"
                 "with Client(app.app) as c:\n    r = c.http.get('/health')\n"
                 f"print(json.dumps({{'status': r.status_code, 'body': json.loads(r.body), "
                 f"'added': [m for m in {HEAVY!r} if m in sys.modules and m not in before]}}))")
    assert got == {"status": 200, "body": {"status": "ok"}, "added": []}
