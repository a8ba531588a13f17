"""Pages: login, language, overview, stories, story and document."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio
from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from birlik.access import searches
from birlik.access import users as accounts
from birlik.access.errors import RequestError, not_found
from birlik.access.models import UserRow
from birlik.access.passwords import check_login
from birlik.access.principal import Principal
from birlik.access.throttle import LoginAttempt
from birlik.access.tokens import is_expired, live_tokens
from birlik.domain import codes
from birlik.query import queries, search_results
from birlik.query import stories as story_data
from birlik.query.filters import SORTS, DocumentFilters
from birlik.signals import explain, map_scale
from birlik.signals.district_counts import district_counts
from birlik.store.models import utcnow
from birlik.web import geo, map_view
from birlik.web.auth import PRE_SESSION_COOKIE, SESSION_COOKIE, tokens_match
from birlik.web.deps import (
    CurrentUser,
    Db,
    Reader,
    Scope,
    State,
    Tr,
    WebState,
    cookie_secure,
    set_session_cookie,
)
from birlik.web.i18n import LANG_COOKIE, LANGUAGES, Translator
from birlik.web.routes import indicators as indicator_pages
from birlik.web.routes.common import Filters, RowId
from birlik.web.routes.pages_common import (
    back,
    ethnic_choices,
    landing,
    region_names,
    render,
    scope_line,
)
from birlik.web.unit_of_work import UnitOfWorkRoute
from birlik.web.views import overview_public

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)
ENTITY_KINDS = explain.ENTITY_KINDS
PAGE_SIZE = 25
INCIDENT_TYPES = (
    "violence_brawl",
    "mass_disorder",
    "killing",
    "arson_vandalism",
    "protest_rally",
    "discrimination",
    "hate_propaganda",
    "rumour_disinformation",
)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, state: State, t: Tr, error: str = "") -> Response:
    cookie, token = state.codec.issue_pre_session()
    response = render(request, state, t, "login.html", None, csrf=token, error=error)
    response.set_cookie(
        PRE_SESSION_COOKIE, cookie, httponly=True, samesite="lax", secure=cookie_secure(request, state.web)
    )
    return response


@router.post("/login")
async def login(
    request: Request,
    state: State,
    t: Tr,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    expected = state.codec.read_pre_session(request.cookies.get(PRE_SESSION_COOKIE))
    if expected is None or not tokens_match(expected, csrf_token):
        raise RequestError(
            "the form has no valid CSRF token — reload the page and send it again", code=codes.W419,
        )
    attempt = LoginAttempt(username, request.client.host if request.client else "unknown")
    try:
        delay = await run_in_threadpool(_admit, state, attempt)
    except RequestError as exc:
        if exc.status != 429:
            raise
        wait = exc.headers.get("Retry-After", "1")
        error = t("login.wait", seconds=wait)
        page = render(request, state, t, "login.html", None, status_code=429, csrf=csrf_token, error=error)
        page.headers.update(exc.headers)
        return page
    if delay:
        await anyio.sleep(delay)  # on the event loop: a slowed login holds no worker thread
    landed = await run_in_threadpool(_try_login, state, attempt, password)
    if landed is None:
        return render(
            request, state, t, "login.html", None, status_code=401, csrf=csrf_token, error=t("login.failed")
        )
    cookie, role = landed
    response = RedirectResponse(landing(role), status_code=303)
    set_session_cookie(request, response, state, cookie)
    response.delete_cookie(PRE_SESSION_COOKIE)
    return response


def _admit(state: WebState, attempt: LoginAttempt) -> float:
    """Count the attempt (or refuse it, W429); the seconds to slow it down by."""
    with state.store.transaction() as session:
        state.throttle.admit(session, attempt)
    with state.store.transaction() as session:
        return state.throttle.slow_down(session, attempt)


def _try_login(state: WebState, attempt: LoginAttempt, password: str) -> tuple[str, str] | None:
    """The session cookie and the role of a correct login, else None; each step its own short
    transaction, so that no write lock is held while the password is checked."""
    with state.store.transaction() as session:
        user = accounts.find_user(session, attempt.username)
        ok = check_login(user, password)
        session.expunge_all()
    with state.store.transaction() as session:
        if not ok or user is None:
            state.throttle.failed(session, attempt)
            return None
        state.throttle.succeeded(session, attempt)
        cookie, _ = state.codec.issue(user)
        return cookie, user.role


@router.post("/logout")
def logout(session: Db, who: CurrentUser) -> Response:
    user = session.get(UserRow, who.user_id)
    if user is not None:
        user.session_epoch += 1
    response = back("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account", response_class=HTMLResponse)
def account(
    request: Request, state: State, session: Db, who: CurrentUser, t: Tr, changed: bool = False
) -> Response:
    return account_page(request, state, session, who, t, notice=t("account.changed") if changed else "")


def account_page(
    request: Request,
    state: WebState,
    session: Session,
    who: Principal,
    t: Translator,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    tokens = live_tokens(session, who.user_id)
    expired = {k.id for k in tokens if is_expired(k)}
    return render(
        request,
        state,
        t,
        "account.html",
        who,
        status_code=status_code,
        tokens=tokens,
        expired=expired,
        notice=notice,
        error=error,
    )


ACCOUNT_ERRORS = {
    codes.W111.id: "account.too_short",
    codes.W171.id: "account.wrong_current",
    codes.W173.id: "account.mismatch",
}


@router.post("/account/password")
def change_password(
    request: Request,
    state: State,
    who: CurrentUser,
    t: Tr,
    current_password: Annotated[str, Form()],
    new_password: Annotated[str, Form()],
    new_password_again: Annotated[str, Form()],
) -> Response:
    """Your own password; your other sessions end, this browser stays logged in."""
    address = request.client.host if request.client else "unknown"
    try:
        if new_password != new_password_again:
            raise RequestError("the two new passwords differ — type them again", code=codes.W173,)
        user = accounts.change_own_password(
            state.store, state.throttle, who, address, current=current_password, new=new_password
        )
    except RequestError as exc:
        if exc.entry is codes.W429:
            error = t("login.wait", seconds=exc.headers.get("Retry-After", "1"))
        elif exc.code in ACCOUNT_ERRORS:
            error = t(ACCOUNT_ERRORS[exc.code])
        else:
            raise
        with state.store.transaction() as session:  # its own: the change ran in its own too
            page = account_page(request, state, session, who, t, error=error, status_code=exc.status)
        page.headers.update(exc.headers)
        return page
    response = back("/account?changed=1")
    set_session_cookie(request, response, state, state.codec.issue(user)[0])
    return response


@router.get("/lang/{code}")
def switch_language(code: str, request: Request, state: State) -> Response:
    target = request.headers.get("referer") or "/"
    if not target.startswith(str(request.base_url)):
        target = "/"
    response = back(target)
    if code in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=cookie_secure(request, state.web)
        )
    return response


@router.get("/", response_class=HTMLResponse)
def overview(
    request: Request,
    state: State,
    session: Db,
    scope: Scope,
    who: Reader,
    t: Tr,
    indicator: str = "documents",
    days: int = 30,
) -> Response:
    view = overview_public(state, session, scope, who, t, indicator, days)
    indicator, days, until, values = view.indicator, view.days, view.until, view.regions
    since = until - timedelta(days=days)
    chart = indicator_pages.overview_chart(state, session, scope, who, t, indicator, days, until)
    shapes = geo.load_shapes(state.web.map_geojson)
    region_map = map_view.build(
        shapes,
        indicator,
        map_scale.map_values(
            indicator, values, map_view.scope_regions(scope), days, visible=scope.cases_of is None
        ),
        t,
        limited=not scope.all_regions,
    )
    districts = map_view.district_rows(
        queries.cached(
            state.cache,
            ("districts", scope, days),
            state.web.cache_seconds,
            lambda: district_counts(session, scope.katos, since),
        )
        if not scope.all_regions and scope.cases_of is None
        else [],
        t.lang,
    )
    return render(
        request,
        state,
        t,
        "overview.html",
        who,
        indicator=indicator,
        indicators=queries.INDICATORS,
        days=days,
        data_until=until if until < datetime.now(UTC) - timedelta(days=1) else None,
        region_map=region_map,
        districts=districts,
        district_attribution=state.web.map_districts_attribution,
        district_map=map_view.district_map(
            geo.load_district_shapes(state.web.map_districts_geojson, tuple(d.kato for d in districts))
            if districts and state.web.map_districts_geojson
            else None,
            districts,
            t,
        ),
        chart=chart,
        alerts=view.alerts,
        top_documents=view.top_documents,
        stories=queries.cached(
            state.cache,
            ("top stories", scope, days),
            state.web.cache_seconds,
            lambda: story_data.list_stories(session, scope, limit=8, since=since, order="top"),
        ),
    )


@router.get("/stories", response_class=HTMLResponse)
def stories(
    request: Request,
    state: State,
    session: Db,
    scope: Scope,
    who: Reader,
    t: Tr,
    filters: Filters,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> Response:
    offset = (page - 1) * PAGE_SIZE
    ranked: list[int] | None = None
    if filters.semantic:  # one ranking: the page, and the nearest documents whose stories are counted
        wanted = max(offset + PAGE_SIZE, story_data.STORY_SOURCE_DOCUMENTS)
        ranked = queries.semantic_ranking(
            session, scope, filters, state.embedder(), state.static_embedder(), wanted
        )
        found = ranked[offset : offset + PAGE_SIZE]
    else:
        found = queries.matching_ids(session, scope, filters, limit=PAGE_SIZE, offset=offset)
    cards = queries.cards_by_ids(session, found, filters.q)
    for card in cards:  # the list shows Almaty time (the zone in the tooltip)
        card["published_local"] = search_results.local_time(card["published_at"])
    saved = searches.saved_searches(session, who)
    pairs = _pairs(filters)
    names = region_names(t.lang)
    nearest = None if ranked is None else ranked[: story_data.STORY_SOURCE_DOCUMENTS]
    found_documents, found_stories = queries.cached(  # the next pages of a search reuse its counts
        state.cache,
        ("search counts", scope, replace(filters, sort="newest")),
        state.web.cache_seconds,
        lambda: search_results.count_found(session, scope, filters, nearest),
    )
    return render(
        request,
        state,
        t,
        "stories.html",
        who,
        filters=filters,
        documents=cards,
        found=found_documents,
        stories_found=found_stories,
        # a search lists the stories of the documents of its page (by meaning too: the query's)
        stories=story_data.list_stories(
            session, scope, document_ids=(lambda: found) if filters.narrowed() else None
        ),
        stories_available=story_data.available(),
        saved=list(saved),
        ethnic_groups=ethnic_choices(t.lang),
        region_options=[(k, n) for k, n in names.items() if scope.allows(k)],
        relevance_limit=queries.RELEVANCE_CANDIDATES,
        sorts=[] if filters.semantic else SORTS,  # relevance without a query: the newest
        page=page,
        page_size=PAGE_SIZE,
        query_string=urlencode(pairs),
        sort_string=urlencode([(k, v) for k, v in pairs if k != "sort"]),
        export_limit=(
            search_results.SEMANTIC_EXPORT_LIMIT if filters.semantic else search_results.EXPORT_LIMIT
        ),
        incidents=INCIDENT_TYPES,
        number=lambda n: format_number(n, t.lang),
    )


def format_number(value: int, lang: str) -> str:
    """Thousands grouped as each language writes them: 12 345 (kk, ru), 12,345 (en)."""
    grouped = f"{value:,}"
    return grouped if lang == "en" else grouped.replace(",", "\u00a0")


@router.get("/stories/export.{fmt}")
def export_search(
    fmt: str, state: State, session: Db, scope: Scope, who: Reader, t: Tr, filters: Filters
) -> Response:
    """Every document the search finds (every filter, the user's regions only) as CSV
    (streamed) or XLSX, in the page's order, at most ``EXPORT_LIMIT`` rows; a cut export says so
    in its last row and in the ``X-Birlik-Truncated`` header."""
    if fmt not in ("csv", "xlsx"):
        raise not_found(f"export format {fmt[:10]}")
    plan = search_results.export_plan(
        session, scope, filters, embedder=state.embedder, static=state.static_embedder
    )
    names = search_results.ExportNames(
        regions=region_names(t.lang),
        groups=search_results.group_names(t.lang),
        incidents={i: t("incident." + i) for i in INCIDENT_TYPES},
    )
    header = [t("search.col." + c) for c in search_results.COLUMNS]
    note = t("search.export_truncated", limit=format_number(plan.limit, t.lang)) if plan.truncated else None
    now = datetime.now(search_results.ZONE)
    stamp = now.strftime("%Y%m%d-%H%M")
    headers = {"Content-Disposition": f'attachment; filename="birlik-search-{stamp}.{fmt}"'}
    if plan.truncated:
        headers["X-Birlik-Truncated"] = str(plan.limit)
    if fmt == "xlsx":
        about = [
            (t("search.about.generated"), now.isoformat(sep=" ", timespec="minutes")),
            (t("search.about.scope"), scope_line(who, t)),
            (t("search.about.filters"), urlencode(_pairs(filters))),
            (t("search.about.rows"), str(len(plan.ids))),
        ]
        content = search_results.xlsx_bytes(
            header,
            search_results.export_rows(session, plan.ids, names),
            sheet=t("search.sheet.documents"),
            about_sheet=t("search.sheet.about"),
            about=about,
            note=note,
        )
        return Response(content, media_type=XLSX_TYPE, headers=headers)

    def stream() -> Iterator[str]:  # its own read transaction: the request's has ended by now
        with state.store.transaction() as reading:
            yield from search_results.csv_chunks(
                header, search_results.export_rows(reading, plan.ids, names), note
            )

    return StreamingResponse(stream(), media_type="text/csv; charset=utf-8", headers=headers)


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pairs(filters: DocumentFilters) -> list[tuple[str, Any]]:
    params = filters.as_params()
    return [(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])]


@router.post("/stories/saved")
def save_search(
    request: Request,
    session: Db,
    who: Reader,
    name: Annotated[str, Form()],
    query: Annotated[str, Form()] = "",
) -> Response:
    from urllib.parse import parse_qs

    params = {key: values if len(values) > 1 else values[0] for key, values in parse_qs(query).items()}
    searches.save_search(session, who, name, params)
    return back("/stories?" + query)


@router.post("/stories/saved/{search_id}/delete")
def delete_search(search_id: RowId, session: Db, who: Reader) -> Response:
    searches.delete_search(session, who, search_id)
    return back("/stories")


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(
    story_id: str, request: Request, state: State, session: Db, scope: Scope, who: Reader, t: Tr
) -> Response:
    detail = story_data.story_detail(session, scope, story_id, marks=True)
    kinds = {op[1].kind for d in detail["documents"] for op in d["marks"] if op[0] == "open"}
    return render(
        request, state, t, "story.html", who, story=detail, kinds=sorted(kinds), entity_kinds=ENTITY_KINDS
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document(
    document_id: RowId, request: Request, state: State, session: Db, scope: Scope, who: Reader, t: Tr
) -> Response:
    row = scope.document(session, document_id)
    detail = queries.document_detail(row)
    record = explain.document_record(row)
    spans = explain.document_spans(detail["mentions"], record["signals"])
    return render(
        request,
        state,
        t,
        "document.html",
        who,
        doc=detail,
        tokens=explain.nest(row.text, spans),
        explained=explain.explain_signals(row.text, record["signals"]),
        kinds=sorted({span.kind for span in spans}),
        entity_kinds=explain.ENTITY_KINDS,
        now=utcnow(),
    )
