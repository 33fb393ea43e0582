"""The monthly board of a village: the draft computed from the month's household scores (one Query of the village's
month partition, one BatchGet of the criteria and the village's settings, one Query of the newest published
version), its publication by a cadre as a frozen snapshot (a new version only when the board changed), and the
published board as the village's people read it (black-board names as the village decided).
"""

from __future__ import annotations

import hashlib
import json

from ..core import clock
from ..core.db import SubmissionsItem
from ..core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..core.tenancy import TenantContext
from . import service as s
from .models import BoardCriteria, BoardSettings, MonthScore, PublishedBoard


def _config(tenant: str, village: str) -> tuple[BoardCriteria | None, BoardSettings | None]:
    """The county's criteria and the village's settings: one BatchGet."""
    crit, sett = None, None
    for item in SubmissionsItem.batch_get([BoardCriteria.keys(tenant), BoardSettings.keys(tenant, village)]):
        if isinstance(item, BoardCriteria):
            crit = item
        elif isinstance(item, BoardSettings):
            sett = item
    return crit, sett


def _latest(tenant: str, village: str, month: str | None = None) -> PublishedBoard | None:
    """The newest published board of a month (or of any month): one Query, newest first, one item."""
    pk = PublishedBoard.partition(tenant, village)
    cond = PublishedBoard.sk.startswith(f"{month}#") if month else None
    for item in PublishedBoard.query(pk, cond, scan_index_forward=False, limit=1, consistent_read=True):
        return item
    return None


def _rows(tenant: str, village: str, month: str) -> list[dict]:
    """Every scored household of the village's month, best first (ties: by household number): one Query of the
    month partition (a village's few hundred households are a few tens of KB: one page)."""
    from ..households.models import ref_order

    rows = [{"household": m.hid, "ref": m.ref, "head_name": m.head_name, "grid": m.grid, "total": float(m.total),
             "breakdown": json.loads(m.breakdown), "inspections": int(m.inspections or 0), "inspection": m.iid,
             "amended": m.source == "amendment", "at": m.at}
            for m in MonthScore.query(MonthScore.partition(tenant, village, month), consistent_read=True)]
    rows.sort(key=lambda r: (-r["total"], ref_order(r["ref"]), r["household"]))
    for i, r in enumerate(rows):
        r["rank"] = i + 1
    return rows


def compute(tenant: str, village: str, month: str) -> dict:
    crit, sett = _config(tenant, village)
    settings = s.settings_out(village, sett)
    rows = _rows(tenant, village, month)
    red = [r for r in rows if r["total"] >= settings["red_min"]][:settings["red_count"]]
    black = sorted((r for r in rows if r["total"] < settings["black_below"]),
                   key=lambda r: (r["total"], -r["rank"]))[:settings["black_count"]]
    average = round(sum(r["total"] for r in rows) / len(rows), 1) if rows else None
    return {"criteria": s.criteria_out(crit)["criteria"], "settings": settings, "rows": rows, "red": red,
            "black": black, "households": len(rows), "average": average}


def _digest(board: dict) -> str:
    """Of every scored household's record that counts (the lists, the count and the average follow from them) and
    the village's limits: any correction, late inspection or new limit changes it."""
    keep: dict = {"rows": [[r["household"], r["inspection"], r["total"]] for r in board["rows"]]}
    keep["limits"] = {k: board["settings"][k] for k in ("red_count", "red_min", "black_count", "black_below")}
    return hashlib.sha256(json.dumps(keep, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:32]


def _published_summary(p: PublishedBoard | None) -> dict | None:
    if p is None:
        return None
    return {"version": int(p.number), "published_at": p.published_at, "published_by": p.published_by_name,
            "note": p.note}


def _village_name(tenant: str, village: str) -> str | None:
    from ..places import service as places

    return places.names(tenant, {village}).get(village)


def draft(ctx: TenantContext, village: str, month: str) -> dict:
    tenant = ctx.require_tenant()
    s.check_village(tenant, village)
    s.check_month(month)
    s._require_village_staff(ctx, village)
    board = compute(tenant, village, month)
    latest = _latest(tenant, village, month)
    return {"village": village, "village_name": _village_name(tenant, village), "month": month,
            "criteria": board["criteria"], "settings": board["settings"], "households": board["households"],
            "average": board["average"], "red": board["red"], "black": board["black"], "ranking": board["rows"],
            "published": _published_summary(latest),
            "changed": latest is None or latest.digest != _digest(board)}


def publish(ctx: TenantContext, village: str, month: str, note: str | None) -> dict:
    """Freeze the month's board (boards.approve over the village). Publishing a board that has not changed since its
    newest version answers that version; after corrections (an amendment, a late inspection, new limits) it makes
    the next version. The snapshot keeps full names: each reader gets what they may see."""
    from ..core.auth import service as auth

    tenant = ctx.require_tenant()
    s.check_village(tenant, village)
    s.check_month(month)
    ctx.require("boards.approve", village)
    if month > s.month_of():
        raise ValidationFailed(details=[{"field": "month", "code": "future_month",
                                         "message": "不能公布未来月份的红黑榜"}])
    board = compute(tenant, village, month)
    if not board["rows"]:
        raise ValidationFailed("本月还没有评分记录，无法公布", code="empty_board")
    digest = _digest(board)
    latest = _latest(tenant, village, month)
    if latest is not None and latest.digest == digest:
        return published_out(ctx, latest, None, staff=True)
    number = (int(latest.number) if latest is not None else 0) + 1
    by = auth.get_user(tenant, ctx.user_id)
    data = {k: board[k] for k in ("criteria", "red", "black", "households", "average")}
    data["limits"] = {k: board["settings"][k] for k in ("red_count", "red_min", "black_count", "black_below")}
    item = PublishedBoard(PublishedBoard.partition(tenant, village), PublishedBoard.sort(month, number),
                          village=village, month=month, number=number, data=json.dumps(data, ensure_ascii=False),
                          digest=digest, note=note, published_at=clock.iso(), published_by=ctx.user_id,
                          published_by_name=by.name)
    from pynamodb.exceptions import PutError

    try:
        item.save(condition=PublishedBoard.pk.does_not_exist())
    except PutError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("该月红黑榜刚被他人公布，请刷新后重试", code="version_conflict") from e
        raise
    return published_out(ctx, item, None, staff=True)


def _row_out(r: dict, staff: bool, names: str | None) -> dict:
    """A board row as the reader may see it: staff everything; the village's people the red board in full and the
    black board as the village decided (names: full | masked | number)."""
    from ..households.service import mask_head

    out = {"rank": r["rank"], "household": r["household"] if staff else None, "ref": r["ref"],
           "name": r["head_name"], "total": r["total"], "breakdown": r["breakdown"],
           "inspections": r["inspections"], "amended": r["amended"]}
    if names == "masked":
        out["name"] = mask_head(r["head_name"])
    elif names == "number":
        out["name"] = None
    return out


def published_out(ctx: TenantContext, p: PublishedBoard, black_names: str | None, staff: bool) -> dict:
    data = json.loads(p.data)
    return {"village": p.village, "village_name": _village_name(ctx.tenant_id, p.village), "month": p.month,
            "version": int(p.number), "published_at": p.published_at, "published_by": p.published_by_name,
            "note": p.note, "criteria": data["criteria"], "households": data["households"],
            "average": data["average"],
            "red": [_row_out(r, staff, None) for r in data["red"]],
            "black": [_row_out(r, staff, None if staff else black_names) for r in data["black"]],
            "black_names": black_names or "full", "full_names": staff or black_names == "full"}


def published(ctx: TenantContext, village: str, month: str) -> dict:
    """The published board (`month` "latest": the newest of any month) for the village's people and its staff (and
    the offices above it); anyone else 403. Two calls: the board's Query, the village's settings."""
    tenant = ctx.require_tenant()
    s.check_village(tenant, village)
    if month != "latest":
        s.check_month(month)
    staff = s.village_staff(ctx, village)
    if not staff and not s.villager_of(ctx, village):
        raise Forbidden("只能查看本村的红黑榜", code="forbidden_scope")
    p = _latest(tenant, village, None if month == "latest" else month)
    if p is None:
        raise NotFound("该月红黑榜尚未公布" if month != "latest" else "本村还没有公布过红黑榜")
    if staff:
        return published_out(ctx, p, None, staff=True)
    sett = s._settings_item(tenant, village)
    names = (sett.black_names if sett is not None else s.DEFAULT_SETTINGS["black_names"])
    return published_out(ctx, p, names, staff=False)
