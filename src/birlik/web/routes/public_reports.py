"""What the API and the pages show of target indicators, survey waves, monitoring visits and the
quarterly report: the ``*Public`` response models (the OpenAPI schema describes them) and the one
function per model that builds it from the domain's records. The pages render the same models.

Every builder takes the regions of the caller's scope (None: the whole country)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from pydantic import Field
from sqlalchemy.orm import Session

from birlik.ingest.dates import ALMATY
from birlik.query.queries import cached
from birlik.reports.quarterly import Quarter, available_quarters
from birlik.reports.render import FORMATS
from birlik.surveys.models import RecommendationRow, VisitRow
from birlik.surveys.summary import TargetProgress, target_progress, wave_summaries
from birlik.surveys.visits import OPEN_STATUSES, is_overdue, list_visits
from birlik.web.deps import WebState
from birlik.web.public import Iso, Public

REPORT_LANGS = ("kk", "ru", "en")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


def today_in_almaty() -> date:
    return datetime.now(UTC).astimezone(ALMATY).date()


# --- target indicators ------------------------------------------------------------------------


class EstimatePublic(Public):
    value: float = Field(description="Weighted estimate (a share in % for share indicators).")
    ci_low: float = Field(description="Lower bound of the 95% confidence interval.")
    ci_high: float = Field(description="Upper bound of the 95% confidence interval.")
    n: int = Field(description="Respondents with a valid answer.")
    n_eff: float = Field(description="Kish effective sample size.")
    unreliable: bool = Field(description="True when the effective sample is under 30.")



class WavePointPublic(Public):
    survey: str
    year: int
    fielded_to: str | None
    estimate: EstimatePublic
    target: float | None = Field(description="The Concept's target for the wave's year.")
    status: str = Field(description="met, on_track, at_risk or no_target against that target.")


class TargetPublic(Public):
    id: str
    number: int | None = Field(description="Row of the Concept's table (section 6).")
    name: str = Field(description="In the language asked for (lang).")
    unit: str
    direction: str = Field(description="higher: a larger value is better; lower: a smaller one.")
    baseline: float | None
    baseline_year: int | None
    targets: dict[int, float] = Field(description="Target by year.")
    survey: str | None = Field(description="The newest wave that measured the indicator.")
    year: int | None = Field(description="That wave's year.")
    target: float | None = Field(description="The target of that year.")
    estimate: EstimatePublic | None
    status: str | None = Field(description="met, on_track, at_risk or no_target; None: not measured.")
    gap: float | None = Field(description="Estimate minus target.")
    trend: list[WavePointPublic] = Field(description="Every wave that measured it, oldest first.")
    regions: list[str] | None = Field(description="Regions the estimates are limited to; None: national.")


def targets_public(session: Session, lang: str, regions: Sequence[str] | None) -> list[TargetPublic]:
    return [_target(item, lang, regions) for item in target_progress(session, regions=regions)]


def cached_targets(
    state: WebState, session: Session, lang: str, regions: Sequence[str] | None
) -> list[TargetPublic]:
    """``targets_public`` reused for the settings' cache seconds: the estimates read every
    respondent of every wave, and they change only when a wave is imported."""
    key = ("targets", lang, tuple(regions) if regions is not None else None)
    return cached(state.cache, key, state.web.cache_seconds, lambda: targets_public(session, lang, regions))


def _target(item: TargetProgress, lang: str, regions: Sequence[str] | None) -> TargetPublic:
    indicator, latest = item.indicator, item.latest
    return TargetPublic(
        id=indicator.id,
        number=indicator.number,
        name=indicator.name(lang),
        unit=indicator.unit,
        direction=indicator.direction,
        baseline=indicator.baseline,
        baseline_year=indicator.baseline_year,
        targets=dict(indicator.targets),
        survey=item.survey,
        year=item.year,
        target=item.target,
        estimate=EstimatePublic.of(latest.estimate) if latest else None,
        status=latest.status if latest else None,
        gap=latest.gap if latest else None,
        trend=[
            WavePointPublic(
                survey=point.survey,
                year=point.year,
                fielded_to=point.fielded_to,
                estimate=EstimatePublic.of(point.estimate),
                target=indicator.target_for(point.year),
                status=status,
            )
            for point, status in zip(item.waves, item.statuses, strict=True)
        ],
        regions=list(regions) if regions is not None else None,
    )


# --- survey waves -----------------------------------------------------------------------------


class SurveyWavePublic(Public):
    id: int
    name: str
    year: int
    fielded_from: date | None
    fielded_to: date | None
    respondents: int = Field(description="Respondents of the wave (in the caller's regions when limited).")
    indicators: list[str] = Field(description="Target indicators the wave's codebook measures.")
    imported_at: Iso
    file_name: str


def surveys_public(session: Session, regions: Sequence[str] | None) -> list[SurveyWavePublic]:
    return [
        SurveyWavePublic(
            id=wave.id,
            name=wave.name,
            year=wave.year,
            fielded_from=wave.fielded_from,
            fielded_to=wave.fielded_to,
            respondents=wave.respondents,
            indicators=list(wave.indicators),
            imported_at=wave.imported_at,
            file_name=wave.file_name,
        )
        for wave in reversed(wave_summaries(session, regions=regions))
    ]


# --- monitoring visits ------------------------------------------------------------------------


class RecommendationPublic(Public):
    id: int
    text: str
    owner: str
    deadline: date | None
    status: str = Field(description="open, in_progress, done or dropped.")
    status_note: str | None
    overdue: bool = Field(description="Still open and past its deadline (today in Asia/Almaty).")


class VisitPublic(Public):
    id: int
    region_kato: str
    title: str
    started_on: date
    ended_on: date
    team: list[str]
    meetings: list[dict[str, str]]
    findings: list[str]
    risks: list[dict[str, str]]
    recommendations: list[RecommendationPublic]
    open_recommendations: int
    overdue_recommendations: int


def visits_public(
    session: Session, regions: Sequence[str] | None, *, overdue_only: bool = False
) -> list[VisitPublic]:
    """Visits, newest first; ``overdue_only``: those with an overdue recommendation."""
    today = today_in_almaty()
    visits = [_visit(row, today) for row in reversed(list_visits(session, regions=regions))]
    return [v for v in visits if v.overdue_recommendations] if overdue_only else visits


def _visit(row: VisitRow, today: date) -> VisitPublic:
    recommendations = [_recommendation(r, today) for r in row.recommendations]
    return VisitPublic(
        id=row.id,
        region_kato=row.region_kato,
        title=row.title,
        started_on=row.started_on,
        ended_on=row.ended_on,
        team=[str(p) for p in row.team],
        meetings=[{str(k): str(v) for k, v in m.items()} for m in row.meetings],
        findings=[str(f) for f in row.findings],
        risks=[{str(k): str(v) for k, v in r.items()} for r in row.risks],
        recommendations=recommendations,
        open_recommendations=sum(1 for r in recommendations if r.status in OPEN_STATUSES),
        overdue_recommendations=sum(1 for r in recommendations if r.overdue),
    )


def _recommendation(row: RecommendationRow, today: date) -> RecommendationPublic:
    return RecommendationPublic(
        id=row.id,
        text=row.text,
        owner=row.owner,
        deadline=row.deadline,
        status=row.status,
        status_note=row.status_note,
        overdue=is_overdue(row, today),
    )


# --- the quarterly report ---------------------------------------------------------------------


class ReportOptionsPublic(Public):
    quarters: list[str] = Field(description="Quarters with documents, newest first (e.g. 2026Q3).")
    default_quarter: str
    languages: list[str]
    formats: list[str]
    regions: list[str] | None = Field(
        description="The regions a report may be limited to (the caller's); None: any, or national."
    )
    download: str = Field(description="The address of a report, with quarter, lang and format filled in.")


def report_options(session: Session, regions: Sequence[str] | None, *, prefix: str) -> ReportOptionsPublic:
    quarters = available_quarters(session, today=today_in_almaty())
    default = quarters[0] if quarters else Quarter.of(today_in_almaty())
    return ReportOptionsPublic(
        quarters=[str(q) for q in quarters] or [str(default)],
        default_quarter=str(default),
        languages=list(REPORT_LANGS),
        formats=list(FORMATS),
        regions=list(regions) if regions is not None else None,
        download=f"{prefix}?quarter={default}&lang=kk&format=pdf",
    )


def report_file_name(quarter: Quarter, lang: str, fmt: str) -> str:
    return f"birlik-{quarter.year}-Q{quarter.number}-{lang}.{fmt}"
