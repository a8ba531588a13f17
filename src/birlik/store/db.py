"""Engines and migrations for both backends."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import ConfigError, SourceUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

SCRIPT_LOCATION = "birlik.store:migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite") and ":memory:" not in url and url.rstrip("/") != "sqlite:":
            # a file: connections are cheap; the most recently used one (warm cache) goes first
            engine = create_engine(url, future=True, pool_size=16, max_overflow=48, pool_use_lifo=True)
        else:
            engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(
            f"cannot use database URL {url!r}: {exc} — use sqlite:///path.db or "
            "postgresql+psycopg://user:password@host/db",
            code=codes.D001,
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # read pages through a shared memory map rather than a copy per connection's cache
    cursor.execute("PRAGMA mmap_size=1073741824")
    cursor.close()


def begin_write(session: Session) -> None:
    """Make the session's transaction a write transaction now.

    On SQLite this is ``BEGIN IMMEDIATE``: the write lock is taken (waiting up to the busy
    timeout for another writer) before anything is read, so what the transaction reads is what
    it changes, and it never has to upgrade a read snapshot into a write, which fails at once
    with "database is locked" whenever another connection wrote in between. On PostgreSQL
    nothing is needed: row locks are taken as rows are written."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# alembic is imported where it is used: it is slow to import and most commands never migrate


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> str:
    """Bring the schema to the newest revision; returns that revision."""
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(engine)
    try:
        command.upgrade(config, "head")
    except OperationalError as exc:
        raise SourceUnavailable(
            f"cannot reach the database {engine.url.render_as_string()}: {exc.orig} — "
            "check BIRLIK_DATABASE_URL and that the server runs",
            code=codes.D002,
        ) from exc
    head = ScriptDirectory.from_config(config).get_current_head()
    return head or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database that ``birlik init`` has not prepared."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    try:
        revision = current_revision(engine)
    except OperationalError as exc:
        raise SourceUnavailable(
            f"cannot reach the database: {exc.orig} — check BIRLIK_DATABASE_URL", code=codes.D002
        ) from exc
    if revision != head:
        raise ConfigError(
            f"the database is at schema {revision or 'none'}, this Birlik needs {head} — "
            "run `birlik init` (it migrates safely)",
            code=codes.D003,
        )
