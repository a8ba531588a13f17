"""Column types: timestamps that come back timezone-aware (UTC) on every backend.

PostgreSQL keeps the zone (``timestamptz``) and returns aware datetimes. SQLite keeps none and
returns naive ones, which Birlik wrote in UTC; ``UtcDateTime`` reads those as UTC, so code that
compares or formats a loaded moment needs no ``tzinfo is None`` check. What is written, and so
what is stored, is exactly what ``DateTime(timezone=True)`` wrote (the same DDL, the same
values): no migration and no change to stored data.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` whose loaded values are always aware."""

    impl = DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return as_utc(value) if value is not None else None


def as_utc(moment: datetime) -> datetime:
    """A moment Birlik holds as UTC when it carries no zone: SQLite's, or an input's naive time."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
