"""Passwords (argon2), signed session cookies, CSRF tokens, API tokens and login throttling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.store.models import utcnow
from birlik.web.errors import WebError, unauthenticated
from birlik.web.models import ROLES, ApiTokenRow, LoginThrottleRow, RegionGrantRow, UserRow

SESSION_COOKIE = "birlik_session"
PRE_SESSION_COOKIE = "birlik_pre"
TOKEN_PREFIX = "bk_"
_hasher = PasswordHasher()

PERMISSIONS: dict[str, frozenset[str]] = {
    "administrator": frozenset(
        {"read", "read_alerts", "act_alerts", "read_cases", "act_cases", "edit_registry", "admin"}
    ),
    "analyst": frozenset({"read", "read_alerts", "read_cases"}),
    "coordinator": frozenset({"read", "read_alerts", "act_alerts", "read_cases", "act_cases"}),
    "mediator": frozenset({"read_cases", "act_cases"}),
    "viewer": frozenset({"read"}),
}
ALL_REGION_ROLES = frozenset({"administrator", "analyst"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who makes the request, and how they proved it."""

    user_id: int
    username: str
    display_name: str
    role: str
    regions: frozenset[str]
    via: str
    """``session`` (a cookie: forms must carry the CSRF token) or ``token`` (an API token)."""
    csrf_token: str = ""

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    regions: tuple[str, ...] = (),
    display_name: str = "",
) -> UserRow:
    if role not in ROLES:
        raise WebError(f"role {role!r} is unknown — use one of {', '.join(ROLES)}", code="W110", status=422)
    if len(password) < 8:
        raise WebError(
            "the password is shorter than 8 characters — choose a longer one", code="W111", status=422
        )
    if session.scalar(select(UserRow).where(UserRow.username == username)) is not None:
        raise WebError(f"user {username!r} already exists — choose another name", code="W112", status=409)
    user = UserRow(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        active=True,
        session_epoch=0,
    )
    user.grants = [RegionGrantRow(region_kato=kato) for kato in sorted(set(regions))]
    session.add(user)
    session.flush()
    return user


def principal_of(user: UserRow, *, via: str, csrf_token: str = "") -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        regions=frozenset(grant.region_kato for grant in user.grants),
        via=via,
        csrf_token=csrf_token,
    )


# --- sessions ------------------------------------------------------------------------


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


# --- API tokens ----------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, user: UserRow, name: str) -> tuple[ApiTokenRow, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(user_id=user.id, name=name, token_hash=token_digest(token), prefix=token[:10])
    session.add(row)
    session.flush()
    return row, token


def user_of_token(session: Session, token: str) -> UserRow:
    row = session.scalar(
        select(ApiTokenRow).where(
            ApiTokenRow.token_hash == token_digest(token), ApiTokenRow.revoked_at.is_(None)
        )
    )
    user = session.get(UserRow, row.user_id) if row is not None else None
    if row is None or user is None or not user.active:
        raise unauthenticated("the API token is unknown or revoked — create a new one")
    row.last_used_at = utcnow()
    return user


# --- login throttling ----------------------------------------------------------------


class LoginThrottle:
    """Locks a user name or a client address after too many failed logins in a window."""

    def __init__(self, max_failures: int, lock_seconds: int) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=lock_seconds)

    def check(self, session: Session, keys: tuple[str, ...], now: datetime | None = None) -> None:
        now = now or utcnow()
        for key in keys:
            row = session.get(LoginThrottleRow, key)
            if row is not None and row.locked_until is not None and _aware(row.locked_until) > now:
                wait = int((_aware(row.locked_until) - now).total_seconds()) + 1
                raise WebError(
                    f"too many failed logins — wait {wait} s and try again",
                    code="W429",
                    status=429,
                    headers={"Retry-After": str(wait)},
                )

    def failed(self, session: Session, keys: tuple[str, ...], now: datetime | None = None) -> None:
        now = now or utcnow()
        for key in keys:
            row = session.get(LoginThrottleRow, key)
            if row is None:
                row = LoginThrottleRow(key=key, failures=0, window_start=now)
                session.add(row)
            if now - _aware(row.window_start) > self.window:
                row.failures, row.window_start, row.locked_until = 0, now, None
            row.failures += 1
            if row.failures >= self.max_failures:
                row.locked_until = now + self.window

    def succeeded(self, session: Session, keys: tuple[str, ...]) -> None:
        for key in keys:
            row = session.get(LoginThrottleRow, key)
            if row is not None:
                session.delete(row)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every stored moment is UTC."""
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
