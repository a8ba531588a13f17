"""Migrations carry existing rows forward (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from birlik.store.db import alembic_config, make_engine, migrate
from birlik.store.repository import Store, count_stale, stale_documents


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


def test_0009_documents_stored_before_record_no_stages_and_are_stale(database_url: str) -> None:
    """Documents stored before the stage versions were recorded keep everything, have no
    versions (NULL) and count as stale; the downgrade drops the column again."""
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0008")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO documents (ext_id, content_hash, text, lang, langs, fetched_at, extra) "
                "VALUES ('old', :hash, 'Ескі мәтін.', 'kk', '[]', :at, '{}')"
            ),
            {"hash": "b" * 64, "at": datetime(2026, 1, 5, tzinfo=UTC)},
        )
    migrate(engine)
    with engine.connect() as connection:
        text, stages = connection.execute(sa.text("SELECT text, stages FROM documents")).one()
    assert (text, stages) == ("Ескі мәтін.", None)
    with Store(engine).transaction() as session:
        assert count_stale(session, ["normalise.v1"]) == 1
        assert len(stale_documents(session, ["normalise.v1"], limit=5)) == 1
    command.downgrade(alembic_config(engine), "0008")
    columns = {column["name"] for column in sa.inspect(engine).get_columns("documents")}
    assert "stages" not in columns and "text" in columns
    engine.dispose()


def test_0012_gives_case_comments_and_attachments_a_key_to_their_case(database_url: str) -> None:
    """Comments and attachments of a case are kept; those of no case are dropped (no page could
    reach them); after it, deleting a case deletes its comments and attachments; the downgrade
    takes the keys away again."""
    engine = make_engine(database_url)
    command.upgrade(alembic_config(engine), "0010")
    at = datetime(2026, 3, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO cases (id, title, status, created_at, updated_at, description) "
                "VALUES (1, 'Дау', 'new', :at, :at, '')"
            ),
            {"at": at},
        )
        for case_id, body in ((1, "kept"), (7, "orphan")):
            connection.execute(
                sa.text(
                    "INSERT INTO case_comments (case_id, author, body, created_at) "
                    "VALUES (:case, 'ana', :body, :at)"
                ),
                {"case": case_id, "body": body, "at": at},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO case_attachments (case_id, filename, content_type, size, data, "
                    "uploaded_by, created_at) VALUES (:case, :name, 'text/plain', 1, :data, 'ana', :at)"
                ),
                {"case": case_id, "name": f"{body}.txt", "data": b"x", "at": at},
            )
    migrate(engine)
    for table in ("case_comments", "case_attachments"):
        keys = sa.inspect(engine).get_foreign_keys(table)
        assert [(k["referred_table"], k["constrained_columns"]) for k in keys] == [("cases", ["case_id"])]
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT body FROM case_comments")).scalars().all() == ["kept"]
        assert connection.execute(sa.text("SELECT filename FROM case_attachments")).scalars().all() == [
            "kept.txt"
        ]
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM cases WHERE id = 1"))
    with engine.connect() as connection:
        for table in ("case_comments", "case_attachments"):
            assert connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar() == 0
    command.downgrade(alembic_config(engine), "0010")
    for table in ("case_comments", "case_attachments"):
        assert sa.inspect(engine).get_foreign_keys(table) == []
    engine.dispose()


def test_the_schema_list_names_every_table_the_migrations_make(sqlite_url: str) -> None:
    """The entry point's list of model modules covers the whole schema: the tables the migrations
    make are exactly the tables of the collected metadata, with the same columns."""
    from birlik.runtime import schema_metadata

    engine = make_engine(sqlite_url)
    migrate(engine)
    inspector = sa.inspect(engine)
    made = {
        name
        for name in inspector.get_table_names()
        if name != "alembic_version" and not name.startswith("documents_fts")  # SQLite's FTS5 index
    }
    metadata = schema_metadata()
    assert made == set(metadata.tables)
    for name, table in metadata.tables.items():
        assert {c["name"] for c in inspector.get_columns(name)} == set(table.columns.keys()), name
    engine.dispose()
