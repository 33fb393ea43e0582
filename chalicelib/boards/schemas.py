"""Request and response models of 红黑榜."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..core.schemas import Out, PageQuery, Strict, Text

BlackNames = Literal["full", "masked", "number"]


class Criterion(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,19}$", description="a stable key, e.g. courtyard")
    name: Text = Field(min_length=2, max_length=20, description="庭院卫生, 垃圾分类, …")
    weight: int = Field(ge=1, le=100, description="percent of the total; the weights add up to 100")
    max_score: int = Field(ge=1, le=100, description="the inspector scores 0..max_score")


class CriteriaIn(Strict):
    criteria: list[Criterion] = Field(min_length=1, max_length=10)
    version: int | None = Field(default=None, ge=0, description="the version read (0: the defaults): a stale one is "
                                                                 "409 version_conflict; without it, an edit made "
                                                                 "meanwhile is a 409 too")

    @model_validator(mode="after")
    def _consistent(self):
        if len({c.key for c in self.criteria}) != len(self.criteria):
            raise ValueError("评分项的 key 不能重复")
        if len({c.name for c in self.criteria}) != len(self.criteria):
            raise ValueError("评分项的名称不能重复")
        if sum(c.weight for c in self.criteria) != 100:
            raise ValueError("各评分项的权重之和应为100")
        return self


class CriterionOut(Out):
    key: str
    name: str
    weight: int
    max_score: int


class CriteriaOut(Out):
    criteria: list[CriterionOut]
    version: int = Field(description="0 while the county uses the defaults")
    default: bool
    updated_at: str | None


class SettingsIn(Strict):
    red_count: int = Field(ge=0, le=50, description="红榜: at most this many households (the best)")
    red_min: int = Field(ge=0, le=100, description="红榜: only households scoring at least this")
    black_count: int = Field(ge=0, le=50, description="黑榜: at most this many households (the lowest)")
    black_below: int = Field(ge=0, le=100, description="黑榜: only households scoring below this")
    black_names: BlackNames = Field(description="how villagers see 黑榜 names: full (张三丰), masked (张*丰 and the "
                                                "household number), number (the household number only)")
    version: int | None = Field(default=None, ge=0, description="the version read (0: the defaults): a stale one is "
                                                                 "409 version_conflict; without it, an edit made "
                                                                 "meanwhile is a 409 too")

    @model_validator(mode="after")
    def _consistent(self):
        if self.red_min < self.black_below:
            raise ValueError("红榜最低分不能低于黑榜分数线")
        return self


class SettingsOut(Out):
    village: str
    red_count: int
    red_min: int
    black_count: int
    black_below: int
    black_names: BlackNames
    black_names_name: str
    version: int
    default: bool
    updated_at: str | None


class UploadIn(Strict):
    content_type: Literal["image/jpeg", "image/png", "image/webp"]


class UploadForm(Out):
    key: str = Field(description="the photo's key, to put in an inspection's photos")
    url: str
    fields: dict[str, str] = Field(description="form fields to POST with the file (multipart) to url")
    max_bytes: int


class InspectionIn(Strict):
    household: str = Field(min_length=8, max_length=40, description="a household of the inspector's grid / village")
    scores: dict[str, int] = Field(description="criterion key -> 0..max_score, every criterion of the county's")
    photos: list[str] = Field(min_length=1, max_length=4, description="1–4 evidence photos (POST /boards/uploads)")
    note: Text | None = Field(default=None, max_length=200)

    @field_validator("photos")
    @classmethod
    def _photos(cls, v: list[str]) -> list[str]:
        if any(not k or len(k) > 200 for k in v):
            raise ValueError("照片无效")
        return v

    @field_validator("scores")
    @classmethod
    def _scores(cls, v: dict[str, int]) -> dict[str, int]:
        if len(v) > 10:
            raise ValueError("评分项最多10项")
        return v


class BreakdownOut(Out):
    key: str
    name: str
    weight: int
    max_score: int
    score: int


class AppealOut(Out):
    status: Literal["pending", "upheld", "amended"]
    status_name: str
    reason: str | None
    appealed_at: str | None
    decision_note: str | None
    decided_at: str | None
    decided_by: str | None
    amendment: str | None = Field(description="the amendment's record id (amended)")


class InspectionOut(Out):
    id: str
    household: str
    village: str
    grid: str
    month: str = Field(description="YYYY-MM (Asia/Shanghai) the record counts for")
    source: Literal["inspection", "amendment"]
    amends: str | None = Field(description="an amendment: the appealed record's id")
    total: float = Field(description="weighted total, 0–100, one decimal")
    breakdown: list[BreakdownOut]
    criteria_version: int
    photos: list[str] = Field(description="the evidence photos, links valid 5 minutes")
    note: str | None
    by: str | None
    by_role: str | None
    by_role_name: str
    at: str
    appeal: AppealOut | None
    can_appeal: bool = Field(description="the caller (a person of the household) may still appeal it")


class HistoryQuery(PageQuery):
    pass


class HouseholdBrief(Out):
    id: str
    ref: str | None
    head_name: str | None
    village: str
    grid: str


class HistoryOut(Out):
    household: HouseholdBrief
    items: list[InspectionOut]
    next_cursor: str | None


class AppealIn(Strict):
    reason: Text = Field(min_length=2, max_length=300)


class DecisionIn(Strict):
    outcome: Literal["uphold", "amend"]
    note: Text = Field(min_length=2, max_length=300, description="the reason, shown to the household")
    scores: dict[str, int] | None = Field(default=None, description="amend: the corrected scores (every criterion "
                                                                    "of the appealed record)")


class AppealRow(Out):
    inspection: str
    household: str
    ref: str | None
    head_name: str | None
    month: str
    total: float
    reason: str
    appealed_at: str


class AppealsOut(Out):
    items: list[AppealRow]
    next_cursor: str | None


class DraftRow(Out):
    rank: int
    household: str
    ref: str | None
    head_name: str | None
    grid: str
    total: float
    breakdown: list[BreakdownOut]
    inspections: int = Field(description="inspections of the household this month")
    inspection: str = Field(description="the record that counts (the latest, or its amendment)")
    amended: bool
    at: str


class PublishedSummary(Out):
    version: int
    published_at: str
    published_by: str | None
    note: str | None


class DraftOut(Out):
    village: str
    village_name: str | None
    month: str
    criteria: list[CriterionOut] = Field(description="the county's criteria now (rows carry their own breakdown)")
    settings: SettingsOut
    households: int = Field(description="households scored this month")
    average: float | None
    red: list[DraftRow]
    black: list[DraftRow]
    ranking: list[DraftRow] = Field(description="every scored household, best first")
    published: PublishedSummary | None = Field(description="the newest published version of the month")
    changed: bool = Field(description="the board differs from the newest published version (or none is)")


class PublishIn(Strict):
    note: Text | None = Field(default=None, max_length=200, description="shown on the board, e.g. 12月卫生大检查")


class BoardRow(Out):
    rank: int
    household: str | None = Field(description="staff only")
    ref: str | None
    name: str | None = Field(description="the head's name: masked or null on 黑榜 as the village decided")
    total: float
    breakdown: list[BreakdownOut]
    inspections: int
    amended: bool


class BoardOut(Out):
    village: str
    village_name: str | None
    month: str
    version: int
    published_at: str
    published_by: str | None
    note: str | None
    criteria: list[CriterionOut]
    households: int
    average: float | None
    red: list[BoardRow]
    black: list[BoardRow]
    black_names: BlackNames = Field(description="how 黑榜 names are shown to this reader")
    full_names: bool
