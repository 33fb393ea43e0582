"""Routes of the interviews module (HTTP only; the work is in its service modules)."""

from __future__ import annotations

from chalice import Blueprint

bp = Blueprint(__name__)
TAGS = ("interviews",)
