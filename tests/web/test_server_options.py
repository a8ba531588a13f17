"""The server's own limits, on a real socket with uvicorn as ``birlik serve`` configures it:
a connection that never completes its headers is closed (slowloris), an idle keep-alive one too,
a slow body is not cut short; forwarded headers are believed only from configured proxies."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from birlik.nlp.embed import CharNgramEmbedder
from birlik.runtime import Runtime
from birlik.settings import Settings, WebSettings
from birlik.store.repository import Store
from birlik.web.app import create_app
from birlik.web.serve import server_options


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


Serve = Callable[..., Iterator[tuple[str, int]]]


@pytest.fixture
def serve(store: Store) -> Callable[..., object]:
    @contextmanager
    def run(**settings: object) -> Iterator[tuple[str, int]]:
        web = WebSettings(secret_key="x" * 40, **settings)  # type: ignore[arg-type]
        everything = Settings(database_url="sqlite://", environment="test", web=web)
        app = create_app(Runtime(everything, store=store, embedder=CharNgramEmbedder()))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, **server_options(web)))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
            time.sleep(0.02)
        try:
            yield "127.0.0.1", sock.getsockname()[1]
        finally:
            server.should_exit = True
            thread.join(timeout=10)

    return run


def closed_within(connection: socket.socket, seconds: float, trickle: bytes = b"") -> float | None:
    """Seconds until the server closed ``connection`` (sending ``trickle`` a byte at a time
    meanwhile), or ``None`` if it was still open after ``seconds``."""
    began = time.monotonic()
    connection.settimeout(0.1)
    sent = 0
    while time.monotonic() - began < seconds:
        try:
            if connection.recv(4096) == b"":
                return time.monotonic() - began
        except TimeoutError:
            pass
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - began
        if sent < len(trickle):
            try:
                connection.send(trickle[sent : sent + 1])
            except (ConnectionResetError, BrokenPipeError):
                return time.monotonic() - began
            sent += 1
    return None


def test_silent_and_slow_header_connections_are_closed(serve: Callable[..., object]) -> None:
    with serve(header_timeout_seconds=0.5, keep_alive_seconds=30) as address:  # type: ignore[attr-defined]
        silent = socket.create_connection(address)
        slow = socket.create_connection(address)
        headers = b"GET /login HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 200 + b"\r\n"
        assert closed_within(silent, 5) is not None
        took = closed_within(slow, 5, trickle=headers)  # sends a byte every 0.1 s: never idle
        assert took is not None and took < 3
        silent.close()
        slow.close()


def test_a_slow_body_after_complete_headers_is_answered(serve: Callable[..., object]) -> None:
    with serve(header_timeout_seconds=0.3) as address:  # type: ignore[attr-defined]
        body = b"username=a&password=b&csrf_token=c"
        connection = socket.create_connection(address)
        connection.sendall(
            b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        for i in range(0, len(body), 4):  # ~0.9 s, three times the header timeout
            time.sleep(0.1)
            connection.sendall(body[i : i + 4])
        connection.settimeout(10)
        answer = connection.recv(4096)
        assert answer.startswith(b"HTTP/1.1 403"), answer[:80]  # no CSRF cookie: refused, but answered
        connection.close()


def test_an_idle_keep_alive_connection_is_closed(serve: Callable[..., object]) -> None:
    with serve(header_timeout_seconds=30, keep_alive_seconds=1) as address:  # type: ignore[attr-defined]
        connection = socket.create_connection(address)
        connection.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.settimeout(10)
        assert connection.recv(65536).startswith(b"HTTP/1.1 200")
        took = closed_within(connection, 5)
        assert took is not None and took < 3
        connection.close()


@pytest.mark.parametrize(("trusted", "secure"), [("", False), ("127.0.0.1", True)])
def test_forwarded_headers_count_only_from_trusted_proxies(
    serve: Callable[..., object], trusted: str, secure: bool
) -> None:
    with serve(forwarded_allow_ips=trusted) as (host, port):  # type: ignore[attr-defined]
        page = httpx.get(
            f"http://{host}:{port}/login",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"},
        )
    assert page.status_code == 200
    assert ("; secure" in page.headers["set-cookie"].lower()) is secure
