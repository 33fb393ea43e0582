"""Deferred imports, so that importing the app (a Lambda cold start) costs little more than importing Chalice.

Every Lambda function of the app imports app.py, which wires every module's routes. What a route needs (its
service, PynamoDB models, pydantic schemas, boto3) is imported when a request first needs it:

- `service = lazy_module(".service", __package__)` is a stand-in that imports the module on first attribute access
  (`service.create(...)` imports `.service` then); patching the real module (monkeypatch) is seen through it;
- a route's schemas are named as "module:Class" (relative to the route's package, e.g. ".schemas:HouseholdOut")
  and resolved by `resolve` at first use, or when the OpenAPI document is built.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


class LazyModule:
    """A module imported on first attribute access."""

    def __init__(self, name: str, package: str | None = None) -> None:
        self.__dict__["_lazy_target"] = (name, package)

    def _lazy_module(self) -> ModuleType:
        name, package = self.__dict__["_lazy_target"]
        return importlib.import_module(name, package)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._lazy_module(), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(self._lazy_module(), attr, value)

    def __delattr__(self, attr: str) -> None:
        delattr(self._lazy_module(), attr)

    def __repr__(self) -> str:
        name, package = self.__dict__["_lazy_target"]
        return f"<lazy module {name} of {package}>"


def lazy_module(name: str, package: str | None = None) -> Any:
    """`lazy_module(".service", __package__)`: the module, imported when first used."""
    return LazyModule(name, package)


def resolve(ref: Any, package: str | None = None) -> Any:
    """A "module:Name" reference (relative to `package` when it starts with a dot) as the object it names;
    anything else (a class, None) as it is."""
    if not isinstance(ref, str):
        return ref
    module, sep, name = ref.partition(":")
    if not sep or not module or not name:
        raise ValueError(f"expected 'module:Name', got {ref!r}")
    obj: Any = importlib.import_module(module, package)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj
