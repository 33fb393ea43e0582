"""The points ledger (积分), its rules and the 党建指数 boards.

An award is ONE transaction: the ledger entry (append-only), the event's marker (`AwardRef`, put only if absent: an
event is awarded once, whatever retries or redeliveries), the month's per-source total (the cap: conditional on the
total read), the balance, and the four boards the points count on (the member's village and township, this month
and this quarter). Deed approval adds its own items to the same transaction; likes are awarded from the stream
(events.py), so a like storm does not contend on the author's items.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.operand import Path

from ..core import clock
from ..core.db import cancellation_codes, save_versioned, transact, tx_update_unversioned
from ..core.errors import Conflict, ServiceUnavailable
from ..core.http import decode_cursor, encode_cursor
from ..core.tenancy import TenantContext
from .models import AwardRef, Balance, Board, Entry, MonthTotals, Rules

SOURCE_NAMES = {"deed": "实事获批", "like": "获得点赞", "study": "学习完成", "volunteer": "志愿服务",
                "care": "联户服务", "correction": "积分更正"}
DEFAULT_RULES = {"deed": {"points": 10, "monthly_cap": 50}, "like": {"points": 1, "monthly_cap": 30},
                 "study": {"points": 5, "monthly_cap": 40}, "volunteer": {"points": 5, "monthly_cap": 40},
                 "care": {"points": 1, "monthly_cap": 30}}
CAPPED = tuple(DEFAULT_RULES)
ATTEMPTS = 6
VILLAGE_FORMULA = ("党员积分 = 本期（{period}）台账中各项积分之和：实事获批、获得点赞、学习完成、志愿服务、"
                   "联户服务与积分更正；各项每月积分不超过县委组织部设定的上限")
TOWNSHIP_FORMULA = "村党建指数 = 本期（{period}）本村有积分党员的积分之和 ÷ 有积分党员人数（保留一位小数）"


# --- periods -----------------------------------------------------------------------------------------------------

def periods(at_iso: str) -> tuple[str, str]:
    """The month (2026-12) and quarter (2026-Q4), in Asia/Shanghai, of a UTC timestamp."""
    import datetime as dt

    local = dt.datetime.strptime(at_iso[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=dt.UTC).astimezone(clock.SHANGHAI)
    return f"{local.year}-{local.month:02d}", f"{local.year}-Q{(local.month - 1) // 3 + 1}"


# --- rules -------------------------------------------------------------------------------------------------------

def rules_of(tenant: str) -> tuple[dict, Rules | None]:
    try:
        item = Rules.get(*Rules.keys(tenant))
    except Rules.DoesNotExist:
        return {k: dict(v) for k, v in DEFAULT_RULES.items()}, None
    stored = json.loads(item.data)
    return {k: {**v, **stored.get(k, {})} for k, v in DEFAULT_RULES.items()}, item


def rules_out(rules: dict, item: Rules | None) -> dict:
    return {"rules": [{"source": k, "name": SOURCE_NAMES[k], "points": v["points"], "monthly_cap": v["monthly_cap"]}
                      for k, v in rules.items()],
            "version": item.version if item is not None else 0,
            "updated_at": item.updated_at if item is not None else None, "defaults": item is None}


def get_rules(ctx: TenantContext) -> dict:
    return rules_out(*rules_of(ctx.require_tenant()))


def set_rules(ctx: TenantContext, changes: dict, version: int) -> dict:
    tenant = ctx.require_tenant()
    ctx.require("vanguard.rules", tenant)
    rules, item = rules_of(tenant)
    if (item.version if item is not None else 0) != version:
        raise Conflict("积分规则刚被他人修改，请刷新后重试", code="version_conflict")
    for source, rule in changes.items():
        rules[source] = {"points": rule.points, "monthly_cap": rule.monthly_cap}
    if item is None:
        item = Rules(*Rules.keys(tenant))
    item.data = json.dumps(rules, ensure_ascii=False)
    item.updated_at, item.updated_by = clock.iso(), ctx.user_id
    if version == 0:
        from pynamodb.exceptions import PutError

        try:
            item.save(condition=Rules.pk.does_not_exist())
        except PutError as e:
            if e.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("积分规则刚被他人修改，请刷新后重试", code="version_conflict") from e
            raise
    else:
        save_versioned(item, "积分规则")
    return rules_out(rules, item)


# --- boards (raw items: their attributes are named by member and village) ------------------------------------------

def boards_raw(tenant: str, keys: list[tuple[str, str]], consistent: bool = False) -> dict[tuple[str, str], dict]:
    """The boards' items as plain {attribute: value} (numbers as float, strings as str): one BatchGet."""
    conn = Board._get_connection().connection
    table = Board.Meta.table_name
    out: dict[tuple[str, str], dict] = {}
    request = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys]
    for _ in range(5):
        if not request:
            break
        answer = conn.batch_get_item(table, [{"pk": r["pk"]["S"], "sk": r["sk"]["S"]} for r in request],
                                     consistent_read=consistent)
        for raw in answer.get("Responses", {}).get(table, []):
            out[(raw["pk"]["S"], raw["sk"]["S"])] = {
                k: (float(v["N"]) if "N" in v else v.get("S")) for k, v in raw.items()}
        request = answer.get("UnprocessedKeys", {}).get(table, {}).get("Keys", [])
    return out


def board_raw(tenant: str, period: str, place: str) -> dict:
    return boards_raw(tenant, [Board.keys(tenant, period, place)]).get(Board.keys(tenant, period, place), {})


# --- the award ---------------------------------------------------------------------------------------------------

def _eid(ref: str) -> str:
    return hashlib.sha256(f"{ref}:{uuid.uuid4().hex}".encode()).hexdigest()[:12]


def award(tenant: str, uid: str, *, name: str, village: str, source: str, points: int, ref: str, note: str = "",
          by: str | None = None, at: str | None = None, extra=None, capped: bool = True) -> tuple[int, bool]:
    """Append an entry for an event and count it everywhere, in one transaction with `extra(tx)` (the caller's own
    items, e.g. the deed's approval). Returns (points given, done now): the month's cap may give fewer than asked
    (0: no entry, the extra items still commit; `extra(tx, points given)`), and an event already awarded gives
    nothing (done now = False).
    Concurrent awards of one member retry on a fresh read; conflicts of the caller's own items are the caller's
    (a TransactWriteError whose reasons are theirs is raised)."""
    at = at or clock.iso()
    month, quarter = periods(at)
    township = village[:9]
    rule_cap = rules_of(tenant)[0].get(source, {}).get("monthly_cap") if capped and source in CAPPED else None
    ref_keys = AwardRef.keys(tenant, uid, source, ref)
    for attempt in range(ATTEMPTS):
        try:
            mt = MonthTotals.get(*MonthTotals.keys(tenant, uid, month), consistent_read=True)
        except MonthTotals.DoesNotExist:
            mt = None
        current = getattr(mt, source, None) if mt is not None and source in CAPPED else None
        grant = points
        if rule_cap is not None and points > 0:
            grant = max(0, min(points, rule_cap - int(current or 0)))
        board_keys = [Board.keys(tenant, p, village) for p in (month, quarter)]
        boards = boards_raw(tenant, board_keys, consistent=True) if grant else {}
        tx = None
        own: set = set()
        try:
            with transact() as tx:
                if extra is not None:
                    extra(tx, grant)
                    own = _keys(tx)
                if grant:
                    _award_items(tx, tenant, uid, name, village, township, source, grant, ref, note, by, at,
                                 month, quarter, mt, current, boards, board_keys)
                else:
                    tx.condition_check(AwardRef, *ref_keys, condition=AwardRef.pk.does_not_exist())
            return grant, True
        except TransactWriteError as e:
            failed = {k for k, c in zip(_ordered_keys(tx), cancellation_codes(e), strict=False)
                      if c == "ConditionalCheckFailed"}
            if failed & own:
                raise
            if ref_keys in failed:
                return 0, False  # the event's marker exists: awarded before
            if not failed and "TransactionConflict" not in cancellation_codes(e):
                raise  # throttling, an outage: the caller's 503 (core.http), not a retry here
            if attempt == ATTEMPTS - 1:
                raise ServiceUnavailable() from e
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
    raise ServiceUnavailable()


def _ordered_keys(tx) -> list[tuple[str, str]]:
    """The (pk, sk) of a TransactWrite's items in the order DynamoDB sees them (its cancellation reasons' order)."""
    out = []
    for items in (tx._condition_check_items, tx._delete_items, tx._put_items, tx._update_items):
        for op in items:
            k = op.get("Key") or op.get("Item") or {}
            out.append((k.get("pk", {}).get("S"), k.get("sk", {}).get("S")))
    return out


def _keys(tx) -> set[tuple[str, str]]:
    return set(_ordered_keys(tx))


def _award_items(tx, tenant, uid, name, village, township, source, grant, ref, note, by, at, month, quarter, mt,
                 current, boards, board_keys) -> None:
    eid = _eid(ref)
    # Newest first by the event's time, then by when it was written (events of one second keep their order).
    sk = f"E#{at}#{int(clock.now().timestamp() * 1000):013d}#{eid}"
    tx.save(AwardRef(*AwardRef.keys(tenant, uid, source, ref), points=grant, eid=eid, at=at, entry=sk),
            condition=AwardRef.pk.does_not_exist())
    tx.save(Entry(Entry.partition(tenant, uid), sk, eid=eid, at=at, source=source, points=grant,
                  ref=ref, note=note, by_uid=by), condition=Entry.pk.does_not_exist())
    mk = MonthTotals.keys(tenant, uid, month)
    if source in CAPPED:
        attr = getattr(MonthTotals, source)
        cond = attr.does_not_exist() if current is None else (attr == current)
        if mt is None:
            cond = MonthTotals.pk.does_not_exist()
        tx_update_unversioned(tx, MonthTotals, *mk, [attr.add(grant), MonthTotals.kind.set(MonthTotals)],
                              condition=cond)
    tx_update_unversioned(tx, Balance, *Balance.keys(tenant, uid),
                          [Balance.balance.add(grant), Balance.name.set(name), Balance.village.set(village),
                           Balance.kind.set(Balance)])
    for (pk, sk), period in zip(board_keys, (month, quarter), strict=True):
        new = f"p_{uid}" not in boards.get((pk, sk), {})
        exists = Path(f"p_{uid}").does_not_exist() if new else Path(f"p_{uid}").exists()
        per_source = [Path(f"e_{source}").add(1), Path(f"g_{source}").add(grant)]  # entries and points by source
        tx_update_unversioned(tx, Board, pk, sk, [Path(f"p_{uid}").add(grant), Path(f"n_{uid}").set(name),
                                                  Board.kind.set(Board), *per_source], condition=exists)
        tk = Board.keys(tenant, period, township)
        actions = [Path(f"s_{village}").add(grant), Board.kind.set(Board), *per_source]
        if new:
            actions.append(Path(f"c_{village}").add(1))
        tx_update_unversioned(tx, Board, *tk, actions)


# --- reads -------------------------------------------------------------------------------------------------------

def ledger(tenant: str, uid: str, limit: int, cursor: str | None) -> dict:
    """Balance, this month's per-source totals and a page of entries, newest first: one Query and one BatchGet."""
    bound = f"pts:{tenant}:{uid}"
    q = Entry.query(Entry.partition(tenant, uid), Entry.sk.startswith("E#"), scan_index_forward=False,
                    page_size=limit, last_evaluated_key=decode_cursor(cursor, bound))
    from ..core.db import one_page

    items, last = one_page(q, limit)
    month = periods(clock.iso())[0]
    from ..core.db import SubmissionsItem

    got = {(i.pk, i.sk): i for i in SubmissionsItem.batch_get([Balance.keys(tenant, uid),
                                                               MonthTotals.keys(tenant, uid, month)])}
    bal = got.get(Balance.keys(tenant, uid))
    mt = got.get(MonthTotals.keys(tenant, uid, month))
    return {"balance": int(bal.balance) if bal else 0, "name": bal.name if bal else None,
            "month": {s: int(getattr(mt, s) or 0) if mt else 0 for s in CAPPED},
            "entries": [entry_out(e) for e in items], "next_cursor": encode_cursor(last, bound)}


def entry_out(e: Entry) -> dict:
    return {"id": e.eid, "at": e.at, "source": e.source, "source_name": SOURCE_NAMES.get(e.source, e.source),
            "points": int(e.points), "ref": e.ref, "note": e.note or ""}


def totals(tenant: str, period: str, place_codes: list[str]) -> dict[str, dict]:
    """Per village or township, a period's (month 2026-12 or quarter 2026-Q4) party numbers from its board: points,
    members with points, the index (points ÷ members with points: a township's is its members' average, as a
    village's) and, per source, the entries and the points they gave (`sources`: {source: {entries, points}};
    counted on the boards since the per-source counters exist). One BatchGet per 100 places."""
    keys = {p: Board.keys(tenant, period, p) for p in place_codes}
    raw: dict[tuple[str, str], dict] = {}
    ordered = list(keys.values())
    for i in range(0, len(ordered), 100):
        raw.update(boards_raw(tenant, ordered[i:i + 100]))
    out = {}
    for place, k in keys.items():
        item = raw.get(k, {})
        if len(place) == 12:
            points = sum(v for a, v in item.items() if a.startswith("p_"))
            members = sum(1 for a in item if a.startswith("p_"))
        else:
            points = sum(v for a, v in item.items() if a.startswith("s_"))
            members = sum(int(v) for a, v in item.items() if a.startswith("c_"))
        sources = {a[2:]: {"entries": int(v), "points": int(item.get(f"g_{a[2:]}") or 0)}
                   for a, v in item.items() if a.startswith("e_")}
        out[place] = {"points": int(points), "members": members,
                      "index": round(points / members, 1) if members else 0.0, "sources": sources}
    return out


def index(tenant: str, place: str, period: str) -> dict:
    """A board: one GetItem (a township's board adds one BatchGet of its villages' names)."""
    raw = board_raw(tenant, period, place)
    if len(place) == 12:
        rows = [{"id": k[2:], "name": raw.get(f"n_{k[2:]}") or "党员", "points": v, "members": None}
                for k, v in raw.items() if k.startswith("p_")]
        formula = VILLAGE_FORMULA.format(period=period)
        level = "village"
    else:
        from ..places import service as places

        villages = [k[2:] for k in raw if k.startswith("s_")]
        names = places.names(tenant, villages) if villages else {}
        rows = []
        for v in villages:
            members = int(raw.get(f"c_{v}") or 0)
            rows.append({"id": v, "name": names.get(v, v), "members": members,
                         "points": round(raw[f"s_{v}"] / members, 1) if members else 0.0})
        formula = TOWNSHIP_FORMULA.format(period=period)
        level = "township"
    rows.sort(key=lambda r: (-r["points"], r["name"], r["id"]))
    out, rank = [], 0
    for i, r in enumerate(rows):
        if i == 0 or r["points"] != rows[i - 1]["points"]:
            rank = i + 1
        out.append({"rank": rank, **r, "points": float(r["points"])})
    return {"place": place, "level": level, "period": period, "formula": formula, "items": out}
