"""The module catalogue, filled by the modules themselves.

Each county module (每日上报, 扫码通行, 疫情举报, ...) declares itself in its own `manifest.py` with a `Module`;
app.py registers the manifests. Nothing in core names a module. The catalogue is therefore exactly what is built:
a module is offered to counties when its code lands, and a county's switches are read through `enabled()` so that
a switch stored for a module that no longer exists gives nobody anything.

A module's routes are the routes of its packages: core.http refuses them with 403 `module_disabled` when the
caller's county has the module off, in one place, for every route alike.

Plain classes and dicts only: this is imported with app.py (cold start).
"""

from __future__ import annotations


class Module:
    def __init__(self, *, id: str, name: str, name_en: str, icon: str, packages: tuple[str, ...],
                 default_on: bool = True, summary: str = ""):
        self.id, self.name, self.name_en, self.icon = id, name, name_en, icon
        self.packages, self.default_on, self.summary = packages, default_on, summary

    def __repr__(self) -> str:
        return f"Module({self.id})"

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name, "name_en": self.name_en, "icon": self.icon,
                "default_on": self.default_on, "summary": self.summary}


_modules: dict[str, Module] = {}
_by_package: dict[str, str] = {}


def register(*modules: Module) -> None:
    for m in modules:
        if m.id in _modules and _modules[m.id] is not m:
            raise ValueError(f"module {m.id} registered twice")
        _modules[m.id] = m
        for pkg in m.packages:
            _by_package[pkg] = m.id


def catalogue() -> list[Module]:
    return list(_modules.values())


def ids() -> frozenset[str]:
    return frozenset(_modules)


def defaults() -> list[str]:
    return [m.id for m in _modules.values() if m.default_on]


def owner(package: str | None) -> str | None:
    """The module whose routes live in `package` (e.g. "chalicelib.tipoffs"), or None for the platform's own."""
    return _by_package.get(package or "")


def enabled(switched_on) -> list[str]:
    """A county's stored switches, reduced to modules that exist, in catalogue order."""
    on = set(switched_on or ())
    return [m for m in _modules if m in on]
