"""What the target-indicator and survey pages show, gathered from the store: each indicator's
latest estimate with its interval, the year's target and status, and the trend over the waves;
each imported wave with its respondents and indicators. With ``regions`` (a coordinator's scope)
only the respondents living in those regions count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from birlik.surveys.estimates import Assessment, WavePoint, assess, trend
from birlik.surveys.importer import list_surveys
from birlik.surveys.models import SurveyResponseRow
from birlik.surveys.targets import TargetIndicator, list_indicators


@dataclass(frozen=True, slots=True, kw_only=True)
class TargetProgress:
    """One indicator: its latest estimate assessed against the target of that wave's year."""

    indicator: TargetIndicator
    latest: Assessment | None
    """None when no imported wave measured the indicator (in the scope)."""
    survey: str | None
    waves: list[WavePoint] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    """The status of each wave against its own year's target, in the order of ``waves``."""

    @property
    def year(self) -> int | None:
        return self.latest.year if self.latest else None

    @property
    def target(self) -> float | None:
        return self.latest.target if self.latest else None


def target_progress(session: Session, *, regions: Sequence[str] | None = None) -> list[TargetProgress]:
    out = []
    for indicator in list_indicators(session):
        waves = trend(session, indicator.id, regions=regions)
        statuses = [assess(point.estimate, indicator, point.year).status for point in waves]
        if not waves:
            out.append(TargetProgress(indicator=indicator, latest=None, survey=None))
            continue
        last = waves[-1]
        out.append(
            TargetProgress(
                indicator=indicator,
                latest=assess(last.estimate, indicator, last.year),
                survey=last.survey,
                waves=waves,
                statuses=statuses,
            )
        )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class WaveSummary:
    id: int
    name: str
    year: int
    fielded_from: date | None
    fielded_to: date | None
    respondents: int
    """All respondents of the wave, or those of the scope's regions."""
    indicators: tuple[str, ...]
    imported_at: datetime
    file_name: str
    """The name of the imported file, without the server's directories."""


def wave_summaries(session: Session, *, regions: Sequence[str] | None = None) -> list[WaveSummary]:
    """The imported waves, oldest first."""
    waves = list_surveys(session)
    counts: dict[int, int] = {}
    if regions is not None:
        rows = session.execute(
            select(SurveyResponseRow.survey_id, func.count(SurveyResponseRow.id))
            .where(SurveyResponseRow.region_kato.in_(list(regions)))
            .group_by(SurveyResponseRow.survey_id)
        ).all()
        counts = {survey_id: count for survey_id, count in rows}
    return [
        WaveSummary(
            id=wave.id,
            name=wave.name,
            year=wave.year,
            fielded_from=wave.fielded_from,
            fielded_to=wave.fielded_to,
            respondents=wave.respondents if regions is None else counts.get(wave.id, 0),
            indicators=tuple(sorted(wave.codebook.get("indicators", {}))),
            imported_at=wave.imported_at,
            file_name=wave.source_file.replace("\\", "/").rsplit("/", 1)[-1],
        )
        for wave in waves
    ]
