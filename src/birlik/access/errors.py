"""Errors a caller caused (a person, an API client, the CLI). Each is a ``WebError`` whose HTTP
status comes from its code in the catalogue, so the services below the web need not know it."""

from __future__ import annotations

from birlik.domain import codes
from birlik.domain.errors import WebError

RequestError = WebError
"""The name the services use: a request that cannot be done as asked (code, status, headers)."""


def unauthenticated(message: str = "log in first — POST /login or send an API token") -> RequestError:
    return RequestError(message, code=codes.W401)


def forbidden(message: str = "your role does not allow this — ask an administrator") -> RequestError:
    return RequestError(message, code=codes.W403)


def not_found(what: str) -> RequestError:
    """Also used for records outside the user's regions, so that their existence does not leak."""
    return RequestError(f"{what} does not exist or is outside your regions — check the id", code=codes.W404)
