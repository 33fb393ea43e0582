"""Route permissions are enforced in one place (core/http.py) from each route's declaration, before anything is
parsed or read: a view that forgets its own check still refuses callers who hold none of the route's permissions."""

import pytest

from tests.conftest import new_phone


def test_every_protected_route_declares_who_may_call_it(app):
    from chalicelib.core.http import OWN_HOUSEHOLD, ROUTES, SIGNED_IN, permissions_of
    from chalicelib.core.tenancy import PERMISSIONS

    for spec in ROUTES:
        if spec.public:
            continue
        declared = permissions_of(spec)
        assert declared, spec
        for p in declared:
            assert p in PERMISSIONS or p in (SIGNED_IN, OWN_HOUSEHOLD), (spec, p)


def test_a_route_without_a_declaration_cannot_be_made():
    from chalice import Blueprint

    from chalicelib.core.http import endpoint

    with pytest.raises(ValueError, match="declare permission"):
        endpoint(Blueprint(__name__), "/nobody-said", "GET", name="nobody_said", summary="x")


def test_the_case_inbox_is_open_to_the_readers_of_every_case_type(app):
    from chalicelib.cases import api, types

    assert set(api.CASE_READ) == {t.read_permission for t in types.all_types()}


def test_a_view_that_forgets_its_check_still_refuses_a_caller_without_the_permission(client, county, monkeypatch):
    """GET /reports/completion declares reports.read: a villager (no reports.read anywhere) is refused before the
    view runs at all, so a view that forgot its own check would not leak; staff who hold it get through."""
    from chalicelib.daily_report import service

    real, calls = service.completion, []
    monkeypatch.setattr(service, "completion", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    home = county.household(members=1)
    _, session = county.villager(home["id"])
    r = client.get(f"/reports/completion?place={county.code}", token=session["access_token"])
    assert r.status_code == 403 and r.json["error"]["code"] == "forbidden_scope", r.json
    assert calls == []  # refused before the view ran
    r = client.get(f"/reports/completion?place={county.grid}", token=county.tokens["grid_worker"])
    assert r.status_code == 200 and len(calls) == 1, r.json


def test_refused_before_the_body_is_read(client, county):
    """A caller who may not appoint staff learns that, not what is wrong with the body they sent."""
    home = county.household(members=1)
    _, session = county.villager(home["id"])
    r = client.post("/staff", {"phone": "not a phone", "role": "no such role"}, token=session["access_token"])
    assert r.status_code == 403, r.json
    r = client.post("/staff", {"phone": new_phone(), "name": "张三", "role": "grid_worker", "place": county.grid},
                    token=session["access_token"])
    assert r.status_code == 403, r.json
