"""Writes under concurrency, through a real server (uvicorn on a socket, in a thread) and real
client threads, on SQLite and PostgreSQL: concurrent JSON writers used to wait, holding
SQLite's write lock, for a thread of the pool that the others filled while waiting for the lock
(10 s answers, then 500 "database is locked")."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select
from tests.web.conftest import PASSWORD

from birlik.cases.models import CaseCommentRow
from birlik.nlp.embed import CharNgramEmbedder
from birlik.runtime import Runtime
from birlik.settings import Settings, WebSettings
from birlik.store.repository import Store
from birlik.web.app import create_app
from birlik.web.deps import Db
from birlik.web.routes import api_admin, api_documents, api_work, pages_admin, pages_main, pages_work
from birlik.web.unit_of_work import UnitOfWorkRoute, in_one_thread, takes_session, writers_turn

WRITERS = 6
REQUESTS_EACH = 3


@pytest.fixture
def served(store: Store, seeded: dict[str, int]) -> Iterator[str]:
    """The app on a real socket; two worker threads, so that six writers outnumber them."""
    web = WebSettings(secret_key="x" * 40, web_threads=2, cache_seconds=0)
    settings = Settings(database_url="sqlite://", environment="test", web=web)
    app = create_app(Runtime(settings, store=store, embedder=CharNgramEmbedder()))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


def logged_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert token is not None
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/registry").text)
    assert csrf is not None
    client.headers["X-CSRF-Token"] = csrf.group(1)
    return client


def test_concurrent_json_writers_all_succeed_quickly(
    served: str, store: Store, seeded: dict[str, int]
) -> None:
    first = logged_in(served, "coordinator")
    escalated = first.post(f"/api/v1/alerts/{seeded['alert_z']}/escalate", json={})
    assert escalated.status_code == 200, escalated.text
    case_id = escalated.json()["case"]["id"]
    cookies, headers = dict(first.cookies), dict(first.headers)
    first.close()

    def write(index: int) -> list[tuple[int, float]]:
        with httpx.Client(base_url=served, cookies=cookies, headers=headers, timeout=30) as client:
            out = []
            for n in range(REQUESTS_EACH):
                began = time.monotonic()
                response = client.post(f"/api/v1/cases/{case_id}/comments", json={"body": f"w{index} #{n}"})
                out.append((response.status_code, time.monotonic() - began))
            return out

    with ThreadPoolExecutor(WRITERS) as pool:
        results = [r for rs in pool.map(write, range(WRITERS)) for r in rs]
    assert [status for status, _ in results] == [201] * WRITERS * REQUESTS_EACH
    # the lock was never waited for until the busy timeout (10 s): every answer came quickly
    assert max(seconds for _, seconds in results) < 5
    with store.transaction() as session:
        stored = session.scalar(select(func.count()).where(CaseCommentRow.case_id == case_id))
    assert stored == WRITERS * REQUESTS_EACH


def test_every_route_ends_its_transaction_in_its_own_thread() -> None:
    routes = [
        route
        for module in (api_documents, api_work, api_admin, pages_main, pages_work, pages_admin)
        for route in module.router.routes
    ]
    assert len(routes) > 40
    for route in routes:
        assert isinstance(route, UnitOfWorkRoute), route
        assert getattr(route.endpoint, "in_one_thread", False) or not takes_session(route.endpoint), route


def test_an_async_route_that_takes_the_session_is_refused() -> None:
    async def handler(session: Db) -> None:
        return None

    with pytest.raises(TypeError, match="plain `def`"):
        in_one_thread(handler, write=True)


def test_writers_take_turns_across_connections(store: Store) -> None:
    """``writers_turn`` on a SQLite file: a second writer waits for the first to finish."""
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL needs no turn: it locks rows")
    order: list[str] = []
    first_in = threading.Event()

    def writer(name: str, hold: float) -> None:
        session = store.new_session()
        try:
            with writers_turn(session):
                order.append(f"{name} in")
                first_in.set()
                time.sleep(hold)
                order.append(f"{name} out")
        finally:
            session.close()

    first = threading.Thread(target=writer, args=("a", 0.3))
    first.start()
    first_in.wait(5)
    second = threading.Thread(target=writer, args=("b", 0))
    second.start()
    first.join()
    second.join()
    assert order == ["a in", "a out", "b in", "b out"]
