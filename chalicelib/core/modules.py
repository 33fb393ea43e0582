"""Modules declare themselves; core keeps the registry and names none of them.

Each module (每日上报, 扫码通行, 疫情举报, ...) and each platform part (places, households, staff, ...) has a
`manifest.py` with one `Module`: its catalogue entry (name, icon, on by default), the packages whose routes it owns,
its permissions and the roles that hold them, the blueprints to wire (routes, schedules), the submission-stream item
kinds it reacts to (and the module that reacts), the topics it publishes to, and its case types (the case
workflow). chalicelib/manifests.py lists the manifests; app.py registers them and wires their blueprints.

- **Catalogue:** only switchable modules are offered to counties, exactly those whose code landed; a county's stored
  switches are read through `enabled()`, so a switch for a module that no longer exists gives nobody anything.
  Platform parts (`switchable=False`) are always on and never listed.
- **Switch:** core.http refuses a switched-off module's routes with 403 `module_disabled`, in one place.
- **Permissions:** registering a manifest declares its permissions in core.tenancy; a permission nobody declared
  is held by nobody (deny by default), and two manifests may not declare the same one.
- **Home:** a module may name a function that gives its part of the phone's home (`home`); GET /home gathers them
  into one answer.
- **Stream:** core.streams imports the reacting modules listed here (`reactions()`) at its first dispatch.
- **Jobs:** core.jobs imports the modules that register the scheduled jobs listed here (`jobs()`) when it first
  fans a job out or runs one.

Plain classes and dicts only: this is imported with app.py (cold start).
"""

from __future__ import annotations

import importlib

# The one file that lists every manifest (imported by functions that do not import app.py: the stream reader).
WIRING = "chalicelib.manifests"


class Module:
    def __init__(self, *, id: str, name: str, name_en: str, packages: tuple[str, ...], icon: str = "",
                 default_on: bool = True, summary: str = "", switchable: bool = True,
                 permissions: dict[str, frozenset[str]] | None = None, blueprints: tuple[str, ...] = (),
                 reactions: dict[str, str] | None = None, topics: tuple[str, ...] = (),
                 schedules: dict[str, str] | None = None, jobs: dict[str, str] | None = None,
                 case_types: tuple = (), home: str = ""):
        self.id, self.name, self.name_en, self.icon = id, name, name_en, icon
        self.packages, self.default_on, self.summary, self.switchable = packages, default_on, summary, switchable
        self.permissions = dict(permissions or {})  # permission -> roles that hold it (at the places granted)
        self.blueprints = blueprints  # dotted modules with a `bp` Blueprint: routes and schedules
        self.reactions = dict(reactions or {})  # stream item kind -> dotted module whose handlers react to it
        self.topics = topics  # settings attributes of the SNS topics it publishes to (e.g. "alerts_topic")
        self.schedules = dict(schedules or {})  # scheduled handler name -> when it runs (documentation, infra)
        # job name -> dotted module that registers it (core.jobs: the scheduled work, run one county or township at
        # a time by the jobs queue's worker, which imports these modules at its first message)
        self.jobs = dict(jobs or {})
        self.case_types = case_types  # the case workflow's types this module files (chalicelib/cases/types.py)
        # "package.module:function(ctx, me) -> dict": what the phone's home shows of this module, in the one
        # bootstrap call (GET /home), so opening the app costs one request instead of one per module.
        self.home = home

    def __repr__(self) -> str:
        return f"Module({self.id})"

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "name_en": self.name_en, "icon": self.icon,
                "default_on": self.default_on, "summary": self.summary, "built": True}


_modules: dict[str, Module] = {}
_by_package: dict[str, str] = {}


def register(*modules: Module) -> None:
    from . import tenancy

    for m in modules:
        if m.id in _modules:
            if _modules[m.id] is m:
                continue
            raise ValueError(f"module {m.id} registered twice")
        for perm, roles in m.permissions.items():
            tenancy.declare(perm, roles, m.id)
        _modules[m.id] = m
        for pkg in m.packages:
            _by_package[pkg] = m.id


def ensure_registered() -> None:
    """For functions that do not import app.py: register every manifest (a no-op once done)."""
    importlib.import_module(WIRING).register()


def all_modules() -> list[Module]:
    return list(_modules.values())


def catalogue() -> list[Module]:
    """The switchable modules, the ones offered to counties."""
    return [m for m in _modules.values() if m.switchable]


def ids() -> frozenset[str]:
    return frozenset(m.id for m in catalogue())


def defaults() -> list[str]:
    return [m.id for m in catalogue() if m.default_on]


def owner(package: str | None) -> str | None:
    """The switchable module whose routes live in `package` (e.g. "chalicelib.<module>"), or None when the package
    is the platform's own (always on)."""
    mid = _by_package.get(package or "")
    return mid if mid and _modules[mid].switchable else None


def module_of_permission(permission: str) -> str | None:
    for m in _modules.values():
        if permission in m.permissions:
            return m.id
    return None


def enabled(switched_on) -> list[str]:
    """A county's stored switches, reduced to modules that exist, in catalogue order."""
    on = set(switched_on or ())
    return [m.id for m in catalogue() if m.id in on]


def home_parts(ctx, me: dict, switched_on) -> dict[str, dict]:
    """Module id -> its part of the home (GET /home), for the platform parts and the county's switched-on modules
    that declare one."""
    on = set(switched_on or ())
    out = {}
    for m in _modules.values():
        if m.home and (not m.switchable or m.id in on):
            module, _, fn = m.home.partition(":")
            part = getattr(importlib.import_module(module), fn)(ctx, me)
            if part is not None:
                out[m.id] = part
    return out


def reactions() -> dict[str, str]:
    """Stream item kind -> the first module (in manifest order) that reacts to it, over every registered manifest."""
    out: dict[str, str] = {}
    for m in _modules.values():
        for kind, module in m.reactions.items():
            out.setdefault(kind, module)
    return out


def reaction_modules() -> set[str]:
    """Every module that reacts to the stream: two manifests may react to the same kind (the case workflow forwards
    a new case, the analysis counts its words)."""
    return {module for m in _modules.values() for module in m.reactions.values()}


def jobs() -> dict[str, str]:
    """Scheduled job name -> the module that registers it (core.jobs), over every registered manifest."""
    out: dict[str, str] = {}
    for m in _modules.values():
        for name, module in m.jobs.items():
            if out.setdefault(name, module) != module:
                raise ValueError(f"job {name} registered by two modules")
    return out
