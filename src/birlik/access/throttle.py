"""Login throttling: failed logins counted in the database, per user at an address."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, DateTime, Table, case, delete, literal, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from birlik.access.errors import RequestError
from birlik.access.models import LoginThrottleRow
from birlik.domain import codes
from birlik.store.models import utcnow

if TYPE_CHECKING:
    from birlik.settings import WebSettings


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
            (row.failures for row in rows if now - row.window_start <= self.window), default=0
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
            wait = max(1, math.ceil((locked_until - now).total_seconds())) if locked_until else 1
            raise RequestError(
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

