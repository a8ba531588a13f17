from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from birlik.ingest.dates import check_published_at
from birlik.ingest.identity import canonical_url, content_hash


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Dala.Example/a/b/?utm_source=x&b=2&a=1#top", "https://dala.example/a/b?a=1&b=2"),
        ("https://m.dala.example/", "https://dala.example/"),
        ("https://dala.example:8443/x?fbclid=1", "https://dala.example:8443/x"),
        ("tg://channel/5", "tg://channel/5"),
        (None, None),
    ],
)
def test_canonical_url(url: str | None, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("Алматы  қаласы\nжаңалық") == content_hash("алматы қаласы жаңалық ")
    assert content_hash("a") != content_hash("b")


NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        (datetime(2026, 11, 20, 9), None),
        (NOW + timedelta(hours=30), None),
        (NOW + timedelta(days=3), "future"),
        (datetime(1990, 1, 1, tzinfo=UTC), "before_1991"),
        (None, None),
    ],
)
def test_date_sanity(value: datetime | None, flag: str | None) -> None:
    trusted, got = check_published_at(
        value, now=NOW, earliest=date(1991, 12, 16), future_tolerance=timedelta(hours=36)
    )
    assert got == flag
    assert (trusted is None) == (flag is not None or value is None)
