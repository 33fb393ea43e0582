"""Township coverage from the county's own counter shards (households/service.py coverage_counts): every household
write ADDs the township's figures (`h_{nnn}`, `f_{nnn}`) to its shard of the county counter, so every
township of a county is read in ONE BatchGet; a county written before (no figures) answers right through the
townships' own shards and households/township_coverage.py puts the figures back (embedded AWS)."""

from __future__ import annotations

import pytest

from chalicelib.core import clock
from tests.conftest import County, dynamodb_calls


def _add_townships(c: County, n: int) -> list[tuple[str, str]]:
    """n more townships (codes 002..), each with a village and a grid: [(township, grid)]."""
    out = []
    for i in range(2, n + 2):
        t = f"{c.code}{i:03d}"
        v, g = t + "201", t + "201G01"
        for code, name in ((t, f"第{i}镇"), (v, f"第{i}村"), (g, f"第{i}网格")):
            r = c.api.post("/places", {"code": code, "name": name}, token=c.tokens["county_admin"])
            assert r.status_code == 201, r.json
        out.append((t, g))
    return out


def _by_township_shards(tenant: str, townships: list[str]) -> dict[str, tuple[int, int]]:
    """The per-township path: each township's own 8 counter shards."""
    from chalicelib.households import service as hs

    got = hs._raw_counters(tenant, [k for t in townships for k in hs._coverage_keys(tenant, t)])
    return {t: (sum(got.get(k, {}).get("households", 0) for k in hs._coverage_keys(tenant, t)),
                sum(got.get(k, {}).get("followed", 0) for k in hs._coverage_keys(tenant, t))) for t in townships}


def _strip_township_figures(tenant: str) -> None:
    """The county's counter as written before the township figures existed: every h_*/f_* removed by hand."""
    from pynamodb.expressions.operand import Path

    from chalicelib.households import service as hs
    from chalicelib.households.models import Coverage

    for (pk, sk), raw in hs._raw_counters(tenant, hs._coverage_keys(tenant, tenant)).items():
        names = [k for k in raw if k.startswith(("h_", "f_"))]
        if names:
            Coverage(pk, sk).update(actions=[Path(n).remove() for n in names])


@pytest.fixture
def world(county):
    """Three townships: households in each, villagers linked in two, one household deleted (an import's undo)."""
    from chalicelib.households import service as hs

    c = county
    (t2, g2), (t3, g3) = _add_townships(c, 2)
    admin = c.tokens["county_admin"]
    first = [c.household(members=1) for _ in range(3)] + [c.household(grid=c.grid2, members=1, token=admin)]
    second = [c.household(grid=g2, members=1, token=admin) for _ in range(4)]
    third = [c.household(grid=g3, members=1, token=admin) for _ in range(2)]
    c.villager(first[0]["id"])
    c.villager(first[1]["id"])
    gw1 = c.tokens["grid_worker"]
    c.add_staff("grid_worker", g2)  # invites come from the household's own grid worker
    c.villager(second[0]["id"])
    c.tokens["grid_worker"] = gw1
    c.villager(first[0]["id"])  # a second follower of the same household: still one followed household
    hs.delete_household(c.code, second[3]["id"])
    hs.delete_household(c.code, third[1]["id"])
    return c, [c.township, t2, t3], {c.township: (4, 2), t2: (3, 1), t3: (1, 0)}


def test_the_county_shards_answer_every_township_as_their_own_shards_do(world):
    from chalicelib.households import service as hs

    c, townships, want = world
    assert _by_township_shards(c.code, townships) == want
    assert hs.townships_attributed(hs.county_shards(c.code))
    with dynamodb_calls() as calls:
        got = hs.coverage_counts(c.code, townships)
    assert got == want
    assert calls == ["BatchGetItem"]  # the county's 8 shards, whatever the number of townships
    assert hs.coverage_counts(c.code, [townships[1], c.code]) == {townships[1]: (3, 1), c.code: (8, 3)}
    assert hs.expected_households(c.code, townships) == {t: n for t, (n, _) in want.items()}
    # GET /coverage of the county with its townships: the same numbers, one BatchGet of counters
    with dynamodb_calls() as calls:
        r = c.api.get(f"/coverage?place={c.code}&children=true", token=c.tokens["county_admin"])
    assert r.status_code == 200, r.json
    assert (r.json["place"]["households"], r.json["place"]["followed"]) == (8, 3)
    assert {k["place"]: (k["households"], k["followed"]) for k in r.json["children"]} == want
    assert calls.count("BatchGetItem") == 1, calls


def test_a_county_written_before_the_figures_answers_right_then_the_backfill_puts_them_back(world, client,
                                                                                              monkeypatch):
    from chalicelib.households import service as hs
    from chalicelib.households import township_coverage

    c, townships, want = world
    _strip_township_figures(c.code)
    assert not hs.townships_attributed(hs.county_shards(c.code))
    with dynamodb_calls() as calls:
        assert hs.coverage_counts(c.code, townships) == want  # the fallback: the townships' own shards
    assert calls == ["BatchGetItem", "BatchGetItem"], calls
    r = c.api.get(f"/backoffice/quality?period={clock.today():%Y-%m}", token=c.tokens["county_admin"])
    assert r.status_code == 200, r.json
    assert {row["township"]: (row["households"], row["linked"]) for row in r.json["rows"]} == want
    assert (r.json["county"]["households"], r.json["county"]["linked"]) == (8, 3)

    # A household written while the backfill runs (between its reads and its write) is counted too.
    real_plans, written = township_coverage._plans, []

    def plans_then_a_household(*a, **kw):
        out = real_plans(*a, **kw)
        if not written:
            written.append(c.household(grid=c.grid2, members=1, token=c.tokens["county_admin"]))
        return out

    monkeypatch.setattr(township_coverage, "_plans", plans_then_a_household)
    counts = township_coverage.backfill(c.code)
    assert written and counts["conflicts"] == [] and counts["failed"] == [] and counts["townships"] == 3, counts
    assert counts["shards"] >= 1
    want = {**want, c.township: (5, 2)}
    assert hs.townships_attributed(hs.county_shards(c.code))
    with dynamodb_calls() as calls:
        assert hs.coverage_counts(c.code, townships) == want
    assert calls == ["BatchGetItem"]
    # Idempotent: a second run (and the local stack's start-up run) writes nothing.
    assert township_coverage.backfill(c.code) == {"townships": 0, "shards": 0, "conflicts": [], "failed": []}
    assert township_coverage.run_pending([c.code]) == {}


def test_the_backfill_dry_run_writes_nothing_and_a_missing_township_is_reported(world, capsys):
    import json

    from chalicelib.households import service as hs
    from chalicelib.households import township_coverage
    from chalicelib.places.models import Place
    from scripts import backfill_township_coverage as script

    c, townships, want = world
    _strip_township_figures(c.code)
    counts = township_coverage.backfill(c.code, dry_run=True)
    assert counts["shards"] >= 1 and counts["conflicts"] == [] and counts["failed"] == [], counts
    assert not hs.townships_attributed(hs.county_shards(c.code))
    capsys.readouterr()
    assert script.main(["--county", c.code, "--dry-run"]) == 0  # the stage's command line, the same work
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["county"] == c.code and line["dry_run"] and line["shards"] == counts["shards"], line
    assert not hs.townships_attributed(hs.county_shards(c.code))
    # A township gone from the place tree while its households remain: nothing is written, the county says so,
    # and the answers stay right (the fallback).
    Place(*Place.keys(c.code, townships[2])).delete()
    counts = township_coverage.backfill(c.code)
    assert counts["conflicts"] and counts["shards"] == 0, counts
    assert township_coverage.run_pending([c.code])[c.code]["conflicts"]
    assert hs.coverage_counts(c.code, townships) == want


def test_the_quality_page_costs_the_same_calls_with_2_townships_and_with_14(county, other_county):
    counts = {}
    for c, more in ((county, 1), (other_county, 13)):
        added = _add_townships(c, more)
        c.add_staff("org_department", c.code)
        c.household(members=1)
        c.household(grid=added[-1][1], members=1, token=c.tokens["county_admin"])
        with dynamodb_calls() as calls:
            r = c.api.get(f"/backoffice/quality?period={clock.today():%Y-%m}", token=c.tokens["org_department"])
        assert r.status_code == 200, r.json
        assert len(r.json["rows"]) == more + 1
        rows = {row["township"]: row["households"] for row in r.json["rows"]}
        assert rows[c.township] == 1 and rows[added[-1][0]] == 1 and sum(rows.values()) == 2
        counts[more + 1] = sorted(calls)
    assert counts[2] == counts[14], counts
    # townships, roll-ups and case months (Query); the county's coverage shards and the township boards (BatchGet)
    assert counts[14].count("Query") == 3 and counts[14].count("BatchGetItem") == 2, counts[14]
