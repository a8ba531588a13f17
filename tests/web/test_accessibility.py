"""axe-core (npm, tools/axe) in a real Chromium finds no serious or critical accessibility
violation on any page a role can reach by links, in Kazakh and in Russian.

The pages are found the way a user finds them: from the landing page, following the links of
every page (one page per route shape)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from web.browser import CHROMIUM, FLAGS, NEEDS_CHROMIUM
from web.conftest import PASSWORD

AXE = Path(__file__).resolve().parents[2] / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SKIP = re.compile(r"^/(logout|lang/|static/|api/)|\.(csv|xlsx|pdf|docx|png|svg)$|/download|/export")
pytestmark = [
    NEEDS_CHROMIUM,
    pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed: run `make test` (npm install)"),
]


def shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$|\?)", "/N", path)


def audit(page: Any, server: str, limit: int = 40) -> tuple[int, list[str]]:
    """Visit every page reachable from the landing page; the serious and critical violations."""
    source = AXE.read_text("utf-8")
    seen: set[str] = set()
    queue = ["/"]
    problems: list[str] = []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if shape(path) in seen:
            continue
        seen.add(shape(path))
        response = page.goto(server + path)
        html = response is not None and "text/html" in response.headers.get("content-type", "")
        if response is None or response.status != 200 or not html:
            continue
        page.add_script_tag(content=source)
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
        )
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"][0] for node in violation["nodes"][:3]]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
        links = page.eval_on_selector_all("a[href^='/']", "found => found.map(e => e.getAttribute('href'))")
        for href in links:
            target = href.split("#")[0]
            if not SKIP.search(target.split("?")[0]) and "page=" not in target and shape(target) not in seen:
                queue.append(target)
    return len(seen), problems


ROLES = [("administrator", "kk"), ("coordinator", "ru"), ("mediator", "kk")]


@pytest.mark.parametrize(("role", "lang"), ROLES)
def test_no_serious_accessibility_violation(server: str, role: str, lang: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        # axe is injected as a script of the test: the pages' own policy forbids inline script
        context = browser.new_context(bypass_csp=True, locale=lang, viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "birlik_lang", "value": lang, "url": server}])
        page = context.new_page()
        page.goto(f"{server}/login")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        pages, problems = audit(page, server)
        browser.close()
    assert pages >= 3, f"only {pages} pages reached"
    assert problems == [], "\n".join(problems)
