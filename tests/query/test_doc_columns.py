"""The filter columns kept per process (``web.doc_columns``) find exactly the documents SQL
finds, count the same stories, order relevance's candidates as the date index does, take new
documents in at once, and answer None (callers use SQL) while they are first read."""

from __future__ import annotations

import random
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from birlik.query import doc_columns, fts_plan, queries, search_results, stamp
from birlik.query.filters import DocumentFilters
from birlik.query.scope import RegionScope
from birlik.store.db import make_engine, migrate
from birlik.store.models import DocumentRegionRow, DocumentRow
from birlik.store.models_stories import StoryMemberRow, StoryRow
from birlik.store.repository import Store

WORDS = ["мәдени", "орталық", "фестиваль", "дружбы", "дом", "собрание"]
REGIONS = ["310000000", "550000000", "750000000", "710000000"]
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


Rows = list[dict[str, object]]


def _docs(first: int, last: int, rng: random.Random) -> tuple[Rows, Rows]:
    docs: Rows = []
    links: Rows = []
    for i in range(first, last + 1):
        docs.append(
            {
                "id": i,
                "ext_id": f"c{i}",
                "content_hash": f"{i:064d}",
                "text": " ".join(rng.choices(WORDS, k=5)),
                "lang": rng.choice(["kk", "ru", "en", "und"]),
                "langs": [],
                "extra": {},
                "published_at": None if i % 29 == 0 else NOW - timedelta(hours=rng.randrange(0, 24 * 20)),
                "fetched_at": NOW,
                "tension": None if i % 31 == 0 else rng.random(),
                "incident": rng.choice([None, None, "protest_rally", "killing"]),
            }
        )
        for kato in rng.sample(REGIONS, rng.choice([0, 1, 1, 2])):
            links.append({"document_id": i, "region_kato": kato, "confidence": 1.0})
    return docs, links


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(make_engine(f"sqlite:///{tmp_path / 'columns.db'}"))
    migrate(store.engine)
    docs, links = _docs(1, 300, random.Random(5))
    with store.engine.begin() as connection:
        connection.execute(insert(DocumentRow), docs)
        connection.execute(insert(DocumentRegionRow), links)
        connection.execute(
            insert(StoryRow),
            [
                {"id": i, "title": f"s{i}", "first_seen": NOW, "last_seen": NOW, "doc_count": 3}
                for i in range(1, 301, 3)
            ],
        )
        connection.execute(
            insert(StoryMemberRow),
            [
                {"document_id": i, "story_id": i - (i - 1) % 3, "dup_group": i, "seen_at": NOW}
                for i in range(1, 301)
                if i % 7  # some documents in no story
            ],
        )
    return store


FILTERS = [
    DocumentFilters(),
    DocumentFilters(regions=("310000000",)),
    DocumentFilters(regions=("550000000", "750000000"), langs=("kk", "ru")),
    DocumentFilters(min_tension=0.5, incident="protest_rally"),
    DocumentFilters(since=date(2026, 10, 20), until=date(2026, 10, 25), langs=("en",)),
    DocumentFilters(regions=("710000000",), min_tension=0.8, q="дом"),
    DocumentFilters(q="фестиваль орталық", langs=("xx",)),
]
SCOPES = [
    RegionScope(all_regions=True, katos=frozenset()),
    RegionScope(all_regions=False, katos=frozenset({"310000000", "550000000"})),
    RegionScope(all_regions=False, katos=frozenset({"310000000"}), cases_of="mediator"),
]


def _match(q: str) -> str | None:
    terms = queries.query_terms(q)
    return " ".join(f'"{t}"*' for t in terms) if terms else None


def test_columns_find_what_sql_finds(store: Store) -> None:
    with Session(store.engine) as session:
        assert doc_columns.document_columns(session, wait=True) is not None
        for scope in SCOPES:
            for filters in FILTERS:
                allowed = replace(filters, q="")
                sql = fts_plan.matching_set(
                    session, search_results._candidates(scope, allowed), _match(filters.q), (scope, allowed)
                )
                held = doc_columns.found_mask(session, scope, allowed, _match(filters.q))
                assert held is not None
                columns, mask = held
                assert list(columns.ids[mask]) == [int(i) for i in sql], (scope, filters)
                # relevance's candidates: the newest first, as the date index walks them
                if filters.q:
                    walked = queries.matching_ids(session, scope, filters, limit=50)
                    assert doc_columns.newest_first(columns, mask, 50) == walked
                # the most tense first, unscored last, as SQL orders them
                statement = queries.document_query(session, scope, filters).with_only_columns(DocumentRow.id)
                tense = (DocumentRow.tension.desc().nulls_last(), DocumentRow.id.desc())
                by_sql = session.scalars(statement.order_by(*tense).limit(40))
                assert doc_columns.most_tense_first(columns, mask, 40) == list(by_sql), (scope, filters)
        # an ethnic filter is not held: SQL answers
        ethnic = DocumentFilters(ethnic=("kazakh",))
        assert doc_columns.found_mask(session, SCOPES[0], ethnic, None) is None


def test_story_counts_match_the_members(store: Store) -> None:
    scope = SCOPES[1]
    filters = DocumentFilters(langs=("kk",))
    with Session(store.engine) as session:
        doc_columns.document_columns(session, wait=True)
        documents, stories = search_results.count_found(session, scope, filters)
        ids = queries.matching_ids(session, scope, filters, limit=1000)
        assert documents.value == len(ids) and documents.exact
        pairs = session.execute(select(StoryMemberRow.document_id, StoryMemberRow.story_id))
        members = {story for doc, story in pairs if doc in ids}
        assert stories.value == len(members) > 0 and stories.exact


def test_new_documents_count_at_once(store: Store) -> None:
    scope = SCOPES[0]
    with Session(store.engine) as session:
        before = doc_columns.document_columns(session, wait=True)
        assert before is not None and before.newest == 300
    docs, links = _docs(301, 320, random.Random(9))
    with store.engine.begin() as connection:
        connection.execute(insert(DocumentRow), docs)
        connection.execute(insert(DocumentRegionRow), links)
    filters = DocumentFilters(regions=("310000000",))
    with Session(store.engine) as session:
        after = doc_columns.document_columns(session)
        assert after is not None and after.newest == 320 and after.loaded_at == before.loaded_at  # appended
        held = doc_columns.found_mask(session, scope, filters, None)
        assert held is not None
        sql = fts_plan.matching_set(session, search_results._candidates(scope, filters), None, ("new", scope))
        assert list(held[0].ids[held[1]]) == [int(i) for i in sql]


def test_first_read_happens_aside(store: Store) -> None:
    """Nothing held yet: the caller gets None at once (and counts by SQL), a thread reads."""
    scope = SCOPES[1]
    filters = DocumentFilters(q="дом")
    with Session(store.engine) as session:
        assert doc_columns.document_columns(session) is None
        by_sql = search_results.count_found(session, scope, filters)
        deadline = time.monotonic() + 10
        while doc_columns.document_columns(session) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert doc_columns.document_columns(session) is not None
        assert search_results.count_found(session, scope, filters) == by_sql
        assert np.all(np.diff(doc_columns.document_columns(session).ids) > 0)  # type: ignore[union-attr]


def test_old_columns_answer_while_they_are_read_again(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with Session(store.engine) as session:
        first = doc_columns.document_columns(session, wait=True)
        assert first is not None
        with store.engine.begin() as connection:  # a score changes: the files change
            connection.execute(DocumentRow.__table__.update().where(DocumentRow.id == 7).values(tension=0.5))
        monkeypatch.setattr(doc_columns, "REFRESH_SECONDS", 0.0)  # due at once
        assert doc_columns.document_columns(session) is first  # not None: no request waits
        deadline = time.monotonic() + 10
        while doc_columns._CACHE.get(store.engine) is first and time.monotonic() < deadline:
            time.sleep(0.02)
        again = doc_columns._CACHE.get(store.engine)
        assert again is not first and again is not None and again.loaded_at > first.loaded_at
        assert list(again.ids) == list(first.ids)


def test_unchanged_files_renew_the_columns_without_a_read(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``REFRESH_SECONDS`` with nothing written, the same arrays are kept (no ~1 s read at
    200,000 documents); a changed score of an old document is read again and shown."""
    with Session(store.engine) as session:
        first = doc_columns.document_columns(session, wait=True)
        assert first is not None and first.stamp is not None
        monkeypatch.setattr(doc_columns, "REFRESH_SECONDS", 0.2)
        time.sleep(0.3)  # due
        renewed = doc_columns.document_columns(session)
        assert renewed is not None and renewed.ids is first.ids and renewed.tension is first.tension
        assert renewed.loaded_at > first.loaded_at and store.engine not in doc_columns._LOADING
    with store.engine.begin() as connection:
        connection.execute(DocumentRow.__table__.update().where(DocumentRow.id == 5).values(tension=0.123))
    time.sleep(0.3)
    with Session(store.engine) as session:
        assert doc_columns.document_columns(session) is not None  # the old ones answer meanwhile
        deadline = time.monotonic() + 10
        while doc_columns._CACHE[store.engine].tension is first.tension and time.monotonic() < deadline:
            time.sleep(0.02)
        again = doc_columns._CACHE[store.engine]
        assert again.tension[list(again.ids).index(5)] == pytest.approx(0.123)


def test_a_database_named_by_uri_is_always_read_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///file:{tmp_path / 'u.db'}?uri=true")
    assert stamp.file_stamp(engine) is None
    assert stamp.file_stamp(make_engine("sqlite://")) is None


def test_a_page_works_out_its_documents_once(store: Store) -> None:
    """Relevance's candidates and the counts ask for the same documents (the query in the
    filters or apart, another order): one read-only answer, equal to SQL's, each set of
    regions' links kept too; every other question gets its own answer."""
    scope = SCOPES[1]
    filters = DocumentFilters(q="дом", regions=("310000000",), langs=("kk", "ru"), sort="relevance")
    with Session(store.engine) as session:
        doc_columns.document_columns(session, wait=True)
        first = doc_columns.found_mask(session, scope, replace(filters, sort="newest"), _match("дом"))
        again = doc_columns.found_mask(session, scope, replace(filters, q=""), _match("дом"))
        assert first is not None and again is not None and again[1] is first[1]
        assert not first[1].flags.writeable and first[0].found_masks and first[0].region_masks
        allowed = replace(filters, q="", sort="newest")
        sql = fts_plan.matching_set(session, search_results._candidates(scope, allowed), _match("дом"), "m")
        assert list(first[0].ids[first[1]]) == [int(i) for i in sql]
        for other in FILTERS:  # more questions than kept: each answered as SQL answers it
            for many in SCOPES[:2] * 3:
                held = doc_columns.found_mask(session, many, replace(other, q=""), _match(other.q))
                assert held is not None
                expected = fts_plan.matching_set(
                    session, search_results._candidates(many, replace(other, q="")), _match(other.q),
                    ("m", many, other),
                )
                assert list(held[0].ids[held[1]]) == [int(i) for i in expected], (many, other)


def test_a_ranking_is_reused_for_the_same_candidates_and_terms(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next page of a relevance search reuses the ranking of its candidates (exactly what
    ranking them again gives); other terms or other candidates are ranked anew."""
    scope = SCOPES[0]
    filters = DocumentFilters(q="дом фестиваль", sort="relevance")
    monkeypatch.setattr(queries, "RANKINGS", queries.Rankings(size=2))
    with Session(store.engine) as session:
        doc_columns.document_columns(session, wait=True)
        first = queries.matching_ids(session, scope, filters, limit=10)
        second = queries.matching_ids(session, scope, filters, limit=10, offset=10)
        assert len(queries.RANKINGS._kept) == 1
        candidates = queries._relevance_candidates(session, scope, replace(filters, sort="newest"))
        terms = queries.query_terms(filters.q)
        fresh = queries.relevance_order(queries._relevance_texts(session, candidates), terms)
        assert first + second == fresh[:20] and len(first) == len(second) == 10
        queries.matching_ids(session, scope, replace(filters, q="дом"), limit=10)
        queries.matching_ids(session, scope, replace(filters, q="собрание"), limit=10)
        assert len(queries.RANKINGS._kept) == 2  # the oldest gone
        assert queries.RANKINGS.get(candidates, terms) is None
