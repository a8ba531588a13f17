"""Login throttling in the database (issue 18, item 9): concurrent failures are all counted,
the wait doubles and then ends, and counts that ran out are dropped."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from birlik.access.errors import RequestError
from birlik.access.throttle import LoginAttempt, LoginThrottle
from birlik.store.models import utcnow
from birlik.store.repository import Store


def test_throttle_counters_are_atomic(store: Store) -> None:
    """30 concurrent failures for one user from 30 addresses, each in its own transaction and
    connection: all 30 counted for the user (before: read-modify-write lost most of them)."""
    throttle = LoginThrottle(5, 900)
    start = threading.Barrier(30)

    def fail(index: int) -> None:
        start.wait()
        with store.transaction() as session:
            throttle.failed(session, LoginAttempt("viewer", f"192.0.2.{index}"))

    with ThreadPoolExecutor(30) as pool:
        list(pool.map(fail, range(30)))
    with store.transaction() as session:
        assert throttle.failures(session, "user:viewer") == 30
        assert throttle.failures(session, "ip:192.0.2.7") == 1
        # the user's count slows logins down (at most the cap), it refuses none
        assert throttle.slow_down(session, LoginAttempt("viewer", "198.51.100.1")) == 10.0


def test_the_wait_doubles_and_then_ends(store: Store) -> None:
    throttle = LoginThrottle(3, 60, first_delay=1.0)
    attempt = LoginAttempt("ana", "192.0.2.1")
    now = utcnow()
    waits = []
    for _ in range(6):
        with store.transaction() as session:
            throttle.admit(session, attempt, now)  # a wrong password each time
            throttle.failed(session, attempt, now)
        with store.transaction() as session:
            try:
                throttle.admit(session, attempt, now)
            except RequestError as refused:
                waits.append(int(refused.headers["Retry-After"]))
                now += timedelta(seconds=waits[-1])
            else:
                throttle.failed(session, attempt, now)
                waits.append(0)
                now += timedelta(seconds=0.001)
    # attempts 1-3 are free, the 3rd earns a wait of 1 s, each further one doubles it
    assert waits[:1] == [0] and waits[1:] == [1, 2, 4, 8, 16]
    assert [throttle.delay_after(n, 60) for n in (2, 3, 4, 9, 50)] == [0, 1, 2, 60, 60]
    with store.transaction() as session:  # while an attempt is checked, its pair waits
        throttle.admit(session, attempt, now)
        with pytest.raises(RequestError, match="W429"):
            throttle.admit(session, attempt, now + timedelta(seconds=20))
    later = now + timedelta(seconds=61)
    with store.transaction() as session:
        throttle.admit(session, attempt, later)  # a new run: the old failures are forgotten
        assert throttle.failures(session, attempt.pair_key) == 1
        throttle.failed(session, LoginAttempt("guessed-name", "192.0.2.9"), now)
        throttle.failed(session, LoginAttempt("another-name", "192.0.2.9"), later)
        throttle.succeeded(session, attempt, later)
        assert throttle.failures(session, attempt.pair_key) == 0
        assert throttle.failures(session, "user:guessed-name") == 0  # ran out: dropped
        assert throttle.failures(session, "user:another-name") == 1
