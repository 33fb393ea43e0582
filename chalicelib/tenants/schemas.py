from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from ..core.counties import MODULES, validate_county_code
from ..core.schemas import Name, Out, PageQuery, Phone, Strict

CountyCode = Annotated[str, Field(min_length=6, max_length=6), AfterValidator(validate_county_code)]


def _modules(v: list[str]) -> list[str]:
    unknown = [m for m in v if m not in MODULES]
    if unknown:
        raise ValueError(f"未知模块：{'、'.join(unknown)}")
    return sorted(set(v))


class OnboardCounty(Strict):
    code: CountyCode
    name: str = Field(min_length=2, max_length=30)
    admin_phone: Phone
    admin_name: Name
    modules: list[str] | None = Field(default=None, max_length=len(MODULES))

    @field_validator("modules")
    @classmethod
    def _check(cls, v):
        return None if v is None else _modules(v)


class ModuleSwitches(Strict):
    modules: list[str] = Field(max_length=len(MODULES))

    @field_validator("modules")
    @classmethod
    def _check(cls, v):
        return _modules(v)


class CountyOut(Out):
    code: str
    name: str
    status: str
    modules: list[str]
    created_at: str
    updated_at: str


class CountyPage(Out):
    items: list[CountyOut]
    next_cursor: str | None = None


class ModuleInfo(Out):
    id: str
    name: str
    built: bool


class ModuleCatalogue(Out):
    items: list[ModuleInfo]


class CountyQuery(PageQuery):
    status: str | None = Field(default=None, pattern=r"^(active|disabled)$")
