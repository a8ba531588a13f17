"""In a real Chromium: a coordinator (Russian) reads a document's evidence — colours per signal,
the slur marked inside the hate sentence, the side panel — opens an alert to see why it fired,
escalates it and assigns the case to the region's mediator from the list of users; the mediator
(Kazakh) logs in, lands on their cases and works the case. Screenshots:
artifacts/web/evidence-*.png and artifacts/web/case-*.png."""

from __future__ import annotations

from typing import Any

from birlik.store.repository import Store
from web.browser import ARTIFACTS, CHROMIUM, FLAGS, NEEDS_CHROMIUM, refusals_of
from web.conftest import PASSWORD
from web.test_alert_case_flow import _surge
from web.test_evidence import _add

pytestmark = NEEDS_CHROMIUM


def _login(page: Any, server: str, username: str, lang: str) -> None:
    page.goto(f"{server}/login")
    page.click(f"a[data-lang={lang}]")
    page.wait_for_selector(f"html[lang={lang}]")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def test_evidence_alert_and_case_in_two_roles(server: str, store: Store) -> None:
    from playwright.sync_api import sync_playwright

    doc_id = _add(store)
    ids = _surge(store)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        refused = refusals_of(page)
        _login(page, server, "coordinator", "ru")
        page.wait_for_url(f"{server}/")

        page.goto(f"{server}/documents/{doc_id}")
        slur = page.locator("#doctext mark.ev-hate mark.mk-slur")
        assert slur.count() == 1 and slur.inner_text() == "шүршіттер"  # nested, not dropped
        hate = page.locator("#doctext mark.ev-hate").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        tension = page.locator("#doctext mark.ev-tension").first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        assert hate != tension
        assert slur.get_attribute("title") == "оскорбительное название"
        assert page.locator('#signals section[data-signal="tension"] tr.component.moved').count() == 1
        assert "21.03.2026 19:05 (время Алматы, UTC+5)" in page.locator("#published").inner_text()
        page.screenshot(path=str(ARTIFACTS / "evidence-document-ru.png"), full_page=True)

        page.goto(f"{server}/alerts")
        page.click(f"#alert-{ids['alert']} a.alert-link")
        page.wait_for_selector("#why")
        assert "наблюдалось 12 при ожидаемых 2" in page.locator("#why").inner_text()
        assert page.locator("#documents a.doc-link").count() == 1
        page.screenshot(path=str(ARTIFACTS / "evidence-alert-ru.png"), full_page=True)

        page.click("button.escalate")
        page.wait_for_selector("#case-status[data-status=new]")
        labels = page.locator("select#person option").all_inner_texts()
        assert labels[1:] == ["mediator (медиатор)", "coordinator (координатор)"], labels
        page.select_option("select#person", label="mediator (медиатор)")
        with page.expect_navigation():
            page.click("#assign")
        page.wait_for_selector("#case-status[data-status=assigned]")
        assert page.locator("#case-links a.alert-link").count() == 1
        assert page.locator("#documents a.doc-link").count() == 1
        page.screenshot(path=str(ARTIFACTS / "case-coordinator-ru.png"), full_page=True)
        page.context.clear_cookies()

        _login(page, server, "mediator", "kk")
        page.wait_for_url(f"{server}/cases")  # their cases, not a 403
        page.screenshot(path=str(ARTIFACTS / "case-mediator-kk-list.png"), full_page=True)
        page.click("div.board a")
        page.wait_for_selector("#case-status[data-status=assigned]")
        assert (
            page.locator("#assign").count() == 0 and page.locator("button.move[data-to=triaged]").count() == 0
        )
        with page.expect_navigation():
            page.click("button.move[data-to=in_progress]")
        page.wait_for_selector("#case-status[data-status=in_progress]")
        history = page.locator("#history").inner_text()
        assert "Іс ашылды" in history and "Мәртебе: жұмыста" in history and "Жауапты: mediator" in history
        assert "opened" not in history and "assign" not in history
        page.screenshot(path=str(ARTIFACTS / "case-mediator-kk.png"), full_page=True)
        browser.close()
    assert refused == [], refused
