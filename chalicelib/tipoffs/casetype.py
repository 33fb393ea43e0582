"""疫情举报 as a case type: filed at a village, handled there (offices above may too), forwarded to the county
epidemic command on the alerts topic, closed with a disposition (no rating: the reporter is often anonymous)."""

from ..cases.types import CaseType, Category, Transition

CATEGORIES = (Category("returnee", "返乡人员", "Returnee"), Category("gathering", "聚集活动", "Gathering"),
              Category("other", "其他风险", "Other risk"))
DISPOSITIONS = {"warned": "已劝导警示", "quarantine_arranged": "已安排隔离观察", "unfounded": "经核实不属实",
                "other": "已处理"}

TIPOFF = CaseType(
    id="tipoff", module="tipoffs", prefix="JB", name="疫情举报", name_en="Epidemic tip-off",
    read_permission="tipoffs.read", handle_permission="tipoffs.handle", categories=CATEGORIES,
    status_names={"filed": "待处理", "accepted": "处理中", "closed": "已办结"},
    outcomes=DISPOSITIONS, outcome_required=True,
    actions={
        "accept": Transition(frozenset({"filed"}), "accepted"),
        "note": Transition(frozenset({"filed", "accepted"}), None),
        "resolve": Transition(frozenset({"filed", "accepted"}), "resolved"),  # no rating: straight to closed
        "duplicate": Transition(frozenset({"filed", "accepted"}), "closed"),
        "hide": Transition(frozenset({"filed", "accepted", "closed"}), None),
    },
    place_level="village", escalation=("village",), anonymous=True, rating=False, reopen_days=0,
    forward_topic="alerts_topic", per_day=10, noun="举报")
