"""Households, members, invite codes and coverage ("households with at least one follower")."""

from __future__ import annotations

import secrets as pysecrets
import uuid
import zlib
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError

from ..core import clock, pii
from ..core.auth import service as auth
from ..core.auth.models import User
from ..core.db import HouseholdsItem, cancellation_codes, save_versioned, transact, tx_update_unversioned
from ..core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.schemas import page_size
from ..core.tenancy import HOUSEHOLD_HEAD, VILLAGER, Grant, TenantContext, grants_from_json
from ..inbox import service as inbox
from ..places import codes
from ..places import service as places
from .models import SHARDS, Coverage, Household, IdNumberIndex, Invite, Member

INVITE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
INVITE_DAYS = 7


def _shard(hid: str) -> int:
    return zlib.crc32(hid.encode()) % SHARDS


def _counter_targets(tenant: str, grid: str, hid: str) -> list[tuple[str, str]]:
    """Grid and village counters exactly; township and county through the household's shard."""
    village, township = grid[:12], grid[:9]
    shard = _shard(hid)
    return [Coverage.keys(tenant, grid), Coverage.keys(tenant, village),
            Coverage.keys(tenant, township, shard), Coverage.keys(tenant, tenant, shard)]


def _member_item(tenant: str, hid: str, m, now: str) -> tuple[Member, IdNumberIndex]:
    mid = uuid.uuid4().hex[:12]
    idno_bidx = pii.blind_index("idno", m.id_number)
    member = Member(*Member.keys(tenant, hid, mid), mid=mid, hid=hid, name=m.name, relation=m.relation,
                    idno_enc=pii.encrypt(tenant, m.id_number), idno_bidx=idno_bidx,
                    phone_enc=pii.encrypt(tenant, m.phone) if m.phone else None,
                    phone_bidx=pii.blind_index("phone", m.phone) if m.phone else None,
                    party_member=m.party_member, outside_person=m.outside_person,
                    from_place=m.from_place if m.outside_person else None, created_at=now, updated_at=now)
    return member, IdNumberIndex(*IdNumberIndex.keys(tenant, idno_bidx), hid=hid, mid=mid)


def _duplicate_ids(e: TransactWriteError, items: list) -> list[int]:
    """Member positions whose ID-number index already existed (items: household, then member/index pairs)."""
    return [(i - 2) // 2 for i, code in enumerate(cancellation_codes(e)) if code == "ConditionalCheckFailed"
            and i < len(items) and isinstance(items[i], IdNumberIndex)]


def create(ctx: TenantContext, grid: str, address: str, members: list, ref: str | None = None) -> Household:
    tenant = ctx.require_tenant()
    ctx.require("households.write", grid)
    if places.find(tenant, grid) is None:
        raise ValidationFailed(details=[{"field": "grid", "code": "unknown_grid", "message": f"网格 {grid} 不存在"}])
    return write_household(tenant, grid, address, members, ref)


def write_household(tenant: str, grid: str, address: str, members: list, ref: str | None = None) -> Household:
    """One TransactWrite: household, members, ID-number uniqueness, coverage counters."""
    now = clock.iso()
    hid = uuid.uuid4().hex[:16]
    head = next(m for m in members if m.relation == "户主")
    hh = Household(*Household.keys(tenant, hid), hid=hid, grid=grid, village=grid[:12], address=address,
                   head_name=head.name, ref=ref, member_count=len(members), follower_count=0, created_at=now,
                   updated_at=now, gsi1pk=Household.village_index(tenant, grid[:12]), gsi1sk=f"{grid}#{hid}")
    saves: list = [(hh, Household.pk.does_not_exist())]
    seen_ids: dict[str, int] = {}
    for i, m in enumerate(members):
        if m.id_number in seen_ids:
            raise ValidationFailed(details=[{"field": f"members.{i}.id_number", "code": "duplicate_id_number",
                                             "message": "同一户内身份证号重复"}])
        seen_ids[m.id_number] = i
        member, idx = _member_item(tenant, hid, m, now)
        saves += [(member, None), (idx, IdNumberIndex.pk.does_not_exist())]
    try:
        with transact() as tx:
            for item, cond in saves:
                tx.save(item, condition=cond)
            for pk, sk in _counter_targets(tenant, grid, hid):
                tx.update(Coverage(pk, sk), actions=[Coverage.households.add(1)])
    except TransactWriteError as e:
        dup = _duplicate_ids(e, [s[0] for s in saves])
        if dup:
            raise Conflict("身份证号已登记在本县其他户中", code="duplicate_id_number",
                           details=[{"field": f"members.{i}.id_number", "code": "duplicate_id_number",
                                     "message": "该身份证号已登记在本县其他户中"} for i in dup]) from e
        raise ServiceUnavailable() from e
    return hh


def _load(tenant: str, hid: str) -> tuple[Household, list[Member]]:
    """Household and members in one Query."""
    hh, members = None, []
    for item in HouseholdsItem.query(Household.keys(tenant, hid)[0]):  # the base model yields every kind
        if isinstance(item, Household):
            hh = item
        elif isinstance(item, Member):
            members.append(item)
    if hh is None:
        raise NotFound("找不到该户")
    return hh, members


def can_read(ctx: TenantContext, hh: Household) -> bool:
    return ctx.can("households.read", hh.grid) or hh.hid in ctx.households()


def get(ctx: TenantContext, hid: str) -> tuple[Household, list[Member]]:
    tenant = ctx.require_tenant()
    hh, members = _load(tenant, hid)
    if not can_read(ctx, hh):
        raise NotFound("找不到该户")  # not 403: do not confirm that another place's household exists
    return hh, members


def list_households(ctx: TenantContext, place: str, unlinked: bool, limit: int | None, cursor: str | None,
                    q: str | None = None) -> dict:
    """A village's or grid's households, one Query per page; `q` narrows to a head's name or an address (a filter:
    a page may come back short, follow next_cursor)."""
    tenant = ctx.require_tenant()
    ctx.require("households.read", place)
    pk = Household.village_index(tenant, place[:12])
    cond = Household.gsi1sk.startswith(f"{place}#") if codes.level_of(place) == "grid" else None
    flt = (Household.follower_count == 0) if unlinked else None
    if q:
        match = Household.head_name.contains(q) | Household.address.contains(q) | Household.ref.contains(q)
        flt = match if flt is None else flt & match
    bound = f"{pk}|{place}|{int(unlinked)}|{q or ''}"  # a cursor is valid only for the listing that produced it
    res = Household.gsi1.query(pk, cond, filter_condition=flt, limit=page_size(limit),
                               last_evaluated_key=decode_cursor(cursor, bound))
    items = list(res)
    return {"items": items, "next_cursor": encode_cursor(res.last_evaluated_key, bound)}


def _write_checked(ctx: TenantContext, hid: str) -> tuple[Household, list[Member]]:
    hh, members = get(ctx, hid)
    if not ctx.can("households.write", hh.grid):
        raise Forbidden("没有权限修改该户", code="forbidden_scope")
    return hh, members


def update(ctx: TenantContext, hid: str, address: str) -> Household:
    hh, _ = _write_checked(ctx, hid)
    hh.address, hh.updated_at = address, clock.iso()
    save_versioned(hh, "该户")
    return hh


def add_member(ctx: TenantContext, hid: str, m) -> Member:
    tenant = ctx.require_tenant()
    hh, members = _write_checked(ctx, hid)
    if m.relation == "户主" and any(x.relation == "户主" for x in members):
        raise ValidationFailed(details=[{"field": "relation", "code": "second_head", "message": "该户已有户主"}])
    if len(members) >= 20:
        raise ValidationFailed("每户最多20人", code="too_many_members")
    now = clock.iso()
    member, idx = _member_item(tenant, hid, m, now)
    hh.member_count = len(members) + 1
    hh.updated_at = now
    try:
        with transact() as tx:
            tx.save(hh)  # the version attribute guards against a concurrent edit
            tx.save(member)
            tx.save(idx, condition=IdNumberIndex.pk.does_not_exist())
    except TransactWriteError as e:
        reasons = cancellation_codes(e)
        if len(reasons) > 2 and reasons[2] == "ConditionalCheckFailed":
            raise Conflict("身份证号已登记", code="duplicate_id_number") from e
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise Conflict("该户刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise ServiceUnavailable() from e
    return member


def update_member(ctx: TenantContext, hid: str, mid: str, patch) -> Member:
    """Change the fields sent (MemberUpdate). A new ID number moves its uniqueness index in the same transaction."""
    tenant = ctx.require_tenant()
    hh, members = _write_checked(ctx, hid)
    member = next((x for x in members if x.mid == mid), None)
    if member is None:
        raise NotFound("找不到该成员")
    relation = patch.relation or member.relation
    if relation == "户主" and any(x.relation == "户主" and x.mid != mid for x in members):
        raise ValidationFailed(details=[{"field": "relation", "code": "second_head", "message": "该户已有户主"}])
    if member.relation == "户主" and relation != "户主" and len(members) > 1:
        raise ValidationFailed(details=[{"field": "relation", "code": "head_required",
                                         "message": "请先将其他成员设为户主"}])
    outside = member.outside_person if patch.outside_person is None else patch.outside_person
    from_place = patch.from_place if patch.from_place is not None else member.from_place
    if outside and not from_place:
        raise ValidationFailed(details=[{"field": "from_place", "code": "missing",
                                         "message": "外来人员须填写来自何处"}])
    now = clock.iso()
    old_bidx = member.idno_bidx
    if patch.name:
        member.name = patch.name
    member.relation = relation
    if patch.id_number:
        member.idno_enc, member.idno_bidx = pii.encrypt(tenant, patch.id_number), pii.blind_index("idno",
                                                                                                  patch.id_number)
    if patch.phone == "":
        member.phone_enc = member.phone_bidx = None
    elif patch.phone:
        member.phone_enc, member.phone_bidx = pii.encrypt(tenant, patch.phone), pii.blind_index("phone", patch.phone)
    if patch.party_member is not None:
        member.party_member = patch.party_member
    member.outside_person, member.from_place = outside, (from_place if outside else None)
    member.updated_at = now
    if relation == "户主":
        hh.head_name = member.name
    hh.updated_at = now
    try:
        with transact() as tx:
            tx.save(hh)  # versioned
            tx.save(member)
            if member.idno_bidx != old_bidx:
                tx.save(IdNumberIndex(*IdNumberIndex.keys(tenant, member.idno_bidx), hid=hid, mid=mid),
                        condition=IdNumberIndex.pk.does_not_exist())
                tx.delete(IdNumberIndex(*IdNumberIndex.keys(tenant, old_bidx)))
    except TransactWriteError as e:
        reasons = cancellation_codes(e)
        # PynamoDB sends a transaction's deletes before its puts: with a new ID number the items are
        # [old index (delete), household, member, new index]; otherwise [household, member].
        hh_at, idx_at = (1, 3) if member.idno_bidx != old_bidx else (0, None)
        if idx_at is not None and len(reasons) > idx_at and reasons[idx_at] == "ConditionalCheckFailed":
            raise Conflict("身份证号已登记", code="duplicate_id_number",
                           details=[{"field": "id_number", "code": "duplicate_id_number",
                                     "message": "该身份证号已登记在本县其他户中"}]) from e
        if len(reasons) > hh_at and reasons[hh_at] == "ConditionalCheckFailed":
            raise Conflict("该户刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise ServiceUnavailable() from e
    return member


def remove_member(ctx: TenantContext, hid: str, mid: str) -> None:
    tenant = ctx.require_tenant()
    hh, members = _write_checked(ctx, hid)
    member = next((m for m in members if m.mid == mid), None)
    if member is None:
        raise NotFound("找不到该成员")
    if member.relation == "户主" and len(members) > 1:
        raise ValidationFailed("请先指定新的户主再移除原户主", code="head_required")
    hh.member_count = len(members) - 1
    hh.updated_at = clock.iso()
    try:
        with transact() as tx:
            tx.save(hh)
            tx.delete(member)
            tx.delete(IdNumberIndex(*IdNumberIndex.keys(tenant, member.idno_bidx)))
    except TransactWriteError as e:
        if "ConditionalCheckFailed" in cancellation_codes(e):
            raise Conflict("该户刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise ServiceUnavailable() from e  # throttled or an outage: a retry may succeed


# --- invite codes and linking ---------------------------------------------------------------------------------

def create_invite(ctx: TenantContext, hid: str, head: bool) -> dict:
    tenant = ctx.require_tenant()
    hh, _ = _write_checked(ctx, hid)
    code = "".join(pysecrets.choice(INVITE_ALPHABET) for _ in range(8))
    expires = clock.now() + timedelta(days=INVITE_DAYS)
    invite = Invite(*Invite.keys(code), code=code, tenant=tenant, hid=hid, head=head, created_by=ctx.user_id,
                    expires=int(expires.timestamp()))
    old = hh.invite_code
    hh.invite_code, hh.updated_at = code, clock.iso()
    try:
        with transact() as tx:
            tx.save(invite, condition=Invite.pk.does_not_exist())
            tx.save(hh)
            if old:
                tx.delete(Invite(*Invite.keys(old)))
    except TransactWriteError as e:
        if "ConditionalCheckFailed" in cancellation_codes(e):
            raise Conflict("请重试", code="version_conflict") from e
        raise ServiceUnavailable() from e  # throttled or an outage: a retry may succeed
    return {"code": code, "expires_at": clock.iso(expires)}


def redeem(ctx: TenantContext, code: str, name: str | None) -> dict:
    """A signed-in person links their phone to a household. Returns a session in the household's county."""
    try:
        invite = Invite.get(*Invite.keys(code), consistent_read=True)
    except Invite.DoesNotExist:
        raise NotFound("邀请码无效，请向网格员确认", code="invalid_invite") from None
    if (invite.expires or 0) <= clock.epoch():
        raise NotFound("邀请码已过期，请向网格员重新获取", code="invite_expired")
    tenant = invite.tenant
    from ..core import counties

    county = counties.get(tenant)
    if county is None or county.status != "active":
        raise Forbidden("所属县已停用", code="county_disabled")
    for _ in range(3):
        try:
            return _link(ctx, tenant, invite, name)
        except _Retry:
            continue
    raise ServiceUnavailable()


class _Retry(Exception):  # noqa: N818
    pass


def _link(ctx: TenantContext, tenant: str, invite: Invite, name: str | None) -> dict:
    hh, members = _load(tenant, invite.hid)
    grants = [Grant(VILLAGER, hh.grid, hh.hid)] + ([Grant(HOUSEHOLD_HEAD, hh.grid, hh.hid)] if invite.head else [])
    membership = {m.tenant: m for m in auth.memberships(ctx.identity)}.get(tenant)
    user: User | None = auth.get_user(tenant, membership.uid) if membership else None
    already = user is not None and any(g.household == hh.hid for g in grants_from_json(user.grants))
    if user is None:
        # A member registered with this phone gives the name; otherwise what the person typed.
        match = next((m for m in members if m.phone_bidx and m.phone_bidx == ctx.identity), None)
        display = name or (match.name if match else "村民")
        user, items = auth.new_user(tenant, auth.identity_phone(ctx.identity), display, grants,
                                    invited_by=invite.created_by)
    elif auth.with_grants(user, grants):
        items = [(user, None)]
    else:
        return auth.session_for(user, tenant)  # linked before: nothing to change
    first = hh.follower_count == 0 and not already
    if not already:
        hh.follower_count = hh.follower_count + 1
        hh.updated_at = clock.iso()
        items.append((hh, None))
    try:
        with transact() as tx:
            for item, cond in items:
                tx.save(item, condition=cond)
            if first:
                for pk, sk in _counter_targets(tenant, hh.grid, hh.hid):
                    tx.update(Coverage(pk, sk), actions=[Coverage.followed.add(1)])
    except TransactWriteError as e:
        raise _Retry() from e
    inbox.deliver(tenant, user.uid, "已关联家庭", f"您已关联到 {hh.address}（户主：{hh.head_name}）。")
    return auth.session_for(user, tenant)


# --- coverage -------------------------------------------------------------------------------------------------

def _coverage_keys(tenant: str, place: str) -> list[tuple[str, str]]:
    level = codes.level_of(place)
    if level in ("grid", "village"):
        return [Coverage.keys(tenant, place)]
    return [Coverage.keys(tenant, place, s) for s in range(SHARDS)]


def coverage(ctx: TenantContext, place: str, with_children: bool) -> dict:
    """Households and followed households for a place (and optionally its direct children): one BatchGet per
    100 counter items, whatever the number of households."""
    tenant = ctx.require_tenant()
    ctx.require("coverage.read", place)
    targets = [place]
    names: dict[str, str] = {}
    if with_children:
        page = places.children(ctx, place, 100, None)  # townships, villages and grids: well under 100 children
        targets += [p.code for p in page["items"]]
        names = {p.code: p.name for p in page["items"]}
    wanted = {t: _coverage_keys(tenant, t) for t in targets}
    all_keys = [k for ks in wanted.values() for k in ks]
    got: dict[tuple[str, str], Coverage] = {}
    for i in range(0, len(all_keys), 100):
        for item in Coverage.batch_get(all_keys[i:i + 100]):
            got[(item.pk, item.sk)] = item
    out = []
    for t, ks in wanted.items():
        total = sum(int(got[k].households) for k in ks if k in got)
        followed = sum(int(got[k].followed) for k in ks if k in got)
        out.append({"place": t, "name": names.get(t), "households": total, "followed": followed,
                    "rate": round(followed / total, 4) if total else 0.0})
    return {"place": out[0], "children": out[1:]}


# --- spreadsheet imports (all or nothing) ------------------------------------------------------------------------

def validate_rows(tenant: str, rows: list[dict], truthy) -> tuple[list[dict], list[dict]]:
    """One row per member, grouped by the household number (`ref`). Returns (households, errors)."""
    from pydantic import ValidationError

    from ..core.errors import field_errors
    from .schemas import MemberIn

    errors: list[dict] = []
    groups: dict[str, dict] = {}
    id_rows: dict[str, int] = {}
    for r in rows:
        n = r["row"]
        ref = r.get("ref", "")
        if not ref:
            errors.append({"row": n, "field": "ref", "code": "missing", "message": "户编号必填"})
            continue
        g = groups.setdefault(ref, {"ref": ref, "grid": r.get("grid", ""), "address": r.get("address", ""),
                                    "members": [], "rows": [], "first_row": n})
        g["rows"].append(n)
        if r.get("grid") and r["grid"] != g["grid"]:
            errors.append({"row": n, "field": "grid", "code": "inconsistent",
                           "message": f"与第{g['first_row']}行同一户的网格编码不一致"})
        try:
            m = MemberIn.model_validate({
                "name": r.get("name", ""), "relation": r.get("relation", ""), "id_number": r.get("id_number", ""),
                "phone": r.get("phone") or None, "party_member": truthy(r.get("party_member", "")),
                "outside_person": truthy(r.get("outside_person", "")), "from_place": r.get("from_place") or None})
        except ValidationError as e:
            errors += [{"row": n, **fe} for fe in field_errors(e.errors())]
            continue
        if m.id_number in id_rows:
            errors.append({"row": n, "field": "id_number", "code": "duplicate_in_file",
                           "message": f"身份证号与第{id_rows[m.id_number]}行重复"})
            continue
        id_rows[m.id_number] = n
        g["members"].append((n, m))
    grid_codes = {g["grid"] for g in groups.values()}
    for g in groups.values():
        n = g["first_row"]
        if not g["grid"] or codes.level_of(g["grid"]) != "grid" or not g["grid"].startswith(tenant):
            errors.append({"row": n, "field": "grid", "code": "invalid_code",
                           "message": "网格编码格式不正确或不属于本县"})
            grid_codes.discard(g["grid"])
        if not g["address"]:
            errors.append({"row": n, "field": "address", "code": "missing", "message": "地址必填"})
        heads = [m for _, m in g["members"] if m.relation == "户主"]
        if len(g["members"]) and len(heads) != 1:
            errors.append({"row": n, "field": "relation", "code": "one_head_required",
                           "message": f"户 {g['ref']} 须有且只有一位户主"})
        if len(g["rows"]) > 20:
            errors.append({"row": n, "field": "ref", "code": "too_many_members", "message": "每户最多20人"})
    present = places.existing(tenant, sorted(grid_codes))
    for g in groups.values():
        if g["grid"] in grid_codes and g["grid"] not in present:
            errors.append({"row": g["first_row"], "field": "grid", "code": "unknown_parent",
                           "message": f"网格 {g['grid']} 不存在"})
    # ID numbers already registered in the county (BatchGet on the blind-index items).
    by_key = {IdNumberIndex.keys(tenant, pii.blind_index("idno", idno)): row for idno, row in id_rows.items()}
    keys = list(by_key)
    for i in range(0, len(keys), 100):
        for hit in IdNumberIndex.batch_get(keys[i:i + 100]):
            errors.append({"row": by_key[(hit.pk, hit.sk)], "field": "id_number", "code": "duplicate_id_number",
                           "message": "身份证号已登记在本县"})
    errors.sort(key=lambda e: (e["row"], e["field"]))
    households = [{"ref": g["ref"], "grid": g["grid"], "address": g["address"],
                   "members": [m for _, m in g["members"]]} for g in groups.values()]
    return households, errors


def delete_household(tenant: str, hid: str) -> None:
    """Compensation for an import that failed part-way: remove the household and undo its counters."""
    hh, members = _load(tenant, hid)
    with transact() as tx:
        tx.delete(hh)
        for m in members:
            tx.delete(m)
            tx.delete(IdNumberIndex(*IdNumberIndex.keys(tenant, m.idno_bidx)))
        for pk, sk in _counter_targets(tenant, hh.grid, hh.hid):
            tx.update(Coverage(pk, sk), actions=[Coverage.households.add(-1)])


# --- for the daily report (chalicelib/daily_report talks to households through these) ---------------------------

def load(tenant: str, hid: str) -> tuple[Household, list[Member]]:
    """A household and its members (404 when missing); callers check who may act on it."""
    return _load(tenant, hid)


def mark_reported(tx, tenant: str, hid: str, date: str) -> None:
    """Add "reported on `date`" to a report's TransactWrite, without the household's version (see db)."""
    pk, sk = Household.keys(tenant, hid)
    tx_update_unversioned(tx, Household, pk, sk, actions=[Household.last_report_date.set(date)],
                          condition=Household.pk.exists())


def unreported(tenant: str, grid: str, date: str, limit: int | None, cursor: str | None) -> dict:
    """A grid's households without a report on `date` (today): ONE Query of the village index per page — the
    grid's range of the sort key, filtered on `last_report_date`, read to the end of the grid (or 1 MB, a few
    thousand households) in that one call; the page returns the first `limit` matches and a cursor after them.
    (PynamoDB's own `limit` would issue further Queries until it has `limit` matches: late in the morning, when
    few are left, that is one call per handful of households.)"""
    pk = Household.village_index(tenant, grid[:12])
    bound = f"unreported|{pk}|{grid}|{date}"
    n = page_size(limit)
    flt = Household.last_report_date.does_not_exist() | (Household.last_report_date != date)
    raw = Household._get_connection().query(
        pk, range_key_condition=Household.gsi1sk.startswith(f"{grid}#"), filter_condition=flt, index_name="gsi1",
        exclusive_start_key=decode_cursor(cursor, bound))
    found = [h for h in (HouseholdsItem.from_raw_data(i) for i in raw.get("Items", [])) if isinstance(h, Household)]
    page = found[:n]
    if len(found) > n:  # more matches in this read: continue after the last one returned
        last = page[-1]
        next_key = {"pk": {"S": last.pk}, "sk": {"S": last.sk}, "gsi1pk": {"S": last.gsi1pk},
                    "gsi1sk": {"S": last.gsi1sk}}
    else:
        next_key = raw.get("LastEvaluatedKey")
    return {"items": page, "next_cursor": encode_cursor(next_key, bound)}


def grid_households(tenant: str, grid: str) -> list[Household]:
    """Every household of a grid (a batch job's read: one Query per 1 MB page)."""
    pk = Household.village_index(tenant, grid[:12])
    return list(Household.gsi1.query(pk, Household.gsi1sk.startswith(f"{grid}#")))


def expected_households(tenant: str, place_codes: list[str]) -> dict[str, int]:
    """Households registered per place, from the coverage counters: one BatchGet per 100 counter items."""
    wanted = {p: _coverage_keys(tenant, p) for p in place_codes}
    all_keys = [k for ks in wanted.values() for k in ks]
    got: dict[tuple[str, str], int] = {}
    for i in range(0, len(all_keys), 100):
        for item in Coverage.batch_get(all_keys[i:i + 100]):
            got[(item.pk, item.sk)] = int(item.households)
    return {p: sum(got.get(k, 0) for k in ks) for p, ks in wanted.items()}


def get_many(tenant: str, hids: list[str]) -> dict[str, Household]:
    """Households by id without their members: one BatchGet per 100."""
    keys = [Household.keys(tenant, h) for h in dict.fromkeys(hids)]
    out: dict[str, Household] = {}
    for i in range(0, len(keys), 100):
        out.update({h.hid: h for h in Household.batch_get(keys[i:i + 100])})
    return out
