"""How cases leave the API: the filer is hidden from staff when anonymous, hidden text is shown only to staff,
the names of places are read in one BatchGet per page, and each case says what the caller may do with it."""

from __future__ import annotations

from ..core import counties, files
from ..core.tenancy import TenantContext
from ..places import service as places
from . import categories, service, types


def _plain(m) -> dict:
    """A MapAttribute as read (or the dict it was written with) as a plain dict."""
    if m is None:
        return {}
    return m.as_dict() if hasattr(m, "as_dict") else dict(m)


def _names(ctx: TenantContext, cases) -> dict[str, str]:
    codes = set()
    for c in cases:
        codes.add(c.place)
        if c.village:
            codes.add(c.village)
    return places.names(ctx.tenant_id, codes) if codes else {}


def case_out(ctx: TenantContext, c, names: dict[str, str]) -> dict:
    t = service.case_type(c)
    cat = categories.get(ctx.tenant_id, t, c.category)
    own = service.is_filer(ctx, c)
    staff = not own and service.staff_may_read(ctx, c) or own and service.staff_may_read(ctx, c)
    hidden_photos = set(c.hidden_photos or [])

    def show(keys) -> list[dict]:
        return [{"id": k, "url": files.download_url(k)} for k in keys or [] if staff or k not in hidden_photos]

    return {
        "ref": c.ref, "type": t.id, "type_name": t.name, "category": c.category,
        "category_name": cat.name if cat else c.category, "place": c.place, "place_name": names.get(c.place),
        "village": c.village, "village_name": names.get(c.village) if c.village else None,
        "text": c.text if (staff or own or not c.hidden_reason) else None,
        "location": c.location, "lat": c.lat, "lng": c.lng, "extra": _plain(c.extra),
        "photos": show(c.photos), "after_photos": show(c.after_photos), "anonymous": c.anonymous,
        "filer": None if c.anonymous and not own else c.filer_name, "mine": own,
        "status": c.status, "status_name": t.status_name(c.status), "level": c.level,
        "assignee": c.assignee_name, "outcome": c.outcome,
        "outcome_name": t.outcomes.get(c.outcome) if c.outcome else None, "note": c.note,
        "handled_by": c.handled_by_name, "handled_at": c.handled_at, "due_at": c.due_at,
        "sla": service.sla_state(c), "resolved_at": c.resolved_at, "closed_at": c.closed_at,
        "rating": int(c.rating) if c.rating is not None else None, "rating_note": c.rating_note,
        "duplicate_of": c.duplicate_of, "hidden": bool(c.hidden_reason),
        "hidden_reason": c.hidden_reason if staff else None, "created_at": c.created_at, "updated_at": c.updated_at,
        "actions": service.allowed_actions(ctx, c),
    }


def event_out(ctx: TenantContext, c, e) -> dict:
    if e.by_role == "system":
        by = "系统"
    elif e.by_role == "filer":
        by = "提交人" if c.anonymous and not service.is_filer(ctx, c) else e.by_name
    else:
        by = e.by_name
    name = types.EVENT_NAMES.get(e.event) or service.case_type(c).event_names.get(e.event, e.event)
    return {"event": e.event, "event_name": name, "at": e.at, "by": by,
            "by_role": e.by_role, "status": e.status, "note": e.note, "detail": _plain(e.detail)}


def page(ctx: TenantContext, p: dict) -> dict:
    names = _names(ctx, p["items"])
    return {"items": [case_out(ctx, c, names) for c in p["items"]], "next_cursor": p["next_cursor"]}


def detail(ctx: TenantContext, c, events) -> dict:
    return {**case_out(ctx, c, _names(ctx, [c])), "timeline": [event_out(ctx, c, e) for e in events]}


def types_of(ctx: TenantContext) -> list[dict]:
    on = set(counties.enabled_modules(counties.get(ctx.require_tenant())))
    return [{"id": t.id, "module": t.module, "read_permission": t.read_permission,
             "handle_permission": t.handle_permission, "outcome_required": t.outcome_required,
             "working_day_sla": t.working_day_sla, "name": t.name,
             "name_en": t.name_en, "prefix": t.prefix, "anonymous": t.anonymous, "max_photos": t.max_photos,
             "rating": t.rating, "private": t.private,
             "statuses": {s: t.status_name(s) for s in types.STATUSES}, "outcomes": dict(t.outcomes),
             "categories": [c.to_json() for c in categories.of(ctx.tenant_id, t)]}
            for t in types.all_types() if t.module in on]


def stats(ctx: TenantContext, s: dict) -> dict:
    names = places.names(ctx.tenant_id, {r["place"] for r in s["rows"]}) if s["rows"] else {}
    for r in s["rows"]:
        r["place_name"] = names.get(r["place"])
    return s
