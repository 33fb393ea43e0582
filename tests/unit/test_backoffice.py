"""Pure logic of the county back office: periods (month / quarter, Asia/Shanghai), which step of a case counts as
its first answer and its resolution (cases/quality.py), and the workbook's layout (no IO)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from chalicelib.backoffice import report
from chalicelib.backoffice.service import Period
from chalicelib.cases import quality
from chalicelib.cases.models import Case
from chalicelib.core import clock
from chalicelib.core.errors import ValidationFailed


@pytest.fixture
def frozen():
    c = clock.FrozenClock(dt.datetime(2026, 11, 30, 17, 0, tzinfo=dt.UTC))  # 2026-12-01 01:00 in Shanghai
    clock.set_clock(c)
    yield c
    clock.set_clock(clock.Clock())


def test_months_and_quarters():
    q = Period("2026-Q4")
    assert (q.kind, q.months, q.start, q.end) == ("quarter", ["2026-10", "2026-11", "2026-12"], dt.date(2026, 10, 1),
                                                  dt.date(2026, 12, 31))
    assert q.zh() == "2026年第四季度" and q.span_zh() == "2026年10月1日至2026年12月31日"
    m = Period("2026-02")
    assert (m.kind, m.months, m.end, m.quarter, m.zh()) == ("month", ["2026-02"], dt.date(2026, 2, 28), "2026-Q1",
                                                           "2026年2月")
    for bad in ("2026-13", "2026-Q5", "2026-1", "26-11", "", "2026-00"):
        with pytest.raises(ValidationFailed):
            Period(bad)


def test_today_is_shanghai_today(frozen):
    assert Period("2026-12").check_not_future().current  # already December in Shanghai
    assert not Period("2026-11").current
    with pytest.raises(ValidationFailed) as e:
        Period("2027-01").check_not_future()
    assert e.value.details[0]["code"] == "period_in_future"


def _case(**kw) -> Case:
    base = dict(cid="XX-000001", type="letter", township="330825001", created_at="2026-11-30T15:30:00Z",
                status="filed", counted=True, sla_due_at="2026-12-01T15:30:00Z")
    return Case("p", "A", **{**base, **kw})


def test_the_first_staff_answer_and_the_first_resolution_count_once():
    case = _case()
    assert quality.step("330825", case, "assign", "staff", dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)) is None
    model, actions = quality.step("330825", case, "note", "staff", dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC))
    assert model.pk == "330825#CASEMON#2026-11" and model.sk == "330825001#letter"  # the filing's month, Shanghai
    assert case.responded_at == "2026-11-30T17:30:00Z" and len(actions) == 4  # kind + responded, seconds, in SLA
    assert quality.step("330825", case, "note", "staff", dt.datetime(2026, 11, 30, 18, tzinfo=dt.UTC)) is None
    case.status = "resolved"
    late = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)  # past the deadline set at filing
    _, actions = quality.step("330825", case, "resolve", "staff", late)
    assert case.first_resolved_at == "2026-12-02T00:00:00Z" and len(actions) == 3  # kind + resolved + seconds (no SLA)
    case.status = "closed"
    assert quality.step("330825", case, "rate", "filer", late) is None  # rated: not a second resolution
    assert quality.step("330825", _case(counted=None), "note", "staff", late) is None  # filed before the counters
    assert quality.month_of("2026-11-30T16:00:00Z") == "2026-12"


def test_the_workbook_has_a_summary_first_and_a_sheet_per_township():
    from openpyxl import load_workbook

    total = [None, "合计", 3, 1, 0.3333, 6, 2, 0.3333, 0.1667, 2, 1, 1.0, 1, 0, 1, 0, 5, 5.0]
    summary = {"name": "汇总", "title": "测试县2026年第四季度党建工作统计表（汇总）",
               "headers": [h for h, _ in report.SUMMARY_HEADERS], "units": [u for _, u in report.SUMMARY_HEADERS],
               "rows": [[1, "东华街道", *total[2:]]], "total": total}
    town = {"name": "东华/街道", "title": "东华街道…", "headers": [h for h, _ in report.TOWNSHIP_HEADERS],
            "units": [u for _, u in report.TOWNSHIP_HEADERS], "rows": [[1, "张王村", 3, 1, 0.3333, 1, 0, 1, 0, 5, 5.0]],
            "total": [None, "合计", 3, 1, 0.3333, 1, 0, 1, 0, 5, 5.0]}
    data = {"made_by": "中共测试县委组织部", "made_at": "2026-12-07 10:00",
            "period_text": "2026年10月1日至2026年12月31日", "sheets": [summary, town]}
    wb = load_workbook(io.BytesIO(report.workbook(data)))
    assert wb.sheetnames == ["汇总", "东华_街道"]  # characters Excel refuses in a sheet name replaced
    ws = wb["汇总"]
    assert ws["A1"].value == summary["title"] and "A1:R1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "制表单位：中共测试县委组织部" and ws["J2"].value.startswith("统计期间：")
    assert ws["C4"].value == "登记户数（户）" and ws["E4"].value == "关联覆盖率" and ws["C4"].font.bold
    assert [c.value for c in ws[6]][:3] == [None, "合计", 3] and ws["B6"].font.bold and ws["E6"].number_format == "0.0%"
    assert ws.column_dimensions["B"].width >= 10
