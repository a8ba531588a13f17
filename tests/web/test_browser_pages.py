"""In a real headless Chromium: a Zhambyl coordinator downloads the quarterly report from the form,
reads the target indicators and the monitoring visits, in Kazakh and in Russian; a mediator sees
their region's visits. Screenshots: artifacts/web/pages-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from web.browser import ARTIFACTS, CHROMIUM, FLAGS, NEEDS_CHROMIUM, refusals_of
from web.conftest import PASSWORD
from web.seed_pages import QUARTER, surveyed

pytestmark = NEEDS_CHROMIUM
__all__ = ["surveyed"]  # the fixture, imported for pytest
AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def _login(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_coordinator_reports_targets_and_visits_in_kazakh_and_russian(
    server: str, surveyed: dict[str, int]
) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()
        refused = refusals_of(page)
        _login(page, server, "coordinator")
        for lang, words in (
            ("kk", ("Тоқсандық есеп", "Мерзімі өтті", "Мақсаттар")),
            ("ru", ("Квартальный отчёт", "Просрочено", "Целевые индикаторы")),
        ):
            page.goto(f"{server}/lang/{lang}")
            page.goto(f"{server}/reports")
            page.wait_for_selector(f"html[lang={lang}]")
            assert words[0] in page.inner_text("h1")
            assert page.locator("#report-scope").is_visible()  # says the report is limited to Zhambyl
            page.screenshot(path=str(ARTIFACTS / f"pages-reports-{lang}.png"), full_page=True)
            page.select_option("#report-lang", lang)
            page.select_option("#report-format", "pdf")
            with page.expect_download() as caught:
                page.click("#report-download")
            download = caught.value
            assert download.suggested_filename == f"birlik-{QUARTER.year}-Q{QUARTER.number}-{lang}.pdf"
            path = download.path()
            assert path is not None and path.read_bytes().startswith(b"%PDF")

            page.click("nav a[href='/targets']")
            page.wait_for_selector("#targets")
            assert words[2] in page.inner_text("nav")
            assert page.locator("svg.trend[role=img]").count() == 2
            page.screenshot(path=str(ARTIFACTS / f"pages-targets-{lang}.png"), full_page=True)

            page.click("nav a[href='/visits']")
            page.wait_for_selector("section.visit")
            assert page.locator("section.visit").count() == 1  # Zhambyl's, not Pavlodar's
            overdue = page.locator("tr.overdue")
            assert overdue.count() == 1 and words[1] in overdue.inner_text()
            page.screenshot(path=str(ARTIFACTS / f"pages-visits-{lang}.png"), full_page=True)
        context.close()

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        _login(page, server, "mediator")
        page.goto(f"{server}/visits")
        page.wait_for_selector("section.visit")
        assert page.locator("section.visit").count() == 1
        assert page.locator("nav a[href='/reports']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "pages-visits-mediator.png"), full_page=True)
        browser.close()
    assert refused == [], refused  # the Content-Security-Policy blocked nothing the pages need


def test_the_pages_have_no_serious_accessibility_violation(server: str, surveyed: dict[str, int]) -> None:
    """axe-core (npm, tools/axe) on each page in Kazakh and Russian: no serious or critical rule broken."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: npm ci --prefix tools/axe (scripts/test.sh does it)")
    from playwright.sync_api import sync_playwright

    found: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_context(bypass_csp=True).new_page()  # axe is injected as a script
        _login(page, server, "analyst")
        for lang in ("kk", "ru"):
            page.goto(f"{server}/lang/{lang}")
            for path in ("/reports", "/targets", "/surveys", "/visits"):
                page.goto(f"{server}{path}")
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("async () => await axe.run(document)")
                assert len(result["passes"]) > 10  # axe ran its rules on the page
                found += [
                    f"{lang} {path}: {v['id']} ({v['impact']}) {v['nodes'][0]['target']}"
                    for v in result["violations"]
                    if v["impact"] in ("serious", "critical")
                ]
        browser.close()
    assert found == [], found
