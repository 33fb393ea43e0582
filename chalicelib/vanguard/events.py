"""Reactions of 党员先锋 to the `submissions` table's stream (core/streams.py; locally devstack/events.py):

- a like inserted → the deed's author earns the "likes received" points (within the month's cap); a like removed
  (unlike) → what that like earned is taken back by a new, negative entry. The award's marker (`AwardRef`, keyed by
  the like: deed, person, time) makes a redelivered record change nothing. Awarding here rather than in the like's
  transaction keeps a like storm off the author's ledger, month and board items (one writer: the stream).
- a daily report inserted (kind `daily_report`, the report module's item; read only) → when the household was
  reminded that day by its linked party member (党员联户: the report module's reminder marker, and the link), that
  member earns the "households looked after" (care) points, once per household and day. The report module reacts
  to the same kind (its handler is registered by it); this module's handler is registered here and imported through
  the manifest's reactions.
"""

from __future__ import annotations

from ..core import streams
from ..core.errors import NotFound
from .points import award


def _s(image: dict | None, name: str) -> str | None:
    return ((image or {}).get(name) or {}).get("S")


def _tenant(image: dict) -> str:
    return _s(image, "pk").split("#", 1)[0]


@streams.on_record("vanguard_like", removals=True)
def on_like(event: str, new: dict | None, old: dict | None) -> str | None:
    from .models import AwardRef

    if event == "INSERT" and new:
        tenant = _tenant(new)
        author, liker = _s(new, "author"), _s(new, "uid")
        if author == liker:
            return "like_own"  # liking one's own deed earns nothing
        from .points import rules_of

        rule = rules_of(tenant)[0]["like"]
        given, done = award(tenant, author, name=_s(new, "author_name") or "", village=_s(new, "village"),
                            source="like", points=rule["points"], ref=f"{_s(new, 'did')}:{liker}:{_s(new, 'at')}",
                            note="收到点赞", at=_s(new, "at"))
        return "like_points" if given and done else "like_no_points"
    if event == "REMOVE" and old:
        tenant = _tenant(old)
        author, liker = _s(old, "author"), _s(old, "uid")
        ref = f"{_s(old, 'did')}:{liker}:{_s(old, 'at')}"
        try:
            earned = AwardRef.get(*AwardRef.keys(tenant, author, "like", ref), consistent_read=True)
        except AwardRef.DoesNotExist:
            return "unlike_nothing"
        award(tenant, author, name=_s(old, "author_name") or "", village=_s(old, "village"), source="like",
              points=-int(earned.points), ref=f"undo:{ref}", note="点赞被取消", capped=False)
        return "unlike_points"
    return None


@streams.on_records("daily_report")
def on_reports(batch: list[tuple[str, dict | None, dict | None]]) -> dict[str, int]:
    """Reports answering a linked party member's reminder of the day: one BatchGet of the batch's reminder markers;
    then, for the few reminded households, the link and the award."""
    from ..daily_report.models import Reminder
    from ..party import service as party
    from .points import rules_of
    from .service import member_info

    wanted = {}
    for event, new, _old in batch:
        if event != "INSERT" or not new or (new.get("proxy") or {}).get("BOOL"):
            continue  # a grid worker's 代报 is not the household answering
        tenant, hid, date = _tenant(new), _s(new, "hid"), _s(new, "date")
        if hid and date:
            wanted[Reminder.keys(tenant, hid, date)] = (tenant, hid, date, _s(new, "submitted_at"))
    if not wanted:
        return {}
    done = 0
    for marker in Reminder.batch_get(list(wanted)):
        tenant, hid, date, at = wanted[(marker.pk, marker.sk)]
        if party.member_of(tenant, hid) != marker.by_user:
            continue  # reminded by a grid worker, or by a member no longer linked
        try:
            name, village = member_info(tenant, marker.by_user)
        except NotFound:
            continue
        given, now = award(tenant, marker.by_user, name=name, village=village, source="care",
                           points=rules_of(tenant)[0]["care"]["points"], ref=f"{hid}:{date}", note="联户提醒后已上报",
                           at=at)
        done += bool(given and now)
    return {"care_points": done} if done else {}
