"""Passwords (argon2), signed session cookies, CSRF tokens, API tokens and login throttling."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ColumnElement, DateTime, Table, case, delete, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.store.models import utcnow
from birlik.web.errors import WebError, unauthenticated
from birlik.web.models import ROLES, TOKEN_SCOPES, ApiTokenRow, LoginThrottleRow, RegionGrantRow, UserRow

if TYPE_CHECKING:
    from birlik.web.config import WebSettings

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
    scope: str = "write"
    """What an API token may do: ``read`` (safe methods only) or ``write``; a session: ``write``."""

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash of a random password, made like every stored one: checking a password against it
    costs what checking a real user's costs, so an unknown name answers no faster."""
    return hash_password(secrets.token_urlsafe(24))


def check_login(user: UserRow | None, password: str) -> bool:
    """Whether ``password`` opens ``user``; the same work (one hash verification) whether the
    user exists, is inactive or not — the answer's timing does not tell which."""
    matches = verify_password(user.password_hash if user is not None else _dummy_hash(), password)
    return matches and user is not None and user.active


def check_new_password(password: str) -> None:
    if len(password) < 8:
        raise WebError(
            "the password is shorter than 8 characters — choose a longer one", code=codes.W111
        )
    if len(password) > 200:
        raise WebError(
            "the password is longer than 200 characters — choose a shorter one", code=codes.W111
        )


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
        raise WebError(f"role {role!r} is unknown — use one of {', '.join(ROLES)}", code=codes.W110)
    check_new_password(password)
    if session.scalar(select(UserRow).where(UserRow.username == username)) is not None:
        raise WebError(f"user {username!r} already exists — choose another name", code=codes.W112)
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


def principal_of(user: UserRow, *, via: str, csrf_token: str = "", scope: str = "write") -> Principal:
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        regions=frozenset(grant.region_kato for grant in user.grants),
        via=via,
        csrf_token=csrf_token,
        scope=scope,
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


def create_api_token(
    session: Session, user: UserRow, name: str, *, scope: str = "read", days: int = 90
) -> tuple[ApiTokenRow, str]:
    if scope not in TOKEN_SCOPES:
        raise WebError(
            f"token scope {scope!r} is unknown — use one of {', '.join(TOKEN_SCOPES)}",
            code=codes.W110,
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        user_id=user.id,
        name=name,
        token_hash=token_digest(token),
        prefix=token[:10],
        scope=scope,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return row, token


def token_principal(session: Session, token: str) -> Principal:
    """Who an API token speaks for, with the token's scope; refused when the token is unknown,
    revoked or expired, or its user inactive."""
    row = session.scalar(
        select(ApiTokenRow).where(
            ApiTokenRow.token_hash == token_digest(token), ApiTokenRow.revoked_at.is_(None)
        )
    )
    user = session.get(UserRow, row.user_id) if row is not None else None
    if row is None or user is None or not user.active:
        raise unauthenticated("the API token is unknown or revoked — create a new one")
    now = utcnow()
    if _aware(row.expires_at) <= now:
        raise unauthenticated(
            f"the API token expired on {_aware(row.expires_at):%Y-%m-%d} — create a new one"
        )
    row.last_used_at = now
    return principal_of(user, via="token", scope=row.scope)


def revoke_tokens_of(session: Session, user: UserRow) -> list[int]:
    """Revoke every live token of ``user`` (on deactivation: reactivating brings none back)."""
    rows = list(
        session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None))
        )
    )
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return [row.id for row in rows]


# --- login throttling ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """A login for a user name from a client address; the three keys its failures count under."""

    username: str
    address: str

    @property
    def pair_key(self) -> str:
        return f"pair:{self.username.lower()[:80]}|{self.address[:64]}"

    @property
    def user_key(self) -> str:
        return f"user:{self.username.lower()[:80]}"

    @property
    def address_key(self) -> str:
        return f"ip:{self.address[:64]}"


class LoginThrottle:
    """Slows password guessing without letting anyone lock another person out.

    - A user name *at one address* gets ``max_failures`` free attempts, then must wait a delay
      that doubles with each further failure (``first_delay``, 2×, 4× … up to ``lock_seconds``);
      meanwhile that pair is answered 429 before any password is checked. Only the pair is
      refused: the same user from another address, or another user from this address, is not.
    - Failures for a user from anywhere, and from an address for anyone, only *slow down* the
      next attempts (the same doubling, at most ``max_slow_down`` seconds) — a correct password
      is still accepted after that wait.
    - Every counter is changed by one atomic statement in the database (an upsert, or an
      ``UPDATE … SET failures = failures + 1`` that also checks the delay), so concurrent
      attempts, in one process or in several, are all counted.
    - Failures are forgotten ``lock_seconds`` after the first one of a run.
    """

    def __init__(
        self,
        max_failures: int,
        lock_seconds: int,
        *,
        first_delay: float = 1.0,
        max_slow_down: float = 10.0,
    ) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=lock_seconds)
        self.first_delay = first_delay
        self.max_slow_down = max_slow_down

    @classmethod
    def of(cls, web: WebSettings) -> LoginThrottle:
        return cls(
            web.login_max_failures,
            web.login_lock_seconds,
            first_delay=web.login_first_delay_seconds,
            max_slow_down=web.login_slow_down_max_seconds,
        )

    def delay_after(self, failures: int, cap: float) -> float:
        """The wait after ``failures`` failures: none below the limit, then doubling up to ``cap``."""
        if failures < self.max_failures:
            return 0.0
        return float(min(cap, self.first_delay * 2 ** min(failures - self.max_failures, 40)))

    def slow_down(self, session: Session, attempt: LoginAttempt, now: datetime | None = None) -> float:
        """Seconds to wait before checking this attempt's password (never a refusal)."""
        now = now or utcnow()
        rows = session.execute(
            select(_THROTTLE.c.failures, _THROTTLE.c.window_start).where(
                _THROTTLE.c.key.in_((attempt.user_key, attempt.address_key))
            )
        ).all()
        failures = max(
            (row.failures for row in rows if now - _aware(row.window_start) <= self.window), default=0
        )
        return self.delay_after(failures, self.max_slow_down)

    def admit(self, session: Session, attempt: LoginAttempt, now: datetime | None = None) -> None:
        """Count this attempt for its user at its address, or refuse it (W429, ``Retry-After``)
        while that pair waits out its delay — in one statement, so parallel attempts cannot
        all slip through before the first of them is counted."""
        now = now or utcnow()
        key = attempt.pair_key
        session.execute(
            _upsert(session)
            .values(key=key, failures=0, window_start=now, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        expired = _THROTTLE.c.window_start < now - self.window
        failures = case((expired, 1), else_=_THROTTLE.c.failures + 1)
        counted = session.execute(
            update(_THROTTLE)
            .where(
                _THROTTLE.c.key == key,
                or_(_THROTTLE.c.locked_until.is_(None), _THROTTLE.c.locked_until <= now),
            )
            .values(
                failures=failures,
                window_start=case((expired, now), else_=_THROTTLE.c.window_start),
                # while this attempt is slowed down and checked its pair waits, at least that
                # long; ``failed`` then sets the real wait from the moment of the failure
                locked_until=self._locked_until(
                    failures, now, allowance=self.max_slow_down + CHECK_ALLOWANCE
                ),
            )
            .returning(_THROTTLE.c.failures)
        ).scalar()
        if counted is None:
            locked_until = session.scalar(select(_THROTTLE.c.locked_until).where(_THROTTLE.c.key == key))
            wait = max(1, math.ceil((_aware(locked_until) - now).total_seconds())) if locked_until else 1
            raise WebError(
                f"too many failed logins for this user from your address — wait {wait} s and try again",
                code=codes.W429,
                headers={"Retry-After": str(wait)},
            )

    def _locked_until(
        self, failures: ColumnElement[int], now: datetime, allowance: float = 0.0
    ) -> ColumnElement[Any]:
        """``now`` plus the delay the ``failures``-th attempt earns (at least ``allowance``),
        as one SQL ``CASE``."""
        cap = self.window.total_seconds()
        whens: list[tuple[ColumnElement[bool], Any]] = [(failures < self.max_failures, null())]
        extra = 0
        while True:
            count = self.max_failures + extra
            delay = self.delay_after(count, cap)
            until = now + timedelta(seconds=max(delay, allowance))
            whens.append((failures == count, literal(until, _AWARE)))
            if delay >= cap:
                break
            extra += 1
        return case(*whens, else_=literal(now + timedelta(seconds=max(cap, allowance)), _AWARE))

    def failed(self, session: Session, attempt: LoginAttempt, now: datetime | None = None) -> None:
        """One more failure for the user (from anywhere) and for the address (for anyone); the
        pair's wait, set when the attempt was admitted, now runs from the failure (a slow
        password check must not eat it up)."""
        now = now or utcnow()
        session.execute(
            update(_THROTTLE)
            .where(_THROTTLE.c.key == attempt.pair_key, _THROTTLE.c.locked_until.is_not(None))
            .values(locked_until=self._locked_until(_THROTTLE.c.failures, now))
        )
        expired = _THROTTLE.c.window_start < now - self.window
        for key in (attempt.user_key, attempt.address_key):
            session.execute(
                _upsert(session)
                .values(key=key, failures=1, window_start=now, locked_until=None)
                .on_conflict_do_update(
                    index_elements=["key"],
                    set_={
                        "failures": case((expired, 1), else_=_THROTTLE.c.failures + 1),
                        "window_start": case((expired, now), else_=_THROTTLE.c.window_start),
                    },
                )
            )

    def succeeded(self, session: Session, attempt: LoginAttempt, now: datetime | None = None) -> None:
        """The pair starts afresh; the user's and the address's counts run out on their own.
        Counts of any key that ran out are dropped here too (names tried by guessers pile up)."""
        now = now or utcnow()
        session.execute(delete(_THROTTLE).where(_THROTTLE.c.key == attempt.pair_key))
        session.execute(
            delete(_THROTTLE).where(
                _THROTTLE.c.window_start < now - self.window,
                or_(_THROTTLE.c.locked_until.is_(None), _THROTTLE.c.locked_until < now),
            )
        )

    def failures(self, session: Session, key: str) -> int:
        return int(session.scalar(select(_THROTTLE.c.failures).where(_THROTTLE.c.key == key)) or 0)


CHECK_ALLOWANCE = 30.0
"""Seconds a password check may take: an admitted attempt over the limit keeps its pair waiting
at least this long (plus its slow-down) until its failure sets the real wait."""
_THROTTLE: Table = LoginThrottleRow.__table__  # type: ignore[assignment]  # a Table, typed as FromClause
_AWARE = DateTime(timezone=True)


def _upsert(session: Session) -> Any:
    """``INSERT … ON CONFLICT`` of the session's database (SQLite or PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(_THROTTLE)
    return sqlite.insert(_THROTTLE)


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes; every stored moment is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
