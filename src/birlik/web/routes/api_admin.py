"""JSON API: who am I, API tokens, users, the audit log, the registry of units, sources."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Request, Response, UploadFile
from pydantic import BaseModel, Field

from birlik.access import audit
from birlik.access import tokens as api_tokens
from birlik.access import units as unit_registry
from birlik.access import users as accounts
from birlik.access.errors import RequestError
from birlik.access.principal import Principal
from birlik.domain import codes
from birlik.query import queries
from birlik.web.deps import Admin, CurrentUser, Db, Reader, RegistryEditor, Scope, State, set_session_cookie
from birlik.web.public import (
    AuditEntryPublic,
    ImportedPublic,
    MePublic,
    SourcePublic,
    TokenCreatedPublic,
    TokenPublic,
    UnitPublic,
    UserPublic,
)
from birlik.web.routes.common import RowId
from birlik.web.unit_of_work import UnitOfWorkRoute

router = APIRouter(prefix="/api/v1", tags=["administration"], route_class=UnitOfWorkRoute)


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    scope: Literal["read", "write"] = Field(
        "read", description="`read`: GET only; `write`: every change your role allows."
    )
    expires_in_days: int | None = Field(
        None, ge=1, le=365, description="Default: BIRLIK_API_TOKEN_DAYS (90)."
    )


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=80, pattern=r"^[\w.@-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: str
    regions: list[str] = Field(default_factory=list)
    display_name: str = ""


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class PasswordReset(BaseModel):
    password: str = Field(min_length=8, max_length=200)


class UserAccess(BaseModel):
    role: str | None = None
    regions: list[str] | None = None
    active: bool | None = None


class UnitCreate(BaseModel):
    kind: str
    name: str
    region_kato: str
    district_kato: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    contact_person: str | None = None
    languages: list[str] = Field(default_factory=list)


@router.get("/me")
def me(who: CurrentUser) -> MePublic:
    return MePublic.of(who)


@router.post("/me/password", status_code=204)
def change_password(body: PasswordChange, request: Request, state: State, who: CurrentUser) -> Response:
    """Your own password (the current one is required), from a logged-in session; every
    session of yours ends — the one that asks gets a new cookie in the answer. A wrong current
    password counts as a failed login."""
    require_session(who)
    address = request.client.host if request.client else "unknown"
    user = accounts.change_own_password(
        state.store, state.throttle, who, address, current=body.current_password, new=body.new_password
    )
    response = Response(status_code=204)
    if who.via == "session":
        set_session_cookie(request, response, state, state.codec.issue(user)[0])
    return response


@router.get("/tokens")
def tokens(session: Db, who: CurrentUser) -> list[TokenPublic]:
    """Your tokens that are not revoked, expired ones included (``expired``: true)."""
    rows = api_tokens.live_tokens(session, who.user_id)
    return [TokenPublic.model_validate(token_json(r)) for r in rows]


@router.post("/tokens", status_code=201)
def create_token(body: TokenCreate, session: Db, state: State, who: CurrentUser) -> TokenCreatedPublic:
    """A new token for you, shown once; only a logged-in session creates tokens (a token cannot
    make itself a longer-lived or wider successor)."""
    require_session(who)
    days = body.expires_in_days or state.web.api_token_days
    row, token = api_tokens.issue_token(session, who, body.name, scope=body.scope, days=days)
    created = {**token_json(row), "token": token, "note": "shown once: store it now"}
    return TokenCreatedPublic.model_validate(created)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: RowId, session: Db, who: CurrentUser) -> None:
    api_tokens.revoke_token(session, who, token_id)


@router.get("/users")
def users(session: Db, _: Admin) -> list[UserPublic]:
    return [UserPublic.of(u) for u in accounts.all_users(session)]


@router.post("/users", status_code=201)
def create_user(body: UserCreate, session: Db, who: Admin) -> UserPublic:
    user = accounts.add_user(
        session,
        who,
        username=body.username,
        password=body.password,
        role=body.role,
        regions=tuple(body.regions),
        display_name=body.display_name,
    )
    return UserPublic.of(user)


@router.patch("/users/{user_id}")
def change_user(user_id: RowId, body: UserAccess, session: Db, who: Admin) -> UserPublic:
    regions = tuple(body.regions) if body.regions is not None else None
    return UserPublic.of(
        accounts.set_user_access(session, who, user_id, role=body.role, regions=regions, active=body.active)
    )


@router.post("/users/{user_id}/password", status_code=204)
def reset_password(user_id: RowId, body: PasswordReset, session: Db, who: Admin) -> None:
    """Set another user's password (administrators); that user's sessions end."""
    accounts.reset_password(session, who, user_id, body.password)


@router.get("/audit")
def audit_log(session: Db, _: Admin, limit: int = 200) -> list[AuditEntryPublic]:
    return [AuditEntryPublic.of(r) for r in audit.latest(session, limit)]


@router.get("/registry/units")
def units(
    session: Db, _: CurrentUser, region: str | None = None, kind: str | None = None
) -> list[UnitPublic]:
    return [UnitPublic.of(u) for u in unit_registry.list_units(session, region, kind)]


@router.post("/registry/units", status_code=201)
def create_unit(body: UnitCreate, session: Db, who: RegistryEditor) -> UnitPublic:
    return UnitPublic.of(unit_registry.add_unit(session, who, body.model_dump()))


@router.post("/registry/import", status_code=201)
def import_units(
    file: Annotated[UploadFile, File()], session: Db, who: RegistryEditor
) -> ImportedPublic:
    data = file.file.read(5 * 1024 * 1024).decode("utf-8-sig", errors="replace")
    return ImportedPublic(imported=unit_registry.import_units_csv(session, who, data))


@router.get("/sources")
def sources(session: Db, scope: Scope, who: Reader) -> list[SourcePublic]:
    """Documents are counted within your regions; ``location`` and ``last_error`` (server paths)
    are shown to administrators only."""
    health = queries.source_health(session, scope, administrator=who.can("admin"))
    return [SourcePublic.model_validate(line) for line in health]


def require_session(who: Principal) -> None:
    if who.via != "session":
        raise RequestError(
            "an API token cannot do this — log in and use the session", code=codes.W175,
        )


token_json = api_tokens.describe
