"""documents: the date index also carries language, tension and incident, so that a newest-first
list with those filters is read from the index alone

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_documents_published_filters", "documents", ["published_at", "lang", "tension", "incident"]
    )
    op.drop_index("ix_documents_published_at", table_name="documents")


def downgrade() -> None:
    op.create_index("ix_documents_published_at", "documents", ["published_at"])
    op.drop_index("ix_documents_published_filters", table_name="documents")
