"""The local stack (`python -m devstack run`) in a subprocess, as a new user starts it, and a small HTTP client."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from devstack.aws import free_port
from tests.conftest import ROOT


class Stack:
    def __init__(self, data: Path):
        self.data = data
        self.port = free_port()
        self.proc = None
        self.log = data.parent / f"stack-{self.port}.log"

    def start(self, *extra: str, timeout: float = 180) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CQT_", "MOTO_", "POWERTOOLS_"))}
        env["CQT_OTP_PER_CLIENT_PER_HOUR"] = "500"  # every browser test signs in from 127.0.0.1
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

    def call(self, method: str, path: str, body=None, token: str | None = None) -> tuple[int, dict]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
        req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else {}
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def sign_in(self, phone: str) -> str:
        status, _ = self.call("POST", "/api/auth/code", {"phone": phone})
        assert status == 202
        status, session = self.call("POST", "/api/auth/token", {"phone": phone, "code": self.sms_code(phone)})
        assert status == 200, session
        return session["access_token"]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sms_code(self, phone: str) -> str:
        """The latest sign-in code texted to a phone (other texts, e.g. reminders, carry none)."""
        _, outbox = self.call("GET", f"/__dev/sms?phone={phone}")
        return [found.group() for m in outbox if (found := re.search(r"\d{6}", m["text"]))][-1]
