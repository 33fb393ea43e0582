"""A new tip-off is forwarded to the county epidemic command on the alerts topic (attributes tenant, village,
kind=tipoff; no reporter in the message). Registered on core/streams.py's dispatcher."""

from __future__ import annotations

from ..core import notify, streams
from ..core.config import settings
from .service import CATEGORY_ZH


@streams.on_record("tipoff")
def on_tipoff(event: str, new: dict | None, old: dict | None) -> str | None:
    if event != "INSERT":
        return None
    tenant = new["pk"]["S"].split("#", 1)[0]
    village, category, tid = new["village"]["S"], new["category"]["S"], new["tid"]["S"]
    notify.publish(settings().alerts_topic, f"村情通疫情举报：{CATEGORY_ZH.get(category, category)}",
                   {"tipoff": tid, "tenant": tenant, "village": village, "category": category,
                    "text": f"收到一条{CATEGORY_ZH.get(category, category)}举报，请登录村情通查看（{tid}）"},
                   {"tenant": tenant, "village": village, "kind": "tipoff"})
    return "forwarded"
