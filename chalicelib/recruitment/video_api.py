"""Routes of the video résumé (resumable multipart upload to S3; HTTP only)."""

from __future__ import annotations

from chalice import Blueprint

bp = Blueprint(__name__)
TAGS = ("recruitment",)
