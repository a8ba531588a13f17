"""The overview map's number per region, read from the stored indicators.

The overview covers the ``days`` whole days in Kazakhstan ending on the day of its ``until``
(``span``), the same days as its chart. Its numbers follow the indicators' rules
(``signals.indicators``): a document counts in a region it is about with confidence at least
``REGION_MIN_CONFIDENCE``, on the day it was published in Kazakhstan; a document whose date
cannot be trusted is left out (or counts on the date in its URL).

- ``documents``: the summed ``docs`` of the period;
- ``incidents``: the summed ``incident:<type>`` (documents with an incident type);
- ``tension``: the summed ``tension`` over the summed ``docs`` — the mean tension score, a
  document without one counting 0 (every document analysed with the signal stages has one);
- ``hate``: the mean hate score (0 when absent) is not among the indicators (they count the
  documents at or above ``HATE_THRESHOLD``, a different figure): it is read from the documents
  under the same rules (``from_documents``).

Reading ``indicators`` costs a few thousand rows per month of days whatever the number of
documents; aggregating the documents of 30 days read a quarter of a 1M-document table.

Freshness: every stored batch adds to the indicators in its own transaction (the ingest's
``after_batch``), so a reader never sees a document the indicators do not count. A backfill or a
``birlik reprocess`` recomputes them in its last pass (clear, tally, normalise): until that pass
ends, the map — like the chart, which always read the indicators — shows them as they stand;
``birlik indicators --rebuild`` recomputes them on demand.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from birlik.ingest.dates import ALMATY
from birlik.query.scope import RegionScope
from birlik.signals.indicators import COUNTRY, REGION_MIN_CONFIDENCE, kz_day
from birlik.store.models import DocumentRegionRow, DocumentRow
from birlik.store.models_signals import IndicatorRow

INCIDENT_PREFIX = "incident:"


def span(until: datetime, days: int) -> tuple[date, date]:
    """The first and last day (Kazakhstan) of the ``days`` whole days ending on ``until``'s day."""
    end = kz_day(until)
    return end - timedelta(days=max(1, days) - 1), end


def region_values(
    session: Session, scope: RegionScope, indicator: str, start: date, end: date
) -> dict[str, float]:
    """One number per region in scope for the map, over the days ``start``–``end``: from the
    indicators, except ``hate`` (see the module). A region without a document in the period
    is absent (the map draws a count as 0, a mean as no data)."""
    if scope.sees_no_region:
        return {}
    if indicator == "hate":
        return from_documents(session, scope, indicator, start, end)
    metric = IndicatorRow.metric
    incident = func.substr(metric, 1, len(INCIDENT_PREFIX)) == INCIDENT_PREFIX
    condition: Any
    if indicator == "incidents":
        amount: Any = func.sum(case((incident, IndicatorRow.count), else_=0.0))
        condition = incident | (metric == "docs")
    elif indicator == "tension":
        amount = func.sum(case((metric == "tension", IndicatorRow.count), else_=0.0))
        condition = metric.in_(("tension", "docs"))
    else:
        amount = func.sum(IndicatorRow.count)
        condition = metric == "docs"
    docs = func.sum(case((metric == "docs", IndicatorRow.count), else_=0.0))
    statement = (
        select(IndicatorRow.region_kato, amount, docs)
        .where(
            IndicatorRow.day.between(start, end),
            condition,
            IndicatorRow.region_kato != COUNTRY,
            scope.region_condition(IndicatorRow.region_kato),
        )
        .group_by(IndicatorRow.region_kato)
    )
    out: dict[str, float] = {}
    for region, total, documents in session.execute(statement):
        if indicator != "tension":
            out[str(region)] = float(total or 0.0)
        elif documents:
            out[str(region)] = float(total or 0.0) / float(documents)
    return out


def from_documents(
    session: Session, scope: RegionScope, indicator: str, start: date, end: date
) -> dict[str, float]:
    """The same numbers aggregated from the documents (a scan of the period's documents): the
    path of ``hate``, and the reference the tests hold the indicators to. Documents with a
    flagged date are left out here (the indicators count them on a date found in their URL)."""
    if scope.sees_no_region:
        return {}
    value: Any
    if indicator == "tension":
        value = func.avg(func.coalesce(DocumentRow.tension, 0.0))
    elif indicator == "hate":
        value = func.avg(func.coalesce(DocumentRow.hate, 0.0))
    elif indicator == "incidents":
        value = func.count(DocumentRow.incident)
    else:
        value = func.count()
    # in UTC: SQLite compares the written wall-clock time, whatever zone a bound value carries
    first = datetime.combine(start, time(), tzinfo=ALMATY).astimezone(UTC)
    after = datetime.combine(end + timedelta(days=1), time(), tzinfo=ALMATY).astimezone(UTC)
    statement = (
        select(DocumentRegionRow.region_kato, value)
        .join(DocumentRow, DocumentRow.id == DocumentRegionRow.document_id)
        .where(
            and_(DocumentRow.published_at >= first, DocumentRow.published_at < after),
            DocumentRow.date_flag.is_(None),
            DocumentRegionRow.confidence >= REGION_MIN_CONFIDENCE,
            DocumentRegionRow.region_kato != COUNTRY,
            scope.region_condition(DocumentRegionRow.region_kato),
        )
        .group_by(DocumentRegionRow.region_kato)
    )
    return {str(kato): float(v) for kato, v in session.execute(statement) if v is not None}
