"""What the quarterly report says, gathered from the store as plain records (no wording here).

Sections that need tables of other features (stories, alerts, cases) read them when the database
has them and say "not available" otherwise.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, select, true
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import ConfigError, SourceUnavailable
from birlik.domain.text import headline
from birlik.query.scope import RegionScope
from birlik.reports.i18n import check_lang
from birlik.store.models import DocumentRegionRow, DocumentRow, QuarantineRow, SourceRow
from birlik.surveys.estimates import BREAKDOWNS, Assessment, Estimate, WavePoint, assess, estimate, trend
from birlik.surveys.importer import list_surveys, load_respondents
from birlik.surveys.models import RecommendationRow, SurveyRow, VisitRow
from birlik.surveys.targets import TargetIndicator, list_indicators
from birlik.surveys.visits import OPEN_STATUSES, list_recommendations, list_visits

TOP_ITEMS = 10
TITLE_CHARS = 90
FIRST_YEAR, LAST_YEAR = 1900, 2999
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match(text.strip())
        if match is None:
            raise ConfigError(f"quarter {text!r} is not like 2026Q3", code=codes.G001)
        year = int(match.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:  # the calendar ends at 9999: a quarter must fit
            raise ConfigError(
                f"quarter {text!r} is out of range — give a year from {FIRST_YEAR} to {LAST_YEAR}",
                code=codes.G001,
            )
        return cls(year, int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return date(self.year + 1, 1, 1) if self.number == 4 else date(self.year, 3 * self.number + 1, 1)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def months(self) -> list[date]:
        return [date(self.year, 3 * self.number - 2 + i, 1) for i in range(3)]

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


MAX_QUARTERS = 40


def available_quarters(session: Session, *, today: date) -> list[Quarter]:
    """The quarters from the newest document's (not after today's) back to the oldest's, newest
    first, at most ``MAX_QUARTERS``: what a report can be asked for (two indexed reads)."""
    published = DocumentRow.published_at
    # two statements: SQLite answers a lone min() or max() from the index, both together by a scan
    first = session.scalar(select(func.min(published)))
    last = session.scalar(select(func.max(published)))
    if first is None or last is None:
        return []
    newest = min(Quarter.of(last.date()), Quarter.of(today), key=lambda q: (q.year, q.number))
    oldest = Quarter.of(first.date())
    out: list[Quarter] = []
    quarter = newest
    while (quarter.year, quarter.number) >= (oldest.year, oldest.number) and len(out) < MAX_QUARTERS:
        out.append(quarter)
        quarter = quarter.previous()
    return out


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


# --- records of the report ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Volume:
    documents: int
    mean_tension: float | None
    incidents: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionLine:
    region_kato: str
    documents: int
    mean_tension: float | None
    incidents: int


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthLine:
    month: date
    documents: int
    mean_tension: float | None
    incidents: dict[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorResult:
    indicator: TargetIndicator
    year: int
    target: float | None
    survey: str | None = None
    assessment: Assessment | None = None
    breakdowns: dict[str, list[Estimate]] = field(default_factory=dict)
    waves: list[WavePoint] = field(default_factory=list)


#: A title whose text scores this much hate is not printed in the body: it is quoted in the annex.
HATE_MASKED = 0.5


@dataclass(frozen=True, slots=True, kw_only=True)
class TopItem:
    title: str
    lang: str
    day: date | None
    tension: float | None
    size: int
    regions: tuple[str, ...]
    url: str | None = None
    hate: float | None = None
    """The hate score of the text the title comes from: the report masks it at ``HATE_MASKED``."""

    @property
    def masked(self) -> bool:
        """Is the title kept out of the body (quoted in the annex instead)?"""
        return self.hate is not None and self.hate >= HATE_MASKED


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertsSummary:
    alerts: int
    by_severity: dict[str, int]
    median_alert_response_hours: float | None
    cases_opened: int
    cases_closed: int
    median_case_response_hours: float | None
    median_case_close_hours: float | None
    cases_overdue: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceLine:
    name: str
    kind: str
    documents: int
    langs: tuple[str, ...]
    last_ok_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class DataLimits:
    without_region: int
    without_tension: int
    dates_flagged: int
    quarantined: int


@dataclass(frozen=True, slots=True, kw_only=True)
class QuarterlyReport:
    quarter: Quarter
    lang: str
    generated_at: datetime
    volume: Volume
    previous_volume: Volume
    regions: list[RegionLine]
    months: list[MonthLine]
    indicators: list[IndicatorResult]
    top_kind: str
    """``stories`` or ``documents``."""
    top_items: list[TopItem]
    alerts: AlertsSummary | None
    visits: list[VisitRow]
    open_recommendations: list[RecommendationRow]
    sources: list[SourceLine]
    limits: DataLimits
    regions_scope: tuple[str, ...] | None = None
    """The regions (KATO) the report is limited to; None: the whole country."""

    @property
    def incident_types(self) -> list[str]:
        return sorted({kind for month in self.months for kind in month.incidents})

    def top_incident_regions(self, count: int = 3) -> list[RegionLine]:
        ranked = sorted((r for r in self.regions if r.incidents), key=lambda r: (-r.incidents, r.region_kato))
        return ranked[:count]

    @property
    def overdue_recommendations(self) -> list[RecommendationRow]:
        last = self.quarter.last_day
        return [r for r in self.open_recommendations if r.deadline is not None and r.deadline <= last]


# --- gathering -----------------------------------------------------------------------------------


def build_report(
    session: Session,
    quarter: Quarter,
    lang: str,
    *,
    generated_at: datetime,
    regions: Sequence[str] | None = None,
) -> QuarterlyReport:
    """Every section from the store; a store that fails stops the report (``[D004]``) rather
    than leaving a section out. With ``regions`` (a coordinator's), every section counts only
    what belongs to those regions: documents placed there, their stories, alerts, cases, visits,
    survey respondents living there; documents without a region and the quarantine are left out."""
    check_lang(lang)
    scope = RegionScope.limited_to(regions)
    try:
        return _gather(session, quarter, lang, generated_at, scope)
    except SQLAlchemyError as exc:
        raise SourceUnavailable(
            f"the database failed while the {quarter} report was gathered: {exc.__class__.__name__}: "
            f"{getattr(exc, 'orig', None) or exc} — check that the database is up and migrated "
            "(`birlik init`), then generate the report again",
            code=codes.D004,
        ) from exc


NATIONAL = RegionScope.everything()


def _gather(
    session: Session, quarter: Quarter, lang: str, generated_at: datetime, scope: RegionScope
) -> QuarterlyReport:
    top_kind, top_items = _top_items(session, quarter, lang, scope)
    return QuarterlyReport(
        quarter=quarter,
        lang=lang,
        generated_at=generated_at,
        volume=_volume(session, quarter, scope),
        previous_volume=_volume(session, quarter.previous(), scope),
        regions=_regions(session, quarter, scope),
        months=_months(session, quarter, scope),
        indicators=_indicators(session, quarter, scope),
        top_kind=top_kind,
        top_items=top_items,
        alerts=_alerts(session, quarter, scope),
        visits=list_visits(session, since=quarter.start, until=quarter.end, regions=scope.regions),
        open_recommendations=_open_recommendations(session, quarter, scope),
        sources=_sources(session, quarter, scope),
        limits=_limits(session, quarter, scope),
        regions_scope=scope.regions,
    )


def _in_quarter(quarter: Quarter, scope: RegionScope = NATIONAL) -> Any:
    within = DocumentRow.published_at.between(
        _moment(quarter.start), _moment(quarter.end) - timedelta(microseconds=1)
    )
    return within if scope.regions is None else and_(within, scope.document_condition())


def _volume(session: Session, quarter: Quarter, scope: RegionScope) -> Volume:
    documents, tension, incidents = session.execute(
        select(
            func.count(DocumentRow.id), func.avg(DocumentRow.tension), func.count(DocumentRow.incident)
        ).where(_in_quarter(quarter, scope))
    ).one()
    return Volume(documents=documents or 0, mean_tension=_float(tension), incidents=incidents or 0)


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def _regions(session: Session, quarter: Quarter, scope: RegionScope) -> list[RegionLine]:
    rows = session.execute(
        select(
            DocumentRegionRow.region_kato,
            func.count(DocumentRow.id),
            func.avg(DocumentRow.tension),
            func.count(DocumentRow.incident),
        )
        .join(DocumentRow, DocumentRow.id == DocumentRegionRow.document_id)
        .where(_in_quarter(quarter), scope.region_condition(DocumentRegionRow.region_kato))
        .group_by(DocumentRegionRow.region_kato)
        .order_by(DocumentRegionRow.region_kato)
    ).all()
    return [
        RegionLine(region_kato=kato, documents=count, mean_tension=_float(tension), incidents=incidents)
        for kato, count, tension, incidents in rows
    ]


def _months(session: Session, quarter: Quarter, scope: RegionScope) -> list[MonthLine]:
    rows = session.execute(
        select(DocumentRow.published_at, DocumentRow.tension, DocumentRow.incident).where(
            _in_quarter(quarter, scope)
        )
    ).all()
    by_month: dict[date, list[tuple[float | None, str | None]]] = {month: [] for month in quarter.months()}
    for published, tension, incident in rows:
        if published is None:
            continue
        month = published.astimezone(UTC).date().replace(day=1)
        by_month.setdefault(month, []).append((tension, incident))
    return [_month_line(month, items) for month, items in sorted(by_month.items())]


def _month_line(month: date, items: Sequence[tuple[float | None, str | None]]) -> MonthLine:
    tensions = [t for t, _ in items if t is not None]
    incidents = Counter(i for _, i in items if i)
    return MonthLine(
        month=month,
        documents=len(items),
        mean_tension=statistics.fmean(tensions) if tensions else None,
        incidents=dict(sorted(incidents.items())),
    )


def _indicators(session: Session, quarter: Quarter, scope: RegionScope) -> list[IndicatorResult]:
    survey = _latest_survey(list_surveys(session), quarter)
    respondents = load_respondents(session, survey.id, regions=scope.regions) if survey else []
    results = []
    for indicator in list_indicators(session):
        coding = survey.codebook.get("indicators", {}).get(indicator.id) if survey else None
        waves = trend(session, indicator.id, until_year=quarter.year, regions=scope.regions)
        base = IndicatorResult(
            indicator=indicator, year=quarter.year, target=indicator.target_for(quarter.year), waves=waves
        )
        if survey is None or coding is None:
            results.append(base)
            continue
        share = "scores" not in coding
        overall = estimate(respondents, indicator.id, share=share)
        results.append(
            IndicatorResult(
                indicator=indicator,
                year=survey.year,
                target=indicator.target_for(survey.year),
                survey=survey.name,
                assessment=assess(overall[0], indicator, survey.year) if overall else None,
                breakdowns={by: estimate(respondents, indicator.id, by=by, share=share) for by in BREAKDOWNS},
                waves=waves,
            )
        )
    return results


def _latest_survey(surveys: Sequence[SurveyRow], quarter: Quarter) -> SurveyRow | None:
    """The newest wave of the quarter's year fielded before the quarter ended."""
    eligible = [
        s for s in surveys if s.year == quarter.year and (s.fielded_to is None or s.fielded_to < quarter.end)
    ]
    return eligible[-1] if eligible else None


def _top_items(
    session: Session, quarter: Quarter, lang: str, scope: RegionScope
) -> tuple[str, list[TopItem]]:
    stories = _top_stories(session, quarter, lang, scope)
    if stories:
        return "stories", stories
    return "documents", _top_documents(session, quarter, scope)


def _top_stories(session: Session, quarter: Quarter, lang: str, scope: RegionScope) -> list[TopItem]:
    from birlik.store.models_stories import StoryMemberRow, StoryRow

    query = (
        select(StoryRow, DocumentRow.hate)
        .outerjoin(DocumentRow, DocumentRow.id == StoryRow.representative_id)
        .where(StoryRow.last_seen >= _moment(quarter.start), StoryRow.first_seen < _moment(quarter.end))
    )
    if scope.regions is not None:  # a story with a member document placed in the regions
        members = select(StoryMemberRow.story_id).where(
            StoryMemberRow.document_id.in_(
                select(DocumentRegionRow.document_id).where(DocumentRegionRow.region_kato.in_(scope.regions))
            )
        )
        query = query.where(StoryRow.id.in_(members))
    rows = session.execute(
        query.order_by(
            StoryRow.peak_tension.desc().nulls_last(), StoryRow.doc_count.desc(), StoryRow.id
        ).limit(TOP_ITEMS)
    ).all()
    ids = [row.id for row, _ in rows]
    own = _titles_in(session, ids, lang, scope)
    if scope.regions is not None:  # a title from a document outside the regions would leak it
        own = {**_titles_in(session, ids, None, scope), **own}
    items = []
    for row, hate in rows:
        title, hate = own.get(row.id, (row.title, hate) if scope.regions is None else (None, None))
        items.append(
            TopItem(
                title=headline(title, TITLE_CHARS) if title else f"#{row.id}",
                lang="/".join(sorted(row.langs)),
                day=row.first_seen.date(),
                tension=row.peak_tension,
                size=row.doc_count,
                regions=tuple(sorted(k for k in row.regions if scope.regions is None or k in scope.regions)),
                hate=hate,
            )
        )
    return items


def _titles_in(
    session: Session, story_ids: list[int], lang: str | None, scope: RegionScope = NATIONAL
) -> dict[int, tuple[str, float | None]]:
    """Per story, the title (and its hate score) of its earliest document in the report's language:
    a story told in Kazakh and Russian is named in Kazakh in the Kazakh report (``lang`` None: in
    any language). A scoped report takes titles from documents of its regions only."""
    from birlik.store.models_stories import StoryMemberRow

    in_lang = true() if lang is None else DocumentRow.lang == lang
    rows = session.execute(
        select(StoryMemberRow.story_id, DocumentRow.title, DocumentRow.hate)
        .join(DocumentRow, DocumentRow.id == StoryMemberRow.document_id)
        .where(StoryMemberRow.story_id.in_(story_ids), in_lang, scope.document_condition())
        .where(DocumentRow.title.is_not(None))
        .order_by(StoryMemberRow.story_id, StoryMemberRow.seen_at, DocumentRow.id)
    ).all()
    titles: dict[int, tuple[str, float | None]] = {}
    for story_id, title, hate in rows:
        if title and title.strip():
            titles.setdefault(story_id, (title, hate))
    return titles


def _top_documents(session: Session, quarter: Quarter, scope: RegionScope) -> list[TopItem]:
    rows = session.scalars(
        select(DocumentRow)
        .where(_in_quarter(quarter, scope))
        .order_by(DocumentRow.tension.desc().nulls_last(), DocumentRow.published_at, DocumentRow.id)
        .limit(TOP_ITEMS)
    ).all()
    return [
        TopItem(
            title=headline(row.title or row.text, TITLE_CHARS),
            lang=row.lang,
            day=row.published_at.date() if row.published_at else None,
            tension=row.tension,
            size=1,
            regions=tuple(
                sorted(
                    r.region_kato
                    for r in row.regions
                    if scope.regions is None or r.region_kato in scope.regions
                )
            ),
            url=row.url,
            hate=row.hate,
        )
        for row in rows
    ]


def _alerts(session: Session, quarter: Quarter, scope: RegionScope) -> AlertsSummary:
    from birlik.cases.models import CaseEventRow, CaseRow
    from birlik.store.models_signals import AlertEventRow, AlertRow

    start, end = _moment(quarter.start), _moment(quarter.end)
    # the warnings about the quarter's days, also those raised later by a look back (monitor --since)
    alerts = session.scalars(
        select(AlertRow).where(
            AlertRow.first_day >= quarter.start,
            AlertRow.first_day <= quarter.last_day,
            scope.region_condition(AlertRow.region_kato),
        )
    ).all()
    alert_events = _first_events(
        session.execute(
            select(AlertEventRow.alert_id, AlertEventRow.at).where(
                AlertEventRow.alert_id.in_([a.id for a in alerts]),
                AlertEventRow.from_status.is_not(None),  # the alert's own creation is not a response
            )
        ).all()
    )
    cases = session.scalars(
        select(CaseRow).where(
            CaseRow.created_at >= start, CaseRow.created_at < end, scope.region_condition(CaseRow.region_kato)
        )
    ).all()
    case_events = session.execute(
        select(CaseEventRow.case_id, CaseEventRow.at, CaseEventRow.after)
        .where(CaseEventRow.case_id.in_([c.id for c in cases]))
        .order_by(CaseEventRow.at)
    ).all()
    first_case_action = _first_events([(cid, at) for cid, at, _ in case_events], skip_first=True)
    closed_at = {cid: at for cid, at, after in case_events if (after or {}).get("status") == "closed"}
    return AlertsSummary(
        alerts=len(alerts),
        by_severity=dict(sorted(Counter(a.severity for a in alerts).items())),
        median_alert_response_hours=_median_hours((a.created_at, alert_events.get(a.id)) for a in alerts),
        cases_opened=len(cases),
        cases_closed=sum(1 for c in cases if c.status == "closed"),
        median_case_response_hours=_median_hours((c.created_at, first_case_action.get(c.id)) for c in cases),
        median_case_close_hours=_median_hours((c.created_at, closed_at.get(c.id)) for c in cases),
        cases_overdue=sum(
            1 for c in cases if c.status != "closed" and c.due_at is not None and c.due_at < end
        ),
    )


def _first_events(rows: Iterable[Sequence[Any]], *, skip_first: bool = False) -> dict[int, datetime]:
    """The first event of each record (the second when the first is its creation)."""
    times: dict[int, list[datetime]] = defaultdict(list)
    for key, at in rows:
        times[key].append(at)
    offset = 1 if skip_first else 0
    return {key: sorted(ats)[offset] for key, ats in times.items() if len(ats) > offset}


def _median_hours(pairs: Iterable[tuple[datetime, datetime | None]]) -> float | None:
    hours = [
        (done - start).total_seconds() / 3600 for start, done in pairs if done is not None
    ]
    return statistics.median(hours) if hours else None


def _open_recommendations(session: Session, quarter: Quarter, scope: RegionScope) -> list[RecommendationRow]:
    """Recommendations still open, made on visits that started before the quarter ended."""
    rows = list_recommendations(session, statuses=OPEN_STATUSES, regions=scope.regions)
    return [row for row in rows if row.visit.started_on < quarter.end]


def _sources(session: Session, quarter: Quarter, scope: RegionScope) -> list[SourceLine]:
    counts = session.execute(
        select(DocumentRow.source_id, DocumentRow.lang, func.count())
        .where(_in_quarter(quarter, scope))
        .group_by(DocumentRow.source_id, DocumentRow.lang)
    ).all()
    per_source: dict[int | None, tuple[int, set[str]]] = {}
    for source_id, lang, count in counts:
        total, langs = per_source.get(source_id, (0, set()))
        per_source[source_id] = (total + count, langs | {lang})
    lines = []
    for source in session.scalars(select(SourceRow).order_by(SourceRow.name)):
        total, langs = per_source.get(source.id, (0, set()))
        if scope.regions is not None and not total:  # a scoped report names only sources it used
            continue
        lines.append(
            SourceLine(
                name=source.name,
                kind=source.kind,
                documents=total,
                langs=tuple(sorted(langs)),
                last_ok_at=source.last_ok_at,
            )
        )
    return lines


def _limits(session: Session, quarter: Quarter, scope: RegionScope) -> DataLimits:
    in_quarter = _in_quarter(quarter, scope)
    with_region = select(DocumentRegionRow.document_id)
    if scope.regions is not None:  # nothing without a region, no quarantine: outside any region
        return DataLimits(
            without_region=0,
            without_tension=session.scalar(
                select(func.count(DocumentRow.id)).where(in_quarter, DocumentRow.tension.is_(None))
            )
            or 0,
            dates_flagged=session.scalar(
                select(func.count(DocumentRow.id)).where(in_quarter, DocumentRow.date_flag.is_not(None))
            )
            or 0,
            quarantined=0,
        )
    return DataLimits(
        without_region=session.scalar(
            select(func.count(DocumentRow.id)).where(in_quarter, DocumentRow.id.not_in(with_region))
        )
        or 0,
        without_tension=session.scalar(
            select(func.count(DocumentRow.id)).where(in_quarter, DocumentRow.tension.is_(None))
        )
        or 0,
        dates_flagged=session.scalar(
            select(func.count(DocumentRow.id)).where(in_quarter, DocumentRow.date_flag.is_not(None))
        )
        or 0,
        quarantined=session.scalar(
            select(func.count(QuarantineRow.id)).where(QuarantineRow.resolved_at.is_(None))
        )
        or 0,
    )
