"""Reads the pages and the API share, always through a ``RegionScope``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Select, TextClause, and_, exists, func, select, text
from sqlalchemy.orm import Session, selectinload

from birlik.cases.models import CaseRow
from birlik.nlp.embed import Embedder
from birlik.query import doc_columns, fts_plan
from birlik.query.filters import DocumentFilters
from birlik.query.scope import RegionScope
from birlik.signals.alerts import OPEN_STATUSES
from birlik.store.models import DocumentRegionRow, DocumentRow, MentionRow, SourceRow
from birlik.store.models_signals import AlertRow
from birlik.store.search import (
    QueryVector,
    match_spans,
    query_terms,
    relevance_order,
    semantic_ids,
    snippet,
)

INDICATORS: tuple[str, ...] = ("documents", "tension", "hate", "incidents")
SEMANTIC_CANDIDATES = 5000
V = TypeVar("V")


def cached(cache: dict[Any, tuple[float, Any]], key: Any, seconds: float, compute: Callable[[], V]) -> V:
    """Aggregates over the whole store are reused for a few seconds (dashboards poll them).

    One caller computes a missing value while the others asking for the same key wait for it:
    twenty dashboards opened at once cost one computation, not twenty competing ones.
    """
    hit = _fresh(cache, key, seconds)
    if hit is not None:
        return cast(V, hit[0])
    with _key_lock(key):
        hit = _fresh(cache, key, seconds)
        if hit is not None:
            return cast(V, hit[0])
        value = compute()
        if len(cache) >= 512:
            cache.clear()
        cache[key] = (time.monotonic(), value)
    return value


_KEY_LOCKS: dict[Any, threading.Lock] = {}
_KEY_LOCKS_GUARD = threading.Lock()


def _key_lock(key: Any) -> threading.Lock:
    with _KEY_LOCKS_GUARD:
        if len(_KEY_LOCKS) > 1024:
            _KEY_LOCKS.clear()
        return _KEY_LOCKS.setdefault(key, threading.Lock())


def _fresh(cache: dict[Any, tuple[float, Any]], key: Any, seconds: float) -> tuple[Any] | None:
    hit = cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < seconds:
        return (hit[1],)
    return None


# --- documents -----------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _filter_conditions(
    filters: DocumentFilters, *, walk_dates: bool = False
) -> list[ColumnElement[bool] | TextClause]:
    """The cheap filters. ``walk_dates``: written so that SQLite drives by the date index."""
    lang: Any = DocumentRow.lang
    incident: Any = DocumentRow.incident
    tension: Any = DocumentRow.tension
    if walk_dates:
        lang, incident, tension = fts_plan.plain(lang), fts_plan.plain(incident), fts_plan.plain(tension)
    conditions: list[ColumnElement[bool] | TextClause] = []
    if filters.langs:
        conditions.append(lang.in_(filters.langs))
    if filters.since:
        conditions.append(DocumentRow.published_at >= _day_start(filters.since))
    if filters.until:
        conditions.append(DocumentRow.published_at < _day_start(filters.until) + timedelta(days=1))
    if filters.incident:
        conditions.append(incident == filters.incident)
    if filters.min_tension is not None:
        conditions.append(tension >= filters.min_tension)
    if filters.ethnic:
        conditions.append(
            exists().where(
                MentionRow.document_id == DocumentRow.id,
                MentionRow.type == "ETHNIC_GROUP",
                MentionRow.entity_id.in_(filters.ethnic),
            )
        )
    return conditions


def filter_conditions(filters: DocumentFilters) -> list[ColumnElement[bool] | TextClause]:
    """The filters other than the text query and the regions."""
    return _filter_conditions(filters)


def _fulltext_condition(session: Session, q: str) -> ColumnElement[bool] | TextClause | None:
    terms = query_terms(q)
    if not terms:
        return None
    if session.get_bind().dialect.name == "sqlite":
        match = " ".join(f'"{term}"*' for term in terms)
        return DocumentRow.id.in_(
            select(text("rowid"))
            .select_from(text("documents_fts"))
            .where(text("documents_fts MATCH :match").bindparams(match=match))
        )
    tsquery = " & ".join(f"{term}:*" for term in terms)
    return text("documents.search_vector @@ to_tsquery('simple', :tsq)").bindparams(tsq=tsquery)


def document_query(session: Session, scope: RegionScope, filters: DocumentFilters) -> Select[DocumentRow]:
    statement = scope.documents(select(DocumentRow), filters.regions)
    conditions = _filter_conditions(filters)
    if filters.mode != "semantic":
        fulltext = _fulltext_condition(session, filters.q)
        if fulltext is not None:
            conditions.append(fulltext)
    return statement.where(and_(*conditions)) if conditions else statement


def matching_ids(
    session: Session, scope: RegionScope, filters: DocumentFilters, *, limit: int = 500, offset: int = 0
) -> list[int]:
    """Ids of the documents the filters and the text query find (in scope), in the filters'
    order (the newest first by default)."""
    if filters.order != "newest" and not filters.semantic:
        return ordered_ids(session, scope, filters, limit=limit, offset=offset)
    if session.get_bind().dialect.name == "sqlite" and filters.mode != "semantic":
        held = _held_first(session, scope, filters, limit + offset, doc_columns.newest_first)
        if held is not None:
            return held[offset:]
        base = scope.documents(select(DocumentRow.id), filters.regions)
        conditions = _filter_conditions(filters, walk_dates=True)
        if conditions:
            base = base.where(and_(*conditions))
        terms = query_terms(filters.q)
        match = " ".join(f'"{term}"*' for term in terms) if terms else None
        return fts_plan.newest_ids(session, base, match, limit=limit, offset=offset)
    statement = document_query(session, scope, filters).with_only_columns(DocumentRow.id)
    ordered = statement.order_by(DocumentRow.published_at.desc().nulls_last(), DocumentRow.id.desc())
    return [int(i) for i in session.scalars(ordered.limit(limit).offset(offset))]


def ordered_ids(
    session: Session, scope: RegionScope, filters: DocumentFilters, *, limit: int, offset: int = 0
) -> list[int]:
    """Ids in the order ``oldest``, ``tension`` (the most tense first) or ``relevance``.

    SQLite walks the date or the tension index like the newest-first list (``fts_plan``), so a
    common term costs no more than a rare one. Relevance ranks the newest
    ``RELEVANCE_CANDIDATES`` documents that match by BM25 (``store.search.relevance_order``),
    the same on both backends: ranking every match of a term in 190,000 documents takes
    seconds in either engine."""
    order = filters.order
    if order == "relevance":
        newest = replace(filters, sort="newest")
        candidates = _relevance_candidates(session, scope, newest)
        if not candidates:
            return []
        terms = query_terms(filters.q)
        ranked = RANKINGS.get(candidates, terms)
        if ranked is None:
            ranked = relevance_order(_relevance_texts(session, candidates), terms)
            RANKINGS.keep(candidates, terms, ranked)
        return ranked[offset : offset + limit]
    if session.get_bind().dialect.name == "sqlite":
        if order == "tension":
            held = _held_first(session, scope, filters, limit + offset, doc_columns.most_tense_first)
            if held is not None:
                return held[offset:]
        terms = query_terms(filters.q)
        match = " ".join(f'"{term}"*' for term in terms) if terms else None
        base = scope.documents(select(DocumentRow.id), filters.regions)
        conditions = _filter_conditions(filters, walk_dates=True)
        if conditions:
            base = base.where(and_(*conditions))
        walk = _SQLITE_ORDERS[order]
        return fts_plan.newest_ids(session, base, match, limit=limit, offset=offset, order=walk)
    statement = document_query(session, scope, filters).with_only_columns(DocumentRow.id)
    if order == "oldest":
        statement = statement.order_by(DocumentRow.published_at.asc(), DocumentRow.id)
    else:
        statement = statement.order_by(DocumentRow.tension.desc().nulls_last(), DocumentRow.id.desc())
    return [int(i) for i in session.scalars(statement.limit(limit).offset(offset))]


def _held_first(
    session: Session,
    scope: RegionScope,
    filters: DocumentFilters,
    count: int,
    first: Callable[[doc_columns.Columns, Any, int], list[int]],
) -> list[int] | None:
    """The first ``count`` documents found, in ``first``'s order, from the columns kept per
    process (SQLite; None when a filter is not held there or they are being read: the index
    walk answers). A changed score orders by its new value within ``doc_columns.REFRESH_SECONDS``.
    With nothing to filter the walk reads just the page, cheaper than sorting every document."""
    if scope.all_regions and replace(filters, sort="newest", mode="text") == DocumentFilters():
        return None
    terms = query_terms(filters.q)
    match = " ".join(f'"{term}"*' for term in terms) if terms else None
    held = doc_columns.found_mask(session, scope, filters, match)
    return None if held is None else first(*held, count)


class Rankings:
    """The last ``size`` relevance rankings, by their candidates and terms: a ranking depends on
    nothing else (a document's title and text do not change), so the next page of a search, or
    the same search again, reuses it exactly instead of reading 500 texts again."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._kept: dict[tuple[tuple[int, ...], tuple[str, ...]], list[int]] = {}
        self._lock = threading.Lock()

    def get(self, candidates: list[int], terms: list[str]) -> list[int] | None:
        with self._lock:
            return self._kept.get((tuple(candidates), tuple(terms)))

    def keep(self, candidates: list[int], terms: list[str], ranked: list[int]) -> None:
        with self._lock:
            if len(self._kept) >= self.size:
                del self._kept[next(iter(self._kept))]  # the oldest
            self._kept[(tuple(candidates), tuple(terms))] = ranked


RANKINGS = Rankings()


def _relevance_candidates(session: Session, scope: RegionScope, filters: DocumentFilters) -> list[int]:
    """The newest ``RELEVANCE_CANDIDATES`` documents found: on SQLite from the filters' columns
    kept per process (``doc_columns``) and the term's cached set, else by the newest-first walk."""
    terms = query_terms(filters.q)
    if session.get_bind().dialect.name == "sqlite" and terms:
        match = " ".join(f'"{term}"*' for term in terms)
        held = doc_columns.found_mask(session, scope, filters, match)
        if held is not None:
            return doc_columns.newest_first(*held, RELEVANCE_CANDIDATES)
    return matching_ids(session, scope, filters, limit=RELEVANCE_CANDIDATES)


def _relevance_texts(session: Session, ids: list[int]) -> list[tuple[int, str, str]]:
    """``(id, title, the first RELEVANCE_TEXT characters)`` of these documents. On SQLite the
    ids are written into the statement (integers, each through ``int``): 500 bound parameters
    cost SQLAlchemy more to render than SQLite takes to read the rows."""
    if session.get_bind().dialect.name == "sqlite":
        listed = ",".join(str(int(i)) for i in ids)
        statement: Any = text(
            f"SELECT id, title, substr(text, 1, :chars) FROM documents WHERE id IN ({listed})"
        ).bindparams(chars=RELEVANCE_TEXT)
    else:
        statement = select(
            DocumentRow.id, DocumentRow.title, func.substr(DocumentRow.text, 1, RELEVANCE_TEXT)
        ).where(DocumentRow.id.in_(ids))
    return [(int(doc_id), title or "", body or "") for doc_id, title, body in session.execute(statement)]


RELEVANCE_CANDIDATES = 500
"""Relevance ranks the newest this many documents that match."""
RELEVANCE_TEXT = 4000
"""The characters of each text it reads."""
_SQLITE_ORDERS: dict[str, tuple[Any, ...]] = {
    "oldest": (DocumentRow.published_at.asc(), DocumentRow.id.asc()),  # the date index, backwards
    "tension": (DocumentRow.tension.desc(), DocumentRow.id.desc()),  # the tension index
}


def semantic_ranking(
    session: Session,
    scope: RegionScope,
    filters: DocumentFilters,
    embedder: Embedder,
    static: Embedder | None,
    count: int,
) -> list[int]:
    """Ids of the ``count`` documents nearest the query in meaning, among those the other
    filters find in scope: the query embedded by the configured embedder (compared with the
    vectors it made) and by the static table distilled from it (compared with the static
    vectors of the other documents); see ``store.search.semantic_ids``."""
    statement = document_query(session, scope, filters)
    queries = [QueryVector(embedder.name, _query_vector(embedder, filters.q), legacy=True)]
    if static is not None:
        queries.append(QueryVector(static.name, _query_vector(static, filters.q)))
    return semantic_ids(session, statement, queries, limit=count, candidates=SEMANTIC_CANDIDATES)


def _query_vector(embedder: Embedder, q: str) -> npt.NDArray[np.float32]:
    vector: npt.NDArray[np.float32] = np.asarray(embedder.embed([q], kind="query"), dtype=np.float32)[0]
    return vector


def document_card(row: DocumentRow, q: str = "") -> dict[str, Any]:
    """What a list shows of a document; authors appear only as their stored pseudonym."""
    return _card(row, [region.region_kato for region in row.regions], query_terms(q) if q else [])


_CARD_COLUMNS = (
    DocumentRow.id,
    DocumentRow.title,
    DocumentRow.text,
    DocumentRow.lang,
    DocumentRow.published_at,
    DocumentRow.outlet,
    DocumentRow.url,
    DocumentRow.author,
    DocumentRow.platform,
    DocumentRow.tension,
    DocumentRow.hate,
    DocumentRow.incident,
)


def cards_by_ids(session: Session, ids: list[int], q: str = "") -> list[dict[str, Any]]:
    """The cards of ``ids`` in that order, read as plain rows (a list page needs no ORM objects)."""
    if not ids:
        return []
    regions: dict[int, list[str]] = {}
    links = select(DocumentRegionRow.document_id, DocumentRegionRow.region_kato).where(
        DocumentRegionRow.document_id.in_(ids)
    )
    for doc_id, kato in session.execute(links):
        regions.setdefault(doc_id, []).append(kato)
    rows = {row.id: row for row in session.execute(select(*_CARD_COLUMNS).where(DocumentRow.id.in_(ids)))}
    terms = query_terms(q) if q else []
    return [_card(rows[i], regions.get(i, []), terms) for i in ids if i in rows]


def _card(row: Any, regions: list[str], terms: list[str]) -> dict[str, Any]:
    cut = snippet(row.text, terms, width=220)
    return {
        "id": row.id,
        "title": row.title,
        "snippet": cut,
        "highlights": {"title": match_spans(row.title or "", terms), "snippet": match_spans(cut, terms)},
        "lang": row.lang,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "outlet": row.outlet,
        "url": row.url,
        "author": row.author,
        "platform": row.platform,
        "tension": row.tension,
        "hate": row.hate,
        "incident": row.incident,
        "regions": sorted(regions),
    }


def list_cards(
    session: Session,
    scope: RegionScope,
    filters: DocumentFilters,
    *,
    limit: int = 25,
    offset: int = 0,
    embedder: Callable[[], Embedder] | None = None,
    static: Callable[[], Embedder | None] | None = None,
) -> list[dict[str, Any]]:
    """A page of documents as cards: by meaning (semantic search with a query), else in the
    filters' order.
    ``static``: the static embedder distilled from ``embedder`` (the vectors of non-salient
    documents), when there is one."""
    if filters.semantic and embedder is not None:
        companion = static() if static is not None else None
        ranked = semantic_ranking(session, scope, filters, embedder(), companion, offset + limit)
        ids = ranked[offset:]
    else:
        ids = matching_ids(session, scope, filters, limit=limit, offset=offset)
    return cards_by_ids(session, ids, filters.q)


def document_detail(row: DocumentRow) -> dict[str, Any]:
    card = document_card(row)
    card["text"] = row.text
    card["mentions"] = [
        {
            "start": m.start,
            "end": m.end,
            "text": m.text,
            "type": m.type,
            "id": m.entity_id,
            "derogatory": m.derogatory,
        }
        for m in sorted(row.mentions, key=lambda m: m.start)
    ]
    card["signals"] = {
        signal.name: {
            "score": signal.score,
            "label": signal.label,
            "evidence": signal.evidence,
            "reasons": signal.reasons,
        }
        for signal in row.signals
    }
    return card


def highlight(detail: dict[str, object], *, limit: int | None = None) -> list[tuple[str, str]]:
    """The text cut into (kind, piece): ``""`` for plain text, else the mention or evidence kind.

    With ``limit``, only the first ``limit`` characters (a span crossing the cut is left out)."""
    text = str(detail["text"])
    tail = ""
    if limit is not None and len(text) > limit:
        text, tail = text[:limit], "…"
    spans: list[tuple[int, int, str]] = []
    for mention in detail["mentions"]:  # type: ignore[attr-defined]  # a list of dicts built by document_detail
        spans.append(
            (
                int(mention["start"]),
                int(mention["end"]),
                "slur" if mention["derogatory"] else mention["type"].lower(),
            )
        )
    for signal in detail["signals"].values():  # type: ignore[attr-defined]  # a dict built by document_detail
        for evidence in signal.get("evidence") or []:
            if isinstance(evidence, dict) and "start" in evidence:
                spans.append((int(evidence["start"]), int(evidence["end"]), "evidence"))
    out, cursor = [], 0
    for start, end, kind in sorted(spans):
        if start < cursor or end > len(text):
            continue
        out.append(("", text[cursor:start]))
        out.append((kind, text[start:end]))
        cursor = end
    out.append(("", text[cursor:] + tail))
    return out


# --- overview --------------------------------------------------------------------------


def daily_counts(session: Session, scope: RegionScope, since: datetime) -> list[tuple[str, int]]:
    if session.get_bind().dialect.name == "sqlite":
        day: Any = func.substr(DocumentRow.published_at, 1, 10)
    else:
        day = func.to_char(DocumentRow.published_at, "YYYY-MM-DD")
    statement = scope.documents(
        select(day, func.count()).where(DocumentRow.published_at >= since).group_by(day).order_by(day)
    )
    return [(str(d), int(n)) for d, n in session.execute(statement)]


def latest_alerts(session: Session, scope: RegionScope, limit: int = 8) -> list[AlertRow]:
    statement = scope.alerts(select(AlertRow)).order_by(AlertRow.updated_at.desc(), AlertRow.id.desc())
    return list(session.scalars(statement.limit(limit)))


def top_documents(session: Session, scope: RegionScope, since: datetime, limit: int = 8) -> list[DocumentRow]:
    statement = scope.documents(select(DocumentRow).where(DocumentRow.published_at >= since))
    statement = statement.order_by(DocumentRow.tension.desc().nulls_last(), DocumentRow.id.desc())
    return list(session.scalars(statement.limit(limit).options(selectinload(DocumentRow.regions))))


def period_end(session: Session) -> datetime:
    """Where the overview's period ends: now, or the newest publication when the store has
    nothing newer (a demo corpus, a paused system), so that the dashboard shows its last data."""
    now = datetime.now(UTC)
    newest: datetime | None = session.scalar(select(func.max(DocumentRow.published_at)))
    if newest is None:
        return now
    return min(now, newest + timedelta(seconds=1))


def top_cards(
    cache: dict[Any, tuple[float, Any]],
    seconds: float,
    session: Session,
    scope: RegionScope,
    days: int,
    since: datetime,
) -> list[dict[str, Any]]:
    """The most tense documents of the period as cards, reused like the aggregates."""
    return cached(
        cache,
        ("top", scope, days),
        seconds,
        lambda: [document_card(d) for d in top_documents(session, scope, since)],
    )


# --- alerts, cases, sources ---------------------------------------------------------------


def list_alerts(
    session: Session, scope: RegionScope, status: str | None = None, limit: int = 100
) -> list[AlertRow]:
    """The alerts in scope, newest first; ``status``: one status, ``open`` (not yet dismissed
    or closed) or None (all)."""
    statement = scope.alerts(select(AlertRow))
    if status == "open":
        statement = statement.where(AlertRow.status.in_(OPEN_STATUSES))
    elif status:
        statement = statement.where(AlertRow.status == status)
    return list(
        session.scalars(statement.order_by(AlertRow.updated_at.desc(), AlertRow.id.desc()).limit(limit))
    )


def list_cases(
    session: Session, scope: RegionScope, status: str | None = None, limit: int = 300
) -> list[CaseRow]:
    statement = scope.cases(select(CaseRow))
    if status:
        statement = statement.where(CaseRow.status == status)
    return list(
        session.scalars(statement.order_by(CaseRow.updated_at.desc(), CaseRow.id.desc()).limit(limit))
    )


def alerts_of_cases(session: Session, cases: Iterable[CaseRow]) -> dict[int, AlertRow]:
    """The alerts the cases were opened from, by id (a case is in scope, so its alert is)."""
    ids = sorted({c.alert_id for c in cases if c.alert_id is not None})
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(AlertRow).where(AlertRow.id.in_(ids)))}


def source_health(session: Session, scope: RegionScope, *, administrator: bool) -> list[dict[str, Any]]:
    """Sources and their health; documents counted within the scope's regions. Where a source
    reads from (a server path or URL) and its last error (which names it) are for
    administrators only: ``None`` for everyone else."""
    counts = dict(
        session.execute(
            select(DocumentRow.source_id, func.count())
            .where(scope.document_condition())
            .group_by(DocumentRow.source_id)
        ).all()
    )
    now = datetime.now(UTC)
    out = []
    for source in session.scalars(select(SourceRow).order_by(SourceRow.name)):
        last_ok = source.last_ok_at  # aware: UtcDateTime
        overdue = last_ok is None or (now - last_ok).total_seconds() > 3 * source.poll_interval
        out.append(
            {
                "name": source.name,
                "kind": source.kind,
                "location": source.location if administrator else None,
                "enabled": source.enabled,
                "documents": int(counts.get(source.id, 0)),
                "last_polled_at": source.last_polled_at.isoformat() if source.last_polled_at else None,
                "last_ok_at": last_ok.isoformat() if last_ok else None,
                "last_error": source.last_error if administrator else None,
                "health": "error" if source.last_error else ("stale" if overdue else "ok"),
            }
        )
    return out
