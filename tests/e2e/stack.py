"""The local stack (`python -m devstack run`) in a subprocess, as a new user starts it, and a small HTTP client."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

from devstack.aws import free_port
from tests.conftest import ROOT

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Stack:
    def __init__(self, data: Path):
        self.data = data
        self.port = free_port()
        self.proc = None
        self.log = data.parent / f"stack-{self.port}.log"
        self._staff: dict[str, tuple[float, dict]] = {}

    def start(self, *extra: str, timeout: float = 180) -> str:
        # the Asia/Shanghai date the demo county is seeded on: its past days are the days before it (a test that
        # runs across midnight reads "yesterday" as the seeding day, which the demo left partly reported)
        self.day = dt.datetime.now(SHANGHAI).date().isoformat()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CQT_", "MOTO_", "POWERTOOLS_"))}
        env["CQT_OTP_PER_CLIENT_PER_HOUR"] = "500"  # every browser test signs in from 127.0.0.1
        env["CQT_OTP_PER_PHONE_PER_DAY"] = "200"  # the demo staff sign in many times in one run
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "devstack", "run", "--data", str(self.data), "--port", str(self.port), *extra],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_text("utf-8", errors="replace")
            if "Ctrl-C stops" in text:
                return text
            if self.proc.poll() is not None:
                raise AssertionError(f"stack exited:\n{text[-3000:]}")
            time.sleep(0.3)
        raise AssertionError("stack did not come up:\n" + self.log.read_text("utf-8", errors="replace")[-3000:])

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def call(self, method: str, path: str, body=None, token: str | dict | None = None,
             key: str | None = None) -> tuple[int, dict]:
        """One request: (status, JSON body). `token` is an access token or a whole session; `key` goes out as the
        Idempotency-Key header the creating POSTs take."""
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if isinstance(token, dict):
            token = token["access_token"]
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        if key:
            req.add_header("Idempotency-Key", key)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def ok(self, method: str, path: str, body=None, token: str | dict | None = None, key: str | None = None,
           status: int = 200) -> dict:
        """`call`, asserting the status."""
        got, out = self.call(method, path, body, token, key)
        assert got == status, (method, path, got, out)
        return out

    def api(self, session: str | dict, method: str, path: str, body=None, status: int = 200,
            key: str | None = None) -> dict:
        """`ok` as someone: `session` first (as the browser tests read best)."""
        return self.ok(method, path, body, session, key, status)

    def session(self, phone: str) -> dict:
        """A whole session (tokens, tenant, memberships) from POST /api/auth/token, as the web apps store it. A phone
        may ask for a code once a minute: if another test just asked for this one, wait that out."""
        for _ in range(3):
            status, body = self.call("POST", "/api/auth/code", {"phone": phone})
            if status == 202:
                break
            assert status == 429, body
            time.sleep(min(70, int((body["error"].get("details") or {}).get("retry_after") or 60)) + 1)
        else:
            raise AssertionError(f"no code for {phone} after three tries")
        return self.ok("POST", "/api/auth/token", {"phone": phone, "code": self.sms_code(phone)})

    def staff_session(self, phone: str) -> dict:
        """A session of a demo staff member shared by the tests that only need one to call the API or open a page
        (kept 10 minutes: an access token lives 15): a new one would wait out the phone's minute between codes.
        Tests that sign out, switch county or look at sign-in itself use `session`."""
        kept = self._staff.get(phone)
        if kept is None or time.monotonic() - kept[0] > 600:
            kept = self._staff[phone] = (time.monotonic(), self.session(phone))
        return kept[1]

    def sign_in(self, phone: str) -> str:
        """The access token of a new session (see `session`)."""
        return self.session(phone)["access_token"]

    def request_codes(self, phones: list[str], pool: int = 6) -> dict[str, str]:
        """Ask for a sign-in code for each phone at once; {phone: code} from the SMS outbox."""
        with ThreadPoolExecutor(pool) as ex:
            list(ex.map(lambda p: self.ok("POST", "/api/auth/code", {"phone": p}, status=202), phones))
        _, outbox = self.call("GET", "/__dev/sms")
        # other texts (e.g. a party member's reminder) carry no code
        codes = {m["phone"]: found.group() for m in outbox if (found := re.search(r"\d{6}", m["text"]))}
        return {p: codes[p] for p in phones}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sms_code(self, phone: str) -> str:
        """The latest sign-in code texted to a phone (other texts, e.g. reminders, carry none)."""
        _, outbox = self.call("GET", f"/__dev/sms?phone={phone}")
        return [found.group() for m in outbox if (found := re.search(r"\d{6}", m["text"]))][-1]


def new_phone(prefix: str) -> str:
    """A random mobile number of a range (each browser-test module keeps to its own, clear of the demo county's)."""
    assert len(prefix) == 3
    return f"{prefix}{random.randrange(100_000_000):08d}"
