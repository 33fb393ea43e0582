"""Response models of the system routes."""

from __future__ import annotations

from ..core.schemas import Out


class Health(Out):
    status: str
