"""Shared start-up for the benchmarks that need the whole local stack (`python -m devstack run`) in a subprocess:
the demo county seeded in a throw-away data folder, the built web apps, and sessions for demo people.

Only the API of tests/e2e/stack.py `Stack` is used (start, stop, call, sms_code, url).
"""

from __future__ import annotations

import contextlib
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

COUNTY_ADMIN = "13900000002"  # devstack/demo_data.py DEMO_ACCOUNTS
GRID_WORKER = "13900000009"
FOCUS_GRID = "330825001201G01"  # 张王村第一网格, where the demo grid staff work


def require_web_build() -> None:
    """The browser bench needs both built apps; a partial build would measure the wrong thing."""
    missing = [p for p in ("web/dist/index.html", "web/dist/console/index.html") if not (ROOT / p).exists()]
    if missing:
        raise SystemExit(f"{', '.join(missing)} missing: run `cd web && npm run build` first")


@contextlib.contextmanager
def local_stack() -> Iterator:
    """The local stack with a freshly seeded demo county on a free port of 127.0.0.1; stopped and removed after."""
    from tests.e2e.stack import Stack

    tmp = Path(tempfile.mkdtemp(prefix="cqt-bench-stack-"))
    stack = Stack(tmp / "data")
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def new_phone(rng: random.Random | None = None) -> str:
    """A mobile number outside the demo staff's reserved 1390000xxxx range."""
    return f"136{(rng or random).randint(0, 99_999_999):08d}"


def session(stack, phone: str) -> dict:
    """The whole session POST /api/auth/token answers (tokens, tenant, memberships), as the web apps keep it."""
    status, body = stack.call("POST", "/api/auth/code", {"phone": phone})
    if status != 202:
        raise RuntimeError(f"POST /api/auth/code answered {status}: {body}")
    status, body = stack.call("POST", "/api/auth/token", {"phone": phone, "code": stack.sms_code(phone)})
    if status != 200:
        raise RuntimeError(f"POST /api/auth/token answered {status}: {body}")
    return body


def api(stack, sess: dict, method: str, path: str, body=None, expect: int = 200) -> dict:
    status, out = stack.call(method, path, body, token=sess["access_token"])
    if status != expect:
        raise RuntimeError(f"{method} {path} answered {status}, expected {expect}: {out}")
    return out


def linked_villager(stack, admin: dict, household_id: str, name: str = "测村民") -> dict:
    """A new villager (a fresh number) linked to a household with an invite code, as the phone app does it;
    returns the session POST /api/links answers (it carries the new villager grant)."""
    invite = api(stack, admin, "POST", f"/api/households/{household_id}/invites", {}, expect=201)
    phone = new_phone()
    villager = session(stack, phone)
    return api(stack, villager, "POST", "/api/links", {"code": invite["code"], "name": name})
