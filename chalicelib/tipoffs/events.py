"""A new tip-off is forwarded to the county epidemic command on the alerts topic (attributes tenant, village,
kind=tipoff; no reporter in the message). Registered on core/streams.py's dispatcher. A redelivered record is
not sent again once `forwarded_at` is set (a crash between the publish and the mark can repeat one message; it
carries the tip-off id to dedupe on)."""

from __future__ import annotations

from ..core import clock, notify, streams
from ..core.config import settings
from .models import Tipoff
from .service import CATEGORY_ZH


@streams.on_record("tipoff")
def on_tipoff(event: str, new: dict | None, old: dict | None) -> str | None:
    if event != "INSERT":
        return None
    pk, sk = new["pk"]["S"], new["sk"]["S"]
    try:
        tip = Tipoff.get(pk, sk, consistent_read=True)
    except Tipoff.DoesNotExist:
        return None
    if tip.forwarded_at:
        return None
    tenant = pk.split("#", 1)[0]
    category = CATEGORY_ZH.get(tip.category, tip.category)
    notify.publish(settings().alerts_topic, f"村情通疫情举报：{category}",
                   {"tipoff": tip.tid, "tenant": tenant, "village": tip.village, "category": tip.category,
                    "text": f"收到一条{category}举报，请登录村情通查看（{tip.tid}）"},
                   {"tenant": tenant, "village": tip.village, "kind": "tipoff"})
    # Unversioned: the village handling the tip-off at the same moment must not get a conflict.
    Tipoff._get_connection().update_item(pk, sk, actions=[Tipoff.forwarded_at.set(clock.iso())])
    return "forwarded"
