"""Stories and claims for stored documents, assigned after each ingested batch.

``StoryLinker.assign(session, rows)`` embeds the rows that have no embedding (title and
lead), loads the documents of the surrounding time window with their stories, runs the
incremental clusterer, stores each document's story and near-duplicate group, updates the
story's first/last seen, outlets, languages, regions, peak tension and day-by-day growth,
and stores the document's claims. Memory holds the window, not the history. The runtime
builds one linker per process and hands ``linker.after_batch`` to the ``Ingestor``.
"""

from __future__ import annotations

import itertools
import logging
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from birlik.domain.records import Document, Mention, RegionScore
from birlik.domain.text import headline
from birlik.nlp.claims import Claim, Discrepancy, extract_claims, find_discrepancies
from birlik.nlp.embed import Embedder
from birlik.nlp.pipeline import ANALYSED_CHARS_FLAG
from birlik.store.models import DocumentRow, utcnow
from birlik.store.models_stories import ClaimRow, StoryMemberRow, StoryRow
from birlik.store.types import as_utc
from birlik.stories.clusterer import Assignment, ClusterSettings
from birlik.stories.linking import ConfirmSettings, Linkable, TieredClusterer, Upgrade, Vector, linkables
from birlik.stories.minhash import Signature
from birlik.stories.priors import with_prior
from birlik.stories.similarity import StoryFeatures
from birlik.stories.text import lead_text

log = logging.getLogger(__name__)

def document_of(row: DocumentRow) -> Document:
    """The analysis record of a stored document (entities, regions, tension) for linking."""
    return Document(
        id=str(row.id),
        text=row.text,
        title=row.title,
        lang=row.lang,
        langs=list(row.langs),
        published_at=row.published_at,
        source=row.outlet,
        entities=[
            Mention(start=m.start, end=m.end, text=m.text, type=m.type, id=m.entity_id) for m in row.mentions
        ],
        regions=[RegionScore(kato=r.region_kato, confidence=r.confidence) for r in row.regions],
        embedding=row.embedding,
        embedding_model=row.embedding_model,
    )


def seen_at(row: DocumentRow) -> datetime:
    """Publication time when trusted, else the time it was fetched."""
    moment = row.published_at if row.published_at is not None and not row.date_flag else row.fetched_at
    return as_utc(moment or utcnow())


class StoryLinker:
    """Built once with its embedder (and the static one distilled from it); assigns stories to
    batches of stored documents from the vectors stored with them (``stories.linking``)."""

    def __init__(
        self, embedder: Embedder, settings: ClusterSettings | None = None, *,
        static: Embedder | None = None, confirm: ConfirmSettings | None = None,
    ) -> None:
        self.embedder = embedder
        self.static = static
        self.settings = with_prior(settings, embedder.name)
        self.confirm = confirm or ConfirmSettings()
        self._known: OrderedDict[int, _Known | None] = OrderedDict()
        """Linker view and MinHash signature of stored documents already read (None: no vector
        to compare), so that each batch reads only the window's keys and what is new in it."""

    def assign(
        self, session: Session, rows: Sequence[DocumentRow], *, with_claims: bool = True
    ) -> list[Assignment]:
        if not rows:
            return []
        session.flush()
        docs = [document_of(row) for row in rows]
        fresh = linkables(docs, self.embedder, self.static, [seen_at(row) for row in rows])
        by_id = {row.id: row for row in rows}
        clusterer = self._clusterer_with_window(
            session, [item.features.time for item in fresh], set(by_id),
            lambda keys: self._upgrade(session, keys, by_id),
        )
        assignments = clusterer.add(fresh)
        features = [item.features for item in fresh]
        stories = self._store_assignments(session, by_id, features, assignments, fresh)
        self._store_upgrades(session, clusterer.upgraded, by_id)
        if with_claims:
            self._store_claims(session, rows, docs)
        log.info(
            "stories: %d documents, %d stories touched, %d confirmed by the model",
            len(rows), len(stories), len(clusterer.upgraded),
        )
        return assignments

    def forget(self) -> None:
        """Drop what this linker remembers of stored documents: for a caller that links
        against another stored state next (``scale.windows`` links each time window in a
        state of its own)."""
        self._known.clear()

    def after_batch(self, session: Session, rows: Sequence[DocumentRow]) -> None:
        """The ingest consumer: stories, near-duplicate groups and claims of a stored batch."""
        self.assign(session, rows)

    def _upgrade(
        self, session: Session, keys: list[str], by_id: dict[int, DocumentRow]
    ) -> dict[str, Vector]:
        """Model vectors (title and lead, ``ConfirmSettings.text_chars``) of these documents,
        each embedded once: bounded by ``ConfirmSettings.budget`` per batch."""
        rows = [by_id.get(int(key)) or session.get(DocumentRow, int(key)) for key in keys]
        found = [(key, row) for key, row in zip(keys, rows, strict=True) if row is not None]
        chars = self.confirm.text_chars
        texts = [lead_text(Document(id=key, text=row.text, title=row.title), chars) for key, row in found]
        if not texts:
            return {}
        vectors = self.embedder.embed(texts, "passage")
        return {key: np.asarray(v, dtype=np.float32) for (key, _), v in zip(found, vectors, strict=True)}

    def _store_upgrades(self, session: Session, keys: list[str], by_id: dict[int, DocumentRow]) -> None:
        """The confirmed documents' model vectors replace their static ones (one vector each)."""
        for key in keys:
            known = self._known.get(int(key))
            row = by_id.get(int(key)) or session.get(DocumentRow, int(key))
            vector = known.item.features.embedding if known is not None else None
            if row is None:
                continue
            if vector is None:
                member = session.get(StoryMemberRow, row.id)
                vector = np.frombuffer(member.embedding, np.float32) if member and member.embedding else None
            if vector is None:
                continue
            row.embedding, row.embedding_model = np.asarray(vector, np.float32), self.embedder.name
            member = session.get(StoryMemberRow, row.id)
            if member is not None:
                member.embedding = np.asarray(vector, dtype=np.float32).tobytes()

    def _clusterer_with_window(
        self, session: Session, times: list[datetime], exclude: set[int], upgrade: Upgrade
    ) -> TieredClusterer:
        """A clusterer holding the stored documents around ``times``, as their stories are now.

        Which documents and stories are in the window is read afresh each batch (other
        processes store too, and ``recluster_stored`` renames stories); what a document's
        features and signature are is read once per linker: they do not change once stored
        (a static-only document confirmed by the model is updated in place).
        """
        counter = itertools.count(1)
        clusterer = TieredClusterer(
            self.embedder.dim, self.settings, upgrade, confirm=self.confirm,
            new_story_id=lambda: f"new:{next(counter)}",
        )
        span = timedelta(hours=self.settings.window_hours)
        keys = (
            select(StoryMemberRow.document_id, StoryMemberRow.story_id, StoryMemberRow.dup_group)
            .where(StoryMemberRow.seen_at >= min(times) - span, StoryMemberRow.seen_at <= max(times) + span)
            .order_by(StoryMemberRow.seen_at, StoryMemberRow.document_id)
        )
        window = [row for row in session.execute(keys) if row.document_id not in exclude]
        unread = [row.document_id for row in window if row.document_id not in self._known]
        self._read_new(session, clusterer, unread)
        for document_id, story_id, dup_group in window:
            known = self._known.get(document_id)
            if known is None:
                continue  # no vector to compare (stories made with another embedder)
            self._known.move_to_end(document_id)
            clusterer.remember(
                known.item, str(story_id), str(dup_group), signed=known.signature, bands=known.bands
            )
        while len(self._known) > KNOWN_DOCUMENTS:
            self._known.popitem(last=False)
        return clusterer

    def _read_new(self, session: Session, clusterer: TieredClusterer, ids: list[int]) -> None:
        for start in range(0, len(ids), 500):
            query = (
                select(StoryMemberRow, DocumentRow)
                .join(DocumentRow, DocumentRow.id == StoryMemberRow.document_id)
                .where(StoryMemberRow.document_id.in_(ids[start : start + 500]))
                .options(selectinload(DocumentRow.mentions), selectinload(DocumentRow.regions))
            )
            pairs = [(member, row) for member, row in session.execute(query)]
            docs = []
            for member, row in pairs:
                doc = document_of(row)
                if member.embedding is not None and len(member.embedding) == 4 * self.embedder.dim:
                    doc.embedding = np.frombuffer(member.embedding, dtype=np.float32)
                    doc.embedding_model = self.embedder.name
                elif self.static is None:
                    doc.embedding = None  # nothing comparable without the model: not embedded again
                docs.append(doc)
            comparable = [
                (row, doc) for (_, row), doc in zip(pairs, docs, strict=True)
                if self.static is not None or doc.embedding is not None
            ]
            for _, row in pairs:
                self._known[row.id] = None
            times = [seen_at(row) for row, _ in comparable]
            items = linkables([doc for _, doc in comparable], self.embedder, self.static, times)
            for (row, _), item in zip(comparable, items, strict=True):
                signed = clusterer.inner.hasher.signatures([item.features.text])[0]
                self._known[row.id] = _Known(item, signed, clusterer.inner.lsh.band_keys(signed[0]))

    def _store_assignments(
        self,
        session: Session,
        by_id: dict[int, DocumentRow],
        fresh: list[StoryFeatures],
        assignments: list[Assignment],
        items: list[Linkable],
    ) -> dict[int, StoryRow]:
        new_ids: dict[str, StoryRow] = {}
        touched: dict[int, StoryRow] = {}
        # in the clusterer's (time) order: a story made in this batch is made by its first
        # document, which a newest-first feed lists after the ones that joined it
        ordered = sorted(zip(fresh, assignments, items, strict=True), key=lambda triple: triple[0].time)
        for features, assignment, item in ordered:
            row = by_id[int(features.key)]
            story = self._story_row(session, assignment, row, new_ids)
            dup_group = int(assignment.dup_of) if assignment.dup_of else row.id
            session.add(
                StoryMemberRow(
                    document_id=row.id,
                    story_id=story.id,
                    dup_group=dup_group,
                    canonical=assignment.dup_of is None,
                    linked_to=int(assignment.linked_to) if assignment.linked_to else None,
                    score=round(float(assignment.score), 4) if np.isfinite(assignment.score) else 0.0,
                    seen_at=features.time,
                    embedding=_model_bytes(features, item.has_model),
                )
            )
            _grow(story, row, features.time, duplicate=assignment.dup_of is not None)
            touched[story.id] = story
        return touched

    def _story_row(
        self, session: Session, assignment: Assignment, row: DocumentRow, new_ids: dict[str, StoryRow]
    ) -> StoryRow:
        if assignment.story in new_ids:
            return new_ids[assignment.story]
        if not assignment.new_story:
            story = session.get(StoryRow, int(assignment.story))
            if story is not None:
                return story
        moment = seen_at(row)
        story = StoryRow(
            title=headline(row.title or row.text, 120),
            representative_id=row.id,
            first_seen=moment,
            last_seen=moment,
            doc_count=0,
            duplicate_count=0,
            outlets={},
            langs=[],
            regions=[],
            timeline={},
        )
        session.add(story)
        session.flush()
        new_ids[assignment.story] = story
        return story

    def _store_claims(self, session: Session, rows: Sequence[DocumentRow], docs: Sequence[Document]) -> None:
        for row, doc in zip(rows, docs, strict=True):
            for claim in claims_to_store(row, doc):
                session.add(_claim_row(row.id, claim, row.outlet or doc.id))


def claims_to_store(row: DocumentRow, doc: Document) -> list[Claim]:
    """The claims the ``claims`` stage found when ``row`` was just stored from its analysis;
    else (a row read back, or a text analysed only in part) extracted from the stored row."""
    analysed = row.analysed
    if analysed is None or analysed.claims is None:
        return extract_claims(doc)
    if any(flag.startswith(ANALYSED_CHARS_FLAG) for flag in analysed.flags):
        return extract_claims(doc)  # the stage saw the first part; the row holds the whole text
    return analysed.claims


def _model_bytes(features: StoryFeatures, has_model: bool) -> bytes | None:
    """The model vector the linker compared (float32 bytes); None for a static-only document."""
    return np.asarray(features.embedding, dtype=np.float32).tobytes() if has_model else None


KNOWN_DOCUMENTS = 40_000
"""Stored documents whose features a linker keeps (a busy 72-hour window; ~3 KB each)."""


@dataclass(frozen=True, slots=True)
class _Known:
    item: Linkable
    signature: tuple[Signature, int]
    bands: list[tuple[int, int]]


def grow_story(story: StoryRow, row: DocumentRow, moment: datetime, *, duplicate: bool) -> None:
    """Add one document to the story's aggregates, as the linker does when it joins
    (``scale.windows`` rebuilds the aggregates of stories merged across time windows)."""
    _grow(story, row, moment, duplicate=duplicate)


def _grow(story: StoryRow, row: DocumentRow, moment: datetime, *, duplicate: bool) -> None:
    """Add one document to the story's aggregates (JSON fields are replaced, not mutated)."""
    first, last = as_utc(story.first_seen), as_utc(story.last_seen)
    story.first_seen, story.last_seen = min(first, moment), max(last, moment)
    story.doc_count = (story.doc_count or 0) + 1
    story.duplicate_count = (story.duplicate_count or 0) + int(duplicate)
    outlet = row.outlet or "(unknown)"
    story.outlets = {**story.outlets, outlet: int(story.outlets.get(outlet, 0)) + 1}
    story.langs = sorted({*story.langs, row.lang or "und"})
    story.regions = sorted({*story.regions, *(r.region_kato for r in row.regions)})
    if row.tension is not None:
        story.peak_tension = max(story.peak_tension or 0.0, row.tension)
    day = moment.date().isoformat()
    entry: dict[str, Any] = dict(story.timeline.get(day, {"docs": 0, "tension": None}))
    entry["docs"] = int(entry["docs"]) + 1
    if row.tension is not None:
        entry["tension"] = max(float(entry["tension"] or 0.0), row.tension)
    story.timeline = {**story.timeline, day: entry}
    story.updated_at = utcnow()


def _claim_row(document_id: int, claim: Claim, source: str | None) -> ClaimRow:
    return ClaimRow(
        document_id=document_id,
        subject=claim.subject[:80],
        subject_text=claim.subject_text,
        unit=claim.unit,
        value=claim.value,
        qualifier=claim.qualifier,
        text=claim.text,
        start=claim.start,
        end=claim.end,
        sentence=claim.sentence,
        period=claim.period,
        region_kato=claim.region,
        source=(source or claim.source or "")[:200] or None,
        lang=claim.lang,
        published_at=claim.published_at,
    )


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryFilters:
    since: datetime | None = None
    until: datetime | None = None
    min_docs: int = 1
    lang: str | None = None


def list_stories(session: Session, filters: StoryFilters, limit: int = 50) -> list[StoryRow]:
    query = select(StoryRow).where(StoryRow.doc_count >= filters.min_docs)
    if filters.since is not None:
        query = query.where(StoryRow.last_seen >= filters.since)
    if filters.until is not None:
        query = query.where(StoryRow.first_seen < filters.until)
    rows = list(session.scalars(query.order_by(StoryRow.last_seen.desc(), StoryRow.id.desc())))
    if filters.lang:
        rows = [row for row in rows if filters.lang in row.langs]
    return rows[:limit]


def story_documents(session: Session, story_id: int) -> list[tuple[StoryMemberRow, DocumentRow]]:
    query = (
        select(StoryMemberRow, DocumentRow)
        .join(DocumentRow, DocumentRow.id == StoryMemberRow.document_id)
        .where(StoryMemberRow.story_id == story_id)
        .order_by(StoryMemberRow.seen_at)
    )
    return [(member, row) for member, row in session.execute(query)]


def stored_claims(session: Session, subject: str | None = None) -> list[Claim]:
    query = select(ClaimRow).order_by(ClaimRow.subject, ClaimRow.published_at, ClaimRow.id)
    if subject:
        query = query.where(ClaimRow.subject == subject)
    return [claim_of(row) for row in session.scalars(query)]


def claim_of(row: ClaimRow) -> Claim:
    qualifier = row.qualifier if row.qualifier in ("exact", "at_least", "about", "at_most") else "exact"
    return Claim(
        document=str(row.document_id),
        value=row.value,
        unit=row.unit,
        qualifier=qualifier,  # type: ignore[arg-type]  # checked against the four values above
        subject=row.subject,
        subject_text=row.subject_text,
        text=row.text,
        start=row.start,
        end=row.end,
        sentence=row.sentence,
        period=row.period,
        region=row.region_kato,
        source=row.source,
        published_at=row.published_at,
        lang=row.lang,
    )


def stored_discrepancies(session: Session, subject: str | None = None) -> list[Discrepancy]:
    return find_discrepancies(stored_claims(session, subject))


def story_summary(row: StoryRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "first_seen": as_utc(row.first_seen).isoformat(),
        "last_seen": as_utc(row.last_seen).isoformat(),
        "docs": row.doc_count,
        "duplicates": row.duplicate_count,
        "outlets": dict(row.outlets),
        "langs": list(row.langs),
        "regions": list(row.regions),
        "peak_tension": row.peak_tension,
        "timeline": dict(sorted(row.timeline.items())),
    }


def recluster_stored(
    session: Session, linker: StoryLinker, *, since: datetime | None = None, until: datetime | None = None
) -> int:
    """Batch re-clustering: forget the stories of the documents in the period, assign again."""
    members = select(StoryMemberRow)
    if since is not None:
        members = members.where(StoryMemberRow.seen_at >= since)
    if until is not None:
        members = members.where(StoryMemberRow.seen_at < until)
    forgotten = list(session.scalars(members))
    ids = [member.document_id for member in forgotten]
    story_ids = {member.story_id for member in forgotten}
    for member in forgotten:
        session.delete(member)
    session.flush()
    for story in session.scalars(select(StoryRow).where(StoryRow.id.in_(story_ids))):
        session.delete(story)
    session.flush()
    rows = list(
        session.scalars(
            select(DocumentRow)
            .where(DocumentRow.id.in_(ids))
            .options(selectinload(DocumentRow.mentions), selectinload(DocumentRow.regions))
        )
    )
    rows.sort(key=lambda row: (seen_at(row), row.id))
    for first in range(0, len(rows), 256):
        linker.assign(session, rows[first : first + 256], with_claims=False)
    return len(rows)

