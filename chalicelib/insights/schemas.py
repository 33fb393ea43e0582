"""Request and response models of the analysis of what people raise (问题分析)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import Out, Strict

PLACE = r"^\d{6}(\d{3}(\d{3})?)?$"  # the county, a township or a village
WEEK = r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$"
MAX_WEEKS = 26


class InsightQuery(Strict):
    place: str | None = Field(default=None, pattern=PLACE, description="the county (default), a township or village")
    weeks: int = Field(default=8, ge=1, le=MAX_WEEKS, description="the last N ISO weeks, this week included")


class AnomalyQuery(Strict):
    place: str | None = Field(default=None, pattern=PLACE)
    week: str | None = Field(default=None, pattern=WEEK, description="ISO week, e.g. 2026-W07 (default: this week)")


class ExportIn(Strict):
    table: Literal["cases", "trend", "hotspots", "words", "anomalies"]
    place: str | None = Field(default=None, pattern=PLACE)
    weeks: int = Field(default=8, ge=1, le=MAX_WEEKS)


class Change(Out):
    current: int
    previous: int
    change: int
    change_pct: float | None = Field(description="percent against the previous period; null when it had none")


class CategoryTrend(Change):
    type: str
    type_name: str
    category: str
    name: str


class PlaceTrend(Change):
    place: str
    name: str


class Trend(Out):
    categories: list[CategoryTrend]
    places: list[PlaceTrend]


class CellOut(Out):
    week: str
    place: str
    type: str
    category: str
    count: int


class TypeOut(Out):
    id: str
    name: str


class CasesOut(Out):
    place: str
    level: Literal["county", "township", "village"]
    weeks: list[str]
    previous_weeks: list[str]
    types: list[TypeOut]
    rows: list[CellOut] = Field(description="non-zero cells of the current weeks: week × place × type × category")
    total: Change
    trend: Trend
    place_names: dict[str, str]


class Hotspot(Out):
    village: str
    name: str
    township: str
    township_name: str | None
    count: int
    lng: float | None = None
    lat: float | None = None


class HotspotsOut(Out):
    place: str
    level: str
    weeks: list[str]
    points: list[Hotspot] = Field(description="villages with a map point")
    unplaced: list[Hotspot] = Field(description="villages without coordinates (listed apart)")
    max: int


class Word(Out):
    word: str
    count: int


class WordsOut(Out):
    place: str
    level: str
    weeks: list[str]
    cases: int = Field(description="case texts counted")
    words: list[Word] = Field(description="top 50, most frequent first")


class Anomaly(Out):
    village: str
    name: str
    township_name: str | None
    count: int
    mean: float
    sd: float
    threshold: float
    history: list[int]


class AnomaliesOut(Out):
    place: str
    level: str
    week: str
    history_weeks: list[str]
    rule: str
    items: list[Anomaly]


class ExportOut(Out):
    url: str = Field(description="the workbook, a link valid 10 minutes")
    filename: str
