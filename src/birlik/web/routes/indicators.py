"""Indicators: the page, its JSON (``/api/v1/indicators``) and its CSV (``/indicators.csv``).

One metric over a period, every day present: a focus series (the country, or one region in
scope) with its baseline band, alert threshold and alerts, and small multiples on one y scale
comparing the regions in scope (or, ``by=ethnic``, the ethnic groups of the focus region).
The series come from ``signals.series``; this module parses the request, applies the reader's
region scope and renders.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from birlik.access.errors import RequestError, not_found
from birlik.access.principal import Principal
from birlik.domain import codes
from birlik.query import queries
from birlik.query.scope import RegionScope
from birlik.resources.ethnic import load_ethnic_groups
from birlik.resources.gazetteer import load_gazetteer
from birlik.signals import series as indicator_series
from birlik.signals.indicators import COUNTRY, kz_day
from birlik.signals.rules import RuleSet, SurgeRule, load_rules
from birlik.signals.series import AlertMark, IndicatorSeries
from birlik.web import charts
from birlik.web.deps import Db, Reader, Scope, State, Tr, WebState
from birlik.web.formats import Formats
from birlik.web.i18n import Translator
from birlik.web.public import SeriesDayPublic
from birlik.web.routes.common import parse_date
from birlik.web.routes.pages_common import region_names, render
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(route_class=UnitOfWorkRoute)
DEFAULT_METRIC = "ethnic_docs"
DEFAULT_DAYS = 90
By = Literal["region", "ethnic"]
Measure = Literal["count", "share"]


@dataclass(frozen=True, slots=True, kw_only=True)
class View:
    """What one request asked for, checked and scoped, and the series it gets."""

    metric: str
    region: str
    since: date
    until: date
    by: str
    measure: str
    scope_regions: tuple[str, ...]
    all_regions: bool
    focus: IndicatorSeries
    multiples: tuple[IndicatorSeries, ...]

    def params(self) -> dict[str, str]:
        return {
            "metric": self.metric,
            "region": self.region,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "by": self.by,
            "measure": self.measure,
        }


@lru_cache(maxsize=4)
def _rules(path: Path | None) -> RuleSet:
    return load_rules(path)


def scope_regions(scope: RegionScope) -> tuple[str, ...]:
    """The regions a reader may see, in KATO order (a mediator, who reads no documents: none)."""
    if scope.all_regions:
        return tuple(place.kato for place in load_gazetteer().regions())
    if scope.cases_of is not None:
        return ()
    return tuple(sorted(scope.katos))


def build_view(
    state: WebState,
    session: Session,
    scope: RegionScope,
    who: Principal,
    *,
    metric: str,
    region: str | None,
    since: str | None,
    until: str | None,
    by: str,
    measure: str = "count",
    full: bool = False,
) -> View:
    """``full``: the small multiples with their band and threshold too (the CSV); the page and
    the JSON draw them for the focus series only (a baseline a day is the costly part)."""
    if not indicator_series.known_metric(metric):
        raise RequestError(
            f"metric {metric[:60]!r} is not an indicator — choose one from the list", code=codes.W190
        )
    regions = scope_regions(scope)
    focus_region = _focus(scope, regions, region)
    end = parse_date(until, "until") or indicator_series.latest_day(session)
    start = parse_date(since, "since") or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end or (end - start).days + 1 > indicator_series.MAX_DAYS:
        raise RequestError(
            f"the period {start}–{until or end} is empty or longer than {indicator_series.MAX_DAYS} days "
            "— choose since no later than until, at most a year apart",
            code=codes.W191,
        )
    rules = _rules(state.settings.rules_file)
    alerts = who.can("read_alerts")

    def compute() -> tuple[IndicatorSeries, tuple[IndicatorSeries, ...]]:
        common: dict[str, Any] = {"start": start, "end": end, "rules": rules, "alerts": alerts}
        if by == "ethnic":
            multiples = indicator_series.ethnic_series(session, region=focus_region, baseline=full, **common)
        else:
            multiples = indicator_series.for_comparison(
                indicator_series.region_series(
                    session, regions=regions, metric=metric, baseline=full, **common
                )
            )
        same = [s for s in multiples if full and s.region == focus_region and s.metric == metric]
        if same:
            return same[0], tuple(multiples)
        focus = indicator_series.region_series(session, regions=(focus_region,), metric=metric, **common)
        return focus[0], tuple(multiples)

    key = ("indicators", scope, alerts, metric, focus_region, start, end, by, full)
    focus, multiples = queries.cached(state.cache, key, state.web.cache_seconds, compute)
    return View(
        metric=metric,
        region=focus_region,
        since=start,
        until=end,
        by=by,
        measure=measure,
        scope_regions=regions,
        all_regions=scope.all_regions,
        focus=focus,
        multiples=multiples,
    )


def _focus(scope: RegionScope, regions: tuple[str, ...], wanted: str | None) -> str:
    if not wanted:
        if scope.all_regions:
            return COUNTRY
        if not regions:
            raise not_found("indicators of your regions")
        return regions[0]
    if wanted != COUNTRY and wanted not in {place.kato for place in load_gazetteer().regions()}:
        raise RequestError(
            f"region {wanted[:40]!r} is not the KATO code of a region — choose one from the list",
            code=codes.W151,
        )
    if (wanted == COUNTRY and not scope.all_regions) or (wanted != COUNTRY and wanted not in regions):
        raise not_found(f"indicators of region {wanted}")
    return wanted


# --- the overview's chart -----------------------------------------------------------------------

OVERVIEW_METRICS = {"documents": "docs", "tension": "tension", "hate": "hate_docs", "incidents": "incidents"}
"""The overview's indicators as the metrics of the store that the chart draws."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OverviewChart:
    series: IndicatorSeries
    chart: charts.Chart
    title: str
    desc: str
    period: str
    link: str


def overview_series(
    state: WebState,
    session: Session,
    scope: RegionScope,
    who: Principal,
    indicator: str,
    days: int,
    until: datetime,
) -> IndicatorSeries | None:
    """The overview's daily series: the country for readers of every region, else the sum of
    the reader's regions; the last ``days`` days (at most a year) up to ``until``."""
    metric = OVERVIEW_METRICS.get(indicator, "docs")
    regions = (COUNTRY,) if scope.all_regions else scope_regions(scope)
    if not regions:
        return None
    end = kz_day(until)
    start = end - timedelta(days=min(days, indicator_series.MAX_DAYS) - 1)
    rules = _rules(state.settings.rules_file)
    alerts = who.can("read_alerts")

    def compute() -> IndicatorSeries:
        found = indicator_series.region_series(
            session, regions=regions, metric=metric, start=start, end=end, rules=rules, alerts=alerts
        )
        return indicator_series.combine(found)

    key = ("overview series", scope, alerts, metric, start, end)
    return queries.cached(state.cache, key, state.web.cache_seconds, compute)


def overview_chart(
    state: WebState,
    session: Session,
    scope: RegionScope,
    who: Principal,
    t: Translator,
    indicator: str,
    days: int,
    until: datetime,
) -> OverviewChart | None:
    series = overview_series(state, session, scope, who, indicator, days, until)
    if series is None:
        return None
    fmt = Formats(t.lang)
    metric = metric_label(t, series.metric)
    link = {"metric": series.metric, "since": series.start.isoformat(), "until": series.end.isoformat()}
    if scope.all_regions:
        link["region"] = COUNTRY
    return OverviewChart(
        series=series,
        chart=charts.draw(series, fmt, height=200, alert_label=t("indicators.alert")),
        title=t("indicators.overview_series", metric=metric),
        desc=t(
            "indicators.overview_desc",
            since=fmt.day(series.start),
            until=fmt.day(series.end),
            total=fmt.number(series.total),
            peak=fmt.number(series.peak),
            alerts=len(series.alerts),
        ),
        period=t(
            "indicators.period", since=fmt.day(series.start), until=fmt.day(series.end), days=len(series.days)
        ),
        link="/indicators?" + urlencode(link),
    )


# --- names ------------------------------------------------------------------------------------


def place_names(t: Translator) -> dict[str, str]:
    return {COUNTRY: t("indicators.country"), **region_names(t.lang)}


@lru_cache(maxsize=4)
def ethnic_names(lang: str) -> dict[str, str]:
    """Ethnic groups in the reader's language from the lexicon (the plural noun where known)."""
    out = {}
    for group in load_ethnic_groups():
        forms = group.names.get(lang) or ()
        name = forms[1] if len(forms) > 1 else forms[0] if forms else group.label
        out[group.id] = group.label if lang == "en" else name[:1].upper() + name[1:]
    return out


def metric_label(t: Translator, metric: str) -> str:
    if metric.startswith("incident:"):
        return t("indicators.metric.incident", kind=t("incident." + metric.removeprefix("incident:")))
    if metric.startswith("ethnic:"):
        group = metric.removeprefix("ethnic:")
        return t("indicators.metric.ethnic", group=ethnic_names(t.lang).get(group, group))
    return t("indicators.metric." + metric)


def metric_choices(t: Translator) -> list[tuple[str, list[tuple[str, str]]]]:
    """The select's groups: the main metrics, incident types, ethnic groups (by name)."""
    names = ethnic_names(t.lang)
    ethnic = sorted(
        ((m, names.get(m.removeprefix("ethnic:"), m)) for m in indicator_series.ethnic_metrics()),
        key=lambda pair: pair[1].casefold(),
    )
    return [
        (t("indicators.group.main"), [(m, metric_label(t, m)) for m in indicator_series.BASE_METRICS]),
        (
            t("indicators.group.incidents"),
            [(m, metric_label(t, m)) for m in indicator_series.incident_metrics()],
        ),
        (t("indicators.group.ethnic"), ethnic),
    ]


def series_name(t: Translator, view: View, series: IndicatorSeries) -> str:
    """What one small multiple is: its region, or (by ethnic group) its group."""
    if view.by == "ethnic":
        return ethnic_names(t.lang).get(series.metric.removeprefix("ethnic:"), series.metric)
    return place_names(t).get(series.region, series.region)


# --- routes -----------------------------------------------------------------------------------

Metric = Annotated[str, Query(max_length=80)]
RegionParam = Annotated[str | None, Query(max_length=12)]
DayParam = Annotated[str | None, Query(max_length=20)]


@router.get("/indicators", response_class=HTMLResponse)
def indicators_page(
    request: Request,
    state: State,
    session: Db,
    scope: Scope,
    who: Reader,
    t: Tr,
    metric: Metric = DEFAULT_METRIC,
    region: RegionParam = None,
    since: DayParam = None,
    until: DayParam = None,
    by: By = "region",
    measure: Measure = "count",
    format: Literal["html", "csv"] = "html",
) -> Response:
    asked: dict[str, Any] = {"metric": metric, "region": region, "since": since, "until": until, "by": by}
    if format == "csv":
        return csv_response(t, build_view(state, session, scope, who, full=True, **asked))
    view = build_view(state, session, scope, who, measure=measure, **asked)
    fmt = Formats(t.lang)
    names = place_names(t)
    share = measure == "share"
    drawn = [indicator_series.as_share(s) if share else s for s in (view.focus, *view.multiples)]
    style: dict[str, Any] = {"alert_label": t("indicators.alert"), "suffix": "%" if share else ""}
    if share:
        style["whole"] = False
    focus_chart = charts.draw(drawn[0], fmt, **style)
    top = charts.shared_top(drawn[1:])
    multiples = [
        (
            s,
            charts.draw(shown, fmt, width=300, height=130, peak=top, compact=True, **style),
            series_name(t, view, s),
            t(
                "indicators.chart_title",
                metric=metric_label(t, s.metric),
                region=names.get(s.region, s.region),
            ),
        )
        for s, shown in zip(view.multiples, drawn[1:], strict=True)
    ]
    scope_text = (
        t("indicators.scope.all")
        if view.all_regions
        else t("indicators.scope.regions", regions=", ".join(names.get(k, k) for k in view.scope_regions))
    )
    return render(
        request,
        state,
        t,
        "indicators.html",
        who,
        view=view,
        fmt=fmt,
        names=names,
        metric_name=metric_label(t, view.metric),
        metric_choices=metric_choices(t),
        focus_chart=focus_chart,
        unit=t("indicators.unit.share" if share else "indicators.unit.count"),
        history_days=SurgeRule.model_validate(
            dict(_rules(state.settings.rules_file).defaults.surge)
        ).history_days,
        multiples=multiples,
        scope_text=scope_text,
        query=urlencode(view.params()),
        alerts_shown=who.can("read_alerts"),
    )


@router.get("/indicators.csv")
def indicators_csv(
    state: State,
    session: Db,
    scope: Scope,
    who: Reader,
    t: Tr,
    metric: Metric = DEFAULT_METRIC,
    region: RegionParam = None,
    since: DayParam = None,
    until: DayParam = None,
    by: By = "region",
) -> Response:
    asked: dict[str, Any] = {"metric": metric, "region": region, "since": since, "until": until, "by": by}
    return csv_response(t, build_view(state, session, scope, who, full=True, **asked))


CSV_COLUMNS = (
    "region", "region_name", "metric", "day", "count", "volume", "value",
    "expected", "low", "high", "threshold", "alerts",
)  # fmt: skip


def csv_response(t: Translator, view: View) -> Response:
    """Every day of the focus series and of each small multiple, one row per region and day."""
    names = place_names(t)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    seen = set()
    for series in (view.focus, *view.multiples):
        if (series.region, series.metric) in seen:
            continue
        seen.add((series.region, series.metric))
        for day in series.days:
            alerts = [a.id for a in series.alerts if a.matches and a.first_day <= day.day <= a.last_day]
            writer.writerow(
                [
                    series.region,
                    names.get(series.region, series.region),
                    series.metric,
                    day.day.isoformat(),
                    *(_csv_number(v) for v in (day.count, day.volume, day.value)),
                    *(_csv_number(v) for v in (day.expected, day.low, day.high, day.threshold)),
                    " ".join(str(a) for a in alerts),
                ]
            )
    name = f"indicators-{view.metric.replace(':', '-')}-{view.since}-{view.until}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _csv_number(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


class IndicatorSeriesOut(BaseModel):
    region: str
    metric: str
    since: date
    until: date
    watched: bool
    total: float
    days: list[SeriesDayPublic]
    alerts: list[AlertMark]  # the domain's dataclass: its fields are the response's


class ScopeOut(BaseModel):
    all_regions: bool
    regions: list[str]


class IndicatorsOut(BaseModel):
    metric: str
    region: str
    since: date
    until: date
    by: str
    measure: str
    scope: ScopeOut
    focus: IndicatorSeriesOut
    series: list[IndicatorSeriesOut]


@router.get("/api/v1/indicators", tags=["indicators"])
def indicators_api(
    state: State,
    session: Db,
    scope: Scope,
    who: Reader,
    metric: Metric = DEFAULT_METRIC,
    region: RegionParam = None,
    since: DayParam = None,
    until: DayParam = None,
    by: By = "region",
    baselines: bool = False,
) -> IndicatorsOut:
    """Daily series of one indicator over a period (every day, zero-filled), with the baseline
    band, the alert threshold and the alerts; ``series``: the regions in scope (or, ``by=ethnic``,
    the ethnic groups of ``region``) on one scale, largest total first; their band and threshold
    too with ``baselines=true`` (slower: a baseline a day and region)."""
    asked: dict[str, Any] = {"metric": metric, "region": region, "since": since, "until": until, "by": by}
    view = build_view(state, session, scope, who, full=baselines, **asked)
    return IndicatorsOut.model_validate(
        {
            **view.params(),
            "scope": {"all_regions": view.all_regions, "regions": list(view.scope_regions)},
            "focus": view.focus.as_json(),
            "series": [s.as_json() for s in view.multiples],
        }
    )
