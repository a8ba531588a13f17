"""Shared fixtures: databases on both backends (a real PostgreSQL when the test command
started one), the default pipeline built once per session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings
from birlik.store.db import make_engine, migrate
from birlik.store.repository import Store

# `birlik ingest` run by a test (in this process or a child) analyses in its own process unless
# the test asks for workers: a pool that loads the models twice costs seconds per test
os.environ.setdefault("BIRLIK_INGEST_WORKERS", "0")

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEEDS = SHARED / "seeds"


def postgres_server_url() -> str | None:
    url = os.environ.get("BIRLIK_TEST_POSTGRES_URL")
    if url is None and os.environ.get("CI"):
        pytest.fail("BIRLIK_TEST_POSTGRES_URL is not set: run the tests through `make test`")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh database on the real server, dropped afterwards."""
    server = postgres_server_url()
    if server is None:
        pytest.skip("no PostgreSQL server: run through `make test` to start one")
    import psycopg

    name = f"birlik_{uuid.uuid4().hex[:10]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'birlik.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    engine = make_engine(database_url)
    migrate(engine)
    yield Store(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    from birlik.runtime import Runtime

    return Runtime(Settings()).pipeline()


@pytest.fixture
def seed_texts() -> dict[str, str]:
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not present")
    return {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}
