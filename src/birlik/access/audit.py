"""The audit log: every change, who made it, when, and the record before and after."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from birlik.access.models import AuditRow
from birlik.access.principal import Principal

MAX_ENTRIES = 2000
"""The most entries one reading of the log returns."""


def latest(session: Session, limit: int = 200) -> list[AuditRow]:
    """The newest ``limit`` entries (1 to ``MAX_ENTRIES``), newest first."""
    statement = select(AuditRow).order_by(AuditRow.id.desc()).limit(max(1, min(limit, MAX_ENTRIES)))
    return list(session.scalars(statement))


_NEVER_LOGGED = frozenset({"password_hash", "token_hash", "data", "embedding", "text"})


def snapshot(row: object, fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """The columns of a mapped row as JSON-ready values (secrets and bodies left out)."""
    mapper = inspect(type(row))
    names = fields or tuple(column.key for column in mapper.column_attrs)
    return {name: _plain(getattr(row, name)) for name in names if name not in _NEVER_LOGGED}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def record(
    session: Session,
    actor: Principal | str,
    action: str,
    entity: str,
    entity_id: object,
    *,
    region_kato: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRow:
    row = AuditRow(
        actor=actor if isinstance(actor, str) else actor.username,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        region_kato=region_kato,
        before=before,
        after=after,
    )
    session.add(row)
    return row


def changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """(field, was, became) for every field the change touched, as plain text for a reader:
    a new record lists its fields with ``was`` empty, a removed one with ``became`` empty."""
    old, new = before or {}, after or {}
    rows = []
    for name in sorted(set(old) | set(new)):
        was, became = old.get(name), new.get(name)
        if was != became:
            rows.append((name, _text(was), _text(became)))
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_text(item)}" for key, item in value.items())
    return str(value)
