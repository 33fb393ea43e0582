"""Request and response models of the county back office (县级后台)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, Page, PageQuery, Strict

PERIOD = r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$"
QUARTER = r"^\d{4}-Q[1-4]$"


# --- quality -------------------------------------------------------------------------------------------------------

class QualityQuery(Strict):
    period: str = Field(pattern=PERIOD, description="a month (2026-11) or a quarter (2026-Q4), Asia/Shanghai; not "
                                                    "after the current one")


class CaseQuality(Out):
    filed: int = Field(description="cases filed in the period")
    responded: int = Field(description="of those, answered by staff (first answer)")
    resolved: int = Field(description="of those, resolved or closed")
    avg_response_h: float | None = Field(description="average hours from filing to the first answer")
    avg_resolution_h: float | None = Field(description="average hours from filing to the resolution")
    within_sla_rate: float | None = Field(description="resolved within the category's SLA ÷ resolved (0..1)")
    response_within_sla_rate: float | None = Field(description="answered within the SLA ÷ answered (0..1)")


class PartyQuality(Out):
    deeds: int = Field(description="实事获批: deed awards in the period (ledger entries of source deed)")
    study: int = Field(description="学习完成: study awards in the period")
    volunteer: int = Field(description="志愿服务 awards in the period")
    points: int = Field(description="party points given in the period")
    members: int = Field(description="party members with points in the period")
    index: float = Field(description="党建指数: points ÷ members with points")


class QualityRow(Out):
    township: str = Field(description="township code (the county's code on the totals row)")
    name: str
    households: int = Field(description="households registered")
    linked: int = Field(description="households with at least one linked account")
    coverage: float = Field(description="linked ÷ households (0..1)")
    days: int = Field(description="days of the period whose daily reports are rolled up (through yesterday)")
    expected: int = Field(description="household-days expected to report (households × days)")
    reported: int = Field(description="household-days reported")
    on_time: int = Field(description="household-days reported before the cut-off")
    report_rate: float = Field(description="reported ÷ expected (0..1)")
    on_time_rate: float = Field(description="on_time ÷ expected (0..1), as the daily report's completion page")
    cases: dict[str, CaseQuality] = Field(description="per case type: snap (随手拍), letter (村民信箱), tipoff (举报), "
                                                      "errand (网上代办)")
    party: PartyQuality


class CaseTypeName(Out):
    id: str
    name: str


class QualityOut(Out):
    period: str
    kind: Literal["month", "quarter"]
    months: list[str]
    start: str = Field(description="first day of the period (YYYY-MM-DD)")
    end: str = Field(description="last day of the period")
    scope: str = Field(description="the county's code, or the township the caller sees")
    case_types: list[CaseTypeName]
    rows: list[QualityRow] = Field(description="one per township the caller sees, in code order")
    county: QualityRow = Field(description="the totals of the rows")


# --- quarterly party-building report ---------------------------------------------------------------------------------

class ReportIn(Strict):
    quarter: str = Field(pattern=QUARTER, description="2026-Q4 (Asia/Shanghai); not after the current quarter")


ReportStatus = Literal["queued", "running", "done", "failed"]


class ReportOut(Out):
    id: str
    quarter: str
    status: ReportStatus
    status_name: str
    progress: int = Field(description="0..100, updated as the sheets are written")
    message: str | None = Field(description="failed: why")
    created_at: str
    created_by_name: str | None
    started_at: str | None
    finished_at: str | None
    url: str | None = Field(default=None, description="done: the workbook, a presigned link valid 5 minutes "
                                                      "(GET /backoffice/reports/{id} only)")
    filename: str | None = None


class ReportPage(Page[ReportOut]):
    pass


class ReportsQuery(PageQuery):
    pass


class SheetOut(Out):
    name: str = Field(description="the sheet's tab: 汇总, then each township's name")
    title: str
    headers: list[str]
    units: list[str | None] = Field(description="per column: 户 / 户次 / 件 / 次 / 人 / 分 / % (rates 0..1), or null")
    rows: list[list[str | int | float | None]]
    total: list[str | int | float | None]


class PrintOut(Out):
    id: str
    quarter: str
    title: str
    made_by: str = Field(description="制表单位")
    made_at: str = Field(description="制表时间, Asia/Shanghai (YYYY-MM-DD HH:MM)")
    period_text: str = Field(description="统计期间, e.g. 2026年10月1日至2026年12月31日")
    sheets: list[SheetOut]


class QualityExportOut(Out):
    url: str = Field(description="the workbook (the page's rows, the totals last), a presigned link valid 10 minutes")
    filename: str = Field(description="使用质量-{period}.xlsx")
