"""In a real headless Chromium: a coordinator searches in Kazakh and Russian — the count, the
marked terms, a sort order, the scope line, their regions only — and downloads the CSV export.
Screenshots: artifacts/web/search-*.png."""

from __future__ import annotations

from web.browser import ARTIFACTS, CHROMIUM, FLAGS, NEEDS_CHROMIUM, refusals_of
from web.conftest import PASSWORD, ZHAMBYL

pytestmark = NEEDS_CHROMIUM

TEXTS = {
    "kk": {"count": "Табылған құжаттар: 1", "scope": "Қамту: тек"},
    "ru": {"count": "Найдено документов: 1", "scope": "Охват: только"},
}


def test_a_coordinator_searches_and_exports(server: str, seeded: dict[str, int]) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()
        refused = refusals_of(page)
        page.goto(f"{server}/login")
        page.fill("input[name=username]", "coordinator")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}/")
        for lang, texts in TEXTS.items():
            page.goto(f"{server}/lang/{lang}")
            page.goto(f"{server}/stories")
            page.wait_for_selector(f"html[lang={lang}]")
            assert texts["scope"] in page.inner_text("#scope-line")
            options = page.locator("#region-filter option").evaluate_all("els => els.map(e => e.value)")
            assert options == ["", ZHAMBYL]  # their region only
            page.fill("input[name=q]", "мәдени")
            page.select_option("#sort", "tension")
            page.click("#apply")
            page.wait_for_function(
                "text => document.querySelector('#result-count').textContent.includes(text)",
                arg=texts["count"],
            )
            assert page.locator("a.doc-link").count() == 1
            assert page.locator("div.snippet mark.hit").first.inner_text().lower() == "мәдени"
            assert page.locator("a.story-link").count() == 1
            page.screenshot(path=str(ARTIFACTS / f"search-{lang}.png"), full_page=True)
        with page.expect_download() as download_info:
            page.click("#export-csv")
        download = download_info.value
        assert download.suggested_filename.endswith(".csv")
        body = download.path().read_text(encoding="utf-8-sig")
        assert "Тараз қаласында" not in body  # the export holds titles, not texts
        assert body.count("\n") == 2 and "doc_z" in body  # the header and Zhambyl's one document
        context.close()
        browser.close()
    assert refused == [], refused
