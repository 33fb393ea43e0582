"""What each Lambda function of the Chalice app may do, and how it is invoked.

The functions are read from the template `chalice package` produced (one per route handler, authorizer and event
handler). A function missing from CAPABILITIES stops the synthesis: a new handler must say what it needs here,
so that nobody gets permissions by default.
"""

from __future__ import annotations

from dataclasses import dataclass

API_HANDLER = "api_handler"
SIGNIN = "signin"
SIGNIN_LOGICAL_ID = "SigninHandler"  # front.py: the API function again, serving /api/auth/* only
# Handlers of the HTTP API front (front.py) -> chalice's function names.
ENTRY_POINTS = {"app.app": API_HANDLER, "chalicelib.core.httpapi.handler": API_HANDLER,
                "chalicelib.core.httpapi.authorizer": "token_authorizer"}

# Capability -> grants in stack.CqtStack._grant.
CAPABILITIES: dict[str, frozenset[str]] = {
    # Every route: tables, idempotency records, media uploads, PII envelope keys, the secret, topics, SMS codes; the
    # jobs queue for work someone asks for (core/jobs.py submit: a quarterly report, a county's export).
    # "mediaconvert": a lecture video's completed upload creates its transcoding job (chalicelib/lectures/transcode.py).
    API_HANDLER: frozenset({"tables", "idempotency", "media", "pii", "secret", "topics", "sms", "kvs", "jobs:send",
                            "mediaconvert"}),
    # The sign-in routes (/api/auth/*: chalicelib/signin): codes by SMS, phone blind indexes and ciphertexts, users
    # and refresh tokens; it signs the access tokens ("signing": the signing key, which the API function need not
    # read). Its own function and role (front.py), so a flaw elsewhere in the API cannot mint tokens. It also
    # serves POST /links (front.py SIGNING_ROUTES: redeeming a household invite answers with a session; an
    # idempotent route: its Powertools records).
    SIGNIN: frozenset({"tables", "idempotency", "pii", "secret", "sms", "signing"}),
    # chalicelib/core/httpapi.py authorizer: verifies the token signature with the public keys ("jwks": the public
    # key set of chalicelib/core/auth/keys.py), nothing else; no private key, not the app secret.
    "token_authorizer": frozenset({"jwks"}),
    # The submissions stream, dispatched to the manifests' reactions: chalicelib/daily_report/events.py (completion
    # counters, decrypts day summaries, alerts on the alerts topic) and chalicelib/cases/events.py (new cases
    # forwarded to their type's topic; an SMS to a filer who opted in, phone decrypted).
    # It counts new cases' words (chalicelib/insights/words.py): the segmentation layer (package.py LAYERS).
    "on_submissions_change": frozenset({"tables", "pii", "alerts", "sms", "stream:submissions",
                                        "layer:segmentation"}),
    # The schedules only fan their job out (chalicelib/core/jobs.py): they read the county registry and, for the
    # reminders, each county's household counter and townships, and send the jobs queue one message per county or
    # township. Every 5 minutes (chalicelib/daily_report/schedule.py) and every 15 (chalicelib/cases/schedule.py).
    "report_reminders": frozenset({"tables:read", "jobs:send"}),
    "case_escalation": frozenset({"tables:read", "jobs:send"}),
    # Every 10 minutes (chalicelib/notices/schedule.py): the county's due urgent notices, their villages and done marks.
    "notice_sms": frozenset({"tables:read", "jobs:send"}),
    # Every 2 minutes (chalicelib/volunteers/schedule.py): the county's calls still to broadcast, their villages and
    # done marks. The worker (run_jobs) writes the volunteers' inbox items and sends their SMS.
    "volunteer_broadcast": frozenset({"tables:read", "jobs:send"}),
    # Every 5 minutes (chalicelib/recruitment/schedule.py): each county's queue of new jobs whose alerts are still to
    # deliver (one Query). The worker (run_jobs) writes the matching seekers' inbox items and sends their SMS.
    "recruitment_alerts": frozenset({"tables:read", "jobs:send"}),
    # Daily (chalicelib/interviews/channels.py), where rooms have Kinesis Video Streams channels: one message per
    # county; the worker (run_jobs, "kvs:sweep") deletes the county's channels of past rooms.
    "interview_channels": frozenset({"tables:read", "jobs:send"}),
    # MediaConvert's job-state events (EventBridge, chalicelib/lectures/events.py): a lecture video made ready (its
    # HLS playlist and poster) or failed: one conditional UpdateItem.
    "lecture_transcoded": frozenset({"tables"}),
    # Nightly (chalicelib/insights/schedule.py): one message per county; the worker rolls up 26 weeks of case counters.
    "insights_rollup": frozenset({"tables:read", "jobs:send"}),
    # Daily (chalicelib/datarights/schedule.py): one message per county (per township of a large one); the worker
    # deletes reports, case photos and old export zips past the county's periods.
    "data_retention": frozenset({"tables:read", "jobs:send"}),
    # Nightly at 00:20 (chalicelib/backoffice/schedule.py): one message per county using the daily report; the worker
    # rolls the townships' daily-report counters of the last two days into their month items. The worker also makes
    # the quarterly party-building reports people ask for (chalicelib/backoffice/report.py: workbook into "media").
    "quality_rollup": frozenset({"tables:read", "jobs:send"}),
    # The jobs queue's worker (chalicelib/core/jobs.py run_jobs): one county's or township's job a message. The
    # reminders (chalicelib/daily_report/reminders.py) read links, households and staff, write job claims and inbox
    # notices; the escalation (chalicelib/cases/service.py) moves overdue cases up, writes timeline events and inbox
    # notices. Urgent notices' SMS (chalicelib/notices/sms.py) decrypt the heads' phones and send the SMS.
    # A county's data export (chalicelib/datarights/export.py) scans both tables filtered to the county ("tables:scan":
    # the only Scan grant; no API function has it) and writes its zip to the media bucket, where the retention job
    # deletes old case photos and zips ("media").
    "run_jobs": frozenset({"tables", "tables:scan", "jobs:receive", "pii", "sms", "kvs:sweep", "media"}),
}
ASYNC_EVENTS = {"SNS", "S3", "Schedule", "CloudWatchEvent", "EventBridgeRule"}  # Lambda's async invocation
STREAM_EVENTS = {"DynamoDB", "Kinesis"}  # event source mappings: on-failure destination
QUEUE_EVENTS = {"SQS"}  # event source mappings: the queue's redrive policy (its DLQ), partial batch responses


@dataclass(frozen=True)
class FunctionPlan:
    logical_id: str
    name: str  # chalice's function name (api_handler, token_authorizer, or the handler's name)
    capabilities: frozenset[str]
    asynchronous: bool
    stream_events: tuple[str, ...]
    queue_events: tuple[str, ...] = ()


def chalice_name(props: dict) -> str:
    handler = props["Handler"]
    return ENTRY_POINTS.get(handler) or handler.rsplit(".", 1)[1]


def plan_functions(sam: dict, capabilities: dict[str, frozenset[str]] | None = None) -> list[FunctionPlan]:
    capabilities = CAPABILITIES if capabilities is None else capabilities
    out = []
    for logical_id, res in sam["Resources"].items():
        if res["Type"] != "AWS::Serverless::Function":
            continue
        props = res["Properties"]
        name = SIGNIN if logical_id == SIGNIN_LOGICAL_ID else chalice_name(props)
        if name not in capabilities:
            raise ValueError(f"Lambda function {name!r} ({logical_id}) has no entry in infra/cqt_infra/functions.py "
                             "CAPABILITIES: declare what it may access")
        events = props.get("Events") or {}
        kinds = {ev["Type"] for ev in events.values()}
        unknown = kinds - ASYNC_EVENTS - STREAM_EVENTS - QUEUE_EVENTS
        if unknown:
            raise ValueError(f"{name}: event types {sorted(unknown)} need a failure destination in functions.py")
        out.append(FunctionPlan(
            logical_id=logical_id, name=name, capabilities=capabilities[name],
            asynchronous=bool(kinds & ASYNC_EVENTS),
            stream_events=tuple(k for k, ev in events.items() if ev["Type"] in STREAM_EVENTS),
            queue_events=tuple(k for k, ev in events.items() if ev["Type"] in QUEUE_EVENTS)))
    if not any(p.name == API_HANDLER for p in out):
        raise ValueError("the Chalice template has no API handler")
    return out
