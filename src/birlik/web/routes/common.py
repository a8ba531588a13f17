"""Parsing shared by the API and the pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query

from birlik.access.errors import RequestError
from birlik.domain import codes
from birlik.domain.dates import parse_day
from birlik.query.filters import SORTS, DocumentFilters
from birlik.store.models import MAX_ID

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""Every id in a path: out of range is a 404 (see the validation handler in ``app``), never a
number too large for the database."""
MAX_OFFSET = 1_000_000
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def parse_date(value: str | None, name: str) -> date | None:
    day = parse_day(value, name, codes.W102)
    if day is None:
        return None
    if not EARLIEST_DAY <= day <= LATEST_DAY:  # a date a filter can mean, and a day either side of it
        raise RequestError(
            f"{name} {value} is out of range — give a date from {EARLIEST_DAY} to {LATEST_DAY}",
            code=codes.W102,
        )
    return day


def parse_id(value: str | None, name: str) -> int | None:
    """An id sent in a form field (text): digits in range, or a coded 422."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_ID):
        raise RequestError(
            f"{name} {value[:40]!r} is not an id — choose one from the list", code=codes.W104,
        )
    return int(value)


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
    sort: str = "newest",
) -> DocumentFilters:
    """The document filters of a query string, as one dependency of the API and the pages."""
    tension = None
    if min_tension not in (None, ""):
        try:
            tension = float(str(min_tension))
        except ValueError as exc:
            raise RequestError(
                f"min_tension {min_tension!r} is not a number from 0 to 1", code=codes.W103,
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
        sort=sort if sort in SORTS else "newest",
    )


Filters = Annotated[DocumentFilters, Depends(filters_from)]
