"""The store's search primitives: query terms cut as the full-text indexes cut words, snippets
and matched spans, relevance order, and semantic search over the stored document vectors
(``semantic_ids``). Filters, scope and plans are the query layer's (``birlik.query``)."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import ColumnElement, Select, func, or_, text
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import ConfigError, EmbedderMismatch
from birlik.nlp.embed import check_comparable
from birlik.store.models import DocumentRow
from birlik.store.vectors import pg_distance

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
"""A word as the full-text indexes cut text: letters and digits (SQLite's unicode61; PostgreSQL's
"simple" parser also indexes each part of a hyphenated word)."""
_DECLINING_ENDING = re.compile(r"(?<=\w{4})[аяыиоеуюьй]$")
_SOFTENING_ENDING = re.compile(r"(?<=\w{5})[қкп]$")
"""Kazakh voices a final қ, к, п before a vowel (орталық → орталығы, кітап → кітабы): the
prefix stops before it (words of six letters or more, so that short stems stay precise)."""


def query_terms(query: str) -> list[str]:
    """Search prefixes for the words of a query: a word is matched with any ending,
    a final Russian vowel is dropped so that ``Астана`` also finds ``Астане``, and a final
    Kazakh қ/к/п so that ``орталық`` also finds ``орталығы``."""
    terms = []
    for word in _WORD.findall(query.lower()):
        terms.append(_SOFTENING_ENDING.sub("", _DECLINING_ENDING.sub("", word)))
    if len(terms) > 32:
        raise ConfigError("the query has more than 32 words — shorten it", code=codes.Q001)
    return terms


def match_spans(body: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the words of ``body`` that the terms (``query_terms``) match are: each word that
    starts with a term, as the prefix queries of both engines match it, so the inflected forms
    a search found (``Астане``, ``қазақтардың``) are the ones marked."""
    if not terms:
        return []
    lowered = body.lower()
    if len(lowered) == len(body) and "\u03a3" not in body:  # each character lowered alone (not
        # a length-changing İ, nor Σ, which lowers by its context): one pass of one pattern
        return [(m.start(), m.end()) for m in _prefix_pattern(tuple(terms)).finditer(lowered)]
    prefixes = tuple(terms)
    return [(m.start(), m.end()) for m in _TOKEN.finditer(body) if m.group().lower().startswith(prefixes)]


@functools.lru_cache(maxsize=256)
def _prefix_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """The words (``_TOKEN``) of a lowered text that start with one of the terms: a term that
    is not all word characters starts no word (it matches nothing)."""
    words = sorted({t for t in terms if _TOKEN.fullmatch(t)}, key=len, reverse=True)
    if "" in terms:  # every word
        return _TOKEN
    if not words:
        return re.compile(r"(?!)")
    return re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, words)) + r")[^\W_]*")


def relevance_order(documents: Sequence[tuple[int, str, str]], terms: list[str]) -> list[int]:
    """The ids of ``(id, title, text)`` ranked by BM25 (k1 1.2, b 0.75) over their words that the
    terms match (``match_spans``), a title's counted four times; the inverse document frequency
    is taken among the documents given. Ties: the higher id first."""
    if not terms:
        return [doc_id for doc_id, _, _ in documents]
    stats: list[tuple[int, dict[str, int], int]] = []
    holding = dict.fromkeys(terms, 0)
    for doc_id, title, body in documents:
        counts = dict.fromkeys(terms, 0)
        words = 0
        for weight, part in ((4, title or ""), (1, body or "")):
            tokens = _TOKEN.findall(part)
            words += weight * len(tokens)
            # each word lowered, after a space: " " + term occurs once per word it starts
            lowered = " " + " ".join(tokens).lower()
            for term in terms:
                counts[term] += weight * lowered.count(" " + term)
        for term in terms:
            holding[term] += counts[term] > 0
        stats.append((doc_id, counts, words))
    total = len(stats)
    mean = sum(words for _, _, words in stats) / total or 1.0
    idf = {term: math.log(1 + (total - n + 0.5) / (n + 0.5)) for term, n in holding.items()}
    scored = []
    for doc_id, counts, words in stats:
        norm = 1.2 * (0.25 + 0.75 * words / mean)
        score = sum(idf[t] * c * 2.2 / (c + norm) for t, c in counts.items() if c)
        scored.append((-score, -doc_id))
    return [-negative for _, negative in sorted(scored)]


def snippet(body: str, terms: list[str], width: int = 160) -> str:
    lowered = body.lower()
    spans = match_spans(body, terms)
    positions = [spans[0][0]] if spans else [p for p in (lowered.find(term) for term in terms) if p >= 0]
    centre = min(positions) if positions else 0
    start = max(0, centre - width // 3)
    end = min(len(body), start + width)
    piece = " ".join(body[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(body) else "")


# --- semantic search over the stored document vectors ------------------------------------


@dataclass(frozen=True, slots=True)
class QueryVector:
    """The query embedded by one embedder: it is compared with the vectors that embedder made."""

    model: str
    vector: npt.NDArray[np.float32]
    legacy: bool = False
    """Also compare with vectors stored before their maker was recorded (migration 0010)."""


def semantic_ids(
    session: Session,
    statement: Select[Any],
    queries: Sequence[QueryVector],
    *,
    limit: int,
    offset: int = 0,
    candidates: int = 5000,
) -> list[int]:
    """Ids of the documents of ``statement`` (a filtered ``select`` of documents) nearest in
    meaning, each compared only with the query vector of its own embedder; the ranked lists of
    the embedders alternate (their cosines are not on one scale). PostgreSQL ranks the whole
    table through the HNSW index of the dimension; SQLite ranks the newest ``candidates``
    documents of each embedder in numpy. Stored vectors that no query vector can be compared
    with (another embedder's, or another size) are ``[M114]`` on the first page, never a page
    that silently leaves them out."""
    postgres = session.get_bind().dialect.name == "postgresql"
    ranked = [
        (_ranked_pg if postgres else _ranked_sqlite)(session, statement, query, offset + limit, candidates)
        for query in queries
    ]
    merged: list[int] = []
    for rank in range(max((len(ids) for ids in ranked), default=0)):
        merged += [ids[rank] for ids in ranked if rank < len(ids) and ids[rank] not in merged]
    if offset == 0:  # the first page says when some vectors cannot be compared
        _check_stored_models(session, statement, queries)
    return merged[offset : offset + limit]


def _model_condition(query: QueryVector) -> ColumnElement[bool]:
    same = DocumentRow.embedding_model == query.model
    return or_(same, DocumentRow.embedding_model.is_(None)) if query.legacy else same


def _ranked_pg(
    session: Session, statement: Select[Any], query: QueryVector, count: int, candidates: int
) -> list[int]:
    del candidates  # the index ranks the whole table
    distance = pg_distance(DocumentRow.embedding, query.vector)
    ranked = (
        statement.with_only_columns(DocumentRow.id)
        .where(_model_condition(query), func.vector_dims(DocumentRow.embedding) == len(query.vector))
        .order_by(distance)
        .limit(count)
    )
    return [int(i) for i in session.scalars(ranked)]


def _ranked_sqlite(
    session: Session, statement: Select[Any], query: QueryVector, count: int, candidates: int
) -> list[int]:
    rows = session.execute(
        statement.with_only_columns(DocumentRow.id, DocumentRow.embedding)
        .where(DocumentRow.embedding.is_not(None), _model_condition(query))
        .order_by(DocumentRow.published_at.desc().nulls_last(), DocumentRow.id.desc())
        .limit(candidates)
    ).all()
    if not rows:
        return []
    check_comparable(len(query.vector), (0 if v is None else len(v) for _, v in rows), what="stored document")
    matrix = np.stack([np.asarray(vector, dtype=np.float32) for _, vector in rows])
    order = np.argsort(-(matrix @ query.vector), kind="stable")[:count]
    return [int(rows[int(i)][0]) for i in order]


def _check_stored_models(session: Session, statement: Select[Any], queries: Sequence[QueryVector]) -> None:
    """``[M114]`` when the documents searched carry vectors that no query vector can be compared
    with (another embedder made them, or they have another size).

    PostgreSQL first lists the kinds of vector stored at all (``stored_kinds``: a few index
    probes); when each is comparable, so is each one searched, and the searched documents are
    not read (at 1M documents that read was a scan of the table: seconds)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    usable: set[tuple[str | None, int]] = {(q.model, len(q.vector)) for q in queries}
    usable |= {(None, len(q.vector)) for q in queries if q.legacy}
    if postgres and stored_kinds(session) <= usable:
        return
    size = func.vector_dims(DocumentRow.embedding) if postgres else func.length(DocumentRow.embedding) / 2
    stored = session.execute(
        statement.with_only_columns(DocumentRow.embedding_model, size)
        .where(DocumentRow.embedding.is_not(None))
        .distinct()
        .limit(20)
    ).all()
    other = sorted({(str(model), int(dim)) for model, dim in stored if (model, int(dim)) not in usable})
    if other:
        made = ", ".join(f"{model} ({dim} dimensions)" for model, dim in other)
        wanted = ", ".join(f"{q.model} ({len(q.vector)})" for q in queries)
        raise EmbedderMismatch(
            f"the stored document vectors were made by {made}, the query by {wanted}: they are not "
            "comparable — set BIRLIK_EMBEDDER to the embedder that made them, or re-embed the "
            "documents",
            code=codes.M114,
        )


_STORED_KINDS = text(
    """WITH RECURSIVE kinds(model, dims) AS (
        (SELECT coalesce(embedding_model, ''), vector_dims(embedding) FROM documents
         WHERE embedding IS NOT NULL ORDER BY 1, 2 LIMIT 1)
        UNION ALL
        SELECT next.model, next.dims FROM kinds CROSS JOIN LATERAL (
            SELECT coalesce(embedding_model, '') AS model, vector_dims(embedding) AS dims
            FROM documents WHERE embedding IS NOT NULL
            AND (coalesce(embedding_model, ''), vector_dims(embedding)) > (kinds.model, kinds.dims)
            ORDER BY 1, 2 LIMIT 1) AS next)
    SELECT model, dims FROM kinds"""
)


def stored_kinds(session: Session) -> set[tuple[str | None, int]]:
    """Every (embedder, dimension) of the vectors stored on PostgreSQL (None: a vector stored
    before its maker was recorded), by a skip scan of ``ix_documents_embedding_kind``
    (migration 0013): one index probe per kind, whatever the number of documents."""
    return {(str(model) or None, int(dims)) for model, dims in session.execute(_STORED_KINDS)}
