"""The county's data rights (issue 17 point 8): export all of its data (PIPL portability), retention of health
reports and case photos, and the search of the audit log of privileged reads. County admins only
(`datarights.manage`).

Requests here cost a constant number of DynamoDB calls: an export's creation one TransactWrite (the export and its
audit entry) after one Query of the county's recent exports; its status one GetItem (+ one PutItem of the audit
entry when it hands out the download link); the list one Query; retention one GetItem (+ one UpdateItem of the
county record and one PutItem of the state when changed); the audit search one Query per page + one BatchGet of
the readers' names. The export and the retention sweep are jobs (export.py, retention.py).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from pynamodb.exceptions import UpdateError

from ..core import audit, clock, counties, files, jobs
from ..core.auth import service as auth
from ..core.auth.models import User
from ..core.config import page_size
from ..core.db import one_page, transact
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import ROLE_NAMES_ZH, TenantContext
from .models import CountyExport, RetentionState

MANAGE = "datarights.manage"
EXPORTS_PER_DAY = 3
EXPORT_KEEP_DAYS = 7  # the zip is deleted after this (retention job); the item says so
LINK_SECONDS = 300
HEALTH_DAYS = (30, 1095)
PHOTO_DAYS = (90, 3650)
DEFAULT_PHOTO_DAYS = 730
WHAT_NAMES = {"application_materials": "网上代办申请材料", "volunteer_roster": "志愿者名册（完整号码）",
              "volunteer_roster_export": "导出志愿者名册", "county_export": "申请导出全县数据",
              "county_export_download": "下载全县数据导出包"}
STATUS_NAMES = {"queued": "排队中", "running": "导出中", "done": "已完成", "failed": "失败", "expired": "已过期"}


def _tenant(ctx: TenantContext) -> str:
    tenant = ctx.require_tenant()
    ctx.require(MANAGE, tenant)
    return tenant


# --- exports ----------------------------------------------------------------------------------------------------

def _status(e: CountyExport) -> str:
    return "expired" if e.deleted_at else e.status


def export_out(e: CountyExport, url: str | None = None) -> dict:
    status = _status(e)
    return {"id": e.eid, "status": status, "status_name": STATUS_NAMES[status], "progress": int(e.progress or 0),
            "requested_by": e.requested_by, "requested_by_name": e.requested_by_name, "created_at": e.created_at,
            "started_at": e.started_at, "finished_at": e.finished_at,
            "size_bytes": int(e.size_bytes) if e.size_bytes is not None else None,
            "counts": json.loads(e.counts) if e.counts else None, "message": e.message, "url": url,
            "url_expires_in": LINK_SECONDS if url else None,
            "filename": f"村情通数据导出-{e.eid[:13]}.zip" if status == "done" else None}


def create_export(ctx: TenantContext) -> dict:
    """Queue an export of all the county's data: one at a time (409 export_running while one is queued or
    running), at most EXPORTS_PER_DAY a day; the request is written in the audit log with the export."""
    tenant = _tenant(ctx)
    recent = list(CountyExport.query(CountyExport.keys(tenant, "")[0], scan_index_forward=False, limit=5))
    busy = next((e for e in recent if e.status in ("queued", "running")), None)
    if busy is not None:
        raise Conflict("已有一个导出正在进行，请等它完成", code="export_running", details={"id": busy.eid})
    auth.rate_limit("county-export", tenant, EXPORTS_PER_DAY, *auth.SHANGHAI_DAY)
    now = clock.now()
    eid = f"{int(now.timestamp() * 1000):013d}{secrets.token_hex(3)}"
    user = auth.get_user(tenant, ctx.user_id)
    item = CountyExport(*CountyExport.keys(tenant, eid), eid=eid, requested_by=ctx.user_id,
                        requested_by_name=user.name, created_at=clock.iso(now),
                        expires=clock.epoch() + 366 * 86400)
    with transact() as tx:
        tx.save(item, condition=CountyExport.pk.does_not_exist())
        tx.save(audit.entry(tenant, ctx, "county_export", eid))
    jobs.submit("county_export", tenant, eid)
    return export_out(item)


def list_exports(ctx: TenantContext, limit: int | None) -> dict:
    tenant = _tenant(ctx)
    n = page_size(limit)
    items = list(CountyExport.query(CountyExport.keys(tenant, "")[0], scan_index_forward=False, limit=n))
    return {"items": [export_out(e) for e in items]}


def get_export(ctx: TenantContext, eid: str) -> dict:
    """The export's status; when done (and not yet deleted), a download link valid LINK_SECONDS, the hand-out of
    which is written in the audit log first."""
    tenant = _tenant(ctx)
    try:
        e = CountyExport.get(*CountyExport.keys(tenant, eid))
    except CountyExport.DoesNotExist:
        raise NotFound("找不到该导出") from None
    url = None
    if _status(e) == "done" and e.s3_key:
        audit.record(tenant, ctx, "county_export_download", eid)
        url = files.download_url(e.s3_key, expires=LINK_SECONDS)
    return export_out(e, url)


# --- retention --------------------------------------------------------------------------------------------------

def retention_days(county) -> tuple[int, int]:
    """(health report days, case photo days) of a county record."""
    from ..daily_report import service as daily_report

    health = int(county.health_retention_days) if county.health_retention_days else daily_report.REPORT_DAYS
    photos = int(county.photo_retention_days) if county.photo_retention_days else DEFAULT_PHOTO_DAYS
    return health, photos


def retention_state(tenant: str) -> RetentionState:
    try:
        return RetentionState.get(*RetentionState.keys(tenant))
    except RetentionState.DoesNotExist:
        return RetentionState(*RetentionState.keys(tenant))


def retention_out(tenant: str, county, state: RetentionState) -> dict:
    health, photos = retention_days(county)
    done = int(state.photos_done_ms or 0)
    return {"health_days": health, "photo_days": photos,
            "bounds": {"health_days": list(HEALTH_DAYS), "photo_days": list(PHOTO_DAYS)},
            "defaults": {"health_days": _default_health_days(), "photo_days": DEFAULT_PHOTO_DAYS},
            "health_sweep_until": state.health_sweep_until, "last_run": state.last_run,
            "last_result": json.loads(state.last_result) if state.last_result else None,
            "photos_deleted_before": clock.iso(dt.datetime.fromtimestamp(done / 1000, dt.UTC)) if done else None,
            "updated_at": state.updated_at}


def _default_health_days() -> int:
    from ..daily_report import service as daily_report

    return daily_report.REPORT_DAYS


def get_retention(ctx: TenantContext) -> dict:
    tenant = _tenant(ctx)
    return retention_out(tenant, counties.get(tenant, fresh=True), retention_state(tenant))


def put_retention(ctx: TenantContext, health_days: int, photo_days: int) -> dict:
    """Set the periods. A shorter health period also sweeps the reports already kept longer (their TTL was set
    when written): the daily job deletes them, for as long as the old period could still hold some."""
    tenant = _tenant(ctx)
    problems = []
    if not HEALTH_DAYS[0] <= health_days <= HEALTH_DAYS[1]:
        problems.append({"field": "health_days", "code": "out_of_range",
                         "message": f"健康上报保留天数应在{HEALTH_DAYS[0]}到{HEALTH_DAYS[1]}天之间"})
    if not PHOTO_DAYS[0] <= photo_days <= PHOTO_DAYS[1]:
        problems.append({"field": "photo_days", "code": "out_of_range",
                         "message": f"事项照片保留天数应在{PHOTO_DAYS[0]}到{PHOTO_DAYS[1]}天之间"})
    if problems:
        raise ValidationFailed(details=problems)
    county = counties.get(tenant, fresh=True)
    old_health, _ = retention_days(county)
    try:
        county.update(actions=[counties.County.health_retention_days.set(health_days),
                               counties.County.photo_retention_days.set(photo_days),
                               counties.County.updated_at.set(clock.iso())])
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("县的设置刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise
    counties.forget(tenant)
    state = retention_state(tenant)
    if health_days < old_health:
        until = (clock.today() + dt.timedelta(days=old_health)).isoformat()
        state.health_sweep_until = max(state.health_sweep_until or "", until)
    state.updated_by, state.updated_at = ctx.user_id, clock.iso()
    state.save()
    return retention_out(tenant, county, state)


# --- audit log --------------------------------------------------------------------------------------------------

def audit_page(ctx: TenantContext, month: str | None, uid: str | None, what: str | None, subject: str | None,
               limit: int | None, cursor: str | None) -> dict:
    """One month's privileged reads, newest first, filtered by reader, kind and subject: one Query per page (the
    filters on the month partition; a page may hold fewer than `limit`, the cursor goes on), then one BatchGet of
    the page's readers' names."""
    tenant = _tenant(ctx)
    month = month or clock.now().astimezone(clock.SHANGHAI).strftime("%Y-%m")
    pk = audit.AuditEntry.partition(tenant, month)
    flt = None
    for attr, value in ((audit.AuditEntry.uid, uid), (audit.AuditEntry.what, what),
                        (audit.AuditEntry.subject, subject)):
        if value:
            flt = (attr == value) if flt is None else flt & (attr == value)
    bound = f"{pk}|{uid or ''}|{what or ''}|{subject or ''}"
    n = page_size(limit)
    items, last = one_page(audit.AuditEntry.query(pk, scan_index_forward=False, filter_condition=flt, page_size=n,
                                                  last_evaluated_key=decode_cursor(cursor, bound)), n)
    uids = list(dict.fromkeys(i.uid for i in items))
    names = {u.uid: u.name for u in User.batch_get([User.keys(tenant, u) for u in uids])} if uids else {}
    out = []
    for i in items:
        roles = [r for r in (i.roles or "").split(",") if r]
        out.append({"at": i.at, "uid": i.uid, "name": names.get(i.uid), "roles": roles,
                    "role_names": [ROLE_NAMES_ZH.get(r, r) for r in roles], "what": i.what,
                    "what_name": WHAT_NAMES.get(i.what, i.what), "subject": i.subject})
    return {"month": month, "items": out, "next_cursor": encode_cursor(last, bound),
            "kinds": [{"what": k, "name": v} for k, v in WHAT_NAMES.items()]}
