"""Indicators per region × day × metric, normalised by the volume of the sources covering
the region.

A document counts in every region it is about (confidence at least
``REGION_MIN_CONFIDENCE``) and always in the whole country (``KZ``), on the day it was
published (Kazakhstan time). Metrics:

- ``docs``: documents about the region;
- ``ethnic_docs``: documents that mention an ethnic group; ``ethnic:<group>`` per group;
- ``derogatory_docs``: documents with a derogatory ethnic form;
- ``hate_docs``: documents whose hate score is at least ``HATE_THRESHOLD``;
- ``tension``: the summed tension scores (tension-weighted volume);
- ``incident:<type>``: documents by incident type;
- ``volume``: the documents that day from the sources covering the region (the denominator);
- ``undated``: documents without a date to trust, on the day they were fetched.

A source (outlet) *covers* a region on a day when it published about it within the
``COVERAGE_DAYS`` days up to that day; ``value = count / volume``, so a surge in the number
of outlets or in their output does not read as a surge of a topic.

Date sanity: a document whose publication date is missing or was flagged (future, before
1991) is repaired from a date in its URL (``/2026/03/21/``) when there is one no later than
the day it was fetched; otherwise it counts only in ``undated``, never in a metric that
rules watch, so wrong dates cannot create a spike.

Indicators are updated incrementally, in the transaction of each stored batch: counts are
added with an atomic upsert, then the days the batch touched are normalised again.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

import numpy as np
from sqlalchemy import ColumnElement, Table, and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from birlik.ingest.dates import ALMATY, as_aware
from birlik.store.models import DocumentRow
from birlik.store.models_signals import IndicatorRow, SourceVolumeRow

COUNTRY = "KZ"
COVERAGE_DAYS = 28
REGION_MIN_CONFIDENCE = 0.25
HATE_THRESHOLD = 0.5
VOLUME = "volume"
UNDATED = "undated"
EARLIEST_DAY = date(1991, 12, 16)
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[/_.-]?(0[1-9]|1[0-2])[/_.-]?(0[1-9]|[12]\d|3[01])(?!\d)")

_INDICATORS = cast(Table, IndicatorRow.__table__)
_SOURCE_VOLUMES = cast(Table, SourceVolumeRow.__table__)

CountKey = tuple[str, date, str]
"""(region, day, metric)"""
VolumeKey = tuple[str, str, date]
"""(source, region, day)"""


@dataclass(frozen=True, slots=True, kw_only=True)
class DocFacts:
    """What indicators need to know of one document."""

    day: date | None
    """The trusted (or repaired) publication day; None when undated."""
    fetched_day: date
    source_key: str
    regions: tuple[str, ...] = ()
    ethnic_groups: tuple[str, ...] = ()
    derogatory: bool = False
    hate: float | None = None
    tension: float | None = None
    incident: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorPoint:
    region_kato: str
    day: date
    metric: str
    count: float
    volume: float
    value: float

    def as_json(self) -> dict[str, Any]:
        return {
            "region": self.region_kato,
            "day": self.day.isoformat(),
            "metric": self.metric,
            "count": round(self.count, 4),
            "volume": round(self.volume, 4),
            "value": round(self.value, 6),
        }


# --- facts -------------------------------------------------------------------------------


def kz_day(moment: datetime) -> date:
    """The calendar day in Kazakhstan (UTC+5) of a moment; naive moments are taken as UTC+5."""
    return as_aware(moment).astimezone(ALMATY).date()


def indicator_day(
    published_at: datetime | None, date_flag: str | None, url: str | None, fetched_day: date
) -> date | None:
    """The day a document counts on, or None when no date can be trusted."""
    if published_at is not None and date_flag is None:
        return kz_day(published_at)
    return url_date(url, fetched_day)


def url_date(url: str | None, latest: date) -> date | None:
    """A date written in a URL path (``/2026/03/21/``, ``20260321``), if plausible."""
    if not url:
        return None
    for found in _URL_DATE.finditer(url):
        try:
            day = date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            continue
        if EARLIEST_DAY <= day <= latest:
            return day
    return None


def facts_from_row(row: DocumentRow) -> DocFacts:
    fetched_day = kz_day(row.fetched_at)
    groups = sorted({m.entity_id for m in row.mentions if m.type == "ETHNIC_GROUP" and m.entity_id})
    return DocFacts(
        day=indicator_day(row.published_at, row.date_flag, row.url, fetched_day),
        fetched_day=fetched_day,
        source_key=row.outlet or (f"source:{row.source_id}" if row.source_id is not None else "unknown"),
        regions=tuple(r.region_kato for r in row.regions if r.confidence >= REGION_MIN_CONFIDENCE),
        ethnic_groups=tuple(groups),
        derogatory=any(m.derogatory for m in row.mentions),
        hate=row.hate,
        tension=row.tension,
        incident=row.incident,
    )


def contributions(facts: DocFacts) -> Iterator[tuple[CountKey, float]]:
    """The amounts one document adds, by (region, day, metric)."""
    regions = (COUNTRY, *dict.fromkeys(r for r in facts.regions if r != COUNTRY))
    if facts.day is None:
        for region in regions:
            yield (region, facts.fetched_day, UNDATED), 1.0
        return
    metrics = _metrics(facts)
    for region in regions:
        for metric, amount in metrics:
            yield (region, facts.day, metric), amount


def _metrics(facts: DocFacts) -> list[tuple[str, float]]:
    metrics: list[tuple[str, float]] = [("docs", 1.0)]
    if facts.ethnic_groups:
        metrics.append(("ethnic_docs", 1.0))
        metrics.extend((f"ethnic:{group}", 1.0) for group in facts.ethnic_groups)
    if facts.derogatory:
        metrics.append(("derogatory_docs", 1.0))
    if facts.hate is not None and facts.hate >= HATE_THRESHOLD:
        metrics.append(("hate_docs", 1.0))
    if facts.tension:
        metrics.append(("tension", float(facts.tension)))
    if facts.incident and facts.incident != "none":
        metrics.append((f"incident:{facts.incident}", 1.0))
    return metrics


def tally(facts: Iterable[DocFacts]) -> tuple[dict[CountKey, float], Counter[VolumeKey]]:
    """Counts and source volumes that a set of documents adds."""
    counts: defaultdict[CountKey, float] = defaultdict(float)
    volumes: Counter[VolumeKey] = Counter()
    for fact in facts:
        for key, amount in contributions(fact):
            counts[key] += amount
        if fact.day is not None:
            volumes[(fact.source_key, COUNTRY, fact.day)] += 1
            for region in dict.fromkeys(fact.regions):
                if region != COUNTRY:
                    volumes[(fact.source_key, region, fact.day)] += 1
    return counts, volumes


# --- the stored indicators ----------------------------------------------------------------


def after_batch(session: Session, rows: Sequence[DocumentRow]) -> None:
    """The Ingestor hook: add a stored batch to the indicators, in the batch's transaction."""
    update_indicators(session, [facts_from_row(row) for row in rows])


def update_indicators(session: Session, facts: Iterable[DocFacts], *, normalise: bool = True) -> set[date]:
    """Add documents to the indicators; returns the days that changed. Without ``normalise``
    only the counts and source volumes are added: the caller normalises the days once all
    documents are in (a backfill's recomputation, ``normalise_day``)."""
    counts, volumes = tally(facts)
    if not counts:
        return set()
    _upsert_add(
        session,
        _INDICATORS,
        [
            {"region_kato": r, "day": d, "metric": m, "count": amount, "volume": 0.0, "value": 0.0}
            for (r, d, m), amount in sorted(counts.items())
        ],
        ("region_kato", "day", "metric"),
        "count",
    )
    if volumes:
        _upsert_add(
            session,
            _SOURCE_VOLUMES,
            [
                {"source_key": s, "region_kato": r, "day": d, "documents": n}
                for (s, r, d), n in sorted(volumes.items())
            ],
            ("source_key", "region_kato", "day"),
            "documents",
        )
    days = {day for (_, day, _) in counts}
    for day in sorted(days) if normalise else ():
        normalise_day(session, day)
    return days


def _upsert_add(
    session: Session, table: Table, rows: list[dict[str, Any]], keys: Sequence[str], column: str
) -> None:
    """Insert rows, or add their ``column`` to the rows already there (atomically)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=list(keys), set_={column: table.c[column] + statement.excluded[column]}
    )
    session.execute(statement, rows)


def normalise_day(session: Session, day: date) -> dict[str, float]:
    """Recompute the volumes of one day and every value ``count / volume`` of that day."""
    volumes = region_volumes(session, day)
    table = _INDICATORS
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    if volumes:
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=["region_kato", "day", "metric"],
            set_={"count": statement.excluded.count, "volume": statement.excluded.volume, "value": 1.0},
        )
        session.execute(
            statement,
            [
                {"region_kato": r, "day": day, "metric": VOLUME, "count": v, "volume": v, "value": 1.0}
                for r, v in sorted(volumes.items())
            ],
        )
    for region, volume in sorted(volumes.items()):
        session.execute(
            update(IndicatorRow)
            .where(
                IndicatorRow.day == day,
                IndicatorRow.region_kato == region,
                IndicatorRow.metric.notin_((VOLUME, UNDATED)),
            )
            .values(volume=volume, value=IndicatorRow.count / volume)
        )
    session.execute(
        update(IndicatorRow)
        .where(IndicatorRow.day == day, IndicatorRow.metric == UNDATED)
        .values(value=IndicatorRow.count)
    )
    return volumes


def region_volumes(session: Session, day: date) -> dict[str, float]:
    """Documents on ``day`` from the sources covering each region (and in all, for ``KZ``)."""
    covered = (
        select(SourceVolumeRow.source_key, SourceVolumeRow.region_kato)
        .where(
            SourceVolumeRow.region_kato != COUNTRY,
            SourceVolumeRow.day.between(day - timedelta(days=COVERAGE_DAYS - 1), day),
        )
        .distinct()
        .subquery()
    )
    total = _SOURCE_VOLUMES.alias("total")
    query = (
        select(covered.c.region_kato, func.sum(total.c.documents))
        .join(covered, covered.c.source_key == total.c.source_key)
        .where(and_(total.c.region_kato == COUNTRY, total.c.day == day))
        .group_by(covered.c.region_kato)
    )
    volumes = {str(region): float(volume) for region, volume in session.execute(query) if volume}
    country = session.scalar(
        select(func.sum(SourceVolumeRow.documents)).where(
            SourceVolumeRow.region_kato == COUNTRY, SourceVolumeRow.day == day
        )
    )
    if country:
        volumes[COUNTRY] = float(country)
    return volumes


def rebuild_indicators(session: Session, chunk: int = 2000) -> int:
    """Drop and recompute every indicator from the stored documents; returns documents read."""
    session.execute(_INDICATORS.delete())
    session.execute(_SOURCE_VOLUMES.delete())
    last_id, total = 0, 0
    while True:
        rows = list(
            session.scalars(
                select(DocumentRow)
                .where(DocumentRow.id > last_id)
                .order_by(DocumentRow.id)
                .limit(chunk)
                .options(selectinload(DocumentRow.mentions), selectinload(DocumentRow.regions))
            )
        )
        if not rows:
            return total
        update_indicators(session, [facts_from_row(row) for row in rows])
        last_id, total = rows[-1].id, total + len(rows)
        session.expunge_all()


def query_indicators(
    session: Session,
    *,
    regions: Sequence[str] = (),
    metrics: Sequence[str] = (),
    since: date | None = None,
    until: date | None = None,
) -> list[IndicatorPoint]:
    """Stored indicators; ``metrics`` may end with ``*`` (``ethnic:*``)."""
    query = select(IndicatorRow).order_by(IndicatorRow.day, IndicatorRow.region_kato, IndicatorRow.metric)
    if regions:
        query = query.where(IndicatorRow.region_kato.in_(regions))
    if metrics:
        exact = [m for m in metrics if not m.endswith("*")]
        prefixes = [m[:-1] for m in metrics if m.endswith("*")]
        conditions: list[ColumnElement[bool]] = [IndicatorRow.metric.in_(exact)] if exact else []
        conditions += [func.substr(IndicatorRow.metric, 1, len(p)) == p for p in prefixes]
        query = query.where(or_(*conditions))
    if since is not None:
        query = query.where(IndicatorRow.day >= since)
    if until is not None:
        query = query.where(IndicatorRow.day <= until)
    return [
        IndicatorPoint(
            region_kato=row.region_kato,
            day=row.day,
            metric=row.metric,
            count=row.count,
            volume=row.volume,
            value=row.value,
        )
        for row in session.scalars(query)
    ]


# --- series in memory ---------------------------------------------------------------------


class History:
    """Indicator series over a span of days: counts per (region, metric), volumes per region."""

    def __init__(self, start: date, end: date) -> None:
        self.start = start
        self.length = (end - start).days + 1
        self.counts: dict[tuple[str, str], np.ndarray[Any, np.dtype[np.float64]]] = {}
        self.volumes: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}

    def index(self, day: date) -> int:
        return (day - self.start).days

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def put(self, region: str, day: date, metric: str, count: float) -> None:
        index = self.index(day)
        if not 0 <= index < self.length or metric == UNDATED:
            return
        if metric == VOLUME:
            self._array(self.volumes, region)[index] = count
        else:
            self._array(self.counts, (region, metric))[index] = count

    def _array(
        self, arrays: dict[Any, np.ndarray[Any, np.dtype[np.float64]]], key: Any
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        array = arrays.get(key)
        if array is None:
            array = arrays[key] = np.zeros(self.length, dtype=np.float64)
        return array

    def volume(self, region: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        return self.volumes.get(region, np.zeros(self.length, dtype=np.float64))

    def series(self) -> Iterator[tuple[str, str, np.ndarray[Any, np.dtype[np.float64]]]]:
        for (region, metric), counts in sorted(self.counts.items()):
            yield region, metric, counts


def load_history(session: Session, start: date, end: date) -> History:
    history = History(start, end)
    rows = session.execute(
        select(IndicatorRow.region_kato, IndicatorRow.day, IndicatorRow.metric, IndicatorRow.count).where(
            IndicatorRow.day.between(start, end), IndicatorRow.metric != UNDATED
        )
    )
    for region, day, metric, count in rows:
        history.put(region, day, metric, count)
    return history


class Cube:
    """The same indicators kept in memory, for backtests over a whole corpus."""

    def __init__(self) -> None:
        self.counts: defaultdict[CountKey, float] = defaultdict(float)
        self.source_volumes: Counter[VolumeKey] = Counter()

    def add(self, facts: Iterable[DocFacts]) -> None:
        counts, volumes = tally(facts)
        for key, amount in counts.items():
            self.counts[key] += amount
        self.source_volumes.update(volumes)

    def span(self) -> tuple[date, date] | None:
        days = [day for (_, day, metric) in self.counts if metric != UNDATED]
        return (min(days), max(days)) if days else None

    def region_volumes(self) -> dict[tuple[str, date], float]:
        """Volumes by (region, day) under the same coverage rule as ``region_volumes``."""
        totals: dict[tuple[str, int], int] = {}
        covered: defaultdict[tuple[str, str], set[int]] = defaultdict(set)
        for (source, region, day), documents in self.source_volumes.items():
            ordinal = day.toordinal()
            if region == COUNTRY:
                totals[(source, ordinal)] = documents
            else:
                covered[(source, region)].update(range(ordinal, ordinal + COVERAGE_DAYS))
        volumes: Counter[tuple[str, int]] = Counter()
        for (_source, ordinal), documents in totals.items():
            volumes[(COUNTRY, ordinal)] += documents
        for (source, region), ordinals in covered.items():
            for ordinal in ordinals:
                total = totals.get((source, ordinal))
                if total:
                    volumes[(region, ordinal)] += total
        return {(region, date.fromordinal(ordinal)): float(v) for (region, ordinal), v in volumes.items()}

    def history(self) -> History | None:
        span = self.span()
        if span is None:
            return None
        history = History(*span)
        for (region, day), volume in self.region_volumes().items():
            history.put(region, day, VOLUME, volume)
        for (region, day, metric), count in self.counts.items():
            history.put(region, day, metric, count)
        return history
