"""`make run` as a new user meets it: the local stack over HTTP, its demo sign-ins, and `make reset`."""

import re

import pytest

from tests.e2e.stack import Stack


@pytest.fixture
def stack(tmp_path):
    s = Stack(tmp_path / "data")
    yield s
    s.stop()


def test_make_run_seeds_demo_county_and_make_reset_starts_clean(stack):
    """(That local data survives a restart, even a `kill -9` in a burst of writes, is
    tests/reliability/test_durability.py.)"""
    banner = stack.start()
    assert "Demo county 龙游县 (330825) seeded" in banner and f"http://127.0.0.1:{stack.port}/" in banner
    phones = dict(re.findall(r"^\s+(139\d{8})\s+(\S+)", banner, re.M))
    assert len(phones) == 14 and phones["13900000002"].startswith("县级管理员") and phones["13900000014"] == "村民"
    villager = stack.sign_in("13900000014")  # files the demo cases
    status, mine = stack.call("GET", "/api/cases/mine", token=villager)
    assert status == 200 and {c["type"] for c in mine["items"]} == {"snap", "letter", "tipoff", "errand"}, mine
    assert len(mine["items"]) == 8 and any(c["rating"] == 5 for c in mine["items"])
    errands = {c["text"]: c["status_name"] for c in mine["items"] if c["type"] == "errand"}
    assert errands == {"申请办理：老年优待证办理（县民政局）": "待受理",
                       "申请办理：生育登记（县卫生健康局）": "办理中"}, errands
    admin = stack.sign_in("13900000002")
    status, cov = stack.call("GET", "/api/coverage?place=330825001201&children=true", token=admin)
    assert status == 200 and cov["place"]["households"] == 172 and len(cov["children"]) == 4
    worker = stack.sign_in("13900000009")  # 专职网格员 of 张王村 grid 1
    status, hh = stack.call("POST", "/api/households", {
        "grid": "330825001201G01", "address": "张王村重置1号",
        "members": [{"name": "重置", "relation": "户主", "id_number": "330825199001019992"}]}, token=worker)
    assert status == 201, hh
    stack.stop()

    banner = stack.start("--reset")
    assert "seeded" in banner and "Restored" not in banner
    admin = stack.sign_in("13900000007")  # 村情通管理员 of 张王村
    status, _ = stack.call("GET", f"/api/households/{hh['id']}", token=admin)
    assert status == 404
    status, cov = stack.call("GET", "/api/coverage?place=330825001201", token=admin)
    assert cov["place"]["households"] == 172


def test_unknown_paths_and_missing_tokens_answer_in_the_envelope(stack):
    stack.start()
    status, body = stack.call("GET", "/api/me")
    assert status == 401 and body["error"]["code"] == "unauthorized"
    status, body = stack.call("GET", "/api/no-such-thing")
    assert status == 403 and body["error"]["code"] == "no_such_route"
    status, body = stack.call("GET", "/api/health")
    assert status == 200 and body == {"status": "ok"}
