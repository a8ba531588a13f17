"""In a real headless Chromium (Debian's, driven by Playwright): log in, filter stories, open a
story and a document, escalate an alert, move the case through the workflow, switch the language."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from birlik.nlp.embed import CharNgramEmbedder
from birlik.settings import Settings
from birlik.store.repository import Store
from birlik.web.app import create_app
from birlik.web.config import WebSettings
from web.conftest import PASSWORD

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

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip(
        "Debian chromium is not installed (/usr/bin/chromium): run `make test` as root",
        allow_module_level=True,
    )


@pytest.fixture
def server(store: Store, web_settings: WebSettings, seeded: dict[str, int]) -> Iterator[str]:
    import uvicorn

    if store.dialect != "sqlite":
        pytest.skip("the browser runs once, on the embedded default")
    app = create_app(
        Settings(database_url="sqlite://"), web_settings, store=store, embedder_factory=CharNgramEmbedder
    )
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


def test_coordinator_journey(server: str, seeded: dict[str, int]) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "coordinator")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")
        page.screenshot(path=str(ARTIFACTS / "1-overview.png"), full_page=True)
        assert page.locator("svg.map path").count() == 20

        page.goto(f"{server}/stories")
        page.fill("input[name=q]", "ұйғыр")
        page.click("#apply")
        page.wait_for_selector("a.doc-link")
        assert page.locator("a.doc-link").count() == 1
        page.screenshot(path=str(ARTIFACTS / "2-stories.png"), full_page=True)
        assert page.locator("a.story-link").count() == 1
        page.click("a.story-link")
        page.wait_for_selector("#story-columns")
        assert page.locator("#story-columns .column").count() == 1  # Pavlodar's Russian twin is hidden
        assert page.locator("#story-columns mark.place").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "2-story.png"), full_page=True)
        page.go_back()
        page.wait_for_selector("a.doc-link")
        page.click("a.doc-link")
        page.wait_for_selector("div.doctext")
        page.screenshot(path=str(ARTIFACTS / "3-document.png"), full_page=True)

        page.goto(f"{server}/alerts")
        page.click(f"#alert-{seeded['alert_z']} button.escalate")
        page.wait_for_selector("#case-status")
        page.select_option("select[name=unit_id]", label="Council Z (Mediation council)")
        page.click("#assign")
        for status in ("triaged", "assigned", "in_progress", "resolved", "closed"):
            with page.expect_navigation():
                page.click(f"button.move[data-to={status}]")
            page.screenshot(path=str(ARTIFACTS / f"4-case-{status}.png"), full_page=True)
            page.wait_for_selector(f"#case-status[data-status={status}]", timeout=5000)
        page.screenshot(path=str(ARTIFACTS / "4-case.png"), full_page=True)

        page.click("a[data-lang=kk]")
        page.wait_for_selector("html[lang=kk]")
        assert "Істер" in page.content()
        page.click("a[data-lang=ru]")
        page.wait_for_selector("html[lang=ru]")
        assert "Дела" in page.content()
        page.screenshot(path=str(ARTIFACTS / "5-case-ru.png"), full_page=True)
        browser.close()
