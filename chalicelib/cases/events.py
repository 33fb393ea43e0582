"""Reactions to the submissions stream, registered through the cases manifest:

- a new case of a type with a `forward_topic` is published on that topic (attributes tenant, village, kind = the
  case type; no filer in the message). A redelivered record is not sent again once `forwarded_at` is set (a crash
  between the publish and the mark can repeat one message; it carries the case reference to dedupe on);
- a staff event that changes a case's status sends the filer an SMS when they opted in (`sms_updates`): a marker
  item written before sending makes it at most once per event (a lost SMS is better than a repeated one; the inbox
  notice, written with the change itself, is never lost).
"""

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
    from . import categories

    cat = categories.get(tenant, t, case.category)
    name = cat.name if cat else case.category
    message = {"case": case.ref, "type": t.id, "tenant": tenant, "village": case.village, "place": case.place,
               "category": case.category, "text": f"收到一条{t.name}（{name}），请登录村情通查看（{case.ref}）"}
    message[t.id] = case.ref  # e.g. {"tipoff": "JB-330825-000012"}: what subscribers of a type key on
    notify.publish(getattr(settings(), t.forward_topic), f"村情通{t.name}：{name}", message,
                   {"tenant": tenant, "village": case.village or case.place, "kind": t.id})
    # Unversioned: staff handling the case at the same moment must not get a conflict.
    Case._get_connection().update_item(pk, sk, actions=[Case.forwarded_at.set(clock.iso())])
    return "forwarded"


SMS_EVENTS = frozenset({"assigned", "accepted", "escalated", "resolved", "closed", "duplicate"})


@streams.on_record("case_event")
def on_case_event(event: str, new: dict | None, old: dict | None) -> str | None:
    if event != "INSERT" or new.get("by_role", {}).get("S") == "filer":
        return None
    kind = new.get("event", {}).get("S")
    from pynamodb.exceptions import PutError

    from ..core import pii
    from ..core.auth import service as auth
    from .models import CaseSmsSent

    pk, sk = new["pk"]["S"], new["sk"]["S"]
    tenant = pk.split("#", 1)[0]
    try:
        case = Case.get(pk, "A")
    except Case.DoesNotExist:
        return None
    t = types.get(case.type)
    if kind not in SMS_EVENTS and not (t and kind in t.event_names):
        return None
    try:
        user = auth.get_user(tenant, case.filer_uid)
    except Exception:  # noqa: BLE001 - a filer who left the county gets nothing
        return None
    if not (user.sms_updates or (t and t.sms_always)) or user.status != "active":
        return None
    phone = _contact(t, tenant, case) or pii.decrypt(tenant, user.phone_enc)
    try:
        CaseSmsSent(pk, f"SMS#{sk}").save(condition=CaseSmsSent.pk.does_not_exist())
    except PutError as e:
        if e.cause_response_code == "ConditionalCheckFailedException":
            return None  # sent already (a redelivered record)
        raise
    at = new.get("status", {}).get("S") or case.status  # the status the event left, not the one now
    status = t.status_name(at) if t else at
    # ≤ 6 characters: sms_templates.py
    what = "已转上级办理" if kind == "escalated" else (t.event_names.get(kind) if t else None) or status
    notify.sms().send(phone, notify.Sms("case_update", noun=t.noun if t else "事项", ref=case.ref, status=what))
    return "sms"


def _contact(t, tenant: str, case) -> str | None:
    """The phone a case type sends its SMS to, when it says (网上代办: the family's), else None (the filer's)."""
    if t is None or not t.contact:
        return None
    import importlib

    module, _, fn = t.contact.partition(":")
    return getattr(importlib.import_module(module), fn)(tenant, case)
