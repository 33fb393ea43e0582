"""Scan-to-pass (扫码通行): a personal pass per member, scanned at village checkpoints.

The code is `CQP1.{county}.{pass id}.{expiry}.{signature}`: it names no person (the pass id points to the member
on the server), expires after PASS_HOURS, is signed with a key derived from the token key, and is revoked when the
member is issued a new one (or by hand). A scan answers pass or stop with the reasons (health-code colour, today's
report missing) and the holder's masked name and village; every scan, refusals included, is logged per checkpoint.

Each pass also has a short code of 8 characters (SHORT_ALPHABET: no 0/O/1/I) that checkpoint staff type when the
camera fails: a `{t}#PASSCODE#{short}` item written in the pass's TransactWrite (unique by condition), deleted when
the pass is revoked or renewed, expiring with it, and found only within the checkpoint's own county. A typed short
code gets exactly the answer and log entry a scan of the signed code would. Wrong short codes are limited per
checkpoint user (SHORT_MISSES_PER_HOUR); with 32^8 ≈ 1.1 × 10^12 codes, guessing one is impractical (docs/
data-model.md has the numbers).

`judge` is the one rule a checkpoint applies; the holder's phone asks for it too (`status`), so the pass page says
what the checkpoint will say before the holder walks there.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets as pysecrets
import unicodedata
import uuid
from dataclasses import dataclass, field

from pynamodb.exceptions import TransactWriteError

from ..core import clock, pii, signed
from ..core.auth import service as auth
from ..core.config import page_size
from ..core.db import cancellation_codes, transact
from ..core.errors import AppError, Forbidden, NotFound, ServiceUnavailable, TooManyRequests
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from ..daily_report import service as daily_report
from ..households import service as households
from ..places import service as places
from .models import CurrentPass, Pass, PassCode, Scan

PASS_HOURS = 24
SCAN_LOG_DAYS = 30
_CODE = re.compile(r"^CQP1\.(\d{6})\.([0-9a-f]{16})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{22})$")
COLOUR_ZH = {"green": "绿码", "yellow": "黄码", "red": "红码"}

SHORT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 characters: no 0/O, no 1/I
SHORT_LENGTH = 8  # 32^8 = 2^40 ≈ 1.1e12 codes
SHORT_MISSES_PER_HOUR = 10  # wrong short codes a checkpoint user may type in a clock hour
_PID = re.compile(r"^[0-9a-f]{16}$")
_SHORT_BUCKET = "pass-short-miss"
_SHORT_TYPED = re.compile(r"^[0-9A-Z]{8}$")
_SHORT_ALMOST = re.compile(r"^[0-9A-Z]{4,12}$")
_SHORT_SEPARATORS = re.compile(r"[\s\-]+")


class PassRefused(AppError):
    status = 422
    code = "pass_invalid"
    message = "无效的通行码"


PURPOSE = b"cunqingtong-pass-v1"  # core.signed: the key of pass codes


def make_code(tenant: str, pid: str, expires_at: int) -> str:
    return signed.sign(PURPOSE, f"CQP1.{tenant}.{pid}.{signed.b36(expires_at)}")


def new_short_code() -> str:
    return "".join(pysecrets.choice(SHORT_ALPHABET) for _ in range(SHORT_LENGTH))


def _folded(text: str) -> str:
    """Typed text as a short code is compared: full-width forms folded (NFKC), upper case, spaces and dashes
    dropped ("７kq4-m2xd" → "7KQ4M2XD")."""
    return _SHORT_SEPARATORS.sub("", unicodedata.normalize("NFKC", text).upper())


def short_form(text: str) -> str | None:
    """The typed text as a short code, or None when it is not 8 letters and digits (a signed code, or nothing)."""
    t = _folded(text)
    return t if _SHORT_TYPED.match(t) else None


def _drop_code(tx, tenant: str, short: str, pid: str) -> None:
    """Delete a pass's short code in a TransactWrite, unless the code has been taken by another pass since (it can
    be, once this pass's code was deleted or expired): then the transaction is cancelled on this item."""
    tx.delete(PassCode(*PassCode.keys(tenant, short)),
              condition=PassCode.pk.does_not_exist() | (PassCode.pid == pid))


def issue(ctx: TenantContext, hid: str, mid: str) -> dict:
    """A new pass for a member: by a person linked to the household, or staff who may edit it (printed passes
    for elders without a phone). The member's previous pass is revoked, and its short code deleted, in the same
    transaction, which also writes the new short code (unique: another is drawn if it is taken)."""
    tenant = ctx.require_tenant()
    hh, members = households.load(tenant, hid)
    if hid not in ctx.households() and not ctx.can("households.write", hh.grid):
        raise NotFound("找不到该户")
    member = next((m for m in members if m.mid == mid), None)
    if member is None:
        raise NotFound("找不到该成员")
    pid = uuid.uuid4().hex[:16]
    now = clock.epoch()
    expires_at = now + PASS_HOURS * 3600
    try:
        current = CurrentPass.get(*CurrentPass.keys(tenant, mid), consistent_read=True)
    except CurrentPass.DoesNotExist:
        current = None
    # the old pass's short code, unless it expired (then TTL removes it, or another pass may hold it by now)
    drop_old = current is not None and bool(current.short) and int(current.expires_at or 0) > now
    for attempt in range(3):
        short = new_short_code()
        while current is not None and short == current.short:
            short = new_short_code()
        new = Pass(*Pass.keys(tenant, pid), pid=pid, hid=hid, mid=mid, issued_at=clock.iso(), issued_by=ctx.user_id,
                   expires_at=expires_at, expires=expires_at + 7 * 86400, short=short)
        try:
            with transact() as tx:
                tx.save(new, condition=Pass.pk.does_not_exist())
                cond = CurrentPass.pk.does_not_exist() if current is None else (CurrentPass.pid == current.pid)
                tx.save(CurrentPass(*CurrentPass.keys(tenant, mid), pid=pid, short=short, expires_at=expires_at),
                        condition=cond)
                # a short code is free when no item holds it or the pass that held it has expired (TTL is lazy)
                tx.save(PassCode(*PassCode.keys(tenant, short), pid=pid, expires_at=expires_at, expires=expires_at),
                        condition=PassCode.pk.does_not_exist() | (PassCode.expires_at < now))
                if current is not None:  # the old pass may be gone already (TTL): then this leaves a stub that expires
                    tx.update(Pass(*Pass.keys(tenant, current.pid)),
                              actions=[Pass.revoked.set(True), Pass.expires.set(Pass.expires | (expires_at + 86400))])
                    if drop_old:
                        _drop_code(tx, tenant, current.short, current.pid)
            break
        except TransactWriteError as e:
            # PynamoDB sends deletes first, then puts (pass, current, short code), then updates
            failed = [i for i, c in enumerate(cancellation_codes(e)) if c == "ConditionalCheckFailed"]
            if attempt < 2 and failed == [int(drop_old) + 2]:
                continue  # the short code is taken: draw another
            if attempt < 2 and drop_old and failed == [0]:
                drop_old = False  # the old code belongs to another pass now: nothing of ours to delete
                continue
            raise ServiceUnavailable("通行码正在更新，请稍后重试") from e
    code = make_code(tenant, pid, expires_at)
    verdict = judge(tenant, new, hh, members)
    return {"id": pid, "code": code, "short_code": short, "member": mid, "member_name": member.name,
            "household": hid, "expires_at": _iso(expires_at), "verdict": verdict.public()}


def _iso(epoch: int) -> str:
    return clock.iso(dt.datetime.fromtimestamp(epoch, dt.UTC))


def _own_pass(ctx: TenantContext, pid: str) -> tuple[Pass, object, list]:
    """A pass of the caller's household, or of a household the caller may edit (404 otherwise, as for a pass that
    does not exist)."""
    tenant = ctx.require_tenant()
    if not _PID.match(pid):
        raise NotFound("找不到该通行码")
    try:
        p = Pass.get(*Pass.keys(tenant, pid), consistent_read=True)
    except Pass.DoesNotExist:
        raise NotFound("找不到该通行码") from None
    hh, members = households.load(tenant, p.hid)
    if p.hid not in ctx.households() and not ctx.can("households.write", hh.grid):
        raise NotFound("找不到该通行码")
    return p, hh, members


def revoke(ctx: TenantContext, pid: str) -> None:
    """Revoke a pass (a lost phone) and delete its short code, in one transaction."""
    tenant = ctx.require_tenant()
    p, _, _ = _own_pass(ctx, pid)
    drop = bool(p.short) and not p.revoked and int(p.expires_at) > clock.epoch()
    for attempt in range(2):
        try:
            with transact() as tx:
                tx.update(Pass(*Pass.keys(tenant, pid)), actions=[Pass.revoked.set(True)],
                          condition=Pass.pk.exists())
                if drop:
                    _drop_code(tx, tenant, p.short, pid)
            return
        except TransactWriteError as e:
            failed = [i for i, c in enumerate(cancellation_codes(e)) if c == "ConditionalCheckFailed"]
            if attempt == 0 and drop and failed == [0]:  # (the delete goes first)
                drop = False  # the code belongs to another pass now
                continue
            if failed == [int(drop)]:
                raise NotFound("找不到该通行码") from None
            raise ServiceUnavailable("通行码正在更新，请稍后重试") from e


def status(ctx: TenantContext, pid: str) -> dict:
    """What a checkpoint would answer for this pass now, for the holder's phone (nothing is logged)."""
    p, hh, members = _own_pass(ctx, pid)
    verdict = judge(ctx.require_tenant(), p, hh, members)
    return {"id": p.pid, "short_code": p.short if verdict.result != "invalid" else None,
            "expires_at": _iso(int(p.expires_at)),
            "verdict": verdict.public()}


@dataclass
class Verdict:
    """What a checkpoint says of a pass: pass, stop (with the reasons) or invalid (one refusal)."""

    result: str  # pass | stop | invalid
    reasons: list[dict]
    colour: str | None = None
    reported_today: bool = False
    checked_at: str = ""
    household: object = field(default=None, repr=False)
    member: object = field(default=None, repr=False)

    def public(self) -> dict:
        return {"result": self.result, "reasons": self.reasons, "colour": self.colour,
                "reported_today": self.reported_today, "checked_at": self.checked_at}


def judge(tenant: str, p: Pass, hh=None, members: list | None = None) -> Verdict:
    """THE rule of a checkpoint, for a pass whose code checked out (signature, county) or whose short code was
    found: refused when revoked, expired or its holder left the household; otherwise stop unless the household
    has reported today with the holder green. Scans and the holder's own view both come here."""
    at = clock.iso()

    def refused(code: str, message: str) -> Verdict:
        return Verdict("invalid", [{"code": code, "message": message}], checked_at=at)

    if p.revoked:
        return refused("pass_revoked", "通行码已作废，请持码人刷新通行码")
    if int(p.expires_at) <= clock.epoch():
        return refused("pass_expired", "通行码已过期，请持码人刷新通行码")
    if hh is None or members is None:
        hh, members = households.load(tenant, p.hid)
    member = next((x for x in members if x.mid == p.mid), None)
    if member is None:
        return refused("pass_revoked", "持码人已不在该户，通行码已作废")
    reported, colour = daily_report.member_today(tenant, p.hid, p.mid)
    reasons = []
    if not reported:
        reasons.append({"code": "not_reported", "message": "今日尚未完成健康上报"})
    elif colour in ("yellow", "red"):
        reasons.append({"code": f"{colour}_code", "message": f"健康码为{COLOUR_ZH[colour]}"})
    elif colour is None:
        reasons.append({"code": "member_not_in_report", "message": "今日上报中没有该成员"})
    return Verdict("stop" if reasons else "pass", reasons, colour, reported, at, hh, member)


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


def _refuse(tenant: str, ctx: TenantContext, checkpoint: str, code: str, message: str, via: str) -> PassRefused:
    """Log a refused code and return the error to raise."""
    _log(tenant, ctx, checkpoint, "invalid", [code], via=via)
    return PassRefused(message, code=code)


def _signed(tenant: str, ctx: TenantContext, cp: str, text: str) -> str:
    """The pass id of a signed code whose format, signature, county and expiry check out (refusals are logged)."""
    m = _CODE.match(text)
    if not m:
        raise _refuse(tenant, ctx, cp, "pass_invalid", "这不是村情通通行码", "code")
    county, pid, exp36, _ = m.groups()
    if not signed.valid(PURPOSE, text):
        raise _refuse(tenant, ctx, cp, "pass_forged", "通行码无效（签名不符），请持码人刷新通行码", "code")
    if county != tenant:
        raise _refuse(tenant, ctx, cp, "pass_other_county", "非本县通行码，请按外来人员登记", "code")
    if int(exp36, 36) <= clock.epoch():
        raise _refuse(tenant, ctx, cp, "pass_expired", "通行码已过期，请持码人刷新通行码", "code")
    return pid


def _throttled(limiter, subject: str) -> None:
    try:
        limiter(_SHORT_BUCKET, subject, SHORT_MISSES_PER_HOUR, 3600)
    except TooManyRequests as e:
        wait = int(e.details["retry_after"])
        raise TooManyRequests(f"短码输错次数过多，请{max(1, -(-wait // 60))}分钟后再试，或扫码核验",
                              retry_after=wait, code="pass_code_throttled") from None


def _short(tenant: str, ctx: TenantContext, cp: str, short: str) -> str:
    """The pass id of a typed short code of this county. A wrong one is logged and counted against the checkpoint
    user; past SHORT_MISSES_PER_HOUR in a clock hour, short codes are refused (429) until the hour is over."""
    subject = f"{tenant}#{ctx.user_id}"
    _throttled(auth.rate_check, subject)
    if any(c not in SHORT_ALPHABET for c in short):  # no guess: these characters are never in a short code
        raise _refuse(tenant, ctx, cp, "pass_invalid", "短码不含 0、O、1、I，请核对后重新输入", "short")
    try:
        return PassCode.get(*PassCode.keys(tenant, short)).pid
    except PassCode.DoesNotExist:
        pass
    _throttled(auth.rate_limit, subject)
    raise _refuse(tenant, ctx, cp, "pass_code_unknown", "没有这个短码，请核对后重新输入，或请持码人刷新通行码", "short")


def scan(ctx: TenantContext, code: str, checkpoint: str | None) -> dict:
    """A scanned (or pasted) signed code, or a typed short code: the same checks, answer and log entry."""
    tenant = ctx.require_tenant()
    cp = _checkpoint(ctx, checkpoint)
    text = code.strip()
    short = short_form(text)
    if short is None and _SHORT_ALMOST.match(_folded(text)):  # a short code mistyped: a letter left out or added
        raise _refuse(tenant, ctx, cp, "pass_invalid", "短码为 8 位字母和数字，请核对后重新输入", "short")
    via = "short" if short else "code"
    pid = _short(tenant, ctx, cp, short) if short else _signed(tenant, ctx, cp, text)
    try:
        p = Pass.get(*Pass.keys(tenant, pid))
    except Pass.DoesNotExist:
        raise _refuse(tenant, ctx, cp, "pass_forged", "通行码无效，请持码人刷新通行码", via) from None
    if short and p.short != short:  # a stale short code item (its pass was renewed): as the renewal revoked it
        raise _refuse(tenant, ctx, cp, "pass_revoked", "通行码已作废，请持码人刷新通行码", via)
    v = judge(tenant, p)
    if v.result == "invalid":
        raise _refuse(tenant, ctx, cp, v.reasons[0]["code"], v.reasons[0]["message"], via)
    hh = v.household
    holder = pii.mask_name(v.member.name)
    village = places.find(tenant, hh.village)
    s = _log(tenant, ctx, cp, v.result, [r["code"] for r in v.reasons], pid=pid, hid=p.hid, holder=holder,
             village=hh.village, village_name=village.name if village else None, colour=v.colour, via=via)
    return {"id": s.sid, "result": v.result, "reasons": v.reasons, "colour": v.colour,
            "reported_today": v.reported_today,
            "holder": {"name": holder, "village": hh.village, "village_name": village.name if village else None},
            "checkpoint": cp, "scanned_at": s.at}


def scans(ctx: TenantContext, checkpoint: str, date: str | None, limit: int | None, cursor: str | None) -> dict:
    """A checkpoint's scans of a day, newest first: one Query per page."""
    tenant = ctx.require_tenant()
    ctx.require("passes.logs", checkpoint)
    pk = Scan.partition(tenant, checkpoint, date or clock.today().isoformat())
    res = Scan.query(pk, scan_index_forward=False, limit=page_size(limit), last_evaluated_key=decode_cursor(cursor, pk))
    items = [{"id": s.sid, "at": s.at, "result": s.result, "reasons": [r for r in s.reasons.split(",") if r],
              "holder": s.holder, "village": s.village, "village_name": s.village_name, "colour": s.colour,
              "via": s.via or "code"}
             for s in res]
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, pk)}
