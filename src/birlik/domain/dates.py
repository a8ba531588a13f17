"""Calendar days written by people: one parser, each caller's coded error."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar, cast

from birlik.domain.errors import BirlikError

if TYPE_CHECKING:
    from birlik.domain.codes import Code

E = TypeVar("E", bound=BirlikError)


def parse_day(raw: object, what: str, code: Code[E]) -> date | None:
    """``2026-03-21`` (or a date YAML already read) as a day; nothing (None, "") as None; else
    ``[code] {what} '…' is not a date — write it as 2026-03-21``."""
    if raw is None or raw == "" or isinstance(raw, date):
        return raw if isinstance(raw, date) else None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        message = f"{what} {str(raw)[:40]!r} is not a date — write it as 2026-03-21"
        # mypy binds Self of ``cls(…)`` to E's bound, not E: the entry is E's own
        raise code.cls(message, code=cast("Code[Any]", code)) from None
