"""Shared fixtures: settings, the fixture folder, and a real HTTP server on loopback."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from birlik.settings import Settings

DATA = Path(__file__).parent / "data"
FEED_ETAG = '"feed-v1"'
FEED_LAST_MODIFIED = formatdate(1705312800, usegmt=True)
FULL_FEED_HOST = "http://news.example.kz"


def _settings(**overrides: Any) -> Settings:
    # No .env file: the tests must not depend on the machine they run on.
    return Settings(**{"_env_file": None, "environment": "test", "http_timeout": 1.0, **overrides})


@pytest.fixture
def settings() -> Settings:
    return _settings()


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """Settings with some fields changed: ``make_settings(max_file_bytes=1024)``."""
    return _settings


@pytest.fixture
def data_dir() -> Path:
    return DATA


@dataclass
class LocalServer:
    base: str
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    etag: str = FEED_ETAG
    last_modified: str = FEED_LAST_MODIFIED

    def url(self, path: str) -> str:
        return self.base + path


_STATIC = {
    "/feed.xml": ("feed_rss.xml", "application/rss+xml; charset=utf-8"),
    "/atom.xml": ("feed_atom.xml", "application/atom+xml"),
    "/truncated.xml": ("feed_truncated.xml", "application/rss+xml"),
    "/page.html": ("page_with_scripts.html", "text/html; charset=utf-8"),
    "/empty.html": ("page_empty.html", "text/html"),
    "/article/1": ("article_1.html", "text/html; charset=utf-8"),
    "/report.pdf": ("garbage.txt", "application/pdf"),
}


def _make_handler(server_state: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            server_state.requests.append((self.path, dict(self.headers.items())))
            if self.path == "/error500":
                self._send(500, b"internal error", "text/plain")
            elif self.path == "/gone":
                self._send(404, b"not found", "text/plain")
            elif self.path == "/slow":
                time.sleep(3)
                self._send(200, b"too late", "text/plain")
            elif self.path == "/full/feed.xml":
                body = (DATA / "feed_rss.xml").read_bytes()
                self._send(
                    200,
                    body.replace(FULL_FEED_HOST.encode(), server_state.base.encode()),
                    "application/rss+xml",
                )
            elif self.path in ("/feed.xml", "/page.html") and self._not_modified():
                self._send(304, b"", None)
            elif self.path in _STATIC:
                name, content_type = _STATIC[self.path]
                self._send(200, (DATA / name).read_bytes(), content_type)
            else:
                self._send(404, b"no such fixture", "text/plain")

        def _not_modified(self) -> bool:
            return (
                self.headers.get("If-None-Match") == FEED_ETAG
                or self.headers.get("If-Modified-Since") == FEED_LAST_MODIFIED
            )

        def _send(self, status: int, body: bytes, content_type: str | None) -> None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._write(status, body, content_type)  # the client may have given up

        def _write(self, status: int, body: bytes, content_type: str | None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            self.send_header("ETag", FEED_ETAG)
            self.send_header("Last-Modified", FEED_LAST_MODIFIED)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    return Handler


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 serving the fixture files (no mocks of the network)."""
    state = LocalServer(base="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    server.daemon_threads = True
    server.block_on_close = False
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """An address where nothing listens: connection refused, like a server that is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"
