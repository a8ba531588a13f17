"""Indicator series to look at: one metric of one region, every day of a period (days without
documents are 0, not missing), with the baseline and the alert threshold the surge rules use
on each day, and the alerts raised about the region (a surge of this metric, or another).

What the chart of a day shows is what ``rules.metric_surge`` would compare it with:

- ``expected``: the expected count (the baseline rate times the day's volume);
- ``low``/``high``: the expected count minus and plus one spread (the robust standard deviation
  of the rate, times the volume) — the band of ordinary days;
- ``threshold``: the smallest count the rule calls a surge (``rules.surge_threshold``); None
  where the rule cannot judge (no volume, no history) or does not watch the metric.

``docs`` is not watched by the shipped rules: its series has a band (computed with the default
surge rule) but no threshold. ``incidents`` is every ``incident:<type>`` summed; no rule
watches the sum, so it has neither band nor threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from birlik.ingest.dates import ALMATY
from birlik.nlp.signals.incident import INCIDENT_TYPES
from birlik.resources.ethnic import load_ethnic_groups
from birlik.signals.indicators import COUNTRY, UNDATED, VOLUME, History
from birlik.signals.rules import (
    RuleSet,
    SurgeRule,
    country_prior,
    surge_expectation,
    surge_threshold,
)
from birlik.store.models_signals import AlertRow, IndicatorRow

INCIDENTS = "incidents"
"""Every ``incident:<type>`` summed: the overview's "incidents"."""
BASE_METRICS: tuple[str, ...] = ("docs", "ethnic_docs", "derogatory_docs", "hate_docs", "tension", INCIDENTS)
MAX_DAYS = 366
"""The longest period one request may ask for (a year and a day): queries stay bounded."""
Array = np.ndarray[Any, np.dtype[np.float64]]


def incident_metrics() -> tuple[str, ...]:
    return tuple(f"incident:{kind}" for kind in INCIDENT_TYPES)


def ethnic_metrics() -> tuple[str, ...]:
    return tuple(f"ethnic:{group.id}" for group in load_ethnic_groups() if not group.umbrella)


def known_metric(metric: str) -> bool:
    """Whether ``metric`` is one the series can be drawn for."""
    return metric in BASE_METRICS or metric in incident_metrics() or metric in ethnic_metrics()


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesDay:
    day: date
    """A calendar day in Kazakhstan (Asia/Almaty)."""
    count: float
    volume: float
    expected: float | None = None
    low: float | None = None
    high: float | None = None
    threshold: float | None = None
    cold: bool = False
    """The baseline had too little history of its own (the rule is stricter then)."""

    @property
    def value(self) -> float | None:
        """The count per document of the sources covering the region that day."""
        return self.count / self.volume if self.volume > 0 else None

    def as_json(self) -> dict[str, Any]:
        def rounded(number: float | None) -> float | None:
            return None if number is None else round(number, 4)

        return {
            "day": self.day.isoformat(),
            "count": round(self.count, 4),
            "volume": round(self.volume, 4),
            "value": None if self.value is None else round(self.value, 6),
            "expected": rounded(self.expected),
            "low": rounded(self.low),
            "high": rounded(self.high),
            "threshold": rounded(self.threshold),
            "cold_start": self.cold,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertMark:
    """An alert about the region over the period (a surge, a growing story…), where the chart
    marks it."""

    id: int
    kind: str
    first_day: date
    last_day: date
    severity: str
    status: str
    metric: str | None
    matches: bool
    """A surge of the metric drawn (else about another metric, or not a surge)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "severity": self.severity,
            "status": self.status,
            "metric": self.metric,
            "matches": self.matches,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorSeries:
    region: str
    metric: str
    start: date
    end: date
    days: tuple[SeriesDay, ...]
    alerts: tuple[AlertMark, ...] = ()
    watched: bool = False
    """A surge rule watches this metric in this region (so there is a threshold)."""

    @property
    def total(self) -> float:
        return sum(day.count for day in self.days)

    @property
    def peak(self) -> float:
        """The highest point the chart must show: counts, band and threshold."""
        points = [0.0]
        for day in self.days:
            points.append(day.count)
            points.extend(v for v in (day.high, day.threshold) if v is not None)
        return max(points)

    def as_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "metric": self.metric,
            "since": self.start.isoformat(),
            "until": self.end.isoformat(),
            "watched": self.watched,
            "total": round(self.total, 4),
            "days": [day.as_json() for day in self.days],
            "alerts": [alert.as_json() for alert in self.alerts],
        }


def kz_today() -> date:
    return datetime.now(ALMATY).date()


def latest_day(session: Session) -> date:
    """The last day of the indicators (today at the latest): where a period ends by default,
    so that a store whose data stopped (a demo, a paused system) shows its last days."""
    today = kz_today()
    # the last day with dated documents (undated ones count on the day they were fetched)
    newest: date | None = session.scalar(
        select(func.max(IndicatorRow.day)).where(IndicatorRow.metric == VOLUME)
    )
    return min(today, newest) if newest is not None else today


def region_series(
    session: Session,
    *,
    regions: Sequence[str],
    metric: str,
    start: date,
    end: date,
    rules: RuleSet,
    alerts: bool = True,
    baseline: bool = True,
) -> list[IndicatorSeries]:
    """The series of ``metric`` in each of ``regions`` (in that order), ``start``–``end``;
    ``alerts``: with the surge alerts of each region (for readers who may see alerts);
    ``baseline``: with the band and threshold of each day (the costly part: a baseline a day)."""
    wanted = [(region, metric) for region in regions]
    return _series(session, wanted, start, end, rules, with_alerts=alerts, with_baseline=baseline)


def ethnic_series(
    session: Session,
    *,
    region: str,
    start: date,
    end: date,
    rules: RuleSet,
    alerts: bool = True,
    baseline: bool = True,
    limit: int = 12,
) -> list[IndicatorSeries]:
    """The series of each ethnic group mentioned in ``region`` over the period, the most
    mentioned first (at most ``limit``)."""
    statement = (
        select(IndicatorRow.metric, func.sum(IndicatorRow.count))
        .where(
            IndicatorRow.region_kato == region,
            IndicatorRow.day.between(start, end),
            func.substr(IndicatorRow.metric, 1, len("ethnic:")) == "ethnic:",
        )
        .group_by(IndicatorRow.metric)
    )
    totals = sorted(((-float(total or 0), str(metric)) for metric, total in session.execute(statement)))
    known = set(ethnic_metrics())
    metrics = [metric for total, metric in totals if total < 0 and metric in known][:limit]
    wanted = [(region, metric) for metric in metrics]
    return _series(session, wanted, start, end, rules, with_alerts=alerts, with_baseline=baseline)


def for_comparison(series: Iterable[IndicatorSeries]) -> list[IndicatorSeries]:
    """Small multiples in the order to compare them: the largest total over the period first,
    then by region code (a stable order for equal totals)."""
    return sorted(series, key=lambda s: (-s.total, s.region, s.metric))


def combine(series: Sequence[IndicatorSeries]) -> IndicatorSeries:
    """Several regions' series of one metric as one (their sum, day by day): a coordinator's
    regions together. A sum has no rule of its own, so no band and no threshold; the alerts of
    every region are kept."""
    if len(series) == 1:
        return series[0]
    first = series[0]
    days = tuple(
        SeriesDay(day=same[0].day, count=sum(d.count for d in same), volume=sum(d.volume for d in same))
        for same in zip(*(s.days for s in series), strict=True)
    )
    alerts = tuple(sorted((a for s in series for a in s.alerts), key=lambda a: (a.first_day, a.id)))
    return IndicatorSeries(
        region="+".join(s.region for s in series),
        metric=first.metric,
        start=first.start,
        end=first.end,
        days=days,
        alerts=alerts,
    )


def as_share(series: IndicatorSeries) -> IndicatorSeries:
    """The series as a percentage of each day's volume (the documents of the sources covering
    the region): regions that write much and little compared on one scale. The band and the
    threshold are divided by the same volume; a day without volume is 0."""

    def share(value: float | None, volume: float) -> float | None:
        if value is None:
            return None
        return 100.0 * value / volume if volume > 0 else 0.0

    days = tuple(
        SeriesDay(
            day=d.day,
            count=share(d.count, d.volume) or 0.0,
            volume=d.volume,
            expected=share(d.expected, d.volume),
            low=share(d.low, d.volume),
            high=share(d.high, d.volume),
            threshold=share(d.threshold, d.volume),
            cold=d.cold,
        )
        for d in series.days
    )
    return IndicatorSeries(
        region=series.region,
        metric=series.metric,
        start=series.start,
        end=series.end,
        days=days,
        alerts=series.alerts,
        watched=series.watched,
    )


# --- building -------------------------------------------------------------------------------


def _series(
    session: Session,
    wanted: Sequence[tuple[str, str]],
    start: date,
    end: date,
    rules: RuleSet,
    *,
    with_alerts: bool,
    with_baseline: bool,
) -> list[IndicatorSeries]:
    if not wanted:
        return []
    plans = {
        (region, metric): _rule(rules, region, metric) if with_baseline else (None, False)
        for region, metric in wanted
    }
    lookback = max((rule.history_days for rule, _ in plans.values() if rule is not None), default=0)
    first = start - timedelta(days=lookback)
    metrics = {metric for _, metric in wanted}
    regions = {region for region, _ in wanted} | {COUNTRY}  # the country: the cold-start prior
    history = _load(session, sorted(regions), metrics, first, end)
    weekdays = (first.weekday() + np.arange(history.length, dtype=np.int64)) % 7
    offset = history.index(start)
    alerts = _alerts(session, sorted({region for region, _ in wanted}), start, end) if with_alerts else {}
    out = []
    for region, metric in wanted:
        rule, watched = plans[(region, metric)]
        counts = history.counts.get((region, metric), np.zeros(history.length, dtype=np.float64))
        volumes = history.volume(region)
        days = [
            _day(history, region, metric, counts, volumes, index, weekdays, rule, watched)
            for index in range(offset, history.length)
        ]
        out.append(
            IndicatorSeries(
                region=region,
                metric=metric,
                start=start,
                end=end,
                days=tuple(days),
                alerts=tuple(_mark(alert, metric) for alert in alerts.get(region, ())),
                watched=watched,
            )
        )
    return out


def _rule(rules: RuleSet, region: str, metric: str) -> tuple[SurgeRule | None, bool]:
    """The rule of the baseline and whether it also gives a threshold (the metric is watched)."""
    if metric == INCIDENTS:
        return None, False
    rule = rules.surge(region, metric)
    if rule is not None:
        return rule, True
    return SurgeRule.model_validate(dict(rules.defaults.surge)), False


def _day(
    history: History,
    region: str,
    metric: str,
    counts: Array,
    volumes: Array,
    index: int,
    weekdays: np.ndarray[Any, np.dtype[np.int64]],
    rule: SurgeRule | None,
    watched: bool,
) -> SeriesDay:
    count, volume = float(counts[index]), float(volumes[index])
    plain = SeriesDay(day=history.day(index), count=count, volume=volume)
    if rule is None:
        return plain
    prior = country_prior(history, metric, index, rule) if metric != "docs" else 0.0
    expectation = surge_expectation(counts, volumes, index, weekdays, rule, prior)
    if expectation is None:
        return plain
    expected, spread = expectation.expected * volume, expectation.spread * volume
    return SeriesDay(
        day=plain.day,
        count=count,
        volume=volume,
        expected=expected,
        low=max(0.0, expected - spread),
        high=expected + spread,
        threshold=surge_threshold(volume, expectation, rule) if watched else None,
        cold=expectation.cold,
    )


def _load(session: Session, regions: Sequence[str], metrics: set[str], first: date, end: date) -> History:
    """Counts of ``metrics`` and the volumes of ``regions``, ``first``–``end``; ``incidents``
    sums the incident types."""
    history = History(first, end)
    wanted = (metrics - {INCIDENTS}) | {VOLUME}
    conditions: list[ColumnElement[bool]] = [IndicatorRow.metric.in_(sorted(wanted))]
    if INCIDENTS in metrics:
        conditions.append(func.substr(IndicatorRow.metric, 1, len("incident:")) == "incident:")
    rows = session.execute(
        select(IndicatorRow.region_kato, IndicatorRow.day, IndicatorRow.metric, IndicatorRow.count).where(
            IndicatorRow.region_kato.in_(regions),
            IndicatorRow.day.between(first, end),
            IndicatorRow.metric != UNDATED,
            or_(*conditions),
        )
    )
    incidents: defaultdict[tuple[str, date], float] = defaultdict(float)
    for region, day, metric, count in rows:
        if metric in wanted:
            history.put(region, day, metric, count)
        if INCIDENTS in metrics and metric.startswith("incident:"):
            incidents[(region, day)] += count
    for (region, day), count in incidents.items():
        history.put(region, day, INCIDENTS, count)
    return history


def _alerts(session: Session, regions: Sequence[str], start: date, end: date) -> dict[str, list[AlertRow]]:
    rows = session.scalars(
        select(AlertRow)
        .where(
            AlertRow.region_kato.in_(regions),
            AlertRow.first_day <= end,
            AlertRow.last_day >= start,
        )
        .order_by(AlertRow.first_day, AlertRow.id)
        .limit(500)
    )
    out: dict[str, list[AlertRow]] = defaultdict(list)
    for row in rows:
        out[str(row.region_kato)].append(row)
    return out


def _mark(alert: AlertRow, metric: str) -> AlertMark:
    metrics = {alert.metric} | {
        str(m.get("metric")) for m in (alert.details or {}).get("metrics", []) if isinstance(m, dict)
    }
    incident = metric == INCIDENTS and any(str(m).startswith("incident:") for m in metrics)
    matches = alert.kind == "surge" and (metric in metrics or incident)
    return AlertMark(
        id=alert.id,
        kind=alert.kind,
        first_day=alert.first_day,
        last_day=alert.last_day,
        severity=alert.severity,
        status=alert.status,
        metric=alert.metric,
        matches=matches,
    )
