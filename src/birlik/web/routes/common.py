"""Parsing shared by the API and the pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from birlik.web.errors import WebError
from birlik.web.queries import DocumentFilters


def parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise WebError(
            f"{name} {value!r} is not a date — write it as 2026-03-21", code="W102", status=422
        ) from exc


ListParam = Annotated[list[str] | None, Query()]


async def filters_from(
    q: str = "",
    mode: str = "text",
    lang: ListParam = None,
    region: ListParam = None,
    ethnic: ListParam = None,
    incident: str | None = None,
    min_tension: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> DocumentFilters:
    """The document filters of a query string, as one dependency of the API and the pages."""
    tension = None
    if min_tension not in (None, ""):
        try:
            tension = float(str(min_tension))
        except ValueError as exc:
            raise WebError(
                f"min_tension {min_tension!r} is not a number from 0 to 1", code="W103", status=422
            ) from exc
    return DocumentFilters(
        q=q.strip(),
        mode="semantic" if mode == "semantic" else "text",
        langs=tuple(v for v in lang or () if v),
        regions=tuple(v for v in region or () if v),
        ethnic=tuple(v for v in ethnic or () if v),
        incident=incident or None,
        min_tension=tension,
        since=parse_date(since, "since"),
        until=parse_date(until, "until"),
    )


Filters = Annotated[DocumentFilters, Depends(filters_from)]
