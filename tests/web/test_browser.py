"""In a real headless Chromium (Debian's, driven by Playwright): log in, filter stories, open a
story and a document, escalate an alert, move the case through the workflow, switch the language."""

from __future__ import annotations

from typing import Any

from web.browser import ARTIFACTS, CHROMIUM, FLAGS, NEEDS_CHROMIUM, refusals_of
from web.conftest import PASSWORD

pytestmark = NEEDS_CHROMIUM


def test_coordinator_journey(server: str, seeded: dict[str, int]) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-US")
        refused = refusals_of(page)
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
        assert page.locator("#story-columns mark.mk-place").count() >= 1
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
    assert refused == [], refused  # the Content-Security-Policy blocked nothing the pages need


def test_api_reference_works_offline(server: str) -> None:
    """/api/v1/docs draws every operation with nothing but the server's own files."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        refused = refusals_of(page)
        elsewhere: list[str] = []

        def local_only(route: Any) -> None:
            if route.request.url.startswith(server):
                route.continue_()
            else:
                elsewhere.append(route.request.url)
                route.abort()

        page.route("**/*", local_only)
        page.goto(f"{server}/api/v1/docs")
        page.wait_for_selector(".opblock", timeout=20000)
        assert page.locator(".opblock").count() > 20
        page.screenshot(path=str(ARTIFACTS / "6-api-docs.png"))
        browser.close()
    assert elsewhere == [] and refused == [], (elsewhere, refused)
