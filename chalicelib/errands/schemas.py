"""Request and response models of 网上代办's catalogue."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..core.schemas import Out, Phone, Strict, Text

FieldType = Literal["text", "date", "id_number", "choice", "photo"]
Delivery = Literal["pickup", "courier"]
ITEM_ID = r"^[0-9a-f]{12}$"


class Material(Strict):
    name: str = Field(min_length=1, max_length=60, description="申请材料, e.g. 夫妻双方身份证")
    note: str = Field(default="", max_length=200, description="how to provide it (正反面拍照…)")
    original_required: bool = Field(default=False, description="the original must be seen (须验原件)")
    sample_url: str | None = Field(default=None, max_length=500, description="a sample image (later: uploaded)")


class FormField(Strict):
    key: str = Field(pattern=r"^f\d{1,2}$", description="f1, f2, … in order")
    label: str = Field(min_length=1, max_length=40)
    type: FieldType = "text"
    required: bool = False
    choices: list[str] = Field(default_factory=list, max_length=20)

    @field_validator("choices")
    @classmethod
    def _choices(cls, v: list[str]) -> list[str]:
        v = [c.strip() for c in v]
        if any(not c or len(c) > 30 for c in v):
            raise ValueError("每个选项 1–30 个字")
        if len(set(v)) != len(v):
            raise ValueError("选项不能重复")
        return v

    @model_validator(mode="after")
    def _choice_needs_choices(self):
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError(f"“{self.label}”是选项题，至少需要两个选项")
        if self.type != "choice" and self.choices:
            raise ValueError(f"“{self.label}”不是选项题，不能设置选项")
        return self


class ItemIn(Strict):
    code: str | None = Field(default=None, min_length=1, max_length=40, description="the county's own 事项编码")
    name: str = Field(min_length=2, max_length=60)
    department: str = Field(min_length=2, max_length=40)
    summary: str = Field(default="", max_length=500)
    conditions: str = Field(default="", max_length=1000)
    materials: list[Material] = Field(default_factory=list, max_length=30)
    fields: list[FormField] = Field(default_factory=list, max_length=30)
    fee: str = Field(default="", max_length=60)
    time_limit_days: int | None = Field(default=None, ge=0, le=365, description="法定办结时限, working days")
    promised_days: int | None = Field(default=None, ge=0, le=365, description="承诺办结时限, working days")
    delivery: list[Delivery] = Field(min_length=1, max_length=2)
    keywords: list[str] = Field(default_factory=list, max_length=10)
    enabled: bool = True

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, v: list[str]) -> list[str]:
        v = [k.strip() for k in v]
        if any(not k or len(k) > 20 for k in v):
            raise ValueError("每个关键词 1–20 个字")
        return list(dict.fromkeys(v))

    @field_validator("delivery")
    @classmethod
    def _delivery(cls, v: list[str]) -> list[str]:
        return [d for d in ("pickup", "courier") if d in v]

    @model_validator(mode="after")
    def _consistent(self):
        keys = [f.key for f in self.fields]
        if keys != [f"f{i}" for i in range(1, len(keys) + 1)]:
            raise ValueError("表单字段的 key 应依次为 f1、f2、…")
        if (self.promised_days is not None and self.time_limit_days is not None
                and self.promised_days > self.time_limit_days):
            raise ValueError("承诺时限不能长于法定时限")
        return self


class ItemUpdate(ItemIn):
    version: int = Field(ge=1, description="the version read: a stale one is 409 version_conflict")


class ItemsQuery(Strict):
    all: bool = Field(default=False, description="switched-off items too (errands.configure)")


class ItemOut(Out):
    id: str
    code: str | None
    name: str
    department: str
    summary: str
    conditions: str
    materials: list[dict]
    fields: list[dict]
    fee: str
    time_limit_days: int | None
    promised_days: int | None
    delivery: list[str]
    keywords: list[str]
    initials: str = Field(description="pinyin initials of the name, a–z (生育登记 → sydj)")
    enabled: bool
    updated_at: str
    version: int


class Summary(Out):
    id: str
    code: str | None
    name: str
    department: str
    initials: str
    keywords: list[str]
    delivery: list[str]
    fee: str
    time_limit_days: int | None
    promised_days: int | None
    enabled: bool


class Catalogue(Out):
    version: int = Field(description="the catalogue's version: changes with every edit")
    items: list[Summary]


class ImportIn(Strict):
    key: str = Field(min_length=10, max_length=300, description="the upload's key (POST /imports/uploads)")
    dry_run: bool = False


class ImportRow(Out):
    row: int
    action: Literal["new", "changed", "unchanged", "error"]
    name: str


class ImportIssue(Out):
    row: int | None = None
    field: str | None = None
    code: str
    message: str
    level: Literal["error", "warning"]


class ImportOut(Out):
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    rows: list[ImportRow]
    issues: list[ImportIssue]


class ApplicationIn(Strict):
    item: str = Field(pattern=ITEM_ID, description="the catalogue item applied for")
    household: str = Field(min_length=8, max_length=40, description="one of the applicant's households")
    values: dict[str, str | list[str]] = Field(
        default_factory=dict, description="the item's form: field key -> text (date YYYY-MM-DD, ID number, a "
                                          "choice) or, for a photo field, the uploaded photos' keys")
    materials: list[list[str]] = Field(
        default_factory=list, max_length=30,
        description="for each of the item's materials, in order, the keys of its photos (POST /cases/uploads with "
                    "type errand)")
    delivery: Delivery = Field(description="pickup: collect at the village service point; courier: to the home")
    address: Text | None = Field(default=None, min_length=5, max_length=100, description="courier: where to")
    phone: Phone | None = Field(default=None, description="the contact for delivery")
    consent_code: str | None = Field(default=None, pattern=r"^\d{6}$",
                                     description="on a household's behalf (errands.proxy at its grid): the code "
                                                 "POST /errands/consents texted to the household")


class ApplicationItem(Out):
    id: str
    name: str
    department: str
    time_limit_days: int | None
    promised_days: int | None


class StepIn(Strict):
    action: Literal["return", "supplement", "forward", "decide", "ship", "ready", "receive", "rate"] = Field(
        description="service point: return (for more, note required) or forward (to the department); department: "
                    "decide (outcome, a reason when refused, photos of the result document); then ship (courier, "
                    "tracking_no) or ready (at the service point); applicant: supplement (materials and/or values "
                    "after a return), receive (confirm receipt), rate (1–5, closes it). Notes: "
                    "POST /cases/{ref}/actions")
    note: Text | None = Field(default=None, max_length=500)
    outcome: Literal["approved", "refused"] | None = None
    photos: list[str] = Field(default_factory=list, max_length=6, description="decide: the result document's photos")
    values: dict[str, str | list[str]] | None = Field(default=None, description="supplement: the form again")
    materials: list[list[str]] | None = Field(default=None, max_length=30, description="supplement: every material")
    courier: Text | None = Field(default=None, min_length=2, max_length=20, description="ship: the courier company")
    tracking_no: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{6,30}$", description="ship")
    rating: int | None = Field(default=None, ge=1, le=5, description="rate")


class ApplicationOut(Out):
    case: dict = Field(description="the case as GET /cases/{ref} answers it (status, timeline, actions)")
    item: ApplicationItem
    household: str
    values: dict[str, dict] = Field(description="key -> {label, type, value}; ID numbers masked unless the reader "
                                                "may see them; photo fields as links valid 5 minutes")
    materials: list[dict] = Field(description="[{name, original_required, photos: links valid 5 minutes}]")
    delivery: str
    address: str | None
    phone: str | None
    stage: str = Field(description="submitted, returned, forwarded, approved, refused, shipped, ready, received")
    stage_name: str
    steps: list[str] = Field(description="what the caller may do now (POST /errands/applications/{ref}/actions)")
    on_behalf: dict | None = Field(description="made on the household's behalf: {by, role, role_name, "
                                                "consent_phone (masked), consent_at}")
    courier: str | None
    tracking_no: str | None
    shipped_at: str | None
    ready_at: str | None
    received_at: str | None


class ConsentIn(Strict):
    household: str = Field(min_length=8, max_length=40)


class ConsentOut(Out):
    phone: str = Field(description="the household's phone the code went to, masked")
    expires_in: int
    resend_after: int


class HouseholdQuery(Strict):
    household: str = Field(min_length=8, max_length=40)
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2000)


class HouseholdApplication(Out):
    ref: str
    item: str
    department: str
    status: str
    status_name: str
    stage: str
    stage_name: str
    created_at: str
    on_behalf_by: str | None


class HouseholdApplications(Out):
    items: list[HouseholdApplication]
    next_cursor: str | None


class StatsQuery(Strict):
    place: str = Field(pattern=r"^\d{6}(\d{3})?$", description="the county, or a township")
    month: str = Field(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM (Asia/Shanghai)")


class StatRow(Out):
    township: str | None = None
    township_name: str | None = None
    item: str | None = None
    item_name: str | None = None
    applied: int
    decided: int
    approved: int
    refused: int
    within_limit: int
    days_sum: int
    to_door: int
    at_point: int
    within_limit_rate: float | None = Field(description="decided within the legal time limit / decided")
    avg_days: float | None = Field(description="working days from filing to decision, on average")
    to_door_share: float | None = Field(description="delivered by courier / delivered (trips saved)")


class StatsOut(Out):
    month: str
    place: str
    rows: list[StatRow] = Field(description="one per township and item with applications that month")
    items: list[StatRow] = Field(description="per item, over the place")
    total: StatRow


class ExportOut(Out):
    url: str = Field(description="the workbook, a link valid 10 minutes")
    filename: str
