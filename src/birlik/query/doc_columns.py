"""The cheap filter columns of every document, kept per process as numpy arrays (SQLite).

A search's counts (how many documents, how many stories) and the candidates that relevance
ranks depend on filters that are cheap to test — region links, language, publication time,
tension, incident — but reading the ids those filters allow from SQLite costs ~20 ms per
combination of filters, and a coordinator's varied searches rarely repeat one. Here the columns
themselves are read once (a few strings from SQLite, parsed by numpy: ~0.3 s for 200,000
documents), then every combination is a few vectorised comparisons (~1 ms).

Freshness: documents added since are appended as soon as the newest id changes (one small
read); the whole table is read again after ``REFRESH_SECONDS`` so that changed scores, links
and story memberships are seen within that time — unless the database's files (the database
and its write-ahead log) are unchanged since the last read, which is then renewed without a
read (~0.9 s of CPU at 200,000 documents, which a server's requests would wait behind). A
filter the columns do not hold (ethnic groups) is answered by SQL as before (``columns_mask``
returns None).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from birlik.query import fts_plan
from birlik.query.stamp import file_stamp
from birlik.store.models import DocumentRow

if TYPE_CHECKING:
    from birlik.query.filters import DocumentFilters
    from birlik.query.scope import RegionScope

log = logging.getLogger(__name__)
REFRESH_SECONDS = 60.0
"""The whole table is read again after this long (new documents are appended at once)."""
Array = np.ndarray[Any, Any]


@dataclass(frozen=True, slots=True)
class Columns:
    """One row per document, sorted by id; codes index ``names`` (-1: none)."""

    ids: Array
    published: Array
    """Seconds since the epoch (UTC), NaN when unknown."""
    lang: Array
    tension: Array
    """NaN when not scored."""
    incident: Array
    story: Array
    """The story of the document, -1 when it has none."""
    link_doc: Array
    """Region links: the position of the document (in ``ids``) and the region's code."""
    link_region: Array
    names: dict[str, int]
    loaded_at: float
    stamp: tuple[int, ...] | None = None
    """The database files' sizes and modification times when the read began (None: unknown,
    an in-memory or remote database)."""
    term_masks: dict[str, Array] = field(default_factory=dict)
    """``term_mask``'s answers for these columns."""
    found_masks: dict[Any, Array] = field(default_factory=dict)
    """``found_mask``'s answers for these columns (read-only arrays): a page asks twice, for its
    list (relevance's candidates) and for its counts."""
    region_masks: dict[tuple[str, ...], Array] = field(default_factory=dict)
    """``_linked``'s answers for these columns (read-only arrays)."""

    @property
    def newest(self) -> int:
        return int(self.ids[-1]) if len(self.ids) else 0


_CACHE: weakref.WeakKeyDictionary[Any, Columns] = weakref.WeakKeyDictionary()
"""Per engine: an engine that is gone takes its columns with it (its id may be reused)."""
_LOCK = threading.Lock()
_LOADING: weakref.WeakSet[Any] = weakref.WeakSet()


def document_columns(session: Session, *, wait: bool = False) -> Columns | None:
    """This store's columns, with the documents added since appended. A thread of its own
    reads them the first time (the callers get None meanwhile and answer by SQL, as without
    the columns) and again after ``REFRESH_SECONDS`` (the older ones answer meanwhile).
    ``wait``: read them now if needed (always for an in-memory database: a small one)."""
    engine = session.get_bind()
    store = engine
    newest = int(session.scalar(select(func.max(DocumentRow.id))) or 0)
    cached = _CACHE.get(store)
    if cached is not None and cached.newest == newest and _fresh(cached):
        return cached  # (a purge of the newest documents shows at the next refresh)
    if wait or _in_memory(engine):  # another thread would open another, empty, database
        stamp = file_stamp(engine)
        columns = replace(_read(session, 0, newest, {}, time.monotonic()), stamp=stamp)
        _keep(store, columns)
        return columns
    if cached is not None and not _fresh(cached) and _unchanged(engine, cached):
        with _LOCK:  # nothing was written since the read: the same columns, renewed
            cached = _CACHE.get(store) or cached
            _CACHE[store] = cached = replace(cached, loaded_at=time.monotonic())
    if cached is None or not _fresh(cached):
        with _LOCK:  # one reader aside; meanwhile the old columns (or SQL) answer
            reading = store in _LOADING
            _LOADING.add(store)
        if not reading:
            threading.Thread(target=_load, args=(engine, store), name="birlik-columns", daemon=True).start()
        if cached is None:
            return None
    if 0 < cached.newest < newest:
        with _LOCK:  # a few new documents: one short read
            cached = _CACHE.get(store) or cached
            if cached.newest < newest:
                _CACHE[store] = cached = _append(session, cached, newest)
    return cached if cached.newest >= newest else None


def _in_memory(engine: Any) -> bool:
    database = str(engine.url.database or "")
    return database in ("", ":memory:") or "mode=memory" in database


def _unchanged(engine: Any, columns: Columns) -> bool:
    return columns.stamp is not None and file_stamp(engine) == columns.stamp


def _load(engine: Any, store: Any) -> None:
    try:
        with Session(engine) as session:
            stamp = file_stamp(engine)  # before the read: a write during it shows next time
            newest = int(session.scalar(select(func.max(DocumentRow.id))) or 0)
            _keep(store, replace(_read(session, 0, newest, {}, time.monotonic()), stamp=stamp))
    except Exception:  # the callers keep answering by SQL; the next one tries again
        log.exception("reading the document columns failed")
    finally:
        with _LOCK:
            _LOADING.discard(store)


def _keep(store: Any, columns: Columns) -> None:
    with _LOCK:
        _CACHE[store] = columns


def _fresh(columns: Columns) -> bool:
    return time.monotonic() - columns.loaded_at < REFRESH_SECONDS


def _read(session: Session, after: int, upto: int, names: dict[str, int], loaded_at: float) -> Columns:
    """The documents with ``after < id <= upto`` (their links and story memberships too)."""
    bounds = {"after": after, "upto": upto}
    row = session.execute(
        text(
            "SELECT group_concat(id), group_concat(coalesce(strftime('%s', published_at), 'nan')),"
            " group_concat(coalesce(tension, 'nan')), group_concat(coalesce(lang, ''), char(31)),"
            " group_concat(coalesce(incident, ''), char(31))"
            " FROM (SELECT id, published_at, tension, lang, incident FROM documents"
            " WHERE id > :after AND id <= :upto ORDER BY id)"
        ),
        bounds,
    ).one()
    ids = _numbers(row[0], np.int64)
    links = session.execute(
        text(
            "SELECT group_concat(document_id), group_concat(region_kato, char(31)) FROM document_regions"
            " WHERE document_id > :after AND document_id <= :upto"
        ),
        bounds,
    ).one()
    members = session.execute(
        text(
            "SELECT group_concat(document_id), group_concat(story_id) FROM story_members"
            " WHERE document_id > :after AND document_id <= :upto"
        ),
        bounds,
    ).one()
    story = np.full(len(ids), -1, dtype=np.int64)
    member_docs = _numbers(members[0], np.int64)
    if len(member_docs) and len(ids):
        at = np.searchsorted(ids, member_docs)
        known = (at < len(ids)) & (ids[np.minimum(at, len(ids) - 1)] == member_docs)
        story[at[known]] = _numbers(members[1], np.int64)[known]
    link_docs = _numbers(links[0], np.int64)
    link_at = np.searchsorted(ids, link_docs) if len(ids) else np.zeros(0, dtype=np.int64)
    linked = (link_at < len(ids)) & (ids[np.minimum(link_at, max(len(ids) - 1, 0))] == link_docs)
    return Columns(
        ids=ids,
        published=_numbers(row[1], np.float64),
        lang=_codes(row[3], len(ids), names),
        tension=_numbers(row[2], np.float64),
        incident=_codes(row[4], len(ids), names),
        story=story,
        link_doc=link_at[linked].astype(np.int64),
        link_region=_codes(links[1], len(link_docs), names)[linked],
        names=names,
        loaded_at=loaded_at,
    )


def _append(session: Session, old: Columns, newest: int) -> Columns:
    new = _read(session, old.newest, newest, old.names, old.loaded_at)
    return Columns(
        ids=np.concatenate([old.ids, new.ids]),
        published=np.concatenate([old.published, new.published]),
        lang=np.concatenate([old.lang, new.lang]),
        tension=np.concatenate([old.tension, new.tension]),
        incident=np.concatenate([old.incident, new.incident]),
        story=np.concatenate([old.story, new.story]),
        link_doc=np.concatenate([old.link_doc, new.link_doc + len(old.ids)]),
        link_region=np.concatenate([old.link_region, new.link_region]),
        names=old.names,
        loaded_at=old.loaded_at,
        stamp=None,  # the files changed since the read: the next refresh reads them all
    )


def _numbers(joined: str | None, kind: type[Any]) -> Array:
    if not joined:
        return np.zeros(0, dtype=kind)
    return np.fromstring(joined, dtype=np.float64, sep=",").astype(kind)  # C parsing, 'nan' too


def _codes(joined: str | None, count: int, names: dict[str, int]) -> Array:
    """Strings as small codes (-1 for an empty one), ``names`` growing with new strings."""
    if not count:
        return np.zeros(0, dtype=np.int32)
    values = (joined or "").split("\x1f")
    return np.fromiter(
        (names.setdefault(v, len(names)) if v else -1 for v in values), dtype=np.int32, count=len(values)
    )


def columns_mask(columns: Columns, scope: RegionScope, filters: DocumentFilters) -> Array | None:
    """Which documents the scope and the filters other than the text query allow (as
    ``search_results`` and ``RegionScope.document_condition`` define them); None when a filter
    is not held here (ethnic groups)."""
    if filters.ethnic:
        return None
    size = len(columns.ids)
    mask = np.ones(size, dtype=bool)
    wanted = tuple(filters.regions)
    if scope.sees_no_region:
        return np.zeros(size, dtype=bool)
    if not scope.all_regions and not (wanted and set(wanted) <= scope.katos):
        mask &= _linked(columns, tuple(scope.katos))
    if wanted:
        mask &= _linked(columns, wanted)
    if filters.langs:
        mask &= _among(columns, columns.lang, filters.langs)
    if filters.incident:
        mask &= _among(columns, columns.incident, (filters.incident,))
    if filters.min_tension is not None:
        with np.errstate(invalid="ignore"):
            mask &= columns.tension >= filters.min_tension
    if filters.since:
        mask &= columns.published >= _epoch(filters.since)
    if filters.until:
        mask &= columns.published < _epoch(filters.until) + 86400
    return mask


def _epoch(day: Any) -> float:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return (start - datetime(1970, 1, 1, tzinfo=UTC)) / timedelta(seconds=1)


def _among(columns: Columns, codes: Array, values: Any) -> Array:
    """Which ``codes`` stand for one of ``values`` (a lookup table: faster than ``np.isin``)."""
    table = np.zeros(len(columns.names) + 1, dtype=bool)  # the last slot: code -1, none
    table[[columns.names[v] for v in values if v in columns.names]] = True
    found: Array = table[codes]
    return found


def _linked(columns: Columns, katos: tuple[str, ...]) -> Array:
    """The documents linked to one of these regions (kept per set of regions: a coordinator's
    regions, the region filter's; at most ``MASKS`` sets)."""
    key = tuple(sorted(set(katos)))
    hit = columns.region_masks.get(key)
    if hit is not None:
        return hit
    mask = np.zeros(len(columns.ids), dtype=bool)
    mask[columns.link_doc[_among(columns, columns.link_region, katos)]] = True
    mask.flags.writeable = False
    _remember(columns.region_masks, key, mask)
    return mask


MASKS = 32
"""The most masks kept per kind (each one byte per document: 200 kB at 200,000)."""


def _remember(masks: dict[Any, Array], key: Any, mask: Array) -> None:
    if len(masks) >= MASKS:
        masks.clear()
    masks[key] = mask


def newest_first(columns: Columns, mask: Array, count: int) -> list[int]:
    """The ids of the ``count`` newest documents of ``mask`` (by publication, then id; unknown
    dates last), as the date index orders them."""
    return _first(columns, columns.published, mask, count)


def most_tense_first(columns: Columns, mask: Array, count: int) -> list[int]:
    """The ids of the ``count`` most tense documents of ``mask`` (by tension, then id; unscored
    last), as the tension index orders them."""
    return _first(columns, columns.tension, mask, count)


def _first(columns: Columns, values: Array, mask: Array, count: int) -> list[int]:
    """The ids of the ``count`` documents of ``mask`` with the highest ``values`` (NaN last),
    ties by the higher id."""
    positions = np.flatnonzero(mask)
    if not len(positions) or count <= 0:
        return []
    keys = np.nan_to_num(values[positions], nan=-np.inf)
    if len(positions) > count:  # only the first ``count`` (and ties with the last) are sorted
        last = np.partition(keys, len(keys) - count)[len(keys) - count]
        kept = keys >= last
        positions, keys = positions[kept], keys[kept]
    order = np.lexsort((-columns.ids[positions], -keys))[:count]
    return [int(i) for i in columns.ids[positions[order]]]


def term_mask(session: Session, columns: Columns, match: str) -> Array:
    """Which documents match the FTS5 expression ``match`` (its cached set, as a mask over
    ``columns``; kept while the columns are)."""
    hit = columns.term_masks.get(match)
    if hit is not None:
        return hit
    members = fts_plan.term_set(session, match)
    mask = np.zeros(len(columns.ids), dtype=bool)
    if len(members) and len(columns.ids):
        at = np.minimum(np.searchsorted(columns.ids, members), len(columns.ids) - 1)
        mask[at[columns.ids[at] == members]] = True
    if len(columns.term_masks) >= 64:
        columns.term_masks.clear()
    columns.term_masks[match] = mask
    return mask


def found_mask(
    session: Session, scope: RegionScope, filters: DocumentFilters, match: str | None
) -> tuple[Columns, Array] | None:
    """The documents a text search finds (``match``: its FTS5 expression, None without a
    query), or None when a filter is not held in the columns or they are being read."""
    columns = document_columns(session)
    if columns is None:
        return None
    # what the mask depends on (the text query only through ``match``; not the order)
    key = (scope, replace(filters, q="", mode="text", sort="newest"), match)
    hit = columns.found_masks.get(key)
    if hit is not None:
        return columns, hit
    mask = columns_mask(columns, scope, filters)
    if mask is None:
        return None
    if match is not None:
        mask &= term_mask(session, columns, match)
    mask.flags.writeable = False  # shared by the callers that ask next
    _remember(columns.found_masks, key, mask)
    return columns, mask
