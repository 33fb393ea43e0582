"""A cold container's first requests do not import pydantic: answers leave as the views' plain dicts
(chalicelib/core/http.py `_render`), and pydantic is imported only to check them in strict mode (tests, the local
stack) or to parse a request that has a body or a query. Each run here is a fresh Python process on the session's
embedded AWS, with the production setting (no CQT_STRICT_RESPONSES)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import json, sys
sys.path.insert(0, {root!r})
import app
from chalice.test import Client

out = []
with Client(app.app) as c:
    for path, token in {requests!r}:
        r = c.http.get(path, headers={{"authorization": "Bearer " + token}} if token else {{}})
        out.append({{"status": r.status_code, "body": json.loads(r.body),
                    "pydantic": sorted(m for m in ("pydantic", "pydantic_core") if m in sys.modules)}})
print(json.dumps(out, ensure_ascii=False))
"""


def _fresh(requests: list[tuple[str, str | None]]) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k != "CQT_STRICT_RESPONSES"}
    code = _PROBE.format(root=str(ROOT), requests=requests)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_health_me_and_home_of_a_cold_process_import_no_pydantic(client, county):
    hh = county.household(members=1)
    _, session = county.villager(hh["id"])
    villager = session["access_token"]
    staff = county.tokens["grid_worker"]
    health, me, home, villager_me = _fresh([("/health", None), ("/me", staff), ("/home", villager), ("/me", villager)])
    assert health == {"status": 200, "body": {"status": "ok"}, "pydantic": []}
    assert me["status"] == 200 and me["pydantic"] == [], me
    # The same answers as this process's app gives, where strict mode checks them against the models.
    assert me["body"] == client.get("/me", token=staff).json
    assert home["status"] == 200 and home["pydantic"] == [], home
    assert home["body"]["me"]["grants"][0]["household"] == hh["id"]
    assert home["body"] == client.get("/home", token=villager).json
    assert villager_me["body"] == home["body"]["me"] and villager_me["pydantic"] == []
