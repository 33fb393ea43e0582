"""The county back office (县级后台): usage quality per township for a month or a quarter, and the quarterly
party-building reports people asked for.

The quality page reads only aggregates kept at write time, a constant number of DynamoDB calls whatever the county's
size and number of townships (docs/data-model.md, "County back office"): for a month, 1 Query of the townships,
1 Query of the roll-up items (QualityMonth: a quarter, 3), 1 BatchGet of the county's 8 coverage counter shards,
which carry every township's figures (households/service.py coverage_counts; the current period only: a past
month's are the snapshot in its roll-up item), 1 Query of the case month counters (a quarter, 3) and 1 BatchGet of
the township 党建指数 boards — 5 calls a month, 9 a quarter. (A county whose counters predate the township figures
reads the townships' own shards instead, 1 BatchGet per 12 townships, until households/township_coverage.py has
run.) The export (GET /backoffice/quality/export) is the same reads and one S3 PutObject.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from ..core import clock, counties
from ..core.errors import Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from .models import QualityMonth, QuarterlyReport

READ = "backoffice.read"
REPORT = "backoffice.report"
_PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")
STATUS_NAMES = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "生成失败"}
REPORTS_PER_DAY = 20  # a county's reports a day (each is a job reading the whole county)


# --- periods -----------------------------------------------------------------------------------------------------

class Period:
    """A month (2026-11) or a quarter (2026-Q4) in Asia/Shanghai."""

    def __init__(self, text: str):
        m = _PERIOD.match(text or "")
        if not m:
            raise ValidationFailed(details=[{"field": "period", "code": "invalid_period",
                                             "message": "请选择月份（如2026-11）或季度（如2026-Q4）"}])
        year = int(m.group(1))
        self.text = text
        if m.group(2):
            self.kind, first, n = "month", int(m.group(2)), 1
        else:
            self.kind, first, n = "quarter", (int(m.group(3)) - 1) * 3 + 1, 3
        self.months = [f"{year}-{mo:02d}" for mo in range(first, first + n)]
        self.start = dt.date(year, first, 1)
        last = first + n - 1
        self.end = (dt.date(year + last // 12, last % 12 + 1, 1)) - dt.timedelta(days=1)
        self.quarter = f"{year}-Q{(first - 1) // 3 + 1}"

    def check_not_future(self, field: str = "period") -> Period:
        if self.start > clock.today():
            raise ValidationFailed(details=[{"field": field, "code": "period_in_future",
                                             "message": "该时段尚未开始，请选择本期或以前的时段"}])
        return self

    @property
    def current(self) -> bool:
        return self.start <= clock.today() <= self.end

    def zh(self) -> str:
        y, m = self.months[0].split("-")
        if self.kind == "month":
            return f"{y}年{int(m)}月"
        return f"{y}年第{'一二三四'[int(self.quarter[-1]) - 1]}季度"

    def span_zh(self) -> str:
        return (f"{self.start.year}年{self.start.month}月{self.start.day}日至"
                f"{self.end.year}年{self.end.month}月{self.end.day}日")


def month_of_date(date: str) -> str:
    return date[:7]


# --- the roll-up items ---------------------------------------------------------------------------------------------

def quality_months(tenant: str, months: list[str]) -> dict[str, dict]:
    """The roll-up items of these months summed per township: {township: {reported, on_time, expected, days,
    households, linked (the last month's snapshot, None when never rolled up)}}. One Query a month, read raw (the
    per-day attributes are named by date)."""
    conn = QualityMonth._get_connection().connection
    table = QualityMonth.Meta.table_name
    out: dict[str, dict] = {}
    for month in months:
        pk = QualityMonth.keys(tenant, month, "")[0]
        start = None
        while True:
            kw = {"exclusive_start_key": start} if start else {}
            page = conn.query(table, pk, **kw)
            for raw in page.get("Items", []):
                township = raw["sk"]["S"]
                row = out.setdefault(township, {"reported": 0, "on_time": 0, "expected": 0, "days": 0,
                                                "households": None, "linked": None})
                for attr, v in raw.items():
                    if attr.startswith("r_"):
                        row["reported"] += int(v["N"])
                        row["days"] += 1
                    elif attr.startswith("o_"):
                        row["on_time"] += int(v["N"])
                    elif attr.startswith("x_"):
                        row["expected"] += int(v["N"])
                if "households" in raw:  # months in order: the last one's snapshot stays
                    row["households"], row["linked"] = int(raw["households"]["N"]), int(raw["linked"]["N"])
            start = page.get("LastEvaluatedKey")
            if not start:
                break
    return out


def rollup(tenant: str, dates: list[str]) -> int:
    """Copy each township's daily-report counters of these days (YYYY-MM-DD, Asia/Shanghai) into its month's item,
    with the households registered now as the day's expected count, and the coverage counters as the month's
    snapshot (for the month of the latest day). SET, never ADD: running it again writes the same values. Returns
    the items written. Reads: 1 Query of the townships, 1 BatchGet per 100 counter items (a day of 15 townships is
    120), 1 BatchGet of the county's coverage shards (coverage_counts)."""
    from ..daily_report import service as daily_report
    from ..households import service as households
    from ..places import service as places

    townships = places.townships(tenant)
    if not townships or not dates:
        return 0
    totals = daily_report.day_totals(tenant, dates, townships)
    cover = households.coverage_counts(tenant, townships)
    latest = month_of_date(max(dates))
    written = 0
    from pynamodb.expressions.operand import Path

    for township in townships:
        registered, linked = cover[township]
        by_month: dict[str, list] = {}
        for d in dates:
            t = totals[(d, township)]
            by_month.setdefault(month_of_date(d), []).extend([
                Path(f"r_{d}").set(t["reported"]), Path(f"o_{d}").set(t["on_time"]), Path(f"x_{d}").set(registered)])
        for month, actions in by_month.items():
            actions += [QualityMonth.kind.set(QualityMonth), QualityMonth.rolled_at.set(clock.iso())]
            if month == latest:
                actions += [QualityMonth.households.set(registered), QualityMonth.linked.set(linked)]
            QualityMonth(*QualityMonth.keys(tenant, month, township)).update(actions=actions)
            written += 1
    return written


# --- the quality page ----------------------------------------------------------------------------------------------

def _scope(ctx: TenantContext, tenant: str) -> list[str] | None:
    """None: the whole county; else the townships the caller sees (a township official's posts)."""
    places = {g.place for g in ctx.grants_for(READ)}
    if "*" in places or tenant in places:
        return None
    townships = sorted(p for p in places if len(p) == 9 and p.startswith(tenant))
    if not townships:
        raise Forbidden("没有权限访问该范围的数据", code="forbidden_scope")
    return townships


def _rate(n: int, d: int) -> float:
    return round(n / d, 4) if d else 0.0


def _case_out(c: dict) -> dict:
    return {"filed": c["filed"], "responded": c["responded"], "resolved": c["resolved"],
            "avg_response_h": round(c["response_s"] / c["responded"] / 3600, 1) if c["responded"] else None,
            "avg_resolution_h": round(c["resolution_s"] / c["resolved"] / 3600, 1) if c["resolved"] else None,
            "within_sla_rate": round(c["resolution_in_sla"] / c["resolved"], 4) if c["resolved"] else None,
            "response_within_sla_rate": round(c["response_in_sla"] / c["responded"], 4) if c["responded"] else None}


def _party_out(p: dict) -> dict:
    src = p["sources"]
    return {"deeds": src.get("deed", 0), "study": src.get("study", 0), "volunteer": src.get("volunteer", 0),
            "points": p["points"], "members": p["members"],
            "index": round(p["points"] / p["members"], 1) if p["members"] else 0.0}


def numbers(tenant: str, period: Period, township_places: list) -> dict:
    """The quality numbers of these townships (Place items) and their totals, for the page and the report."""
    from ..cases import service as cases
    from ..households import service as households
    from ..vanguard import points

    codes = [p.code for p in township_places]
    rolled = quality_months(tenant, period.months)
    snapshot_missing = any(rolled.get(c, {}).get("households") is None for c in codes)
    live = households.coverage_counts(tenant, codes) if codes and (period.current or snapshot_missing) else {}
    case_rows = cases.month_quality(tenant, period.months)
    type_ids = [t["id"] for t in cases.type_names()]
    party = points.totals(tenant, period.text, codes) if codes else {}
    zero_case = {"filed": 0, "responded": 0, "response_s": 0, "response_in_sla": 0, "resolved": 0,
                 "resolution_s": 0, "resolution_in_sla": 0}
    rows, raw_rows = [], []
    for p in township_places:
        r = rolled.get(p.code, {"reported": 0, "on_time": 0, "expected": 0, "days": 0, "households": None,
                                "linked": None})
        registered, linked = live.get(p.code) or (r["households"] or 0, r["linked"] or 0)
        cs = {t: dict(case_rows.get((p.code, t), zero_case)) for t in type_ids}
        pa = party.get(p.code, {"points": 0, "members": 0, "index": 0.0, "sources": {}})
        pa = {**pa, "sources": {k: v["entries"] for k, v in pa["sources"].items()}}
        raw_rows.append({"township": p.code, "name": p.name, "households": registered, "linked": linked,
                         "days": r["days"], "expected": r["expected"], "reported": r["reported"],
                         "on_time": r["on_time"], "cases": cs, "party": pa})
    total = {"households": 0, "linked": 0, "days": max((x["days"] for x in raw_rows), default=0), "expected": 0,
             "reported": 0, "on_time": 0, "cases": {t: dict(zero_case) for t in type_ids},
             "party": {"points": 0, "members": 0, "sources": {}}}
    for x in raw_rows:
        for f in ("households", "linked", "expected", "reported", "on_time"):
            total[f] += x[f]
        for t in type_ids:
            for f in zero_case:
                total["cases"][t][f] += x["cases"][t][f]
        total["party"]["points"] += x["party"]["points"]
        total["party"]["members"] += x["party"]["members"]
        for s, n in x["party"]["sources"].items():
            total["party"]["sources"][s] = total["party"]["sources"].get(s, 0) + n
    for x in raw_rows:
        rows.append(_row_out(x))
    return {"rows": rows, "raw": raw_rows, "total": total, "type_ids": type_ids}


def _row_out(x: dict) -> dict:
    return {"township": x["township"], "name": x["name"], "households": x["households"], "linked": x["linked"],
            "coverage": _rate(x["linked"], x["households"]), "days": x["days"], "expected": x["expected"],
            "reported": x["reported"], "on_time": x["on_time"], "report_rate": _rate(x["reported"], x["expected"]),
            "on_time_rate": _rate(x["on_time"], x["expected"]),
            "cases": {t: _case_out(c) for t, c in x["cases"].items()}, "party": _party_out(x["party"])}


def quality(ctx: TenantContext, period_text: str) -> dict:
    from ..cases import service as cases
    from ..places import service as places

    tenant = ctx.require_tenant()
    ctx.require(READ)
    period = Period(period_text).check_not_future()
    scope = _scope(ctx, tenant)
    townships = [p for p in places.township_places(tenant) if scope is None or p.code in scope]
    got = numbers(tenant, period, townships)
    county = counties.get(tenant)
    name = county.name if county else tenant
    if scope is not None:
        name = townships[0].name if len(townships) == 1 else "合计"
    where = tenant if scope is None else ",".join(scope)
    total = _row_out({**got["total"], "township": where, "name": name})
    return {"period": period.text, "kind": period.kind, "months": period.months, "start": period.start.isoformat(),
            "end": period.end.isoformat(), "scope": where, "case_types": cases.type_names(),
            "rows": got["rows"], "county": total}


# --- quarterly reports ---------------------------------------------------------------------------------------------

def report_out(r: QuarterlyReport, with_url: bool = False) -> dict:
    out = {"id": r.rid, "quarter": r.quarter, "status": r.status, "status_name": STATUS_NAMES.get(r.status, r.status),
           "progress": int(r.progress or 0), "message": r.message, "created_at": r.created_at,
           "created_by_name": r.created_by_name, "started_at": r.started_at, "finished_at": r.finished_at,
           "url": None, "filename": None}
    if with_url and r.status == "done" and r.s3_key:
        from ..core import files

        out["url"] = files.download_url(r.s3_key, expires=300)
        out["filename"] = filename(r.quarter)
    return out


def filename(quarter: str) -> str:
    return f"季度党建报表-{quarter}.xlsx"


def create_report(ctx: TenantContext, quarter: str) -> dict:
    """A report item (queued) and its job on the jobs queue. The route's Idempotency-Key makes a retry return the
    first answer; each new request is a new report."""
    from ..core import jobs
    from ..core.auth import service as auth

    tenant = ctx.require_tenant()
    ctx.require(REPORT, tenant)
    Period(quarter).check_not_future("quarter")
    auth.rate_limit("bo-report", tenant, REPORTS_PER_DAY, *auth.SHANGHAI_DAY)
    now = clock.now()
    rid = f"{now.astimezone(clock.SHANGHAI).strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    user = auth.get_user(tenant, ctx.user_id)
    item = QuarterlyReport(*QuarterlyReport.keys(tenant, rid), rid=rid, quarter=quarter, status="queued", progress=0,
                           created_at=clock.iso(now), created_by=ctx.user_id, created_by_name=user.name)
    item.save(condition=QuarterlyReport.pk.does_not_exist())
    try:
        jobs.submit("quarterly_report", tenant, rid, now)
    except Exception as e:  # noqa: BLE001 - the queue refused: the report says so rather than waiting forever
        item.update(actions=[QuarterlyReport.status.set("failed"),
                             QuarterlyReport.message.set("提交后台任务失败，请稍后重新生成")])
        raise ServiceUnavailable() from e
    return report_out(item)


def _report(tenant: str, rid: str) -> QuarterlyReport:
    try:
        return QuarterlyReport.get(*QuarterlyReport.keys(tenant, rid), consistent_read=True)
    except QuarterlyReport.DoesNotExist:
        raise NotFound("找不到该报表") from None


def get_report(ctx: TenantContext, rid: str) -> dict:
    tenant = ctx.require_tenant()
    ctx.require(REPORT, tenant)
    return report_out(_report(tenant, rid), with_url=True)


def list_reports(ctx: TenantContext, limit: int, cursor: str | None) -> dict:
    """The county's reports, newest first: one Query a page."""
    from ..core.db import one_page

    tenant = ctx.require_tenant()
    ctx.require(REPORT, tenant)
    pk = QuarterlyReport.partition(tenant)
    items, last = one_page(QuarterlyReport.query(pk, scan_index_forward=False, page_size=limit,
                                                 last_evaluated_key=decode_cursor(cursor, pk)), limit)
    return {"items": [report_out(r) for r in items], "next_cursor": encode_cursor(last, pk)}


def printable(ctx: TenantContext, rid: str) -> dict:
    """A done report's numbers as the console prints them (the JSON written beside the workbook: one GetObject)."""
    import json

    from ..core import files

    tenant = ctx.require_tenant()
    ctx.require(REPORT, tenant)
    r = _report(tenant, rid)
    if r.status != "done" or not r.data_key:
        from ..core.errors import Conflict

        raise Conflict("报表尚未生成完成", code="report_not_ready", details={"status": r.status})
    raw = files.read(r.data_key, 20 * 1024 * 1024)
    if raw is None:
        raise NotFound("找不到该报表")
    return {"id": r.rid, **json.loads(raw)}
