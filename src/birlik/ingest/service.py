"""Ingest one source: fetch, deduplicate, analyse, store — one transaction per batch.

Batches are analysed in worker processes (``ingest.workers``) while this process fetches the
next ones and stores the analysed ones, oldest first, with bulk inserts; an item whose
identity is in a batch in flight is not sent twice.

Killing the process at any moment loses nothing and duplicates nothing: a batch is
stored whole or not at all, a source's poll state is saved only after its last batch,
and a rerun recognises what was stored by canonical URL and content hash.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from birlik.connectors.base import Rejected, SourceConfig, get_connector
from birlik.domain import codes
from birlik.domain.errors import BadInput, BirlikError, SourceUnavailable
from birlik.domain.records import Document, RawItem
from birlik.domain.text import clean_input
from birlik.ingest.dates import check_published_at
from birlik.ingest.identity import canonical_url, content_hash
from birlik.ingest.workers import (
    Analysed,
    AnalysisPool,
    PipelineRecipe,
    analyse,
    isolate,
    worker_count,
)
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings
from birlik.store import repository as repo
from birlik.store.models import DocumentRow, SourceRow, utcnow
from birlik.store.repository import Provenance, QuarantineEntry, Store

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
AfterBatch = Callable[[Session, list[DocumentRow]], None]
"""Runs inside the transaction of each stored batch with the rows it stored (indicators, stories)."""


@dataclass(slots=True)
class IngestReport:
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    unavailable: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    """Why a whole source was unusable and quarantined (``[code] reason``)."""

    def add(self, other: IngestReport) -> None:
        self.fetched += other.fetched
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.unavailable.extend(other.unavailable)
        self.failed.extend(other.failed)
        self.rejected.extend(other.rejected)


@dataclass(slots=True)
class _Prepared:
    key: str
    document: Document
    provenance: Provenance


@dataclass(slots=True)
class _Batch:
    items: list[_Prepared] = field(default_factory=list)
    rejected: list[QuarantineEntry] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.items) + len(self.rejected)


@dataclass(slots=True)
class _InFlight:
    """A batch sent to analysis and not stored yet."""

    batch: _Batch
    fresh: list[_Prepared]
    stored_keys: list[str]
    """Keys of the batch's items already stored (duplicates): resolved in the quarantine."""
    future: Future[Analysed] | None = None
    generation: int = 0
    """The pool ``future`` belongs to: a pool that broke since must not be restarted twice."""
    result: Analysed | None = None
    attempts: int = 1


@dataclass(slots=True)
class _Flow:
    """The batches of one source in flight, oldest first, and the identities they carry."""

    pending: deque[_InFlight] = field(default_factory=deque)
    hashes: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)

    def add(self, entry: _InFlight) -> None:
        self.pending.append(entry)
        for item in entry.fresh:
            self.hashes.add(item.provenance.content_hash)
            if item.provenance.canonical_url:
                self.urls.add(item.provenance.canonical_url)

    def ready(self) -> bool:
        """The oldest batch is analysed (or its worker died): storing it will not wait."""
        head = self.pending[0]
        return head.result is not None or (head.future is not None and head.future.done())

    def done(self, entry: _InFlight) -> None:
        """``entry`` is stored (or dropped): its identities are the database's to know now."""
        for item in entry.fresh:
            self.hashes.discard(item.provenance.content_hash)
            if item.provenance.canonical_url:
                self.urls.discard(item.provenance.canonical_url)

    def abandon(self) -> None:
        """Cancel what was not stored: the next run fetches it again."""
        for entry in self.pending:
            if entry.future is not None:
                entry.future.cancel()
        self.pending.clear()


class Ingestor:
    """Fetches and deduplicates in this process; analyses in ``BIRLIK_INGEST_WORKERS`` worker
    processes (given a ``PipelineRecipe``) or here (given a built ``Pipeline``, or 0 or 1
    workers); stores each analysed batch, in input order, in one write transaction.

    With workers, up to two batches per worker are in flight while the oldest is stored, and
    this process never builds the pipeline unless a batch must be analysed here."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        pipeline: Pipeline | PipelineRecipe,
        progress: Progress | None = None,
        after_batch: Sequence[AfterBatch] = (),
    ) -> None:
        """``after_batch``: the consumers each stored batch is handed to, in its transaction
        (the runtime passes stories and indicators); none by default."""
        self.settings = settings
        self.store = store
        self.progress = progress
        self.after_batch = list(after_batch)
        self.earliest = date.fromisoformat(settings.earliest_date)
        self.future_tolerance = timedelta(hours=settings.future_tolerance_hours)
        self._pipeline = pipeline if isinstance(pipeline, Pipeline) else None
        self._recipe = pipeline if isinstance(pipeline, PipelineRecipe) else None
        workers = worker_count(settings) if self._recipe is not None else 0
        self._pool = AnalysisPool(self._recipe, workers) if self._recipe and workers else None
        self.max_in_flight = 2 * workers

    @property
    def workers(self) -> int:
        """Processes analysing for this ingestor (0: it analyses itself)."""
        return self._pool.size if self._pool is not None else 0

    @property
    def pipeline(self) -> Pipeline:
        """The pipeline of this process, built when first needed."""
        if self._pipeline is None:
            assert self._recipe is not None
            self._pipeline = self._recipe.build()
        return self._pipeline

    def close(self) -> None:
        """Stop the worker processes (they also stop when this process ends)."""
        if self._pool is not None:
            self._pool.close()

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def ingest(
        self,
        source: SourceConfig,
        source_id: int | None = None,
        *,
        fetched: Iterator[RawItem | Rejected] | None = None,
    ) -> IngestReport:
        """Ingest what the source's connector fetches, or ``fetched`` (a part of it: a
        backfill partition) under the same identity rules, batches and quarantine."""
        report = IngestReport()
        if fetched is None:
            fetched = get_connector(source.kind, self.settings).fetch(source, None)
        flow = _Flow()
        batch = _Batch()
        try:
            try:
                for result in _guarded(fetched, source):
                    report.fetched += 1
                    self._take(source, source_id, result, batch)
                    if len(batch) >= self.settings.batch_size:
                        self._send(source, batch, flow, report)
                        batch = _Batch()
                self._send(source, batch, flow, report)
            except SourceUnavailable as exc:
                log.warning("source %s unavailable: %s", source.name, exc)
                report.unavailable.append(source.name)
                self._send(source, batch, flow, report)
                self._drain(source, flow, report)
                self._record_poll(source_id, source, error=str(exc))
                return report
            except BadInput as exc:
                self._send(source, batch, flow, report)
                self._drain(source, flow, report)
                self._quarantine_source(source, exc, report)
                self._record_poll(source_id, source, error=str(exc))
                return report
            self._drain(source, flow, report)
        finally:
            flow.abandon()
        self._record_poll(source_id, source, error=None)
        return report

    # --- preparing items --------------------------------------------------------------

    def _take(
        self,
        source: SourceConfig,
        source_id: int | None,
        result: RawItem | Rejected,
        batch: _Batch,
    ) -> None:
        if isinstance(result, Rejected):
            batch.rejected.append(_entry(source, result.key, result.error, result.payload))
            return
        try:
            batch.items.append(self._prepare(result, source_id))
        except BadInput as exc:
            batch.rejected.append(_entry(source, result.key, exc, result.text.encode()[:4096]))

    def _prepare(self, item: RawItem, source_id: int | None) -> _Prepared:
        text = clean_input(item.text).strip()
        if not text:
            raise BadInput(f"{item.key} has no text — nothing to analyse (an empty document)",
                           code=codes.I011)
        published_at, flag = check_published_at(
            item.published_at,
            now=datetime.now(UTC),
            earliest=self.earliest,
            future_tolerance=self.future_tolerance,
        )
        extra = dict(item.extra)
        if flag is not None and item.published_at is not None:
            extra["claimed_published_at"] = item.published_at.isoformat()
        document = Document(
            id=str(extra.pop("id", item.key)),
            text=text,
            title=clean_input(item.title).strip() or None if item.title else None,
            lang=item.lang_hint,
            published_at=published_at,
            url=item.url,
            source=str(extra.get("source") or ""),
            extra=extra,
            flags=[f"date:{flag}"] if flag else [],
        )
        provenance = Provenance(
            ext_id=document.id,
            content_hash=content_hash(text),
            canonical_url=canonical_url(item.url),
            source_id=source_id,
            outlet=str(extra["source"]) if extra.get("source") else None,
            author=item.author,
            platform=item.platform,
            date_flag=flag,
        )
        return _Prepared(item.key, document, provenance)

    # --- analysing and storing batches ----------------------------------------------

    def _send(self, source: SourceConfig, batch: _Batch, flow: _Flow, report: IngestReport) -> None:
        """Send a batch's new items to analysis; store the oldest batches beyond the bound."""
        if not len(batch):
            return
        with self.store.transaction() as session:
            fresh, stored_keys = self._fresh_items(session, batch.items, flow)
        report.duplicates += len(batch.items) - len(fresh)
        entry = _InFlight(batch, fresh, stored_keys)
        docs = [item.document for item in fresh]
        if self._pool is None or not docs:
            entry.result = analyse(self.pipeline, docs) if docs else ([], {})
        else:
            entry.future = self._pool.submit(docs)
            entry.generation = self._pool.generation
        flow.add(entry)
        # store what is analysed already, and wait for the oldest when too many are in flight
        while flow.pending and (len(flow.pending) > self.max_in_flight or flow.ready()):
            self._store(source, flow, report)

    def _drain(self, source: SourceConfig, flow: _Flow, report: IngestReport) -> None:
        while flow.pending:
            self._store(source, flow, report)

    def _store(self, source: SourceConfig, flow: _Flow, report: IngestReport) -> None:
        """Store the oldest batch in flight, its consumers and quarantine in one transaction.

        The identities are checked again inside the write transaction: another process
        (`birlik monitor`, a second `birlik ingest`) may have stored some meanwhile."""
        entry = flow.pending[0]
        done, failed = self._result(flow, entry)
        analysed = {doc.id: doc for doc in done}
        rejected = list(entry.batch.rejected)
        rejected += [
            _entry(source, item.key, failed[item.document.id], None)
            for item in entry.fresh
            if item.document.id in failed
        ]
        candidates = [item for item in entry.fresh if item.document.id in analysed]
        for attempt in range(3):
            try:
                with self.store.transaction(write=True) as session:
                    known_hashes, known_urls = repo.known_identities(
                        session,
                        [i.provenance.content_hash for i in candidates],
                        [i.provenance.canonical_url for i in candidates if i.provenance.canonical_url],
                    )
                    new = [i for i in candidates if not _known(i, known_hashes, known_urls)]
                    stored = repo.add_documents(
                        session, [(analysed[i.document.id], i.provenance) for i in new]
                    )
                    for hook in self.after_batch:
                        hook(session, stored)
                    for rejection in rejected:
                        repo.quarantine(session, rejection)
                    resolved = entry.stored_keys + [i.key for i in candidates]
                    repo.resolve_quarantined(session, source.name, resolved)
                break
            except IntegrityError:  # PostgreSQL: a concurrent writer stored one of them first
                if attempt == 2:
                    raise
                log.warning("a concurrent writer stored part of a batch of %s; checking again", source.name)
        flow.pending.popleft()
        flow.done(entry)
        report.stored += len(new)
        report.duplicates += len(candidates) - len(new)
        report.quarantined += len(rejected)
        if self.progress is not None:
            self.progress(len(entry.batch))

    def _result(self, flow: _Flow, entry: _InFlight) -> Analysed:
        """The analysis of ``entry``, waiting for its worker; a dead worker's batches are sent
        again to a new pool, and a batch whose worker died twice is analysed one document at
        a time, apart, so that only the document that kills its process is quarantined."""
        while entry.result is None:
            assert entry.future is not None and self._pool is not None
            try:
                entry.result = entry.future.result()
            except BrokenProcessPool:
                if entry.generation == self._pool.generation:
                    self._pool.restart()
                for waiting in flow.pending:
                    self._resend(waiting)
        return entry.result

    def _resend(self, entry: _InFlight) -> None:
        """Send again a batch whose pool broke before it was analysed."""
        assert self._pool is not None and self._recipe is not None
        if entry.result is not None or entry.future is None or entry.generation == self._pool.generation:
            return
        if entry.future.done() and entry.future.exception() is None:
            entry.result = entry.future.result()
            return
        entry.attempts += 1
        docs = [item.document for item in entry.fresh]
        if entry.attempts > 2:
            entry.result = isolate(self._recipe, docs)
        else:
            entry.future = self._pool.submit(docs)
            entry.generation = self._pool.generation

    def _fresh_items(
        self, session: Session, items: list[_Prepared], flow: _Flow
    ) -> tuple[list[_Prepared], list[str]]:
        """The items neither stored nor in a batch in flight, and the keys of the stored ones."""
        hashes = [i.provenance.content_hash for i in items]
        urls = [i.provenance.canonical_url for i in items if i.provenance.canonical_url]
        known_hashes, known_urls = repo.known_identities(session, hashes, urls)
        fresh: list[_Prepared] = []
        stored_keys: list[str] = []
        for item in items:
            prov = item.provenance
            if _known(item, known_hashes, known_urls):
                stored_keys.append(item.key)
                continue
            if _known(item, flow.hashes, flow.urls):
                continue  # stored with its batch, or fetched again by the next run
            known_hashes.add(prov.content_hash)
            if prov.canonical_url:
                known_urls.add(prov.canonical_url)
            fresh.append(item)
        _unique_ids(fresh)
        return fresh, stored_keys

    # --- source bookkeeping -----------------------------------------------------------

    def _quarantine_source(self, source: SourceConfig, exc: BadInput, report: IngestReport) -> None:
        with self.store.transaction() as session:
            repo.quarantine(session, _entry(source, source.location, exc, None))
        report.quarantined += 1
        report.rejected.append(str(exc))

    def _record_poll(self, source_id: int | None, source: SourceConfig, error: str | None) -> None:
        if source_id is None:
            return
        with self.store.transaction() as session:
            row = session.get(SourceRow, source_id)
            if row is None:
                return
            now = utcnow()
            row.last_polled_at = now
            row.last_error = error
            if error is None:
                row.last_ok_at = now
                row.state = dict(source.state)


def _guarded(results: Iterator[RawItem | Rejected], source: SourceConfig) -> Iterator[RawItem | Rejected]:
    """The connector's results; a connector that breaks on hostile content (a bug, not a
    decision) ends the source's fetch as ``BadInput`` ``C090``: what came before is stored,
    the source is quarantined with the reason, and the other sources go on."""
    try:
        yield from results
    except (BadInput, SourceUnavailable):
        raise
    except Exception as exc:  # RecursionError, MemoryError, a parser's own exception…
        log.exception("connector %s failed on source %s", source.kind, source.name)
        raise BadInput(
            f"the {source.kind} reader failed on {source.location} ({exc.__class__.__name__}: "
            f"{str(exc)[:300]}) — what came before was stored; fix or remove the item, and report it",
            code=codes.C090,
        ) from exc


def _entry(source: SourceConfig, key: str, error: BirlikError, payload: bytes | None) -> QuarantineEntry:
    return QuarantineEntry(
        source_name=source.name,
        source_kind=source.kind,
        location=source.location,
        item_key=key,
        code=error.code,
        reason=error.detail,
        options=dict(source.options),
        payload=payload,
    )


def _known(item: _Prepared, hashes: set[str], urls: set[str]) -> bool:
    prov = item.provenance
    return prov.content_hash in hashes or (prov.canonical_url is not None and prov.canonical_url in urls)


def _unique_ids(items: list[_Prepared]) -> None:
    """Document ids must be unique inside a batch: analysis results are keyed by them."""
    seen: set[str] = set()
    for item in items:
        if item.document.id in seen:
            item.document.id = f"{item.document.id}#{item.key}"
        seen.add(item.document.id)


def ensure_source(
    store: Store,
    *,
    kind: str,
    location: str,
    name: str | None,
    options: dict[str, object],
    poll_interval: int,
) -> tuple[SourceConfig, int]:
    """The registered source for this kind and location, registering it when new."""
    with store.transaction() as session:
        row = session.scalar(select(SourceRow).where(SourceRow.kind == kind, SourceRow.location == location))
        if row is None:
            row = repo.add_source(
                session,
                name=name or f"{kind}:{location}"[:200],
                kind=kind,
                location=location,
                options=dict(options),
                poll_interval=poll_interval,
            )
        return source_config(row), row.id


def source_config(row: SourceRow) -> SourceConfig:
    options = dict(row.options)
    options.setdefault("poll_interval", row.poll_interval)
    state = dict(row.state)
    if row.last_polled_at is not None:
        state["last_polled_at"] = row.last_polled_at.isoformat()
    return SourceConfig(name=row.name, kind=row.kind, location=row.location, options=options, state=state)
