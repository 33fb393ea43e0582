"""网上代办 as a case type: an application for one item of the county's catalogue, filed by a villager for their
household (or, later, by a grid worker on their behalf), checked by the village service point (网点), decided by
the department, its result delivered. Private: only the applicant and the offices in scope ever see it. The item,
the form's values and the materials' photos are the module's own (models.ErrandApplication), in the case's
partition."""

from ..cases.types import DEFAULT_ACTIONS, CaseType, Category, Transition


def _t(frm, to, by="staff") -> Transition:
    return Transition(frozenset(frm), to, by)


OPEN = {"filed", "assigned", "accepted"}
# The steps of an application (POST /errands/applications/{ref}/actions; "decide" is the case's resolve): the
# service point returns it for more (the applicant supplements it) or forwards it to the department, which decides;
# the result is shipped by courier or made ready at the service point, and the applicant confirms receipt.
ACTIONS = {
    **DEFAULT_ACTIONS,
    "return": _t(OPEN, "filed"),
    "supplement": _t(OPEN, None, by="filer"),
    "forward": _t({"filed", "assigned"}, "accepted"),
    "ship": _t({"resolved"}, None),
    "ready": _t({"resolved"}, None),
    "receive": _t({"resolved"}, None, by="filer"),
}
ACTION_EVENTS = {"return": "returned", "supplement": "supplemented", "forward": "forwarded", "ship": "shipped",
                 "ready": "ready", "receive": "received"}
EVENT_NAMES = {"returned": "需补充材料", "supplemented": "已补充材料", "forwarded": "已转交部门", "shipped": "已寄出",
               "ready": "可领取", "received": "已签收"}
ACTION_NAMES = {"return": "退回补正", "supplement": "补充材料", "forward": "转交部门", "ship": "寄出",
                "ready": "通知领取", "receive": "确认签收"}

APPLY = Category("apply", "在线申请", "Application")

ERRAND = CaseType(
    id="errand", module="errands", prefix="DB", name="网上代办", name_en="Online proxy service",
    read_permission="errands.read", handle_permission="errands.handle", categories=(APPLY,),
    status_names={"filed": "待受理", "assigned": "待受理", "accepted": "办理中", "resolved": "已办结",
                  "closed": "已完成"},
    outcomes={"approved": "准予办理", "refused": "不予办理"}, outcome_required=True,
    actions=ACTIONS, action_events=ACTION_EVENTS, event_names=EVENT_NAMES, action_names=ACTION_NAMES,
    sms_always=True, module_actions=frozenset({"resolve", "rate", *ACTION_EVENTS}),
    contact="chalicelib.errands.applications:contact_phone",
    place_level="village", escalation=("village", "township", "county"),
    max_photos=40, rating=True, reopen_days=0, private=True, per_day=10, working_day_sla=True, noun="申请",
    photo_bytes=500 * 1024)
