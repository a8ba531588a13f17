"""JSON API: overview, documents, stories and saved searches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.access import searches
from birlik.access.models import SavedSearchRow
from birlik.access.principal import Principal
from birlik.query import queries, search_results
from birlik.query import stories as story_data
from birlik.query.scope import RegionScope
from birlik.resources.gazetteer import load_gazetteer
from birlik.web import map_view
from birlik.web.deps import ApiTr, Db, Reader, Scope, State, WebState
from birlik.web.i18n import Translator
from birlik.web.messages import alert_title
from birlik.web.public import (
    AlertPublic,
    CountPublic,
    DocumentCardPublic,
    DocumentDetailPublic,
    DocumentsPublic,
    MapPublic,
    OverviewPublic,
    RegionNamePublic,
    SavedSearchPublic,
    SeriesDayPublic,
    StoriesPublic,
    StoryDetailPublic,
    StoryPublic,
)
from birlik.web.routes import indicators as indicator_pages
from birlik.web.routes.common import MAX_OFFSET, Filters, RowId
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["documents"], route_class=UnitOfWorkRoute)


@router.get("/regions")
def regions(_: Reader) -> list[RegionNamePublic]:
    return [
        RegionNamePublic(kato=p.kato, kk=p.name("kk"), ru=p.name("ru"), en=p.name("en"))
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
) -> OverviewPublic:
    """The last ``days`` days of ``indicator`` (documents, tension, hate, incidents) by region and
    by day, the latest alerts and the most tense documents: what the overview page shows."""
    return overview_public(state, session, scope, who, t, indicator, days)


def overview_public(
    state: WebState,
    session: Session,
    scope: RegionScope,
    who: Principal,
    t: Translator,
    indicator: str,
    days: int,
) -> OverviewPublic:
    """The overview, for the API and the page (``/``, which adds only what it draws): the last
    ``days`` days (1 to 3650) of ``indicator`` (documents when it is not one of
    ``queries.INDICATORS``) by region and day, the latest alerts (for those who may read them)
    and the most tense documents, within the caller's regions; alert titles in ``t``'s language."""
    days = max(1, min(days, 3650))
    indicator = indicator if indicator in queries.INDICATORS else "documents"
    until = queries.period_end(session)
    since = until - timedelta(days=days)
    values = queries.cached(
        state.cache,
        ("overview", scope, indicator, days),
        state.web.cache_seconds,
        lambda: queries.region_values(session, scope, indicator, since),
    )
    series = indicator_pages.overview_series(state, session, scope, who, indicator, days, until)
    alerts = queries.latest_alerts(session, scope) if who.can("read_alerts") else []
    top = queries.top_cards(state.cache, state.web.cache_seconds, session, scope, days, since)
    return OverviewPublic(
        indicator=indicator,
        days=days,
        until=until,
        regions=values,
        map=MapPublic.model_validate(map_view.api_map(indicator, values, scope, days)),
        series_metric=series.metric if series else None,
        series=[SeriesDayPublic.model_validate(day.as_json()) for day in series.days] if series else [],
        alerts=[AlertPublic.model_validate(alert_json(a, t)) for a in alerts],
        top_documents=[DocumentCardPublic.model_validate(card) for card in top],
    )


@router.get("/documents")
def documents(
    state: State,
    session: Db,
    scope: Scope,
    _: Reader,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=200)] = 25,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DocumentsPublic:
    found = queries.cached(
        state.cache,
        ("search counts", scope, replace(filters, sort="newest")),
        state.web.cache_seconds,
        lambda: search_results.count_found(session, scope, filters),
    )[0]
    items = queries.list_cards(
        session, scope, filters, limit=limit, offset=offset, embedder=state.embedder,
        static=state.static_embedder,
    )
    return DocumentsPublic(
        filters=filters.as_params(),
        order=filters.order,
        limit=limit,
        offset=offset,
        count=CountPublic(value=found.value, exact=found.exact),
        items=[DocumentCardPublic.model_validate(card) for card in items],
    )


@router.get("/documents/{document_id}")
def document(document_id: RowId, session: Db, scope: Scope, _: Reader) -> DocumentDetailPublic:
    return DocumentDetailPublic.model_validate(queries.document_detail(scope.document(session, document_id)))


@router.get("/stories")
def stories(
    state: State,
    session: Db,
    scope: Scope,
    _: Reader,
    filters: Filters,
    order: Annotated[str, Query(pattern="^(recent|top)$")] = "recent",
    limit: Annotated[int, Query(ge=1, le=200)] = 25,
) -> StoriesPublic:
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
    found = story_data.list_stories(session, scope, limit=limit, order=order, document_ids=ids)
    return StoriesPublic(
        filters=filters.as_params(), order=order, items=[StoryPublic.model_validate(s) for s in found]
    )


@router.get("/stories/{story_id}")
def story(story_id: str, session: Db, scope: Scope, _: Reader) -> StoryDetailPublic:
    return StoryDetailPublic.model_validate(story_data.story_detail(session, scope, story_id))


class SavedSearchCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)


@router.get("/saved-searches")
def saved_searches(session: Db, who: Reader) -> list[SavedSearchPublic]:
    rows = session.scalars(
        select(SavedSearchRow).where(SavedSearchRow.user_id == who.user_id).order_by(SavedSearchRow.id)
    )
    return [SavedSearchPublic(id=r.id, name=r.name, params=r.params) for r in rows]


@router.post("/saved-searches", status_code=201)
def create_saved_search(body: SavedSearchCreate, session: Db, who: Reader) -> SavedSearchPublic:
    row = searches.save_search(session, who, body.name, body.params)
    return SavedSearchPublic(id=row.id, name=row.name, params=row.params)


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
