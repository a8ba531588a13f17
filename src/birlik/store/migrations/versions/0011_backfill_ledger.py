"""The backfill ledger: one row per partition of a ``birlik backfill`` / ``reprocess`` run
(pending, running, done, failed with its reason and attempts), for ``--resume``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "backfill_partitions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run", sa.String(80), nullable=False),
        sa.Column("key", sa.String(600), nullable=False),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("worker", sa.String(200)),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("stored", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("quarantined", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("run", "key", name="uq_backfill_partitions_run_key"),
    )
    op.create_index("ix_backfill_partitions_run", "backfill_partitions", ["run"])


def downgrade() -> None:
    op.drop_index("ix_backfill_partitions_run", table_name="backfill_partitions")
    op.drop_table("backfill_partitions")
