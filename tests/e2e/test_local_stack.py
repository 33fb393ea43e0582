"""`make run` as a new user meets it: the local stack over HTTP, its demo sign-ins, and durable local data."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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
        _, outbox = self.call("GET", "/__dev/sms")
        code = re.search(r"\d{6}", [m for m in outbox if m["phone"] == phone][-1]["text"]).group()
        status, session = self.call("POST", "/api/auth/token", {"phone": phone, "code": code})
        assert status == 200, session
        return session["access_token"]


@pytest.fixture
def stack(tmp_path):
    s = Stack(tmp_path / "data")
    yield s
    s.stop()


def test_make_run_seeds_demo_county_and_keeps_every_acknowledged_write(stack):
    banner = stack.start()
    assert "Demo county 龙游县 (330825) seeded" in banner and f"http://127.0.0.1:{stack.port}/" in banner
    phones = dict(re.findall(r"^\s+(139\d{8})\s+(\S+)", banner, re.M))
    assert len(phones) == 13 and phones["13900000002"].startswith("县级管理员")
    admin = stack.sign_in("13900000002")
    status, cov = stack.call("GET", "/api/coverage?place=330825001201&children=true", token=admin)
    assert status == 200 and cov["place"]["households"] == 172 and len(cov["children"]) == 4
    worker = stack.sign_in("13900000009")  # 专职网格员 of 张王村 grid 1
    status, hh = stack.call("POST", "/api/households", {
        "grid": "330825001201G01", "address": "张王村重启1号",
        "members": [{"name": "重启", "relation": "户主", "id_number": "330825199001019992"}]}, token=worker)
    assert status == 201, hh
    stack.kill9()  # right after the 2xx

    banner = stack.start()
    assert "Restored local data" in banner and "seeded" not in banner
    admin = stack.sign_in("13900000007")  # 村情通管理员 of 张王村 (another phone: a code resend waits 60 s)
    status, again = stack.call("GET", f"/api/households/{hh['id']}", token=admin)
    assert status == 200 and again["address"] == "张王村重启1号"
    status, cov = stack.call("GET", "/api/coverage?place=330825001201", token=admin)
    assert cov["place"]["households"] == 173  # not re-seeded over the data
    stack.stop()

    banner = stack.start("--reset")
    assert "seeded" in banner
    admin = stack.sign_in("13900000007")
    status, _ = stack.call("GET", f"/api/households/{hh['id']}", token=admin)
    assert status == 404


def test_unknown_paths_and_missing_tokens_answer_in_the_envelope(stack):
    stack.start()
    status, body = stack.call("GET", "/api/me")
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = stack.call("GET", "/api/no-such-thing")
    assert status == 403 and body["error"]["code"] == "no_such_route"
    status, body = stack.call("GET", "/api/health")
    assert status == 200 and body == {"status": "ok"}
