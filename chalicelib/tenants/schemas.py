from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, field_validator

from ..core import modules as catalogue
from ..core.counties import validate_county_code
from ..core.schemas import Name, Out, PageQuery, Phone, Strict, Text

MAX_MODULES = 30

CountyCode = Annotated[str, Field(min_length=6, max_length=6), AfterValidator(validate_county_code)]


def _modules(v: list[str]) -> list[str]:
    """Only modules that exist (are built) can be switched on."""
    known = catalogue.ids()
    unknown = [m for m in v if m not in known]
    if unknown:
        raise ValueError(f"未知模块或尚未上线的模块：{'、'.join(unknown)}")
    return sorted(set(v))


Contact = Annotated[Text, Field(min_length=2, max_length=100,
                                description="whom people of a suspended county contact (an office and its phone)")]


class OnboardCounty(Strict):
    code: CountyCode
    name: str = Field(min_length=2, max_length=30)
    admin_phone: Phone
    admin_name: Name
    modules: list[str] | None = Field(default=None, max_length=MAX_MODULES)
    contact: Contact | None = None

    @field_validator("modules")
    @classmethod
    def _check(cls, v):
        return None if v is None else _modules(v)


class ModuleSwitches(Strict):
    modules: list[str] = Field(max_length=MAX_MODULES)

    @field_validator("modules")
    @classmethod
    def _check(cls, v):
        return _modules(v)


class CountyEdit(Strict):
    """What the operator may change about a county (its code never changes)."""

    name: str | None = Field(default=None, min_length=2, max_length=30)
    contact: Contact | None = None


class CountyOut(Out):
    code: str
    name: str
    status: str
    modules: list[str] = Field(description="modules switched on that exist: what its people get")
    contact: str | None = None
    created_at: str
    updated_at: str


class CountyPage(Out):
    items: list[CountyOut]
    next_cursor: str | None = None


class ModuleInfo(Out):
    id: str
    name: str
    name_en: str
    icon: str = Field(description="the phone app's icon name")
    default_on: bool = Field(description="switched on for a new county unless chosen otherwise")
    summary: str
    built: bool = Field(default=True, description="always true (every module in the catalogue is built); kept for "
                                                  "app versions still cached on phones, which filter on it")


class ModuleCatalogue(Out):
    items: list[ModuleInfo]


class CountyQuery(PageQuery):
    status: str | None = Field(default=None, pattern=r"^(active|disabled)$")
