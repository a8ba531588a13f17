"""Stored URLs become links only when they are http(s) (no stored XSS through a document's URL),
every page carries a Content-Security-Policy without inline script, and no template holds an
inline script or event handler; the API reference is served from local files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from birlik.store.models import DocumentRow
from birlik.store.repository import Store
from birlik.web.app import PACKAGE_DIR
from birlik.web.links import safe_url

Client = Callable[[str], tuple[TestClient, str]]

HOSTILE = [
    "javascript:alert(document.cookie)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01\x02javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "javascript\x00:alert(1)",
    "\u00a0javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "/documents/1",
    "https:javascript:alert(1)",
    "http://",
    "http://exa\x07mple.kz/",
    "",
]
FINE = [
    ("https://kaztag.kz/ru/news/1", "https://kaztag.kz/ru/news/1"),
    ("HTTP://Example.KZ/path?q=1#x", "HTTP://Example.KZ/path?q=1#x"),
    ("  https://inform.kz/kz/жаңалық \n", "https://inform.kz/kz/жаңалық"),
    ("https://tengrinews.kz/news/\"onmouseover=x", 'https://tengrinews.kz/news/"onmouseover=x'),
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_not_links(url: str) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize(("url", "href"), FINE)
def test_http_urls_are_links(url: str, href: str) -> None:
    assert safe_url(url) == href


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


def test_a_document_with_a_hostile_url_shows_it_as_text(
    as_user: Client, store: Store, seeded: dict[str, int]
) -> None:
    client, _ = as_user("coordinator")
    for url in [*HOSTILE[:4], *HOSTILE[9:11], "https://kaztag.kz/kz/news/1"]:
        with store.transaction() as session:
            row = session.get(DocumentRow, seeded["doc_z"])
            assert row is not None
            row.url = url
        page = client.get(f"/documents/{seeded['doc_z']}")
        assert page.status_code == 200
        hrefs = re.findall(r'href="([^"]*)"', page.text)
        if url.startswith("https:"):
            assert url in hrefs
        else:
            assert all(h.startswith("/") for h in hrefs), (url, hrefs)
            assert "alert(" in page.text or "text/html" in page.text  # still shown, as text


def test_pages_and_the_api_carry_a_policy_without_inline_script(
    as_user: Client, seeded: dict[str, int]
) -> None:
    client, _ = as_user("administrator")
    for path in ("/", "/stories", f"/documents/{seeded['doc_z']}", "/alerts", "/login", "/api/v1/me", "/x"):
        policy = client.get(path).headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in policy
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


TEMPLATES = sorted((PACKAGE_DIR / "templates").glob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_no_template_holds_inline_script(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
        assert "src=" in tag, f"{template.name}: inline script {tag}"
    assert not re.findall(r"<script\b[^>]*>\s*[^<\s]", text, flags=re.IGNORECASE), template.name
    assert not re.search(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE), f"{template.name}: event handler"
    assert "javascript:" not in text.lower() and "hx-on" not in text
    # a stored URL (anything ending in url) only becomes an href through the safe_url filter
    for href in re.findall(r'href="\{\{\s*([^}]*)\}\}', text):
        assert "url" not in href or "safe_url" in href, f"{template.name}: {href}"


def test_the_api_reference_is_served_from_local_files(as_user: Client) -> None:
    client, _ = as_user("analyst")
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources), sources  # nothing from another host
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200 and len(asset.content) > 300, source
    assert "<script>" not in page.text
    assert client.get("/api/v1/openapi.json").json()["paths"]
