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
  thread is given back; nothing is held while the answer is validated or sent;
- on a SQLite file the writers of all processes queue for their turn in the kernel
  (``writers_turn``) rather than in SQLite's polling busy handler.

An ``async`` endpoint would do its database work on the event loop (where waiting for a lock
stops every request): a route that takes the database session must be synchronous, and
building one that is not fails at start-up.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import typing
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from birlik.store.db import begin_write

try:
    import fcntl
except ImportError:  # not POSIX: SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class UnitOfWorkRoute(APIRoute):
    """The route class of every router of the app.

    An answer declared as plain JSON (``dict[str, Any]``, ``list[dict[str, Any]]``…) is not
    "validated" against its declaration: that checks nothing, and for a synchronous endpoint it
    costs one more trip through the thread pool per request."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ("GET",)}
        declared = kwargs.get("response_model")
        if declared is None or isinstance(declared, DefaultPlaceholder):
            returns = inspect.signature(endpoint, eval_str=True).return_annotation
            if returns is not inspect.Signature.empty and plain_json(returns):
                kwargs["response_model"] = None
        super().__init__(path, in_one_thread(endpoint, write=bool(methods & WRITE_METHODS)), **kwargs)


def plain_json(kind: Any) -> bool:
    """Built of dicts, lists and scalars only: nothing a response model would check."""
    if kind in (Any, str, int, float, bool, None, type(None)):
        return True
    origin = typing.get_origin(kind)
    return origin in (dict, list) and all(plain_json(arg) for arg in typing.get_args(kind))


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

    def work(kwargs: dict[str, Any]) -> Any:  # in a worker thread, from first statement to commit
        session = _session_in(kwargs)
        if session is None:
            return endpoint(**kwargs)
        with writers_turn(session) if write else contextlib.nullcontext():
            try:
                if write:
                    begin_write(session)
                result = endpoint(**kwargs)
            except BaseException:
                session.rollback()
                raise
            session.commit()
        return result

    async def run(**kwargs: Any) -> Any:
        return await run_in_threadpool(work, kwargs)

    # FastAPI reads the parameters from the signature (resolved here, in the endpoint's module)
    # and awaits ``run`` on the event loop: no __wrapped__, which it would follow to the sync
    # function and then call ``run`` in a thread
    run.__signature__ = inspect.signature(endpoint, eval_str=True)  # type: ignore[attr-defined]
    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(run, attribute, getattr(endpoint, attribute))
    run.in_one_thread = True  # type: ignore[attr-defined]
    return run


@contextlib.contextmanager
def writers_turn(session: Session) -> Iterator[None]:
    """Wait for this writer's turn across all processes on the SQLite file.

    The kernel queues the waiters of an ``flock`` and wakes one the moment the lock is free,
    where SQLite's busy handler polls, sleeping longer the longer it waits: a writer of one
    process could lose every race to the next writers of another, for seconds. The lock is
    taken before ``BEGIN IMMEDIATE`` and given back after the commit."""
    bind = session.get_bind()
    database = bind.engine.url.database if bind.dialect.name == "sqlite" else None
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    try:
        handle = os.open(f"{database}-writers.lock", os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:  # a read-only directory: SQLite's own locking still holds
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # gives the lock back


def _session_in(kwargs: dict[str, Any]) -> Session | None:
    return next((v for v in kwargs.values() if isinstance(v, Session)), None)




def takes_session(endpoint: Callable[..., Any]) -> bool:
    for parameter in inspect.signature(endpoint, eval_str=True).parameters.values():
        kind = getattr(parameter.annotation, "__origin__", parameter.annotation)  # Annotated[Session, …]
        if isinstance(kind, type) and issubclass(kind, Session):
            return True
    return False
