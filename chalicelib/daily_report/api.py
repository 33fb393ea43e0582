"""Daily report (每日上报): submit, today's report, history, completion, trends, unreported, settings, alerts."""

from __future__ import annotations

from chalice import Blueprint

from ..core.http import OWN_HOUSEHOLD, Call, endpoint
from ..core.lazy import lazy_module

alerts = lazy_module(".alerts", __package__)
reminders = lazy_module(".reminders", __package__)
service = lazy_module(".service", __package__)

bp = Blueprint(__name__)
TAGS = ("daily report",)


def settings_out(s) -> dict:
    return {"cutoff": s.cutoff, "party_reminder_at": s.party_reminder_at, "grid_reminder_at": s.grid_reminder_at,
            "updated_at": s.updated_at}


@endpoint(bp, "/reports", "POST", permission=("reports.proxy", OWN_HOUSEHOLD),
          name="submit_report", tags=TAGS, body=".schemas:SubmitReport",
          response=".schemas:ReportOut", status=201,
          idempotent="view", summary="Submit today's report of a household (a later one the same day replaces it; "
                                     "a grid worker submitting for the household is recorded as 代报)")
def submit(call: Call):
    # The Idempotency-Key becomes the report's id (service.report_id): a retry finds its report, no idempotency
    # records are written (docs/data-model.md, "Write units of a daily report").
    return service.submit(call.ctx, call.body, call.headers.get("idempotency-key"))


@endpoint(bp, "/reports/today", "GET", permission=("reports.read", OWN_HOUSEHOLD),
          name="today_report", tags=TAGS, query=".schemas:TodayQuery",
          response=".schemas:TodayOut",
          summary="A household's report for today (null until it reports) and the county's cut-off")
def today(call: Call):
    return service.today(call.ctx, call.query.household)


@endpoint(bp, "/reports/form", "GET", permission=("reports.read", OWN_HOUSEHOLD), name="report_form", tags=TAGS,
          query=".schemas:TodayQuery", response=".schemas:FormOut",
          summary="The report page in one request: today's report, the last 5 reports, the household's members")
def report_form(call: Call):
    return service.form(call.ctx, call.query.household)


@endpoint(bp, "/reports", "GET", permission=("reports.read", OWN_HOUSEHOLD),
          name="report_history", tags=TAGS, query=".schemas:HistoryQuery",
          response=".schemas:ReportPage", summary="A household's reports, newest first, replaced ones included")
def history(call: Call):
    q = call.query
    return service.history(call.ctx, q.household, q.limit, q.cursor)


@endpoint(bp, "/reports/completion", "GET", name="report_completion", tags=TAGS, query=".schemas:CompletionQuery",
          response=".schemas:CompletionReport", permission="reports.read",
          summary="Completion of a day at a place (and its children): expected, reported, on time, colours, "
                  "outside persons")
def completion(call: Call):
    q = call.query
    return service.completion(call.ctx, q.place, q.date, q.children)


@endpoint(bp, "/reports/trend", "GET", name="report_trend", tags=TAGS, query=".schemas:TrendQuery",
          response=".schemas:TrendReport",
          permission="reports.read", summary="Completion and colour counts of a place over the last days")
def trend(call: Call):
    q = call.query
    return service.trend(call.ctx, q.place, q.days)


@endpoint(bp, "/reports/unreported", "GET", name="unreported_households", tags=TAGS, query=".schemas:UnreportedQuery",
          response=".schemas:UnreportedPage", permission="reports.read",
          summary="A grid's households not reported today (with contacts=true, the head's phone: masked unless the "
                  "role has households.pii)")
def unreported(call: Call):
    q = call.query
    return service.unreported(call.ctx, q.grid, q.limit, q.cursor, q.contacts)


@endpoint(bp, "/reports/settings", "GET", name="get_report_settings", tags=TAGS, response=".schemas:SettingsOut",
          permission="reports.read", summary="The county's cut-off and reminder times")
def get_settings(call: Call):
    return settings_out(service.get_settings(call.ctx))


@endpoint(bp, "/reports/settings", "PUT", name="put_report_settings", tags=TAGS, body=".schemas:SettingsIn",
          response=".schemas:SettingsOut", permission="reports.settings", summary="Set the cut-off and reminder times")
def put_settings(call: Call):
    return settings_out(service.put_settings(call.ctx, call.body))


@endpoint(bp, "/alerts", "GET", name="list_alerts", tags=TAGS, query=".schemas:AlertQuery",
          response=".schemas:AlertPage",
          permission="alerts.read", summary="Yellow and red code alerts of the county, newest first")
def list_alerts(call: Call):
    q = call.query
    return alerts.list_alerts(call.ctx, q.status, q.limit, q.cursor)


@endpoint(bp, "/alerts/{aid}/ack", "POST", name="ack_alert", tags=TAGS, response=".schemas:AlertOut",
          permission="alerts.write", summary="Acknowledge (签收) an alert")
def ack(call: Call):
    return alerts.acknowledge(call.ctx, call.params["aid"])


@endpoint(bp, "/alerts/{aid}/close", "POST", name="close_alert", tags=TAGS, body=".schemas:CloseAlert",
          response=".schemas:AlertOut",
          permission="alerts.write", summary="Close (办结) an alert with a note of what was done")
def close(call: Call):
    return alerts.close(call.ctx, call.params["aid"], call.body.note)


@endpoint(bp, "/alerts/subscriptions", "POST", name="subscribe_alerts", tags=TAGS, body=".schemas:SubscribeAlerts",
          response=".schemas:SubscriptionOut", status=201, idempotent=True, permission="reports.settings",
          summary="Subscribe an address of the county's command to its alerts (SNS, filtered to this county)")
def subscribe(call: Call):
    return {"subscription": alerts.subscribe(call.ctx, call.body.protocol, call.body.endpoint)}


@endpoint(bp, "/reports/reminders", "POST", permission=("reports.proxy", "party.duties"),
          name="remind_household", tags=TAGS, body=".schemas:RemindIn",
          response=".schemas:RemindOut",
          summary="Remind a household that has not reported today (SMS to the head; once a day): its linked "
                  "party member or a grid worker of its grid")
def remind(call: Call):
    return reminders.remind(call.ctx, call.body.household)
