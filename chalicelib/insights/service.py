"""The analysis of what people raise (issue 17 point 7): every case type's cases by category × place × week, the
trend against the previous period, hotspots on the county's map, the most frequent words of case texts and
villages whose week jumps, each read from items kept at write time (rollup.py, words.py) in a constant number of
DynamoDB calls whatever the county's size (docs/data-model.md, "Insights"):

- cases: one BatchGet of the 2N week items of the scope (N ≤ 26: ≤ 52 keys) + the place names (the county: one
  Query of its townships; a township or village: one BatchGet) + the case types' category names (≤ 4 GetItems,
  cached for seconds);
- hotspots: one BatchGet of N week items + one Query of the scope's townships and villages (their map points);
- words: one BatchGet of N word items;
- anomalies: one BatchGet of 9 week items + one BatchGet of the flagged villages' names.

Who: `insights.read` — the county's offices (county admin, the county's read-only roles: epidemic command and the
organisation department) for the county and any place in it, a township official for their township and its
villages.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from ..cases import analysis as cases
from ..core import clock
from ..core.errors import ValidationFailed
from ..core.tenancy import TenantContext
from ..places import codes
from ..places import service as places
from . import words as word_counts
from .models import InsightWeek, WordWeek
from .rollup import week_of

READ = "insights.read"
ANOMALY_HISTORY = 8  # weeks a village's week is compared with
ANOMALY_SIGMAS = 3
ANOMALY_MIN = 5  # cases in the week, at least
RULE = (f"本周事项数 ≥ {ANOMALY_MIN} 且大于该村前 {ANOMALY_HISTORY} 周的平均数 + {ANOMALY_SIGMAS} 倍标准差")


def _scope(ctx: TenantContext, place: str | None) -> tuple[str, str, str]:
    """(tenant, place, level) of a request, checked against the caller's grants."""
    tenant = ctx.require_tenant()
    place = place or tenant
    ctx.require(READ, place)  # another county's place: 403 as any place out of scope
    level = "county" if place == tenant else codes.level_of(place)
    if level not in ("county", "township", "village"):
        raise ValidationFailed(details=[{"field": "place", "code": "unknown_place",
                                         "message": "请选择全县、乡镇或村"}])
    return tenant, place, level


def weeks_back(n: int, end: dt.date | None = None) -> list[str]:
    """The last `n` ISO weeks up to the one of `end` (today in Asia/Shanghai), oldest first."""
    end = end or clock.today()
    return [week_of(end - dt.timedelta(weeks=i)) for i in range(n - 1, -1, -1)]


def _week_items(tenant: str, scope: str, weeks: list[str]) -> dict[str, InsightWeek]:
    got = InsightWeek.batch_get([InsightWeek.keys(tenant, scope, w) for w in weeks])
    return {i.sk: i for i in got}


def _rows(tenant: str, place: str, level: str, weeks: list[str]) -> dict[str, list[tuple[str, str, str, int]]]:
    """{week: [(place, type, category, count)]}: the county's rows are per township, a township's per village (and
    the township itself), a village's its own."""
    scope = tenant if level == "county" else place[:9]
    items = _week_items(tenant, scope, weeks)
    out: dict[str, list] = {}
    for w in weeks:
        rows = [tuple(r) for r in json.loads(items[w].rows)] if w in items else []
        if level == "village":
            rows = [r for r in rows if r[0] == place]
        out[w] = rows
    return out


def _change(cur: int, prev: int) -> dict:
    return {"current": cur, "previous": prev, "change": cur - prev,
            "change_pct": round((cur - prev) * 100 / prev, 1) if prev else None}


def _place_names(tenant: str, level: str, codes_: set[str]) -> dict[str, str]:
    if level == "county":
        return {p.code: p.name for p in places.township_places(tenant)}
    return places.names(tenant, codes_)


def case_matrix(ctx: TenantContext, place: str | None, weeks: int) -> dict:
    tenant, place, level = _scope(ctx, place)
    both = weeks_back(2 * weeks)
    prev_weeks, cur_weeks = both[:weeks], both[weeks:]
    by_week = _rows(tenant, place, level, both)
    labels = cases.labels(tenant)
    rows, cats_cur, cats_prev, places_cur, places_prev = [], {}, {}, {}, {}
    for w in both:
        current = w in cur_weeks
        for where, type_id, cat, n in by_week[w]:
            if type_id not in labels:
                continue  # a case type of a module the county switched off
            ck = (type_id, cat)
            (cats_cur if current else cats_prev)[ck] = (cats_cur if current else cats_prev).get(ck, 0) + n
            (places_cur if current else places_prev)[where] = (places_cur if current else places_prev).get(
                where, 0) + n
            if current:
                rows.append({"week": w, "place": where, "type": type_id, "category": cat, "count": n})
    names = _place_names(tenant, level, set(places_cur) | set(places_prev))

    def cat_name(type_id: str, cat: str) -> str:
        return labels[type_id]["categories"].get(cat, cat)

    categories = [{"type": t, "type_name": labels[t]["name"], "category": c, "name": cat_name(t, c),
                   **_change(cats_cur.get((t, c), 0), cats_prev.get((t, c), 0))}
                  for t, c in sorted(set(cats_cur) | set(cats_prev))]
    categories.sort(key=lambda r: (-r["current"], r["type"], r["category"]))
    place_rows = [{"place": p, "name": names.get(p, p), **_change(places_cur.get(p, 0), places_prev.get(p, 0))}
                  for p in sorted(set(places_cur) | set(places_prev))]
    total = _change(sum(cats_cur.values()), sum(cats_prev.values()))
    return {"place": place, "level": level, "weeks": cur_weeks, "previous_weeks": prev_weeks,
            "types": [{"id": t, "name": v["name"]} for t, v in labels.items()],
            "rows": rows, "total": total, "trend": {"categories": categories, "places": place_rows},
            "place_names": {p: names.get(p, p) for p in set(places_cur) | set(places_prev)}}


def _village_counts(tenant: str, place: str, level: str, weeks: list[str]) -> dict[str, dict[str, int]]:
    """{week: {village: count}} of the villages under the place."""
    if level == "county":
        items = _week_items(tenant, tenant, weeks)
        return {w: (json.loads(items[w].villages or "{}") if w in items else {}) for w in weeks}
    out = {}
    for w, rows in _rows(tenant, place, level, weeks).items():
        counts: dict[str, int] = {}
        for where, _t, _c, n in rows:
            if len(where) >= 12:
                counts[where[:12]] = counts.get(where[:12], 0) + n
        out[w] = counts
    return out


def hotspots(ctx: TenantContext, place: str | None, weeks: int) -> dict:
    tenant, place, level = _scope(ctx, place)
    week_list = weeks_back(weeks)
    counts: dict[str, int] = {}
    for per in _village_counts(tenant, place, level, week_list).values():
        for v, n in per.items():
            counts[v] = counts.get(v, 0) + n
    mapped = places.map_places(tenant, None if level == "county" else place[:9])
    townships = {p.code: p.name for p in mapped if p.level == "township"}
    points, unplaced = [], []
    for p in mapped:
        if p.level != "village" or (level == "village" and p.code != place):
            continue
        row = {"village": p.code, "name": p.name, "township": p.code[:9], "township_name": townships.get(p.code[:9]),
               "count": counts.get(p.code, 0), "lng": None, "lat": None}
        if p.lng is not None and p.lat is not None:
            points.append({**row, "lng": float(p.lng), "lat": float(p.lat)})
        else:
            unplaced.append(row)
    points.sort(key=lambda r: (-r["count"], r["village"]))
    unplaced.sort(key=lambda r: (-r["count"], r["village"]))
    return {"place": place, "level": level, "weeks": week_list, "points": points, "unplaced": unplaced,
            "max": max([r["count"] for r in points + unplaced], default=0)}


def top_words(ctx: TenantContext, place: str | None, weeks: int) -> dict:
    tenant, place, level = _scope(ctx, place)
    if level == "village":
        raise ValidationFailed(details=[{"field": "place", "code": "words_by_township",
                                         "message": "词频按全县或乡镇统计，请选择全县或乡镇"}])
    week_list = weeks_back(weeks)
    items = list(WordWeek.batch_get([WordWeek.keys(tenant, place, w) for w in week_list]))
    found, texts = word_counts.top(items)
    return {"place": place, "level": level, "weeks": week_list, "cases": texts, "words": found}


def anomalies(ctx: TenantContext, place: str | None, week: str | None = None) -> dict:
    """Villages whose count in `week` (this week) is ≥ ANOMALY_MIN and above mean + 3σ of their previous 8 weeks."""
    tenant, place, level = _scope(ctx, place)
    try:
        end = clock.today() if week is None else dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    except ValueError:  # 2026-W53: a year with 52 weeks
        raise ValidationFailed(details=[{"field": "week", "code": "no_such_week",
                                         "message": "该年没有这一周"}]) from None
    week_list = weeks_back(ANOMALY_HISTORY + 1, end)
    per_week = _village_counts(tenant, place, level, week_list)
    this, history = week_list[-1], week_list[:-1]
    flagged = []
    for v, n in per_week[this].items():
        if n < ANOMALY_MIN:
            continue
        past = [per_week[w].get(v, 0) for w in history]
        mean = sum(past) / len(past)
        sd = math.sqrt(sum((x - mean) ** 2 for x in past) / len(past))
        threshold = mean + ANOMALY_SIGMAS * sd
        if n > threshold:
            flagged.append({"village": v, "count": n, "mean": round(mean, 2), "sd": round(sd, 2),
                            "threshold": round(threshold, 2), "history": past})
    names = places.names(tenant, {f["village"] for f in flagged} | {f["village"][:9] for f in flagged})
    for f in flagged:
        f["name"], f["township_name"] = names.get(f["village"], f["village"]), names.get(f["village"][:9])
    flagged.sort(key=lambda f: (-(f["count"] - f["threshold"]), f["village"]))
    return {"place": place, "level": level, "week": this, "history_weeks": history, "rule": RULE, "items": flagged}


# --- export -----------------------------------------------------------------------------------------------------

TABLES = {"cases": "分类统计", "trend": "趋势对比", "hotspots": "热点地图", "words": "高频词", "anomalies": "异常提醒"}


def _sheets(ctx: TenantContext, table: str, place: str | None, weeks: int) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, headers, rows) of one table, from the same reads as its screen."""
    if table in ("cases", "trend"):
        m = case_matrix(ctx, place, weeks)
        names = m["place_names"]
        if table == "trend":
            cats = [[r["type_name"], r["name"], r["current"], r["previous"], r["change"], r["change_pct"]]
                    for r in m["trend"]["categories"]]
            plcs = [[r["name"], r["current"], r["previous"], r["change"], r["change_pct"]]
                    for r in m["trend"]["places"]]
            return [("按类别", ["事项类型", "类别", "本期", "上期", "增减", "增减%"], cats),
                    ("按地点", ["地点", "本期", "上期", "增减", "增减%"], plcs)]
        labels = {(t["type"], t["category"]): (t["type_name"], t["name"]) for t in m["trend"]["categories"]}
        cells: dict[tuple[str, str, str], dict[str, int]] = {}
        for r in m["rows"]:
            cells.setdefault((r["type"], r["category"], r["place"]), {})[r["week"]] = r["count"]
        rows = []
        for (t, c, p), per in sorted(cells.items()):
            tn, cn = labels.get((t, c), (t, c))
            rows.append([tn, cn, names.get(p, p), *[per.get(w, 0) for w in m["weeks"]], sum(per.values())])
        rows.append(["合计", "", "", *[sum(r["count"] for r in m["rows"] if r["week"] == w) for w in m["weeks"]],
                     m["total"]["current"]])
        return [("分类×地点×周", ["事项类型", "类别", "地点", *m["weeks"], "合计"], rows)]
    if table == "hotspots":
        h = hotspots(ctx, place, weeks)
        rows = [[r["township_name"], r["name"], r["village"], r.get("lng"), r.get("lat"), r["count"]]
                for r in h["points"] + h["unplaced"]]
        return [("热点", ["乡镇", "村", "编码", "经度", "纬度", "事项数"], rows)]
    if table == "words":
        w = top_words(ctx, place, weeks)
        return [("高频词", ["词语", "出现次数"], [[r["word"], r["count"]] for r in w["words"]])]
    a = anomalies(ctx, place)
    return [("异常提醒", ["乡镇", "村", "本周", "前8周平均", "标准差", "阈值"],
             [[f["township_name"], f["name"], f["count"], f["mean"], f["sd"], f["threshold"]] for f in a["items"]]
             + [[RULE]])]


def workbook(ctx: TenantContext, table: str, place: str | None, weeks: int) -> dict:
    """One table as an Excel workbook in the media bucket under the county's prefix, and a link valid 10 minutes
    (the console saves it with web/shared/download.js)."""
    import io
    import uuid

    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..core import files
    from ..core.aws import client
    from ..core.config import settings

    sheets = _sheets(ctx, table, place, weeks)
    tenant = ctx.require_tenant()
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(headers)
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append(r)
        for col in ws.columns:
            ws.column_dimensions[col[0].column_letter].width = max(8, min(40, 2 + max(
                len(str(c.value or "")) * 2 for c in col)))
    buf = io.BytesIO()
    wb.save(buf)
    day = clock.today().isoformat()
    key = f"{tenant}/exports/insights/{table}-{place or tenant}-{day}-{uuid.uuid4().hex[:8]}.xlsx"
    client("s3").put_object(Bucket=settings().media_bucket, Key=key, Body=buf.getvalue(),
                            ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return {"url": files.download_url(key, expires=600), "filename": f"问题分析-{TABLES[table]}-{day}.xlsx"}
