"""The API front: the Chalice package served through an API Gateway HTTP API instead of Chalice's REST API.

Why (issue 13): a REST API costs US$3.50 a million requests, an HTTP API US$1.00; for one Longyou-sized county that is
about US$64 against US$18 a month (bench/results/cost.md). HTTP APIs have no usage plans, gateway responses or X-Ray:
per-county limits are kept in the app (chalicelib/core/throttle.py), and the API functions' tracing is PassThrough
(stack.py `_http_api`).

`chalice package` remains the source of the functions: `http_api_template` rewrites its SAM template before CDK
includes it (HttpApiChalice):
- the REST API (`RestAPI`) and its invoke permissions go; the public routes it declared (no authorizer) are kept
  as `public_routes`, so the HTTP API serves exactly those without its authorizer;
- the API function's handler is the HTTP API adapter (chalicelib/core/httpapi.py `handler`: payload 2.0 → the REST
  event Chalice routes), the authorizer's the HTTP API authorizer (`authorizer`: simple responses);
- a second function, `SigninHandler`, is the API function again (same code, same handler) for `/api/auth/*` only,
  with its own role and capabilities (functions.py "signin": it may read the signing key; the API function need not);
  its signed-in routes (POST /auth/switch) get routes of their own through the authorizer.
"""

from __future__ import annotations

import copy
import json
import os

from .functions import SIGNIN_LOGICAL_ID
from .package import SlimChalice

API_HANDLER_ENTRY = "chalicelib.core.httpapi.handler"
AUTHORIZER_ENTRY = "chalicelib.core.httpapi.authorizer"
AUTH_PREFIX = "/auth/"  # the sign-in routes: served by the signin function
# Other routes that answer with a new session (they sign tokens), served by the signin function too: redeeming a
# household invite (POST /links) returns the session of the new membership.
SIGNING_ROUTES = {("POST", "/links")}


def http_api_template(sam: dict) -> tuple[dict, list[tuple[str, str]], list[tuple[str, str]]]:
    """The SAM template without the REST API, with the HTTP API handlers and the signin function; the public routes
    [(METHOD, /path)] the REST API served without its authorizer (sign-in routes excluded); and the signed-in routes
    under /auth/ (POST /auth/switch: the signin function serves them, through the authorizer)."""
    sam = copy.deepcopy(sam)
    res = sam["Resources"]
    rest = res.pop("RestAPI")
    public, signin = [], []
    for path, methods in rest["Properties"]["DefinitionBody"]["paths"].items():
        for method, op in methods.items():
            if method.startswith("x-"):
                continue
            if path.startswith(AUTH_PREFIX) or (method.upper(), path) in SIGNING_ROUTES:
                signin.append((method.upper(), path, bool(op.get("security"))))
            elif not op.get("security"):
                public.append((method.upper(), path))
    if not signin:
        raise ValueError(f"the app has no {AUTH_PREFIX} routes: nothing for the signin function to serve")
    for logical_id in [k for k, v in res.items() if v["Type"] == "AWS::Lambda::Permission"
                       and "RestAPI" in json.dumps(v["Properties"].get("SourceArn"))]:
        del res[logical_id]
    handlers = {k: v for k, v in res.items() if v["Type"] == "AWS::Serverless::Function"}
    api = next(k for k, v in handlers.items() if v["Properties"]["Handler"] == "app.app")
    auth = next(k for k, v in handlers.items() if v["Properties"]["Handler"].endswith(".token_authorizer"))
    res[api]["Properties"]["Handler"] = API_HANDLER_ENTRY
    res[auth]["Properties"]["Handler"] = AUTHORIZER_ENTRY
    res[SIGNIN_LOGICAL_ID] = copy.deepcopy(res[api])
    sam.setdefault("Outputs", {}).pop("RestAPIId", None)
    sam["Outputs"].pop("EndpointURL", None)
    return sam, sorted(public), sorted((m, p) for m, p, signed_in in signin if signed_in)


class HttpApiChalice(SlimChalice):
    """SlimChalice whose template is rewritten for the HTTP API (see http_api_template) before CDK includes it."""

    public_routes: list[tuple[str, str]] = []
    signed_in_signin_routes: list[tuple[str, str]] = []

    def _generate_sam_template_with_assets(self, chalice_out_dir, package_id):
        path = os.path.join(self._sam_package_dir, "sam.json")
        with open(path) as f:
            sam, self.public_routes, self.signed_in_signin_routes = http_api_template(json.load(f))
        with open(path, "w") as f:
            json.dump(sam, f, indent=2)
        return super()._generate_sam_template_with_assets(chalice_out_dir, package_id)
