"""One vector per document, stored compactly and searchable: ``documents.embedding_model``
names its maker; SQLite keeps the vector as a float16 BLOB (was float32), PostgreSQL as a
pgvector ``vector`` with an HNSW cosine index per dimension in use (384: e5-small, 256: the
static table distilled from it). PostgreSQL needs the pgvector extension.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DIMS = (384, 256)
_BATCH = 500


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("embedding_model", sa.String(80), nullable=True))
    if bind.dialect.name == "postgresql":
        _upgrade_postgres(bind)
    else:
        _rewrite(bind, "embedding", lambda raw: np.frombuffer(raw, dtype="<f4").astype("<f2").tobytes())


def _upgrade_postgres(bind: sa.Connection) -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute("ALTER TABLE documents ADD COLUMN embedding_vec vector")
    rows = bind.execute(sa.text("SELECT id, embedding FROM documents WHERE embedding IS NOT NULL"))
    update = sa.text("UPDATE documents SET embedding_vec = CAST(:v AS vector) WHERE id = :id")
    pending: list[dict[str, object]] = []
    for doc_id, raw in rows.fetchall():
        vector = np.frombuffer(bytes(raw), dtype="<f4")
        pending.append({"id": doc_id, "v": "[" + ",".join(f"{x:.6g}" for x in vector.tolist()) + "]"})
        if len(pending) >= _BATCH:
            bind.execute(update, pending)
            pending = []
    if pending:
        bind.execute(update, pending)
    op.drop_column("documents", "embedding")
    op.alter_column("documents", "embedding_vec", new_column_name="embedding")
    for dim in DIMS:
        op.execute(
            f"CREATE INDEX ix_documents_embedding_hnsw_{dim} ON documents USING hnsw "
            f"((embedding::vector({dim})) vector_cosine_ops) WHERE vector_dims(embedding) = {dim}"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for dim in DIMS:
            op.execute(f"DROP INDEX IF EXISTS ix_documents_embedding_hnsw_{dim}")
        op.add_column("documents", sa.Column("embedding_raw", sa.LargeBinary, nullable=True))
        rows = bind.execute(sa.text("SELECT id, embedding::text FROM documents WHERE embedding IS NOT NULL"))
        update = sa.text("UPDATE documents SET embedding_raw = :raw WHERE id = :id")
        for doc_id, text in rows.fetchall():
            vector = np.array([float(x) for x in text.strip("[]").split(",")], dtype="<f4")
            bind.execute(update, {"id": doc_id, "raw": vector.tobytes()})
        op.drop_column("documents", "embedding")
        op.alter_column("documents", "embedding_raw", new_column_name="embedding")
    else:
        _rewrite(bind, "embedding", lambda raw: np.frombuffer(raw, dtype="<f2").astype("<f4").tobytes())
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("embedding_model")


def _rewrite(bind: sa.Connection, column: str, convert: Callable[[bytes], bytes]) -> None:
    """Re-encode every stored vector of ``column`` in batches (SQLite)."""
    rows = bind.execute(sa.text(f"SELECT id, {column} FROM documents WHERE {column} IS NOT NULL"))
    update = sa.text(f"UPDATE documents SET {column} = :raw WHERE id = :id")
    pending = [{"id": doc_id, "raw": convert(bytes(raw))} for doc_id, raw in rows.fetchall()]
    for first in range(0, len(pending), _BATCH):
        bind.execute(update, pending[first : first + _BATCH])
