"""Request and response models of 智慧招聘."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..core.schemas import Name, Out, Phone, Strict, Text

CATEGORIES = ("普工", "技工", "服务", "农业", "建筑", "物流", "其他")
Category = Literal["普工", "技工", "服务", "农业", "建筑", "物流", "其他"]
TOWNSHIP = r"^\d{9}$"
CURSOR = Field(default=None, max_length=2000)

# GB 32100-2015 统一社会信用代码: 18 characters of 0-9 and A-Z without I, O, Z, S, V; the 18th is the check.
LICENCE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
LICENCE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def licence_check_char(first17: str) -> str:
    total = sum(LICENCE_CHARS.index(c) * w for c, w in zip(first17, LICENCE_WEIGHTS, strict=True))
    return LICENCE_CHARS[(31 - total % 31) % 31]


def valid_licence(v: str) -> bool:
    return (len(v) == 18 and all(c in LICENCE_CHARS for c in v)
            and licence_check_char(v[:17]) == v[17])


class EmployerIn(Strict):
    company: Text = Field(min_length=2, max_length=60, description="企业名称")
    licence_no: str = Field(min_length=18, max_length=18,
                            description="统一社会信用代码 (18 characters, GB 32100-2015 check character)")
    contact_name: Name = Field(description="联系人")
    address: Text = Field(min_length=2, max_length=100)
    intro: Text = Field(default="", max_length=1000, description="企业简介")

    @field_validator("licence_no")
    @classmethod
    def _licence(cls, v: str) -> str:
        v = v.upper()
        if not valid_licence(v):
            raise ValueError("统一社会信用代码不正确（请核对18位代码）")
        return v


class EmployersQuery(Strict):
    status: Literal["pending", "verified", "refused"] = "pending"
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = CURSOR


class DecideIn(Strict):
    decision: Literal["verify", "refuse"]
    reason: Text | None = Field(default=None, min_length=2, max_length=200, description="refuse: required")

    @model_validator(mode="after")
    def _reason(self):
        if self.decision == "refuse" and not self.reason:
            raise ValueError("不通过时请填写原因")
        return self


class EmployerOut(Out):
    id: str
    company: str
    licence_no: str
    contact_name: str
    address: str
    intro: str
    status: Literal["pending", "verified", "refused"]
    status_name: str
    reason: str | None
    created_at: str
    decided_at: str | None


class EmployerMine(Out):
    employer: EmployerOut | None = Field(description="null: never applied")


class Employers(Out):
    items: list[EmployerOut]
    next_cursor: str | None


class JobIn(Strict):
    title: Text = Field(min_length=2, max_length=40)
    category: Category
    pay_min: int = Field(ge=0, le=1_000_000, description="yuan a month")
    pay_max: int = Field(ge=0, le=1_000_000, description="yuan a month, ≥ pay_min")
    township: str | None = Field(default=None, pattern=TOWNSHIP, description="a township of the county; null: 全县")
    place: Text = Field(min_length=2, max_length=100, description="工作地点")
    shifts: Text = Field(default="", max_length=200, description="班次 (e.g. 两班倒, 8:00–17:00)")
    requirements: Text = Field(default="", max_length=1000)
    openings: int = Field(ge=1, le=500)

    @model_validator(mode="after")
    def _pay(self):
        if self.pay_min > self.pay_max:
            raise ValueError("最低薪资不能高于最高薪资")
        return self


class JobUpdate(JobIn):
    rev: int = Field(ge=1, description="the rev read: a stale one is 409 version_conflict")


class JobsQuery(Strict):
    category: Category | None = None
    township: str | None = Field(default=None, pattern=r"^\d{6}(\d{3})?$",
                                 description="a township (its jobs), or the county code (the county-wide jobs)")
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = CURSOR


class PageQuery(Strict):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = CURSOR


class JobSummary(Out):
    id: str
    title: str
    company: str
    category: str
    pay_min: int
    pay_max: int
    township: str | None
    township_name: str | None
    place: str
    openings: int
    created_at: str


class Jobs(Out):
    items: list[JobSummary]
    next_cursor: str | None


class JobOut(Out):
    id: str
    title: str
    company: str
    category: str
    pay_min: int
    pay_max: int
    township: str | None
    township_name: str | None
    place: str
    shifts: str
    requirements: str
    openings: int
    openings_left: int
    applicants: int
    status: Literal["open", "closed", "full"]
    status_name: str
    created_at: str
    updated_at: str
    rev: int
    mine: bool = Field(description="the caller's own job (its employer)")
    applied: str | None = Field(description="the caller's application id to it, if any")


class MyJobs(Out):
    items: list[JobOut]
    next_cursor: str | None


class ProfileIn(Strict):
    name: Name
    skills: list[str] = Field(default_factory=list, max_length=20)
    experience: Text = Field(default="", max_length=2000)
    townships: list[str] = Field(default_factory=list, max_length=30, description="townships where they can work")
    phone: Phone | None = Field(default=None, description="shown to an employer only after an interview invitation; "
                                                            "none on the first save: the account's phone")

    @field_validator("skills")
    @classmethod
    def _skills(cls, v: list[str]) -> list[str]:
        v = [s.strip() for s in v]
        if any(not s or len(s) > 20 for s in v):
            raise ValueError("每项技能 1–20 个字")
        return list(dict.fromkeys(v))

    @field_validator("townships")
    @classmethod
    def _townships(cls, v: list[str]) -> list[str]:
        import re

        if any(not re.fullmatch(r"\d{9}", t) for t in v):
            raise ValueError("乡镇代码应为9位数字")
        return list(dict.fromkeys(v))


class Video(Out):
    url: str
    seconds: int
    uploaded_at: str


class ProfileOut(Out):
    name: str | None
    skills: list[str]
    experience: str
    townships: list[str]
    phone: str | None = Field(description="masked")
    updated_at: str | None
    video: Video | None


class Interview(Out):
    id: str
    at: str
    mode: str
    address: str | None


class ApplicationOut(Out):
    id: str
    job: str
    title: str
    company: str
    status: Literal["submitted", "viewed", "interview", "offered", "hired", "declined", "rejected"]
    status_name: str
    cover: str | None = Field(description="the seeker's words to the employer")
    note: str | None = Field(description="the employer's note with the offer or the rejection")
    interview: Interview | None
    created_at: str
    updated_at: str


class Applications(Out):
    items: list[ApplicationOut]
    next_cursor: str | None


class Applicant(Out):
    application: ApplicationOut
    name: str | None
    skills: list[str]
    experience: str
    townships: list[str]
    phone: str | None = Field(description="whole after an interview invitation, masked before")
    video: Video | None


class Applicants(Out):
    items: list[Applicant]
    next_cursor: str | None


class InterviewIn(Strict):
    at: str = Field(min_length=10, max_length=40, description="ISO-8601, in the future (naive: Asia/Shanghai)")
    mode: Literal["onsite", "online"]
    address: Text | None = Field(default=None, min_length=2, max_length=100, description="onsite: required")

    @model_validator(mode="after")
    def _address(self):
        if self.mode == "onsite" and not self.address:
            raise ValueError("现场面试请填写地址")
        return self


class ApplyIn(Strict):
    note: Text = Field(default="", max_length=200, description="求职留言: a few words to the employer")


class NoteIn(Strict):
    note: Text = Field(default="", max_length=500)


class AlertIn(Strict):
    categories: list[Category] = Field(default_factory=list, max_length=7, description="[]: any")
    townships: list[str] = Field(default_factory=list, max_length=5, description="[]: any (and county-wide jobs)")
    sms: bool = False

    @field_validator("townships")
    @classmethod
    def _townships(cls, v: list[str]) -> list[str]:
        import re

        if any(not re.fullmatch(r"\d{9}", t) for t in v):
            raise ValueError("乡镇代码应为9位数字")
        return list(dict.fromkeys(v))

    @field_validator("categories")
    @classmethod
    def _categories(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(v))


class AlertOut(Out):
    categories: list[str]
    townships: list[str]
    sms: bool
    updated_at: str | None
