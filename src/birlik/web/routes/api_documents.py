"""JSON API: overview, documents, stories and saved searches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from birlik.access import searches
from birlik.query import queries, search_results
from birlik.query import stories as story_data
from birlik.resources.gazetteer import load_gazetteer
from birlik.web import views
from birlik.web.deps import ApiTr, Db, Reader, Scope, State
from birlik.web.public import (
    CountPublic,
    DocumentCardPublic,
    DocumentDetailPublic,
    DocumentsPublic,
    OverviewPublic,
    RegionNamePublic,
    SavedSearchPublic,
    StoriesPublic,
    StoryDetailPublic,
    StoryPublic,
)
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
    return views.overview_public(state, session, scope, who, t, indicator, days)


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
    rows = searches.saved_searches(session, who)
    return [SavedSearchPublic(id=r.id, name=r.name, params=r.params) for r in rows]


@router.post("/saved-searches", status_code=201)
def create_saved_search(body: SavedSearchCreate, session: Db, who: Reader) -> SavedSearchPublic:
    row = searches.save_search(session, who, body.name, body.params)
    return SavedSearchPublic(id=row.id, name=row.name, params=row.params)


@router.delete("/saved-searches/{search_id}", status_code=204)
def delete_saved_search(search_id: RowId, session: Db, who: Reader) -> None:
    searches.delete_search(session, who, search_id)
