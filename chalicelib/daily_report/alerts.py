"""Alerts to the county epidemic command (防疫指挥部): a yellow or red code in a daily report.

The alert record is written in the report's transaction; its stream record publishes it on the alerts topic with
`tenant`, `village` and `level` as message attributes, so each county's subscriptions filter on their own county.
The command lists, acknowledges and closes alerts with a note of what was done.
"""

from __future__ import annotations

import json

from ..core import clock, notify, pii
from ..core.config import page_size, settings
from ..core.db import save_versioned
from ..core.errors import Conflict, NotFound
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from ..places import service as places
from .models import Alert

LEVEL_ZH = {"yellow": "黄码", "red": "红码"}


def alert_out(tenant: str, a: Alert, village_name: str | None = None) -> dict:
    detail = json.loads(pii.decrypt(tenant, a.detail_enc))
    return {"id": a.aid, "household": a.hid, "date": a.date, "grid": a.grid, "village": a.village,
            "village_name": village_name, "level": a.level, "count": int(a.count), "members": detail["members"],
            "address": detail["address"], "head_name": detail["head_name"], "status": a.status,
            "created_at": a.created_at, "acked_at": a.acked_at, "closed_at": a.closed_at, "note": a.note}


def _names(tenant: str, villages: set[str]) -> dict[str, str]:
    return places.names(tenant, villages)


def list_alerts(ctx: TenantContext, status: str, limit: int | None, cursor: str | None) -> dict:
    """A county's alerts of one status, newest first: one Query per page (and one BatchGet for village names)."""
    tenant = ctx.require_tenant()
    ctx.require("alerts.read", tenant)
    pk = Alert.status_index(tenant, status)
    res = Alert.gsi1.query(pk, scan_index_forward=False, limit=page_size(limit),
                           last_evaluated_key=decode_cursor(cursor, pk))
    items = list(res)
    names = _names(tenant, {a.village for a in items})
    return {"items": [alert_out(tenant, a, names.get(a.village)) for a in items],
            "next_cursor": encode_cursor(res.last_evaluated_key, pk)}


def _get(tenant: str, aid: str) -> Alert:
    try:
        return Alert.get(*Alert.keys(tenant, aid), consistent_read=True)
    except Alert.DoesNotExist:
        raise NotFound("找不到该预警") from None


def acknowledge(ctx: TenantContext, aid: str) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("alerts.write", tenant)
    a = _get(tenant, aid)
    if a.status != "open":
        raise Conflict("该预警已被签收或办结", code="alert_not_open")
    now = clock.iso()
    a.status, a.acked_by, a.acked_at = "acknowledged", ctx.user_id, now
    a.gsi1pk = Alert.status_index(tenant, "acknowledged")
    save_versioned(a, "该预警")
    return alert_out(tenant, a, _names(tenant, {a.village}).get(a.village))


def close(ctx: TenantContext, aid: str, note: str) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("alerts.write", tenant)
    a = _get(tenant, aid)
    if a.status == "closed":
        raise Conflict("该预警已办结", code="alert_closed")
    now = clock.iso()
    if a.status == "open":
        a.acked_by, a.acked_at = ctx.user_id, now
    a.status, a.closed_by, a.closed_at, a.note = "closed", ctx.user_id, now, note
    a.gsi1pk = Alert.status_index(tenant, "closed")
    save_versioned(a, "该预警")
    return alert_out(tenant, a, _names(tenant, {a.village}).get(a.village))


def subscribe(ctx: TenantContext, protocol: str, endpoint: str) -> str:
    """Subscribe an address of the county's command to the alerts topic, filtered to this county."""
    tenant = ctx.require_tenant()
    ctx.require("reports.settings", tenant)
    return notify.subscribe(settings().alerts_topic, protocol, endpoint, {"tenant": [tenant]})


def publish(tenant: str, aid: str) -> bool:
    """Publish one alert (from its stream record). Re-delivery publishes nothing twice once `published_at` is set;
    a crash between the publish and that mark can repeat a message, which carries the alert id to dedupe on."""
    try:
        a = Alert.get(*Alert.keys(tenant, aid), consistent_read=True)
    except Alert.DoesNotExist:
        return False
    if a.published_at:
        return False
    name = _names(tenant, {a.village}).get(a.village) or a.village
    text = f"{name}有 1 户报告{LEVEL_ZH[a.level]} {int(a.count)} 人，请登录村情通处置（预警 {a.aid}）"
    notify.publish(settings().alerts_topic, f"村情通健康码预警：{name}",
                   {"alert": a.aid, "tenant": tenant, "village": a.village, "grid": a.grid, "level": a.level,
                    "count": int(a.count), "date": a.date, "text": text},
                   {"tenant": tenant, "village": a.village, "level": a.level, "kind": "health_code"})
    # Unversioned (no version bump), so an acknowledgement racing this mark does not fail.
    pk, sk = Alert.keys(tenant, aid)
    Alert._get_connection().update_item(pk, sk, actions=[Alert.published_at.set(clock.iso())])
    return True
