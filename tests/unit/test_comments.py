"""core/comments.py's pure rules: comment keys sort by time and a reply's key sits under its thread's root; who
sees which comment (moderators: all; others: the approved ones and their own pending ones)."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from chalicelib.core import clock
from chalicelib.core.comments import new_key, sees


@pytest.fixture
def frozen():
    c = clock.FrozenClock(dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC))
    clock.set_clock(c)
    yield c
    clock.set_clock(clock.Clock())


def test_keys_sort_by_time_and_replies_sit_under_their_root(frozen):
    first = new_key()
    assert re.fullmatch(r"\d{13}[0-9a-f]{6}", first) and first.startswith(str(int(frozen.at.timestamp() * 1000)))
    frozen.advance(milliseconds=1)
    reply = new_key(first)
    frozen.advance(milliseconds=1)
    later = new_key()
    assert reply.startswith(f"{first}#") and re.fullmatch(r"\d{13}[0-9a-f]{6}", reply.split("#")[1])
    assert sorted([later, reply, first]) == [first, reply, later]  # a thread, then the next comment


@pytest.mark.parametrize(("status", "mine", "moderator", "seen"), [
    ("approved", False, False, True),
    ("pending", True, False, True),
    ("pending", False, False, False),
    ("hidden", True, False, False),
    ("hidden", False, True, True),
    ("pending", False, True, True),
])
def test_who_sees_a_comment(status, mine, moderator, seen):
    ctx = SimpleNamespace(user_id="u1")
    item = SimpleNamespace(status=status, uid="u1" if mine else "u2")
    assert sees(ctx, item, moderator) is seen
