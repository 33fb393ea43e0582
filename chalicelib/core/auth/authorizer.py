"""The Chalice custom authorizer: verify the bearer token, hand its claims to the route as context.

API Gateway caches the answer per token (ttl), so the signature check runs once per token, not per request.
The route layer (core.http) turns the context into a frozen TenantContext; nothing else is trusted.
"""

from __future__ import annotations

import json

from chalice import AuthResponse, Blueprint

from ..errors import Unauthorized

bp = Blueprint(__name__)


class AuthorizerUnauthorized(Exception):  # noqa: N818  (the name API Gateway's contract is about)
    """Raised to make API Gateway answer 401."""


@bp.authorizer(name="token_authorizer", ttl_seconds=300)
def token_authorizer(auth_request):
    raw = auth_request.token or ""
    scheme, _, token = raw.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthorizerUnauthorized("Unauthorized")
    from .tokens import verify_access  # PyJWT and cryptography: only the authorizer function needs them

    try:
        ctx = verify_access(token.strip())
    except Unauthorized:
        # API Gateway's convention: an authorizer that fails with "Unauthorized" makes the call a 401.
        raise AuthorizerUnauthorized("Unauthorized") from None
    principal = f"{ctx.tenant_id or '-'}:{ctx.user_id or ctx.identity[:12]}"
    return AuthResponse(routes=["*"], principal_id=principal, context={
        "tenant": ctx.tenant_id, "uid": ctx.user_id, "idn": ctx.identity,
        "grants": json.dumps([g.to_json() for g in ctx.grants], ensure_ascii=False),
        "exp": ctx.expires,  # API Gateway caches this answer per token: the route re-checks expiry
    })
