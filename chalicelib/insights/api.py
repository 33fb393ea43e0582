"""Routes of the analysis of what people raise (HTTP only; the work is in service.py)."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import Call, endpoint
from ..core.lazy import lazy_module

service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("insights",)
READ = "insights.read"


@endpoint(bp, "/insights/cases", "GET", permission=READ, name="insight_cases", tags=TAGS,
          query=".schemas:InsightQuery", response=".schemas:CasesOut",
          summary="Every case type's cases by category × place × week, and the trend against the previous N weeks "
                  "per category and per place (one BatchGet of rolled-up week items)")
def case_matrix(call: Call):
    return service.case_matrix(call.ctx, call.query.place, call.query.weeks)


@endpoint(bp, "/insights/hotspots", "GET", permission=READ, name="insight_hotspots", tags=TAGS,
          query=".schemas:InsightQuery", response=".schemas:HotspotsOut",
          summary="Cases per village over the last N weeks, as map points (villages without coordinates apart)")
def hotspots(call: Call):
    return service.hotspots(call.ctx, call.query.place, call.query.weeks)


@endpoint(bp, "/insights/words", "GET", permission=READ, name="insight_words", tags=TAGS,
          query=".schemas:InsightQuery", response=".schemas:WordsOut",
          summary="The 50 most frequent words of case texts in the county or a township over the last N weeks "
                  "(counted when filed; texts are not kept here)")
def top_words(call: Call):
    return service.top_words(call.ctx, call.query.place, call.query.weeks)


@endpoint(bp, "/insights/anomalies", "GET", permission=READ, name="insight_anomalies", tags=TAGS,
          query=".schemas:AnomalyQuery", response=".schemas:AnomaliesOut",
          summary="Villages whose week jumps: ≥ 5 cases and above the mean + 3σ of their previous 8 weeks")
def anomalies(call: Call):
    return service.anomalies(call.ctx, call.query.place, call.query.week)


@endpoint(bp, "/insights/export", "POST", permission=READ, name="insight_export", tags=TAGS,
          body=".schemas:ExportIn", response=".schemas:ExportOut",
          summary="One of the tables (cases, trend, hotspots, words, anomalies) as an Excel workbook: a link valid "
                  "10 minutes")
def export(call: Call):
    b = call.body
    return service.workbook(call.ctx, b.table, b.place, b.weeks)
