"""Hot partitions: the peak writes per second on each partition key shape, for every write route.

    .venv/bin/python bench/hot_partitions.py      # about a minute

bench/daily_report.py simulates one write path (the daily report of a 500,000-household county over a morning,
per partition key). This generalises it to every write route of the app's route table (POST/PUT/PATCH/DELETE),
built by the isolation matrix's request builders (tests/security/test_isolation.py CASES; the public routes'
builders are in bench/_common.py; a route without one stops the bench, naming it):

1. Each write route is sent (after a warm-up) a few times, as its owner would send it, in a county on the embedded
   AWS. Botocore event hooks on the DynamoDB clients note every partition each request writes (PutItem,
   UpdateItem, DeleteItem, TransactWriteItems, BatchWriteItem: the table and the partition key's value, and each
   index's (gsi1..3) partition when the item is in it), with the write units each write costs; then the stream
   handlers run and their writes are attributed to the request too.
2. Each key is abstracted into a *shape* (`{tenant}#DRC#{date}#{village}`, `{tenant}#HH#{id}`...). A shape with a
   per-object part ({id}) spreads over as many partitions as there are objects; the others are shared: by the
   whole county, a township, a village or a grid, possibly split over N shards (S{n}). A route whose peak is a
   storm on one object (STORMS: 200 people signing up for one call, a deed liked county-wide) puts its whole rate on
   that object's keys, which are then a shared shape of their own ("one object").
3. With an assumed peak request rate per route for a 500,000-household county (the table in the results), the
   peak writes and write units per second on the hottest key of each shared shape are summed over the routes (as
   if their peaks coincided) and compared with DynamoDB's limit of 1,000 WCU/s per partition and a target of
   300 writes/s.

Writes bench/results/hot_partitions.md and bench/results/hot_partitions.png. Exits 1 when a shape's hottest key
goes over 1,000 WCU/s, when a route has no builder, or when a measured request fails.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    RESULTS,
    ROOT,
    Builder,
    Hooks,
    builders,
    fail_on_missing,
    lift_tipoff_limit,
    log,
    make_world,
    seed,
    send,
    start_stack,
    stop_stack,
)

WRITES = ("POST", "PUT", "PATCH", "DELETE")
LIMIT_WCU = 1000  # DynamoDB: write units per second on one partition
TARGET = 300  # writes per second on one partition key (bench/daily_report.py's target)
HOUSEHOLDS = 500_000
TOWNSHIPS, VILLAGES, GRIDS = 20, 300, 3000  # the county of bench/daily_report.py's peak simulation
# The hottest place of a level takes this share of the county's requests: the largest of 300 villages (lognormal
# sizes, σ 0.45) is about 3× the mean, the largest township about 2× the mean, the busiest grid about 3×.
HOT_SHARE = {"platform": 1.0, "county": 1.0, "township": 2 / TOWNSHIPS, "village": 3 / VILLAGES, "grid": 3 / GRIDS,
             "one object (a storm)": 1.0}  # STORMS: the whole of the route's rate on the one object
DAILY_REPORT_PEAK = 254  # submits in the peak second, unless bench/results/daily_report.md says otherwise

# Assumed peak request rates (requests per second) of each write route in a 500,000-household county
# (about 1.5 million residents, 3,000 grid workers, 300 villages, 20 townships), with the reasoning.
ASSUMED: dict[tuple[str, str], tuple[float, str]] = {
    ("POST", "/reports"): (DAILY_REPORT_PEAK, "the peak second of bench/daily_report.py's morning (07:00 push)"),
    ("POST", "/auth/code"): (40, "15% of the morning's reporters sign in anew (session expired), at the push"),
    ("POST", "/auth/token"): (40, "the same people, entering the code"),
    ("POST", "/auth/refresh"): (130, "half of the morning's reporters refresh an expired access token"),
    ("POST", "/auth/signout"): (2, "rare"),
    ("POST", "/auth/switch"): (2, "staff working for several counties"),
    ("POST", "/households"): (10, "a registration drive: 3,000 grid workers, one household every 5 minutes each"),
    ("PUT", "/households/{hid}"): (10, "the same drive, correcting households"),
    ("POST", "/households/{hid}/members"): (10, "the same drive"),
    ("PUT", "/households/{hid}/members/{mid}"): (10, "the same drive"),
    ("DELETE", "/households/{hid}/members/{mid}"): (3, "the same drive"),
    ("POST", "/households/{hid}/invites"): (10, "grid workers inviting households to link their phones"),
    ("POST", "/links"): (10, "villagers redeeming those invites"),
    ("POST", "/imports"): (0.5, "county and township offices importing spreadsheets"),
    ("POST", "/imports/uploads"): (0.5, "the same"),
    ("POST", "/places"): (1, "setting up the place tree"),
    ("POST", "/staff"): (2, "appointing grid workers and officials"),
    ("DELETE", "/staff/{uid}"): (1, "removing them"),
    ("POST", "/counties"): (0.01, "platform operators"),
    ("POST", "/counties/{code}/disable"): (0.01, "platform operators"),
    ("POST", "/counties/{code}/enable"): (0.01, "platform operators"),
    ("PUT", "/counties/{code}/modules"): (0.01, "platform operators"),
    ("PUT", "/reports/settings"): (0.01, "the county office"),
    ("POST", "/reports/reminders"): (50, "at the cutoff 3,000 grid workers remind the 13% unreported (65,000 "
                                         "households) within ~20 minutes"),
    ("POST", "/alerts/{aid}/ack"): (5, "~6,000 yellow/red codes a morning handled within the hour, peak ×2.5"),
    ("POST", "/alerts/{aid}/close"): (5, "the same"),
    ("POST", "/alerts/subscriptions"): (0.01, "the command centre's integrations"),
    ("POST", "/party-links"): (5, "party members taking households in charge"),
    ("DELETE", "/party-links/{hid}"): (1, "rare"),
    ("POST", "/passes"): (50, "lockdown: a pass per household over a 3-hour peak"),
    ("POST", "/passes/{pid}/revoke"): (2, "rare"),
    ("POST", "/passes/scan"): (100, "300 villages' checkpoints, each scanning a pass every 3 s at the evening return"),
    ("POST", "/tipoffs"): (5, "an incident day: ~18,000 tip-offs, the busiest hour at 5/s"),
    ("PUT", "/tipoffs/{tid}"): (2, "village offices handling them"),
    ("POST", "/inbox/{message}/read"): (20, "staff reading their messages at the start of the day"),
    # The case workflow (every case type files through it and shares its county-wide logs and counters).
    ("POST", "/snaps"): (3, "a village clean-up campaign: ~10,000 随手拍 in a day, the busiest hour at 3/s"),
    ("POST", "/cases/uploads"): (10, "the same campaign: ~3 photos per 随手拍"),
    ("POST", "/letters"): (0.5, "村民信箱: a few thousand letters on a busy day"),
    ("POST", "/cases/{ref}/actions"): (10, "grid workers and offices accepting, answering and resolving cases"),
    ("PUT", "/cases/types/{type}/categories"): (0.01, "the county office"),
    ("PUT", "/me/settings"): (1, "people switching SMS updates on"),
    ("PUT", "/workdays/{year}/{date}"): (0.01, "the county office, once a year"),
    ("POST", "/open311/v2/requests.json"): (0.5, "a civic-tech client filing for its users"),
    ("POST", "/open311/v2/requests.xml"): (0.1, "the same, in XML"),
    ("POST", "/open311/keys"): (0.01, "the county office"),
    ("DELETE", "/open311/keys/{kid}"): (0.01, "the county office"),
    # 党员先锋: a deed gone viral is the storm; its count is 4 shards (`{t}#VGC#{did}#S{n}`: a quarter of the rate
    # each), the likes are one item per person, and the author's points come from the stream (capped at 30 a month).
    ("PUT", "/vanguard/deeds/{did}/like"): (200, "a deed shared county-wide: 200 likes a second on it"),
    ("DELETE", "/vanguard/deeds/{did}/like"): (5, "second thoughts"),
    ("POST", "/vanguard/deeds/{did}/comments"): (5, "the same deed's comments"),
    ("POST", "/vanguard/deeds/{did}/comments/{cid}/decision"): (1, "village offices moderating"),
    ("POST", "/vanguard/uploads"): (1, "party members posting deeds (~3 photos each)"),
    ("POST", "/vanguard/deeds"): (0.3, "~10,000 party members, a deed a week each, the busiest hour ×5"),
    ("POST", "/vanguard/deeds/{did}/decision"): (0.3, "the village offices approving them"),
    ("PUT", "/vanguard/rules"): (0.01, "the organisation department"),
    ("POST", "/vanguard/points/awards"): (2, "a study course closing: its completions awarded at once (issue 16)"),
    ("POST", "/vanguard/points/corrections"): (0.1, "the organisation department"),
    # 智慧招聘 (issue 16): a county's few hundred employers; a popular job's applicants in its first hour
    ("POST", "/recruitment/employers"): (0.1, "employers applying for accounts"),
    ("POST", "/recruitment/employers/{eid}/decision"): (0.1, "the county verifying them"),
    ("POST", "/recruitment/jobs"): (0.5, "employers posting jobs, a job fair's morning"),
    ("PUT", "/recruitment/jobs/{jid}"): (0.2, "editing them"),
    ("POST", "/recruitment/jobs/{jid}/close"): (0.1, "closing them"),
    ("POST", "/recruitment/jobs/{jid}/applications"): (20, "a popular job's seekers applying at once (one job)"),
    ("PUT", "/recruitment/profile"): (5, "seekers keeping their profiles"),
    ("POST", "/recruitment/applications/{aid}/interview"): (2, "an employer inviting a batch"),
    ("POST", "/recruitment/applications/{aid}/offer"): (2, "an employer sending offers"),
    ("POST", "/recruitment/applications/{aid}/reject"): (2, "an employer turning a batch down"),
    ("POST", "/recruitment/applications/{aid}/accept"): (10, "offered seekers accepting one job's openings at once"),
    ("POST", "/recruitment/applications/{aid}/decline"): (2, "declining"),
    ("PUT", "/recruitment/alerts"): (2, "seekers subscribing"),
    ("DELETE", "/recruitment/alerts"): (0.5, "unsubscribing"),
    ("POST", "/recruitment/profile/video/uploads"): (2, "video résumés started"),
    ("POST", "/recruitment/profile/video/uploads/{upload_id}/complete"): (2, "and finished"),
    ("DELETE", "/recruitment/profile/video/uploads/{upload_id}"): (0.5, "abandoned"),
    ("DELETE", "/recruitment/profile/video"): (0.2, "deleted"),
    ("POST", "/interviews/{room_id}/admit"): (1, "on-site interviews admitted"),
    ("POST", "/interviews/{room_id}/signals"): (10, "a call's handshake: ~10 signals a second in one room"),
    # 紧急招募令 (issue 16): the proof's 200 people tapping 报名 on one call at once
    ("PUT", "/volunteers/me"): (5, "villagers opting in after a call"),
    ("DELETE", "/volunteers/me"): (0.5, "opting out"),
    ("POST", "/volunteers/calls"): (0.1, "offices posting calls"),
    ("PUT", "/volunteers/calls/{cid}"): (0.1, "editing them"),
    ("POST", "/volunteers/calls/{cid}/cancel"): (0.05, "cancelling them"),
    ("POST", "/volunteers/calls/{cid}/signups"): (200, "200 villagers tapping 报名 on one call at once"),
    ("DELETE", "/volunteers/calls/{cid}/signups/mine"): (5, "cancellations (each promotes the first waiting)"),
    ("POST", "/volunteers/calls/{cid}/checkins"): (2, "an organiser scanning arrivals"),
    ("POST", "/volunteers/calls/{cid}/checkouts"): (2, "and departures"),
    ("POST", "/volunteers/calls/{cid}/hours"): (1, "hours recorded by hand"),
    # 专题授课 (issue 17): an evening's party study — 2,000 members playing one course, a heartbeat each 40 s; the
    # first views and completions ADD to the course's 4 stat shards per place (the county's: 50 ÷ 4 a second at most)
    ("PUT", "/lectures/videos/{vid}/progress"): (50, "2,000 viewers' heartbeats (one per 40 s)"),
    ("POST", "/lectures/courses"): (0.01, "offices making courses"),
    ("PUT", "/lectures/courses/{cid}"): (0.05, "editing and publishing them"),
    ("POST", "/lectures/courses/{cid}/videos/uploads"): (0.05, "uploads started"),
    ("POST", "/lectures/courses/{cid}/videos/uploads/{upload_id}/complete"): (0.05, "and completed"),
    ("DELETE", "/lectures/courses/{cid}/videos/uploads/{upload_id}"): (0.01, "abandoned"),
    ("POST", "/lectures/videos/{vid}/comments"): (1, "viewers commenting"),
    ("POST", "/lectures/comments/{cmid}/decision"): (0.2, "moderation"),
    # 县级后台 (issue 17): reports are asked for a few times a quarter (the job's writes are off the request path)
    ("POST", "/backoffice/reports"): (0.01, "the county's organisation department asking for its quarterly report"),
    # 问题分析 / 数据权利 (issue 17): exports and settings are rare office actions (the export's Scan is a job's)
    ("POST", "/insights/export"): (0.05, "offices exporting an analysis table (one S3 object, no DynamoDB write)"),
    ("PUT", "/places/{code}/location"): (0.05, "offices putting villages on the map"),
    ("POST", "/datarights/exports"): (0.001, "a county asking for its whole data (3 a day at most)"),
    ("PUT", "/datarights/retention"): (0.001, "a county changing its retention periods"),
}
DEFAULT_RATE = 1.0  # a write route not in ASSUMED (flagged in the results)
# Storms on one object: routes whose assumed peak falls on a single object (one call, one deed, one job), not spread
# over many. Their writes on the object's own key shapes go to ONE key at the route's whole rate (÷ its shards),
# however "per object" the shape looks; their other per-object writes (a sign-up's idempotency record, a like's own
# item) do spread.
STORMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/volunteers/calls/{cid}/signups"): ("{tenant}#VCALL#{id}",),
    ("PUT", "/vanguard/deeds/{did}/like"): ("{tenant}#VGC#{id}#S{n}",),
    ("POST", "/recruitment/jobs/{jid}/applications"): ("{tenant}#JOB#{id}", "{tenant}#EMPJOBS#{id}"),
    ("POST", "/recruitment/applications/{aid}/accept"): ("{tenant}#JOB#{id}", "{tenant}#EMPJOBS#{id}"),
}
ALERT_SHARE = 0.012  # reports with a yellow or red code (bench/daily_report.py: YELLOW + RED)


def b_alert_report(c):
    """A report with a red code (an alert): the builders' report is all green."""
    from tests.security.test_isolation import _report_body

    return "/reports", _report_body(c, c.household(members=2), "red")


# More requests of a route than its builder's: (label, builder, owner, share of the route's rate).
VARIANTS = {("POST", "/reports"): [("red code: an alert", b_alert_report, "grid_worker", ALERT_SHARE)]}


# --- key shapes -------------------------------------------------------------------------------------------------

_PLACE = [(re.compile(r"^\d{12}G\d+$"), "{grid}"), (re.compile(r"^\d{12}$"), "{village}"),
          (re.compile(r"^\d{9}$"), "{township}")]
_LEVELS = ("{grid}", "{village}", "{township}")


_VOCABULARY: set[str] = set()


def vocabulary() -> set[str]:
    """The words keys are made of: every short string literal of the application's code (key types such as
    DRC or HHV, statuses, rate-limit buckets, route names of idempotency records). A segment that is none of
    them, nor a code, date, shard or number, is an identifier."""
    if not _VOCABULARY:
        for f in (ROOT / "chalicelib").rglob("*.py"):
            _VOCABULARY.update(re.findall(r"[\"']([A-Za-z][A-Za-z_\-]{0,39})[\"']", f.read_text(encoding="utf-8")))
    return _VOCABULARY


def shape(pk: str) -> str:
    """The key with its variable parts named: county codes, dates, places, shards, ids."""
    out = []
    for i, seg in enumerate(pk.split("#")):
        if re.fullmatch(r"\d{6}", seg):
            out.append("{tenant}" if i == 0 else "{county}")
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", seg):
            out.append("{date}")
        elif re.fullmatch(r"\d{4}-W\d{2}", seg):
            out.append("{week}")
        elif re.fullmatch(r"\d{4}-(\d{2}|Q[1-4])", seg):
            out.append("{period}")  # a month or a quarter (党建指数 boards)
        elif re.fullmatch(r"S\d+", seg):
            out.append("S{n}")
        elif any(rx.fullmatch(seg) for rx, _ in _PLACE):
            out.append(next(name for rx, name in _PLACE if rx.fullmatch(seg)))
        elif re.fullmatch(r"\d+", seg):
            out.append("{n}")
        elif seg in vocabulary():
            out.append(seg)
        else:
            out.append("{id}")
    return "#".join(out)


def spread(s: str) -> str:
    """How a shape's keys spread: per object, per client address, or shared by a place of some level."""
    if "#RATE#otp-client#" in s:
        return "per client address"  # a hash of the client's address
    if "{id}" in s:
        return "per object"
    for level in _LEVELS:
        if level in s:
            return level.strip("{}")
    return "county" if s.startswith("{tenant}") else "platform"


def shards(s: str) -> int:
    """How many items share a shape's writes (S{n}): the code's own shard counts."""
    if "S{n}" not in s:
        return 1
    from chalicelib.daily_report.models import SHARDS as REPORT_SHARDS
    from chalicelib.households.models import SHARDS as HOUSEHOLD_SHARDS
    from chalicelib.vanguard.models import SHARDS as LIKE_SHARDS

    if "#VGC#" in s:
        return LIKE_SHARDS
    return REPORT_SHARDS if "#DRC#" in s else HOUSEHOLD_SHARDS if "#COV#" in s else 1


# --- measuring --------------------------------------------------------------------------------------------------

@dataclass
class RouteWrites:
    method: str
    path: str
    requests: int = 0
    statuses: list[int] = field(default_factory=list)
    # (table, shape) -> [writes, WCU, stream writes, concrete keys seen per request]
    shapes: dict[tuple[str, str], list] = field(default_factory=dict)

    def add(self, sent) -> None:
        self.requests += 1
        self.statuses.append(sent.status)
        seen = collections.defaultdict(set)
        for call, stream in [(c, False) for c in sent.calls] + [(c, True) for c in sent.stream]:
            for w in call.writes:
                k = (w.table, shape(w.pk))
                e = self.shapes.setdefault(k, [0, 0.0, 0, []])
                e[0] += 1
                e[1] += w.wcu
                e[2] += stream
                seen[k].add(w.pk)
        for k, pks in seen.items():
            self.shapes[k][3].append(pks)


def measure(app, runner, hooks, table, times: int, rng) -> dict:
    from chalice.test import Client

    from tests.conftest import Api

    out = {}
    with Client(app) as c:
        world = make_world(Api(c))
        a = world.a
        seed(hooks, a.code, [], [(a.grid, 50), (a.grid2, 50)], rng)
        todo = []
        for (method, path), b in table.items():
            if method in WRITES:
                todo.append(((method, path), path, b))
                todo += [((method, f"{path} [{label}]"), path, Builder(build, owner, "bench/hot_partitions.py"))
                         for label, build, owner, _ in VARIANTS.get((method, path), [])]
        for key, path, b in todo:
            send(world, hooks, runner, key[0], path, b)  # warm-up
            rw = RouteWrites(*key)
            for _ in range(times):
                rw.add(send(world, hooks, runner, key[0], path, b))
            out[key] = rw
    return out


# --- the model --------------------------------------------------------------------------------------------------

def daily_report_peak() -> tuple[float, str]:
    md = ROOT / "bench" / "results" / "daily_report.md"
    if md.exists():
        m = re.search(r"Peak: \*\*([\d,]+) submits in one second\*\*", md.read_text(encoding="utf-8"))
        if m:
            return float(m.group(1).replace(",", "")), "bench/results/daily_report.md"
    return DAILY_REPORT_PEAK, "bench/daily_report.py's last published peak"


def daily_report_hottest() -> str | None:
    """bench/daily_report.py's time-resolved result for its hottest key, to set beside this model's mean rate."""
    md = ROOT / "bench" / "results" / "daily_report.md"
    if md.exists():
        m = re.search(r"\*\*Hottest partition key: `([^`]+)` \(([^)]+)\), (\d+) writes in its busiest second, "
                      r"([\d.]+)/s over its busiest minute", md.read_text(encoding="utf-8"))
        if m:
            return (f"`{m.group(1)}` ({m.group(2)}): {m.group(3)} writes in its busiest second, {m.group(4)}/s "
                    "over its busiest minute")
    return None


def model(measured: dict[tuple[str, str], RouteWrites]) -> dict:
    peak, source = daily_report_peak()

    def rate_of(route: tuple[str, str]) -> tuple[float, str]:
        if route == ("POST", "/reports"):
            return peak, f"the peak second of the daily report's morning ({source})"
        rate, why = ASSUMED.get(route, (DEFAULT_RATE, None))
        return rate, why or "**no assumption for this route: default**"

    rates = {}
    for route in measured:
        base = (route[0], route[1].split(" [")[0])
        variant = next((v for v in VARIANTS.get(base, []) if route[1].endswith(f"[{v[0]}]")), None)
        if variant:
            rate = rate_of(base)[0]
            rates[route] = (rate * variant[3], f"{variant[3]:.1%} of `{base[0]} {base[1]}` ({_r(rate)}/s)")
        else:
            rates[route] = rate_of(route)
    shapes: dict[tuple[str, str], dict] = {}
    for route, rw in measured.items():
        rate = rates[route][0]
        for (tbl, s), (writes, wcu, stream, seen) in rw.shapes.items():
            storm = s in STORMS.get(route, ())
            e = shapes.setdefault((tbl, s, storm), {
                "table": tbl, "shape": s, "spread": "one object (a storm)" if storm else spread(s),
                "shards": shards(s), "routes": [], "writes_s": 0.0, "wcu_s": 0.0, "repeated": False})
            per_req_w, per_req_wcu = writes / rw.requests, wcu / rw.requests
            share = HOT_SHARE.get(e["spread"], 0.0) / e["shards"]
            e["writes_s"] += rate * per_req_w * share
            e["wcu_s"] += rate * per_req_wcu * share
            # the same concrete key written by two of the requests (different objects, the same place)
            repeated = len(seen) > 1 and bool(set.intersection(*seen))
            e["repeated"] |= repeated
            e["routes"].append({"route": route, "rate": rate, "writes": per_req_w, "wcu": per_req_wcu,
                                "stream": stream > 0, "share": share})
    rows = sorted(shapes.values(), key=lambda e: (-e["wcu_s"], e["shape"]))
    for e in rows:
        e["routes"].sort(key=lambda r: -r["rate"] * r["wcu"])
        e["verdict"] = ("spreads" if e["spread"] in ("per object", "per client address")
                        else "OVER 1,000 WCU/s" if e["wcu_s"] > LIMIT_WCU
                        else f"over {TARGET}/s target" if e["writes_s"] > TARGET else "ok")
    return {"rates": rates, "rows": rows}


# --- results ----------------------------------------------------------------------------------------------------

def _r(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.2g}"


def render(measured, m, args, seconds: float) -> str:
    rows = m["rows"]
    shared = [e for e in rows if e["verdict"] != "spreads"]
    over = [e for e in shared if e["verdict"].startswith("OVER")]
    target = [e for e in shared if e["verdict"].startswith("over")]
    lines = ["# Hot partitions: peak writes per partition key, every write route", "",
             f"`.venv/bin/python bench/hot_partitions.py` reproduces this; it took {seconds:.0f} s. "
             f"{len(measured)} write routes of the app's route table, each sent {args.times} times (after a "
             "warm-up) by its owner role through the isolation matrix's builders; every partition each request "
             "wrote (and the stream handlers after it) was recorded and its key abstracted into a shape. Then "
             f"each route's assumed peak rate in a **{HOUSEHOLDS:,}-household county** ({TOWNSHIPS} townships, "
             f"{VILLAGES} villages, {GRIDS:,} grids) is applied.", ""]
    if over:
        lines += ["**Over DynamoDB's 1,000 WCU/s per partition:** " + ", ".join(
            f"`{e['shape']}` ({e['table']}, {_r(e['wcu_s'])} WCU/s)" for e in over) + ".", ""]
    else:
        lines += [f"**No shared key shape reaches DynamoDB's {LIMIT_WCU:,} WCU/s per partition.**", ""]
    if target:
        lines += [f"**Over the {TARGET} writes/s target:** " + ", ".join(
            f"`{e['shape']}` ({_r(e['writes_s'])} writes/s)" for e in target) + ".", ""]
    elif shared:
        h = shared[0]
        lines += [f"Hottest shared shape: `{h['shape']}` ({h['table']}): {_r(h['writes_s'])} writes/s, "
                  f"{_r(h['wcu_s'])} WCU/s on its hottest key — under the {TARGET} writes/s target.", ""]
    lines += ["## Shared key shapes (the hottest key of each)", "",
              "Peak writes and write units per second on the hottest key of the shape: Σ over routes of rate × "
              "writes (WCU) per request on that shape × the hottest key's share (county 1; township "
              f"{HOT_SHARE['township']:.2g}; village {HOT_SHARE['village']:.2g}; grid {HOT_SHARE['grid']:.2g}; "
              "÷ shards). *Repeated*: the same concrete key was written by two of the measured requests (on "
              "different objects).", "",
              "| table | key shape | shared by | shards | peak writes/s | peak WCU/s | repeated | routes (rate × "
              "writes per request; † = by the stream handler) | verdict |",
              "|---|---|---|---:|---:|---:|:---:|---|---|"]
    for e in shared:
        routes = "; ".join(f"{r['route'][0]} {r['route'][1]} ({_r(r['rate'])}/s × {r['writes']:.2g}"
                           f"{'†' if r['stream'] else ''})" for r in e["routes"])
        mark = e["verdict"] if e["verdict"] == "ok" else f"**{e['verdict']}**"
        lines.append(f"| {e['table']} | `{e['shape']}` | {e['spread']} | {e['shards']} | {_r(e['writes_s'])} | "
                     f"{_r(e['wcu_s'])} | {'yes' if e['repeated'] else ''} | {routes} | {mark} |")
    lines += ["", "![peak WCU/s on the hottest key of each shared shape](hot_partitions.png)", "",
              "## Key shapes that spread (a key per object)", "",
              "| table | key shape | spreads | routes |", "|---|---|---|---|"]
    for e in rows:
        if e["verdict"] == "spreads":
            lines.append(f"| {e['table']} | `{e['shape']}` | {e['spread']} | "
                         + ", ".join(sorted({f"{r['route'][0]} {r['route'][1]}" for r in e["routes"]})) + " |")
    lines += ["", f"## Assumed peak request rates ({HOUSEHOLDS:,}-household county)", "",
              "| method | path | peak requests/s | why | partitions written per request |",
              "|---|---|---:|---|---:|"]
    for route, rw in sorted(measured.items(), key=lambda kv: -m["rates"][kv[0]][0]):
        rate, why = m["rates"][route]
        n = sum(e[0] for e in rw.shapes.values()) / max(rw.requests, 1)
        lines.append(f"| {route[0]} | `{route[1]}` | {_r(rate)} | {why} | {n:.2g} |")
    failed = [f"{r[0]} {r[1]}: {rw.statuses}" for r, rw in measured.items()
              if any(not 200 <= s < 300 for s in rw.statuses)]
    if failed:
        lines += ["", "**Requests that failed:** " + "; ".join(failed)]
    lines += ["", "## Method", "",
              "**Capture.** `bench/_common.py` `Hooks` (botocore `before-call` / `after-call` handlers on every "
              "DynamoDB client) reads each PutItem, UpdateItem, DeleteItem, TransactWriteItems and BatchWriteItem: "
              "the table, the partition key's value of each item, and each index's partition of the item before and "
              "after the write (an item in the index is written there too; an index partition has the same "
              "1,000 WCU/s limit and throttles the table's writes). Write units per item: 1 per KB of the larger "
              "of the item before and after, ×2 in a transaction; 1 per KB on the index. The stream handlers run "
              "after each request (devstack's EventRunner) and their writes count for that request: one handler "
              "transaction per request, an upper bound — the daily report's handler sums up to 20 reports per "
              "transaction (bench/daily_report.py).", "",
              "**Shapes.** Segments of a key are named: a 6-digit county code (`{tenant}` first, `{county}` as a "
              "place), dates `{date}`, ISO weeks `{week}`, place codes `{township}` / `{village}` / `{grid}` by "
              "their length, shards `S{n}`, numbers `{n}`; a segment that is none of these nor a word of the "
              "code's string literals (DRC, HHV, open...) is an id or blind index, `{id}`. A shape with `{id}` "
              "has a key per object (a household, a person, an alert, a pass...) and spreads with the objects; "
              "the sign-in code's rate-limit key (`RATE#otp-client`) has one per client address. The others are "
              "shared by everyone of a place: the county (only `{tenant}`, `{date}`, `{week}` vary), a township, "
              "a village or a grid, the hottest of which takes the share above; sharded shapes divide that by the "
              "code's shard count (`SHARDS` of chalicelib/daily_report/models.py and "
              "chalicelib/households/models.py).", "",
              "**Rates.** The daily report's rate is the peak second of bench/daily_report.py's morning "
              "simulation; the others are assumptions (table above), for the same county. Summing over routes "
              "assumes their peaks coincide (an upper bound). bench/daily_report.py's time-resolved simulation "
              "of the report's own keys is the finer model for that path"
              + (f"; its hottest key there: {daily_report_hottest()} (bursts of single seconds above the mean "
                 "rate this model uses)." if daily_report_hottest() else "."), "",
              f"Seed {args.seed}."]
    return "\n".join(lines) + "\n"


def chart(m: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [e for e in m["rows"] if e["verdict"] != "spreads" and e["wcu_s"] > 0]
    fig, ax = plt.subplots(figsize=(11, max(4, 0.3 * len(rows) + 1.5)))
    labels = [f"{e['shape']}  ({e['table']})" for e in rows]
    colours = ["#d62728" if e["verdict"].startswith("OVER") else "#ff7f0e" if e["verdict"] != "ok" else "#1f77b4"
               for e in rows]
    ax.set_axisbelow(True)
    ax.barh(range(len(rows)), [e["wcu_s"] for e in rows], color=colours, label="peak WCU/s")
    ax.plot([e["writes_s"] for e in rows], range(len(rows)), "k|", markersize=10, label="peak writes/s")
    ax.set_xscale("log")
    ax.axvline(LIMIT_WCU, color="#d62728", linestyle="--", label=f"DynamoDB limit: {LIMIT_WCU:,} WCU/s per partition")
    ax.axvline(TARGET, color="#ff7f0e", linestyle=":", label=f"target: {TARGET} writes/s")
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("peak WCU (bars) and writes (ticks) per second on the hottest key of the shape (log scale)")
    ax.set_title(f"Shared partition keys at the peak of a {HOUSEHOLDS:,}-household county")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", color="#eee", which="both")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    import random

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--times", type=int, default=3, help="measured requests per write route")
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
        lift_tipoff_limit()
        measured = measure(app, runner, hooks, table, args.times, random.Random(args.seed))
        log(f"[{time.perf_counter() - t0:5.0f}s] {len(measured)} write routes measured")
    finally:
        stop_stack(conftest)
        quiet.__exit__(None, None, None)
    m = model(measured)
    text = render(measured, m, args, time.perf_counter() - t0)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "hot_partitions.md").write_text(text, encoding="utf-8")
    chart(m, RESULTS / "hot_partitions.png")
    print(text)
    over = [e["shape"] for e in m["rows"] if e["verdict"].startswith("OVER")]
    failed = [f"{r[0]} {r[1]}" for r, rw in measured.items() if any(not 200 <= s < 300 for s in rw.statuses)]
    if over or failed:
        print(f"FAILED: over {LIMIT_WCU} WCU/s: {over}; failed requests: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
