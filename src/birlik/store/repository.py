"""Repositories: the only code that reads and writes the tables."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Engine, Table, Text, cast, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from birlik.domain import codes
from birlik.domain.errors import ConfigError, NotFound
from birlik.domain.records import Document
from birlik.store.db import begin_write
from birlik.store.models import (
    Base,
    DocumentRegionRow,
    DocumentRow,
    MentionRow,
    QuarantineRow,
    SignalRow,
    SourceRow,
    utcnow,
)

PAYLOAD_LIMIT = 256 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Provenance:
    """Where a document came from and how it is recognised when it comes again."""

    ext_id: str
    content_hash: str
    canonical_url: str | None = None
    source_id: int | None = None
    outlet: str | None = None
    author: str | None = None
    platform: str | None = None
    date_flag: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QuarantineEntry:
    source_name: str
    source_kind: str
    location: str
    item_key: str
    code: str
    reason: str
    options: dict[str, Any]
    payload: bytes | None = None


class Store:
    """Sessions with one transaction per unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self, *, write: bool = False) -> Iterator[Session]:
        """One transaction, committed at the end; ``write`` takes the write lock at its start
        (see ``begin_write``): for a unit of work that reads and then changes what it read."""
        with self._sessions.begin() as session:
            if write:
                begin_write(session)
            yield session

    def new_session(self) -> Session:
        """A session whose user commits (or rolls back) and closes it; no I/O until it is used."""
        return self._sessions()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


# --- documents -----------------------------------------------------------------------


def known_identities(
    session: Session, hashes: Sequence[str], urls: Sequence[str]
) -> tuple[set[str], set[str]]:
    """Which of these content hashes and canonical URLs are already stored."""
    known_hashes = (
        set(session.scalars(select(DocumentRow.content_hash).where(DocumentRow.content_hash.in_(hashes))))
        if hashes
        else set()
    )
    known_urls = (
        set(session.scalars(select(DocumentRow.canonical_url).where(DocumentRow.canonical_url.in_(urls))))
        if urls
        else set()
    )
    return known_hashes, {url for url in known_urls if url is not None}


def add_document(session: Session, doc: Document, prov: Provenance) -> DocumentRow:
    """One analysed document as ORM rows, added to the session (flushed with it)."""
    row = DocumentRow(**document_values(doc, prov))
    row.analysed = doc  # what the stages found (claims), for the consumers of this batch
    row.mentions = [MentionRow(**values) for values in mention_values(doc)]
    row.signals = [SignalRow(**values) for values in signal_values(doc)]
    row.regions = [DocumentRegionRow(**values) for values in region_values(doc)]
    session.add(row)
    return row


def add_documents(session: Session, items: Sequence[tuple[Document, Provenance]]) -> list[DocumentRow]:
    """Store analysed documents with one bulk INSERT per table (no ORM unit of work), then
    load them back, with mentions, signals and regions, in one SELECT per table: the rows the
    after-batch consumers read, in the order given.

    The loaded rows keep the moments as they were given (aware), not as SQLite gives them back
    (naive): the consumers compute days from them exactly as from rows added one by one."""
    if not items:
        return []
    values = [document_values(doc, prov) | {"fetched_at": utcnow()} for doc, prov in items]
    documents = _table(DocumentRow)
    inserted = session.execute(
        insert(documents).returning(documents.c.id, sort_by_parameter_order=True), values
    )
    ids = [int(row_id) for row_id in inserted.scalars()]
    for table, children in (
        (_table(MentionRow), mention_values),
        (_table(SignalRow), signal_values),
        (_table(DocumentRegionRow), region_values),
    ):
        rows = [
            child | {"document_id": document_id}
            for document_id, (doc, _) in zip(ids, items, strict=True)
            for child in children(doc)
        ]
        if rows:
            session.execute(insert(table), rows)
    loaded = session.scalars(
        select(DocumentRow)
        .where(DocumentRow.id.in_(ids))
        .options(
            selectinload(DocumentRow.mentions),
            selectinload(DocumentRow.signals),
            selectinload(DocumentRow.regions),
        )
    )
    by_id = {row.id: row for row in loaded}
    stored = [by_id[document_id] for document_id in ids]
    for row, given, (doc, _) in zip(stored, values, items, strict=True):
        for name in ("published_at", "fetched_at"):
            set_committed_value(row, name, given[name])
        row.analysed = doc
    return stored


ANALYSIS_COLUMNS: tuple[str, ...] = (
    "lang", "langs", "tension", "hate", "incident", "embedding", "embedding_model", "stages",
)
"""The columns of a document's row that its analysis decides (``replace_analyses``)."""


def replace_analyses(session: Session, items: Sequence[tuple[int, Document]]) -> None:
    """Stored documents analysed again (``birlik reprocess``), replaced in place: the analysed
    columns (``ANALYSIS_COLUMNS``: language, signal columns, the vector and its model, the
    stage versions), mentions, signals and regions; the identity, text and provenance stay."""
    if not items:
        return
    documents = _table(DocumentRow)
    blank = Provenance(ext_id="", content_hash="")
    for document_id, doc in items:
        values = document_values(doc, blank)
        session.execute(
            update(documents)
            .where(documents.c.id == document_id)
            .values({name: values[name] for name in ANALYSIS_COLUMNS})
        )
    ids = [document_id for document_id, _ in items]
    for table, children in (
        (_table(MentionRow), mention_values),
        (_table(SignalRow), signal_values),
        (_table(DocumentRegionRow), region_values),
    ):
        session.execute(delete(table).where(table.c.document_id.in_(ids)))
        rows = [child | {"document_id": document_id} for document_id, doc in items for child in children(doc)]
        if rows:
            session.execute(insert(table), rows)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def document_values(doc: Document, prov: Provenance) -> dict[str, Any]:
    """The columns of a document's row (without its id and fetch time)."""
    tension, hate, incident = (doc.signals.get(n) for n in ("tension", "hate", "incident"))
    embedding = None if doc.embedding is None else np.asarray(doc.embedding, dtype=np.float32)
    return {
        "source_id": prov.source_id,
        "ext_id": prov.ext_id,
        "url": doc.url,
        "canonical_url": prov.canonical_url,
        "content_hash": prov.content_hash,
        "outlet": prov.outlet,
        "title": doc.title,
        "text": doc.text,
        "lang": doc.lang or "und",
        "langs": list(doc.langs),
        "published_at": doc.published_at,
        "date_flag": prov.date_flag,
        "author": prov.author,
        "platform": prov.platform,
        "extra": doc.extra,
        # the signals that lists filter on, copied into columns of the document
        "tension": tension.score if tension else None,
        "hate": hate.score if hate else None,
        "incident": incident.label if incident else None,
        "embedding": embedding,  # the document's one vector and its maker (store.vectors)
        "embedding_model": doc.embedding_model if embedding is not None else None,
        "stages": list(doc.stages),  # the versions that produced it (0009)
    }


def mention_values(doc: Document) -> list[dict[str, Any]]:
    return [
        {
            "start": m.start,
            "end": m.end,
            "text": m.text,
            "type": m.type,
            "entity_id": m.id,
            "derogatory": m.derogatory,
        }
        for m in doc.entities
    ]


def signal_values(doc: Document) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "score": signal.score,
            "label": signal.label,
            "labels": dict(signal.labels),
            "evidence": [e.as_json() for e in signal.evidence],
            "reasons": list(signal.reasons),
        }
        for name, signal in doc.signals.items()
    ]


def region_values(doc: Document) -> list[dict[str, Any]]:
    return [{"region_kato": r.kato, "confidence": r.confidence} for r in doc.regions]


def get_document(session: Session, document_id: int) -> DocumentRow:
    row = session.get(DocumentRow, document_id)
    if row is None:
        raise NotFound(f"document {document_id} does not exist — check the id", code=codes.N002)
    return row


# --- stage versions (which stored analyses are stale) -------------------------------


def stale_documents(
    session: Session, current: Sequence[str], limit: int = 1000, *, after: int = 0
) -> list[int]:
    """Ids (ascending, above ``after``) of stored documents whose recorded stage versions
    differ from ``current`` (the pipeline's ``versions``), including those stored before
    versions were recorded: what a ``reprocess`` must analyse again."""
    query = (
        select(DocumentRow.id)
        .where(DocumentRow.id > after, _stale(session, current))
        .order_by(DocumentRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def count_stale(session: Session, current: Sequence[str]) -> int:
    """How many stored documents ``stale_documents`` would list, without a limit."""
    return int(session.scalar(select(func.count(DocumentRow.id)).where(_stale(session, current))) or 0)


def _stale(session: Session, current: Sequence[str]) -> ColumnElement[bool]:
    """JSON has no equality on PostgreSQL (``json``) and none that ignores spacing on SQLite:
    the few distinct recorded lists are read as text, parsed and compared here."""
    recorded = cast(DocumentRow.stages, Text)
    wanted = list(current)
    stale = [
        text for text in session.scalars(select(recorded).where(recorded.is_not(None)).group_by(recorded))
        if json.loads(text) != wanted
    ]
    return or_(DocumentRow.stages.is_(None), recorded.in_(stale))


# --- sources -------------------------------------------------------------------------


def add_source(
    session: Session,
    *,
    name: str,
    kind: str,
    location: str,
    options: dict[str, Any],
    poll_interval: int,
) -> SourceRow:
    if session.scalar(select(SourceRow).where(SourceRow.name == name)) is not None:
        raise ConfigError(f"a source named {name!r} already exists — choose another name", code=codes.C002)
    row = SourceRow(
        name=name,
        kind=kind,
        location=location,
        options=options,
        state={},
        poll_interval=poll_interval,
    )
    session.add(row)
    session.flush()
    return row


def list_sources(session: Session) -> list[SourceRow]:
    return list(session.scalars(select(SourceRow).order_by(SourceRow.name)))


def get_source(session: Session, name: str) -> SourceRow:
    row = session.scalar(select(SourceRow).where(SourceRow.name == name))
    if row is None:
        raise NotFound(f"no source named {name!r} — `birlik source list` shows the names", code=codes.N003)
    return row


def source_document_counts(session: Session) -> dict[int, int]:
    rows = session.execute(select(DocumentRow.source_id, func.count()).group_by(DocumentRow.source_id))
    return {source_id: count for source_id, count in rows if source_id is not None}


# --- quarantine ----------------------------------------------------------------------


def quarantine(session: Session, entry: QuarantineEntry) -> None:
    """Record an item that could not be processed; the same item again bumps attempts."""
    row = session.scalar(
        select(QuarantineRow).where(
            QuarantineRow.source_name == entry.source_name,
            QuarantineRow.item_key == entry.item_key,
        )
    )
    payload = entry.payload if entry.payload and len(entry.payload) <= PAYLOAD_LIMIT else None
    if row is None:
        session.add(
            QuarantineRow(
                source_name=entry.source_name,
                source_kind=entry.source_kind,
                location=entry.location,
                options=entry.options,
                item_key=entry.item_key,
                code=entry.code,
                reason=entry.reason,
                payload=payload,
            )
        )
        return
    row.code, row.reason, row.updated_at = entry.code, entry.reason, utcnow()
    row.attempts += 1
    row.resolved_at = None
    if payload is not None:
        row.payload = payload


def resolve_quarantined(session: Session, source_name: str, item_keys: Sequence[str]) -> int:
    if not item_keys:
        return 0
    rows = session.scalars(
        select(QuarantineRow).where(
            QuarantineRow.source_name == source_name,
            QuarantineRow.item_key.in_(item_keys),
            QuarantineRow.resolved_at.is_(None),
        )
    )
    count = 0
    for row in rows:
        row.resolved_at = utcnow()
        count += 1
    return count


def list_quarantine(
    session: Session, *, include_resolved: bool = False, ids: Sequence[int] = ()
) -> list[QuarantineRow]:
    query = select(QuarantineRow).order_by(QuarantineRow.id)
    if not include_resolved:
        query = query.where(QuarantineRow.resolved_at.is_(None))
    if ids:
        query = query.where(QuarantineRow.id.in_(ids))
    return list(session.scalars(query))


def touch_quarantine(session: Session, row_id: int, *, at: datetime) -> None:
    row = session.get(QuarantineRow, row_id)
    if row is not None:
        row.updated_at = at
