"""Re-index a county's members with the county's own blind-index key (core/keyring.py BlindIndexKey).

Members written before per-county keys carry blind indexes (`idno_bidx`, `phone_bidx`) and index items
(`{t}#IDNO#{bidx}`, `{t}#MPHONE#{bidx}`) made with the platform-wide key. `reindex(tenant)` decrypts each member's
numbers, computes the county's indexes and, for a member still on the old ones, moves it in one TransactWrite: the
member's two indexes (conditional on the values read), the ID-number item (the new one conditional on not existing,
the old one deleted if it still names this member) and the phone item. Members already on the county's key are left
alone, so a second run writes nothing, and it is safe beside live traffic (a member changed meanwhile is read again).
When every member is done, the key item is marked `reindexed_at` and lookups stop also trying the platform key
(pii.county_blind_indexes); until then they try both, so nothing indexed the old way goes missing meanwhile.

Reads, without a Scan: one Query of the county's place partition, per village one Query of its household index (per
1 MB), per household one Query (household + members). KMS: one Decrypt per county and month of data key met (the
keyring's cache), one for the blind-index key. Writes: one TransactWrite per member to move.

`run_pending()` runs it for each county not yet marked; the local stack calls it at start-up;
`python -m scripts.reindex_blind_indexes` runs it against a deployed stage.
"""

from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ..core import pii
from ..core.db import transact
from ..core.errors import NotFound
from ..core.keyring import BlindIndexKey
from . import migrate
from . import service as hs
from .models import Household, IdNumberIndex, Member, MemberPhoneIndex

NAME = "blind-index-per-county"
TRIES = 3


def reindex(tenant: str, dry_run: bool = False) -> dict:
    """Move one county's members to its own blind-index key. Returns counts (`members` seen, `moved`, `current`)
    and `conflicts` (an ID number held by another member under the county's key: reported, not moved) and `failed`
    (members that kept changing: run again)."""
    counts: dict = {"households": 0, "members": 0, "moved": 0, "current": 0, "conflicts": [], "failed": []}
    for village in migrate.villages(tenant):
        for ref in Household.gsi1.query(Household.village_index(tenant, village)):
            try:
                _, members = hs.load(tenant, ref.hid)
            except NotFound:
                continue
            counts["households"] += 1
            for m in members:
                counts["members"] += 1
                outcome = _member(tenant, m, dry_run)
                if outcome in ("moved", "current"):
                    counts[outcome] += 1
                else:
                    counts[outcome].append({"hid": m.hid, "mid": m.mid})
    return counts


def _wanted(tenant: str, m: Member) -> tuple[str, str | None]:
    idno = pii.decrypt(tenant, m.idno_enc)
    phone = pii.decrypt(tenant, m.phone_enc) if m.phone_enc else None
    return (pii.county_blind_index(tenant, "idno", idno),
            pii.county_blind_index(tenant, "phone", phone) if phone else None)


def _member(tenant: str, m: Member, dry_run: bool) -> str:
    for _ in range(TRIES):
        idno_bidx, phone_bidx = _wanted(tenant, m)
        if (m.idno_bidx, m.phone_bidx) == (idno_bidx, phone_bidx):
            return "current"
        new_idno = IdNumberIndex.keys(tenant, idno_bidx)
        if m.idno_bidx != idno_bidx:
            try:
                holder = IdNumberIndex.get(*new_idno, consistent_read=True)
                if (holder.hid, holder.mid) != (m.hid, m.mid):
                    return "conflicts"
            except IdNumberIndex.DoesNotExist:
                pass
        if dry_run:
            return "moved"
        try:
            with transact() as tx:
                cond = (Member.idno_bidx == m.idno_bidx) & (
                    Member.phone_bidx == m.phone_bidx if m.phone_bidx else Member.phone_bidx.does_not_exist())
                tx.update(m, actions=[Member.idno_bidx.set(idno_bidx), Member.phone_bidx.set(phone_bidx)
                                      if phone_bidx else Member.phone_bidx.remove()], condition=cond)
                if m.idno_bidx != idno_bidx:
                    tx.save(IdNumberIndex(*new_idno, hid=m.hid, mid=m.mid),
                            condition=IdNumberIndex.pk.does_not_exist() | (
                                (IdNumberIndex.hid == m.hid) & (IdNumberIndex.mid == m.mid)))
                    tx.delete(IdNumberIndex(*IdNumberIndex.keys(tenant, m.idno_bidx)),
                              condition=IdNumberIndex.pk.does_not_exist() | (
                                  (IdNumberIndex.hid == m.hid) & (IdNumberIndex.mid == m.mid)))
                if m.phone_bidx != phone_bidx:
                    if m.phone_bidx:
                        tx.delete(MemberPhoneIndex(*MemberPhoneIndex.keys(tenant, m.phone_bidx, m.hid, m.mid)))
                    if phone_bidx:
                        tx.save(MemberPhoneIndex(*MemberPhoneIndex.keys(tenant, phone_bidx, m.hid, m.mid),
                                                 hid=m.hid, mid=m.mid))
            return "moved"
        except TransactWriteError:  # changed meanwhile (or removed): read it again
            try:
                m = Member.get(*Member.keys(tenant, m.hid, m.mid), consistent_read=True)
            except Member.DoesNotExist:
                return "current"  # removed: nothing left to move
    return "failed"


# --- once per county ---------------------------------------------------------------------------------------------

def done(tenant: str) -> bool:
    try:
        return BlindIndexKey.get(*BlindIndexKey.keys(tenant), consistent_read=True).reindexed_at is not None
    except BlindIndexKey.DoesNotExist:
        return False


def mark_done(tenant: str) -> None:
    """Every member is on the county's key (or the county is new): lookups try the county's index only."""
    pii.keys.ring.mark_reindexed(tenant)


def run_pending(tenants: list[str] | None = None) -> dict[str, dict]:
    """Re-index each county (default: every county) not yet marked, and mark those that finished without conflicts
    or failures. Returns the counts of the counties re-indexed now."""
    out = {}
    for t in migrate.counties() if tenants is None else tenants:
        if done(t):
            continue
        out[t] = reindex(t)
        if not out[t]["conflicts"] and not out[t]["failed"]:
            mark_done(t)
    return out
