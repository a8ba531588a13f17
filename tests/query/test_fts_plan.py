"""The SQLite list planner finds exactly what a plain filter would, in the same order, whether
the text term is rare (it drives) or common (the date index drives and the term's set checks)."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import insert

from birlik.query import doc_columns, fts_plan, queries
from birlik.query.filters import DocumentFilters
from birlik.query.scope import RegionScope
from birlik.store.db import make_engine, migrate
from birlik.store.models import DocumentRegionRow, DocumentRow
from birlik.store.repository import Store

WORDS = ["мәдени", "мәдениет", "орталық", "фестиваль", "дружбы", "дом", "собрание", "көрші"]
RARE = "собрание"
REGIONS = ["310000000", "550000000", "750000000"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, list[dict[str, object]]]:
    path: Path = tmp_path_factory.mktemp("plan") / "plan.db"
    store = Store(make_engine(f"sqlite:///{path}"))
    migrate(store.engine)
    rng = random.Random(3)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    docs, links = [], []
    for i in range(1, 401):
        words = rng.choices([w for w in WORDS if w != RARE], k=6)
        if i % 50 == 0:
            words.append(RARE)
        docs.append(
            {
                "id": i,
                "ext_id": f"d{i}",
                "content_hash": f"{i:064d}",
                "text": " ".join(words),
                "title": None,
                "lang": rng.choice(["kk", "ru", "en"]),
                "langs": [],
                "extra": {},
                # a few undated documents, and ties on the same minute
                "published_at": None if i % 37 == 0 else now - timedelta(minutes=rng.randrange(0, 300)),
                "fetched_at": now,
                "tension": rng.random(),
            }
        )
        links.append({"document_id": i, "region_kato": rng.choice(REGIONS), "confidence": 1.0})
    with store.engine.begin() as connection:
        connection.execute(insert(DocumentRow), docs)
        connection.execute(insert(DocumentRegionRow), links)
    return store, docs


def expected(
    docs: list[dict[str, object]], regions: dict[int, str], filters: DocumentFilters, scope: set[str]
) -> list[int]:
    prefixes = [re.sub(r"(?<=\w{4})[аяыиоеуюьй]$", "", w) for w in filters.q.lower().split()]
    found = []
    for doc in docs:
        doc_id = int(str(doc["id"]))
        tokens = str(doc["text"]).split()
        if regions[doc_id] not in scope or (filters.regions and regions[doc_id] not in filters.regions):
            continue
        if filters.langs and doc["lang"] not in filters.langs:
            continue
        if filters.min_tension is not None and float(str(doc["tension"])) < filters.min_tension:
            continue
        if not all(any(t.startswith(p) for t in tokens) for p in prefixes):
            continue
        found.append(doc)
    oldest = datetime.min.replace(tzinfo=UTC)
    if filters.sort == "tension":
        found.sort(key=lambda d: (d["tension"], d["id"]), reverse=True)  # type: ignore[arg-type,return-value]
    else:
        found.sort(key=lambda d: (d["published_at"] or oldest, d["id"]), reverse=True)  # type: ignore[arg-type,return-value]
    return [int(str(d["id"])) for d in found]


@pytest.mark.parametrize("sort", ["newest", "tension"])
@pytest.mark.parametrize("rare_limit", [0, 10_000, None], ids=["common-path", "rare-path", "columns"])
@pytest.mark.parametrize(
    "filters",
    [
        DocumentFilters(q="мәдени"),
        DocumentFilters(q="мәдениет орталық", langs=("ru",)),
        DocumentFilters(q="дом", regions=("550000000",), min_tension=0.5),
        DocumentFilters(q=RARE),
        DocumentFilters(q="нет-такого"),
        DocumentFilters(langs=("kk",), min_tension=0.3),
    ],
    ids=["one-term", "two-terms-lang", "region-tension", "rare", "absent", "no-text"],
)
def test_the_planner_finds_what_a_plain_filter_finds(
    corpus: tuple[Store, list[dict[str, object]]],
    filters: DocumentFilters,
    rare_limit: int | None,
    sort: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each way SQLite lists documents: the index walks (a common term's cached set, a rare
    term driving) and the columns kept per process (``doc_columns``), newest or most tense first."""
    store, docs = corpus
    filters = replace(filters, sort=sort)
    monkeypatch.setattr(fts_plan, "TERM_SETS", fts_plan.TermSets())
    if rare_limit is None:
        with store.transaction() as session:
            assert doc_columns.document_columns(session, wait=True) is not None
    else:
        monkeypatch.setattr(fts_plan, "RARE_LIMIT", rare_limit)
        monkeypatch.setattr(doc_columns, "found_mask", lambda *args: None)  # the walk answers
    scope = RegionScope(all_regions=False, katos=frozenset(REGIONS[:2]))
    regions = {int(str(d["id"])): "" for d in docs}
    with store.transaction() as session:
        for link in session.query(DocumentRegionRow):
            regions[link.document_id] = link.region_kato
        want = expected(docs, regions, filters, set(REGIONS[:2]))
        assert queries.matching_ids(session, scope, filters, limit=500) == want
        # pages of 7, as the list pages them
        paged = [
            i
            for page in range(0, len(want) + 7, 7)
            for i in queries.matching_ids(session, scope, filters, limit=7, offset=page)
        ]
        assert paged == want


def test_a_new_document_is_found_at_once(
    corpus: tuple[Store, list[dict[str, object]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = corpus
    monkeypatch.setattr(fts_plan, "RARE_LIMIT", 0)  # the cached-set path
    scope = RegionScope(all_regions=True, katos=frozenset())
    filters = DocumentFilters(q="фестиваль")
    with store.transaction() as session:
        before = queries.matching_ids(session, scope, filters, limit=5)
    with store.transaction() as session:
        session.add(
            DocumentRow(
                id=10_000,
                ext_id="new",
                content_hash="n" * 64,
                text="жаңа фестиваль",
                lang="kk",
                langs=[],
                extra={},
                published_at=datetime(2026, 12, 1, tzinfo=UTC),
                fetched_at=datetime(2026, 12, 1, tzinfo=UTC),
            )
        )
    with store.transaction() as session:
        assert queries.matching_ids(session, scope, filters, limit=5) == [10_000, *before[:4]]


def test_a_set_past_its_time_is_kept_while_the_database_is_unchanged() -> None:
    sets = fts_plan.TermSets(seconds=0.0)  # every set is past its time at once
    builds: list[int] = []

    def build() -> np.ndarray[Any, Any]:
        builds.append(1)
        return np.arange(len(builds), dtype=np.int64)

    first = sets.get("k", build, (10, 1))
    assert sets.get("k", build, (10, 1)) is first and len(builds) == 1  # same files: kept
    assert sets.get("k", build, (11, 2)) is not first and len(builds) == 2  # written: built again
    assert sets.get("k", build, None) is not None and len(builds) == 3  # unknown: built again
    assert sets.get("k", build, None) is not None and len(builds) == 4
