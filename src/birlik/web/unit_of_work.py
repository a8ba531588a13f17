"""Every request's database work begins and ends in the one thread that does it.

A synchronous endpoint runs in a worker thread of a small pool (``web_threads``). If its
transaction stayed open after it returned, the commit would come later, after FastAPI had
validated the answer on *another* trip through the same pool (and after the dependency's exit),
so a request holding SQLite's write lock could wait for a thread while every thread waited, up
to the busy timeout, for that lock: six concurrent JSON writers gave 10 s answers and
"database is locked". Here every route's endpoint is wrapped so that, in its own thread:

- a writing request (POST, PUT, PATCH, DELETE) takes the write lock first (``begin_write``:
  SQLite ``BEGIN IMMEDIATE``), so it reads what it changes and waits for other writers with
  the busy timeout instead of failing on a lock upgrade;
- the transaction is committed when the endpoint returns, rolled back when it raises, before the
  thread is given back; nothing is held while the answer is validated or sent.

An ``async`` endpoint would do its database work on the event loop (where waiting for a lock
stops every request): a route that takes the database session must be synchronous, and
building one that is not fails at start-up.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from birlik.store.db import begin_write

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class UnitOfWorkRoute(APIRoute):
    """The route class of every router of the app."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ("GET",)}
        super().__init__(path, in_one_thread(endpoint, write=bool(methods & WRITE_METHODS)), **kwargs)


def in_one_thread(endpoint: Callable[..., Any], *, write: bool) -> Callable[..., Any]:
    if getattr(endpoint, "in_one_thread", False):  # a router included in the app: wrapped already
        return endpoint
    if inspect.iscoroutinefunction(endpoint):
        if takes_session(endpoint):
            raise TypeError(
                f"{endpoint.__module__}.{endpoint.__qualname__} is async and takes the database "
                "session: make it a plain `def` (it runs in a worker thread, with its transaction)"
            )
        return endpoint

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        session = next((v for v in kwargs.values() if isinstance(v, Session)), None)
        if session is None:
            return endpoint(*args, **kwargs)
        try:
            if write:
                begin_write(session)
            result = endpoint(*args, **kwargs)
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return result

    run.in_one_thread = True  # type: ignore[attr-defined]
    return run


def takes_session(endpoint: Callable[..., Any]) -> bool:
    for parameter in inspect.signature(endpoint, eval_str=True).parameters.values():
        kind = getattr(parameter.annotation, "__origin__", parameter.annotation)  # Annotated[Session, …]
        if isinstance(kind, type) and issubclass(kind, Session):
            return True
    return False
