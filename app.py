"""村情通 API: wiring only. Every route lives in a module's Blueprint (chalicelib/<module>/api.py).

Importing this module must stay cheap (it is every Lambda function's cold start; bench/cold_start.py measures it
and tests/unit/test_cold_imports.py guards it): the blueprints import their services, models and schemas, and
Powertools its Logger, Metrics and Tracer, when a request first needs them (chalicelib/core/lazy.py).
"""

from chalice import Chalice, ConvertToMiddleware

from chalicelib.core import modules, streams
from chalicelib.core.auth import authorizer
from chalicelib.core.observability import capture_lambda_handler, http_middleware, inject_lambda_context
from chalicelib.daily_report import api as daily_report
from chalicelib.daily_report import manifest as daily_report_manifest
from chalicelib.daily_report import schedule as daily_report_schedule
from chalicelib.households import api as households
from chalicelib.imports import api as imports
from chalicelib.inbox import api as inbox
from chalicelib.party import api as party
from chalicelib.passes import api as passes
from chalicelib.passes import manifest as passes_manifest
from chalicelib.places import api as places
from chalicelib.signin import api as signin
from chalicelib.staff import api as staff
from chalicelib.system import api as system
from chalicelib.tenants import api as tenants
from chalicelib.tipoffs import api as tipoffs
from chalicelib.tipoffs import manifest as tipoffs_manifest

app = Chalice(app_name="cunqingtong")
app.api.cors = False  # the web app is served from the same origin as the API (/api/ behind CloudFront)
app.register_middleware(ConvertToMiddleware(inject_lambda_context))
app.register_middleware(ConvertToMiddleware(capture_lambda_handler))
app.register_middleware(http_middleware, "http")

# The county modules declare themselves (catalogue entry, packages whose routes they own); core names none of them.
modules.register(daily_report_manifest.MODULE, passes_manifest.MODULE, tipoffs_manifest.MODULE)

app.register_blueprint(authorizer.bp)
for module in (system, signin, tenants, places, households, staff, imports, inbox, party, daily_report,
               passes, tipoffs):
    app.register_blueprint(module.bp)
app.register_blueprint(streams.bp)  # the submissions stream, dispatched to streams.REACTIONS (events.py) by kind
app.register_blueprint(daily_report_schedule.bp)  # the reminder chain, every 5 minutes
