"""Searches a user saved, by name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from birlik.access import audit
from birlik.access.errors import RequestError, not_found
from birlik.access.models import SavedSearchRow
from birlik.access.principal import Principal
from birlik.domain import codes


def saved_searches(session: Session, who: Principal) -> list[SavedSearchRow]:
    """The caller's saved searches, oldest first."""
    mine = select(SavedSearchRow).where(SavedSearchRow.user_id == who.user_id)
    return list(session.scalars(mine.order_by(SavedSearchRow.id)))


def save_search(session: Session, who: Principal, name: str, params: dict[str, Any]) -> SavedSearchRow:
    if not name.strip():
        raise RequestError("a saved search needs a name", code=codes.W160,)
    row = SavedSearchRow(user_id=who.user_id, name=name.strip()[:200], params=params)
    session.add(row)
    session.flush()
    audit.record(
        session, who, "search.save", "saved_search", row.id, after={"name": row.name, "params": params}
    )
    return row


def delete_search(session: Session, who: Principal, search_id: int) -> None:
    row = session.get(SavedSearchRow, search_id)
    if row is None or row.user_id != who.user_id:
        raise not_found(f"saved search {search_id}")
    audit.record(
        session, who, "search.delete", "saved_search", row.id, before={"name": row.name, "params": row.params}
    )
    session.delete(row)
