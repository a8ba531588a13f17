"""Ingest one source: fetch, deduplicate, analyse, store — one transaction per batch.

Killing the process at any moment loses nothing and duplicates nothing: a batch is
stored whole or not at all, a source's poll state is saved only after its last batch,
and a rerun recognises what was stored by canonical URL and content hash.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.connectors.base import Rejected, SourceConfig, get_connector
from birlik.domain.errors import BadInput, BirlikError, SourceUnavailable
from birlik.domain.records import Document, RawItem
from birlik.ingest.dates import check_published_at
from birlik.ingest.identity import canonical_url, content_hash
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.text import clean_input
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

    def add(self, other: IngestReport) -> None:
        self.fetched += other.fetched
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.quarantined += other.quarantined
        self.unavailable.extend(other.unavailable)
        self.failed.extend(other.failed)


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


class Ingestor:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        pipeline: Pipeline,
        progress: Progress | None = None,
        after_batch: Sequence[AfterBatch] = (),
    ) -> None:
        """``after_batch``: the consumers each stored batch is handed to, in its transaction
        (the runtime passes stories and indicators); none by default."""
        self.settings = settings
        self.store = store
        self.pipeline = pipeline
        self.progress = progress
        self.after_batch = list(after_batch)
        self.earliest = date.fromisoformat(settings.earliest_date)
        self.future_tolerance = timedelta(hours=settings.future_tolerance_hours)

    def ingest(self, source: SourceConfig, source_id: int | None = None) -> IngestReport:
        report = IngestReport()
        connector = get_connector(source.kind, self.settings)
        batch = _Batch()
        try:
            for result in _guarded(connector.fetch(source, None), source):
                report.fetched += 1
                self._take(source, source_id, result, batch)
                if len(batch) >= self.settings.batch_size:
                    self._commit(source, batch, report)
                    batch = _Batch()
            self._commit(source, batch, report)
        except SourceUnavailable as exc:
            log.warning("source %s unavailable: %s", source.name, exc)
            report.unavailable.append(source.name)
            self._commit(source, batch, report)
            self._record_poll(source_id, source, error=str(exc))
            return report
        except BadInput as exc:
            self._commit(source, batch, report)
            self._quarantine_source(source, exc, report)
            self._record_poll(source_id, source, error=str(exc))
            return report
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
            raise BadInput(f"{item.key} has no text — nothing to analyse (an empty document)", code="I011")
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

    # --- storing a batch --------------------------------------------------------------

    def _commit(self, source: SourceConfig, batch: _Batch, report: IngestReport) -> None:
        if not len(batch):
            return
        with self.store.transaction() as session:
            fresh, seen_keys = self._fresh_items(session, batch.items)
        report.duplicates += len(batch.items) - len(fresh)
        analysed, failed = self._analyse([item.document for item in fresh])
        rejected = list(batch.rejected)
        for item in fresh:
            if item.document.id in failed:
                rejected.append(_entry(source, item.key, failed[item.document.id], None))
        with self.store.transaction() as session:
            stored = [
                repo.add_document(session, analysed[item.document.id], item.provenance)
                for item in fresh
                if item.document.id in analysed
            ]
            session.flush()
            for hook in self.after_batch:
                hook(session, stored)
            for entry in rejected:
                repo.quarantine(session, entry)
            stored_keys = seen_keys + [i.key for i in fresh if i.document.id in analysed]
            repo.resolve_quarantined(session, source.name, stored_keys)
        report.stored += len(analysed)
        report.quarantined += len(rejected)
        if self.progress is not None:
            self.progress(len(batch))

    def _fresh_items(
        self, session: Session, items: list[_Prepared]
    ) -> tuple[list[_Prepared], list[str]]:
        hashes = [i.provenance.content_hash for i in items]
        urls = [i.provenance.canonical_url for i in items if i.provenance.canonical_url]
        known_hashes, known_urls = repo.known_identities(session, hashes, urls)
        fresh: list[_Prepared] = []
        duplicate_keys: list[str] = []
        for item in items:
            prov = item.provenance
            if prov.content_hash in known_hashes or (prov.canonical_url in known_urls):
                duplicate_keys.append(item.key)
                continue
            known_hashes.add(prov.content_hash)
            if prov.canonical_url:
                known_urls.add(prov.canonical_url)
            fresh.append(item)
        _unique_ids(fresh)
        return fresh, duplicate_keys

    def _analyse(self, docs: list[Document]) -> tuple[dict[str, Document], dict[str, BirlikError]]:
        """Analyse a batch; if the batch fails, isolate the documents that fail alone."""
        try:
            return {doc.id: doc for doc in self.pipeline(docs)}, {}
        except Exception:  # a stage failing on one document must not lose the batch
            log.exception("batch analysis failed; retrying document by document")
        done: dict[str, Document] = {}
        failed: dict[str, BirlikError] = {}
        for doc in docs:
            try:
                done[doc.id] = self.pipeline([doc])[0]
            except Exception as exc:  # quarantined with the stage's message
                failed[doc.id] = BadInput(f"analysis failed: {exc}", code="P010")
        return done, failed

    # --- source bookkeeping -----------------------------------------------------------

    def _quarantine_source(self, source: SourceConfig, exc: BadInput, report: IngestReport) -> None:
        with self.store.transaction() as session:
            repo.quarantine(session, _entry(source, source.location, exc, None))
        report.quarantined += 1

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
            code="C090",
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
