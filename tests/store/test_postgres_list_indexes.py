"""The PostgreSQL indexes of migration 0013: the newest-first and most-tense-first lists walk an
index in their exact order (no sort of every document found), and the kinds of stored vector
(embedder, dimension) are listed from an index, one probe per kind, so that a search by meaning
does not read every searched vector to check them (M114)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from birlik.nlp.embed import EmbedderMismatch
from birlik.query.filters import DocumentFilters
from birlik.query.queries import matching_ids
from birlik.query.scope import RegionScope
from birlik.store.db import make_engine, migrate
from birlik.store.models import DocumentRow
from birlik.store.repository import Store
from birlik.store.search import QueryVector, semantic_ids, stored_kinds
from vector_support import E5, STATIC, store_doc, unit

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_store(postgres_url: str) -> Store:
    engine = make_engine(postgres_url)
    migrate(engine)
    return Store(engine)


def test_the_kinds_stored_are_listed_by_the_index(pg_store: Store) -> None:
    for index, (dim, model) in enumerate([(384, E5), (384, E5), (256, STATIC), (384, None), (128, E5)]):
        store_doc(pg_store, f"d{index}", unit(index, dim), model)
    store_doc(pg_store, "none", None, None)
    with pg_store.transaction() as session:
        assert stored_kinds(session) == {(E5, 384), (STATIC, 256), (None, 384), (E5, 128)}
        session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.scalars(sa.text("EXPLAIN " + _kinds_sql())))
    assert "ix_documents_embedding_kind" in plan  # the index matches the query's expressions
    pg_store.engine.dispose()


def test_an_incomparable_kind_is_still_m114_and_a_comparable_store_is_searched(pg_store: Store) -> None:
    store_doc(pg_store, "model", unit(1, 384), E5)
    store_doc(pg_store, "static", unit(2, 256), STATIC)
    queries = [QueryVector(E5, unit(1, 384), legacy=True), QueryVector(STATIC, unit(2, 256))]
    with pg_store.transaction() as session:
        assert len(semantic_ids(session, select(DocumentRow), queries, limit=5)) == 2
        with pytest.raises(EmbedderMismatch, match="M114"):  # the static vectors need their query
            semantic_ids(session, select(DocumentRow), queries[:1], limit=5)
        # only the searched documents count: without the static one, the model's query suffices
        searched = select(DocumentRow).where(DocumentRow.ext_id == "model")
        assert len(semantic_ids(session, searched, queries[:1], limit=5)) == 1
    pg_store.engine.dispose()


@pytest.mark.parametrize(
    ("sort", "index"), [("newest", "ix_documents_newest"), ("tension", "ix_documents_most_tense")]
)
def test_the_lists_walk_an_index_in_their_order(pg_store: Store, sort: str, index: str) -> None:
    for number in range(30):
        store_doc(pg_store, f"list-{number:02d}", None, None)
    sent: list[tuple[str, object]] = []
    sa.event.listen(pg_store.engine, "before_cursor_execute", lambda *a: sent.append((a[2], a[3])))
    with pg_store.transaction() as session:
        ids = matching_ids(session, RegionScope.everything(), DocumentFilters(sort=sort), limit=5)
        statement, parameters = sent[-1]
        session.execute(sa.text("SET LOCAL enable_sort = off"))  # a table this small would be sorted
        plan = "\n".join(session.connection().exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
    assert len(ids) == 5 and index in plan and "Sort" not in plan
    pg_store.engine.dispose()


def _kinds_sql() -> str:
    from birlik.store import search

    return str(search._STORED_KINDS.text)
