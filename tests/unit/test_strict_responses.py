"""Answers leave as the views return them (no pydantic on the response path); strict mode (CQT_STRICT_RESPONSES=1,
set by tests/conftest.py and the local stack) checks each against its route's response model: a missing field, an
undeclared key or a value the model would change is an error naming the route and the difference."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from chalicelib.core import http
from chalicelib.core.schemas import Out


class Item(Out):
    id: str
    note: str | None = None


class ItemPage(Out):
    items: list[Item]
    count: int
    ratio: float = 0.0
    next_cursor: str | None = None


def _spec(response=ItemPage) -> http.RouteSpec:
    return http.RouteSpec(path="/things", method="GET", name="things", summary="", tags=(), body_ref=None,
                          query_ref=None, response_ref=response, status=200, public=True, idempotent=False)


GOOD = {"items": [{"id": "a", "note": None}], "count": 1, "ratio": 0.5, "next_cursor": None}


def _mismatch(answer, spec=None) -> str:
    with pytest.raises(http.ResponseMismatch) as e:
        http.check_answer(spec or _spec(), answer)
    return str(e.value)


def test_an_exact_answer_passes_and_leaves_as_it_is(monkeypatch):
    http.check_answer(_spec(), GOOD)
    monkeypatch.setenv("CQT_STRICT_RESPONSES", "1")
    assert http._render(_spec(), GOOD) == (200, GOOD)
    assert http._render(_spec(), (201, GOOD)) == (201, GOOD)
    assert http._render(_spec(), None) == (200, None)


def test_a_missing_field_even_with_a_default_is_named():
    msg = _mismatch({"items": [{"id": "a"}], "count": 1, "ratio": 0.5, "next_cursor": None})
    assert msg == "GET /things ItemPage: .items[0].note: missing"
    assert _mismatch({"items": [], "count": 0, "ratio": 0.0}) == "GET /things ItemPage: .next_cursor: missing"


def test_an_undeclared_key_is_named_as_a_potential_leak():
    answer = {**GOOD, "items": [{"id": "a", "note": None, "phone": "13800000000"}]}
    msg = _mismatch(answer)
    assert msg == "GET /things ItemPage: .items[0].phone: not in the model"
    assert "13800000000" not in msg  # values are never named: they may be personal data


def test_a_value_the_model_would_change_is_named():
    assert _mismatch({**GOOD, "ratio": 1}) == "GET /things ItemPage: .ratio: int, the model's float"
    assert "count: int_parsing" in _mismatch({**GOOD, "count": "many"})  # invalid: the validation error's place
    assert "not JSON-ready" in _mismatch({**GOOD, "next_cursor": object()})


def test_without_strict_mode_the_answer_is_not_checked_and_a_model_is_still_dumped(monkeypatch):
    monkeypatch.delenv("CQT_STRICT_RESPONSES", raising=False)
    partial = {"items": [{"id": "a"}], "count": 1}
    assert http._render(_spec(), partial) == (200, partial)
    assert http._render(_spec(), ItemPage(items=[Item(id="b")], count=2)) == (
        200, {"items": [{"id": "b", "note": None}], "count": 2, "ratio": 0.0, "next_cursor": None})


def test_strict_mode_checks_a_dumped_model_and_an_answer_of_a_route_without_a_model(monkeypatch):
    monkeypatch.setenv("CQT_STRICT_RESPONSES", "1")

    class Wider(BaseModel):
        items: list[Item]
        count: int
        secret: str

    with pytest.raises(http.ResponseMismatch, match=r"\.secret: not in the model"):
        http._render(_spec(), Wider(items=[], count=0, secret="x"))
    assert http._render(_spec(None), {"any": "shape"}) == (200, {"any": "shape"})
    with pytest.raises(http.ResponseMismatch, match="not JSON-ready"):
        http._render(_spec(None), {"when": object()})
