"""Document vectors stored with the document: a float16 BLOB on SQLite, a pgvector column with
HNSW indexes on PostgreSQL; semantic search compares a query only with vectors of its own
embedder, and anything else is the coded error M114."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import select

from birlik.nlp.embed import EmbedderMismatch
from birlik.store.db import alembic_config, make_engine, migrate
from birlik.store.models import DocumentRow
from birlik.store.repository import Store
from birlik.store.search import QueryVector, semantic_ids
from birlik.store.vectors import as_vector
from vector_support import E5, STATIC, store_doc, unit


def test_a_stored_vector_comes_back_with_its_model(store: Store) -> None:
    model_vector, static_vector = unit(1, 384), unit(2, 256)
    ids = [store_doc(store, "m", model_vector, E5), store_doc(store, "s", static_vector, STATIC)]
    store_doc(store, "none", None, None)
    with store.transaction() as session:
        rows = {row.ext_id: row for row in session.scalars(select(DocumentRow))}
    assert rows["m"].embedding_model == E5 and rows["s"].embedding_model == STATIC
    assert rows["none"].embedding is None and rows["none"].embedding_model is None
    for key, original in (("m", model_vector), ("s", static_vector)):
        back = rows[key].embedding
        assert back is not None and back.dtype == np.float32 and back.shape == original.shape
        assert float(back @ original) > 0.9999  # float16 (SQLite) or 6 digits (pgvector)
    assert sorted(row.id for row in rows.values() if row.embedding is not None) == sorted(ids)


def test_sqlite_keeps_two_bytes_a_number(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    store_doc(Store(engine), "m", unit(3, 384), E5)
    with engine.connect() as connection:
        size = connection.execute(sa.text("SELECT length(embedding) FROM documents")).scalar_one()
    assert size == 2 * 384
    engine.dispose()


@pytest.mark.postgres
def test_postgres_has_a_vector_column_and_hnsw_indexes(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine)
    with engine.connect() as connection:
        kind = connection.execute(
            sa.text("SELECT udt_name FROM information_schema.columns "
                    "WHERE table_name = 'documents' AND column_name = 'embedding'")
        ).scalar_one()
        indexes = dict(connection.execute(
            sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'documents'")
        ).all())
    assert kind == "vector"
    for dim in (384, 256):
        definition = indexes[f"ix_documents_embedding_hnsw_{dim}"]
        assert "hnsw" in definition and "vector_cosine_ops" in definition and f"vector({dim})" in definition
    engine.dispose()


def test_migration_0010_carries_float32_vectors_forward(database_url: str) -> None:
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0008")
    old = unit(4, 384)
    with engine.begin() as connection:
        connection.execute(
            sa.text("INSERT INTO documents (ext_id, content_hash, text, lang, langs, extra, embedding, "
                    "fetched_at) VALUES ('old', :hash, 'мәтін', 'kk', '[]', '{}', :vector, :now)"),
            {"hash": "o" * 64, "vector": old.tobytes(), "now": "2026-01-01T00:00:00+00:00"},
        )
    migrate(engine)
    with Store(engine).transaction() as session:
        row = session.scalars(select(DocumentRow)).one()
    assert row.embedding_model is None  # made before the maker was recorded
    assert row.embedding is not None and float(row.embedding @ old) > 0.9999
    engine.dispose()


def test_semantic_search_ranks_each_embedder_with_its_own_query(store: Store) -> None:
    near_model, far_model = unit(5, 384), unit(6, 384)
    near_static = unit(7, 256)
    ids = {
        "near_model": store_doc(store, "near_model", near_model, E5),
        "far_model": store_doc(store, "far_model", far_model, E5),
        "near_static": store_doc(store, "near_static", near_static, STATIC),
    }
    queries = [QueryVector(E5, near_model), QueryVector(STATIC, near_static)]
    with store.transaction() as session:
        found = semantic_ids(session, select(DocumentRow), queries, limit=10)
        second_page = semantic_ids(session, select(DocumentRow), queries, limit=1, offset=1)
        with pytest.raises(EmbedderMismatch, match=STATIC):  # static vectors need the static query
            semantic_ids(session, select(DocumentRow), queries[:1], limit=1)
    assert found[:2] == [ids["near_model"], ids["near_static"]] and found[2] == ids["far_model"]
    assert second_page == [ids["near_static"]]


@pytest.mark.parametrize(
    ("stored_dim", "stored_model", "expected"),
    [(128, E5, "128"), (384, "char-ngram-v1", "char-ngram-v1"), (128, None, "128")],
    ids=["wrong-size", "other-model-same-size", "legacy-wrong-size"],
)
def test_an_incomparable_stored_vector_is_m114_not_an_empty_page(
    store: Store, stored_dim: int, stored_model: str | None, expected: str
) -> None:
    store_doc(store, "odd", unit(8, stored_dim), stored_model)
    with store.transaction() as session, pytest.raises(EmbedderMismatch) as raised:
        semantic_ids(session, select(DocumentRow), [QueryVector(E5, unit(9, 384), legacy=True)], limit=5)
    assert raised.value.code == "M114" and expected in str(raised.value)


def test_a_vector_that_is_not_one_finite_row_is_refused() -> None:
    for bad in (np.zeros((2, 3), np.float32), np.array([np.nan, 1.0], np.float32), np.zeros(0)):
        with pytest.raises(Exception, match="M115"):
            as_vector(bad)


def test_a_stored_vector_can_be_replaced_by_one_of_another_size(store: Store) -> None:
    """The linker upgrades a static vector (256) to the model's (384) on a loaded row."""
    row_id = store_doc(store, "upgrade", unit(3, 256), STATIC)
    with store.transaction() as session:
        row = session.get(DocumentRow, row_id)
        assert row is not None and row.embedding is not None and len(row.embedding) == 256
        row.embedding, row.embedding_model = unit(4, 384), E5
    with store.transaction() as session:
        row = session.get(DocumentRow, row_id)
        assert row is not None and row.embedding is not None
        assert len(row.embedding) == 384 and row.embedding_model == E5
