"""API tokens: only their SHA-256 is stored; each has a scope and an expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.access import audit
from birlik.access.errors import RequestError, not_found, unauthenticated
from birlik.access.models import TOKEN_SCOPES, ApiTokenRow, UserRow
from birlik.access.principal import Principal, principal_of
from birlik.domain import codes
from birlik.store.models import utcnow

TOKEN_PREFIX = "bk_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(
    session: Session, user: UserRow, name: str, *, scope: str = "read", days: int = 90
) -> tuple[ApiTokenRow, str]:
    if scope not in TOKEN_SCOPES:
        raise RequestError(
            f"token scope {scope!r} is unknown — use one of {', '.join(TOKEN_SCOPES)}",
            code=codes.W110,
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        user_id=user.id,
        name=name,
        token_hash=token_digest(token),
        prefix=token[:10],
        scope=scope,
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return row, token


def token_principal(session: Session, token: str) -> Principal:
    """Who an API token speaks for, with the token's scope; refused when the token is unknown,
    revoked or expired, or its user inactive."""
    row = session.scalar(
        select(ApiTokenRow).where(
            ApiTokenRow.token_hash == token_digest(token), ApiTokenRow.revoked_at.is_(None)
        )
    )
    user = session.get(UserRow, row.user_id) if row is not None else None
    if row is None or user is None or not user.active:
        raise unauthenticated("the API token is unknown or revoked — create a new one")
    now = utcnow()
    if row.expires_at <= now:
        raise unauthenticated(
            f"the API token expired on {row.expires_at:%Y-%m-%d} — create a new one"
        )
    row.last_used_at = now
    return principal_of(user, via="token", scope=row.scope)


def revoke_tokens_of(session: Session, user: UserRow) -> list[int]:
    """Revoke every live token of ``user`` (on deactivation: reactivating brings none back)."""
    rows = list(
        session.scalars(
            select(ApiTokenRow).where(ApiTokenRow.user_id == user.id, ApiTokenRow.revoked_at.is_(None))
        )
    )
    now = utcnow()
    for row in rows:
        row.revoked_at = now
    return [row.id for row in rows]



def live_tokens(session: Session, user_id: int) -> list[ApiTokenRow]:
    """A user's tokens that are not revoked, expired ones included."""
    statement = select(ApiTokenRow).where(ApiTokenRow.user_id == user_id, ApiTokenRow.revoked_at.is_(None))
    return list(session.scalars(statement.order_by(ApiTokenRow.id)))


def issue_token(
    session: Session, who: Principal, name: str, *, scope: str, days: int
) -> tuple[ApiTokenRow, str]:
    """A new token for ``who`` (audited); the token itself is returned once, never stored."""
    user = session.get_one(UserRow, who.user_id)
    row, token = create_api_token(session, user, name, scope=scope, days=days)
    audit.record(session, who, "token.create", "api_token", row.id, after=describe(row))
    return row, token


def revoke_token(session: Session, who: Principal, token_id: int) -> ApiTokenRow:
    """Revoke one of ``who``'s own tokens (audited)."""
    row = session.get(ApiTokenRow, token_id)
    if row is None or row.user_id != who.user_id:
        raise not_found(f"token {token_id}")
    row.revoked_at = utcnow()
    audit.record(session, who, "token.revoke", "api_token", row.id, before={"name": row.name})
    return row


def is_expired(row: ApiTokenRow, now: datetime | None = None) -> bool:
    return row.expires_at <= (now or utcnow())


def describe(row: ApiTokenRow) -> dict[str, Any]:
    """A token as the API shows it and the audit log records it (never the token or its hash)."""
    expires_at = row.expires_at
    return {
        "id": row.id,
        "name": row.name,
        "prefix": row.prefix,
        "scope": row.scope,
        "created_at": row.created_at.isoformat(),
        "expires_at": expires_at.isoformat(),
        "expired": expires_at <= utcnow(),
        "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
    }

