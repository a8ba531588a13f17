"""Pages: the quarterly report (form and download), target indicators, survey waves, monitoring
visits. Each reads the ``*Public`` models of ``public_reports`` within the user's regions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from birlik.access.principal import Principal
from birlik.domain.errors import BirlikError, ConfigError, WebError
from birlik.query.scope import RegionScope
from birlik.surveys.targets import list_indicators
from birlik.web.deps import Db, Reader, Scope, State, Tr, VisitReader, WebState
from birlik.web.formatting import number
from birlik.web.i18n import Translator
from birlik.web.routes.pages_common import region_names, render
from birlik.web.routes.public_reports import (
    TargetPublic,
    cached_targets,
    report_options,
    surveys_public,
    today_in_almaty,
    visits_public,
)
from birlik.web.routes.reports_common import IssuerParam, RegionParam, report_response
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
Short = Annotated[str, Query(max_length=20)]


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, state: State, session: Db, scope: Scope, who: Reader, t: Tr) -> Response:
    return _reports_page(request, state, session, scope, who, t)


def _reports_page(
    request: Request,
    state: WebState,
    session: Session,
    scope: RegionScope,
    who: Principal,
    t: Translator,
    error: BirlikError | None = None,
) -> Response:
    regions = scope.narrow(())
    options = report_options(session, regions, prefix="/reports/download")
    return render(
        request,
        state,
        t,
        "reports.html",
        who,
        status_code=error.status if error else 200,
        options=options,
        error=f"[{error.code}] {error.detail}" if error else "",
        **_scoped(regions, t.lang),
    )


@router.get("/reports/download")
def report_download(
    request: Request,
    state: State,
    session: Db,
    scope: Scope,
    who: Reader,
    t: Tr,
    quarter: Short,
    lang: Short = "kk",
    fmt: Annotated[str, Query(alias="format", max_length=20)] = "pdf",
    region: RegionParam = None,
    generated_on: Annotated[str | None, Query(max_length=20)] = None,
    issuer: IssuerParam = None,
) -> Response:
    """The file; a wrong choice in the form comes back as the form with the coded error (4xx)."""
    try:
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
    except (ConfigError, WebError) as exc:
        if exc.status >= 500:
            raise
        return _reports_page(request, state, session, scope, who, t, exc)


@router.get("/targets", response_class=HTMLResponse)
def targets(request: Request, state: State, session: Db, scope: Scope, who: Reader, t: Tr) -> Response:
    regions = scope.narrow(())
    items = cached_targets(state, session, t.lang, regions)
    return render(
        request,
        state,
        t,
        "targets.html",
        who,
        targets=items,
        charts={item.id: trend_chart(item, partial(number, lang=t.lang, digits=1)) for item in items},
        **_scoped(regions, t.lang),
    )


@router.get("/surveys", response_class=HTMLResponse)
def surveys(request: Request, state: State, session: Db, scope: Scope, who: Reader, t: Tr) -> Response:
    regions = scope.narrow(())
    return render(
        request,
        state,
        t,
        "surveys.html",
        who,
        waves=surveys_public(session, regions),
        indicator_names={i.id: i.name(t.lang) for i in list_indicators(session)},
        **_scoped(regions, t.lang),
    )


@router.get("/visits", response_class=HTMLResponse)
def visits(
    request: Request,
    state: State,
    session: Db,
    scope: Scope,
    who: VisitReader,
    t: Tr,
    overdue: bool = False,
) -> Response:
    regions = scope.narrow(())
    items = visits_public(session, regions)
    shown = [v for v in items if v.overdue_recommendations] if overdue else items
    return render(
        request,
        state,
        t,
        "visits.html",
        who,
        visits=shown,
        overdue_total=sum(v.overdue_recommendations for v in items),
        overdue=overdue,
        today=today_in_almaty(),
        **_scoped(regions, t.lang),
    )


def _scoped(regions: tuple[str, ...] | None, lang: str) -> dict[str, Any]:
    """``scoped``: the user's regions (None: all) and ``scope_label``: their names."""
    names = region_names(lang)
    label = ", ".join(names.get(kato, kato) for kato in regions) if regions is not None else ""
    return {"scoped": regions, "scope_label": label}


# --- the trend chart --------------------------------------------------------------------------

WIDTH, HEIGHT, PAD, LEFT = 240, 76, 8, 40
"""The chart's size, its padding and the room on the left for the scale's labels."""


def trend_chart(item: TargetPublic, number: Callable[..., str]) -> dict[str, object] | None:
    """Geometry of a small SVG chart of the waves: the estimates joined by a line, each with its
    95% interval as a bar, the targets of the waves' years as ticks, and the scale's top and
    bottom labelled (``number`` writes them in the page's language); None without waves."""
    if not item.trend:
        return None
    values = [
        v for p in item.trend for v in (p.estimate.ci_low, p.estimate.ci_high, p.target) if v is not None
    ]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    low, high = low - span * 0.1, high + span * 0.1
    step = (WIDTH - LEFT - 2 * PAD) / max(len(item.trend) - 1, 1)

    def y(value: float) -> float:
        return round(PAD + (high - value) / (high - low) * (HEIGHT - 2 * PAD), 1)

    points = []
    for index, point in enumerate(item.trend):
        x = LEFT + PAD + index * step if len(item.trend) > 1 else LEFT + (WIDTH - LEFT) / 2
        points.append(
            {
                "x": round(x, 1),
                "y": y(point.estimate.value),
                "low": y(point.estimate.ci_low),
                "high": y(point.estimate.ci_high),
                "target": y(point.target) if point.target is not None else None,
                "status": point.status,
            }
        )
    line = " ".join(f"{p['x']},{p['y']}" for p in points)
    ticks = [{"y": y(value), "label": number(value)} for value in (high, low)]
    return {"width": WIDTH, "height": HEIGHT, "left": LEFT, "points": points, "line": line, "ticks": ticks}
