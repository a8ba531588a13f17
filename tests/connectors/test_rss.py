from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from birlik.connectors.base import Rejected, SourceConfig, get_connector
from birlik.connectors.rss import RssConnector, is_due
from birlik.domain.errors import BadInput, SourceUnavailable
from birlik.domain.records import RawItem
from birlik.settings import Settings


def _source(location: str | Path, **options: Any) -> SourceConfig:
    return SourceConfig(name="feed", kind="rss", location=str(location), options=options)


def _fetch(
    settings: Settings, source: SourceConfig, since: datetime | None = None
) -> list[RawItem | Rejected]:
    return list(RssConnector(settings).fetch(source, since))


def _items(results: list[RawItem | Rejected]) -> list[RawItem]:
    assert all(isinstance(result, RawItem) for result in results), results
    return [result for result in results if isinstance(result, RawItem)]


def test_registered(settings: Settings) -> None:
    assert isinstance(get_connector("rss", settings), RssConnector)


def test_local_rss_file(settings: Settings, data_dir: Path) -> None:
    items = _items(_fetch(settings, _source(data_dir / "feed_rss.xml")))
    assert [item.key for item in items] == [
        "news-1",
        "http://news.example.kz/article/2",
        "http://news.example.kz/article/3",
    ]
    first = items[0]
    assert first.title == "В Алматы прошёл фестиваль дружбы народов"
    assert first.url == "http://news.example.kz/article/1"
    assert first.published_at == datetime(2024, 1, 15, 4, 30, tzinfo=UTC)
    assert first.text == "На площади собрались представители этнокультурных объединений."
    assert "secret-tracker" not in first.text and "color:red" not in first.text
    assert first.lang_hint == "ru"
    assert first.extra["categories"] == ["Общество"]
    assert "талқыланды" in items[1].text  # full content:encoded preferred to the summary


def test_atom_feed(settings: Settings, data_dir: Path) -> None:
    first, second = _items(_fetch(settings, _source(data_dir / "feed_atom.xml")))
    assert first.title == "Шымкентте мәдениет күндері"
    assert first.url == "http://atom.example.kz/2024/02/01/madeniet"
    assert first.published_at == datetime(2024, 2, 1, 4, 15, tzinfo=UTC)
    assert first.text == "Шымкентте этномәдени орталықтардың күндері басталды."
    assert first.lang_hint == "kk"
    assert second.text == "Second entry without summary"  # the title stands in for a missing text
    assert second.published_at == datetime(2024, 2, 2, 8, 0, tzinfo=UTC)


def test_truncated_feed_yields_the_whole_entries_only(settings: Settings, data_dir: Path) -> None:
    items = _items(_fetch(settings, _source(data_dir / "feed_truncated.xml")))
    assert [item.key for item in items] == ["cut-1", "cut-2"]
    assert all("feed_error" in item.extra for item in items)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.xml", None),
        ("plain.xml", b"just some words, no XML at all"),
        ("broken.xml", b"<?xml version='1.0'?><rss><channel><item><title>x"),
    ],
)
def test_not_a_feed_is_bad_input(
    settings: Settings, tmp_path: Path, data_dir: Path, name: str, content: bytes | None
) -> None:
    path = tmp_path / name
    path.write_bytes(
        content if content is not None else (data_dir / "page_with_scripts.html").read_bytes()
    )
    with pytest.raises(BadInput) as caught:
        _fetch(settings, _source(path))
    assert caught.value.code == "C012"
    assert "is not RSS/Atom" in str(caught.value) and "check the URL" in str(caught.value)


def test_since_skips_older_entries(settings: Settings, data_dir: Path) -> None:
    items = _items(
        _fetch(settings, _source(data_dir / "feed_rss.xml"), since=datetime(2024, 1, 1, tzinfo=UTC))
    )
    assert "http://news.example.kz/article/3" not in [item.key for item in items]


@pytest.mark.network
def test_conditional_get_saves_validators_and_304_yields_nothing(
    settings: Settings, http_server: Any
) -> None:
    source = _source(http_server.url("/feed.xml"))
    assert len(_fetch(settings, source)) == 3
    assert source.state["etag"] == http_server.etag
    assert source.state["last_modified"] == http_server.last_modified
    assert "last_polled_at" in source.state
    assert _fetch(settings, source) == []
    _, headers = http_server.requests[-1]
    assert headers["If-None-Match"] == http_server.etag
    assert headers["If-Modified-Since"] == http_server.last_modified
    assert headers["User-Agent"] == settings.user_agent


@pytest.mark.network
def test_truncated_feed_over_http_does_not_save_validators(
    settings: Settings, http_server: Any
) -> None:
    source = _source(http_server.url("/truncated.xml"))
    assert len(_fetch(settings, source)) == 2
    assert "etag" not in source.state and "last_modified" not in source.state


@pytest.mark.network
def test_server_error_is_retry_later(settings: Settings, http_server: Any) -> None:
    source = _source(http_server.url("/error500"))
    with pytest.raises(SourceUnavailable) as caught:
        _fetch(settings, source)
    assert caught.value.code == "S011" and "500" in str(caught.value)
    assert "last_polled_at" not in source.state


@pytest.mark.network
def test_server_down_is_retry_later_not_quarantine(
    settings: Settings, closed_port_url: str
) -> None:
    with pytest.raises(SourceUnavailable) as caught:
        _fetch(settings, _source(closed_port_url))
    assert caught.value.code == "S010"
    assert not isinstance(caught.value, BadInput)


@pytest.mark.network
def test_timeout_is_retry_later(http_server: Any, make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(http_timeout=0.3)
    with pytest.raises(SourceUnavailable) as caught:
        _fetch(settings, _source(http_server.url("/slow")))
    assert caught.value.code == "S010"


@pytest.mark.network
def test_missing_feed_is_bad_input(settings: Settings, http_server: Any) -> None:
    with pytest.raises(BadInput) as caught:
        _fetch(settings, _source(http_server.url("/gone")))
    assert caught.value.code == "C011" and "404" in str(caught.value)


@pytest.mark.network
def test_html_page_instead_of_feed(settings: Settings, http_server: Any) -> None:
    with pytest.raises(BadInput) as caught:
        _fetch(settings, _source(http_server.url("/page.html")))
    assert caught.value.code == "C012"


@pytest.mark.network
def test_fetch_full_uses_the_article_page(settings: Settings, http_server: Any) -> None:
    source = _source(http_server.url("/full/feed.xml"), fetch_full=True)
    first, second, _third = _items(_fetch(settings, source))
    assert "Полный текст статьи" in first.text
    assert "FULL_PAGE_SCRIPT" not in first.text
    assert first.extra["summary"].startswith("На площади")
    # article/2 does not exist on the server: the summary is kept and the reason noted.
    assert second.text.startswith("Астанада Ассамблея сессиясы өтті.")
    assert "C011" in second.extra["full_text_error"]


def test_is_due() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    source = _source("http://example.kz/feed", poll_interval=600)
    assert is_due(source, now)
    source.state["last_polled_at"] = (now - timedelta(seconds=300)).isoformat()
    assert not is_due(source, now)
    source.state["last_polled_at"] = (now - timedelta(seconds=600)).isoformat()
    assert is_due(source, now)
    source.options.pop("poll_interval")
    assert not is_due(source, now)  # the default interval is 15 minutes
    assert is_due(source, now, default_interval=60)
    source.state["last_polled_at"] = "not a date"
    assert is_due(source, now)


def test_a_character_reference_out_of_unicode_is_not_a_crash(settings: Settings, tmp_path: Path) -> None:
    """Found by ``make fuzz`` (issue 18): ``&#x110000;`` made feedparser raise ValueError
    (chr() out of range) out of the connector; the feed is now refused with C012."""
    feed = tmp_path / "feed.xml"
    feed.write_bytes(b'<?xml version="1.0"?><rss version="2.0"><channel><title>&#x110000;</title>'
                     b"<item><title>x</title><description>&#x110000;</description></item></channel></rss>")
    source = SourceConfig(name="f", kind="rss", location=str(feed))
    try:
        results = list(RssConnector(settings).fetch(source, None))
    except BadInput as refused:
        assert refused.code == "C012"
    else:
        assert results  # a lenient parse is fine too, as long as nothing else escapes
