"""The overview map in a real Chromium: the administrator's national map and a coordinator's map
limited to their region, in Kazakh and Russian; regions are links reachable by keyboard.
Screenshots: artifacts/web/map-*.png."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from birlik.settings import WebSettings
from birlik.store.repository import Store
from web.browser import ARTIFACTS, CHROMIUM, FLAGS, NEEDS_CHROMIUM, live_server, refusals_of
from web.conftest import PASSWORD, ZHAMBYL

pytestmark = NEEDS_CHROMIUM
AXE = Path(
    os.environ.get("BIRLIK_AXE_JS")
    or Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
)
"""axe-core (npm), when installed: the map's serious and critical accessibility violations fail."""


def axe_violations(page: Any) -> list[str]:
    """axe-core run on the map card (evaluated through the driver: the page's CSP allows no inline script)."""
    if not AXE.exists():
        return []
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document.getElementById('map'))).violations")
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])})"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def log_in(page: Any, server: str, username: str, lang: str) -> None:
    page.context.add_cookies([{"name": "birlik_lang", "value": lang, "url": server}])
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_map_for_an_administrator_and_a_coordinator(server: str, lang: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for username in ("administrator", "coordinator"):
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            refused = refusals_of(page)
            log_in(page, server, username, lang)
            for indicator in ("documents", "tension"):
                page.goto(f"{server}/?indicator={indicator}&days=30")
                page.wait_for_selector("svg.map")
                page.locator("#map").screenshot(
                    path=str(ARTIFACTS / f"map-{username}-{indicator}-{lang}.png")
                )
            assert page.locator("svg.map path").count() == 20
            assert axe_violations(page) == []
            labels = page.locator("svg.map text.map-label")
            assert labels.count() == 20 if username == "administrator" else 1 <= labels.count() <= 20
            boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
            shown = [b for b in boxes if b is not None and b["width"] > 0]
            for i, a in enumerate(shown):  # labels that are on screen never overlap there
                for b in shown[i + 1 :]:
                    assert not (
                        a["x"] < b["x"] + b["width"] - 1
                        and b["x"] < a["x"] + a["width"] - 1
                        and a["y"] < b["y"] + b["height"] - 1
                        and b["y"] < a["y"] + a["height"] - 1
                    ), (a, b)
            if username == "coordinator":
                assert page.locator("#map-scope").is_visible()
                assert page.locator("svg.map a.map-region").count() == 1
            else:
                assert page.locator("#map-scope").count() == 0
                assert page.locator("svg.map a.map-region").count() == 20
            # a click opens the region's panel: its stories and its indicators
            page.locator(f'svg.map a.map-region[data-kato="{ZHAMBYL}"] path').click()
            assert page.locator("#map-panel").is_visible()
            assert page.locator("#map-panel a.map-panel-indicators").get_attribute("href") == (
                f"/indicators?region={ZHAMBYL}"
            )
            page.screenshot(path=str(ARTIFACTS / f"map-{username}-panel-{lang}.png"))
            page.keyboard.press("Escape")
            assert page.locator("#map-panel").is_hidden()
            # keyboard: the region is a focusable link; Enter opens the panel, Enter again the stories
            region = page.locator(f'svg.map a.map-region[data-kato="{ZHAMBYL}"]')
            region.focus()
            assert page.evaluate("document.activeElement.getAttribute('data-kato')") == ZHAMBYL
            page.keyboard.press("Enter")
            assert page.evaluate("document.activeElement.className") == "map-panel-stories"
            with page.expect_navigation():
                page.keyboard.press("Enter")
            assert page.url.endswith(f"/stories?region={ZHAMBYL}")
            assert refused == []
            context.close()
        browser.close()


DISTRICTS = (
    Path(os.environ.get("BIRLIK_DATASETS_DIR", Path(__file__).resolve().parents[3] / "shared" / "datasets"))
    / "kz_admin_geokz"
    / "geojson_converted"
    / "kaz_admbnda_adm2_2024.geojson"
)


@pytest.mark.skipif(not DISTRICTS.exists(), reason="geokz district shapes not found (BIRLIK_DATASETS_DIR)")
def test_a_coordinator_with_district_shapes(store: Store, seeded: dict[str, int]) -> None:
    from playwright.sync_api import sync_playwright

    web = WebSettings(
        secret_key="x" * 40,
        cache_seconds=0,
        map_districts_geojson=DISTRICTS,
        map_districts_attribution="geokz (A. Rodionov), CC BY 4.0",
    )
    running = live_server(store, web)
    server = next(running)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            refused = refusals_of(page)
            log_in(page, server, "coordinator", "ru")
            assert page.locator("svg.district-map path").count() == 11  # Zhambyl's 11 units
            assert page.locator("svg.map path").count() == 20
            page.locator("#map").screenshot(path=str(ARTIFACTS / "map-coordinator-districts-ru.png"))
            assert axe_violations(page) == []
            assert refused == []
            browser.close()
    finally:
        next(running, None)
