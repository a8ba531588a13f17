"""JSON API: target indicators, survey waves, monitoring visits and the quarterly report, each
within the caller's regions (a coordinator's estimates count their regions' respondents only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from birlik.web.deps import Db, Reader, Scope, State, VisitReader
from birlik.web.routes.public_reports import (
    MEDIA_TYPES,
    ReportOptionsPublic,
    SurveyWavePublic,
    TargetPublic,
    VisitPublic,
    cached_targets,
    report_options,
    surveys_public,
    visits_public,
)
from birlik.web.routes.reports_common import IssuerParam, RegionParam, report_response
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["reports, targets, surveys, visits"], route_class=UnitOfWorkRoute)
Short = Annotated[str, Query(max_length=20)]


@router.get("/targets", response_model=list[TargetPublic])
def targets(
    state: State,
    session: Db,
    scope: Scope,
    _: Reader,
    lang: Annotated[str, Query(pattern="^(kk|ru|en)$")] = "en",
) -> list[TargetPublic]:
    """The Concept's target indicators with the newest estimate, its 95% interval, the target of
    that year, the status against it and the trend over the waves."""
    return cached_targets(state, session, lang, scope.narrow(()))


@router.get("/surveys", response_model=list[SurveyWavePublic])
def surveys(session: Db, scope: Scope, _: Reader) -> list[SurveyWavePublic]:
    """The imported survey waves, newest first (import them with `birlik survey import`)."""
    return surveys_public(session, scope.narrow(()))


@router.get("/visits", response_model=list[VisitPublic])
def visits(session: Db, scope: Scope, _: VisitReader, overdue: bool = False) -> list[VisitPublic]:
    """Monitoring visits, newest first, with their recommendations (``overdue`` marks those still
    open past their deadline; ``?overdue=true`` keeps the visits that have one)."""
    return visits_public(session, scope.narrow(()), overdue_only=overdue)


@router.get("/reports", response_model=ReportOptionsPublic)
def reports(session: Db, scope: Scope, _: Reader) -> ReportOptionsPublic:
    """What a quarterly report can be asked for: quarters, languages, formats, regions."""
    return report_options(session, scope.narrow(()), prefix="/api/v1/reports/download")


@router.get(
    "/reports/download",
    response_class=Response,
    responses={
        200: {
            "description": "The report file (Content-Disposition names it, e.g. birlik-2026-Q3-kk.pdf).",
            "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
        }
    },
)
def report_download(
    state: State,
    session: Db,
    scope: Scope,
    _: Reader,
    quarter: Short,
    lang: Short = "kk",
    fmt: Annotated[str, Query(alias="format", max_length=20)] = "pdf",
    region: RegionParam = None,
    generated_on: Annotated[str | None, Query(max_length=20)] = None,
    issuer: IssuerParam = None,
) -> Response:
    """The quarterly report in kk, ru or en as PDF, DOCX or HTML, like `birlik report`: a
    coordinator's report covers their regions only; ``region`` narrows it to some of them."""
    return report_response(
        state,
        session,
        scope,
        quarter=quarter,
        lang=lang,
        fmt=fmt,
        region=region,
        generated_on=generated_on,
        issuer=issuer,
    )
