"""What every browser test shares: Debian's Chromium, its flags, a live server on the seeded store
(the `server` fixture of conftest), and the Content-Security-Policy watcher.
Screenshots go to artifacts/web/."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from birlik.nlp.embed import CharNgramEmbedder
from birlik.runtime import Runtime
from birlik.settings import Settings, WebSettings
from birlik.store.repository import Store
from birlik.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "web"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

NEEDS_CHROMIUM = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian chromium is not installed (/usr/bin/chromium): run `make test` as root",
)


def live_server(store: Store, web_settings: WebSettings) -> Iterator[str]:
    """The app on the seeded store, served by uvicorn on a free loopback port (the `server` fixture)."""
    import uvicorn

    if store.dialect != "sqlite":
        pytest.skip("the browser runs once, on the embedded default")
    settings = Settings(database_url="sqlite://", environment="test", web=web_settings)
    app = create_app(Runtime(settings, store=store, embedder=CharNgramEmbedder()))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def refusals_of(page: Any) -> list[str]:
    """Console errors of the Content-Security-Policy, collected as the page goes."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return refused
