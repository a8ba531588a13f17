"""`birlik search` has the web's filters and search by meaning (one query layer): a real process
over a store seeded in place."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from birlik.domain.records import Document, Mention, RegionScore, Signal
from birlik.nlp.embed import CharNgramEmbedder
from birlik.store.repository import Provenance, Store, add_document

TEXTS = [
    ("brawl", "ru", "Драка на рынке в Кордае: задержаны трое", 0.8, "violence_brawl", "310000000"),
    ("feast", "ru", "В Таразе прошёл фестиваль дунганской кухни", 0.05, None, "310000000"),
    ("match", "kk", "Шымкентте футбол турнирі өтті", 0.1, None, "790000000"),
]


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def seeded_url(store: Store, sqlite_url: str) -> str:
    embedder = CharNgramEmbedder()
    with store.transaction() as session:
        for day, (name, lang, text, tension, incident, kato) in enumerate(TEXTS, start=1):
            doc = Document(
                id=name,
                text=text,
                title=text,
                lang=lang,
                published_at=datetime(2026, 6, day, tzinfo=UTC),
                regions=[RegionScore(kato=kato, confidence=1.0)],
                entities=[Mention(start=0, end=5, text=text[:5], type="PLACE", id=kato)],
                signals={"tension": Signal(name="tension", score=tension)},
                embedding=embedder.embed([text])[0],
                embedding_model=embedder.name,
            )
            if incident:
                doc.signals["incident"] = Signal(name="incident", score=0.9, label=incident)
            add_document(session, doc, Provenance(ext_id=name, content_hash=name.ljust(64, "0")))
    return sqlite_url


def search(url: str, *args: str) -> list[str]:
    env = dict(os.environ, BIRLIK_DATABASE_URL=url, BIRLIK_EMBEDDER="ngram")
    result = subprocess.run(
        [sys.executable, "-m", "birlik.cli.main", "--quiet", "search", "--json", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line)["title"].split()[0] for line in result.stdout.splitlines()]


def test_the_web_filters_at_the_command_line(seeded_url: str) -> None:
    assert search(seeded_url) == ["Шымкентте", "В", "Драка"]  # the newest first without a query
    assert search(seeded_url, "--min-tension", "0.5") == ["Драка"]
    assert search(seeded_url, "--incident", "violence_brawl") == ["Драка"]
    assert search(seeded_url, "--region", "Жамбыл", "--sort", "oldest") == ["Драка", "В"]
    assert search(seeded_url, "--until", "2026-06-02", "--lang", "ru") == ["В", "Драка"]
    assert search(seeded_url, "фестиваль") == ["В"]


def test_search_by_meaning_uses_the_configured_embedder(seeded_url: str) -> None:
    query = "футболшылар турнирлері"  # no word of the text: full-text search finds nothing
    assert search(seeded_url, query) == []
    assert search(seeded_url, "--semantic", "--limit", "1", query) == ["Шымкентте"]
