"""季度党建报表: the quarterly party-building report a county's organisation department submits, made by the job
`quarterly_report` (core.jobs.submit from POST /backoffice/reports) as an Excel workbook and the same numbers as
JSON (the console's printable page), both in the media bucket under `{tenant}/reports/quarterly/` (SSE-KMS: the
bucket's default encryption with the data key, as every object of it).

Layout: a summary sheet first (汇总: one row per township — households, daily reporting, cases, party activity —
and a 合计 row), then one sheet per township (one row per village: households, party members with points, deeds,
study, volunteer service, points, 党建指数, and a 合计 row); each sheet has a merged title row, 制表单位 and 统计期间,
制表时间 (Asia/Shanghai) and the units, bold bordered headers and fitted column widths.

The job is idempotent: a report already done is left alone (a duplicate delivery does nothing); one that failed or
was interrupted is made again from the start (the objects' keys are the report's own, so a rerun overwrites them).
Reads: the quality numbers of the quarter (service.numbers: a few calls), then per township one Query of its
villages, one BatchGet of their coverage counters and one of their quarter boards.
"""

from __future__ import annotations

import datetime as dt
import io
import json

from ..core import clock, counties, jobs
from ..core.observability import logger
from .models import QuarterlyReport
from .service import Period, numbers

JOB = "quarterly_report"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

SUMMARY_HEADERS = [("序号", None), ("乡镇（街道）", None), ("登记户数", "户"), ("关联户数", "户"), ("关联覆盖率", "%"),
                   ("日报应报", "户次"), ("日报已报", "户次"), ("日报完成率", "%"), ("按时上报率", "%"),
                   ("群众诉求受理", "件"), ("已办结", "件"), ("时限内办结率", "%"), ("有积分党员", "人"),
                   ("实事获批", "件"), ("学习完成", "次"), ("志愿服务", "次"), ("党员积分", "分"), ("党建指数", "分")]
TOWNSHIP_HEADERS = [("序号", None), ("村（社区）", None), ("登记户数", "户"), ("关联户数", "户"), ("关联覆盖率", "%"),
                    ("有积分党员", "人"), ("实事获批", "件"), ("学习完成", "次"), ("志愿服务", "次"),
                    ("党员积分", "分"), ("党建指数", "分")]


def made_by(county_name: str) -> str:
    return f"中共{county_name}委组织部"


def _ratio(n: int, d: int) -> float:
    return round(n / d, 4) if d else 0.0


def _index(points: int, members: int) -> float:
    return round(points / members, 1) if members else 0.0


def _summary_line(seq, name: str, x: dict) -> list:
    cases = x["cases"].values()
    filed, resolved = sum(c["filed"] for c in cases), sum(c["resolved"] for c in cases)
    in_sla = sum(c["resolution_in_sla"] for c in cases)
    p, src = x["party"], x["party"]["sources"]
    return [seq, name, x["households"], x["linked"], _ratio(x["linked"], x["households"]), x["expected"],
            x["reported"], _ratio(x["reported"], x["expected"]), _ratio(x["on_time"], x["expected"]), filed, resolved,
            _ratio(in_sla, resolved), p["members"], src.get("deed", 0), src.get("study", 0), src.get("volunteer", 0),
            p["points"], _index(p["points"], p["members"])]


def _village_line(seq, name: str, households: int, linked: int, party: dict) -> list:
    src = party["sources"]
    return [seq, name, households, linked, _ratio(linked, households), party["members"],
            src.get("deed", 0), src.get("study", 0), src.get("volunteer", 0), party["points"],
            _index(party["points"], party["members"])]


def build(tenant: str, quarter: str, progress=lambda pct: None) -> tuple[dict, bytes]:
    """The report's numbers (the printable JSON) and its workbook. `progress(pct)` is told as sheets are done."""
    from ..households import service as households
    from ..places import service as places
    from ..vanguard import points

    period = Period(quarter)
    county = counties.get(tenant)
    county_name = county.name if county else tenant
    made_at = clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    townships = places.township_places(tenant)
    got = numbers(tenant, period, townships)
    raw_rows = got["raw"]
    summary = {"name": "汇总", "title": f"{county_name}{period.zh()}党建工作统计表（汇总）",
               "headers": [h for h, _ in SUMMARY_HEADERS], "units": [u for _, u in SUMMARY_HEADERS],
               "rows": [_summary_line(i + 1, x["name"], x) for i, x in enumerate(raw_rows)],
               "total": _summary_line(None, "合计", got["total"])}
    progress(10)
    sheets = [summary]
    for i, t in enumerate(townships):
        villages = places.villages(tenant, t.code)
        codes = [v.code for v in villages]
        cover = households.coverage_counts(tenant, codes) if codes else {}
        party = points.totals(tenant, period.text, codes) if codes else {}
        rows, sums = [], {"households": 0, "linked": 0, "points": 0, "members": 0, "sources": {}}
        for n, v in enumerate(villages):
            hh, linked = cover.get(v.code, (0, 0))
            pa = party.get(v.code, {"points": 0, "members": 0, "sources": {}})
            pa = {**pa, "sources": {k: s["entries"] for k, s in pa["sources"].items()}}
            rows.append(_village_line(n + 1, v.name, hh, linked, pa))
            sums["households"] += hh
            sums["linked"] += linked
            sums["points"] += pa["points"]
            sums["members"] += pa["members"]
            for k, c in pa["sources"].items():
                sums["sources"][k] = sums["sources"].get(k, 0) + c
        sheets.append({"name": t.name, "title": f"{t.name}{period.zh()}党建工作统计表",
                       "headers": [h for h, _ in TOWNSHIP_HEADERS], "units": [u for _, u in TOWNSHIP_HEADERS],
                       "rows": rows, "total": _village_line(None, "合计", sums["households"], sums["linked"], sums)})
        progress(10 + int(80 * (i + 1) / max(1, len(townships))))
    data = {"quarter": quarter, "title": summary["title"], "made_by": made_by(county_name), "made_at": made_at,
            "period_text": period.span_zh(), "sheets": sheets}
    return data, workbook(data)


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:28] or "乡镇"
    out, n = clean, 2
    while out in used:
        out, n = f"{clean}{n}", n + 1
    used.add(out)
    return out


def workbook(data: dict) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for sheet in data["sheets"]:
        ws = wb.create_sheet(_sheet_name(sheet["name"], used))
        width = len(sheet["headers"])
        last = get_column_letter(width)
        half = get_column_letter(max(1, width // 2))
        after = get_column_letter(max(1, width // 2) + 1)
        ws.merge_cells(f"A1:{last}1")
        ws["A1"] = sheet["title"]
        ws["A1"].font = Font(bold=True, size=16)
        ws["A1"].alignment = centre
        ws.row_dimensions[1].height = 32
        ws.merge_cells(f"A2:{half}2")
        ws.merge_cells(f"{after}2:{last}2")
        ws["A2"] = f"制表单位：{data['made_by']}"
        ws[f"{after}2"] = f"统计期间：{data['period_text']}"
        ws.merge_cells(f"A3:{half}3")
        ws.merge_cells(f"{after}3:{last}3")
        ws["A3"] = f"制表时间：{data['made_at']}"
        ws[f"{after}3"] = "单位：户、户次、件、次、人、分"
        ws[f"{after}2"].alignment = ws[f"{after}3"].alignment = Alignment(horizontal="right")
        headers = [h if u in (None, "%") else f"{h}（{u}）" for h, u in zip(sheet["headers"], sheet["units"],
                                                                          strict=True)]
        ws.append(headers)
        for c in ws[4]:
            c.font, c.border, c.alignment = Font(bold=True), box, centre
            c.fill = PatternFill("solid", fgColor="DDEBF7")
        for row in [*sheet["rows"], sheet["total"]]:
            ws.append(row)
            for col, c in enumerate(ws[ws.max_row]):
                c.border = box
                c.alignment = Alignment(horizontal="left" if col == 1 else "center", vertical="center")
                if sheet["units"][col] == "%":
                    c.number_format = "0.0%"
        for c in ws[ws.max_row]:
            c.font = Font(bold=True)
        ws.freeze_panes = "C5"
        for i, header in enumerate(headers, start=1):
            longest = max([len(str(header))] + [len(str(r[i - 1] or "")) for r in sheet["rows"]])
            ws.column_dimensions[get_column_letter(i)].width = 6 if i == 1 else max(10, min(28, 2 + longest * 2))
        ws.print_title_rows = "4:4"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def keys(tenant: str, report: QuarterlyReport) -> tuple[str, str]:
    base = f"{tenant}/reports/quarterly/{report.quarter}/{report.rid}"
    return f"{base}.xlsx", f"{base}.json"


@jobs.job(JOB, module=None)
def run(county: str, rid: str | None, at: dt.datetime) -> str:
    """The job: make report `rid` of the county (the unit of jobs.submit)."""
    from ..core.aws import client
    from ..core.config import settings

    try:
        report = QuarterlyReport.get(*QuarterlyReport.keys(county, rid or ""), consistent_read=True)
    except QuarterlyReport.DoesNotExist:
        logger.warning("quarterly report gone", extra={"county": county, "report": rid})
        return "missing"
    if report.status == "done":
        return "already done"  # a duplicate delivery
    report.update(actions=[QuarterlyReport.status.set("running"), QuarterlyReport.progress.set(0),
                           QuarterlyReport.started_at.set(clock.iso()), QuarterlyReport.attempts.add(1),
                           QuarterlyReport.message.remove()])
    last = {"pct": 0}

    def progress(pct: int) -> None:
        if pct - last["pct"] >= 5 or pct >= 90:
            report.update(actions=[QuarterlyReport.progress.set(pct)])
            last["pct"] = pct

    try:
        data, xlsx = build(county, report.quarter, progress)
        xkey, jkey = keys(county, report)
        s3, bucket = client("s3"), settings().media_bucket
        s3.put_object(Bucket=bucket, Key=xkey, Body=xlsx, ContentType=XLSX)
        s3.put_object(Bucket=bucket, Key=jkey, Body=json.dumps(data, ensure_ascii=False).encode(),
                      ContentType="application/json; charset=utf-8")
    except Exception:
        report.update(actions=[QuarterlyReport.status.set("failed"),
                               QuarterlyReport.message.set("报表生成失败，系统将自动重试；多次失败请联系平台运营")])
        raise  # the queue delivers it again (then its DLQ)
    report.update(actions=[QuarterlyReport.status.set("done"), QuarterlyReport.progress.set(100),
                           QuarterlyReport.s3_key.set(xkey), QuarterlyReport.data_key.set(jkey),
                           QuarterlyReport.finished_at.set(clock.iso())])
    return "done"
