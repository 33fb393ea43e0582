"""Health and the API description."""

from __future__ import annotations

from chalice import Blueprint, Response

from ..core.http import Call, endpoint

bp = Blueprint(__name__)


@endpoint(bp, "/health", "GET", name="health", summary="Liveness", response=".schemas:Health", public=True,
          tags=("system",))
def health(call: Call):
    return {"status": "ok"}


@bp.route("/openapi.json", methods=["GET"])
def openapi():
    """The OpenAPI document (declared public in tests/security/test_isolation.py's list)."""
    import json

    from ..core.openapi import document

    return Response(json.dumps(document(), ensure_ascii=False), headers={"Content-Type": "application/json"})
