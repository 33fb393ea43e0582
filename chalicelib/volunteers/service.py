"""紧急招募令: volunteers opt in per village; offices post calls; residents sign up first come, first served, with a
waiting list; organisers see the roster, export it, check people in by QR and record hours (party points).

Capacity: a slot is taken by ONE single-item conditional update of the call (`ADD confirmed 1` on the condition
`confirmed < slots` and nobody waiting, `wait_seq = wait_left`: a newcomer never jumps the queue). DynamoDB applies
writes to one item one after another, so 200 people tapping at once are served in turn without the transaction
conflicts a transaction on that item would meet (moto cannot show those; real DynamoDB cancels overlapping
transactions on an item). Then the sign-up itself is written (the person's own items); if that fails, the slot is
given back (`_release`). A crash between the two leaves the counter one above the sign-ups: the organiser's roster
repairs it once the call has had no new slot taken for a minute (`_repair`). When the gate's condition fails, the
person takes a ticket (an atomic ADD on `wait_seq`, whose answer also gives `wait_left`: position = ticket -
wait_left, exact whatever the concurrency) and writes the sign-up and its waiting item. A freed slot promotes the
first waiting person in a transaction conditional on their still waiting (`fill`, rare: cancellations); writes
that meet such a transaction are retried with jitter (ATTEMPTS), then 503.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import time
import uuid

from pynamodb.exceptions import TransactWriteError, UpdateError

from ..core import audit, clock, notify, pii, signed
from ..core.auth import service as auth
from ..core.db import cancellation_codes, one_page, transact
from ..core.errors import (
    AppError,
    Conflict,
    Forbidden,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    ValidationFailed,
)
from ..core.http import decode_cursor, encode_cursor
from ..core.observability import logger
from ..core.tenancy import RESIDENT_ROLES, TenantContext, within
from ..places import codes
from ..places import service as places
from .models import BroadcastDue, Signup, SignupCode, VolCall, Volunteer, Waiting

PERMISSION = "volunteers.organise"
ATTEMPTS = 8
MAX_WAITING = 500
MAX_AHEAD_DAYS = 90
SMS_PER_HOUR = 2000  # per county, every SMS of the module (broadcast.py shares it)
SMS_BUCKET = "volunteer-sms"
STATUS_NAMES = {"confirmed": "已确认", "waiting": "候补", "cancelled": "已取消"}
CALL_STATUS_NAMES = {"open": "招募中", "ended": "已结束", "cancelled": "已取消"}
_CODE = re.compile(r"^CQV1\.(\d{6})\.([0-9a-f]{12})\.([0-9a-f]{12})\.([A-Za-z0-9_-]{22})$")


class CodeRefused(AppError):
    status = 422
    code = "code_invalid"
    message = "无效的签到码"


def _problem(field: str, code: str, message: str) -> ValidationFailed:
    return ValidationFailed(details=[{"field": field, "code": code, "message": message}])


# --- check-in codes ------------------------------------------------------------------------------------------------

PURPOSE = b"cunqingtong-volunteer-v1"  # core.signed: the key of check-in codes


def make_code(tenant: str, cid: str, sid: str) -> str:
    """`CQV1.{county}.{call}.{sign-up}.{mac}`: names no person; only a confirmed sign-up shows it."""
    return signed.sign(PURPOSE, f"CQV1.{tenant}.{cid}.{sid}")


def _read_code(tenant: str, cid: str, text: str) -> str:
    """The sign-up id of a valid code for this call (422 code_invalid otherwise)."""
    m = _CODE.match(text.strip())
    if not m:
        raise CodeRefused()
    if not signed.valid(PURPOSE, text) or m.group(1) != tenant:
        raise CodeRefused()
    if m.group(2) != cid:
        raise CodeRefused("该签到码不是本次招募的", code="code_wrong_call")
    return m.group(3)


# --- people --------------------------------------------------------------------------------------------------------

def _resident_village(ctx: TenantContext) -> str:
    """The village a resident lives in (their first resident grant's): 403 for anyone else."""
    villages = sorted({g.place[:12] for g in ctx.grants if g.role in RESIDENT_ROLES
                       and codes.level_of(g.place) in ("village", "grid")})
    if not villages:
        raise Forbidden("只有本县村民可以参加志愿服务", code="forbidden_scope")
    return villages[0]


def _volunteer(tenant: str, village: str, uid: str) -> Volunteer | None:
    try:
        return Volunteer.get(*Volunteer.keys(tenant, village, uid), consistent_read=True)
    except Volunteer.DoesNotExist:
        return None


def volunteer_out(tenant: str, village: str | None, v: Volunteer | None) -> dict:
    if v is None:
        return {"volunteer": False, "village": village, "village_name": places.names(tenant, [village]).get(village)
                if village else None, "skills": [], "sms": False, "updated_at": None}
    return {"volunteer": True, "village": village, "village_name": places.names(tenant, [village]).get(village),
            "skills": json.loads(v.skills), "sms": bool(v.sms), "updated_at": v.updated_at}


def get_me(ctx: TenantContext) -> dict:
    tenant = ctx.require_tenant()
    village = _resident_village(ctx)
    return volunteer_out(tenant, village, _volunteer(tenant, village, ctx.user_id))


def put_me(ctx: TenantContext, body) -> dict:
    """Opt in (or change skills / SMS): one item in my village's registry (last write wins: it is my own state)."""
    tenant = ctx.require_tenant()
    village = _resident_village(ctx)
    user = auth.get_user(tenant, ctx.user_id)
    old = _volunteer(tenant, village, ctx.user_id)
    now = clock.iso()
    v = Volunteer(*Volunteer.keys(tenant, village, ctx.user_id), uid=ctx.user_id, name=user.name,
                  skills=json.dumps(sorted(set(body.skills)), ensure_ascii=False), sms=body.sms,
                  phone_enc=user.phone_enc, created_at=old.created_at if old else now, updated_at=now)
    v.save()
    return volunteer_out(tenant, village, v)


def delete_me(ctx: TenantContext) -> None:
    tenant = ctx.require_tenant()
    village = _resident_village(ctx)
    Volunteer(*Volunteer.keys(tenant, village, ctx.user_id)).delete()


# --- calls ---------------------------------------------------------------------------------------------------------

def _from_place(ctx: TenantContext, tenant: str, place: str | None) -> str:
    grants = ctx.grants_for(PERMISSION)
    if not grants:
        raise Forbidden("没有权限发布招募", code="forbidden_scope")
    if place is None:
        mine = sorted({g.place for g in grants if g.place != "*"})
        if len(mine) != 1:
            raise _problem("place", "required", "请选择招募范围")
        place = mine[0]
    ctx.require(PERMISSION, place)
    if place != tenant and place not in places.existing(tenant, [place]):
        raise _problem("place", "unknown_place", "地区不存在")
    return place


def _time(raw: str, field: str) -> dt.datetime:
    try:
        at = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise _problem(field, "invalid", "时间格式不正确") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=clock.SHANGHAI)
    return at.astimezone(dt.UTC)


def _times(body, now: dt.datetime) -> tuple[str, str]:
    starts, ends = _time(body.starts_at, "starts_at"), _time(body.ends_at, "ends_at")
    if ends <= starts:
        raise _problem("ends_at", "before_start", "结束时间应晚于开始时间")
    if ends <= now:
        raise _problem("ends_at", "past", "结束时间已过")
    if starts > now + dt.timedelta(days=MAX_AHEAD_DAYS) or ends - starts > dt.timedelta(days=MAX_AHEAD_DAYS):
        raise _problem("starts_at", "too_far", f"招募时间最多提前{MAX_AHEAD_DAYS}天")
    return clock.iso(starts), clock.iso(ends)


def _load(tenant: str, cid: str, consistent: bool = False) -> VolCall:
    try:
        return VolCall.get(*VolCall.keys(tenant, cid), consistent_read=consistent)
    except VolCall.DoesNotExist:
        raise NotFound("找不到该招募") from None


def call_status(c: VolCall, now_iso: str | None = None) -> str:
    if c.status == "cancelled":
        return "cancelled"
    return "ended" if c.ends_at <= (now_iso or clock.iso()) else "open"


def publish(ctx: TenantContext, body) -> dict:
    """Post a call: the call and its broadcast's due item in one transaction; the job `volunteer_broadcast` tells
    the volunteers in scope within minutes (inbox, and SMS to those who opted in)."""
    tenant = ctx.require_tenant()
    place = _from_place(ctx, tenant, body.place)
    now = clock.now()
    starts, ends = _times(body, now)
    me = auth.get_user(tenant, ctx.user_id)
    cid = uuid.uuid4().hex[:12]
    at = clock.iso(now)
    c = VolCall(*VolCall.keys(tenant, cid), cid=cid, title=body.title, description=body.description, place=place,
                place_name=places.names(tenant, [place]).get(place, place), address=body.address, starts_at=starts,
                ends_at=ends, slots=body.slots, confirmed=0, wait_seq=0, wait_left=0,
                requirements=body.requirements, skills=json.dumps(sorted(set(body.skills)), ensure_ascii=False),
                status="open", by_uid=ctx.user_id, by_name=me.name, created_at=at, updated_at=at, rev=1,
                gsi1pk=VolCall.by_place(tenant, place), gsi1sk=f"{ends}#{cid}")
    due = BroadcastDue(BroadcastDue.partition(tenant), f"{at}#{cid}", cid=cid, place=place,
                       expires=int(_time(ends, "ends_at").timestamp()) + 86400)
    with transact() as tx:
        tx.save(c, condition=VolCall.pk.does_not_exist())
        tx.save(due)
    return call_out(ctx, tenant, c, None)


def _may_manage(ctx: TenantContext, c: VolCall) -> bool:
    return ctx.can(PERMISSION, c.place)


def update(ctx: TenantContext, cid: str, body) -> dict:
    """Edit an open call (the whole call, with the version read); slots never below those confirmed."""
    tenant = ctx.require_tenant()
    c = _load(tenant, cid, consistent=True)
    if not _may_manage(ctx, c):
        raise Forbidden("只有发布单位或上级可以修改该招募", code="forbidden_scope")
    if call_status(c) != "open":
        raise Conflict("招募已结束或已取消，不能修改", code="call_closed")
    if body.version != int(c.rev):
        raise Conflict("招募刚被他人修改，请刷新后重试", code="version_conflict")
    if body.place is not None and body.place != c.place:
        raise _problem("place", "immutable", "不能更改招募范围")
    if body.slots < int(c.confirmed):
        raise _problem("slots", "below_confirmed", f"名额不能少于已确认人数（{int(c.confirmed)}人）")
    starts, ends = _times(body, clock.now())
    actions = [VolCall.title.set(body.title), VolCall.description.set(body.description),
               VolCall.address.set(body.address), VolCall.starts_at.set(starts), VolCall.ends_at.set(ends),
               VolCall.slots.set(body.slots), VolCall.requirements.set(body.requirements),
               VolCall.skills.set(json.dumps(sorted(set(body.skills)), ensure_ascii=False)),
               VolCall.updated_at.set(clock.iso()), VolCall.gsi1sk.set(f"{ends}#{cid}"), VolCall.rev.add(1)]
    try:
        c.update(actions=actions, condition=(VolCall.rev == body.version) & (VolCall.status == "open")
                 & (VolCall.confirmed <= body.slots))
    except UpdateError as e:
        if e.cause_response_code != "ConditionalCheckFailedException":
            raise
        now = _load(tenant, cid, consistent=True)
        if int(now.rev) != body.version or now.status != "open":
            raise Conflict("招募刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise _problem("slots", "below_confirmed", f"名额不能少于已确认人数（{int(now.confirmed)}人）") from e
    promoted = fill(tenant, cid)
    if promoted:
        c = _load(tenant, cid, consistent=True)
    return call_out(ctx, tenant, c, _signup(tenant, cid, ctx.user_id))


def cancel(ctx: TenantContext, cid: str) -> dict:
    """Cancel a call: it stops taking sign-ups and leaves the residents' lists; everyone signed up is told (inbox;
    SMS to the confirmed who opted in). Cost: one Query of the sign-ups and their inbox writes in batches of 25."""
    tenant = ctx.require_tenant()
    c = _load(tenant, cid, consistent=True)
    if not _may_manage(ctx, c):
        raise Forbidden("只有发布单位或上级可以取消该招募", code="forbidden_scope")
    if c.status == "cancelled":
        return call_out(ctx, tenant, c, None)
    now = clock.iso()
    try:
        with transact() as tx:
            tx.update(c, actions=[VolCall.status.set("cancelled"), VolCall.cancelled_at.set(now),
                                  VolCall.updated_at.set(now), VolCall.rev.add(1)],
                      condition=VolCall.status == "open")
            tx.delete(BroadcastDue(BroadcastDue.partition(tenant), f"{c.created_at}#{cid}"))
    except TransactWriteError as e:
        if "ConditionalCheckFailed" in cancellation_codes(e):
            return call_out(ctx, tenant, _load(tenant, cid, consistent=True), None)
        raise ServiceUnavailable() from e
    c = _load(tenant, cid, consistent=True)
    from ..inbox import service as inbox
    from ..inbox.models import Message

    people = [s for s in _signups(tenant, cid) if s.status != "cancelled"]
    with Message.batch_write() as batch:
        for s in people:
            batch.save(inbox.message(tenant, s.uid, f"招募已取消：{c.title}",
                                     f"{c.place_name}发布的紧急招募《{c.title}》已取消，感谢您的报名。", "volunteer"))
    for s in people:
        if s.status == "confirmed":
            _sms(tenant, s, c.title, "已取消")
    return call_out(ctx, tenant, c, None)


def _signups(tenant: str, cid: str) -> list[Signup]:
    """Every sign-up of a call: one Query (≤ slots + MAX_WAITING small items, within one 1 MB page)."""
    return list(Signup.query(VolCall.keys(tenant, cid)[0], Signup.sk.startswith("U#"), consistent_read=True))


def _signup(tenant: str, cid: str, uid: str) -> Signup | None:
    try:
        return Signup.get(*Signup.keys(tenant, cid, uid), consistent_read=True)
    except Signup.DoesNotExist:
        return None


def _position(tenant: str, cid: str, s: Signup) -> int | None:
    """Place in the waiting list: the waiting items before mine, plus one (one Query, COUNT)."""
    if s.status != "waiting" or s.ticket is None:
        return None
    mine = Waiting.keys(tenant, cid, int(s.ticket))[1]
    return max(1, Waiting.count(VolCall.keys(tenant, cid)[0], Waiting.sk.between("W#", mine), consistent_read=True))


def _visible(ctx: TenantContext, c: VolCall) -> bool:
    """A resident of a village the call covers, or an organiser at its place or above."""
    if _may_manage(ctx, c):
        return True
    return any(g.role in RESIDENT_ROLES and g.place != "*" and within(g.place, c.place) for g in ctx.grants)


def get(ctx: TenantContext, cid: str) -> dict:
    tenant = ctx.require_tenant()
    c = _load(tenant, cid)
    if not _visible(ctx, c):
        raise NotFound("找不到该招募")
    return call_out(ctx, tenant, c, _signup(tenant, cid, ctx.user_id))


def mine_out(tenant: str, c: VolCall, s: Signup | None, position: int | None = None) -> dict | None:
    if s is None:
        return None
    if position is None and s.status == "waiting":
        position = _position(tenant, c.cid, s)
    return {"id": s.sid, "status": s.status, "status_name": STATUS_NAMES[s.status], "position": position,
            "code": make_code(tenant, c.cid, s.sid) if s.status == "confirmed" else None,
            "checked_in_at": s.checked_in_at, "checked_out_at": s.checked_out_at,
            "hours": float(s.hours) if s.hours is not None else None}


def call_out(ctx: TenantContext, tenant: str, c: VolCall, s: Signup | None, position: int | None = None) -> dict:
    st = call_status(c)
    manage = _may_manage(ctx, c)
    return {"id": c.cid, "title": c.title, "description": c.description, "place": c.place,
            "place_name": c.place_name, "address": c.address, "starts_at": c.starts_at, "ends_at": c.ends_at,
            "slots": int(c.slots), "confirmed": int(c.confirmed), "waiting": int(c.wait_seq) - int(c.wait_left),
            "requirements": c.requirements or "", "skills": json.loads(c.skills), "status": st,
            "status_name": CALL_STATUS_NAMES[st], "by_name": c.by_name if manage else None,
            "created_at": c.created_at, "updated_at": c.updated_at, "version": int(c.rev), "can_manage": manage,
            "mine": mine_out(tenant, c, s, position)}


def summary_out(c: VolCall, now_iso: str) -> dict:
    st = call_status(c, now_iso)
    return {"id": c.cid, "title": c.title, "place": c.place, "place_name": c.place_name, "address": c.address,
            "starts_at": c.starts_at, "ends_at": c.ends_at, "slots": int(c.slots), "confirmed": int(c.confirmed),
            "waiting": int(c.wait_seq) - int(c.wait_left), "skills": json.loads(c.skills), "status": st,
            "status_name": CALL_STATUS_NAMES[st]}


def list_calls(ctx: TenantContext, place: str, limit: int, cursor: str | None) -> dict:
    """An organiser at `place`: its calls, latest ending first, any state (one Query page). A resident of the
    village `place`: the open calls covering it, soonest ending first — one Query per place level (village,
    township, county: ≤ 3), whatever the county's size."""
    tenant = ctx.require_tenant()
    if not within(place, tenant):
        raise NotFound("找不到该地点")
    now = clock.iso()
    if ctx.can(PERMISSION, place):
        pk = VolCall.by_place(tenant, place)
        res = VolCall.gsi1.query(pk, scan_index_forward=False, page_size=limit,
                                 last_evaluated_key=decode_cursor(cursor, f"vcalls|{pk}"))
        items, last = one_page(res, limit)
        return {"items": [summary_out(c, now) for c in items], "next_cursor": encode_cursor(last, f"vcalls|{pk}")}
    if codes.level_of(place) != "village" or not any(
            g.role in RESIDENT_ROLES and within(g.place, place) for g in ctx.grants):
        raise Forbidden("只能查看本村的招募", code="forbidden_scope")
    found: dict[str, VolCall] = {}
    for p in (*codes.ancestors(place), place):
        res = VolCall.gsi1.query(VolCall.by_place(tenant, p), VolCall.gsi1sk > f"{now}#", page_size=limit)
        items, _ = one_page(res, limit)
        for c in items:
            if c.status == "open":
                found[c.cid] = c
    ordered = sorted(found.values(), key=lambda c: (c.ends_at, c.cid))[:limit]
    return {"items": [summary_out(c, now) for c in ordered], "next_cursor": None}


# --- sign-ups ------------------------------------------------------------------------------------------------------

def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0.005, 0.03) * (attempt + 1))


def signup(ctx: TenantContext, cid: str) -> dict:
    """Sign up (idempotent: one per person per call): confirmed while slots remain and nobody waits, else waiting
    with a position. Never over capacity: the slot is taken by the call's conditional counter first."""
    tenant = ctx.require_tenant()
    village = _resident_village(ctx)
    c = _load(tenant, cid, consistent=True)
    if not _visible(ctx, c) or not within(village, c.place):
        raise NotFound("找不到该招募")
    existing = _signup(tenant, cid, ctx.user_id)
    if existing is not None and existing.status != "cancelled":
        return call_out(ctx, tenant, c, existing)
    if call_status(c) != "open":
        raise Conflict("招募已结束或已取消", code="call_closed")
    user = auth.get_user(tenant, ctx.user_id)
    vol = _volunteer(tenant, village, ctx.user_id)
    phone_mask = user.phone_mask or pii.mask_phone(pii.decrypt(tenant, user.phone_enc))
    now = clock.iso()

    def item(status: str, sid: str, ticket: int | None = None) -> Signup:
        return Signup(*Signup.keys(tenant, cid, ctx.user_id), sid=sid, uid=ctx.user_id, name=user.name,
                      village=village, phone_enc=user.phone_enc, phone_mask=phone_mask, sms=bool(vol and vol.sms),
                      status=status, ticket=ticket, created_at=now, confirmed_at=now if status == "confirmed" else None)

    free = (Signup.pk.does_not_exist() | (Signup.status == "cancelled"))
    gate = VolCall(*VolCall.keys(tenant, cid))
    for attempt in range(ATTEMPTS):
        try:
            gate.update(actions=[VolCall.confirmed.add(1), VolCall.gated_at.set(now)],
                        condition=(VolCall.status == "open") & (VolCall.confirmed < VolCall.slots)
                        & (VolCall.wait_seq == VolCall.wait_left))
            break
        except UpdateError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":  # full, someone waits, or closed
                return _wait(ctx, tenant, cid, item)
            if e.cause_response_code != "TransactionConflictException":  # a promotion's transaction in flight
                raise
            if attempt == ATTEMPTS - 1:
                raise ServiceUnavailable() from e
            _backoff(attempt)
    sid = uuid.uuid4().hex[:12]
    try:
        with transact() as tx:
            tx.save(item("confirmed", sid), condition=free)
            tx.save(SignupCode(*SignupCode.keys(tenant, cid, sid), uid=ctx.user_id))
    except Exception as e:  # noqa: BLE001 - whatever failed, the slot goes back before the answer
        _release(tenant, cid)
        if not isinstance(e, TransactWriteError):
            raise
        if cancellation_codes(e)[:1] == ["ConditionalCheckFailed"]:  # signed up at this very moment (a retry)
            return call_out(ctx, tenant, _load(tenant, cid, consistent=True), _signup(tenant, cid, ctx.user_id))
        raise ServiceUnavailable() from e
    return call_out(ctx, tenant, _load(tenant, cid, consistent=True), _signup(tenant, cid, ctx.user_id))


def _release(tenant: str, cid: str) -> None:
    """Give back a slot the gate took for a sign-up that was not written; the first waiting person may take it."""
    for attempt in range(ATTEMPTS):
        try:
            VolCall(*VolCall.keys(tenant, cid)).update(actions=[VolCall.confirmed.add(-1)],
                                                       condition=VolCall.confirmed > 0)
            break
        except UpdateError as e:
            if e.cause_response_code != "TransactionConflictException" or attempt == ATTEMPTS - 1:
                raise
            _backoff(attempt)
    fill(tenant, cid)


REPAIR_AFTER = dt.timedelta(minutes=1)


def _repair(tenant: str, c: VolCall, people: list[Signup]) -> VolCall:
    """A counter above the confirmed sign-ups (a crash between the gate and the sign-up's write) is set right, once
    no slot has been taken for a minute (a sign-up in flight takes milliseconds), conditional on nothing having
    changed since it was read; the freed slots go to the waiting list."""
    actual = sum(1 for s in people if s.status == "confirmed")
    if int(c.confirmed) <= actual or (c.gated_at and c.gated_at > clock.iso(clock.now() - REPAIR_AFTER)):
        return c
    try:
        VolCall(*VolCall.keys(tenant, c.cid)).update(
            actions=[VolCall.confirmed.set(actual)],
            condition=(VolCall.confirmed == int(c.confirmed)) & (VolCall.gated_at == c.gated_at))
    except UpdateError:
        return c  # something changed meanwhile: the next look repairs it
    logger.warning("volunteer call counter repaired", extra={"tenant": tenant, "call": c.cid,
                                                               "counted": int(c.confirmed), "confirmed": actual})
    fill(tenant, c.cid)
    return _load(tenant, c.cid, consistent=True)


def _wait(ctx: TenantContext, tenant: str, cid: str, item) -> dict:
    """Join the waiting list: a ticket (atomic ADD, answered with wait_left), then the sign-up and its waiting item
    in one transaction. A ticket that is not used is counted as having left, so positions stay exact."""
    c = _load(tenant, cid, consistent=True)
    if call_status(c) != "open":
        raise Conflict("招募已结束或已取消", code="call_closed")
    if int(c.wait_seq) - int(c.wait_left) >= MAX_WAITING:
        raise Conflict("候补人数已满", code="waiting_full")
    ticket_of = VolCall(*VolCall.keys(tenant, cid))
    try:
        ticket_of.update(actions=[VolCall.wait_seq.add(1)], condition=VolCall.status == "open")
    except UpdateError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            raise Conflict("招募已结束或已取消", code="call_closed") from e
        raise
    ticket, position = int(ticket_of.wait_seq), int(ticket_of.wait_seq) - int(ticket_of.wait_left)
    sid = uuid.uuid4().hex[:12]
    try:
        for attempt in range(ATTEMPTS):
            try:
                with transact() as tx:
                    tx.save(item("waiting", sid, ticket),
                            condition=Signup.pk.does_not_exist() | (Signup.status == "cancelled"))
                    tx.save(SignupCode(*SignupCode.keys(tenant, cid, sid), uid=ctx.user_id))
                    tx.save(Waiting(*Waiting.keys(tenant, cid, ticket), uid=ctx.user_id))
                break
            except TransactWriteError as e:
                reasons = cancellation_codes(e)
                if "TransactionConflict" not in reasons or attempt == ATTEMPTS - 1:
                    raise
                _backoff(attempt)
    except TransactWriteError as e:
        _ticket_unused(tenant, cid)
        if cancellation_codes(e)[:1] == ["ConditionalCheckFailed"]:
            return call_out(ctx, tenant, _load(tenant, cid, consistent=True), _signup(tenant, cid, ctx.user_id))
        raise ServiceUnavailable() from e
    if int(ticket_of.confirmed) < int(ticket_of.slots):
        fill(tenant, cid)  # a slot was freed between our two writes: the head of the list takes it
    s = _signup(tenant, cid, ctx.user_id)
    c = _load(tenant, cid, consistent=True)
    return call_out(ctx, tenant, c, s, position if s is not None and s.status == "waiting" and
                    int(c.wait_left) == int(ticket_of.wait_left) else None)


def _ticket_unused(tenant: str, cid: str) -> None:
    VolCall(*VolCall.keys(tenant, cid)).update(actions=[VolCall.wait_left.add(1)])


def _head(tenant: str, cid: str) -> Waiting | None:
    res = Waiting.query(VolCall.keys(tenant, cid)[0], Waiting.sk.startswith("W#"), consistent_read=True, limit=1)
    return next(iter(res), None)


def _promote_items(tx, tenant: str, cid: str, head: Waiting) -> None:
    """The first waiting person becomes confirmed, conditional on their still waiting with that ticket."""
    ticket = int(head.sk[2:])
    tx.update(Signup(*Signup.keys(tenant, cid, head.uid)),
              actions=[Signup.status.set("confirmed"), Signup.confirmed_at.set(clock.iso())],
              condition=(Signup.status == "waiting") & (Signup.ticket == ticket))
    tx.delete(Waiting(*Waiting.keys(tenant, cid, ticket)))


def fill(tenant: str, cid: str) -> list[str]:
    """Promote waiting people while slots are free (each its own transaction, conditional on the slot and on their
    still waiting); returns the promoted people's ids (each told by inbox, SMS if they opted in)."""
    promoted = []
    for attempt in range(MAX_WAITING):
        c = _load(tenant, cid, consistent=True)
        if c.status != "open" or int(c.confirmed) >= int(c.slots):
            break
        head = _head(tenant, cid)
        if head is None:
            break
        try:
            with transact() as tx:
                _promote_items(tx, tenant, cid, head)
                tx.update(VolCall(*VolCall.keys(tenant, cid)),
                          actions=[VolCall.confirmed.add(1), VolCall.wait_left.add(1)],
                          condition=(VolCall.status == "open") & (VolCall.confirmed < VolCall.slots))
            promoted.append(head.uid)
        except TransactWriteError as e:
            if "ConditionalCheckFailed" not in cancellation_codes(e):
                _backoff(min(attempt, 5))
            continue
    for uid in promoted:
        _tell_promoted(tenant, c, uid)
    return promoted


def _tell_promoted(tenant: str, c: VolCall, uid: str) -> None:
    from ..inbox import service as inbox

    inbox.deliver(tenant, uid, f"候补成功：{c.title}",
                  f"您报名的紧急招募《{c.title}》已由候补转为确认，请按时到{c.address}参加，签到码在报名页面。",
                  "volunteer")
    s = _signup(tenant, c.cid, uid)
    if s is not None:
        _sms(tenant, s, c.title, "候补成功")


def _sms(tenant: str, s: Signup, title: str, status: str) -> None:
    """An SMS about one's sign-up, if they opted in (rate-limited per county; over the limit: the inbox only)."""
    if not s.sms or not s.phone_enc:
        return
    try:
        auth.rate_limit(SMS_BUCKET, tenant, SMS_PER_HOUR, 3600)
    except TooManyRequests:
        logger.warning("volunteer sms over the county's hourly limit", extra={"tenant": tenant})
        return
    notify.sms().send(pii.decrypt(tenant, s.phone_enc), notify.Sms("volunteer_update", title=title, status=status))


def cancel_mine(ctx: TenantContext, cid: str) -> None:
    """Cancel my sign-up (again: no change). A confirmed one frees its slot: the first waiting person is promoted
    in the same transaction (conditional on their still waiting)."""
    tenant = ctx.require_tenant()
    c = _load(tenant, cid)
    if not _visible(ctx, c):
        raise NotFound("找不到该招募")
    promoted = None
    for attempt in range(ATTEMPTS):
        s = _signup(tenant, cid, ctx.user_id)
        if s is None or s.status == "cancelled":
            return
        if s.checked_in_at:
            raise Conflict("已签到，不能取消报名", code="checked_in")
        now = clock.iso()
        mine = Signup(*Signup.keys(tenant, cid, ctx.user_id))
        leave = [Signup.status.set("cancelled"), Signup.cancelled_at.set(now)]
        head = _head(tenant, cid) if s.status == "confirmed" else None
        try:
            with transact() as tx:
                tx.update(mine, actions=leave, condition=Signup.status == s.status)
                call = VolCall(*VolCall.keys(tenant, cid))
                if s.status == "waiting":
                    tx.delete(Waiting(*Waiting.keys(tenant, cid, int(s.ticket))))
                    tx.update(call, actions=[VolCall.wait_left.add(1)])
                elif head is not None and head.uid != ctx.user_id:
                    _promote_items(tx, tenant, cid, head)
                    tx.update(call, actions=[VolCall.wait_left.add(1)])
                else:
                    tx.update(call, actions=[VolCall.confirmed.add(-1)], condition=VolCall.confirmed > 0)
            promoted = head.uid if (s.status == "confirmed" and head is not None) else None
            break
        except TransactWriteError as e:
            if attempt == ATTEMPTS - 1:
                raise ServiceUnavailable() from e
            _backoff(attempt)
    c = _load(tenant, cid, consistent=True)
    if promoted:
        _tell_promoted(tenant, c, promoted)
    fill(tenant, cid)


# --- roster, export, check-in, hours -------------------------------------------------------------------------------

def _require_organiser(ctx: TenantContext, tenant: str, cid: str) -> VolCall:
    c = _load(tenant, cid, consistent=True)
    if not _may_manage(ctx, c):
        if _visible(ctx, c):
            raise Forbidden("只有发布单位可以查看报名名单", code="forbidden_scope")
        raise NotFound("找不到该招募")
    return c


def _row(tenant: str, s: Signup, position: int | None, reveal: bool) -> dict:
    phone = pii.decrypt(tenant, s.phone_enc) if reveal and s.phone_enc else s.phone_mask
    return {"id": s.sid, "name": s.name, "village": s.village, "phone": phone, "status": s.status,
            "status_name": STATUS_NAMES[s.status], "position": position, "created_at": s.created_at,
            "checked_in_at": s.checked_in_at, "checked_out_at": s.checked_out_at,
            "hours": float(s.hours) if s.hours is not None else None,
            "points": int(s.points) if s.points is not None else None}


def _roster_rows(tenant: str, people: list[Signup], reveal: bool) -> tuple[list[dict], list[dict]]:
    confirmed = sorted((s for s in people if s.status == "confirmed"), key=lambda s: (s.confirmed_at or "", s.sid))
    waiting = sorted((s for s in people if s.status == "waiting"), key=lambda s: int(s.ticket or 0))
    return ([_row(tenant, s, None, reveal) for s in confirmed],
            [_row(tenant, s, i + 1, reveal) for i, s in enumerate(waiting)])


def roster(ctx: TenantContext, cid: str, reveal: bool) -> dict:
    """Confirmed and waiting people (one Query): phones masked, or unmasked for the organiser (`reveal`, recorded
    in the audit log before the answer)."""
    tenant = ctx.require_tenant()
    c = _require_organiser(ctx, tenant, cid)
    if reveal:
        audit.record(tenant, ctx, "volunteer_roster", cid)
    people = _signups(tenant, cid)
    if _repair(tenant, c, people) is not c:
        people = _signups(tenant, cid)
    confirmed, waiting = _roster_rows(tenant, people, reveal)
    return {"call": cid, "title": c.title, "slots": int(c.slots), "confirmed": confirmed, "waiting": waiting,
            "revealed": reveal}


HEADERS = ("状态", "候补序号", "姓名", "村", "手机号", "报名时间", "签到时间", "签退时间", "服务时长（小时）",
           "党员积分")


def workbook(ctx: TenantContext, cid: str) -> dict:
    """The roster as an Excel workbook (phones unmasked: recorded in the audit log) in the media bucket under the
    county's prefix, and a link to it valid 10 minutes (as 网上代办's export)."""
    import io

    from openpyxl import Workbook

    from ..core import files
    from ..core.aws import client
    from ..core.config import settings

    tenant = ctx.require_tenant()
    c = _require_organiser(ctx, tenant, cid)
    audit.record(tenant, ctx, "volunteer_roster_export", cid)
    confirmed, waiting = _roster_rows(tenant, _signups(tenant, cid), True)
    names = places.names(tenant, {r["village"] for r in confirmed + waiting})
    wb = Workbook()
    ws = wb.active
    ws.title = "报名名单"
    ws.append(HEADERS)
    for r in confirmed + waiting:
        ws.append([r["status_name"], r["position"], r["name"], names.get(r["village"], r["village"]), r["phone"],
                   _local(r["created_at"]), _local(r["checked_in_at"]), _local(r["checked_out_at"]),
                   r["hours"], r["points"]])
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = max(10, min(30, 2 + max(
            len(str(x.value or "")) * 2 for x in col)))
    buf = io.BytesIO()
    wb.save(buf)
    key = f"{tenant}/exports/volunteers/{cid}-{uuid.uuid4().hex[:8]}.xlsx"
    client("s3").put_object(Bucket=settings().media_bucket, Key=key, Body=buf.getvalue(),
                            ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return {"url": files.download_url(key, expires=600), "filename": f"志愿者名单-{c.title}.xlsx"}


def _local(iso: str | None) -> str | None:
    """A UTC timestamp as the organiser reads it (Asia/Shanghai, to the minute)."""
    if not iso:
        return None
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _by_code(ctx: TenantContext, cid: str, code: str) -> tuple[str, VolCall, Signup]:
    tenant = ctx.require_tenant()
    c = _require_organiser(ctx, tenant, cid)
    sid = _read_code(tenant, cid, code)
    return tenant, c, _by_sid(tenant, cid, sid, CodeRefused())


def _by_sid(tenant: str, cid: str, sid: str, missing: AppError) -> Signup:
    try:
        uid = SignupCode.get(*SignupCode.keys(tenant, cid, sid)).uid
    except SignupCode.DoesNotExist:
        raise missing from None
    s = _signup(tenant, cid, uid)
    if s is None or s.sid != sid:
        raise missing
    if s.status != "confirmed":
        raise CodeRefused("该报名未确认（候补或已取消）", code="signup_not_confirmed")
    return s


def _set_once(s: Signup, attr, value: str) -> Signup:
    try:
        s.update(actions=[attr.set(value)], condition=attr.does_not_exist() & (Signup.status == "confirmed"))
    except UpdateError as e:
        if e.cause_response_code != "ConditionalCheckFailedException":
            raise
        s.refresh(consistent_read=True)
    return s


def checkin(ctx: TenantContext, cid: str, code: str) -> dict:
    """The organiser scans a confirmed person's code: checked in (again: the same answer)."""
    tenant, c, s = _by_code(ctx, cid, code)
    if s.checked_in_at is None:
        s = _set_once(s, Signup.checked_in_at, clock.iso())
    return _row(tenant, s, None, False)


def checkout(ctx: TenantContext, cid: str, code: str) -> dict:
    """Scanned at the end: checked out, and the hours since check-in (by the half hour, at least half an hour)
    recorded, which gives a party member their points."""
    tenant, c, s = _by_code(ctx, cid, code)
    if s.checked_in_at is None:
        raise CodeRefused("尚未签到，不能签退", code="not_checked_in")
    if s.checked_out_at is None:
        s = _set_once(s, Signup.checked_out_at, clock.iso())
    if s.hours is None:
        start = dt.datetime.fromisoformat(s.checked_in_at.replace("Z", "+00:00"))
        end = dt.datetime.fromisoformat(s.checked_out_at.replace("Z", "+00:00"))
        hours = min(24.0, max(0.5, round((end - start).total_seconds() / 1800) / 2))
        s = _record_hours(tenant, c, s, hours)
    return _row(tenant, s, None, False)


def hours(ctx: TenantContext, cid: str, sid: str, value: float) -> dict:
    """The organiser records a confirmed person's hours (again: the new hours; the points are given once)."""
    tenant = ctx.require_tenant()
    c = _require_organiser(ctx, tenant, cid)
    s = _by_sid(tenant, cid, sid, NotFound("找不到该报名"))
    return _row(tenant, _record_hours(tenant, c, s, round(value * 2) / 2 or 0.5), None, False)


def _record_hours(tenant: str, c: VolCall, s: Signup, value: float) -> Signup:
    """Store the hours; a party member gets the rules' `volunteer` points once per sign-up (ref = sign-up id, the
    ledger's own marker makes a retry give nothing); others get none."""
    s.update(actions=[Signup.hours.set(value)])
    if s.points is not None:
        return s
    from ..vanguard import points as pts
    from ..vanguard import service as vanguard

    try:
        name, village = vanguard.member_info(tenant, s.uid)
    except NotFound:
        return s  # not a party member: no points
    asked = pts.rules_of(tenant)[0]["volunteer"]["points"]
    given, done = pts.award(tenant, s.uid, name=name, village=village, source="volunteer", points=asked,
                            ref=s.sid, note=f"紧急招募：{c.title}"[:60])
    if done:
        s.update(actions=[Signup.points.set(given)])
    return s
