"""The ledger of a backfill or reprocess run: one row per partition, in the database the
documents go to, so that ``birlik backfill --resume`` knows what is left after a crash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from birlik.store.models import Base, utcnow
from birlik.store.types import UtcDateTime

PENDING, RUNNING, DONE, FAILED = "pending", "running", "done", "failed"
STATES: tuple[str, ...] = (PENDING, RUNNING, DONE, FAILED)


class PartitionRow(Base):
    """One partition of a run: a range of a source's records (``documents``), or one of the
    passes after them (``stories``, ``indicators``, ``reprocess``).

    ``attempts`` counts the starts (a worker killed mid-partition counts); ``reason`` is why
    the last attempt failed; ``items`` what it has handed to the store so far."""

    __tablename__ = "backfill_partitions"
    __table_args__ = (UniqueConstraint("run", "key", name="uq_backfill_partitions_run_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run: Mapped[str] = mapped_column(String(80), index=True)
    key: Mapped[str] = mapped_column(String(600))
    phase: Mapped[str] = mapped_column(String(20))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(200))
    """Where the last attempt ran: the Dask worker's address and process id."""
    items: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
