from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..core import pii
from ..core.schemas import IdNumber, Name, Out, PageQuery, Phone, Strict, Text

Relation = Literal["户主", "配偶", "子女", "父母", "孙子女", "兄弟姐妹", "其他"]
GRID_CODE = r"^\d{12}G\d{2,3}$"
PLACE_CODE = r"^\d{6}(\d{3}(\d{3}(G\d{2,3})?)?)?$"


class MemberIn(Strict):
    name: Name
    relation: Relation
    id_number: IdNumber
    phone: Phone | None = None
    party_member: bool = False
    outside_person: bool = False
    from_place: Text | None = Field(default=None, max_length=60)

    @model_validator(mode="after")
    def _from(self):
        if self.outside_person and not self.from_place:
            raise ValueError("外来人员须填写来自何处")
        return self


class MemberUpdate(Strict):
    """Only the fields sent change; `phone: ""` removes the phone number."""

    name: Name | None = None
    relation: Relation | None = None
    id_number: IdNumber | None = None
    phone: str | None = Field(default=None, max_length=20)
    party_member: bool | None = None
    outside_person: bool | None = None
    from_place: Text | None = Field(default=None, max_length=60)

    @field_validator("phone")
    @classmethod
    def _phone(cls, v):
        return v if v in (None, "") else pii.normalise_phone(v)


Address = Annotated[Text, Field(min_length=1, max_length=100)]
REF_MAX = 40


def _ref(v: str) -> str:
    """One spelling per household number (stored as the index holds it), bounded after canonicalising."""
    from .models import canonical_ref

    v = canonical_ref(v)
    if not v:
        raise ValueError("此项必填")
    if len(v) > REF_MAX or "#" in v:
        raise ValueError(f"户编号最多{REF_MAX}个字符，且不能含“#”")
    return v


HouseholdRef = Annotated[Text, Field(min_length=1, max_length=REF_MAX, pattern=r"^[^\x00-\x1f]+$",
                                     description="household number (户编号); given automatically when left out"),
                         AfterValidator(_ref)]


class CreateHousehold(Strict):
    grid: str = Field(pattern=GRID_CODE)
    address: Address
    ref: HouseholdRef | None = None
    members: list[MemberIn] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _one_head(self):
        heads = [m for m in self.members if m.relation == "户主"]
        if len(heads) != 1:
            raise ValueError("每户须有且只有一位户主")
        return self


class UpdateHousehold(Strict):
    address: Address


class MemberOut(Out):
    id: str
    name: str
    relation: str
    id_number: str
    phone: str | None
    party_member: bool
    outside_person: bool
    from_place: str | None
    pii_masked: bool


class HouseholdWarning(Out):
    code: str = Field(description="duplicate_address")
    field: str | None = None
    message: str


class HouseholdOut(Out):
    id: str
    grid: str
    village: str
    address: str
    head_name: str
    ref: str | None
    member_count: int
    follower_count: int
    created_at: str
    updated_at: str
    members: list[MemberOut] | None = None
    warnings: list[HouseholdWarning] | None = Field(default=None, description="on creation and address changes: "
                                           "a likely duplicate the person should check (nothing was refused)")


class HouseholdPage(Out):
    items: list[HouseholdOut]
    next_cursor: str | None = None


class HouseholdQuery(PageQuery):
    place: str = Field(pattern=r"^\d{12}(G\d{2,3})?$", description="a village or grid code")
    unlinked: bool = Field(default=False, description="only households nobody follows yet")
    q: str | None = Field(default=None, min_length=1, max_length=20, description="head's name, address or number")


class PeopleQuery(PageQuery):
    q: str = Field(min_length=1, max_length=30, description="a name (or its beginning), or a whole ID or phone number")
    place: str | None = Field(default=None, pattern=PLACE_CODE,
                              description="only this place (default: every place the caller may read households at)")


class PersonHousehold(Out):
    id: str
    ref: str | None
    address: str
    head_name: str


class PersonOut(MemberOut):
    household: PersonHousehold
    grid: str
    grid_name: str | None
    village: str
    village_name: str | None
    township: str
    township_name: str | None


class PeoplePage(Out):
    items: list[PersonOut]
    next_cursor: str | None = None


class InviteIn(Strict):
    head: bool = Field(default=False, description="the person who redeems it becomes household head")


class InviteOut(Out):
    code: str
    expires_at: str
    qr_svg: str
    link: str


class RedeemIn(Strict):
    code: str = Field(min_length=8, max_length=8, pattern=r"^[2-9A-HJ-NP-Z]{8}$")
    name: Name | None = None

    @field_validator("code", mode="before")
    @classmethod
    def _upper(cls, v):
        return v.strip().upper() if isinstance(v, str) else v


class CoverageOut(Out):
    place: str
    name: str | None = None
    households: int
    followed: int
    rate: float


class CoverageQuery(Strict):
    place: str = Field(pattern=PLACE_CODE)
    children: bool = False


class CoverageReport(Out):
    place: CoverageOut
    children: list[CoverageOut] = []
