"""Case types: what a case module declares, and the registry the workflow reads.

A case is something a person files and staff in scope handle through statuses while the filer follows it
(疫情举报, 随手拍, 村民信箱, later 网上代办). The workflow (service.py) is one; a module declares its case type here
— categories (each with an SLA and its own extra fields, like an Open311 service definition), the statuses it uses
and their labels, which actions move a case from which statuses to which, who reads and who handles (permissions
of the module's manifest), the escalation path, anonymity, attachments, rating, reopening, whether cases are
private, and the topic a new case is forwarded to.

Plain classes only: manifests import this at cold start. NamedTuples rather than frozen dataclasses: a dataclass
compiles its generated methods when its module is imported (≈ 2 ms a class on a cold start), a NamedTuple one.
"""

from __future__ import annotations

from typing import NamedTuple

# Every status a case type may use, in the order a case moves through them.
STATUSES = ("filed", "assigned", "accepted", "resolved", "closed")
OPEN_STATUSES = frozenset({"filed", "assigned", "accepted"})  # staff still owe an answer (the SLA runs)
LEVELS = ("grid", "village", "township", "county")

# Timeline event kinds (what the filer sees, in order).
EVENTS = ("filed", "assigned", "reassigned", "accepted", "note", "escalated", "resolved", "reopened", "closed",
          "rated", "duplicate", "hidden")


class Field(NamedTuple):
    """A category's extra field (Open311 `attributes`): code, label, datatype string|number|datetime|text|
    singlevaluelist|multivaluelist, required, and the values of a list."""

    code: str
    name: str
    datatype: str = "string"
    required: bool = False
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for list datatypes
    description: str = ""

    def to_json(self) -> dict:
        return {"code": self.code, "name": self.name, "datatype": self.datatype, "required": self.required,
                "values": [{"key": k, "name": n} for k, n in self.values], "description": self.description}


class Category(NamedTuple):
    code: str
    name: str
    name_en: str = ""
    sla_hours: int | None = None  # time to answer (None: no SLA)
    fields: tuple[Field, ...] = ()
    description: str = ""
    enabled: bool = True  # a county may switch a category off (kept for the cases already filed under it)

    def to_json(self) -> dict:
        return {"code": self.code, "name": self.name, "name_en": self.name_en, "sla_hours": self.sla_hours,
                "description": self.description, "enabled": self.enabled, "fields": [f.to_json() for f in self.fields]}

    @staticmethod
    def from_json(d: dict) -> Category:
        return Category(code=d["code"], name=d["name"], name_en=d.get("name_en") or "", sla_hours=d.get("sla_hours"),
                        description=d.get("description") or "", enabled=d.get("enabled", True),
                        fields=tuple(Field(code=f["code"], name=f["name"], datatype=f.get("datatype", "string"),
                                           required=bool(f.get("required")), description=f.get("description") or "",
                                           values=tuple((v["key"], v["name"]) for v in f.get("values") or ()))
                                     for f in d.get("fields") or ()))


class Transition(NamedTuple):
    """An action allowed from some statuses, and the status it leads to (None: the status does not change)."""

    frm: frozenset[str]
    to: str | None
    by: str = "staff"  # staff | filer


def _t(frm, to, by="staff") -> Transition:
    return Transition(frozenset(frm), to, by)


# The default workflow: staff assign, accept, note, escalate, resolve (with an outcome) and close; the filer rates a
# resolution (which closes it) or reopens it within the type's reopen window.
DEFAULT_ACTIONS: dict[str, Transition] = {
    "assign": _t({"filed", "assigned", "accepted"}, "assigned"),
    "accept": _t({"filed", "assigned"}, "accepted"),
    "note": _t({"filed", "assigned", "accepted", "resolved"}, None),
    "escalate": _t({"filed", "assigned", "accepted"}, None),
    "resolve": _t({"filed", "assigned", "accepted"}, "resolved"),
    "close": _t({"filed", "assigned", "accepted", "resolved"}, "closed"),
    "duplicate": _t({"filed", "assigned", "accepted"}, "closed"),
    "hide": _t(set(STATUSES), None),
    "reopen": _t({"resolved", "closed"}, "filed", by="filer"),
    "rate": _t({"resolved"}, "closed", by="filer"),
}
# A thread: the filer may answer staff too (letters).
REPLY = {"reply": _t({"filed", "assigned", "accepted", "resolved"}, None, by="filer")}


class CaseType(NamedTuple):
    id: str  # e.g. "tipoff"; stored on every case
    module: str  # the manifest that declares it (its switch turns the type off)
    prefix: str  # two capital letters of the public reference: SP-330825-000123
    name: str
    name_en: str
    read_permission: str  # staff who may see a case at its place
    handle_permission: str  # staff who may act on it
    categories: tuple[Category, ...]
    status_names: dict[str, str] = {}  # status -> label shown (zh); never mutated (shared default)
    outcomes: dict[str, str] = {}  # outcome code -> label (a resolution's result); never mutated
    outcome_required: bool = False
    actions: dict[str, Transition] = DEFAULT_ACTIONS  # never mutated: a type with more builds its own dict
    place_level: str = "village"  # where a case is filed: grid, village or township
    escalation: tuple[str, ...] = ("village", "township", "county")  # who handles, level by level
    anonymous: bool = False  # may the filer hide their name from staff
    max_photos: int = 0
    rating: bool = True  # the filer rates a resolution (and resolving leaves the case `resolved` until then)
    reopen_days: int = 7
    private: bool = False  # only the filer and staff in scope ever see it; never published (Open311, boards)
    forward_topic: str | None = None  # settings attribute of the topic new cases are published to
    per_day: int = 10  # cases one person may file a day
    working_day_sla: bool = False  # SLA counted in working days (holiday calendar) rather than hours
    noun: str = "事项"  # what the filer calls one in a sentence: 您的聚集活动「举报」已办结
    route_to: tuple[str, ...] = ()  # roles a new case is assigned to, posted at its place (随手拍: the grid worker)
    photo_bytes: int = 300 * 1024  # each photo, shrunk on the phone before upload
    public_board: bool = False  # resolved cases are shown (with photos staff did not hide) on the village board
    # A module's own actions (declared in `actions`, acted through the module's route, which adds what they carry):
    # the timeline event each records, the event's name (≤ 6 characters: the status SMS says it) and the action's.
    action_events: dict[str, str] = {}  # action -> event kind (default: EVENT_OF_ACTION in service.py)
    event_names: dict[str, str] = {}  # event kind -> what the timeline, the notice and the SMS call it
    action_names: dict[str, str] = {}  # action -> its name in "不能…" messages
    sms_always: bool = False  # the filer gets an SMS of every staff step, opted in or not (网上代办)
    module_actions: frozenset[str] = frozenset()  # taken only through the module's own route (it keeps its state)
    contact: str = ""  # "package.module:function(tenant, case) -> phone | None": where its SMS go (default: filer's)

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def status_name(self, status: str) -> str:
        return self.status_names.get(status, DEFAULT_STATUS_NAMES.get(status, status))


DEFAULT_STATUS_NAMES = {"filed": "待受理", "assigned": "已派单", "accepted": "处理中", "resolved": "已办结",
                        "closed": "已关闭"}
EVENT_NAMES = {"filed": "已提交", "assigned": "已派单", "reassigned": "已改派", "accepted": "已受理",
               "note": "办理进展", "escalated": "已上报上级", "resolved": "已办结", "reopened": "已重新打开",
               "closed": "已关闭", "rated": "已评价", "duplicate": "合并为重复件", "hidden": "内容已屏蔽"}

_types: dict[str, CaseType] = {}
_by_prefix: dict[str, CaseType] = {}


def register(*types: CaseType) -> None:
    for t in types:
        if t.id in _types and _types[t.id] is not t:
            raise ValueError(f"case type {t.id} registered twice")
        if t.prefix in _by_prefix and _by_prefix[t.prefix] is not t:
            raise ValueError(f"case prefix {t.prefix} used by {_by_prefix[t.prefix].id} and {t.id}")
        _types[t.id], _by_prefix[t.prefix] = t, t


def _load() -> None:
    """The case types the registered manifests declare."""
    from ..core import modules

    for m in modules.all_modules():
        register(*m.case_types)


def get(type_id: str) -> CaseType | None:
    _load()
    return _types.get(type_id)


def by_prefix(prefix: str) -> CaseType | None:
    _load()
    return _by_prefix.get(prefix)


def all_types() -> list[CaseType]:
    _load()
    return list(_types.values())
