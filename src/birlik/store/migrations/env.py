"""Alembic environment: URL and metadata come from the application, not from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from birlik.runtime import schema_metadata

config = context.config
target_metadata = schema_metadata()  # the list of model modules is the entry point's


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    from birlik.settings import Settings

    return create_engine(Settings().database_url)  # alembic run from the command line


def run_migrations_online() -> None:
    with _engine().begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()


run_migrations_online()
