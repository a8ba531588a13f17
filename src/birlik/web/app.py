"""The application factory: ``create_app(runtime)`` builds the app once from the runtime's parts
(settings — their ``web`` section —, store, the one embedder) and wires it."""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from birlik import __version__
from birlik.access import audit
from birlik.access.principal import Principal
from birlik.access.throttle import LoginThrottle
from birlik.domain import codes
from birlik.domain.codes import Code
from birlik.domain.errors import BirlikError, WebError
from birlik.runtime import Runtime
from birlik.settings import WebSettings
from birlik.web import formatting
from birlik.web.auth import SESSION_COOKIE, SessionCodec
from birlik.web.deps import WebState, session_principal
from birlik.web.errors import error_body
from birlik.web.i18n import LANG_COOKIE, LANGUAGES, Translator, choose_language
from birlik.web.links import safe_url
from birlik.web.routes import (
    api_admin,
    api_documents,
    api_reports,
    api_work,
    pages_admin,
    pages_main,
    pages_reports,
    pages_work,
)
from birlik.web.routes import indicators as indicator_pages
from birlik.web.session_secret import session_secret
from birlik.web.templating import page_environment

log = logging.getLogger(__name__)
#: every router of the app, in the order they are included (the tests walk the same list)
ROUTERS = (
    api_documents,
    api_work,
    api_admin,
    api_reports,
    pages_main,
    pages_work,
    pages_admin,
    indicator_pages,
    pages_reports,
)
PACKAGE_DIR = Path(str(resources.files("birlik.web")))
OPENAPI_URL = "/api/v1/openapi.json"
DOCS_URL = "/api/v1/docs"
DOCS_ASSETS = "/api/v1/docs/assets"


def create_app(runtime: Runtime) -> FastAPI:
    """The app over the runtime's store; queries are embedded with the runtime's embedder (the
    one ``BIRLIK_EMBEDDER`` names, as the stored vectors were), built on the first query.
    Production refuses placeholder secrets here (``Settings.refuse_placeholders``)."""
    settings = runtime.settings
    settings.refuse_placeholders(serving=True)
    web = settings.web
    store = runtime.store()
    app = FastAPI(
        lifespan=_lifespan(web),
        title="Birlik",
        version=__version__,
        docs_url=None,  # served from local files below, not from a CDN
        openapi_url=OPENAPI_URL,
        redoc_url=None,
    )
    templates = Jinja2Templates(env=page_environment(str(PACKAGE_DIR / "templates")))
    templates.env.auto_reload = settings.environment == "development"  # no stat() per render otherwise
    templates.env.filters["safe_url"] = safe_url  # every stored URL that becomes a link
    templates.env.filters["local_time"] = formatting.local_time  # Asia/Almaty, the zone named
    templates.env.filters["local_day"] = formatting.local_day
    templates.env.filters["number"] = formatting.number
    templates.env.globals["audit_changes"] = audit.changes
    app.state.birlik = WebState(
        settings=settings,
        web=web,
        store=store,
        codec=SessionCodec(session_secret(settings).value, web.session_max_age),
        throttle=LoginThrottle.of(web),
        templates=templates,
        embedder_factory=runtime.embedder,
    )
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    _install_api_docs(app, templates)
    for module in ROUTERS:
        app.include_router(module.router)
    _install_error_handlers(app)
    app.add_middleware(SecurityHeaders)
    _warm(web)
    return app


def _install_api_docs(app: FastAPI, templates: Jinja2Templates) -> None:
    """The API reference at /api/v1/docs with Swagger UI's files from the ``fastapi-offline``
    package: it works offline and without inline script."""
    import fastapi_offline

    assets = Path(fastapi_offline.__file__).parent / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="api-docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        page = templates.get_template("api_docs.html").render(assets=DOCS_ASSETS, openapi_url=OPENAPI_URL)
        return HTMLResponse(page)


def _lifespan(web: WebSettings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # a few threads per process, each switching the interpreter lock often: SQLite releases
        # the lock around every step, and twenty threads queueing for it made latency grow by
        # whole switch intervals (5 ms) per step
        anyio.to_thread.current_default_thread_limiter().total_tokens = web.web_threads
        sys.setswitchinterval(0.001)
        gc.freeze()  # what start-up built lives as long as the process: no collection scans it again
        yield

    return lifespan


def _warm(web: WebSettings) -> None:
    """Draw the map once now, not in each of the first concurrent requests."""
    from birlik.web import geo

    try:
        geo.load_shapes(web.map_geojson)
    except BirlikError as exc:  # the overview page shows it with its code
        log.warning("region shapes: %s", exc)


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
"""No inline script anywhere (``script-src 'self'``: scripts only from /static); inline styles
stay allowed (style attributes of the templates, htmx's indicator style)."""
SECURITY_HEADERS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds the security headers a response does not set itself (plain ASGI: no extra task per
    request, unlike ``BaseHTTPMiddleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(pair for pair in SECURITY_HEADERS if pair[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _install_error_handlers(app: FastAPI) -> None:
    """One handler, one JSON error shape for the API; the pages get the same facts as HTML."""

    async def birlik_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BirlikError)
        headers = getattr(exc, "headers", {}) or {}
        return _error(request, exc.code, exc.status, exc.detail, headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        known = _HTTP_CODES.get(exc.status_code)  # others (none routed today) keep "W" + their status
        code = known.id if known else f"W{exc.status_code}"
        return _error(request, code, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        if tuple(first.get("loc", ()))[:1] == ("path",):  # "/cases/99999999999999999999": names nothing
            return _coded(request, codes.W404, f"{where}: no such record — check the address")
        return _coded(request, codes.W422, f"{where}: {first.get('msg')} — fix the request")

    async def out_of_range(request: Request, exc: Exception) -> Response:
        """A value the database or the calendar cannot hold that slipped past the parameter
        checks (each route bounds its own): the client's mistake, not a 500."""
        log.warning("out-of-range value on %s: %s", request.url.path, exc)
        return _coded(request, codes.W400, "a value in the request is out of range — send a smaller one")

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _coded(request, codes.W500, "an unexpected error happened — it is logged")

    app.add_exception_handler(BirlikError, birlik_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(OverflowError, out_of_range)
    app.add_exception_handler(DataError, out_of_range)
    app.add_exception_handler(Exception, unexpected)


_HTTP_CODES: dict[int, Code[WebError]] = {404: codes.W404, 405: codes.W405}


def _who(request: Request, state: WebState) -> Principal | None:
    """The logged-in user of a page that failed, so that the error page keeps the navigation;
    None when there is no valid session (or the store itself is what failed)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        with state.store.new_session() as session:
            return session_principal(session, state.codec.read(cookie))
    except Exception:  # the error page must render whatever broke the request
        log.debug("no principal for the error page of %s", request.url.path, exc_info=True)
        return None


def _coded(request: Request, code: Code[WebError], message: str) -> Response:
    return _error(request, code.id, code.status, message, {})


def _error(request: Request, code: str, status: int, message: str, headers: dict[str, str]) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse(error_body(code, status, message), status_code=status, headers=headers)
    if status == 401:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if status == 403 and request.url.path == "/":  # a role that reads no overview (a mediator)
        return RedirectResponse("/cases", status_code=303)
    t = Translator(choose_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")))
    state: WebState = request.app.state.birlik
    who = _who(request, state) if status != 500 else None
    html = state.templates.get_template("error.html").render(
        request=request,
        t=t,
        lang=t.lang,
        code=code,
        status=status,
        message=message,
        heading=t.label("error.status.", str(status)) if t.has(f"error.status.{status}") else None,
        hint=t(f"error.hint.{status}") if t.has(f"error.hint.{status}") else t("error.hint.other"),
        who=who,
        languages=LANGUAGES,
        region_names={},
        csrf=who.csrf_token if who else "",
    )
    return HTMLResponse(html, status_code=status, headers=headers)
