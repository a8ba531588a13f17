"""Dependencies as ``Annotated`` aliases: the database session, who is asking, their regions,
the interface language. Region scoping lives in ``region_scope`` and nowhere else.

Dependencies that do no I/O are ``async``: FastAPI runs them on the event loop instead of
handing each to the thread pool (a thread hop per dependency costs more than they do)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, Query, Request, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from birlik.access.errors import RequestError, forbidden, unauthenticated
from birlik.access.models import RegionGrantRow, UserRow
from birlik.access.principal import Principal
from birlik.access.throttle import LoginThrottle
from birlik.access.tokens import token_principal
from birlik.domain import codes
from birlik.nlp.embed import Embedder
from birlik.query.scope import RegionScope
from birlik.settings import Settings, WebSettings
from birlik.store.repository import Store
from birlik.web.auth import SESSION_COOKIE, SessionCodec, tokens_match
from birlik.web.i18n import LANG_COOKIE, LANGUAGES, Translator, choose_language

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@dataclass
class WebState:
    """Everything the app builds once at its start and hands to every request."""

    settings: Settings
    web: WebSettings
    store: Store
    codec: SessionCodec
    throttle: LoginThrottle
    templates: Jinja2Templates
    embedder_factory: Callable[[], Embedder]
    cache: dict[Any, tuple[float, Any]] = field(default_factory=dict)
    _embedder: Embedder | None = None
    _static: Embedder | None = None
    _static_built: bool = False

    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = self.embedder_factory()
        return self._embedder

    def static_embedder(self) -> Embedder | None:
        """The static embedder distilled from ``embedder()`` (its vectors are those of the
        non-salient documents), built on first use; None when there is none."""
        if not self._static_built:
            from birlik.nlp.static_embed import distilled_companion

            self._static = distilled_companion(self.embedder())
            self._static_built = True
        return self._static

def cookie_secure(request: Request, web: WebSettings) -> bool:
    """Cookies carry ``Secure`` when the settings demand it or the request came over HTTPS (the
    scheme a trusted proxy forwarded counts: see BIRLIK_FORWARDED_ALLOW_IPS)."""
    return web.cookie_secure or request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, state: WebState, cookie: str) -> None:
    """The session cookie of a login or a password change, ``Secure`` over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=state.web.session_max_age,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request, state.web),
    )


async def get_state(request: Request) -> WebState:
    state: WebState = request.app.state.birlik
    return state


State = Annotated[WebState, Depends(get_state)]


async def db_session(state: State) -> AsyncIterator[Session]:
    """The request's session. The endpoint's own work is committed in its thread when it returns
    (``unit_of_work``); what is left here (a dependency's change on a route that does not take
    the session) is committed at the end, a rollback on an error, each in a thread of its own
    (never waiting for the pool, like FastAPI's own exits) and only when there is something to
    end: making and closing an idle session does no I/O and stays on the event loop."""
    session = state.store.new_session()
    try:
        yield session
    except BaseException:
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.rollback, limiter=anyio.CapacityLimiter(1))
        raise
    else:
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            await anyio.to_thread.run_sync(session.commit, limiter=anyio.CapacityLimiter(1))
    finally:
        session.close()


Db = Annotated[Session, Depends(db_session)]


async def current_principal(request: Request, state: State, session: Db) -> Principal:
    """Who asks, by session cookie (forms need its CSRF token) or API token (a ``read`` token is
    refused on every POST, PUT, PATCH and DELETE: this dependency is behind every route)."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        bearer = token_principal(session, authorization[7:].strip())
        if bearer.scope != "write" and request.method in UNSAFE_METHODS:
            raise RequestError(
                'this API token may only read — create a token with scope "write" to make changes',
                code=codes.W174,
            )
        return bearer
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise unauthenticated()
    payload = state.codec.read(cookie)
    principal = session_principal(session, payload)
    _release(session)
    if principal is None:
        raise unauthenticated("your session has ended — log in again")
    if request.method in UNSAFE_METHODS:
        await _check_csrf(request, principal.csrf_token)
    return principal


def _release(session: Session) -> None:
    """End the read-only transaction of the principal's look-up, so that no connection is held
    while the request waits for a worker thread (the endpoint takes one again): a request
    waiting in the queue holds neither a lock nor one of the pool's connections. (SQLite reads
    outside a write hold no transaction, and its pool is large: nothing to give back there.)"""
    if session.get_bind().dialect.name != "sqlite" and not (session.new or session.dirty or session.deleted):
        session.commit()


_PRINCIPAL = (
    select(
        UserRow.id,
        UserRow.username,
        UserRow.display_name,
        UserRow.role,
        UserRow.active,
        RegionGrantRow.region_kato,
    )
    .outerjoin(RegionGrantRow, RegionGrantRow.user_id == UserRow.id)
    .where(UserRow.id == bindparam("user"), UserRow.session_epoch == bindparam("epoch"))
)


def session_principal(session: Session, payload: dict[str, Any]) -> Principal | None:
    """Who a valid session cookie speaks for, read afresh on every request (a logout, a
    deactivation or a new role counts at once): one indexed Core read of the user and their
    regions, a statement built once (this runs on the event loop for every request)."""
    rows = (
        session.connection().execute(_PRINCIPAL, {"user": payload.get("u"), "epoch": payload.get("e")}).all()
    )
    if not rows or not rows[0].active:
        return None
    user = rows[0]
    return Principal(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        regions=frozenset(row.region_kato for row in rows if row.region_kato is not None),
        via="session",
        csrf_token=str(payload.get("c", "")),
    )


async def _check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not tokens_match(expected, given):
        raise RequestError(
            "the form has no valid CSRF token — reload the page and send it again", code=codes.W419,
        )


CurrentUser = Annotated[Principal, Depends(current_principal)]


async def region_scope(principal: CurrentUser) -> RegionScope:
    """The one place that turns a user into the set of regions they may see."""
    return RegionScope.of(principal)


Scope = Annotated[RegionScope, Depends(region_scope)]


def require(permission: str) -> Callable[[Principal], Awaitable[Principal]]:
    async def check(principal: CurrentUser) -> Principal:
        if not principal.can(permission):
            raise forbidden()
        return principal

    return check


Reader = Annotated[Principal, Depends(require("read"))]
AlertReader = Annotated[Principal, Depends(require("read_alerts"))]
AlertActor = Annotated[Principal, Depends(require("act_alerts"))]
CaseReader = Annotated[Principal, Depends(require("read_cases"))]
CaseActor = Annotated[Principal, Depends(require("act_cases"))]
RegistryEditor = Annotated[Principal, Depends(require("edit_registry"))]
Admin = Annotated[Principal, Depends(require("admin"))]
VisitReader = Annotated[Principal, Depends(require("read_visits"))]


async def interface_language(request: Request) -> Translator:
    return Translator(
        choose_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    )


Tr = Annotated[Translator, Depends(interface_language)]


async def api_language(
    request: Request,
    lang: Annotated[
        str | None,
        Query(description="The language of the texts of the answer (kk, ru, en); else Accept-Language."),
    ] = None,
) -> Translator:
    """The API's language: ``?lang=``, else the interface's (its cookie, Accept-Language)."""
    if lang in LANGUAGES:
        return Translator(str(lang))
    return await interface_language(request)


ApiTr = Annotated[Translator, Depends(api_language)]
