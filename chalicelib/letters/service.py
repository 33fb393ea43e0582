"""村民信箱: a letter goes to the writer's own village (or its township). Answering, the thread, rating, escalation
after 3 working days: the case workflow's (chalicelib/cases)."""

from __future__ import annotations

from ..cases import service as cases
from ..cases.models import Case
from ..core.errors import ValidationFailed
from ..core.tenancy import TenantContext
from .casetype import LETTER


def _home_village(ctx: TenantContext) -> str | None:
    for g in ctx.grants:
        if g.household and len(g.place) >= 12:
            return g.place[:12]
    return None


def file(ctx: TenantContext, body) -> Case:
    village = _home_village(ctx)
    if not village:
        raise ValidationFailed(details=[{"field": "to", "code": "no_village",
                                         "message": "请先关联到您家所在的村，再给村里写信"}])
    place = village if body.to == "village" else village[:9]
    return cases.file(ctx, LETTER.id, category=body.category, text=body.text, place=place,
                      anonymous=body.anonymous, photos=body.photos)
