"""Pages: the registry of the Assembly's units, sources and their health, administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from birlik.access import audit
from birlik.access import units as unit_registry
from birlik.access import users as accounts
from birlik.access.models import ROLES, UNIT_KINDS
from birlik.query import queries
from birlik.web.deps import Admin, CurrentUser, Db, Reader, RegistryEditor, Scope, State, Tr
from birlik.web.routes.common import RowId
from birlik.web.routes.pages_common import back, render
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(include_in_schema=False, route_class=UnitOfWorkRoute)


@router.get("/registry", response_class=HTMLResponse)
def registry(
    request: Request, state: State, session: Db, who: CurrentUser, t: Tr, region: str = "", kind: str = ""
) -> Response:
    return render(
        request,
        state,
        t,
        "registry.html",
        who,
        units=unit_registry.list_units(session, region, kind),
        kinds=UNIT_KINDS,
        region=region,
        kind=kind,
    )


@router.post("/registry/import")
def import_units(session: Db, who: RegistryEditor, file: Annotated[UploadFile, File()]) -> Response:
    data = file.file.read(5 * 1024 * 1024).decode("utf-8-sig", errors="replace")
    unit_registry.import_units_csv(session, who, data)
    return back("/registry")


@router.post("/registry/units")
def add_unit(
    session: Db,
    who: RegistryEditor,
    kind: Annotated[str, Form()],
    name: Annotated[str, Form()],
    region_kato: Annotated[str, Form()],
    phone: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    languages: Annotated[str, Form()] = "",
) -> Response:
    unit_registry.add_unit(
        session,
        who,
        {
            "kind": kind,
            "name": name,
            "region_kato": region_kato,
            "phone": phone,
            "email": email,
            "languages": languages,
        },
    )
    return back("/registry")


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, state: State, session: Db, scope: Scope, who: Reader, t: Tr) -> Response:
    rows = queries.source_health(session, scope, administrator=who.can("admin"))
    return render(request, state, t, "sources.html", who, sources=rows)


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, state: State, session: Db, who: Admin, t: Tr) -> Response:
    users = accounts.all_users(session)
    log = audit.latest(session, 100)
    return render(request, state, t, "admin.html", who, users=users, audit=log, roles=ROLES)


@router.post("/admin/users")
def add_user(
    session: Db,
    who: Admin,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    regions: Annotated[list[str] | None, Form()] = None,
) -> Response:
    accounts.add_user(
        session, who, username=username, password=password, role=role, regions=tuple(regions or ())
    )
    return back("/admin")


@router.post("/admin/users/{user_id}")
def change_user(
    user_id: RowId,
    session: Db,
    who: Admin,
    role: Annotated[str, Form()],
    regions: Annotated[list[str] | None, Form()] = None,
) -> Response:
    accounts.set_user_access(session, who, user_id, role=role, regions=tuple(regions or ()))
    return back("/admin")


@router.post("/admin/users/{user_id}/active")
def set_user_active(user_id: int, session: Db, who: Admin, active: Annotated[bool, Form()]) -> Response:
    """Deactivate (sessions end, API tokens are revoked for good) or reactivate a user."""
    accounts.set_user_access(session, who, user_id, role=None, regions=None, active=active)
    return back("/admin")


@router.post("/admin/users/{user_id}/password")
def reset_password(user_id: RowId, session: Db, who: Admin, password: Annotated[str, Form()]) -> Response:
    """Set another user's password (a forgotten one); their sessions end."""
    accounts.reset_password(session, who, user_id, password)
    return back("/admin")
