"""The one JSON error shape: ``{"error": {"code", "status", "message"}}`` (the errors themselves
are ``birlik.access.errors.RequestError`` and the rest of the ``BirlikError`` family)."""

from __future__ import annotations

from typing import Any


def error_body(code: str, status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "status": status, "message": message}}
