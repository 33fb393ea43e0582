"""Households, members, invite codes and coverage ("households with at least one follower")."""

from __future__ import annotations

import re
import secrets as pysecrets
import uuid
import zlib
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.operand import Path

from ..core import clock, pii
from ..core.auth import service as auth
from ..core.auth.models import User
from ..core.config import page_size
from ..core.db import HouseholdsItem, cancellation_codes, save_versioned, transact, tx_update_unversioned
from ..core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, ValidationFailed
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import HOUSEHOLD_HEAD, VILLAGER, Grant, TenantContext, grants_from_json, within
from ..inbox import service as inbox
from ..places import codes
from ..places import service as places
from .models import (
    SHARDS,
    AddressIndex,
    Coverage,
    Household,
    HouseholdRef,
    HouseholdSeq,
    IdNumberIndex,
    Invite,
    Member,
    MemberPhoneIndex,
    canonical_ref,
    normal_address,
)

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


TOWNSHIP_ATTR = {"households": "h_", "followed": "f_"}  # a township's figures on the county's shards: h_{001}


def township_attr(field: str, township: str) -> str:
    """The attribute of a township's figure on the county's shards: the prefix and the township's own 3 digits
    (its code after the county's), short so that a shard of a county of 40 townships stays within 1 KB (1 WCU)."""
    return f"{TOWNSHIP_ATTR[field]}{township[6:]}"


def _counter_updates(tenant: str, grid: str, hid: str, field: str, n: int) -> list[tuple[Coverage, list]]:
    """ADD `n` to `field` (households or followed) of every counter of the household (_counter_targets); the
    county's shard also gets the township's own figure (`h_{nnn}` / `f_{nnn}`, nnn: the township code's last 3
    digits; undeclared on the model), so that the county's 8 shards answer every township at once
    (coverage_counts)."""
    attr = Coverage.households if field == "households" else Coverage.followed
    out = [(Coverage(pk, sk), [attr.add(n)]) for pk, sk in _counter_targets(tenant, grid, hid)]
    out[-1][1].append(Path(township_attr(field, grid[:9])).add(n))  # the county's shard (last)
    return out


class Writes:
    """The items of one TransactWrite, each with a tag, so that a cancellation reason can be traced back to its
    item: DynamoDB gives the reasons in the order PynamoDB sends the items (deletes, then puts, then updates)."""

    def __init__(self):
        self.checks: list = []
        self.deletes: list = []
        self.puts: list = []
        self.updates: list = []

    def check(self, model, keys: tuple[str, str], condition, tag=None) -> None:
        """A condition on an item the transaction does not write (sent first)."""
        self.checks.append((model, keys, condition, tag))

    def put(self, item, condition=None, tag=None) -> None:
        self.puts.append((item, condition, tag))

    def delete(self, item, condition=None, tag=None) -> None:
        self.deletes.append((item, condition, tag))

    def update(self, item, actions: list, tag=None) -> None:
        self.updates.append((item, actions, tag))

    def __len__(self) -> int:
        return len(self.checks) + len(self.deletes) + len(self.puts) + len(self.updates)

    def run(self) -> None:
        with transact() as tx:
            for model, keys, cond, _ in self.checks:
                tx.condition_check(model, *keys, condition=cond)
            for item, cond, _ in self.deletes:
                tx.delete(item, condition=cond)
            for item, cond, _ in self.puts:
                tx.save(item, condition=cond)
            for item, actions, _ in self.updates:
                tx.update(item, actions=actions)

    def failed(self, e: TransactWriteError) -> list:
        """Tags of the items whose condition failed."""
        tags = [t for *_, t in self.checks] + [t for *_, t in self.deletes] + [t for *_, t in self.puts] + \
            [t for *_, t in self.updates]
        return [tags[i] for i, code in enumerate(cancellation_codes(e)) if code == "ConditionalCheckFailed"
                and i < len(tags)]


def _member_item(tenant: str, hh: Household, m, now: str) -> tuple[Member, IdNumberIndex, MemberPhoneIndex | None]:
    mid = uuid.uuid4().hex[:12]
    idno_bidx = pii.county_blind_index(tenant, "idno", m.id_number)
    phone_bidx = pii.county_blind_index(tenant, "phone", m.phone) if m.phone else None
    member = Member(*Member.keys(tenant, hh.hid, mid), mid=mid, hid=hh.hid, grid=hh.grid, name=m.name,
                    relation=m.relation, idno_enc=pii.encrypt(tenant, m.id_number), idno_bidx=idno_bidx,
                    phone_enc=pii.encrypt(tenant, m.phone) if m.phone else None, phone_bidx=phone_bidx,
                    idno_mask=pii.mask_id_number(m.id_number), phone_mask=pii.mask_phone(m.phone),
                    party_member=m.party_member, outside_person=m.outside_person,
                    from_place=m.from_place if m.outside_person else None, created_at=now, updated_at=now)
    member.index_name(tenant)
    phone = MemberPhoneIndex(*MemberPhoneIndex.keys(tenant, phone_bidx, hh.hid, mid), hid=hh.hid, mid=mid) \
        if phone_bidx else None
    return member, IdNumberIndex(*IdNumberIndex.keys(tenant, idno_bidx), hid=hh.hid, mid=mid), phone


def id_number_free_before_reindex(w: Writes, tenant: str, id_number: str, tag, own: str | None = None) -> None:
    """Until the county is re-indexed (households/reindex.py), an ID number may still be registered under the
    platform key's index: the transaction also requires that item to be absent (`own`: the member's own old index,
    which the transaction deletes)."""
    for legacy in pii.county_blind_indexes(tenant, "idno", id_number)[1:]:
        if legacy != own:
            w.check(IdNumberIndex, IdNumberIndex.keys(tenant, legacy), IdNumberIndex.pk.does_not_exist(), tag=tag)


def add_member_writes(w: Writes, tenant: str, hh: Household, m, now: str, tag) -> Member:
    """The items of a new member: the member (with its name-index keys), its ID number (which must be free) and its
    phone index entry."""
    member, idx, phone = _member_item(tenant, hh, m, now)
    w.put(member)
    w.put(idx, IdNumberIndex.pk.does_not_exist(), tag=tag)
    id_number_free_before_reindex(w, tenant, m.id_number, tag)
    if phone is not None:
        w.put(phone)
    return member


# --- household numbers (户编号) -------------------------------------------------------------------------------------

REF_TRIES = 5


def auto_ref(village: str, n: int) -> str:
    """The number a household gets when it comes without one: its village's code and a sequence, 330825001201-0173."""
    return f"{village}-{n:04d}"


def next_ref(tenant: str, village: str) -> str:
    """Hand out the next number of a village: one atomic ADD on the village's sequence item, so two grid workers
    adding households at once never get the same number, and a number once handed out is never handed out again
    (a failed creation leaves a gap, not a reuse)."""
    pk, sk = HouseholdSeq.keys(tenant, village)
    out = HouseholdSeq._get_connection().update_item(
        pk, range_key=sk, actions=[HouseholdSeq.last.add(1), HouseholdSeq.kind.set(HouseholdSeq)],
        return_values="UPDATED_NEW")
    return auto_ref(village, int(out["Attributes"]["last"]["N"]))


def auto_number(village: str, ref: str | None) -> int | None:
    """The sequence number of a number in the village's automatic form (330825001201-0173 → 173), else None."""
    m = re.fullmatch(rf"{village}-([0-9]{{1,9}})", canonical_ref(ref or ""))
    return int(m.group(1)) if m else None


def note_ref(tenant: str, village: str, ref: str | None) -> bool:
    """A household that brought its own number in the village's automatic form (an import of numbers handed out
    earlier, the demo data) moves the sequence past it, so the next automatic number does not collide with it.
    True when the sequence moved."""
    n = auto_number(village, ref)
    if n is None:
        return False
    from pynamodb.exceptions import UpdateError

    pk, sk = HouseholdSeq.keys(tenant, village)
    try:
        HouseholdSeq._get_connection().update_item(
            pk, range_key=sk, actions=[HouseholdSeq.last.set(n), HouseholdSeq.kind.set(HouseholdSeq)],
            condition=HouseholdSeq.last.does_not_exist() | (HouseholdSeq.last < n))
    except UpdateError as e:
        if e.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def find_refs(tenant: str, refs: list[str]) -> dict[str, HouseholdRef]:
    """The households of these numbers (canonical number → index item): one BatchGet per 100."""
    keys = list(dict.fromkeys(HouseholdRef.keys(tenant, r) for r in refs))
    out: dict[str, HouseholdRef] = {}
    for i in range(0, len(keys), 100):
        for item in HouseholdRef.batch_get(keys[i:i + 100]):
            out[item.pk.split("#", 2)[2]] = item
    return out


# --- where a duplicate is registered ---------------------------------------------------------------------------

def mask_head(name: str | None) -> str:
    """张建明 → 张*明, 王五 → 王*, 欧阳小明 → 欧**明: enough to recognise, not enough to identify."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*" * (len(name) - 1)
    return name[0] + "*" * (len(name) - 2) + name[-1]


def describe(ctx: TenantContext | None, tenant: str, hids) -> dict[str, str]:
    """hid → "张王村（户编号 …，户主 张*明）" for each household the caller may read (the others are left out): one
    BatchGet of the households (per 100) and one of their villages' names, however many households."""
    found = get_many(tenant, list(hids))
    visible = [h for h in found.values() if ctx is not None and ctx.can("households.read", h.grid)]
    if not visible:
        return {}
    names = places.names(tenant, {h.village for h in visible})
    return {h.hid: f"{names.get(h.village, h.village)}（户编号 {h.ref or '无'}，户主 {mask_head(h.head_name)}）"
            for h in visible}


def describe_households(ctx: TenantContext | None, tenant: str, hids: list[str]) -> list[str]:
    """The descriptions of `describe`, in the order of `hids`."""
    seen = describe(ctx, tenant, hids)
    return [seen[h] for h in dict.fromkeys(hids) if h in seen]


def registered_at(where: str | None) -> str:
    """The message for an ID number registered in another household: where, or only "elsewhere" when the caller
    may not read that household."""
    return f"该身份证号已登记在{where}" if where else "该身份证号已在本县其他地方登记（不在您管理的范围内）"


def where_registered(ctx: TenantContext | None, tenant: str, id_number: str, own_hid: str | None = None) -> str:
    """Where an ID number is already registered, as far as the caller's places allow: the village and the masked
    head of its household when the caller may read that household, only "elsewhere in the county" otherwise."""
    return where_registered_many(ctx, tenant, [id_number], own_hid)[0]


def where_registered_many(ctx: TenantContext | None, tenant: str, id_numbers: list[str],
                          own_hid: str | None = None) -> list[str]:
    """`where_registered` for several ID numbers at once (a new household's members): one BatchGet of their
    index items, one of the households and one of the villages' names, however many numbers."""
    bidx = [pii.county_blind_indexes(tenant, "idno", n) for n in id_numbers]  # + the platform's until re-indexed
    keys = list(dict.fromkeys(IdNumberIndex.keys(tenant, b) for tried in bidx for b in tried))
    idx: dict[str, IdNumberIndex] = {}
    for i in range(0, len(keys), 100):
        idx.update({item.pk: item for item in IdNumberIndex.batch_get(keys[i:i + 100])})
    others = {i.hid for i in idx.values() if i.hid != own_hid}
    where = describe(ctx, tenant, others) if others else {}
    out = []
    for tried in bidx:
        hit = next((idx[k] for k in (IdNumberIndex.keys(tenant, b)[0] for b in tried) if k in idx), None)
        if hit is None:
            out.append("该身份证号已登记在本县其他户中")
        elif own_hid is not None and hit.hid == own_hid:
            out.append("该身份证号已是本户成员")
        else:
            out.append(registered_at(where.get(hit.hid)))
    return out


def address_hits(tenant: str, village: str, address: str, exclude: str | None = None) -> list[str]:
    """The other households of the village at this address (one Query of the address index)."""
    return [a.hid for a in AddressIndex.query(AddressIndex.partition(tenant, village, address), limit=10)
            if a.hid != exclude]


def address_warning(seen: list[str]) -> dict:
    """The duplicate-address warning, naming the households the caller may read (`describe`)."""
    message = ("本村已有地址相同的住户：" + "；".join(seen)) if seen else "本村已有地址相同的住户（在其他网格）"
    return {"code": "duplicate_address", "field": "address",
            "message": message + "。如是分户可忽略，否则请核对是否重复登记。"}


def address_warnings(ctx: TenantContext | None, tenant: str, village: str, address: str,
                     exclude: str | None = None) -> list[dict]:
    """A warning when another household of the village has the same address (one Query; a shared address is not
    refused: a household split off under the same roof has its own number but the same door)."""
    hits = address_hits(tenant, village, address, exclude)
    return [address_warning(describe_households(ctx, tenant, hits))] if hits else []


class DuplicateIds(Conflict):
    def __init__(self, positions: list[int]):
        super().__init__("身份证号已登记在本县其他户中", code="duplicate_id_number",
                         details=[{"field": f"members.{i}.id_number", "code": "duplicate_id_number",
                                   "message": "该身份证号已登记在本县其他户中"} for i in positions])
        self.positions = positions


def create(ctx: TenantContext, grid: str, address: str, members: list,
           ref: str | None = None) -> tuple[Household, list[dict]]:
    """A household added by hand (in the field, or in the console): numbered automatically unless `ref` is given.
    Returns the household and warnings (a likely duplicate address)."""
    tenant = ctx.require_tenant()
    ctx.require("households.write", grid)
    if places.find(tenant, grid) is None:
        raise ValidationFailed(details=[{"field": "grid", "code": "unknown_grid", "message": f"网格 {grid} 不存在"}])
    warnings = address_warnings(ctx, tenant, grid[:12], address)
    try:
        hh = write_household(tenant, grid, address, members, ref)
    except DuplicateIds as e:
        where = where_registered_many(ctx, tenant, [members[i].id_number for i in e.positions])
        raise Conflict("身份证号已登记", code="duplicate_id_number", details=[
            {"field": f"members.{i}.id_number", "code": "duplicate_id_number", "message": msg}
            for i, msg in zip(e.positions, where, strict=True)]) from None
    return hh, warnings


def write_household(tenant: str, grid: str, address: str, members: list, ref: str | None = None) -> Household:
    """One TransactWrite: household, its number (which must be free), members with their name index, ID-number
    uniqueness and phone index, the address index entry and the coverage counters. Without `ref` the household gets
    the next number of its village; a number taken meanwhile by an import is skipped."""
    village = grid[:12]
    seen_ids: dict[str, int] = {}
    for i, m in enumerate(members):
        if m.id_number in seen_ids:
            raise ValidationFailed(details=[{"field": f"members.{i}.id_number", "code": "duplicate_id_number",
                                             "message": "同一户内身份证号重复"}])
        seen_ids[m.id_number] = i
    for _ in range(REF_TRIES):
        number = ref or next_ref(tenant, village)
        taken = _write_household(tenant, grid, address, members, number)
        if isinstance(taken, Household):
            if ref:
                note_ref(tenant, village, ref)
            return taken
        if ref:
            raise Conflict(f"户编号 {ref} 已被使用", code="duplicate_ref",
                           details=[{"field": "ref", "code": "duplicate_ref", "message": f"户编号 {ref} 已被使用"}])
    raise ServiceUnavailable()


def _write_household(tenant: str, grid: str, address: str, members: list, ref: str) -> Household | None:
    """The write itself; None when the number is taken (the caller takes the next one)."""
    now = clock.iso()
    hid = uuid.uuid4().hex[:16]
    village = grid[:12]
    head = next(m for m in members if m.relation == "户主")
    hh = Household(*Household.keys(tenant, hid), hid=hid, grid=grid, village=village, address=address,
                   head_name=head.name, ref=ref, member_count=len(members), follower_count=0, created_at=now,
                   updated_at=now, gsi1pk=Household.village_index(tenant, village),
                   gsi1sk=Household.order_key(grid, ref, hid))
    w = Writes()
    w.put(hh, Household.pk.does_not_exist())
    w.put(HouseholdRef(*HouseholdRef.keys(tenant, ref), hid=hid, village=village), HouseholdRef.pk.does_not_exist(),
          tag="ref")
    w.put(AddressIndex(*AddressIndex.keys(tenant, village, address, hid), hid=hid, grid=grid))
    for i, m in enumerate(members):
        added = add_member_writes(w, tenant, hh, m, now, tag=i)
        if m is head:
            hh.head_mid = added.mid  # (the items are serialised when the transaction runs)
    for item, actions in _counter_updates(tenant, grid, hid, "households", 1):
        w.update(item, actions)
    try:
        w.run()
    except TransactWriteError as e:
        failed = w.failed(e)
        dup = [t for t in failed if isinstance(t, int)]
        if dup:
            raise DuplicateIds(dup) from e
        if "ref" in failed:
            return None
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


def update(ctx: TenantContext, hid: str, address: str) -> tuple[Household, list[dict]]:
    """Change the address (and move its address-index entry in the same transaction); warns when another household
    of the village has the new address."""
    tenant = ctx.require_tenant()
    hh, _ = _write_checked(ctx, hid)
    old = hh.address
    hh.address, hh.updated_at = address, clock.iso()
    if normal_address(old) == normal_address(address):
        save_versioned(hh, "该户")
        return hh, []
    warnings = address_warnings(ctx, tenant, hh.village, address, exclude=hid)
    w = Writes()
    w.delete(AddressIndex(*AddressIndex.keys(tenant, hh.village, old, hid)))
    w.put(hh, tag="household")  # versioned
    w.put(AddressIndex(*AddressIndex.keys(tenant, hh.village, address, hid), hid=hid, grid=hh.grid))
    try:
        w.run()
    except TransactWriteError as e:
        if "household" in w.failed(e):
            raise Conflict("该户刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise ServiceUnavailable() from e
    return hh, warnings


def add_member(ctx: TenantContext, hid: str, m) -> Member:
    tenant = ctx.require_tenant()
    hh, members = _write_checked(ctx, hid)
    if m.relation == "户主" and any(x.relation == "户主" for x in members):
        raise ValidationFailed(details=[{"field": "relation", "code": "second_head", "message": "该户已有户主"}])
    if len(members) >= 20:
        raise ValidationFailed("每户最多20人", code="too_many_members")
    now = clock.iso()
    hh.member_count = len(members) + 1
    hh.updated_at = now
    w = Writes()
    w.put(hh, tag="household")  # the version attribute guards against a concurrent edit
    member = add_member_writes(w, tenant, hh, m, now, tag="id_number")
    if m.relation == "户主":
        hh.head_mid = member.mid
    try:
        w.run()
    except TransactWriteError as e:
        failed = w.failed(e)
        if "id_number" in failed:
            raise Conflict("身份证号已登记", code="duplicate_id_number", details=[
                {"field": "id_number", "code": "duplicate_id_number",
                 "message": where_registered(ctx, tenant, m.id_number, own_hid=hid)}]) from e
        if "household" in failed:
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
    old_bidx, old_phone = member.idno_bidx, member.phone_bidx
    if patch.name:
        member.name = patch.name
    member.relation = relation
    if patch.id_number:
        member.set_id_number(tenant, patch.id_number)
    if patch.phone == "":
        member.set_phone(tenant, None)
    elif patch.phone:
        member.set_phone(tenant, patch.phone)
    if patch.party_member is not None:
        member.party_member = patch.party_member
    member.outside_person, member.from_place = outside, (from_place if outside else None)
    member.updated_at = now
    member.grid = hh.grid
    member.index_name(tenant)  # a new name moves the member in the name index
    if relation == "户主":
        hh.head_name, hh.head_mid = member.name, mid
    elif hh.head_mid == mid:
        hh.head_mid = None
    hh.updated_at = now
    w = Writes()
    w.put(hh, tag="household")  # versioned
    w.put(member)
    if member.idno_bidx != old_bidx:
        w.put(IdNumberIndex(*IdNumberIndex.keys(tenant, member.idno_bidx), hid=hid, mid=mid),
              IdNumberIndex.pk.does_not_exist(), tag="id_number")
        id_number_free_before_reindex(w, tenant, patch.id_number, "id_number", own=old_bidx)
        w.delete(IdNumberIndex(*IdNumberIndex.keys(tenant, old_bidx)))
    phone_writes(w, tenant, hid, mid, old_phone, member.phone_bidx)
    try:
        w.run()
    except TransactWriteError as e:
        failed = w.failed(e)
        if "id_number" in failed:
            raise Conflict("身份证号已登记", code="duplicate_id_number",
                           details=[{"field": "id_number", "code": "duplicate_id_number",
                                     "message": where_registered(ctx, tenant, patch.id_number, own_hid=hid)}]) from e
        if "household" in failed:
            raise Conflict("该户刚被他人修改，请刷新后重试", code="version_conflict") from e
        raise ServiceUnavailable() from e
    return member


def phone_writes(w: Writes, tenant: str, hid: str, mid: str, old: str | None, new: str | None) -> None:
    """Move a member's phone-index entry from the old number to the new one (either may be None)."""
    if old == new:
        return
    if old:
        w.delete(MemberPhoneIndex(*MemberPhoneIndex.keys(tenant, old, hid, mid)))
    if new:
        w.put(MemberPhoneIndex(*MemberPhoneIndex.keys(tenant, new, hid, mid), hid=hid, mid=mid))


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
    if hh.head_mid == mid:
        hh.head_mid = None
    try:
        with transact() as tx:
            tx.save(hh)
            tx.delete(member)  # and with it its name-index entry
            tx.delete(IdNumberIndex(*IdNumberIndex.keys(tenant, member.idno_bidx)))
            if member.phone_bidx:
                tx.delete(MemberPhoneIndex(*MemberPhoneIndex.keys(tenant, member.phone_bidx, hid, mid)))
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
    auth.tokens.require_signer()  # the answer is a session: fail closed (503) before linking, not after
    try:
        invite = Invite.get(*Invite.keys(code), consistent_read=True)
    except Invite.DoesNotExist:
        raise NotFound("邀请码无效，请向网格员确认", code="invalid_invite") from None
    if (invite.expires or 0) <= clock.epoch():
        raise NotFound("邀请码已过期，请向网格员重新获取", code="invite_expired")
    tenant = invite.tenant
    from ..core import counties, fence

    county = counties.get(tenant)
    if county is None:
        raise NotFound("邀请码无效，请向网格员确认", code="invalid_invite")
    if county.status != "active":
        raise counties.suspended(county)
    with fence.acting_for(tenant):  # the invite's county, whichever county the caller is signed in to
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
        phone = auth.identity_phone(ctx.identity)
        # The identity is the platform's index of the phone: members not yet re-indexed carry it.
        mine = {ctx.identity, pii.county_blind_index(tenant, "phone", phone)}
        match = next((m for m in members if m.phone_bidx and m.phone_bidx in mine), None)
        display = name or (match.name if match else "村民")
        user, items = auth.new_user(tenant, phone, display, grants, invited_by=invite.created_by)
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
                for item, actions in _counter_updates(tenant, hh.grid, hh.hid, "followed", 1):
                    tx.update(item, actions=actions)
    except TransactWriteError as e:
        raise _Retry() from e
    inbox.deliver(tenant, user.uid, "已关联家庭", f"您已关联到 {hh.address}（户主：{hh.head_name}）。")
    return auth.session_for(user, tenant)


# --- find a person (the console) ---------------------------------------------------------------------------------

SEARCH_READS = 4  # at most this many 1 MB reads of the name index per page when filtering to the caller's places
_DIGITS_RE = re.compile(r"[0-9]")


def search_kind(q: str) -> tuple[str, str]:
    """("id_number" | "phone" | "name", canonical value). A number must be whole: the blind index finds only the
    exact number (and so a search can never be used to guess one digit at a time)."""
    import unicodedata

    v = unicodedata.normalize("NFKC", q).strip()
    compact = re.sub(r"[\s\-()+]", "", v)
    if re.fullmatch(r"[0-9]{17}[0-9Xx]", compact):
        try:
            return "id_number", pii.normalise_id_number(compact)
        except ValueError as e:
            raise ValidationFailed(details=[{"field": "q", "code": "invalid_id_number", "message": str(e)}]) from None
    if re.fullmatch(r"(86|0086)?1[0-9]{10}", compact):
        try:
            return "phone", pii.normalise_phone(v)
        except ValueError as e:
            raise ValidationFailed(details=[{"field": "q", "code": "invalid_phone", "message": str(e)}]) from None
    if _DIGITS_RE.search(v):
        raise ValidationFailed(details=[{"field": "q", "code": "partial_number",
                                         "message": "请输入完整的18位身份证号或11位手机号，号码不支持部分搜索"}])
    name = " ".join(v.replace("#", "").split())  # "#" separates the parts of the index's sort key
    if len(name) > 30:  # after NFKC, which may lengthen a text many times over
        raise ValidationFailed(details=[{"field": "q", "code": "string_too_long", "message": "姓名过长"}])
    if not name:
        raise ValidationFailed(details=[{"field": "q", "code": "missing", "message": "请输入姓名或完整的号码"}])
    return "name", name


def search_scopes(ctx: TenantContext, place: str | None) -> list[str]:
    """The places a search covers: the one asked for (if the caller may read households there), else every place
    the caller may read households at (a county admin: the county; a township official: the township...)."""
    ctx.require_tenant()
    ctx.require("households.read", place)
    if place:
        return [place]
    scopes = sorted({g.place for g in ctx.grants_for("households.read") if g.place != "*"})
    return [p for p in scopes if not any(o != p and within(p, o) for o in scopes)]


def _scope_filter(tenant: str, scopes: list[str]):
    if tenant in scopes:
        return None
    cond = None
    for p in scopes:
        c = (Member.grid == p) if "G" in p else Member.grid.startswith(p)
        cond = c if cond is None else cond | c
    return cond


def search_people(ctx: TenantContext, q: str, place: str | None, limit: int | None,
                  cursor: str | None) -> dict:
    """Members across the caller's places by name prefix (the name index: one Query per page, a few more when the
    caller's places are a small part of the county), or by a whole ID or phone number (the blind indexes: 1–2
    calls). Then one BatchGet of their households and one of the places' names.
    Returns {"items": [(member, household)], "names": {code: name}, "next_cursor"}."""
    tenant = ctx.require_tenant()
    scopes = search_scopes(ctx, place)
    kind, value = search_kind(q)
    if kind != "name":
        scopes = _number_search_scopes(ctx, tenant, scopes)
    n = page_size(limit)
    next_cursor = None
    if kind == "id_number":
        members = _by_keys(tenant, list(dict.fromkeys((idx.hid, idx.mid) for idx in IdNumberIndex.batch_get(
            [IdNumberIndex.keys(tenant, b) for b in pii.county_blind_indexes(tenant, "idno", value)]))))
    elif kind == "phone":  # the county's index (and, until it is re-indexed, the platform's: one Query more)
        members = _by_keys(tenant, list(dict.fromkeys(
            (x.hid, x.mid) for bidx in pii.county_blind_indexes(tenant, "phone", value)
            for x in MemberPhoneIndex.query(MemberPhoneIndex.partition(tenant, bidx), limit=50))))
    else:
        members, next_cursor = _by_name(tenant, value, scopes, n, cursor)
    found = get_many(tenant, [m.hid for m in members])
    items = [(m, found[m.hid]) for m in members
             if m.hid in found and any(within(found[m.hid].grid, p) for p in scopes)][:n]
    codes_wanted = {c for _, h in items for c in (h.grid, h.village, h.village[:9])}
    return {"items": items, "names": places.names(tenant, codes_wanted) if items else {},
            "next_cursor": next_cursor}


NUMBER_SEARCHES_PER_HOUR = 30


def _number_search_scopes(ctx: TenantContext, tenant: str, scopes: list[str]) -> list[str]:
    """Finding someone by a whole ID or phone number is for the roles that may see full numbers (households.pii:
    grid staff, the village admin), within their places, and bounded per person: a role that sees only masked
    numbers (330825********1234 leaves the birth date and a check digit to guess, 138****0000 four digits) could
    otherwise complete one by trying a few thousand numbers."""
    allowed = [p for p in scopes if ctx.can("households.pii", p)]
    allowed += [g.place for g in ctx.grants_for("households.pii")
                if any(within(g.place, p) for p in scopes) and g.place not in allowed]
    if not allowed:
        raise Forbidden("按身份证号或手机号查找仅限网格员和村情通管理员，请按姓名查找", code="number_search_forbidden")
    auth.rate_limit("number-search", f"{tenant}:{ctx.user_id}", NUMBER_SEARCHES_PER_HOUR, 3600)
    return [p for p in allowed if not any(o != p and within(p, o) for o in allowed)]


def _by_keys(tenant: str, pairs: list[tuple[str, str]]) -> list[Member]:
    keys = [Member.keys(tenant, hid, mid) for hid, mid in dict.fromkeys(pairs)][:100]
    got = [m for m in HouseholdsItem.batch_get(keys) if isinstance(m, Member)] if keys else []
    return sorted(got, key=lambda m: (m.name, m.hid, m.mid))


def _by_name(tenant: str, name: str, scopes: list[str], n: int, cursor: str | None) -> tuple[list[Member], str | None]:
    pk = Member.name_index(tenant, name)
    bound = f"people|{pk}|{name}|{','.join(scopes)}"
    start = decode_cursor(cursor, bound)
    cond = Member.gsi1sk.startswith(name)
    flt = _scope_filter(tenant, scopes)
    if flt is None:  # the whole county: the index's own order, `n` at a time
        res = Member.gsi1.query(pk, cond, limit=n, last_evaluated_key=start)
        return list(res), encode_cursor(res.last_evaluated_key, bound)
    # A part of the county: read the name's range (1 MB per call, a few calls at most), keep the caller's places,
    # and continue after the last member returned.
    found: list[Member] = []
    last = None
    for _ in range(SEARCH_READS):
        raw = Member._get_connection().query(pk, range_key_condition=cond, filter_condition=flt, index_name="gsi1",
                                             exclusive_start_key=start)
        found += [m for m in (HouseholdsItem.from_raw_data(i) for i in raw.get("Items", [])) if isinstance(m, Member)]
        last = raw.get("LastEvaluatedKey")
        if len(found) > n or not last:
            break
        start = last
    page = found[:n]
    if len(found) > n:
        m = page[-1]
        last = {"pk": {"S": m.pk}, "sk": {"S": m.sk}, "gsi1pk": {"S": m.gsi1pk}, "gsi1sk": {"S": m.gsi1sk}}
    return page, encode_cursor(last, bound)


# --- coverage -------------------------------------------------------------------------------------------------

def _coverage_keys(tenant: str, place: str) -> list[tuple[str, str]]:
    level = codes.level_of(place)
    if level in ("grid", "village"):
        return [Coverage.keys(tenant, place)]
    return [Coverage.keys(tenant, place, s) for s in range(SHARDS)]


def coverage(ctx: TenantContext, place: str, with_children: bool) -> dict:
    """Households and followed households for a place (and optionally its direct children), from the coverage
    counters (coverage_counts): one BatchGet whatever the number of households — the county with its townships
    too, from the county's own shards."""
    tenant = ctx.require_tenant()
    ctx.require("coverage.read", place)
    targets = [place]
    names: dict[str, str] = {}
    if with_children:
        page = places.children(ctx, place, 100, None)  # townships, villages and grids: well under 100 children
        targets += [p.code for p in page["items"]]
        names = {p.code: p.name for p in page["items"]}
    counts = coverage_counts(tenant, targets)
    out = []
    for t in targets:
        total, followed = counts[t]
        out.append({"place": t, "name": names.get(t), "households": total, "followed": followed,
                    "rate": round(followed / total, 4) if total else 0.0})
    return {"place": out[0], "children": out[1:]}


# --- spreadsheet imports (see roster.py) ---------------------------------------------------------------------

def delete_household(tenant: str, hid: str) -> None:
    """Compensation for an import that failed part-way: remove the household with its index entries and undo its
    counters. Its number is free again (it was the file's own number, not one of the village's sequence)."""
    hh, members = _load(tenant, hid)
    with transact() as tx:
        tx.delete(hh)
        if hh.ref:
            tx.delete(HouseholdRef(*HouseholdRef.keys(tenant, hh.ref)),
                      condition=HouseholdRef.pk.does_not_exist() | (HouseholdRef.hid == hid))
        tx.delete(AddressIndex(*AddressIndex.keys(tenant, hh.village, hh.address, hid)))
        for m in members:
            tx.delete(m)
            tx.delete(IdNumberIndex(*IdNumberIndex.keys(tenant, m.idno_bidx)))
            if m.phone_bidx:
                tx.delete(MemberPhoneIndex(*MemberPhoneIndex.keys(tenant, m.phone_bidx, hid, m.mid)))
        for item, actions in _counter_updates(tenant, hh.grid, hh.hid, "households", -1):
            tx.update(item, actions=actions)


# --- for the daily report (chalicelib/daily_report talks to households through these) ---------------------------

def in_order(members: list[Member]) -> list[Member]:
    """As people list a household: the head first, then in the order they were added."""
    return sorted(members, key=lambda m: (0 if m.relation == "户主" else 1, m.created_at))


def load(tenant: str, hid: str) -> tuple[Household, list[Member]]:
    """A household and its members (404 when missing); callers check who may act on it."""
    return _load(tenant, hid)


def heads(tenant: str, hhs: list[Household]) -> dict[str, Member]:
    """The heads of these households (hid → member), from the head's member id the household keeps: one BatchGet
    per 100 households, none when no household has a head."""
    keys = [Member.keys(tenant, h.hid, h.head_mid) for h in hhs if h.head_mid]
    out: dict[str, Member] = {}
    for i in range(0, len(keys), 100):
        out.update({m.hid: m for m in HouseholdsItem.batch_get(keys[i:i + 100]) if isinstance(m, Member)})
    return out


def mark_reported(tx, tenant: str, hid: str, date: str, report_sk: str | None = None, on_time: bool | None = None,
                  seen: Household | None = None) -> None:
    """Add "reported on `date`, this report counts" to the daily report stream handler's TransactWrite, without the
    household's version (see db), on the condition that the day status is still what the change was computed
    from (`seen`): a redelivered report, or one already replaced, cannot apply twice. Without a report (the demo
    seed's past days): the last report date alone."""
    pk, sk = Household.keys(tenant, hid)
    cond, actions = Household.pk.exists(), [Household.last_report_date.set(date)]
    if seen is not None:
        for attr, value in ((Household.last_report_date, seen.last_report_date),
                            (Household.report_sk, seen.report_sk)):
            cond &= attr.does_not_exist() if value is None else attr == value
        actions += [Household.report_sk.set(report_sk), Household.report_on_time.set(bool(on_time))]
    tx_update_unversioned(tx, Household, pk, sk, condition=cond, actions=actions)


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
    return list(Household.gsi1.query(pk, Household.gsi1sk.startswith(f"{grid}#")))  # in household-number order


def expected_households(tenant: str, place_codes: list[str]) -> dict[str, int]:
    """Households registered per place, from the coverage counters (coverage_counts)."""
    return {p: n for p, (n, _) in coverage_counts(tenant, place_codes).items()}


def _raw_counters(tenant: str, keys: list[tuple[str, str]], consistent: bool = False) -> dict[tuple[str, str], dict]:
    """Counter items read raw ({attribute: number}), so that the township figures the model does not declare
    survive: one BatchGet per 100 keys (unprocessed keys asked again)."""
    conn = Coverage._get_connection().connection
    table = Coverage.Meta.table_name
    out: dict[tuple[str, str], dict] = {}
    for i in range(0, len(keys), 100):
        request = [{"pk": pk, "sk": sk} for pk, sk in keys[i:i + 100]]
        for _ in range(5):
            if not request:
                break
            answer = conn.batch_get_item(table, request, consistent_read=consistent or None)
            for raw in answer.get("Responses", {}).get(table, []):
                out[(raw["pk"]["S"], raw["sk"]["S"])] = {k: int(v["N"]) for k, v in raw.items() if "N" in v}
            request = [{"pk": k["pk"]["S"], "sk": k["sk"]["S"]}
                       for k in answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])]
    return out


def county_shards(tenant: str, consistent: bool = False) -> list[dict]:
    """The county's coverage counter shards read raw (missing shards left out): one BatchGet."""
    got = _raw_counters(tenant, _coverage_keys(tenant, tenant), consistent)
    return [got[k] for k in _coverage_keys(tenant, tenant) if k in got]


def townships_attributed(shards: list[dict]) -> bool:
    """Whether the township figures on these county shards account for every household and every followed
    household: on each shard, the `h_*` add up to `households` and the `f_*` to `followed` (then so do their sums
    over the 8 shards). Not so for a county written before the figures existed (or after a drift)."""
    for raw in shards:
        for field, prefix in TOWNSHIP_ATTR.items():
            if sum(v for k, v in raw.items() if k.startswith(prefix)) != raw.get(field, 0):
                return False
    return True


def coverage_counts(tenant: str, place_codes: list[str]) -> dict[str, tuple[int, int]]:
    """(households registered, households with at least one linked account) per place, from the coverage counters.

    The county and its townships (any list of them, e.g. every township of the county) are answered from the
    county's own 8 shards in ONE BatchGet, whatever the number of townships: every household write ADDs the
    township's figures `h_{nnn}` / `f_{nnn}` (nnn: the township code's last 3 digits) to the household's shard of
    the county counter, in the same TransactWrite as its `households` / `followed` (_counter_updates).
    The rule: the township figures are used only when they account for every household of the county — on each
    county shard the `h_*` sum to `households` and the `f_*` to `followed` (townships_attributed). Otherwise (a
    county written before the figures existed, or a drift) the townships' own shards are read as before (8 keys a
    township, one BatchGet per 100 keys), so the answer is always right; township_coverage.backfill makes such a
    county fast again. Other places (villages, grids: 1 key each) are read from their own counters: one BatchGet
    per 100 keys."""
    wanted = list(dict.fromkeys(place_codes))
    out: dict[str, tuple[int, int]] = {}
    if wanted and all(p == tenant or (codes.level_of(p) == "township" and p.startswith(tenant)) for p in wanted):
        shards = county_shards(tenant)
        out[tenant] = (sum(r.get("households", 0) for r in shards), sum(r.get("followed", 0) for r in shards))
        if townships_attributed(shards):
            for p in wanted:
                if p != tenant:
                    out[p] = tuple(sum(r.get(township_attr(f, p), 0) for r in shards) for f in TOWNSHIP_ATTR)
    rest = {p: _coverage_keys(tenant, p) for p in wanted if p not in out}
    got = _raw_counters(tenant, [k for ks in rest.values() for k in ks])
    for p, ks in rest.items():
        out[p] = (sum(got[k].get("households", 0) for k in ks if k in got),
                  sum(got[k].get("followed", 0) for k in ks if k in got))
    return {p: out[p] for p in place_codes}


def get_many(tenant: str, hids: list[str], consistent: bool = False) -> dict[str, Household]:
    """Households by id without their members: one BatchGet per 100."""
    keys = [Household.keys(tenant, h) for h in dict.fromkeys(hids)]
    out: dict[str, Household] = {}
    for i in range(0, len(keys), 100):
        out.update({h.hid: h for h in Household.batch_get(keys[i:i + 100], consistent_read=consistent)})
    return out
