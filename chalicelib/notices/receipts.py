"""Read receipts: who has opened a notice, per household, and how many households per place.

Opening a notice (POST /notices/{id}/read) marks it read for the person (`NoticeSeen`: the banner goes) and, for
each of their households the notice reaches, once (`NoticeRead`, conditional put) with the place counters in the same
TransactWrite: grid and village counters exactly, township and county counters through the household's shard, each in
a partition of its own (`NoticeCount`), so a county-wide notice's reads do not all hit one partition. Two members of
one household count once. Totals are the households' coverage counters (chalicelib/households).
"""

from __future__ import annotations

import json
import random
import time
import zlib

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import cancellation_codes, transact
from ..core.errors import NotFound, ServiceUnavailable
from ..core.tenancy import TenantContext, within
from ..households import service as households
from ..places import codes
from ..places import service as places
from . import service
from .models import NoticeCount, NoticeRead, NoticeSeen

SHARDS = 8  # township and county counters per notice (read back with the receipts' one BatchGet)
READ_PERMISSION = "notices.receipts"
UNREAD_MAX = 500  # a grid's unread list (a grid is a few hundred households)


def shard(hid: str) -> int:
    return zlib.crc32(hid.encode()) % SHARDS


def counter_keys(tenant: str, nid: str, grid: str, hid: str) -> list[tuple[str, str]]:
    s = shard(hid)
    return [NoticeCount.keys(tenant, nid, grid), NoticeCount.keys(tenant, nid, grid[:12]),
            NoticeCount.keys(tenant, nid, grid[:9], s), NoticeCount.keys(tenant, nid, tenant, s)]


def _place_keys(tenant: str, nid: str, place: str) -> list[tuple[str, str]]:
    if codes.level_of(place) in ("grid", "village"):
        return [NoticeCount.keys(tenant, nid, place)]
    return [NoticeCount.keys(tenant, nid, place, s) for s in range(SHARDS)]


def mark_read(ctx: TenantContext, nid: str) -> None:
    """Open (acknowledge) a notice: my mark once, and each of my households' once with its counters."""
    tenant = ctx.require_tenant()
    n = service._load(tenant, nid)
    if service.status(n) != "published" or not service._is_recipient(ctx, n):
        if not service._may_see_as_staff(ctx, n):
            raise NotFound("找不到该通知")
        return  # staff looking at a notice of their place: nothing to acknowledge unless it is addressed to them
    try:
        NoticeSeen.get(*NoticeSeen.keys(tenant, ctx.user_id, nid))
        return  # opened before: its households were counted then
    except NoticeSeen.DoesNotExist:
        pass
    now = clock.iso()
    targets = json.loads(n.targets)
    homes = {g.household: g.place for g in ctx.grants
             if g.household and any(within(g.place, t) for t in targets)}
    for hid, grid in sorted(homes.items()):  # first: a failure here leaves no mark, so a retry counts them
        _count(tenant, nid, grid, hid, ctx.user_id, now)
    NoticeSeen(*NoticeSeen.keys(tenant, ctx.user_id, nid), read_at=now).save()


def _count(tenant: str, nid: str, grid: str, hid: str, uid: str, now: str) -> bool:
    """The household's read and its counters, once (False: counted before). A conflict with another read's
    transaction on a shared counter is retried with backoff."""
    for attempt in range(6):
        try:
            with transact() as tx:
                tx.save(NoticeRead(NoticeRead.partition(tenant, nid), f"{grid}#{hid}", uid=uid, read_at=now),
                        condition=NoticeRead.pk.does_not_exist())
                for pk, sk in counter_keys(tenant, nid, grid, hid):
                    tx.update(NoticeCount(pk, sk), actions=[NoticeCount.read.add(1)])
            return True
        except TransactWriteError as e:
            reasons = cancellation_codes(e)
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False
            if attempt == 5:
                raise ServiceUnavailable() from e
            time.sleep(min(0.5, 0.02 * 2 ** attempt) * random.random())
    return False


def receipts(ctx: TenantContext, nid: str, place: str) -> dict:
    """Per child place of `place`: households that have read it / households it reaches; for a grid, the list of
    its households that have not. Calls: the notice, the children (one Query), one BatchGet of counters per 100,
    one of coverage counters per 100; a grid: one Query of the grid's households and one of its reads."""
    tenant = ctx.require_tenant()
    ctx.require(READ_PERMISSION, place)
    n = service._load(tenant, nid)
    targets = json.loads(n.targets)
    reached = [t for t in targets if within(t, place) or within(place, t)]
    if not reached:
        raise NotFound("该通知未发布到这个地区")
    level = codes.level_of(place)
    children: list[tuple[str, str | None]] = []
    if level != "grid":
        kids = places.children(ctx, place, 100, None)["items"]
        children = [(p.code, p.name) for p in kids if any(within(t, p.code) or within(p.code, t) for t in targets)]
    wanted = [place] + [c for c, _ in children]
    counts = _counts(tenant, nid, wanted)
    totals = _totals(tenant, targets, wanted) if not json.loads(n.roles) else {}
    names = dict(children)
    names[place] = places.names(tenant, [place]).get(place)
    rows = [{"place": p, "name": names.get(p), "read": counts.get(p, 0), "total": totals.get(p)} for p in wanted]
    unread = _unread(tenant, nid, place) if level == "grid" else None
    return {"notice": nid, "place": rows[0], "children": rows[1:], "unread": unread}


def _counts(tenant: str, nid: str, place_list: list[str]) -> dict[str, int]:
    wanted = {p: _place_keys(tenant, nid, p) for p in place_list}
    keys = [k for ks in wanted.values() for k in ks]
    got: dict[tuple[str, str], int] = {}
    for i in range(0, len(keys), 100):
        for c in NoticeCount.batch_get(keys[i:i + 100]):
            got[(c.pk, c.sk)] = int(c.read or 0)
    return {p: sum(got.get(k, 0) for k in ks) for p, ks in wanted.items()}


def _totals(tenant: str, targets: list[str], place_list: list[str]) -> dict[str, int]:
    """Households the notice reaches in each place: the place's own count when a target covers it, else the sum of
    the targets inside it (one BatchGet of coverage counters)."""
    need: dict[str, list[str]] = {}
    for p in place_list:
        need[p] = [p] if any(within(p, t) for t in targets) else [t for t in targets if within(t, p)]
    expected = households.expected_households(tenant, sorted({c for cs in need.values() for c in cs}))
    return {p: sum(expected.get(c, 0) for c in cs) for p, cs in need.items()}


def _unread(tenant: str, nid: str, grid: str) -> list[dict]:
    """The grid's households minus those that have read it, head names masked."""
    read = {r.sk.split("#", 1)[1] for r in NoticeRead.query(NoticeRead.partition(tenant, nid),
                                                              NoticeRead.sk.startswith(f"{grid}#"))}
    out = []
    for h in households.grid_households(tenant, grid):
        if h.hid not in read:
            out.append({"id": h.hid, "ref": h.ref, "head_name": households.mask_head(h.head_name),
                        "address": h.address})
            if len(out) >= UNREAD_MAX:
                break
    return out

