"""document signals with evidence; tension, hate, incident and embedding on documents

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_signals",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("label", sa.String(length=60), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id", "name"),
    )
    with op.batch_alter_table("documents") as batch_op:
        batch_op.add_column(sa.Column("tension", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("hate", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("incident", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))
        batch_op.create_index("ix_documents_tension", ["tension"])
        batch_op.create_index("ix_documents_incident", ["incident"])


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_index("ix_documents_incident")
        batch_op.drop_index("ix_documents_tension")
        for column in ("embedding", "incident", "hate", "tension"):
            batch_op.drop_column(column)
    op.drop_table("document_signals")
