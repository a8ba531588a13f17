"""Migrations carry existing rows forward (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from birlik.store.db import alembic_config, make_engine, migrate


def test_0008_gives_old_tokens_an_expiry_and_full_scope(database_url: str) -> None:
    """Tokens made before expiry and scope existed keep working as before (scope ``write``)
    for 90 more days, then expire like every other."""
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0007")
    created = datetime(2026, 1, 5, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (username, display_name, password_hash, role, active, session_epoch, "
                "created_at) VALUES ('old', 'old', 'x', 'analyst', true, 0, :at)"
            ),
            {"at": created},
        )
        connection.execute(
            sa.text(
                "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) "
                "VALUES (1, 'old', :hash, 'bk_old', :at)"
            ),
            {"hash": "a" * 64, "at": created},
        )
    migrate(engine)
    with engine.connect() as connection:
        scope, expires_at = connection.execute(sa.text("SELECT scope, expires_at FROM api_tokens")).one()
    expires = expires_at if isinstance(expires_at, datetime) else datetime.fromisoformat(expires_at)
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert scope == "write"
    assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=5)
    engine.dispose()
