"""使用质量 as an Excel workbook (GET /backoffice/quality/export): the page's table — a row per township the caller
sees, the totals last — with the page's two header rows (住户, 每日上报, each case type, 党员 over their columns), a
title, the period and when it was made. Numbers are numbers and rates are fractions shown as percentages (0.0%);
what the page shows as — (nothing to divide) is — here too. The workbook goes to the media bucket under the county's
prefix (`{t}/exports/backoffice/`) and the answer is a link to it valid 10 minutes, as the other console exports.
"""

from __future__ import annotations

import io
import uuid
from itertools import groupby

from ..core import clock
from ..core.tenancy import TenantContext
from .service import Period, quality

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DASH = "—"
TOWNSHIP = "乡镇（街道）"


def _rate(rate, when: bool = True):
    return DASH if rate is None or not when else rate


def _hours(h):
    return DASH if h is None else h


def columns(case_types: list[dict]) -> list[tuple[str, str, bool, object]]:
    """(group, label, is a rate, value of a row) for each column after the township's name, as the page has them
    (web/console/src/backoffice/quality.js qualityColumns)."""
    cols = [
        ("住户", "登记户数", False, lambda r: r["households"]),
        ("住户", "关联户数", False, lambda r: r["linked"]),
        ("住户", "覆盖率", True, lambda r: _rate(r["coverage"], r["households"] > 0)),
        ("每日上报", "日报完成率", True, lambda r: _rate(r["report_rate"], r["expected"] > 0)),
        ("每日上报", "按时上报率", True, lambda r: _rate(r["on_time_rate"], r["expected"] > 0)),
    ]
    for ct in case_types:
        def case(r, f, _id=ct["id"]):
            return (r["cases"].get(_id) or {}).get(f)

        cols += [
            (ct["name"], "受理", False, lambda r, c=case: c(r, "filed") or 0),
            (ct["name"], "已办结", False, lambda r, c=case: c(r, "resolved") or 0),
            (ct["name"], "平均响应(小时)", False, lambda r, c=case: _hours(c(r, "avg_response_h"))),
            (ct["name"], "平均办结(小时)", False, lambda r, c=case: _hours(c(r, "avg_resolution_h"))),
            (ct["name"], "时限内办结率", True, lambda r, c=case: _rate(c(r, "within_sla_rate"))),
        ]
    cols += [
        ("党员", "实事", False, lambda r: r["party"]["deeds"]),
        ("党员", "学习", False, lambda r: r["party"]["study"]),
        ("党员", "志愿服务", False, lambda r: r["party"]["volunteer"]),
        ("党员", "积分", False, lambda r: r["party"]["points"]),
        ("党员", "党建指数", False, lambda r: r["party"]["index"]),
    ]
    return cols


def workbook(page: dict, title: str, made_at: str) -> bytes:
    """The page's answer (service.quality) as a one-sheet workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    cols = columns(page["case_types"])
    width = 1 + len(cols)
    last = get_column_letter(width)
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "使用质量"
    ws.merge_cells(f"A1:{last}1")
    ws["A1"], ws["A1"].font, ws["A1"].alignment = title, Font(bold=True, size=16), centre
    ws.row_dimensions[1].height = 30
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = f"统计期间：{page['start']} 至 {page['end']}　　制表时间：{made_at}"
    # Two header rows: the groups over their columns, then the columns; the township's name spans both.
    ws.append([TOWNSHIP] + [g for g, *_ in cols])
    ws.append([None] + [label for _, label, *_ in cols])
    ws.merge_cells("A3:A4")
    at = 2
    for _, run in groupby(cols, key=lambda c: c[0]):
        n = len(list(run))
        if n > 1:
            ws.merge_cells(f"{get_column_letter(at)}3:{get_column_letter(at + n - 1)}3")
        at += n
    for row in (3, 4):
        for c in ws[row]:
            c.font, c.border, c.alignment = Font(bold=True), box, centre
            c.fill = PatternFill("solid", fgColor="DDEBF7")
    for r in [*page["rows"], page["county"]]:
        ws.append([r["name"]] + [value(r) for *_, value in cols])
        for i, c in enumerate(ws[ws.max_row]):
            c.border = box
            c.alignment = Alignment(horizontal="left" if i == 0 else "right", vertical="center")
            if i and cols[i - 1][2] and c.value != DASH:
                c.number_format = "0.0%"
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    ws.freeze_panes = "B5"
    ws.column_dimensions["A"].width = max(14, 2 + 2 * max(len(r["name"]) for r in [*page["rows"], page["county"]]))
    for i, (_, label, *_) in enumerate(cols, start=2):
        ws.column_dimensions[get_column_letter(i)].width = max(9, min(18, 2 + len(label) * 2))
    ws.print_title_rows = "3:4"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export(ctx: TenantContext, period_text: str) -> dict:
    """The quality page of this period, as the caller sees it (service.quality: the same checks, scope and reads),
    as a workbook in the media bucket; a link valid 10 minutes and its file name."""
    from ..core import files
    from ..core.aws import client
    from ..core.config import settings

    page = quality(ctx, period_text)
    tenant = ctx.require_tenant()
    title = f"{page['county']['name']}{Period(page['period']).zh()}使用质量"
    made_at = clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    body = workbook(page, title, made_at)
    key = f"{tenant}/exports/backoffice/quality-{page['period']}-{uuid.uuid4().hex[:8]}.xlsx"
    client("s3").put_object(Bucket=settings().media_bucket, Key=key, Body=body, ContentType=XLSX)
    return {"url": files.download_url(key, expires=600), "filename": f"使用质量-{page['period']}.xlsx"}
