"""Signed session cookies and CSRF tokens: the HTTP side of logging in (users, passwords, API
tokens and throttling are in ``birlik.access``)."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from birlik.access.errors import unauthenticated
from birlik.access.models import UserRow

SESSION_COOKIE = "birlik_session"
PRE_SESSION_COOKIE = "birlik_pre"


class SessionCodec:
    """Signed, timestamped session cookies: ``{user, epoch, csrf}``; nothing secret inside."""

    def __init__(self, secret_key: str, max_age: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="birlik-session")
        self._pre = URLSafeTimedSerializer(secret_key, salt="birlik-pre-session")
        self.max_age = max_age

    def issue(self, user: UserRow) -> tuple[str, str]:
        csrf_token = secrets.token_urlsafe(24)
        cookie = self._serializer.dumps({"u": user.id, "e": user.session_epoch, "c": csrf_token})
        return cookie, csrf_token

    def read(self, cookie: str) -> dict[str, Any]:
        try:
            payload = self._serializer.loads(cookie, max_age=self.max_age)
        except SignatureExpired as exc:
            raise unauthenticated("your session has expired — log in again") from exc
        except BadSignature as exc:
            raise unauthenticated("the session cookie is not valid — log in again") from exc
        if not isinstance(payload, dict):
            raise unauthenticated("the session cookie is not valid — log in again")
        return payload

    def issue_pre_session(self) -> tuple[str, str]:
        """A CSRF token for the login form of a visitor who has no session yet."""
        token = secrets.token_urlsafe(24)
        return self._pre.dumps(token), token

    def read_pre_session(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            token = self._pre.loads(cookie, max_age=3600)
        except BadSignature:
            return None
        return token if isinstance(token, str) else None


def tokens_match(expected: str, given: str | None) -> bool:
    return bool(expected) and given is not None and hmac.compare_digest(expected, given)

