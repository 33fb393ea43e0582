from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..core.schemas import Out, PageQuery, Strict

Colour = Literal["green", "yellow", "red"]
PLACE_CODE = r"^\d{6}(\d{3}(\d{3}(G\d{2,3})?)?)?$"
GRID_CODE = r"^\d{12}G\d{2,3}$"
DATE = r"^\d{4}-\d{2}-\d{2}$"
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class MemberColour(Strict):
    member: str = Field(pattern=r"^[0-9a-f]{12}$", description="member id")
    colour: Colour


class OutsideGroup(Strict):
    from_place: str = Field(min_length=1, max_length=60, description="where they came from")
    count: int = Field(ge=1, le=50)


class SubmitReport(Strict):
    household: str = Field(pattern=r"^[0-9a-f]{16}$")
    members: list[MemberColour] = Field(min_length=1, max_length=20)
    outside: list[OutsideGroup] = Field(default_factory=list, max_length=10,
                                        description="outside persons (外来人员) staying with the household")

    @model_validator(mode="after")
    def _unique(self):
        ids = [m.member for m in self.members]
        if len(ids) != len(set(ids)):
            raise ValueError("同一成员只能填报一次")
        return self


class MemberColourOut(Out):
    member: str
    name: str
    colour: Colour


class ReportOut(Out):
    id: str
    household: str
    date: str
    submitted_at: str
    level: Colour
    members: list[MemberColourOut]
    outside: list[OutsideGroup]
    outside_persons: int
    proxy: bool
    by_name: str
    current: bool = True  # false for a submission a later one of the same day replaced


class HistoryQuery(PageQuery):
    household: str = Field(pattern=r"^[0-9a-f]{16}$")


class ReportPage(Out):
    items: list[ReportOut]
    next_cursor: str | None = None


class TodayQuery(Strict):
    household: str = Field(pattern=r"^[0-9a-f]{16}$")


class TodayOut(Out):
    date: str
    cutoff: str
    report: ReportOut | None


class CompletionQuery(Strict):
    place: str = Field(pattern=PLACE_CODE)
    date: str | None = Field(default=None, pattern=DATE, description="Asia/Shanghai date; today by default")
    children: bool = False


class Completion(Out):
    place: str
    name: str | None = None
    date: str
    expected: int
    reported: int
    rate: float
    on_time: int
    on_time_rate: float
    proxy: int
    green: int
    yellow: int
    red: int
    alert_households: int
    outside_households: int
    outside_persons: int


class CompletionReport(Out):
    place: Completion
    children: list[Completion]


class TrendQuery(Strict):
    place: str = Field(pattern=PLACE_CODE)
    days: int = Field(default=30, ge=1, le=90)


class TrendReport(Out):
    place: str
    days: list[Completion]


class UnreportedQuery(PageQuery):
    grid: str = Field(pattern=GRID_CODE)
    contacts: bool = Field(default=False, description="also the household head's phone (masked unless the role has "
                                                      "households.pii at the grid): one more Query per household")


class UnreportedHousehold(Out):
    id: str
    address: str
    head_name: str
    ref: str | None = Field(default=None, description="the county's household number (户号)")
    member_count: int
    last_report_date: str | None
    head_phone: str | None = Field(default=None, description="with contacts=true: 138****0000, or in full for roles "
                                                             "with households.pii; null when none is registered")


class UnreportedPage(Out):
    date: str
    grid: str
    grid_name: str | None = None
    phones_masked: bool | None = Field(default=None, description="with contacts=true: whether head_phone is masked")
    items: list[UnreportedHousehold]
    next_cursor: str | None = None


class SettingsIn(Strict):
    cutoff: str = Field(description="HH:MM, Asia/Shanghai: reports before it count as on time")
    party_reminder_at: str = Field(description="HH:MM: party members get their unreported households")
    grid_reminder_at: str = Field(description="HH:MM: grid workers get what is still missing, to report for them")

    @field_validator("cutoff", "party_reminder_at", "grid_reminder_at")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not HHMM.match(v):
            raise ValueError("时间格式应为 HH:MM")
        return v

    @field_validator("grid_reminder_at")
    @classmethod
    def _order(cls, v: str, info):
        party = info.data.get("party_reminder_at")
        if party is not None and not party < v:
            raise ValueError("网格员兜底时间应晚于党员提醒时间")
        return v


class SettingsOut(Out):
    cutoff: str
    party_reminder_at: str
    grid_reminder_at: str
    updated_at: str | None = None


class AlertQuery(PageQuery):
    status: Literal["open", "acknowledged", "closed"] = "open"


class AlertMember(Out):
    name: str
    colour: Colour


class AlertOut(Out):
    id: str
    household: str
    date: str
    grid: str
    village: str
    village_name: str | None = None
    level: Literal["yellow", "red"]
    count: int
    members: list[AlertMember]
    address: str
    head_name: str
    status: Literal["open", "acknowledged", "closed"]
    created_at: str
    acked_at: str | None = None
    closed_at: str | None = None
    note: str | None = None


class AlertPage(Out):
    items: list[AlertOut]
    next_cursor: str | None = None


class CloseAlert(Strict):
    note: str = Field(min_length=1, max_length=500, description="what was done (处置情况)")


class SubscribeAlerts(Strict):
    protocol: Literal["email", "sqs"]
    endpoint: str = Field(min_length=3, max_length=300)

    @model_validator(mode="after")
    def _endpoint(self):
        if self.protocol == "email" and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", self.endpoint):
            raise ValueError("邮箱地址格式不正确")
        if self.protocol == "sqs" and not self.endpoint.startswith("arn:"):
            raise ValueError("SQS 订阅须为队列 ARN")
        return self


class SubscriptionOut(Out):
    subscription: str


class RemindIn(Strict):
    household: str = Field(pattern=r"^[0-9a-f]{16}$")


class RemindOut(Out):
    household: str
    channel: Literal["sms"]
    reminded_at: str
    by_name: str
    already: bool = Field(description="true when the household had been reminded today already (no second SMS)")


class FormMember(Out):
    id: str
    name: str
    relation: str


class FormHousehold(Out):
    id: str
    grid: str
    address: str
    head_name: str
    members: list[FormMember]


class FormOut(Out):
    today: TodayOut
    history: ReportPage
    household: FormHousehold = Field(description="as the form shows it: no ID or phone numbers")
