"""党员先锋: deeds, likes, comments, the points ledger and the 党建指数 boards. Items in the `submissions` table (the
likes' points are awarded from its stream: events.py). Every key starts with the tenant."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, VersionAttribute

from ..core.db import SubmissionsItem, key

SHARDS = 4  # like counter shards per deed: a like storm's writes spread over 4 partitions (20 deeds × 4 + 20 = 100)


class Deed(SubmissionsItem, discriminator="vanguard_deed"):
    """`{t}#VGD#{did}` / `DEED`: a party member's deed (最新实事): text, photo keys (JSON), pending → approved or
    rejected (with a reason). While pending it is in its village's approval queue (gsi1 `{t}#VGQ#{village}` /
    `{created_at}#{did}`, removed when decided)."""

    did = UnicodeAttribute()
    author = UnicodeAttribute()
    author_name = UnicodeAttribute()
    village = UnicodeAttribute()
    village_name = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    photos = UnicodeAttribute()  # JSON list of S3 keys
    status = UnicodeAttribute(default="pending")  # pending | approved | rejected
    reason = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)  # what its approval earned the author (after the month's cap)
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str, did: str) -> tuple[str, str]:
        return key(tenant, "VGD", did), "DEED"

    @staticmethod
    def queue(tenant: str, village: str) -> str:
        return key(tenant, "VGQ", village)


class DeedFeed(SubmissionsItem, discriminator="vanguard_feed"):
    """`{t}#VGF#{place}` / `{decided_at}#{did}`: an approved deed as its village's, its township's and its county's
    feeds list it (three copies written with the approval; a deed never changes once approved): a feed page is one
    Query, newest first."""

    did = UnicodeAttribute()
    author = UnicodeAttribute()
    author_name = UnicodeAttribute()
    village = UnicodeAttribute()
    village_name = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    photos = UnicodeAttribute()
    created_at = UnicodeAttribute()
    decided_at = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, place: str) -> str:
        return key(tenant, "VGF", place)


class MyDeed(SubmissionsItem, discriminator="vanguard_mine"):
    """`{t}#VGM#{uid}` / `{created_at}#{did}`: a party member's own deeds (every status), newest first."""

    did = UnicodeAttribute()

    @staticmethod
    def partition(tenant: str, uid: str) -> str:
        return key(tenant, "VGM", uid)


class Like(SubmissionsItem, discriminator="vanguard_like"):
    """`{t}#VGL#{did}#{uid}` / `L`: one person's like of a deed (a conditional put: a second is no change). Its own
    partition per person, so a like storm spreads. Its stream INSERT awards the author's "likes received" points,
    its REMOVE (unlike) takes back what that like earned (events.py)."""

    did = UnicodeAttribute()
    uid = UnicodeAttribute()
    at = UnicodeAttribute()
    author = UnicodeAttribute()
    author_name = UnicodeAttribute()
    village = UnicodeAttribute()

    @staticmethod
    def keys(tenant: str, did: str, uid: str) -> tuple[str, str]:
        return key(tenant, "VGL", did, uid), "L"


class LikeShard(SubmissionsItem, discriminator="vanguard_like_count"):
    """`{t}#VGC#{did}#S{n}` / `N`, n < SHARDS: a share of a deed's like count (a like adds 1 to a random shard in
    the like's transaction; a read sums the shards: one BatchGet)."""

    likes = NumberAttribute(default=0)

    @staticmethod
    def keys(tenant: str, did: str, shard: int) -> tuple[str, str]:
        return key(tenant, "VGC", did, f"S{shard}"), "N"


class Comment(SubmissionsItem, discriminator="vanguard_comment"):
    """`{t}#VGK#{did}` / `{cid}` (epoch ms + random: sorts by time): a comment on a deed, held for moderation
    (pending → approved or hidden). While pending it is in its village's moderation queue (gsi1 `{t}#VGKQ#{village}` /
    `{created_at}#{did}#{cid}`)."""

    cid = UnicodeAttribute()
    did = UnicodeAttribute()
    uid = UnicodeAttribute()
    name = UnicodeAttribute()  # the commenter's name, shown masked (张*)
    village = UnicodeAttribute()
    text = UnicodeAttribute()
    status = UnicodeAttribute(default="pending")  # pending | approved | hidden
    created_at = UnicodeAttribute()
    decided_by = UnicodeAttribute(null=True)
    version = VersionAttribute()

    @staticmethod
    def partition(tenant: str, did: str) -> str:
        return key(tenant, "VGK", did)

    @staticmethod
    def queue(tenant: str, village: str) -> str:
        return key(tenant, "VGKQ", village)


class Rules(SubmissionsItem, discriminator="vanguard_rules"):
    """`{t}#VGRULES` / `RULES`: the county's points rules {source: {points, monthly_cap}} (JSON); absent: defaults."""

    data = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    updated_by = UnicodeAttribute()
    version = VersionAttribute()

    @staticmethod
    def keys(tenant: str) -> tuple[str, str]:
        return key(tenant, "VGRULES"), "RULES"


class Entry(SubmissionsItem, discriminator="vanguard_points"):
    """`{t}#PTS#{uid}` / `E#{at}#{written, epoch ms}#{eid}`: one entry of a party member's append-only points
    ledger (never updated or deleted: a correction is another entry)."""

    eid = UnicodeAttribute()
    at = UnicodeAttribute()
    source = UnicodeAttribute()  # deed | like | study | volunteer | care | correction
    points = NumberAttribute()
    ref = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    by_uid = UnicodeAttribute(null=True)

    @staticmethod
    def partition(tenant: str, uid: str) -> str:
        return key(tenant, "PTS", uid)


class AwardRef(SubmissionsItem, discriminator="vanguard_points_ref"):
    """`{t}#PTS#{uid}` / `R#{source}#{ref}`: the award of one event happened (a conditional put in the award's
    transaction: a redelivered stream record or a repeated award changes nothing), and how many points it gave."""

    points = NumberAttribute()
    eid = UnicodeAttribute()
    at = UnicodeAttribute()
    entry = UnicodeAttribute()  # the entry's sort key

    @staticmethod
    def keys(tenant: str, uid: str, source: str, ref: str) -> tuple[str, str]:
        return key(tenant, "PTS", uid), f"R#{source}#{ref}"


class Balance(SubmissionsItem, discriminator="vanguard_points_balance"):
    """`{t}#PTS#{uid}` / `BAL`: the member's balance (the ledger's sum, added in every entry's transaction)."""

    balance = NumberAttribute(default=0)
    name = UnicodeAttribute(null=True)
    village = UnicodeAttribute(null=True)

    @staticmethod
    def keys(tenant: str, uid: str) -> tuple[str, str]:
        return key(tenant, "PTS", uid), "BAL"


class MonthTotals(SubmissionsItem, discriminator="vanguard_points_month"):
    """`{t}#PTS#{uid}` / `M#{YYYY-MM}`: a member's points of a month per source (the monthly caps are checked on it
    with a condition on the value read)."""

    deed = NumberAttribute(null=True)
    like = NumberAttribute(null=True)
    study = NumberAttribute(null=True)
    volunteer = NumberAttribute(null=True)
    care = NumberAttribute(null=True)

    @staticmethod
    def keys(tenant: str, uid: str, month: str) -> tuple[str, str]:
        return key(tenant, "PTS", uid), f"M#{month}"


class Board(SubmissionsItem, discriminator="vanguard_board"):
    """党建指数, pre-aggregated in the ledger's transactions so that a board is one GetItem:
    - `{t}#VGI#{period}#{village}` / `V`: every party member's points of the period in the village (`p_{uid}`) and
      their names (`n_{uid}`): top-level attributes, added to with ADD;
    - `{t}#VGI#{period}#{township}` / `T`: each village's members' points summed (`s_{village}`) and how many
      members have points there (`c_{village}`): the villages' averages;
    - on both, per source (deed, study, ...): the entries of the period (`e_{source}`) and the points they gave
      (`g_{source}`), the county back office's party numbers (points.totals).
    The period is a month (2026-12) or a quarter (2026-Q4) in Asia/Shanghai. The dynamic attributes are read raw
    (service.board_raw)."""

    @staticmethod
    def keys(tenant: str, period: str, place: str) -> tuple[str, str]:
        return key(tenant, "VGI", period, place), "V" if len(place) == 12 else "T"
