from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from birlik.connectors.base import Rejected, SourceConfig, get_connector
from birlik.connectors.web import WebConnector, extract_html, html_to_text
from birlik.domain.errors import BadInput, SourceUnavailable
from birlik.domain.records import RawItem
from birlik.settings import Settings

HIDDEN_MARKERS = (
    "SCRIPT_SHOULD_NOT_APPEAR",
    "STYLE_SHOULD_NOT_APPEAR",
    "dataLayer",
    "NOSCRIPT_SHOULD_NOT_APPEAR",
    "font-family",
    "display: none",
)


def _fetch(settings: Settings, source: SourceConfig) -> list[RawItem | Rejected]:
    return list(WebConnector(settings).fetch(source, None))


def _source(url: str) -> SourceConfig:
    return SourceConfig(name="page", kind="web", location=url)


def test_registered(settings: Settings) -> None:
    assert isinstance(get_connector("web", settings), WebConnector)


def test_extract_html_keeps_the_article_and_drops_scripts(data_dir: Path) -> None:
    page = extract_html(
        (data_dir / "page_with_scripts.html").read_text(encoding="utf-8"), "http://example.kz/forum"
    )
    assert "областной форум этнокультурных объединений" in page.text
    assert "межэтнического диалога" in page.text
    for marker in HIDDEN_MARKERS:
        assert marker not in page.text
    assert page.title == "Форум этнокультурных объединений прошёл в Павлодаре"
    assert page.published_at == datetime(2024, 3, 5, tzinfo=UTC)


def test_extract_html_falls_back_on_tiny_pages() -> None:
    html = (
        "<html><head><title>Қысқа</title><style>p{x:1}</style></head>"
        "<body><p>Бір сөйлем.</p><script>evil()</script></body></html>"
    )
    page = extract_html(html, None)
    assert page.text == "Бір сөйлем."
    assert page.title == "Қысқа"


def test_page_without_text_is_bad_input(data_dir: Path) -> None:
    with pytest.raises(BadInput) as caught:
        extract_html((data_dir / "page_empty.html").read_text(encoding="utf-8"), "http://x.kz/")
    assert caught.value.code == "I023"
    assert "ONLY_SCRIPT" not in str(caught.value)


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>One</p><p>Two &amp; three</p>", "One\nTwo & three"),
        ("Plain text", "Plain text"),
        ("<div>A<script>alert(1)</script><style>.x{}</style> B</div>", "A B"),
        ("", ""),
    ],
)
def test_html_to_text(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


@pytest.mark.network
def test_fetch_page(settings: Settings, http_server: Any) -> None:
    source = _source(http_server.url("/page.html"))
    (item,) = _fetch(settings, source)
    assert isinstance(item, RawItem)
    assert item.key == source.location and item.url == source.location
    assert "Павлодаре" in item.text
    for marker in HIDDEN_MARKERS:
        assert marker not in item.text
    assert item.lang_hint == "ru"
    assert source.state["etag"] == http_server.etag
    assert _fetch(settings, source) == []  # 304 the second time


@pytest.mark.network
def test_page_without_text_over_http(settings: Settings, http_server: Any) -> None:
    with pytest.raises(BadInput) as caught:
        _fetch(settings, _source(http_server.url("/empty.html")))
    assert caught.value.code == "I023"


@pytest.mark.network
def test_not_html(settings: Settings, http_server: Any) -> None:
    with pytest.raises(BadInput) as caught:
        _fetch(settings, _source(http_server.url("/report.pdf")))
    assert caught.value.code == "C015"


@pytest.mark.network
def test_server_error_and_down(settings: Settings, http_server: Any, closed_port_url: str) -> None:
    with pytest.raises(SourceUnavailable) as failing:
        _fetch(settings, _source(http_server.url("/error500")))
    assert failing.value.code == "S011"
    with pytest.raises(SourceUnavailable) as down:
        _fetch(settings, _source(closed_port_url))
    assert down.value.code == "S010"


@pytest.mark.network
def test_response_larger_than_the_limit(
    http_server: Any, make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(max_file_bytes=1024)
    with pytest.raises(BadInput) as caught:
        _fetch(settings, _source(http_server.url("/page.html")))
    assert caught.value.code == "C017"


def test_bad_url(settings: Settings) -> None:
    with pytest.raises(BadInput) as caught:
        _fetch(settings, _source("ftp://example.kz/page"))
    assert caught.value.code == "C010"


def test_a_page_whose_body_lxml_cannot_place_is_still_read() -> None:
    """Found by fuzzing (issue 18): an unclosed ``<title/title>`` made lxml raise
    ``AssertionError: too many bodies`` out of the connector."""
    from birlik.connectors.web import extract_html, html_to_text

    page = b'<html><head><title/title><script>x()</script></head><body><div>Text</div></body></html>'
    extract_html(page.decode(), None)  # a coded BadInput or a page, never AssertionError
    assert html_to_text("<html><body><p>a</p></body></html><body>b</body>") is not None


def test_control_characters_in_html_are_not_a_crash() -> None:
    """Found by ``make fuzz`` (issue 18): lxml parses a vertical tab or form feed but refuses it
    when ``drop_tree`` moves text ("All strings must be XML compatible"), out of the connector."""
    from birlik.connectors.web import html_to_text

    assert html_to_text("<p>a\x0bb</p><script>x()</script>\x0c tail") == "ab\ntail"
