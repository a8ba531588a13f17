"""Repositories and full-text search on both backends (SQLite and a real PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Evidence, Mention, RegionScore, Signal
from birlik.ingest.identity import content_hash
from birlik.query.filters import DocumentFilters
from birlik.query.queries import matching_ids
from birlik.query.scope import RegionScope
from birlik.store import db as store_db
from birlik.store import repository as repo
from birlik.store.db import current_revision, make_engine, migrate, require_schema
from birlik.store.models import DocumentRow
from birlik.store.repository import Provenance, QuarantineEntry, Store
from birlik.store.search import query_terms
from birlik.store.stats import collect_stats

DOCS = [
    (
        "kk-1",
        "kk",
        "Алматыда ұйғыр мәдениетінің фестивалі өтті",
        "Фестиваль Алматы қаласында өтті.",
        "750000000",
        "uyghur",
        datetime(2026, 6, 1, tzinfo=UTC),
    ),
    (
        "ru-1",
        "ru",
        "В Астане открылся Дом дружбы",
        "Дом дружбы в Астане принял корейскую диаспору.",
        "710000000",
        "korean",
        datetime(2026, 6, 5, tzinfo=UTC),
    ),
    (
        "en-1",
        "en",
        "Nauryz in Shymkent",
        "Uzbek and Kazakh families celebrated Nauryz in Shymkent.",
        "790000000",
        "uzbek",
        datetime(2026, 7, 1, tzinfo=UTC),
    ),
]


def _add_all(store: Store) -> None:
    with store.transaction() as session:
        for doc_id, lang, title, text, kato, ethnic, day in DOCS:
            doc = Document(id=doc_id, text=text, title=title, lang=lang, published_at=day)
            doc.entities = [Mention(start=0, end=3, text=text[:3], type="ETHNIC_GROUP", id=ethnic)]
            if lang == "en":  # a nationality the lexicon does not link
                doc.entities.append(Mention(start=4, end=7, text=text[4:7], type="ETHNIC_GROUP", id=None))
            doc.regions = [RegionScore(kato=kato, confidence=0.9)]
            repo.add_document(session, doc, Provenance(ext_id=doc_id, content_hash=content_hash(text)))


def test_migrations_are_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    head = migrate(engine)
    assert head == migrate(engine) == current_revision(engine)
    versions = Path(store_db.__file__).parent / "migrations" / "versions"
    assert head == max(path.name[:4] for path in versions.glob("0*.py"))
    require_schema(engine)


def test_an_unmigrated_database_is_refused(sqlite_url: str) -> None:
    with pytest.raises(ConfigError, match="D003"):
        require_schema(make_engine(sqlite_url))


def test_a_bad_url_is_a_coded_error() -> None:
    with pytest.raises(ConfigError, match="D001"):
        make_engine("nosuchdb://x")


def test_same_content_cannot_be_stored_twice(store: Store) -> None:
    _add_all(store)
    with pytest.raises(IntegrityError), store.transaction() as session:
        doc = Document(id="again", text=DOCS[0][3])
        repo.add_document(session, doc, Provenance(ext_id="again", content_hash=content_hash(doc.text)))
    with store.transaction() as session:
        assert collect_stats(session).documents == 3


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        ("Алматы", DocumentFilters(), ["kk-1"]),
        ("астана", DocumentFilters(), ["ru-1"]),  # finds «Астане» through the stem
        ("дружбы", DocumentFilters(langs=("ru",)), ["ru-1"]),
        ("Nauryz", DocumentFilters(langs=("kk",)), []),
        ("", DocumentFilters(regions=("790000000",)), ["en-1"]),
        ("", DocumentFilters(ethnic=("korean", "uyghur")), ["ru-1", "kk-1"]),
        ("", DocumentFilters(since=date(2026, 6, 2), until=date(2026, 6, 30)), ["ru-1"]),
        ("", DocumentFilters(until=date(2026, 6, 5)), ["ru-1", "kk-1"]),  # the last day counts
        ("", DocumentFilters(sort="oldest"), ["kk-1", "ru-1", "en-1"]),
    ],
)
def test_search(store: Store, query: str, filters: DocumentFilters, expected: list[str]) -> None:
    """Full-text search and filters through the query layer, on each backend's own engine."""
    _add_all(store)
    with store.transaction() as session:
        ids = matching_ids(session, RegionScope.everything(), replace(filters, q=query))
        assert [repo.get_document(session, i).ext_id for i in ids] == expected


def test_query_terms_drop_declining_endings() -> None:
    assert query_terms("Астана, Шымкент!") == ["астан", "шымкент"]


def test_quarantine_bumps_attempts_and_resolves(store: Store) -> None:
    entry = QuarantineEntry(
        source_name="s",
        source_kind="files",
        location="/x",
        item_key="/x/a.txt",
        code="I010",
        reason="binary",
        options={},
    )
    with store.transaction() as session:
        repo.quarantine(session, entry)
        repo.quarantine(session, entry)
    with store.transaction() as session:
        [row] = repo.list_quarantine(session)
        assert row.attempts == 2
        assert repo.resolve_quarantined(session, "s", ["/x/a.txt"]) == 1
    with store.transaction() as session:
        assert repo.list_quarantine(session) == []
        assert len(repo.list_quarantine(session, include_resolved=True)) == 1


def test_stats(store: Store) -> None:
    _add_all(store)
    with store.transaction() as session:
        stats = collect_stats(session)
    assert stats.by_lang == {"kk": 1, "ru": 1, "en": 1}
    assert stats.by_ethnic_group["uyghur"] == 1
    assert stats.by_ethnic_group["(unlinked)"] == 1 and "None" not in stats.by_ethnic_group
    assert set(stats.by_region) == {"750000000", "710000000", "790000000"}


def _analysed(key: str, text: str) -> tuple[Document, Provenance]:
    doc = Document(
        id=key,
        text=text,
        title=f"{key} title",
        lang="kk",
        langs=["kk", "ru"],
        published_at=datetime(2026, 6, 1, 22, 30, tzinfo=UTC),
        url=f"https://dala.example/{key}",
        extra={"source": "dala"},
        entities=[
            Mention(start=0, end=7, text=text[:7], type="ETHNIC_GROUP", id="uyghur", derogatory=key == "b")
        ],
        regions=[RegionScore(kato="750000000", confidence=0.8)],
        signals={
            "tension": Signal(name="tension", score=0.4, reasons=["tension.rule"]),
            "incident": Signal(name="incident", label="none", labels={"none": 0.9}),
            "hate": Signal(
                name="hate",
                score=0.1,
                evidence=[Evidence(start=0, end=7, text=text[:7], reason="hate.slur")],
            ),
        },
        embedding=np.arange(4, dtype=np.float32) / 4,
    )
    url = f"https://dala.example/{key}"
    return doc, Provenance(ext_id=key, content_hash=content_hash(text), canonical_url=url, outlet="dala")


def _as_stored(row: DocumentRow) -> tuple[object, ...]:
    skip = ("id", "fetched_at", "published_at")  # moments: naive or aware by backend, checked apart
    columns = {c.key: getattr(row, c.key) for c in DocumentRow.__table__.columns if c.key not in skip}
    if columns.get("embedding") is not None:  # a numpy vector: compared as a tuple of its values
        columns["embedding"] = tuple(round(float(x), 3) for x in columns["embedding"])
    return (
        sorted(columns.items()),
        sorted((m.start, m.end, m.text, m.type, m.entity_id, m.derogatory) for m in row.mentions),
        sorted((s.name, s.score, s.label, s.labels, s.evidence, s.reasons) for s in row.signals),
        sorted((r.region_kato, r.confidence) for r in row.regions),
    )


def test_bulk_insert_stores_what_one_by_one_stores(store: Store) -> None:
    """The ingest writer's bulk Core inserts and the ORM path give the same rows, and the rows
    handed to the after-batch consumers carry their mentions, signals, regions and aware moments."""
    texts = {"a": "Ұйғырлар Алматыда мереке өткізді.", "b": "Ұйғырлар туралы жаман сөз айтылды."}
    with store.transaction() as session:
        one = [repo.add_document(session, *_analysed(k, t)) for k, t in texts.items()]
        session.flush()
        expected = [_as_stored(row) for row in one]
        for row in one:
            session.delete(row)
    with store.transaction() as session:
        bulk = repo.add_documents(session, [_analysed(k, t) for k, t in texts.items()])
        assert [row.ext_id for row in bulk] == ["a", "b"]
        assert [_as_stored(row) for row in bulk] == expected
        moment = datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
        assert all(r.fetched_at.tzinfo is not None and r.published_at == moment for r in bulk)
    with store.transaction() as session:
        reloaded = session.scalars(select(DocumentRow).order_by(DocumentRow.id)).all()
        assert [_as_stored(row) for row in reloaded] == expected
