"""HTTP-facing errors and the one JSON error shape: ``{"error": {"code", "status", "message"}}``."""

from __future__ import annotations

from typing import Any

from birlik.domain import codes
from birlik.domain.errors import WebError

__all__ = ["WebError", "error_body", "forbidden", "not_found", "unauthenticated"]


def unauthenticated(message: str = "log in first — POST /login or send an API token") -> WebError:
    return WebError(message, code=codes.W401)


def forbidden(message: str = "your role does not allow this — ask an administrator") -> WebError:
    return WebError(message, code=codes.W403)


def not_found(what: str) -> WebError:
    """Also used for records outside the user's regions, so that their existence does not leak."""
    return WebError(f"{what} does not exist or is outside your regions — check the id", code=codes.W404)


def error_body(code: str, status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "status": status, "message": message}}
