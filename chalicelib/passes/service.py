"""Scan-to-pass (扫码通行): a personal pass per member, scanned at village checkpoints.

The code is `CQP1.{county}.{pass id}.{expiry}.{signature}`: it names no person (the pass id points to the member
on the server), expires after PASS_HOURS, is signed with a key derived from the token key, and is revoked when the
member is issued a new one (or by hand). A scan answers pass or stop with the reasons (health-code colour, today's
report missing) and the holder's masked name and village; every scan, refusals included, is logged per checkpoint.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import uuid

from pynamodb.exceptions import TransactWriteError

from ..core import clock, pii, secrets
from ..core.db import transact
from ..core.errors import AppError, Forbidden, NotFound, ServiceUnavailable
from ..core.http import decode_cursor, encode_cursor
from ..core.schemas import page_size
from ..core.tenancy import TenantContext
from ..daily_report import service as daily_report
from ..households import service as households
from ..places import service as places
from .models import CurrentPass, Pass, Scan

PASS_HOURS = 24
SCAN_LOG_DAYS = 30
_CODE = re.compile(r"^CQP1\.(\d{6})\.([0-9a-f]{16})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$")
COLOUR_ZH = {"green": "绿码", "yellow": "黄码", "red": "红码"}


class PassRefused(AppError):
    status = 422
    code = "pass_invalid"
    message = "无效的通行码"


def _key() -> bytes:
    return hmac.new(secrets.get("token_key").encode(), b"cunqingtong-pass-v1", hashlib.sha256).digest()


def _sign(payload: str) -> str:
    mac = hmac.new(_key(), payload.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def make_code(tenant: str, pid: str, expires_at: int) -> str:
    payload = f"CQP1.{tenant}.{pid}.{_b36(expires_at)}"
    return f"{payload}.{_sign(payload)}"


def issue(ctx: TenantContext, hid: str, mid: str) -> dict:
    """A new pass for a member: by a person linked to the household, or staff who may edit it (printed passes
    for elders without a phone). The member's previous pass is revoked in the same transaction."""
    tenant = ctx.require_tenant()
    hh, members = households.load(tenant, hid)
    if hid not in ctx.households() and not ctx.can("households.write", hh.grid):
        raise NotFound("找不到该户")
    member = next((m for m in members if m.mid == mid), None)
    if member is None:
        raise NotFound("找不到该成员")
    pid = uuid.uuid4().hex[:16]
    expires_at = clock.epoch() + PASS_HOURS * 3600
    new = Pass(*Pass.keys(tenant, pid), pid=pid, hid=hid, mid=mid, issued_at=clock.iso(), issued_by=ctx.user_id,
               expires_at=expires_at, expires=expires_at + 7 * 86400)
    try:
        current = CurrentPass.get(*CurrentPass.keys(tenant, mid), consistent_read=True)
    except CurrentPass.DoesNotExist:
        current = None
    try:
        with transact() as tx:
            tx.save(new, condition=Pass.pk.does_not_exist())
            cond = CurrentPass.pk.does_not_exist() if current is None else (CurrentPass.pid == current.pid)
            tx.save(CurrentPass(*CurrentPass.keys(tenant, mid), pid=pid), condition=cond)
            if current is not None:  # the old pass may be gone already (TTL): then this leaves a stub that expires
                tx.update(Pass(*Pass.keys(tenant, current.pid)),
                          actions=[Pass.revoked.set(True), Pass.expires.set(Pass.expires | (expires_at + 86400))])
    except TransactWriteError as e:
        raise ServiceUnavailable("通行码正在更新，请稍后重试") from e
    code = make_code(tenant, pid, expires_at)
    return {"id": pid, "code": code, "member": mid, "member_name": member.name, "household": hid,
            "expires_at": clock.iso(dt.datetime.fromtimestamp(expires_at, dt.UTC))}


def revoke(ctx: TenantContext, pid: str) -> None:
    tenant = ctx.require_tenant()
    try:
        p = Pass.get(*Pass.keys(tenant, pid), consistent_read=True)
    except Pass.DoesNotExist:
        raise NotFound("找不到该通行码") from None
    hh, _ = households.load(tenant, p.hid)
    if p.hid not in ctx.households() and not ctx.can("households.write", hh.grid):
        raise NotFound("找不到该通行码")
    p.update(actions=[Pass.revoked.set(True)])


def _checkpoint(ctx: TenantContext, checkpoint: str | None) -> str:
    places_ = [g.place for g in ctx.grants_for("passes.scan")]
    if not places_:
        raise Forbidden("只有卡口值守人员可以扫码", code="forbidden_scope")
    if checkpoint is None:
        return places_[0]
    if checkpoint not in places_:
        raise Forbidden("您不在该卡口值守", code="forbidden_scope")
    return checkpoint


def _log(tenant: str, ctx: TenantContext, checkpoint: str, result: str, reasons: list[str], **kw) -> Scan:
    now = clock.now()
    sid = uuid.uuid4().hex[:12]
    scan = Scan(Scan.partition(tenant, checkpoint, clock.today().isoformat()),
                f"{int(now.timestamp() * 1000):013d}#{sid}", sid=sid, checkpoint=checkpoint, at=clock.iso(now),
                by_user=ctx.user_id, result=result, reasons=",".join(reasons),
                expires=clock.epoch() + SCAN_LOG_DAYS * 86400, **kw)
    scan.save()
    return scan


def _refuse(tenant: str, ctx: TenantContext, checkpoint: str, code: str, message: str):
    _log(tenant, ctx, checkpoint, "invalid", [code])
    raise PassRefused(message, code=code)


def scan(ctx: TenantContext, code: str, checkpoint: str | None) -> dict:
    tenant = ctx.require_tenant()
    cp = _checkpoint(ctx, checkpoint)
    m = _CODE.match(code.strip())
    if not m:
        _refuse(tenant, ctx, cp, "pass_invalid", "这不是村情通通行码")
    county, pid, exp36, sig = m.groups()
    payload = code.strip().rsplit(".", 1)[0]
    if not hmac.compare_digest(_sign(payload), sig):
        _refuse(tenant, ctx, cp, "pass_forged", "通行码无效（签名不符），请持码人刷新通行码")
    if county != tenant:
        _refuse(tenant, ctx, cp, "pass_other_county", "非本县通行码，请按外来人员登记")
    if int(exp36, 36) <= clock.epoch():
        _refuse(tenant, ctx, cp, "pass_expired", "通行码已过期，请持码人刷新通行码")
    try:
        p = Pass.get(*Pass.keys(tenant, pid))
    except Pass.DoesNotExist:
        _refuse(tenant, ctx, cp, "pass_forged", "通行码无效，请持码人刷新通行码")
    if p.revoked:
        _refuse(tenant, ctx, cp, "pass_revoked", "通行码已作废，请持码人刷新通行码")
    hh, members = households.load(tenant, p.hid)
    member = next((x for x in members if x.mid == p.mid), None)
    if member is None:
        _refuse(tenant, ctx, cp, "pass_revoked", "持码人已不在该户，通行码已作废")
    reported, colour = daily_report.member_today(tenant, p.hid, p.mid)
    reasons = []
    if not reported:
        reasons.append({"code": "not_reported", "message": "今日尚未完成健康上报"})
    elif colour in ("yellow", "red"):
        reasons.append({"code": f"{colour}_code", "message": f"健康码为{COLOUR_ZH[colour]}"})
    elif colour is None:
        reasons.append({"code": "member_not_in_report", "message": "今日上报中没有该成员"})
    result = "stop" if reasons else "pass"
    holder = pii.mask_name(member.name)
    village = places.find(tenant, hh.village)
    s = _log(tenant, ctx, cp, result, [r["code"] for r in reasons], pid=pid, hid=p.hid, holder=holder,
             village=hh.village, village_name=village.name if village else None, colour=colour)
    return {"id": s.sid, "result": result, "reasons": reasons, "colour": colour, "reported_today": reported,
            "holder": {"name": holder, "village": hh.village, "village_name": village.name if village else None},
            "checkpoint": cp, "scanned_at": s.at}


def scans(ctx: TenantContext, checkpoint: str, date: str | None, limit: int | None, cursor: str | None) -> dict:
    """A checkpoint's scans of a day, newest first: one Query per page."""
    tenant = ctx.require_tenant()
    ctx.require("passes.logs", checkpoint)
    pk = Scan.partition(tenant, checkpoint, date or clock.today().isoformat())
    res = Scan.query(pk, scan_index_forward=False, limit=page_size(limit), last_evaluated_key=decode_cursor(cursor, pk))
    items = [{"id": s.sid, "at": s.at, "result": s.result, "reasons": [r for r in s.reasons.split(",") if r],
              "holder": s.holder, "village": s.village, "village_name": s.village_name, "colour": s.colour}
             for s in res]
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, pk)}
