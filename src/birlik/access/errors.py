"""Errors a caller caused (a person, an API client, the CLI): each carries the HTTP status the
web answers with, so that the services below the web need not know the web."""

from __future__ import annotations

from birlik.domain.errors import BirlikError


class RequestError(BirlikError):
    """A request that cannot be done as asked; carries its HTTP status (and headers)."""

    def __init__(
        self, message: str, *, code: str, status: int, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.status = status
        self.headers = headers or {}


def unauthenticated(message: str = "log in first — POST /login or send an API token") -> RequestError:
    return RequestError(message, code="W401", status=401)


def forbidden(message: str = "your role does not allow this — ask an administrator") -> RequestError:
    return RequestError(message, code="W403", status=403)


def not_found(what: str) -> RequestError:
    """Also used for records outside the user's regions, so that their existence does not leak."""
    return RequestError(
        f"{what} does not exist or is outside your regions — check the id", code="W404", status=404
    )
