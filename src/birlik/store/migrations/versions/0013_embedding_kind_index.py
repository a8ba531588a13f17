"""PostgreSQL: an index of the kind of each stored vector — its embedder and dimension — so
that a search by meaning checks the kinds stored (``store.search.stored_kinds``: a skip scan,
one probe per kind) instead of reading every searched document's vector (a scan of the table:
about a second per million documents). SQLite keeps its check as it was.

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


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_documents_embedding_kind ON documents "
            "((coalesce(embedding_model, '')), (vector_dims(embedding))) WHERE embedding IS NOT NULL"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_documents_embedding_kind")
