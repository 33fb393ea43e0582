"""网上代办's numbers (issue 14 point 5): per item, township and month — applications, decided, done within the
legal time limit, average working days to a decision, and the share delivered to the door ("trips saved") —
read from counters kept in the transactions that change an application (models.ErrandStat), never by scanning.

A month's row counts the applications filed that month and how they have fared since (a decision in the next month
still counts for the month of filing), so a month's rates settle as its applications are decided."""

from __future__ import annotations

import datetime as dt

from ..core import clock
from ..core.errors import ValidationFailed
from ..core.tenancy import TenantContext
from ..places import codes
from .models import ErrandStat

FIELDS = ("applied", "decided", "approved", "refused", "within_limit", "days_sum", "to_door", "at_point")


def month_of(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).astimezone(clock.SHANGHAI).strftime("%Y-%m")


def count(tenant: str, filed_at: str, place: str, item_id: str, item_name: str, **add: int):
    """An ADD to the month's counter of the item in the place's township, for a filing's or a step's transaction:
    (model, actions) as cases._save_own takes it."""
    township = place[:9]
    stat = ErrandStat(*ErrandStat.keys(tenant, month_of(filed_at), township, item_id))
    actions = [ErrandStat.kind.set(ErrandStat), ErrandStat.item_name.set(item_name)]
    actions += [getattr(ErrandStat, k).add(v) for k, v in add.items() if v]
    return stat, actions


def working_days(tenant: str, since_iso: str) -> int:
    """Working days from the filing to now (the county's calendar: holidays and 调休)."""
    from ..workdays import calendar
    from ..workdays import service as workdays

    start, now = dt.datetime.fromisoformat(since_iso), clock.now()
    years = range(start.astimezone(clock.SHANGHAI).year, now.astimezone(clock.SHANGHAI).year + 1)
    return calendar.workdays_between(start, now, workdays.overrides(tenant, years))


def _rates(row: dict) -> dict:
    decided = row["decided"]
    row["within_limit_rate"] = round(row["within_limit"] / decided, 3) if decided else None
    row["avg_days"] = round(row["days_sum"] / decided, 1) if decided else None
    delivered = row["to_door"] + row["at_point"]
    row["to_door_share"] = round(row["to_door"] / delivered, 3) if delivered else None
    return row


def report(ctx: TenantContext, place: str, month: str) -> dict:
    """The month's rows for the place (the county, or a township), one per item and township, with totals per item
    and overall: one Query of the month's partition (paged; a row per item and township that had applications)."""
    tenant = ctx.require_tenant()
    ctx.require("errands.read", place)
    level = codes.level_of(place)
    if level not in ("county", "township"):
        raise ValidationFailed(details=[{"field": "place", "code": "invalid_place", "message": "请选择县或乡镇"}])
    prefix = "" if level == "county" else f"{place}#"
    rows = []
    for s in ErrandStat.query(ErrandStat.keys(tenant, month, "", "")[0],
                              ErrandStat.sk.startswith(prefix) if prefix else None):
        township, _, item_id = s.sk.partition("#")
        rows.append(_rates({"township": township, "item": item_id, "item_name": s.item_name or item_id,
                            **{k: int(getattr(s, k) or 0) for k in FIELDS}}))
    from ..places import service as places

    names = places.names(tenant, {r["township"] for r in rows}) if rows else {}
    for r in rows:
        r["township_name"] = names.get(r["township"], r["township"])
    by_item: dict[str, dict] = {}
    for r in rows:
        t = by_item.setdefault(r["item"], {"township": None, "township_name": None, "item": r["item"],
                                           "item_name": r["item_name"], **{k: 0 for k in FIELDS}})
        for k in FIELDS:
            t[k] += r[k]
    total = {"township": None, "township_name": None, "item": None, "item_name": None,
             **{k: sum(r[k] for r in rows) for k in FIELDS}}
    rows.sort(key=lambda r: (r["township"], -r["applied"], r["item_name"]))
    items = sorted((_rates(t) for t in by_item.values()), key=lambda t: (-t["applied"], t["item_name"]))
    return {"month": month, "place": place, "rows": rows, "items": items, "total": _rates(total)}


HEADERS = ("乡镇", "事项", "申请数", "已办结", "准予办理", "不予办理", "法定时限内办结", "按时办结率",
           "平均用时（工作日）", "快递到家", "网点领取", "送达到家占比")


def workbook(ctx: TenantContext, place: str, month: str) -> dict:
    """The report as an Excel workbook (按乡镇和事项 + 按事项 sheets) in the media bucket under the county's prefix,
    and a link to it valid 10 minutes."""
    import io
    import uuid

    from openpyxl import Workbook

    from ..core import files
    from ..core.aws import client
    from ..core.config import settings

    data = report(ctx, place, month)
    wb = Workbook()
    ws = wb.active
    ws.title = "按乡镇和事项"
    ws.append(HEADERS)
    for r in data["rows"]:
        ws.append(_line(r["township_name"], r))
    ws.append(_line("合计", {**data["total"], "item_name": ""}))
    by_item = wb.create_sheet("按事项")
    by_item.append(HEADERS[1:])
    for r in data["items"]:
        by_item.append(_line(None, r)[1:])
    for sheet in (ws, by_item):
        for col in sheet.columns:
            sheet.column_dimensions[col[0].column_letter].width = max(10, min(40, 2 + max(
                len(str(c.value or "")) * 2 for c in col)))
    buf = io.BytesIO()
    wb.save(buf)
    tenant = ctx.require_tenant()
    key = f"{tenant}/exports/errands/{month}-{place}-{uuid.uuid4().hex[:8]}.xlsx"
    client("s3").put_object(Bucket=settings().media_bucket, Key=key, Body=buf.getvalue(),
                            ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return {"url": files.download_url(key, expires=600), "filename": f"网上代办统计-{month}.xlsx"}


def _line(township: str | None, r: dict) -> list:
    pct = lambda v: None if v is None else f"{v * 100:.1f}%"  # noqa: E731
    return [township, r["item_name"], r["applied"], r["decided"], r["approved"], r["refused"], r["within_limit"],
            pct(r["within_limit_rate"]), r["avg_days"], r["to_door"], r["at_point"], pct(r["to_door_share"])]
