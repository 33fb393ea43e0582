"""村情通 API: wiring only. Every route lives in a module's Blueprint (chalicelib/<module>/api.py)."""

from chalice import Chalice, ConvertToMiddleware

from chalicelib.core import streams
from chalicelib.core.auth import authorizer
from chalicelib.core.observability import http_middleware, logger, tracer
from chalicelib.daily_report import api as daily_report
from chalicelib.daily_report import events as daily_report_events
from chalicelib.households import api as households
from chalicelib.imports import api as imports
from chalicelib.inbox import api as inbox
from chalicelib.party import api as party
from chalicelib.passes import api as passes
from chalicelib.places import api as places
from chalicelib.signin import api as signin
from chalicelib.staff import api as staff
from chalicelib.system import api as system
from chalicelib.tenants import api as tenants
from chalicelib.tipoffs import api as tipoffs
from chalicelib.tipoffs import events as tipoffs_events  # noqa: F401 - registers its stream reactions

app = Chalice(app_name="cunqingtong")
app.api.cors = False  # the web app is served from the same origin as the API (/api/ behind CloudFront)
app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(clear_state=True)))
app.register_middleware(ConvertToMiddleware(tracer().capture_lambda_handler))
app.register_middleware(http_middleware, "http")

app.register_blueprint(authorizer.bp)
for module in (system, signin, tenants, places, households, staff, imports, inbox, party, daily_report,
               passes, tipoffs):
    app.register_blueprint(module.bp)
app.register_blueprint(streams.bp)  # the submissions stream, dispatched to the modules' events.py by kind
app.register_blueprint(daily_report_events.bp)  # schedule
