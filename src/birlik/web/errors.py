"""HTTP-facing errors and the one JSON error shape: ``{"error": {"code", "status", "message"}}``."""

from __future__ import annotations

from typing import Any

from birlik.domain.errors import BirlikError


class WebError(BirlikError):
    """An error a client caused; carries its HTTP status."""

    def __init__(
        self, message: str, *, code: str, status: int, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.headers = headers or {}


def unauthenticated(message: str = "log in first — POST /login or send an API token") -> WebError:
    return WebError(message, code="W401", status=401)


def forbidden(message: str = "your role does not allow this — ask an administrator") -> WebError:
    return WebError(message, code="W403", status=403)


def not_found(what: str) -> WebError:
    """Also used for records outside the user's regions, so that their existence does not leak."""
    return WebError(
        f"{what} does not exist or is outside your regions — check the id", code="W404", status=404
    )


def error_body(code: str, status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "status": status, "message": message}}
