"""Spreadsheet rosters of households and members: what a file would change (the preview), and applying it.

A row is a member; rows are grouped into households by the household number (户编号). A number already registered
in the county matches that household: its address may change, and its members are matched by ID number through the
blind index (changed, unchanged, or new). Other numbers are new households. A member whose ID number is registered
in another household is a row error that says where, as far as the importer's places allow. An import never
removes anything: a member missing from the file stays, and an empty cell leaves an existing value as it is.

`plan` computes everything without writing: rows with their action (new / changed / unchanged / error), counts,
errors, warnings and a fingerprint of the writes. `apply` writes a plan that has no errors: one TransactWrite per
household; if one fails, the households already written are put back as they were (all or nothing). The commit
computes the plan again and compares fingerprints, so what is written is what was previewed.
"""

from __future__ import annotations

import json

from pydantic import ValidationError

from ..core import clock, pii, text
from ..core.errors import Conflict, NotFound, ServiceUnavailable, field_errors
from ..core.tenancy import TenantContext
from ..places import codes
from ..places import service as places
from . import service as hs
from .models import AddressIndex, Household, HouseholdsItem, IdNumberIndex, Member, canonical_ref, normal_address
from .schemas import MemberIn

MAX_MEMBERS = 20
YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "党员"})
NO = frozenset({"否", "n", "no", "false", "0", "×", "✗", "非党员"})
# What offices write in the relation column, mapped to the allowed values.
RELATIONS = {"户主": "户主", "本人": "户主", "配偶": "配偶", "妻": "配偶", "妻子": "配偶", "夫": "配偶", "丈夫": "配偶",
             "子女": "子女", "子": "子女", "女": "子女", "儿子": "子女", "女儿": "子女", "长子": "子女", "次子": "子女",
             "长女": "子女", "次女": "子女", "父母": "父母", "父亲": "父母", "母亲": "父母", "父": "父母", "母": "父母",
             "孙子女": "孙子女", "孙子": "孙子女", "孙女": "孙子女", "外孙子": "孙子女", "外孙女": "孙子女",
             "兄弟姐妹": "兄弟姐妹", "兄": "兄弟姐妹", "弟": "兄弟姐妹", "姐": "兄弟姐妹", "妹": "兄弟姐妹",
             "哥哥": "兄弟姐妹", "弟弟": "兄弟姐妹", "姐姐": "兄弟姐妹", "妹妹": "兄弟姐妹", "其他": "其他"}
NUMBER_CONVERTED = "身份证号被表格转换成了数字，末几位可能已丢失：请把该列设为“文本”，重新填写后再导入"
FIELD_NAMES = {"name": "姓名", "relation": "与户主关系", "phone": "手机号", "party_member": "是否党员",
               "outside_person": "是否外来人员", "from_place": "来自", "address": "地址"}


def yes_no(value: str) -> bool | None:
    """是/否 (and the usual spellings) → True/False; empty → None; anything else raises ValueError."""
    v = (value or "").strip().lower()
    if not v:
        return None
    if v in YES:
        return True
    if v in NO:
        return False
    raise ValueError("应填“是”或“否”")


def _err(row: int, field: str, code: str, message: str) -> dict:
    return {"row": row, "field": field, "code": code, "message": message}


class _Group:
    """One household of the file."""

    def __init__(self, ref: str, row: dict):
        self.ref = ref
        self.rows: list[int] = []
        self.first = row["row"]
        self.grid = row.get("grid", "")
        self.address = row.get("address", "")
        self.members: list[dict] = []  # parsed rows: {row, idno, cells}
        self.hh: Household | None = None
        self.existing: list[Member] = []


def _parse_id(r: dict) -> tuple[str | None, dict | None]:
    n = r["row"]
    if "id_number" in r.get("_numeric", ()):
        return None, _err(n, "id_number", "number_converted", NUMBER_CONVERTED)
    raw = r.get("id_number", "")
    if not raw:
        return None, _err(n, "id_number", "missing", "身份证号必填")
    try:
        return pii.normalise_id_number(raw), None
    except ValueError as e:
        msg = str(e)
        if "校验位" in msg and raw.rstrip().endswith("00"):
            msg += "；如原号码末几位不是0，可能是表格把它转换成了数字，请把该列设为“文本”后重新填写"
        converted = "被表格转换成了数字" in msg
        return None, _err(n, "id_number", "number_converted" if converted else "invalid_id_number", msg)


def plan(ctx: TenantContext, tenant: str, rows: list[dict], *, with_warnings: bool = True) -> dict:
    """Everything the file would do, without writing. See the module's docstring."""
    errors: list[dict] = []
    warnings: list[dict] = []
    groups: dict[str, _Group] = {}
    id_rows: dict[str, int] = {}
    for r in rows:
        n = r["row"]
        ref = canonical_ref(r.get("ref", ""))
        if not ref:
            errors.append(_err(n, "ref", "missing", "户编号必填"))
            continue
        if len(ref) > 40:
            errors.append(_err(n, "ref", "too_long", "户编号最多40个字符"))
            continue
        g = groups.get(ref) or groups.setdefault(ref, _Group(ref, r))
        g.rows.append(n)
        if r.get("grid") and g.grid and r["grid"] != g.grid:
            errors.append(_err(n, "grid", "inconsistent", f"与第{g.first}行同一户的网格编码不一致"))
        g.grid = g.grid or r.get("grid", "")
        g.address = g.address or r.get("address", "")
        idno, problem = _parse_id(r)
        if problem:
            errors.append(problem)
            continue
        if idno in id_rows:
            errors.append(_err(n, "id_number", "duplicate_in_file", f"身份证号与第{id_rows[idno]}行重复"))
            continue
        id_rows[idno] = n
        g.members.append({"row": n, "idno": idno, "cells": r})

    # Lookups: numbers, ID numbers, grids (BatchGets), then the matched households (one Query each, a few at once).
    refs = hs.find_refs(tenant, list(groups))
    idx_keys = {IdNumberIndex.keys(tenant, b): idno for idno in id_rows
                for b in pii.county_blind_indexes(tenant, "idno", idno)}  # + the platform's until re-indexed
    registered: dict[str, IdNumberIndex] = {}
    keys = list(idx_keys)
    for i in range(0, len(keys), 100):
        for hit in IdNumberIndex.batch_get(keys[i:i + 100]):
            registered[idx_keys[(hit.pk, hit.sk)]] = hit
    grid_codes = {g.grid for g in groups.values() if g.grid}
    present = places.existing(tenant, sorted(c for c in grid_codes if codes.level_of(c) == "grid"))
    def load(g: _Group) -> tuple[Household | None, list[Member]]:
        try:
            return hs.load(tenant, refs[g.ref].hid)
        except NotFound:  # a stale index entry: the number is free again (the write will tell if not)
            return None, []

    matched = [g for ref, g in groups.items() if ref in refs]
    for g, (hh, existing) in zip(matched, concurrently(load, matched), strict=True):
        g.hh, g.existing = hh, existing

    out_rows: list[dict] = []
    ops: list[dict] = []
    counts = {"households": {"new": 0, "changed": 0, "unchanged": 0}}
    elsewhere: dict[str, list[dict]] = {}  # household an ID number is registered in → the errors that say so
    checks: list[tuple[_Group, tuple[str, str], str | None]] = []  # household, (village, address), itself
    for g in groups.values():
        g_errors = _check_household(ctx, tenant, g, present, errors)
        op, rows_of_g = _plan_household(ctx, tenant, g, registered, elsewhere, errors)
        out_rows += rows_of_g
        if g_errors or op is None:
            continue
        ops.append(op)
        kind = op["action"]
        counts["households"][kind] += 1
        if with_warnings and (op["action"] == "new" or op.get("address")):
            checks.append((g, (g.hh.village if g.hh else g.grid[:12], normal_address(op["address_new"])),
                           g.hh.hid if g.hh else None))
    # The address index: one Query per address of a new or re-addressed household, a few at once; then the
    # households found there and those the file's ID numbers are registered in, described in one BatchGet (per 100)
    # and one of their villages' names.
    addresses = list(dict.fromkeys(a for _, a, _ in checks))
    at = dict(zip(addresses, concurrently(lambda a: hs.address_hits(tenant, *a), addresses), strict=True))
    wanted = set(elsewhere) | {h for found in at.values() for h in found}
    where = hs.describe(ctx, tenant, wanted) if wanted else {}
    for g, address, itself in checks:
        found = [h for h in at[address] if h != itself]
        if found:
            warnings.append({"row": g.first, **hs.address_warning([where[h] for h in found if h in where])})
    _say_where(elsewhere, where)
    if with_warnings:
        warnings += _same_address_in_file(groups, ops)
    errors.sort(key=lambda e: (e["row"], e["field"]))
    warnings.sort(key=lambda e: e["row"])
    bad_rows = {e["row"] for e in errors}
    for r in out_rows:
        if r["row"] in bad_rows:
            r["action"] = "error"
    out_rows.sort(key=lambda r: r["row"])
    counts["rows"] = {a: sum(1 for r in out_rows if r["action"] == a) for a in ("new", "changed", "unchanged")}
    counts["rows"]["errors"] = len(bad_rows)
    return {"rows": out_rows, "errors": errors, "warnings": warnings, "counts": counts, "ops": ops,
            "fingerprint": _fingerprint(ops)}


def _say_where(elsewhere: dict[str, list[dict]], where: dict[str, str]) -> None:
    """Where each ID number of the file is already registered, as far as the importer's places allow (`where`:
    hs.describe of those households)."""
    for hid, errs in elsewhere.items():
        for e in errs:
            e["message"] = hs.registered_at(where.get(hid)) + "；如该人已迁户，请先在原户中移除"


LOAD_THREADS = 8


def concurrently(fn, items: list) -> list:
    """`fn` over `items`, up to LOAD_THREADS at once (each is one DynamoDB call on a different partition: the
    calls cannot be batched, but their latency can overlap). Results in the order of `items`."""
    if len(items) <= 1:
        return [fn(x) for x in items]
    from concurrent.futures import ThreadPoolExecutor

    from ..core import fence

    with ThreadPoolExecutor(min(LOAD_THREADS, len(items))) as ex:  # threads keep the request's fence (core.fence)
        return list(ex.map(fence.bind(fn), items))


def _same_address_in_file(groups: dict[str, _Group], ops: list[dict]) -> list[dict]:
    """Two households of the file at one address of one village (the index cannot see them before they exist)."""
    seen: dict[tuple[str, str], _Group] = {}
    out = []
    for op in ops:
        g = groups[op["ref"]]
        village = g.hh.village if g.hh else g.grid[:12]
        k = (village, normal_address(op["address_new"]))
        if k in seen:
            out.append({"row": g.first, "code": "duplicate_address", "field": "address",
                        "message": f"与第{seen[k].first}行的户（户编号 {seen[k].ref}）地址相同。如是分户可忽略，"
                                   "否则请核对是否重复登记。"})
        else:
            seen[k] = g
    return out


def _check_household(ctx: TenantContext, tenant: str, g: _Group, present: dict, errors: list[dict]) -> bool:
    """Household-level rules; True when the household has an error."""
    before = len(errors)
    n = g.first
    for field, value in (("ref", g.ref), ("address", g.address)):
        bad = text.bad_character(value or "")
        if bad is not None:
            errors.append(_err(n, field, "invalid_character",
                               f"含有不允许的不可见字符（{text.describe(bad)}），请删除后重试"))
    if g.hh is not None:
        if not ctx.can("households.write", g.hh.grid):
            errors.append(_err(n, "ref", "forbidden_scope", f"户编号 {g.ref} 已被本县其他地方的住户使用"))
        elif g.grid and g.grid != g.hh.grid:
            errors.append(_err(n, "grid", "grid_changed", f"户 {g.ref} 已登记在网格 {g.hh.grid}，导入不能更改网格"))
        if g.address and len(g.address) > 100:
            errors.append(_err(n, "address", "too_long", "地址最多100个字符"))
        return len(errors) > before
    if not g.grid or codes.level_of(g.grid) != "grid" or not g.grid.startswith(tenant):
        errors.append(_err(n, "grid", "invalid_code", "网格编码格式不正确或不属于本县"))
    elif g.grid not in present:
        errors.append(_err(n, "grid", "unknown_parent", f"网格 {g.grid} 不存在"))
    elif not ctx.can("households.write", g.grid):
        errors.append(_err(n, "grid", "forbidden_scope", "无权在该网格下登记"))
    if not g.address:
        errors.append(_err(n, "address", "missing", "地址必填"))
    elif len(g.address) > 100:
        errors.append(_err(n, "address", "too_long", "地址最多100个字符"))
    return len(errors) > before


def _cells_to_member(tenant: str, cells: dict, idno: str, old: Member | None) -> tuple[dict, list[dict]]:
    """The member's values after this row: the row's non-empty cells over the member's current values (a new
    member: the cells). Returns (values for MemberIn, problems)."""
    n = cells["row"]
    problems = []
    relation = (cells.get("relation") or "").strip()
    rel = RELATIONS.get(relation, relation)
    flags = {}
    for f in ("party_member", "outside_person"):
        try:
            flags[f] = yes_no(cells.get(f, ""))
        except ValueError as e:
            problems.append(_err(n, f, "yes_no", str(e)))
            flags[f] = None
    values = {"name": cells.get("name") or (old.name if old else ""),
              "relation": rel or (old.relation if old else ""), "id_number": idno,
              "phone": cells.get("phone") or None,
              "party_member": flags["party_member"] if flags["party_member"] is not None else (
                  old.party_member if old else False),
              "outside_person": flags["outside_person"] if flags["outside_person"] is not None else (
                  old.outside_person if old else False),
              "from_place": cells.get("from_place") or (old.from_place if old else None)}
    return values, problems


def _plan_household(ctx: TenantContext, tenant: str, g: _Group, registered: dict, elsewhere: dict,
                    errors: list[dict]) -> tuple[dict | None, list[dict]]:
    hh = g.hh
    if hh is not None and not ctx.can("households.write", hh.grid):
        # Another place's household: say nothing about it beyond the household-level error (no names, no diffs).
        return None, [_row_out(pm["row"], g.ref, pm["cells"].get("name", ""), pm["idno"], False, "error")
                      for pm in g.members]
    grid = hh.grid if hh else g.grid
    full = ctx.can("households.pii", grid) if grid else False
    rows_out: list[dict] = []
    new_members: list[tuple[int, MemberIn]] = []
    updates: list[dict] = []
    final: dict[str, str] = {m.mid: m.relation for m in g.existing}  # relation of every member after the import
    ok = True
    for pm in g.members:
        n, idno, cells = pm["row"], pm["idno"], pm["cells"]
        reg = registered.get(idno)
        old = next((m for m in g.existing if m.mid == reg.mid), None) if reg is not None else None
        if reg is not None and old is None:
            e = _err(n, "id_number", "duplicate_id_number", "")
            elsewhere.setdefault(reg.hid, []).append(e)  # the message says where: filled in for all at once
            errors.append(e)
            ok = False
            rows_out.append(_row_out(n, g.ref, cells.get("name", ""), idno, full, "error"))
            continue
        values, problems = _cells_to_member(tenant, {**cells, "row": n}, idno, old)
        try:
            m = MemberIn.model_validate(values)
        except ValidationError as e:
            problems += [{"row": n, **fe} for fe in field_errors(e.errors())]
        if problems:
            errors += problems
            ok = False
            rows_out.append(_row_out(n, g.ref, values["name"], idno, full, "error"))
            continue
        if old is None:
            new_members.append((n, m))
            final[f"row{n}"] = m.relation
            rows_out.append(_row_out(n, g.ref, m.name, idno, full, "new"))
            continue
        changes = _member_changes(tenant, old, m, full)
        final[old.mid] = m.relation
        if changes:
            updates.append({"mid": old.mid, "values": m, "changes": changes, "row": n})
        rows_out.append(_row_out(n, g.ref, m.name, idno, full, "changed" if changes else "unchanged",
                                 changes=changes))
    heads = sum(1 for rel in final.values() if rel == "户主")
    if ok and g.members and len(g.members) == len(g.rows) and heads != 1:  # (a bad row may be the head)
        errors.append(_err(g.first, "relation", "one_head_required", f"户 {g.ref} 须有且只有一位户主"
                           + ("（导入后将有多位户主）" if heads > 1 else "")))
        ok = False
    if len(final) > MAX_MEMBERS:
        errors.append(_err(g.first, "ref", "too_many_members", f"每户最多{MAX_MEMBERS}人"))
        ok = False
    if not ok or not g.members:
        return None, rows_out
    if hh is None:
        return {"action": "new", "ref": g.ref, "grid": g.grid, "address": g.address, "address_new": g.address,
                "members": [m for _, m in new_members]}, rows_out
    address = g.address if g.address and normal_address(g.address) != normal_address(hh.address) else None
    if address:
        first = next((r for r in rows_out if r["row"] == g.first), rows_out[0] if rows_out else None)
        if first is not None:
            first["changes"] = [{"field": "address", "old": hh.address, "new": address}] + first["changes"]
            if first["action"] == "unchanged":
                first["action"] = "changed"
    changed = bool(address or new_members or updates)
    return {"action": "changed" if changed else "unchanged", "ref": g.ref, "hid": hh.hid, "version": hh.version,
            "address": address, "address_new": address or hh.address, "members": [m for _, m in new_members],
            "updates": updates, "hh": hh, "existing": g.existing}, rows_out


def _row_out(n: int, ref: str, name: str, idno: str | None, full: bool, action: str,
             changes: list | None = None) -> dict:
    return {"row": n, "ref": ref, "name": name, "id_number": (idno if full else pii.mask_id_number(idno)) if idno
            else None, "action": action, "changes": changes or []}


def _member_changes(tenant: str, old: Member, m: MemberIn, full: bool) -> list[dict]:
    changes = []
    for f in ("name", "relation", "party_member", "outside_person", "from_place"):
        before, after = getattr(old, f), getattr(m, f)
        if f == "from_place" and not m.outside_person:
            after = None
        if before != after:
            changes.append({"field": f, "old": before, "new": after})
    if m.phone and old.phone_bidx not in pii.county_blind_indexes(tenant, "phone", m.phone):
        before = pii.decrypt(tenant, old.phone_enc) if old.phone_enc else None
        changes.append({"field": "phone", "old": before if full else pii.mask_phone(before),
                        "new": m.phone if full else pii.mask_phone(m.phone)})
    return changes


def _fingerprint(ops: list[dict]) -> str:
    """A keyed hash of the writes a plan would make (and of the versions it would make them on)."""
    def member(m: MemberIn) -> dict:
        return m.model_dump(mode="json")

    canon = []
    for op in ops:
        if op["action"] == "unchanged":
            canon.append(["unchanged", op["hid"], op["version"]])
        elif op["action"] == "new":
            canon.append(["new", op["ref"], op["grid"], op["address"], [member(m) for m in op["members"]]])
        else:
            canon.append(["changed", op["hid"], op["version"], op["address"], [member(m) for m in op["members"]],
                          [[u["mid"], member(u["values"])] for u in op["updates"]]])
    return pii.blind_index("import_plan", json.dumps(canon, ensure_ascii=False, sort_keys=True))


# --- applying a plan ---------------------------------------------------------------------------------------------

def apply(tenant: str, ops: list[dict]) -> dict:
    """Write the plan's households one TransactWrite each; on a failure put back what was written, then raise."""
    done: list[tuple[str, object]] = []
    created = updated = unchanged = new_members = member_updates = 0
    try:
        for op in ops:
            if op["action"] == "unchanged":
                unchanged += 1
                continue
            if op["action"] == "new":
                hh = hs.write_household(tenant, op["grid"], op["address"], op["members"], op["ref"])
                done.append(("new", hh.hid))
                created += 1
            else:
                done.append(("changed", _update(tenant, op)))
                updated += 1
            new_members += len(op["members"])
            member_updates += len(op.get("updates", ()))
    except Exception:
        for kind, what in reversed(done):
            if kind == "new":
                hs.delete_household(tenant, what)
            else:
                _undo(tenant, what)
        raise
    return {"created": created, "updated": updated, "unchanged": unchanged, "members": new_members,
            "members_updated": member_updates}


def _copy(item):
    return HouseholdsItem.from_raw_data(item.serialize())


def _update(tenant: str, op: dict) -> dict:
    """One household's changes in one TransactWrite, conditional on the version the plan read. Returns what is
    needed to put it back."""
    hh: Household = op["hh"]
    existing: dict[str, Member] = {m.mid: m for m in op["existing"]}
    now = clock.iso()
    undo = {"hid": hh.hid, "household": _copy(hh), "members": [], "added": [], "address": None}
    w = hs.Writes()
    if op["address"]:
        w.delete(AddressIndex(*AddressIndex.keys(tenant, hh.village, hh.address, hh.hid)))
        w.put(AddressIndex(*AddressIndex.keys(tenant, hh.village, op["address"], hh.hid), hid=hh.hid, grid=hh.grid))
        undo["address"] = (hh.address, op["address"])
        hh.address = op["address"]
    for u in op["updates"]:
        m = existing[u["mid"]]
        undo["members"].append(_copy(m))
        v: MemberIn = u["values"]
        old_phone = m.phone_bidx
        m.name, m.relation, m.party_member, m.outside_person = v.name, v.relation, v.party_member, v.outside_person
        m.from_place = v.from_place if v.outside_person else None
        if v.phone:
            m.set_phone(tenant, v.phone)
        m.grid, m.updated_at = hh.grid, now
        m.index_name(tenant)
        w.put(m)
        hs.phone_writes(w, tenant, hh.hid, m.mid, old_phone, m.phone_bidx)
    for i, v in enumerate(op["members"]):
        added = hs.add_member_writes(w, tenant, hh, v, now, tag=("id", i))
        existing[added.mid] = added
        undo["added"].append(added)
    head = next((m for m in existing.values() if m.relation == "户主"), None)
    if head is not None:
        hh.head_name, hh.head_mid = head.name, head.mid
    hh.member_count = len(existing)
    hh.updated_at = now
    w.put(hh, tag="household")  # versioned: refused if the household changed since the plan read it
    try:
        w.run()
    except Exception as e:
        failed = w.failed(e) if hasattr(e, "cancellation_reasons") else []
        if any(isinstance(t, tuple) for t in failed):
            raise Conflict("导入期间有身份证号被登记到其他户，请重新预览", code="import_stale") from e
        if "household" in failed:
            raise Conflict(f"户 {op['ref']} 在预览后被修改过，请重新预览", code="import_stale") from e
        raise
    return undo


def _undo(tenant: str, undo: dict) -> None:
    """Put a household changed by this import back as it was (its version moves on: it is a new edit)."""
    old: Household = undo["household"]
    try:
        cur = Household.get(*Household.keys(tenant, undo["hid"]), consistent_read=True)
    except Household.DoesNotExist:
        return
    w = hs.Writes()
    for attr in ("address", "head_name", "head_mid", "member_count", "updated_at"):
        setattr(cur, attr, getattr(old, attr))
    w.put(cur)
    if undo["address"]:
        before, after = undo["address"]
        w.delete(AddressIndex(*AddressIndex.keys(tenant, cur.village, after, cur.hid)))
        w.put(AddressIndex(*AddressIndex.keys(tenant, cur.village, before, cur.hid), hid=cur.hid, grid=cur.grid))
    for m in undo["members"]:
        now_item = HouseholdsItem.get(m.pk, m.sk, consistent_read=True)
        hs.phone_writes(w, tenant, cur.hid, m.mid, getattr(now_item, "phone_bidx", None), m.phone_bidx)
        w.put(m)
    for m in undo["added"]:
        w.delete(m)
        w.delete(IdNumberIndex(*IdNumberIndex.keys(tenant, m.idno_bidx)))
        if m.phone_bidx:
            w.delete(hs.MemberPhoneIndex(*hs.MemberPhoneIndex.keys(tenant, m.phone_bidx, cur.hid, m.mid)))
    try:
        w.run()
    except Exception as e:  # noqa: BLE001
        raise ServiceUnavailable() from e
