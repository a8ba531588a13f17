"""A claim's place may be a world place (``city:us:san-francisco``), not only a KATO code: the
column widens from 12 to 80 characters. PostgreSQL enforced the 12 and refused the whole batch
that held such a claim; SQLite never enforced it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite does not enforce a length
        op.alter_column("claims", "region_kato", type_=sa.String(80), existing_type=sa.String(12))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE claims SET region_kato = NULL WHERE length(region_kato) > 12")
        op.alter_column("claims", "region_kato", type_=sa.String(12), existing_type=sa.String(80))
