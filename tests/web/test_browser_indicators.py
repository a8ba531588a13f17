"""The indicators page in a real Chromium, in Kazakh, Russian and English: the analyst's country
and region charts, a coordinator's own region; screenshots in artifacts/web/indicators-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from birlik.store.repository import Store
from indicator_data import SURGE, ZHAMBYL, add_alert, store_indicators
from web.browser import ARTIFACTS, CHROMIUM, FLAGS, NEEDS_CHROMIUM, refusals_of
from web.conftest import PASSWORD

pytestmark = NEEDS_CHROMIUM
PERIOD = "since=2026-01-15&until=2026-02-28"
WORDS = {"kk": "Көрсеткіштер", "ru": "Показатели", "en": "Indicators"}


@pytest.fixture
def with_indicators(store: Store, seeded: dict[str, int]) -> int:
    with store.transaction() as session:
        store_indicators(session)
        return add_alert(session, ZHAMBYL, SURGE, "ethnic_docs", "browser-z")


def _login(page: Any, server: str, username: str) -> None:
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def test_indicators_in_three_languages(server: str, with_indicators: int) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        refused = refusals_of(page)
        _login(page, server, "analyst")
        page.click("a[href='/indicators']")
        page.wait_for_selector("#focus-chart")
        for lang in ("kk", "ru", "en"):
            page.goto(f"{server}/indicators?{PERIOD}&region={ZHAMBYL}")
            page.click(f"a[data-lang={lang}]")
            page.wait_for_selector(f"html[lang={lang}]")
            page.wait_for_selector("#focus-chart")
            assert WORDS[lang] in page.locator("nav").inner_text()
            chart = page.locator("#focus-chart")
            assert chart.locator("path.band").count() == 1 and chart.locator("path.threshold").count() == 1
            assert chart.locator(f"g.alert-mark[data-alert='{with_indicators}']").count() == 1
            assert chart.locator("text.ytick").count() >= 3
            assert page.locator(".multiples figure").count() == 20
            page.screenshot(path=str(ARTIFACTS / f"indicators-{lang}.png"), full_page=True)
        page.select_option("#f-metric", "docs")
        page.select_option("#f-region", "KZ")
        page.click("#apply")
        page.wait_for_url("**metric=docs**")
        assert page.locator("#not-watched").count() == 1  # no rule watches all documents
        page.screenshot(path=str(ARTIFACTS / "indicators-country-docs-en.png"), full_page=True)
        page.goto(f"{server}/indicators?{PERIOD}&region={ZHAMBYL}&measure=share")
        page.wait_for_selector("#focus-chart")
        assert "%" in (page.locator("#focus-chart text.ytick").last.text_content() or "")
        page.screenshot(path=str(ARTIFACTS / "indicators-share-en.png"), full_page=True)
        page.goto(f"{server}/indicators?{PERIOD}&region={ZHAMBYL}&by=ethnic")
        page.wait_for_selector(".multiples figure")
        page.screenshot(path=str(ARTIFACTS / "indicators-ethnic-en.png"), full_page=True)
        page.goto(f"{server}/")
        page.wait_for_selector("#overview-chart")
        page.locator("#overview-series").screenshot(path=str(ARTIFACTS / "indicators-overview-chart-en.png"))
        with page.expect_download() as download:
            page.goto(f"{server}/indicators?{PERIOD}")
            page.click("#csv-link")
        assert download.value.suggested_filename.endswith(".csv")
        browser.close()
    assert refused == [], refused


def test_a_coordinator_sees_their_region_only(server: str, with_indicators: int) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        _login(page, server, "coordinator")
        page.goto(f"{server}/indicators?{PERIOD}")
        page.click("a[data-lang=ru]")
        page.wait_for_selector("html[lang=ru]")
        assert "Показаны только ваши регионы: Жамбыл" in page.locator("#indicators-scope").inner_text()
        assert page.locator(".multiples figure").count() == 1
        assert page.locator("#f-region option").count() == 1
        page.screenshot(path=str(ARTIFACTS / "indicators-coordinator-ru.png"), full_page=True)
        browser.close()
