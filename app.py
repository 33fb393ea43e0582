"""村情通 API: wiring only. Every route lives in a module's Blueprint (chalicelib/<module>/api.py).

Importing this module must stay cheap (it is every Lambda function's cold start; bench/cold_start.py measures it
and tests/unit/test_cold_imports.py guards it): the blueprints import their services, models and schemas, and
Powertools its Logger, Metrics and Tracer, when a request first needs them (chalicelib/core/lazy.py).
"""

import importlib

from chalice import Chalice, ConvertToMiddleware

from chalicelib import manifests
from chalicelib.core import jobs, streams
from chalicelib.core.auth import authorizer
from chalicelib.core.observability import capture_lambda_handler, http_middleware, inject_lambda_context

# Powertools owns the "cunqingtong" logger: Chalice adding its own handler to it would print every line twice.
app = Chalice(app_name="cunqingtong", configure_logs=False)
app.api.cors = False  # the web app is served from the same origin as the API (/api/ behind CloudFront)
app.register_middleware(ConvertToMiddleware(inject_lambda_context))
app.register_middleware(ConvertToMiddleware(capture_lambda_handler))
app.register_middleware(http_middleware, "http")

# Every module and platform part declares itself in its manifest (catalogue entry, permissions, blueprints, stream
# reactions, topics, schedules); core names none of them. Registering declares the permissions.
manifests.register()

app.register_blueprint(authorizer.bp)
for module in manifests.MODULES:
    for blueprint in module.blueprints:  # routes and schedules
        app.register_blueprint(importlib.import_module(blueprint).bp)
app.register_blueprint(streams.bp)  # the submissions stream, dispatched by item kind to the manifests' reactions
app.register_blueprint(jobs.bp)  # the jobs queue's worker: the schedules' work, one county or township a message
