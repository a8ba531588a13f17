"""Case comments and attachments belong to their case: a foreign key to ``cases`` on each
(deleting a case deletes them). Rows whose case no longer exists — unreachable through any
page, route or command — are dropped first, since the key cannot hold them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_KEYS = (
    ("case_comments", "fk_case_comments_case_id_cases"),
    ("case_attachments", "fk_case_attachments_case_id_cases"),
)


def upgrade() -> None:
    for table, name in _KEYS:
        op.execute(sa.text(f"DELETE FROM {table} WHERE case_id NOT IN (SELECT id FROM cases)"))
        with op.batch_alter_table(table) as batch:
            batch.create_foreign_key(name, "cases", ["case_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    for table, name in _KEYS:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="foreignkey")
