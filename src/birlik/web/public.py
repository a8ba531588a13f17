"""What the API returns, as pydantic models (``*Public``): the OpenAPI schema at
/api/v1/openapi.json describes each response from these, and the routes build them from rows
with one constructor each, so that the API and the pages show the same fields.

Times are ISO 8601 with their offset (UTC as stored); the pages render them in Almaty's time."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from birlik.access.models import AuditRow, RegistryUnitRow, UserRow
from birlik.access.principal import Principal


class Public(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MePublic(Public):
    username: str
    display_name: str
    role: str
    regions: list[str] = Field(description="KATO codes of the user's regions; empty for a national role.")

    @classmethod
    def of(cls, who: Principal) -> MePublic:
        regions = sorted(who.regions)
        return cls(username=who.username, display_name=who.display_name, role=who.role, regions=regions)


class TokenPublic(Public):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to recognise it; never the token.")
    scope: Literal["read", "write"]
    created_at: datetime
    expires_at: datetime
    expired: bool
    last_used_at: datetime | None


class TokenCreatedPublic(TokenPublic):
    token: str = Field(description="The secret, shown this once.")
    note: str


class UserPublic(Public):
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    regions: list[str]

    @classmethod
    def of(cls, user: UserRow) -> UserPublic:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            active=user.active,
            regions=sorted(g.region_kato for g in user.grants),
        )


class AuditEntryPublic(Public):
    id: int
    at: datetime
    actor: str
    action: str = Field(description="``case.assign``, ``user.access``… (named in the pages' language).")
    entity: str
    entity_id: str | None
    region_kato: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @classmethod
    def of(cls, row: AuditRow) -> AuditEntryPublic:
        return cls(
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            entity=row.entity,
            entity_id=row.entity_id,
            region_kato=row.region_kato,
            before=row.before,
            after=row.after,
        )


class UnitPublic(Public):
    id: int
    kind: str
    name: str
    region_kato: str
    district_kato: str | None
    address: str | None
    phone: str | None
    email: str | None
    contact_person: str | None
    languages: list[str]

    @classmethod
    def of(cls, unit: RegistryUnitRow) -> UnitPublic:
        return cls(
            id=unit.id,
            kind=unit.kind,
            name=unit.name,
            region_kato=unit.region_kato,
            district_kato=unit.district_kato,
            address=unit.address,
            phone=unit.phone,
            email=unit.email,
            contact_person=unit.contact_person,
            languages=list(unit.languages or []),
        )


class ImportedPublic(Public):
    imported: int = Field(description="Units added from the CSV file.")


class SourcePublic(Public):
    name: str
    kind: str
    location: str | None = Field(description="Where the source reads from: administrators only.")
    enabled: bool
    documents: int = Field(description="Documents of the source within your regions.")
    last_polled_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None = Field(description="The last error: administrators only.")
    health: Literal["ok", "stale", "error"]
