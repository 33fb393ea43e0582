"""网上代办 as a case type: an application for one item of the county's catalogue, filed by a villager for their
household (or, later, by a grid worker on their behalf), checked by the village service point (网点), decided by
the department, its result delivered. Private: only the applicant and the offices in scope ever see it. The item,
the form's values and the materials' photos are the module's own (models.ErrandApplication), in the case's
partition."""

from ..cases.types import DEFAULT_ACTIONS, CaseType, Category

APPLY = Category("apply", "在线申请", "Application")

ERRAND = CaseType(
    id="errand", module="errands", prefix="DB", name="网上代办", name_en="Online proxy service",
    read_permission="errands.read", handle_permission="errands.handle", categories=(APPLY,),
    status_names={"filed": "待受理", "assigned": "待受理", "accepted": "办理中", "resolved": "已办结",
                  "closed": "已完成"},
    outcomes={"approved": "准予办理", "refused": "不予办理"}, outcome_required=True,
    actions=DEFAULT_ACTIONS, place_level="village", escalation=("village", "township", "county"),
    max_photos=40, rating=True, reopen_days=7, private=True, per_day=10, working_day_sla=True, noun="申请",
    photo_bytes=500 * 1024)
