"""A new case of a type with a `forward_topic` is published on that topic (attributes tenant, village, kind = the
case type; no filer in the message). Registered on core/streams.py's dispatcher through the cases manifest. A
redelivered record is not sent again once `forwarded_at` is set (a crash between the publish and the mark can repeat
one message; it carries the case reference to dedupe on)."""

from __future__ import annotations

from ..core import clock, notify, streams
from ..core.config import settings
from . import types
from .models import Case


@streams.on_record("case")
def on_case(event: str, new: dict | None, old: dict | None) -> str | None:
    if event != "INSERT":
        return None
    t = types.get(new.get("type", {}).get("S", ""))
    if t is None or not t.forward_topic:
        return None
    pk, sk = new["pk"]["S"], new["sk"]["S"]
    try:
        case = Case.get(pk, sk, consistent_read=True)
    except Case.DoesNotExist:
        return None
    if case.forwarded_at:
        return None
    tenant = pk.split("#", 1)[0]
    cat = t.category(case.category)
    name = cat.name if cat else case.category
    message = {"case": case.ref, "type": t.id, "tenant": tenant, "village": case.village, "place": case.place,
               "category": case.category, "text": f"收到一条{t.name}（{name}），请登录村情通查看（{case.ref}）"}
    message[t.id] = case.ref  # e.g. {"tipoff": "JB-330825-000012"}: what subscribers of a type key on
    notify.publish(getattr(settings(), t.forward_topic), f"村情通{t.name}：{name}", message,
                   {"tenant": tenant, "village": case.village or case.place, "kind": t.id})
    # Unversioned: staff handling the case at the same moment must not get a conflict.
    Case._get_connection().update_item(pk, sk, actions=[Case.forwarded_at.set(clock.iso())])
    return "forwarded"
