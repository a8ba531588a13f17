"""The partition ledger of a run (table ``backfill_partitions``, migration 0011).

The client adds a run's partitions once (adding them again changes nothing); a worker marks
one ``running`` when it starts it (an attempt), counts what it stores as it goes and marks it
``done``; the client marks ``failed`` with the reason when a task raised or its worker died
too often. ``--resume`` takes up what is not done (a ``running`` partition after a crash was
interrupted: it runs again, and the identity rules skip what it had stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import NotFound
from birlik.store.models import utcnow
from birlik.store.models_backfill import DONE, FAILED, PENDING, RUNNING, PartitionRow
from birlik.store.repository import Store

REASON_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Entry:
    """A partition as the client schedules it."""

    key: str
    phase: str
    spec: dict[str, Any]
    state: str = PENDING
    attempts: int = 0
    reason: str | None = None


def add(store: Store, run: str, entries: Sequence[Entry]) -> int:
    """Add the partitions a run does not have yet; returns how many were new."""
    with store.transaction() as session:
        known = set(session.scalars(select(PartitionRow.key).where(PartitionRow.run == run)))
        fresh = [entry for entry in entries if entry.key not in known]
        session.add_all(
            PartitionRow(
                run=run, key=entry.key, phase=entry.phase, spec=entry.spec, state=PENDING, attempts=0,
                items=0, stored=0, duplicates=0, quarantined=0, created_at=utcnow(), updated_at=utcnow(),
            )
            for entry in fresh
        )
        return len(fresh)


def entries(store: Store, run: str, phase: str | None = None) -> list[Entry]:
    with store.transaction() as session:
        query = select(PartitionRow).where(PartitionRow.run == run).order_by(PartitionRow.id)
        if phase is not None:
            query = query.where(PartitionRow.phase == phase)
        return [
            Entry(row.key, row.phase, dict(row.spec), row.state, row.attempts, row.reason)
            for row in session.scalars(query)
        ]


def runs(store: Store) -> list[str]:
    with store.transaction() as session:
        return list(session.scalars(select(PartitionRow.run).distinct().order_by(PartitionRow.run)))


def start(store: Store, run: str, key: str, worker: str) -> int:
    """A worker starts the partition: one more attempt; returns the attempt's number."""
    with store.transaction() as session:
        row = _row(session, run, key)
        row.state, row.attempts, row.worker, row.reason = RUNNING, row.attempts + 1, worker, None
        row.items, row.updated_at = 0, utcnow()
        return row.attempts


def advance(store: Store, run: str, key: str, items: int) -> None:
    """The worker handed ``items`` more to the store (for the progress bar)."""
    with store.transaction() as session:
        session.execute(
            update(PartitionRow)
            .where(PartitionRow.run == run, PartitionRow.key == key)
            .values(items=PartitionRow.items + items, updated_at=utcnow())
        )


def finish(
    store: Store, run: str, key: str, *, stored: int = 0, duplicates: int = 0, quarantined: int = 0,
    failure: str | None = None,
) -> None:
    """Done, or failed for ``failure`` (the partition's input is unusable: a corrupt file)."""
    with store.transaction() as session:
        row = _row(session, run, key)
        row.state = DONE if failure is None else FAILED
        row.reason = None if failure is None else failure[:REASON_CHARS]
        row.stored, row.duplicates, row.quarantined = stored, duplicates, quarantined
        row.updated_at = utcnow()


def fail(store: Store, run: str, key: str, reason: str) -> None:
    """The client's verdict: the task raised, or its worker died, on this attempt."""
    with store.transaction() as session:
        row = _row(session, run, key)
        row.state, row.reason, row.updated_at = FAILED, reason[:REASON_CHARS], utcnow()
        row.attempts = max(row.attempts, 1)


def reset(store: Store, run: str, phase: str) -> None:
    """Make every partition of ``phase`` pending again (a pass that must restart whole)."""
    with store.transaction() as session:
        session.execute(
            update(PartitionRow)
            .where(PartitionRow.run == run, PartitionRow.phase == phase)
            .values(state=PENDING, items=0, updated_at=utcnow())
        )


def totals(store: Store, run: str, phase: str) -> dict[str, int]:
    """Partitions by state and the items handed to the store so far."""
    with store.transaction() as session:
        where = (PartitionRow.run == run, PartitionRow.phase == phase)
        by_state = select(PartitionRow.state, func.count()).where(*where).group_by(PartitionRow.state)
        states = dict(session.execute(by_state).tuples().all())
        items = session.scalar(select(func.coalesce(func.sum(PartitionRow.items), 0)).where(*where))
    return {**{state: int(states.get(state, 0)) for state in (PENDING, RUNNING, DONE, FAILED)},
            "items": int(items or 0)}


def _row(session: Session, run: str, key: str) -> PartitionRow:
    row = session.scalar(select(PartitionRow).where(PartitionRow.run == run, PartitionRow.key == key))
    if row is None:
        raise NotFound(
            f"no partition {key!r} in the ledger of run {run!r} — was the run's ledger deleted? "
            "start the run again",
            code=codes.X103,
        )
    return row
