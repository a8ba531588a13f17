"""Indicators: counts per region × day × metric, normalised by the covering sources' volume,
updated incrementally, and dates that cannot be trusted never make a spike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from birlik.signals.indicators import (
    COUNTRY,
    Cube,
    DocFacts,
    facts_from_row,
    indicator_day,
    load_history,
    query_indicators,
    rebuild_indicators,
    url_date,
)
from birlik.signals.rules import evaluate_surges, load_rules
from birlik.store.models import DocumentRow
from birlik.store.repository import Store

ZHAMBYL, PAVLODAR = "310000000", "550000000"
AddDocs = Callable[..., list[DocumentRow]]
DAY = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _points(store: Store, **query: object) -> dict[tuple[str, date, str], tuple[float, float, float]]:
    with store.transaction() as session:
        return {
            (p.region_kato, p.day, p.metric): (p.count, p.volume, p.value)
            for p in query_indicators(session, **query)  # type: ignore[arg-type]
        }


@pytest.mark.parametrize(
    ("published", "flag", "url", "expected"),
    [
        (datetime(2026, 3, 2, 20, tzinfo=UTC), None, None, date(2026, 3, 3)),  # 01:00 in Almaty
        (datetime(2099, 1, 1, tzinfo=UTC), "future", None, None),
        (None, None, None, None),
        (None, None, "https://x.kz/news/2026/03/01/slug", date(2026, 3, 1)),
        (datetime(2099, 1, 1, tzinfo=UTC), "future", "https://x.kz/20260228-slug", date(2026, 2, 28)),
        (None, None, "https://x.kz/news/2099/01/01/slug", None),  # a URL date after fetching
    ],
)
def test_the_day_a_document_counts_on(
    published: datetime | None, flag: str | None, url: str | None, expected: date | None
) -> None:
    assert indicator_day(published, flag, url, date(2026, 3, 5)) == expected


def test_url_date_ignores_numbers_that_are_not_dates() -> None:
    assert url_date("https://x.kz/news/12345678", date(2026, 1, 1)) is None
    assert url_date("https://x.kz/2026/13/40/", date(2027, 1, 1)) is None


def test_counts_and_volume_of_the_covering_sources(store: Store, add_docs: AddDocs) -> None:
    # outlet-a writes 2 documents about Zhambyl (one with uyghurs) and 2 about Pavlodar;
    # outlet-b writes 6 documents about Pavlodar only: it does not cover Zhambyl
    add_docs(1, published_at=NOON, regions=(ZHAMBYL,), ethnic=("uyghur",))
    add_docs(1, published_at=NOON, regions=(ZHAMBYL,))
    add_docs(2, published_at=NOON, regions=(PAVLODAR,))
    add_docs(6, published_at=NOON, regions=(PAVLODAR,), outlet="outlet-b")
    points = _points(store, since=DAY, until=DAY)
    assert points[(ZHAMBYL, DAY, "docs")] == (2.0, 4.0, 0.5)
    assert points[(ZHAMBYL, DAY, "ethnic:uyghur")] == (1.0, 4.0, 0.25)
    assert points[(ZHAMBYL, DAY, "volume")][0] == 4.0
    assert points[(PAVLODAR, DAY, "docs")] == (8.0, 10.0, 0.8)
    assert points[(COUNTRY, DAY, "docs")] == (10.0, 10.0, 1.0)
    assert points[(COUNTRY, DAY, "ethnic_docs")] == (1.0, 10.0, 0.1)


def test_a_later_batch_renormalises_the_day(store: Store, add_docs: AddDocs) -> None:
    add_docs(2, published_at=NOON, regions=(ZHAMBYL,), ethnic=("uyghur",))
    assert _points(store)[(ZHAMBYL, DAY, "ethnic_docs")] == (2.0, 2.0, 1.0)
    add_docs(6, published_at=NOON, regions=())  # same outlet, about no region
    assert _points(store)[(ZHAMBYL, DAY, "ethnic_docs")] == (2.0, 8.0, 0.25)


def test_incremental_equals_rebuild_and_the_in_memory_cube(store: Store, add_docs: AddDocs) -> None:
    for k in range(10):
        moment = NOON + timedelta(days=k)
        add_docs(k % 3 + 1, published_at=moment, regions=(ZHAMBYL,), ethnic=("uyghur",))
        add_docs(2, published_at=moment, regions=(PAVLODAR, ZHAMBYL), outlet="outlet-b")
        add_docs(1, published_at=moment, regions=(), outlet="outlet-c", ethnic=("dungan",))
    incremental = _points(store)
    with store.transaction() as session:
        facts = [facts_from_row(row) for row in session.query(DocumentRow).all()]
        assert rebuild_indicators(session) == 49
    assert _points(store) == incremental
    cube = Cube()
    cube.add(facts)
    history = cube.history()
    assert history is not None
    with store.transaction() as session:
        stored = load_history(session, history.start, history.day(history.length - 1))
    assert stored.counts.keys() == history.counts.keys()
    for key, counts in history.counts.items():
        assert list(counts) == list(stored.counts[key])
    for region, volumes in history.volumes.items():
        assert list(volumes) == list(stored.volume(region))


def test_metric_patterns_and_regions_in_queries(store: Store, add_docs: AddDocs) -> None:
    add_docs(1, published_at=NOON, ethnic=("uyghur", "dungan"))
    points = _points(store, regions=[ZHAMBYL], metrics=["ethnic:*"])
    assert set(points) == {(ZHAMBYL, DAY, "ethnic:uyghur"), (ZHAMBYL, DAY, "ethnic:dungan")}


def _calm_history(add_docs: AddDocs, today: datetime, days: int = 35) -> None:
    for k in range(days, 0, -1):
        moment = today - timedelta(days=k)
        add_docs(3, published_at=moment, ethnic=("uyghur",), fetched_at=moment)
        add_docs(20, published_at=moment, fetched_at=moment)


def test_wrong_dates_never_create_a_spike(store: Store, add_docs: AddDocs) -> None:
    today = datetime.now(UTC).replace(hour=7, minute=0, second=0, microsecond=0)
    _calm_history(add_docs, today)
    add_docs(3, published_at=today, ethnic=("uyghur",))
    add_docs(20, published_at=today)
    # an archive dump: 150 items whose dates are flagged (future) or missing, fetched today
    add_docs(100, published_at=None, ethnic=("uyghur",), date_flag="future")
    add_docs(50, published_at=None, ethnic=("uyghur",))
    rules = load_rules()
    day = today.date()
    with store.transaction() as session:
        history = load_history(session, day - timedelta(days=60), day)
    assert history.counts[(ZHAMBYL, "ethnic:uyghur")][-1] == 3
    assert evaluate_surges(history, day, rules) == []
    undated = _points(store, regions=[ZHAMBYL], metrics=["undated"])
    assert sum(count for count, _, _ in undated.values()) == 150
    # the same 150 documents with their true date today are a surge
    add_docs(150, published_at=today, ethnic=("uyghur",))
    with store.transaction() as session:
        history = load_history(session, day - timedelta(days=60), day)
    findings = evaluate_surges(history, day, rules)
    assert {f.region_kato for f in findings} == {ZHAMBYL, COUNTRY}


def test_undated_documents_do_not_count_in_volumes() -> None:
    cube = Cube()
    undated = DocFacts(day=None, fetched_day=DAY, source_key="a", regions=(ZHAMBYL,))
    dated = DocFacts(day=DAY, fetched_day=DAY, source_key="a", regions=(ZHAMBYL,))
    cube.add([undated, undated, dated])
    assert cube.region_volumes() == {(COUNTRY, DAY): 1.0, (ZHAMBYL, DAY): 1.0}
    assert cube.counts[(ZHAMBYL, DAY, "undated")] == 2
