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
    is taken among the documents given. Ties: the higher id first.

    The words and the matches of all the texts are counted at once over their code points
    (``_batch_counts``); texts whose lowering is not one character for one (a dotted İ, a
    Greek Σ, which lowers by its context) are counted word by word, with the same result."""
    if not terms:
        return [doc_id for doc_id, _, _ in documents]
    if not documents:
        return []
    parts = [part or "" for _, title, body in documents for part in (title, body)]
    counted = _batch_counts(parts, terms)
    if counted is None:
        counted = _counts_word_by_word(parts, terms)
    words, counts = counted  # per part (title, body, title, body…); counts: one row per term
    words = 4 * words[0::2] + words[1::2]
    counts = 4 * counts[:, 0::2] + counts[:, 1::2]
    total = len(documents)
    mean = int(words.sum()) / total or 1.0
    norm = 1.2 * (0.25 + 0.75 * words / mean)
    score = np.zeros(total)
    for row in counts:  # in the terms' order, as a sum over them would add
        n = int(np.count_nonzero(row))
        idf = math.log(1 + (total - n + 0.5) / (n + 0.5))
        score = score + np.where(row > 0, idf * row * 2.2 / (row + norm), 0.0)
    ids = np.fromiter((doc_id for doc_id, _, _ in documents), dtype=np.int64, count=total)
    return [int(i) for i in ids[np.lexsort((-ids, -score))]]


Counts = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
"""Per text its words, and per term (a row) per text its words that the term matches."""


def _counts_word_by_word(parts: list[str], terms: list[str]) -> Counts:
    """Per text: its words (``_TOKEN``), and per term the words that, lowered, start with it."""
    words = np.zeros(len(parts), dtype=np.int64)
    counts = np.zeros((len(terms), len(parts)), dtype=np.int64)
    for at, part in enumerate(parts):
        tokens = _TOKEN.findall(part)
        words[at] = len(tokens)
        # each word lowered, after a space: " " + term occurs once per word it starts
        lowered = " " + " ".join(tokens).lower()
        for row, term in enumerate(terms):
            counts[row, at] = lowered.count(" " + term)
    return words, counts


def _batch_counts(parts: list[str], terms: list[str]) -> Counts | None:
    """``_counts_word_by_word`` of all the texts at once, over their code points: a word is a
    run of alphanumeric ones (``[^\\W_]`` is ``str.isalnum``), and it matches a term when its
    first ``len(term)`` code points, each lowered alone, are the term's. None when a text holds
    a code point that does not lower to one alone: İ (two), Σ (by its context)."""
    joined = "\n".join(parts)  # a separator that is no word character
    if any(irregular in joined for irregular in IRREGULAR_LOWERING):
        return None
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    alnum = _by_point(points, 1)
    starts = alnum.copy()
    starts[1:] &= ~alnum[:-1]
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    bounds = np.cumsum(lengths + 1) - 1  # the separator after each part
    start_at = np.flatnonzero(starts)
    part_of = np.searchsorted(bounds, start_at)
    words = np.bincount(part_of, minlength=len(parts))
    counts = np.zeros((len(terms), len(parts)), dtype=np.int64)
    longest = max(map(len, terms))
    padded = np.concatenate([points, np.zeros(longest, dtype=np.uint32)])  # 0: no word character
    for row, term in enumerate(terms):
        if not term.isalnum():  # "" starts every word; a word starts with no other such term
            counts[row] = words if not term else 0
            continue
        found = np.arange(len(start_at))  # the words still matching, by the term's code points
        for offset, char in enumerate(term):
            at = padded[start_at[found] + offset]
            found = found[_by_point(at, 0) == ord(char)]  # a lowered one is alphanumeric: in the word
        counts[row] = np.bincount(part_of[found], minlength=len(parts))
    return words.astype(np.int64), counts


IRREGULAR_LOWERING = ("\u0130", "\u03a3")
"""The code points that ``str.lower`` does not lower to one code point alone: İ (to two), Σ (by
its context). Every other one lowers to one, alphanumeric exactly when it is."""


@functools.lru_cache(maxsize=1)
def _plane_tables() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """Each code point of the Basic Multilingual Plane lowered alone, and ``str.isalnum``."""
    return (
        np.fromiter(map(_lower_point, range(0x10000)), dtype=np.uint32, count=0x10000),
        np.fromiter((chr(c).isalnum() for c in range(0x10000)), dtype=np.uint32, count=0x10000),
    )


def _lower_point(point: int) -> int:
    lowered = chr(point).lower()
    return ord(lowered) if len(lowered) == 1 else 0


def _by_point(points: npt.NDArray[np.uint32], table: int) -> Any:
    """Per code point, lowered alone (``table`` 0; 0 for İ) or whether alphanumeric (1)."""
    plane = _plane_tables()[table]
    if not len(points) or int(points.max()) < 0x10000:
        found = plane[points]
    else:  # beyond the plane (emoji…): each distinct code point asked once
        distinct, inverse = np.unique(points, return_inverse=True)
        ask = _lower_point if table == 0 else lambda c: int(chr(c).isalnum())
        looked = [int(plane[c]) if c < 0x10000 else ask(c) for c in distinct.tolist()]
        found = np.array(looked, dtype=np.uint32)[inverse]
    return found.astype(bool) if table == 1 else found


def snippet(body: str, terms: list[str], width: int = 160) -> str:
    spans = match_spans(body, terms)
    if spans:
        positions = [spans[0][0]]
    else:
        lowered = body.lower()
        positions = [p for p in (lowered.find(term) for term in terms) if p >= 0]
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
