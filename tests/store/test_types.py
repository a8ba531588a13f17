"""Timestamps come back aware (UTC) from both databases, and are stored as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import func, select, text

from birlik.store.models import SourceRow
from birlik.store.repository import Store
from birlik.store.types import as_utc

ALMATY = timezone(timedelta(hours=5))


def test_a_loaded_moment_is_aware_and_the_same_instant(store: Store) -> None:
    created = datetime(2026, 3, 21, 23, 30, tzinfo=UTC)
    with store.transaction() as session:
        session.add(SourceRow(name="kazinform", kind="rss", location="https://example.kz/rss",
                              created_at=created, last_ok_at=None))
    with store.transaction() as session:
        row = session.scalars(select(SourceRow)).one()
        newest = session.scalar(select(func.max(SourceRow.created_at)))
        assert row.created_at == created and row.created_at.utcoffset() == timedelta(0)
        assert newest is not None and newest == created and newest.tzinfo is not None
        assert row.last_ok_at is None


def test_sqlite_stores_what_it_stored_before(sqlite_url: str) -> None:
    """The same text in the column as DateTime(timezone=True) wrote: no data changes."""
    from birlik.store.db import make_engine, migrate

    engine = make_engine(sqlite_url)
    migrate(engine)
    with Store(engine).transaction() as session:
        session.add(SourceRow(name="a", kind="rss", location="https://example.kz/a",
                              created_at=datetime(2026, 3, 21, 23, 30, tzinfo=UTC)))
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT created_at FROM sources")).scalar_one()
    assert stored == "2026-03-21 23:30:00.000000"
    engine.dispose()


def test_as_utc_reads_a_naive_moment_as_utc_and_keeps_an_aware_one() -> None:
    assert as_utc(datetime(2026, 3, 21, 10)) == datetime(2026, 3, 21, 10, tzinfo=UTC)
    almaty = datetime(2026, 3, 21, 15, tzinfo=ALMATY)
    assert as_utc(almaty) is almaty
