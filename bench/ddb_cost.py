"""DynamoDB cost per request: calls and capacity units of every route of the app's route table, at two sizes.

    .venv/bin/python bench/ddb_cost.py                     # a few minutes
    .venv/bin/python bench/ddb_cost.py --households 5000   # a smaller large county, for a quick look

Every route of `app.routes` is sent once as the owner role would send it, built by the isolation matrix's request
builders (tests/security/test_isolation.py CASES; the public routes' builders are in bench/_common.py), in two
counties: a village county of 100 households and a county of 20,000. A route without a builder stops the bench,
naming the route. Each route is sent twice per county (the first warms the Lambda's caches) and the second request
is measured: botocore event hooks on the DynamoDB clients count its calls, ask for ReturnConsumedCapacity=TOTAL
and estimate capacity units from the items' sizes; then the stream handlers run on what it wrote and their calls
are counted apart. List routes ask for a page of 20.

Writes bench/results/ddb_cost.md and bench/results/ddb_cost.png. Exits 1 when a route's DynamoDB calls grow with
the county's size, when a route has no builder, or when a measured request fails.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    RESULTS,
    Hooks,
    builders,
    county_tree,
    fail_on_missing,
    lift_tipoff_limit,
    log,
    make_world,
    seed,
    send,
    start_stack,
    stop_stack,
    summary,
)

PAGE = 20
TOWNSHIPS, VILLAGES, GRIDS = 20, 10, 2  # the large county's place tree


def populate(world, hooks: Hooks, households: int, large: bool, rng) -> dict:
    """The county under test gets its households: the small one 100 in its first village (50 in the builders'
    grid, 50 in its sibling grid); the large one a whole place tree of `households`, with the builders' grid 16
    times the small one's."""
    a = world.a
    if not large:
        sizes = [(a.grid, households // 2), (a.grid2, households - households // 2)]
        return {"households": households, "seconds": seed(hooks, a.code, [], sizes, rng), "grid": sizes[0][1]}
    existing = {a.township, a.village, a.village2, a.first_grid, a.grid2, a.grid}
    places = county_tree(a.code, TOWNSHIPS, VILLAGES, GRIDS, existing)
    grids = [code for code, _ in places if "G" in code] + [a.first_grid, a.grid2]
    in_grid = min(households // 25, households)  # 800 of 20,000 in the builders' grid
    per = (households - in_grid) // len(grids)
    sizes = [(g, per) for g in grids]
    sizes.append((a.grid, households - per * len(grids)))
    return {"households": households, "seconds": seed(hooks, a.code, places, sizes, rng), "grid": sizes[-1][1]}


def prefill(world, hooks, runner, table, times: int) -> dict:
    """Send every write route `times` times (not measured): the large county then holds more of everything the
    routes make (staff, alerts, tip-offs, passes, scans, party links, inbox messages...), more than a page of each."""
    t0 = time.perf_counter()
    statuses = collections.Counter()
    for _ in range(times):
        for (method, template), b in table.items():
            if method == "GET" or template.startswith(("/counties", "/auth/")):
                continue
            try:
                statuses[send(world, hooks, runner, method, template, b, PAGE).status] += 1
            except (AssertionError, StopIteration):  # a builder's own request refused: nothing made
                statuses["builder refused"] += 1
    return {"statuses": dict(statuses), "seconds": time.perf_counter() - t0}


def every_page(world, hooks) -> dict:
    """The control: the whole household list of the builders' grid, page after page (it must grow)."""
    calls, pages, items, cursor = 0, 0, 0, None
    token = world.a.tokens["grid_worker"]
    while True:
        path = f"/households?place={world.a.grid}&limit={PAGE}" + (f"&cursor={cursor}" if cursor else "")
        with hooks.measure() as measured:
            r = world.api.get(path, token=token)
        assert r.status_code == 200, r.json
        calls, pages, items = calls + len(measured), pages + 1, items + len(r.json["items"])
        cursor = r.json.get("next_cursor")
        if not cursor:
            return {"calls": calls, "pages": pages, "items": items}


def run_county(app, runner, hooks, households: int, large: bool, rng, table, times: int) -> dict:
    from chalice.test import Client

    from tests.conftest import Api

    out = {}
    with Client(app) as c:
        api = Api(c)
        world = make_world(api)
        info = populate(world, hooks, households, large, rng)
        log(f"  county {world.a.code}: {info['households']:,} households seeded in {info['seconds']:.0f} s")
        info["repeat"] = times
        info["prefill"] = prefill(world, hooks, runner, table, times)
        log(f"  write routes sent {times} times each in {info['prefill']['seconds']:.0f} s: "
            f"{info['prefill']['statuses']}")
        for route, b in table.items():
            method, template = route
            first = send(world, hooks, runner, method, template, b, PAGE)  # warms the caches
            m = send(world, hooks, runner, method, template, b, PAGE)
            m.warm_status = first.status
            out[route] = m
        info["control"] = every_page(world, hooks)
    info["routes"] = out
    return info


def verdict(small, large) -> str:
    s, g = summary(small.calls), summary(large.calls)
    if g.n > s.n:
        return "GROWS"
    if g.n < s.n:
        return "fewer"
    return "constant" if g.ops == s.ops else "same count, other calls"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _ops(calls) -> str:
    s = summary(calls)
    return ", ".join(f"{op}{f' ×{n}' if n > 1 else ''}" for op, n in s.ops.items()) or "—"


def _prefill_text(small: dict, large: dict) -> str:
    def n(c, ok=False):
        return sum(v for k, v in c["prefill"]["statuses"].items() if not ok or (isinstance(k, int) and k < 300))

    refused = {k: v for c in (small, large) for k, v in c["prefill"]["statuses"].items()
               if not (isinstance(k, int) and k < 300)}
    return (f"Before measuring, every write route (but `/counties*` and `/auth/*`) was sent {small['repeat']} times "
            f"in the small county and {large['repeat']} times in the large one ({n(small):,} and {n(large):,} "
            f"requests, {n(small, True):,} and {n(large, True):,} accepted"
            + (f"; refused: {refused}" if refused else "")
            + "), so both counties hold staff, alerts, tip-offs, passes, scans, party links and inbox messages, the "
            "large one more than a page of most.")


def render(table, small, large, args, seconds: float, reported_ops: str, tipoff_limit: int):
    rows = []
    lines = ["# DynamoDB cost per request", "",
             f"`.venv/bin/python bench/ddb_cost.py` reproduces this; it took {seconds / 60:.1f} minutes. Every route "
             f"of the app's route table ({len(table)} routes), sent as its owner role would send it (the isolation "
             "matrix's builders, tests/security/test_isolation.py `CASES`; the public routes' builders are in "
             "bench/_common.py), in two counties: **small** — a village of "
             f"{small['households']:,} households ({small['grid']} in the builders' grid) — and **large** — "
             f"{large['households']:,} households in {TOWNSHIPS} townships × {VILLAGES} villages × {GRIDS} grids "
             f"({large['grid']:,} in the builders' grid). List routes ask for a page of {PAGE} (`limit={PAGE}`).",
             "", _prefill_text(small, large), "",
             "Calls are the request's own DynamoDB calls (the Lambda's caches warm: each route was sent once "
             "before); *stream* are the calls of the stream handlers on what the request wrote. RCU / WCU are "
             "**estimates from the items' sizes** (see Method: moto does not report real consumed capacity).", "",
             "| method | path | calls small | calls large | RCU / WCU small | RCU / WCU large | stream calls "
             "small / large | DynamoDB calls (large) | verdict |",
             "|---|---|---:|---:|---:|---:|---:|---|---|"]
    grows, failed = [], []
    for route in table:
        s, g = small["routes"][route], large["routes"][route]
        ss, gs = summary(s.calls), summary(g.calls)
        v = verdict(s, g)
        for label, m in (("small", s), ("large", g)):
            if not 200 <= m.status < 300 and m.status != table[route].expect:
                failed.append(f"{route[0]} {route[1]} ({label}): {m.status} {m.body}")
        if v == "GROWS":
            grows.append(route)
        mark = f"**{v}**" if v != "constant" else v
        lines.append(f"| {route[0]} | `{route[1]}` | {ss.n} | {gs.n} | {_fmt(ss.rcu)} / {_fmt(ss.wcu)} | "
                     f"{_fmt(gs.rcu)} / {_fmt(gs.wcu)} | {len(s.stream)} / {len(g.stream)} | {_ops(g.calls)} | "
                     f"{mark} |")
        rows.append((route, ss, gs))
    total_s = sum(summary(small["routes"][r].calls).n for r in table)
    total_g = sum(summary(large["routes"][r].calls).n for r in table)
    lines += ["", f"Total over the {len(table)} routes: {total_s} calls (small), {total_g} calls (large).", ""]
    cs, cg = small["control"], large["control"]
    control_ok = cg["calls"] > cs["calls"]
    lines += [f"**Control** (the bench can see growth): the whole household list of the builders' grid, page "
              f"after page of {PAGE}, took {cs['calls']} DynamoDB calls for {cs['items']} households ({cs['pages']} "
              f"pages) in the small county and {cg['calls']} for {cg['items']:,} ({cg['pages']} pages) in the large "
              "one — "
              + ("it grows, as it must." if control_ok else "**it does not grow: the counting is broken.**"), ""]
    if not control_ok:
        failed.append("control: reading every page of a grid's households did not grow with the grid")
    if grows:
        lines += ["**Defects — DynamoDB calls that grow with the county's size:** "
                  + ", ".join(f"`{m} {p}`" for m, p in grows) + ".", ""]
    else:
        lines += ["**No route's DynamoDB calls grow with the county's size** (the gate of this bench).", ""]
    if failed:
        lines += ["**Requests that failed:**", ""] + [f"- {f}" for f in failed] + [""]
    heavier = [(route, ss, gs) for route, ss, gs in rows
               if gs.n <= ss.n and (gs.rcu > 2 * max(ss.rcu, 0.5) or gs.wcu > 2 * max(ss.wcu, 0.5))]
    if heavier:
        lines += ["Routes whose calls stay the same but whose **estimated capacity grows** with the size (more "
                  "items read before a filter, larger items, a fuller page); not a gate of this bench:", ""]
        for (m, p), ss, gs in heavier:
            lines.append(f"- `{m} {p}`: RCU {_fmt(ss.rcu)} → {_fmt(gs.rcu)}, WCU {_fmt(ss.wcu)} → {_fmt(gs.wcu)}")
        lines.append("")
    other = [(r, small["routes"][r], large["routes"][r]) for r in table
             if verdict(small["routes"][r], large["routes"][r]) not in ("constant", "GROWS")]
    if other:
        lines += ["Routes whose calls differ between the sizes without growing:", ""]
        for (m, p), s, g in other:
            lines.append(f"- `{m} {p}`: small {_ops(s.calls)}; large {_ops(g.calls)}")
        lines.append("")
    lines += ["![DynamoDB calls per request at both sizes](ddb_cost.png)", "",
              "## Method", "",
              "**Counting.** `bench/_common.py` `Hooks` registers handlers on every DynamoDB client botocore creates "
              "(`Session.create_client`, so PynamoDB's clients and the boto3 clients of Powertools idempotency "
              "alike): `before-call` records each call by operation name, `after-call` reads the answer. The "
              "request goes through `chalice.test.Client` (authorizer, middleware, an `Idempotency-Key` on the "
              "routes that honour one). The builder's own requests (making the household, the alert, the staff "
              "member... the request acts on) are not counted; the stream handlers are drained before the request "
              "and again after it, the second drain counted as *stream calls* (the local event source mapping's "
              "own DescribeTable/GetRecords are left out). The county-record cache is warm "
              "(`CQT_TENANT_CACHE_SECONDS=3600`, as in a Lambda after its first requests); access tokens last a "
              "day (`CQT_ACCESS_TOKEN_TTL`: the county's tokens are made before its households are seeded).", "",
              "**Consumed capacity.** Every call asks for `ReturnConsumedCapacity=TOTAL`. moto's answers do not "
              f"depend on item sizes (values seen, by operation: {reported_ops}; \"nothing\": no ConsumedCapacity in "
              "the answer, 0: an empty list). So the RCU / WCU columns are **estimates** made "
              "the way DynamoDB bills (bench/_common.py `Capacity`, the same as bench/daily_report.py): an item's "
              "size is moto's (attribute names + values); reads round up per 4 KB (GetItem/BatchGetItem per item, "
              "Query over the sum of the items it evaluated before its filter), eventually consistent reads count "
              "half; writes round up per 1 KB of the larger of the item before and after, twice inside a "
              "transaction (TransactWriteItems ×2), plus a write on gsi1 when the item is in the index.", "",
              "**The counties.** The isolation matrix's `World` makes the county (its staff, a villager, "
              "the grid `…G011` whose code extends `…G01`); then households are created with "
              "`households.service.write_household` itself, loaded in-process into moto (`Hooks.bulk`: the same "
              "items, without HTTP round trips). devstack's `fast_queries` (moto's Query without sorting a whole "
              "table) is on. A verdict is **GROWS** when the large county's request makes more DynamoDB calls "
              "than the small one's; the bench then exits 1.", "",
              f"The villager's daily tip-off limit ({tipoff_limit} a day) is lifted for the run (the limit's counter "
              "is still written: the same DynamoDB calls), so that one villager can file all the tip-offs.", "",
              f"Seed {args.seed}; seeding took {small['seconds']:.0f} s (small) and {large['seconds']:.0f} s "
              "(large)."]
    return "\n".join(lines) + "\n", grows, failed, rows


def chart(rows, path: Path, sizes: tuple[int, int]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{m} {p}" for (m, p), _, _ in rows]
    small = [s.n for _, s, _ in rows]
    large = [g.n for _, _, g in rows]
    fig, ax = plt.subplots(figsize=(11, max(6, 0.24 * len(rows))))
    y = range(len(rows))
    ax.set_axisbelow(True)
    ax.barh([i - 0.2 for i in y], small, height=0.4, label=f"{sizes[0]:,} households", color="#1f77b4")
    ax.barh([i + 0.2 for i in y], large, height=0.4, label=f"{sizes[1]:,} households", color="#ff7f0e")
    for i, ((_, _), s, g) in enumerate(rows):
        if g.n > s.n:
            ax.text(g.n + 0.1, i + 0.2, "grows", va="center", color="#d62728", fontsize=7)
    ax.set_yticks(list(y), labels, fontsize=7)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel("DynamoDB calls per request (the request's own; a page of 20 for lists)")
    ax.set_title("DynamoDB calls per request, every route, at two county sizes")
    ax.legend(loc="lower right")
    ax.grid(axis="x", color="#eee")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--small", type=int, default=100, help="households of the small county")
    p.add_argument("--households", type=int, default=20_000, help="households of the large county")
    p.add_argument("--repeat", type=int, default=22, help="times each write route is sent in the large county "
                   "before measuring")
    p.add_argument("--repeat-small", type=int, default=2, help="the same, in the small county")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    t0 = time.perf_counter()
    hooks = Hooks()
    quiet = contextlib.redirect_stdout(io.StringIO())  # the local SMS outbox prints every message it sends
    quiet.__enter__()
    conftest, app, runner = start_stack(hooks)
    try:
        table, missing = builders(app)
        fail_on_missing(missing)
        tipoff_limit = lift_tipoff_limit()
        rng = random.Random(args.seed)
        log(f"[{time.perf_counter() - t0:5.0f}s] {len(table)} routes; small county")
        small = run_county(app, runner, hooks, args.small, False, rng, table, args.repeat_small)
        log(f"[{time.perf_counter() - t0:5.0f}s] large county")
        large = run_county(app, runner, hooks, args.households, True, rng, table, args.repeat)
        log(f"[{time.perf_counter() - t0:5.0f}s] measured")
    finally:
        stop_stack(conftest)
        quiet.__exit__(None, None, None)
    reported: dict[str, set] = {}
    for county in (small, large):
        for m in county["routes"].values():
            for c in m.calls + m.stream:
                reported.setdefault(c.op, set()).add(c.reported)
    reported_ops = "; ".join(f"{op} " + ", ".join("nothing" if v is None else f"{v:g}" for v in sorted(
        vals, key=lambda v: -1 if v is None else v)) for op, vals in sorted(reported.items()))
    text, grows, failed, rows = render(table, small, large, args, time.perf_counter() - t0, reported_ops,
                                       tipoff_limit)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ddb_cost.md").write_text(text, encoding="utf-8")
    chart(rows, RESULTS / "ddb_cost.png", (small["households"], large["households"]))
    print(text)
    if grows or failed:
        print("FAILED: " + "; ".join([f"calls grow with the county's size: {', '.join(f'{m} {p}' for m, p in grows)}"]
                                    * bool(grows) + failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
