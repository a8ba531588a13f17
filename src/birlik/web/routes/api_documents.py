"""JSON API: overview, documents, stories and saved searches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from birlik.access import searches
from birlik.access.models import SavedSearchRow
from birlik.resources.gazetteer import load_gazetteer
from birlik.web import map_view, queries, search_results
from birlik.web import stories as story_data
from birlik.web.deps import ApiTr, Db, Reader, Scope, State
from birlik.web.i18n import Translator
from birlik.web.messages import alert_title
from birlik.web.routes import indicators as indicator_pages
from birlik.web.routes.common import MAX_OFFSET, Filters, RowId
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["documents"], route_class=UnitOfWorkRoute)


@router.get("/regions")
def regions(_: Reader) -> list[dict[str, str]]:
    return [
        {"kato": p.kato, "kk": p.name("kk"), "ru": p.name("ru"), "en": p.name("en")}
        for p in load_gazetteer().regions()
    ]


@router.get("/overview")
def overview(
    state: State,
    session: Db,
    scope: Scope,
    who: Reader,
    t: ApiTr,
    indicator: str = "documents",
    days: int = 30,
) -> dict[str, Any]:
    days = max(1, min(days, 3650))
    until = queries.period_end(session)
    since = until - timedelta(days=days)
    indicator = indicator if indicator in queries.INDICATORS else "documents"
    key = ("overview", scope, indicator, days)
    values = queries.cached(
        state.cache,
        key,
        state.web.cache_seconds,
        lambda: queries.region_values(session, scope, indicator, since),
    )
    series = indicator_pages.overview_series(state, session, scope, who, indicator, days, until)
    return {
        "indicator": indicator,
        "days": days,
        "until": until.isoformat(),
        "regions": values,
        "map": map_view.api_map(indicator, values, scope, days),
        "series_metric": series.metric if series else None,
        "series": [day.as_json() for day in series.days] if series else [],
        "alerts": [alert_json(a, t) for a in queries.latest_alerts(session, scope)],
        "top_documents": queries.top_cards(state.cache, state.web.cache_seconds, session, scope, days, since),
    }


@router.get("/documents")
def documents(
    state: State,
    session: Db,
    scope: Scope,
    _: Reader,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=200)] = 25,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    found = queries.cached(
        state.cache,
        ("search counts", scope, replace(filters, sort="newest")),
        state.web.cache_seconds,
        lambda: search_results.count_found(session, scope, filters),
    )[0]
    return {
        "filters": filters.as_params(),
        "order": filters.order,
        "limit": limit,
        "offset": offset,
        "count": {"value": found.value, "exact": found.exact},
        "items": queries.list_cards(
            session, scope, filters, limit=limit, offset=offset, embedder=state.embedder,
            static=state.static_embedder,
        ),
    }


@router.get("/documents/{document_id}")
def document(document_id: RowId, session: Db, scope: Scope, _: Reader) -> dict[str, Any]:
    return queries.document_detail(scope.document(session, document_id))


@router.get("/stories")
def stories(
    state: State,
    session: Db,
    scope: Scope,
    _: Reader,
    filters: Filters,
    order: Annotated[str, Query(pattern="^(recent|top)$")] = "recent",
    limit: Annotated[int, Query(ge=1, le=200)] = 25,
) -> dict[str, Any]:
    """Stories in scope; with filters, the stories of the documents the filters find (a search
    by meaning: of the documents nearest the query)."""
    count = story_data.STORY_SOURCE_DOCUMENTS
    ids: Callable[[], list[int]] | None = None
    if filters.semantic:
        ids = lambda: queries.semantic_ranking(  # noqa: E731
            session, scope, filters, state.embedder(), state.static_embedder(), count
        )
    elif filters.narrowed():
        ids = lambda: queries.matching_ids(session, scope, filters, limit=count)  # noqa: E731
    return {
        "filters": filters.as_params(),
        "order": order,
        "items": story_data.list_stories(session, scope, limit=limit, order=order, document_ids=ids),
    }


@router.get("/stories/{story_id}")
def story(story_id: str, session: Db, scope: Scope, _: Reader) -> dict[str, Any]:
    return story_data.story_detail(session, scope, story_id)


class SavedSearchCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)


@router.get("/saved-searches")
def saved_searches(session: Db, who: Reader) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(SavedSearchRow).where(SavedSearchRow.user_id == who.user_id).order_by(SavedSearchRow.id)
    )
    return [{"id": r.id, "name": r.name, "params": r.params} for r in rows]


@router.post("/saved-searches", status_code=201)
def create_saved_search(body: SavedSearchCreate, session: Db, who: Reader) -> dict[str, Any]:
    row = searches.save_search(session, who, body.name, body.params)
    return {"id": row.id, "name": row.name, "params": row.params}


@router.delete("/saved-searches/{search_id}", status_code=204)
def delete_saved_search(search_id: RowId, session: Db, who: Reader) -> None:
    searches.delete_search(session, who, search_id)


def alert_json(alert: Any, t: Translator | None = None) -> dict[str, Any]:
    """An alert as the API gives it; ``title`` in ``t``'s language (as the pages say it)."""
    return {
        "id": alert.id,
        "kind": alert.kind,
        "subject": alert.subject,
        "region_kato": alert.region_kato,
        "metric": alert.metric,
        "story_id": alert.story_id,
        "severity": alert.severity,
        "status": alert.status,
        "title": alert_title(t, alert) if t is not None else alert.title,
        "first_day": alert.first_day.isoformat(),
        "last_day": alert.last_day.isoformat(),
        "occurrences": alert.occurrences,
        "dismiss_reason": alert.dismiss_reason,
        "case_id": alert.case_id,
        "details": alert.details,
    }
