"""The passes after a backfill's documents, and the reanalysis of stored documents.

- ``link_unlinked``: the stories of every stored document that has none, in the order of the
  moments they were seen (as a time-ordered ``ingest`` links them, batch by batch, each batch
  in a transaction of its own: a pass cut short continues where it stopped);
- ``clear_indicators`` → ``tally_indicators`` (ranges of document ids, in parallel) →
  ``normalise_days`` (ranges of days, in parallel): the indicators and source volumes
  recomputed from the stored documents; a day is normalised only once every document is
  counted, so each day's coverage sees all of its 28 days;
- ``select_for_reprocess`` and ``reanalyse``: ``birlik reprocess``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import selectinload

from birlik.domain.records import Document
from birlik.ingest.workers import analyse
from birlik.nlp.pipeline import Pipeline
from birlik.signals.indicators import (
    _INDICATORS,
    _SOURCE_VOLUMES,
    facts_from_row,
    normalise_day,
    update_indicators,
)
from birlik.store import repository as repo
from birlik.store.models import DocumentRow
from birlik.store.models_signals import IndicatorRow
from birlik.store.models_stories import StoryMemberRow
from birlik.store.repository import Store
from birlik.stories.service import StoryLinker

READ_CHUNK = 2000


def _seen(published_at: datetime | None, date_flag: str | None, fetched_at: datetime) -> datetime:
    """``stories.service.seen_at`` of a row, from its three columns."""
    moment = published_at if published_at is not None and not date_flag else fetched_at
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def unlinked(store: Store) -> list[int]:
    """Stored documents without a story, in the order they were seen (then by id)."""
    query = (
        select(DocumentRow.id, DocumentRow.published_at, DocumentRow.date_flag, DocumentRow.fetched_at)
        .outerjoin(StoryMemberRow, StoryMemberRow.document_id == DocumentRow.id)
        .where(StoryMemberRow.document_id.is_(None))
    )
    with store.transaction() as session:
        found = [(_seen(p, f, t), i) for i, p, f, t in session.execute(query)]
    return [document_id for _, document_id in sorted(found)]


def link_unlinked(store: Store, linker: StoryLinker, batch: int) -> int:
    """Stories (and claims) for every document without one; returns how many were linked."""
    ids = unlinked(store)
    for first in range(0, len(ids), batch):
        chunk = ids[first : first + batch]
        with store.transaction(write=True) as session:
            rows = session.scalars(
                select(DocumentRow)
                .where(DocumentRow.id.in_(chunk))
                .options(selectinload(DocumentRow.mentions), selectinload(DocumentRow.regions))
            )
            by_id = {row.id: row for row in rows}
            linker.assign(session, [by_id[document_id] for document_id in chunk if document_id in by_id])
    return len(ids)


def clear_indicators(store: Store) -> None:
    with store.transaction(write=True) as session:
        session.execute(_INDICATORS.delete())
        session.execute(_SOURCE_VOLUMES.delete())


def id_ranges(store: Store, parts: int) -> list[tuple[int, int]]:
    """About ``parts`` ranges of stored document ids (inclusive), each with documents."""
    with store.transaction() as session:
        low, high = session.execute(select(func.min(DocumentRow.id), func.max(DocumentRow.id))).one()
    if low is None:
        return []
    step = max(1, (high - low + parts) // parts)
    return [(start, min(start + step - 1, high)) for start in range(low, high + 1, step)]


def tally_indicators(store: Store, first_id: int, last_id: int) -> int:
    """Add the documents with ids in the range to the counts and volumes (not normalised)."""
    total, after = 0, first_id - 1
    while True:
        with store.transaction() as session:
            rows = list(
                session.scalars(
                    select(DocumentRow)
                    .where(DocumentRow.id > after, DocumentRow.id <= last_id)
                    .order_by(DocumentRow.id)
                    .limit(READ_CHUNK)
                    .options(selectinload(DocumentRow.mentions), selectinload(DocumentRow.regions))
                )
            )
            if not rows:
                return total
            update_indicators(session, [facts_from_row(row) for row in rows], normalise=False)
        after, total = rows[-1].id, total + len(rows)


def indicator_days(store: Store) -> list[date]:
    with store.transaction() as session:
        return sorted(session.scalars(select(IndicatorRow.day).distinct()))


def normalise_days(store: Store, days: Sequence[date]) -> int:
    """Volumes and values of these days, each in a transaction of its own."""
    for day in days:
        with store.transaction() as session:
            normalise_day(session, day)
    return len(days)


# --- reprocess ---------------------------------------------------------------------------


def select_for_reprocess(
    store: Store,
    current: Sequence[str],
    *,
    stale: bool,
    stages: Sequence[str] = (),
    since: datetime | None = None,
) -> list[int]:
    """Ids of the documents to analyse again: analysed by other stage versions (``stale``),
    or whose recorded versions lack one of ``stages``, published (or fetched) since ``since``;
    with neither ``stale`` nor ``stages``, every document (since ``since``)."""
    recorded = cast(DocumentRow.stages, Text)
    query = select(DocumentRow.id).order_by(DocumentRow.id)
    with store.transaction() as session:
        if stale or stages:
            lists = list(session.scalars(select(recorded).where(recorded.is_not(None)).distinct()))
            wanted, named = list(current), set(stages)
            redo = [
                text for text in lists
                if (stale and _loads(text) != wanted) or (named and not named <= set(_loads(text)))
            ]
            query = query.where(or_(DocumentRow.stages.is_(None), recorded.in_(redo)))
        if since is not None:
            moment = func.coalesce(DocumentRow.published_at, DocumentRow.fetched_at)
            query = query.where(moment >= since)
        return list(session.scalars(query))


def _loads(text: str) -> list[str]:
    import json

    value = json.loads(text)
    return [str(name) for name in value] if isinstance(value, list) else []


def reanalyse(store: Store, pipeline: Pipeline, ids: Sequence[int]) -> tuple[int, dict[int, str]]:
    """Analyse stored documents again with ``pipeline`` and replace their analysis in place;
    returns how many were replaced and why the others failed (they keep their analysis)."""
    with store.transaction() as session:
        rows = list(session.scalars(select(DocumentRow).where(DocumentRow.id.in_(list(ids)))))
        docs = [
            Document(
                id=str(row.id), text=row.text, title=row.title, published_at=row.published_at,
                url=row.url, source=row.outlet or "", extra=dict(row.extra or {}),
                flags=[f"date:{row.date_flag}"] if row.date_flag else [],
            )
            for row in rows
        ]
    done, failed = analyse(pipeline, docs)
    with store.transaction(write=True) as session:
        repo.replace_analyses(session, [(int(doc.id), doc) for doc in done])
    return len(done), {int(key): str(error) for key, error in failed.items()}
