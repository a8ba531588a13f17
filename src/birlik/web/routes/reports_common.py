"""The quarterly report over HTTP, shared by the page and the API: the parameters, the caller's
regions, and the download response."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from birlik.access.errors import RequestError, forbidden
from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.query.scope import RegionScope
from birlik.reports.i18n import check_lang
from birlik.reports.quarterly import Quarter
from birlik.reports.render import FORMATS, quarterly_file
from birlik.resources.gazetteer import load_gazetteer
from birlik.web.deps import WebState
from birlik.web.routes.api_work import content_disposition
from birlik.web.routes.common import parse_date
from birlik.web.routes.public_reports import MEDIA_TYPES, report_file_name

RegionParam = Annotated[list[str] | None, Query(max_length=20)]
IssuerParam = Annotated[str | None, Query(max_length=200)]
"""The sending body at the head of the first page (``birlik report --issuer``)."""


def report_regions(scope: RegionScope, wanted: list[str] | None) -> tuple[str, ...] | None:
    """The regions of the report: the wanted ones (all of them the caller's) or the caller's
    regions; None: a national report (an analyst or administrator who named no region)."""
    wanted = [w for w in wanted or () if w]
    known = {p.kato for p in load_gazetteer().regions()}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise RequestError(
            f"{', '.join(u[:20] for u in unknown[:5])} are not KATO codes of regions — "
            "give KATO codes of regions, e.g. 310000000",
            code=codes.W113,
        )
    outside = [w for w in wanted if not scope.allows(w)]
    if outside:
        raise forbidden(f"region {outside[0]} is outside your regions")
    return scope.narrow(wanted)


def report_response(
    state: WebState,
    session: Session,
    scope: RegionScope,
    *,
    quarter: str,
    lang: str,
    fmt: str,
    region: list[str] | None,
    generated_on: str | None,
    issuer: str | None = None,
) -> Response:
    """The report as a download named like ``birlik-2026-Q3-kk.pdf``; bad parameters are coded
    4xx (G001 quarter, G002 language, G003 format, W102 date, W113 region, W403 region outside
    the caller's), a store that fails is D004 (503)."""
    period = Quarter.parse(quarter)
    check_lang(lang)
    if fmt not in FORMATS:
        raise ConfigError(
            f"report format {fmt[:20]!r} is not one of {list(FORMATS)} — use one of them", code=codes.G003
        )
    regions = report_regions(scope, region)
    day = parse_date(generated_on, "generated_on")
    generated_at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) if day else datetime.now(UTC)
    data = quarterly_file(
        session,
        period,
        lang,
        fmt,
        generated_at=generated_at,
        regions=regions,
        geojson=state.web.map_geojson,
        issuer=issuer.strip() if issuer and issuer.strip() else None,
    )
    return Response(
        data,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": content_disposition(report_file_name(period, lang, fmt))},
    )
