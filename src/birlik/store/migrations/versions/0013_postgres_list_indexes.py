"""PostgreSQL indexes the query layer needs at a million documents and more (measured with
``bench/bench_storage.py``, docs/capacity.md):

* ``ix_documents_newest`` (published_at DESC NULLS LAST, id DESC) and ``ix_documents_most_tense``
  (tension DESC NULLS LAST, id DESC): the lists' orders exactly. The ascending indexes cannot
  give ``DESC NULLS LAST`` (a backward scan gives NULLS FIRST), so PostgreSQL sorted every
  document found for each page of the newest or the most tense documents;
* ``ix_documents_embedding_kind``: the kind of each stored vector (embedder, dimension), so that
  a search by meaning checks the kinds stored (``store.search.stored_kinds``: a skip scan, one
  probe per kind) instead of reading every searched document's vector.

SQLite keeps its indexes and plans (``query.fts_plan``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_documents_newest": "(published_at DESC NULLS LAST, id DESC)",
    "ix_documents_most_tense": "(tension DESC NULLS LAST, id DESC)",
    "ix_documents_embedding_kind": (
        "((coalesce(embedding_model, '')), (vector_dims(embedding))) WHERE embedding IS NOT NULL"
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, definition in _INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON documents {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in _INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
