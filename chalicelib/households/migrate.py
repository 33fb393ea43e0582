"""Backfill of households written before household numbers and the name index (and before heads' member ids).

Data written by earlier versions has a household sort key `{grid}#{hid}`, no number item, no address or member-phone
index items, members without `grid` and without name-index keys, no `head_mid`, and village sequences that know
nothing of the numbers already in use. `backfill(tenant)` brings one county up to date, using the same key helpers
as the write paths. It is idempotent (what is in place is left alone: a second run writes nothing) and safe beside
live traffic (each household's writes are one TransactWrite conditional on the household's version as read; a
household changed meanwhile is read again).

Reads, without a Scan: one Query of the county's place partition (per 1 MB), per village one Query of its
household index (per 1 MB page), per household one Query (household + members, a few at once), per 25 households
one BatchGet of the index items they should have. Writes: one TransactWrite per household that lacks something,
and per village at most one conditional Update of its number sequence.

A number held by two households (earlier versions did not make numbers unique) stays with the first one met (in the
village's order); the other is reported as a conflict and keeps its number without a number item: the office
decides which household keeps it.

`run_pending()` runs it once per county (a `{t}#MIGRATION#households-v2` marker item records the run): the local
stack calls it at start-up; `python -m scripts.backfill_households` runs it against a deployed stage.
"""

from __future__ import annotations

import json

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import HouseholdsItem, transact
from ..core.errors import NotFound
from ..places.models import Place
from . import service as hs
from .models import AddressIndex, Household, HouseholdRef, HouseholdSeq, Member, MemberPhoneIndex, Migration
from .roster import concurrently

NAME = "households-v2"
CHUNK = 25  # households read at once (their index items: ≤ 25 × (2 + 20 phones) keys, BatchGets of 100)
TRIES = 3
FIELDS = ("villages", "households", "written", "sort_keys", "heads", "members", "refs", "addresses", "phones",
          "sequences")


def villages(tenant: str) -> list[str]:
    """The county's villages: one Query of its place partition (one call per 1 MB of places)."""
    found: set[str] = set()
    for p in Place.query(Place.keys(tenant, tenant)[0]):
        if p.level == "village":
            found.add(p.code)
        elif p.level == "grid":
            found.add(p.code[:12])
    return sorted(found)


def backfill(tenant: str, dry_run: bool = False) -> dict:
    """Bring one county's households up to date. Returns what was (or, with `dry_run`, would be) written: counts per
    kind of fix, and `conflicts` (numbers already held by another household) and `failed` (households that kept
    changing under the backfill: run it again)."""
    run = _Run(tenant, dry_run)
    for village in villages(tenant):
        run.counts["villages"] += 1
        # Every hid first: the backfill moves households within this very index.
        hids = [h.hid for h in Household.gsi1.query(Household.village_index(tenant, village))]
        highest = 0
        for i in range(0, len(hids), CHUNK):
            loaded = [x for x in concurrently(lambda hid: _load(tenant, hid), hids[i:i + CHUNK]) if x is not None]
            present = _present(tenant, loaded)
            for hh, members in loaded:
                run.counts["households"] += 1
                highest = max(highest, hs.auto_number(village, hh.ref) or 0)
                run.household(hh, members, present)
        if highest:
            moved = _sequence_behind(tenant, village, highest) if dry_run else \
                hs.note_ref(tenant, village, hs.auto_ref(village, highest))
            run.counts["sequences"] += int(moved)
    return run.counts


def _load(tenant: str, hid: str) -> tuple[Household, list[Member]] | None:
    try:
        return hs.load(tenant, hid)
    except NotFound:  # removed since the index was read
        return None


def _wanted(tenant: str, hh: Household, members: list[Member]) -> list[tuple[str, str]]:
    """The keys of the index items a household should have."""
    keys = [AddressIndex.keys(tenant, hh.village, hh.address, hh.hid)]
    if hh.ref:
        keys.append(HouseholdRef.keys(tenant, hh.ref))
    keys += [MemberPhoneIndex.keys(tenant, m.phone_bidx, hh.hid, m.mid) for m in members if m.phone_bidx]
    return keys


def _present(tenant: str, loaded: list[tuple[Household, list[Member]]]) -> dict[tuple[str, str], HouseholdsItem]:
    """Which of those index items exist: one BatchGet per 100 keys."""
    keys = list(dict.fromkeys(k for hh, members in loaded for k in _wanted(tenant, hh, members)))
    out: dict[tuple[str, str], HouseholdsItem] = {}
    for i in range(0, len(keys), 100):
        out.update({(item.pk, item.sk): item for item in HouseholdsItem.batch_get(keys[i:i + 100])})
    return out


class _Run:
    def __init__(self, tenant: str, dry_run: bool):
        self.tenant, self.dry_run = tenant, dry_run
        self.counts: dict = dict.fromkeys(FIELDS, 0)
        self.counts["conflicts"], self.counts["failed"] = [], []
        self.claimed: dict[tuple[str, str], str] = {}  # number items written (or, dry, to be written) by this run

    def household(self, hh: Household, members: list[Member], present: dict) -> None:
        for _ in range(TRIES):
            try:
                self._fix(hh, members, present)
                return
            except TransactWriteError:  # changed meanwhile (or its number just taken): read it again
                again = _load(self.tenant, hh.hid)
                if again is None:
                    return
                hh, members = again
                present = _present(self.tenant, [again])
        self.counts["failed"].append(hh.hid)

    def _fix(self, hh: Household, members: list[Member], present: dict) -> None:
        """Write what the household lacks, in one TransactWrite conditional on its version; count it once written."""
        tenant = self.tenant
        delta = dict.fromkeys(FIELDS, 0)
        actions = []
        index_pk, order = Household.village_index(tenant, hh.village), Household.order_key(hh.grid, hh.ref, hh.hid)
        if (hh.gsi1pk, hh.gsi1sk) != (index_pk, order):
            actions += [Household.gsi1pk.set(index_pk), Household.gsi1sk.set(order)]
            delta["sort_keys"] = 1
        head = next((m for m in members if m.relation == "户主"), None)
        if hh.head_mid != (head.mid if head else None):
            actions.append(Household.head_mid.set(head.mid) if head else Household.head_mid.remove())
            delta["heads"] = 1

        puts: list[tuple[HouseholdsItem, object]] = []
        conflict = ref_key = None
        if hh.ref:
            ref_key = HouseholdRef.keys(tenant, hh.ref)
            holder = present[ref_key].hid if ref_key in present else self.claimed.get(ref_key)
            if holder is None:
                puts.append((HouseholdRef(*ref_key, hid=hh.hid, village=hh.village),
                             HouseholdRef.pk.does_not_exist()))
                delta["refs"] = 1
            elif holder != hh.hid:
                conflict = {"ref": hh.ref, "hid": hh.hid, "grid": hh.grid, "held_by": holder}
        k = AddressIndex.keys(tenant, hh.village, hh.address, hh.hid)
        if k not in present:
            puts.append((AddressIndex(*k, hid=hh.hid, grid=hh.grid), None))
            delta["addresses"] = 1
        for m in members:
            if m.phone_bidx:
                k = MemberPhoneIndex.keys(tenant, m.phone_bidx, hh.hid, m.mid)
                if k not in present:
                    puts.append((MemberPhoneIndex(*k, hid=hh.hid, mid=m.mid), None))
                    delta["phones"] += 1

        member_updates = []
        for m in members:
            before = (m.grid, m.gsi1pk, m.gsi1sk)
            m.grid = hh.grid
            m.index_name(tenant)  # the write paths' own name-index keys
            if (m.grid, m.gsi1pk, m.gsi1sk) != before:
                member_updates.append((m, [Member.grid.set(m.grid), Member.gsi1pk.set(m.gsi1pk),
                                           Member.gsi1sk.set(m.gsi1sk)]))
        delta["members"] = len(member_updates)

        if actions or puts or member_updates:
            if not self.dry_run:
                with transact() as tx:
                    if actions:
                        tx.update(hh, actions=actions)  # versioned: on the version read, and moves it on
                    else:
                        tx.condition_check(Household, hh.pk, hh.sk, condition=Household.version == hh.version)
                    for item, cond in puts:
                        tx.save(item, condition=cond)
                    for m, acts in member_updates:
                        tx.update(m, actions=acts, condition=Member.pk.exists())
            delta["written"] = 1
            for f, n in delta.items():
                self.counts[f] += n
            if delta["refs"]:
                self.claimed[ref_key] = hh.hid
        if conflict:
            self.counts["conflicts"].append(conflict)


def _sequence_behind(tenant: str, village: str, n: int) -> bool:
    try:
        return int(HouseholdSeq.get(*HouseholdSeq.keys(tenant, village), consistent_read=True).last) < n
    except HouseholdSeq.DoesNotExist:
        return True


# --- once per county ---------------------------------------------------------------------------------------------

def done(tenant: str) -> bool:
    try:
        Migration.get(*Migration.keys(tenant, NAME), consistent_read=True)
        return True
    except Migration.DoesNotExist:
        return False


def mark_done(tenant: str, counts: dict | None = None) -> None:
    Migration(*Migration.keys(tenant, NAME), name=NAME, done_at=clock.iso(),
              counts=json.dumps(counts or {}, ensure_ascii=False)).save()


def counties() -> list[str]:
    """Every county, active or disabled (one Query of the registry per 1 MB)."""
    from ..core.counties import County

    return [c.code for c in County.gsi1.query(County.list_key())]


def run_pending(tenants: list[str] | None = None) -> dict[str, dict]:
    """Backfill each county (default: every county) that has no marker yet, then mark it. Returns the counts of
    the counties backfilled now."""
    out = {}
    for t in counties() if tenants is None else tenants:
        if done(t):
            continue
        out[t] = backfill(t)
        mark_done(t, out[t])
    return out
