"""Newest-first filtered document lists on SQLite that stay fast whatever the query term.

A list page asks for the newest 25 documents that pass cheap filters (region, language,
tension, dates…) and contain a text query. Which side should drive depends on how common the
term is, which SQLite's planner cannot know for an FTS5 match:

* a **rare** term (at most ``RARE_LIMIT`` documents) drives: its documents are looked up by
  key and sorted — cost grows with the term's documents, a few milliseconds;
* a **common** term does not filter much: the documents are walked newest first through the
  date index (which also carries language, tension and incident) with the cheap filters, in
  growing steps, and each step is checked against the term's set of documents until the page
  is full. Building that set is the one expensive step (a prefix query merges every matching
  token's list: ~30 ms for a term in 190,000 documents), so it is kept per process, keyed by
  the term and the newest document id, for ``SET_SECONDS``, and built once while concurrent
  requests for the same term wait. The set also tells whether the term is rare.

Without a text query the walk is the same, with no set to check.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, Select, func, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.expression import UnaryExpression

from birlik.query.stamp import Stamp, file_stamp
from birlik.store.models import DocumentRow

RARE_LIMIT = 5000
"""A term with at most this many documents drives the query itself."""
MAX_CHUNK = 2000
"""Most newest-first candidates fetched per step of the walk (steps start at about the page)."""
SET_SECONDS = 60.0
"""How long a common term's document set is reused (new documents change its key at once),
and again as long as the database was not written (``stamp.file_stamp``)."""
MAX_CACHED_IDS = 4_000_000
"""Bound on the document ids the per-process set cache holds (8 bytes each)."""


class TermSets:
    """Per-process cache of ``match string → sorted document ids`` for common terms (and of
    ``filters → candidate ids`` for counts: ``CANDIDATE_SETS``)."""

    def __init__(self, max_ids: int = MAX_CACHED_IDS, seconds: float = SET_SECONDS) -> None:
        self.max_ids = max_ids
        self.seconds = seconds
        self._sets: OrderedDict[Hashable, tuple[float, np.ndarray[Any, Any], Stamp | None]] = OrderedDict()
        self._guard = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(
        self, key: Hashable, build: Callable[[], np.ndarray[Any, Any]], stamp: Stamp | None = None
    ) -> np.ndarray[Any, Any]:
        """The set of ``key``, built when missing or past ``seconds`` — unless ``stamp`` (the
        database's ``file_stamp`` before the build) is known and still the same: then the set is
        kept for another ``seconds``."""
        hit = self._fresh(key, stamp)
        if hit is not None:
            return hit
        with self._guard:
            lock = self._building.setdefault(key, threading.Lock())
        with lock:
            hit = self._fresh(key, stamp)
            if hit is not None:
                return hit
            ids = build()
            with self._guard:
                self._sets[key] = (time.monotonic(), ids, stamp)
                self._sets.move_to_end(key)
                while sum(len(v) for _, v, _ in self._sets.values()) > self.max_ids and len(self._sets) > 1:
                    self._sets.popitem(last=False)
                self._building.pop(key, None)
            return ids

    def _fresh(self, key: Hashable, stamp: Stamp | None) -> np.ndarray[Any, Any] | None:
        with self._guard:
            hit = self._sets.get(key)
            if hit is None:
                return None
            if time.monotonic() - hit[0] >= self.seconds:
                if stamp is None or hit[2] != stamp:
                    del self._sets[key]
                    return None
                self._sets[key] = (time.monotonic(), hit[1], stamp)  # nothing written since
            self._sets.move_to_end(key)
            return hit[1]


TERM_SETS = TermSets()
CANDIDATE_SETS = TermSets(max_ids=MAX_CACHED_IDS // 2)
"""The documents a scope and a set of filters other than the text allow, kept like the terms'
sets: a count of the next term with the same filters is an intersection of two cached sets."""


NEWEST: tuple[Any, ...] = (DocumentRow.published_at.desc().nulls_last(), DocumentRow.id.desc())
"""The default walk: the date index, newest first."""


def _order(statement: Select[Any], order: tuple[Any, ...] = NEWEST) -> Select[Any]:
    return statement.order_by(*order)


def plain(column: Any) -> ColumnElement[Any]:
    """``+column``: the same value, but SQLite will not drive the query from the column's index
    (so that it walks the date index; SQLAlchemy's index hints do not render for SQLite)."""
    return UnaryExpression(column, operator=operators.custom_op("+"), type_=column.type)


def newest_ids(
    session: Session,
    base: Select[Any],
    match: str | None,
    *,
    limit: int,
    offset: int = 0,
    sets: TermSets = TERM_SETS,
    order: tuple[Any, ...] = NEWEST,
) -> list[int]:
    """Ids of the newest documents of ``base`` that match the FTS5 expression ``match`` (None:
    no text query). ``base`` is a ``select(DocumentRow.id)`` with the scope and the cheap
    filters, written with ``plain`` columns so that only the date index can drive it.
    ``order``: another index to walk (oldest first: the date index backwards; the most tense
    first: the tension index)."""
    wanted = limit + offset
    term_ids: np.ndarray[Any, Any] | None = None
    if match is not None:
        term_ids = term_set(session, match, sets)
        if len(term_ids) <= RARE_LIMIT:  # a rare term: let it drive
            rare = _order(base.where(DocumentRow.id.in_(_fts_ids(match))), order)
            return [int(i) for i in session.scalars(rare.limit(limit).offset(offset))]
    # SQLite steps through the date index lazily: stop reading as soon as the page is full
    # and read a little more than the page needs, then more while the term keeps failing
    found: list[int] = []
    result = session.connection().execute(_order(base, order))  # Core: fetchmany steps the cursor
    step = wanted + wanted // 4 + 8
    try:
        while len(found) < wanted:
            part = result.fetchmany(step)
            if not part:
                break
            chunk = np.fromiter((int(row[0]) for row in part), dtype=np.int64, count=len(part))
            if term_ids is not None:
                chunk = chunk[_members(term_ids, chunk)]
            found.extend(int(i) for i in chunk)
            step = min(MAX_CHUNK, step * 2)
    finally:
        result.close()
    return found[offset:wanted]


def _fts_ids(match: str) -> Select[Any]:
    return (
        select(text("rowid"))
        .select_from(text("documents_fts"))
        .where(text("documents_fts MATCH :match").bindparams(match=match))
    )


def term_set(session: Session, match: str, sets: TermSets = TERM_SETS) -> np.ndarray[Any, Any]:
    """The sorted ids of the documents that match, from the per-process cache."""
    stamp = file_stamp(session.get_bind())
    newest = int(session.scalar(select(func.max(DocumentRow.id))) or 0)
    return sets.get((match, newest), lambda: _term_set(session, match), stamp)


def matching_set(
    session: Session, candidates: Select[Any], match: str | None, key: Hashable
) -> np.ndarray[Any, Any]:
    """The ids of the ``candidates`` (a ``select(DocumentRow.id)`` whose filters SQLite may
    drive by any index: region links, language, dates, tension) that match: both sets cached
    per process (``key``: what makes the candidates, with the newest id) and intersected — the
    cost of a count is that of reading the candidates, once a minute."""
    stamp = file_stamp(session.get_bind())
    newest = int(session.scalar(select(func.max(DocumentRow.id))) or 0)
    store = id(session.get_bind())
    ids = CANDIDATE_SETS.get((key, newest, store), lambda: _ids_of(session, candidates), stamp)
    if match is None or not len(ids):
        return ids
    members = term_set(session, match)
    if not len(members):
        return np.zeros(0, dtype=np.int64)
    found: np.ndarray[Any, Any] = ids[_members(members, ids)]
    return found


def _ids_of(session: Session, candidates: Select[Any]) -> np.ndarray[Any, Any]:
    joined = session.scalar(select(func.group_concat(candidates.subquery().c.id)))
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.fromstring(joined, dtype=np.int64, sep=","))


def _term_set(session: Session, match: str) -> np.ndarray[Any, Any]:
    """The sorted ids of the term's documents (one string from SQLite: ~4x faster than rows)."""
    joined = session.scalar(
        text("SELECT group_concat(rowid) FROM documents_fts WHERE documents_fts MATCH :match"),
        {"match": match},
    )
    if not joined:
        return np.zeros(0, dtype=np.int64)
    return np.sort(np.fromstring(joined, dtype=np.int64, sep=","))


def _members(sorted_ids: np.ndarray[Any, Any], ids: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A mask of ``ids`` that are in ``sorted_ids``."""
    slots = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return np.asarray(sorted_ids[slots] == ids)
