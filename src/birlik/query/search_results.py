"""What a search tells besides its page of documents: how many documents and stories it found
(counts that stay bounded), and everything it found as rows to export (CSV, XLSX), always
within the user's ``RegionScope`` and in the order the page shows.

Counting every match of a common term over 200,000 documents would cost more than the page
itself, so a count stops at ``COUNT_LIMIT`` ("more than 10,000"); the unfiltered national count
is exact (one ``count(*)``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Select, distinct, false, func, select
from sqlalchemy.orm import Session

from birlik.nlp.embed import Embedder
from birlik.query import doc_columns, fts_plan, queries
from birlik.query.filters import DocumentFilters
from birlik.query.scope import RegionScope
from birlik.resources.ethnic import load_ethnic_groups
from birlik.store.models import DocumentRegionRow, DocumentRow, MentionRow
from birlik.store.models_stories import StoryMemberRow, StoryRow
from birlik.store.search import query_terms
from birlik.store.types import as_utc

COUNT_LIMIT = 10_000
"""Counts stop here: past it the page says "more than 10,000"."""
STORY_COUNT_DOCUMENTS = 1_000
"""The stories of at most this many found documents are counted."""
EXPORT_LIMIT = 50_000
"""Rows of one export (text search or filters); the file says when more were found."""
SEMANTIC_EXPORT_LIMIT = 1_000
"""Rows of an export by meaning: the nearest documents."""
EXPORT_BATCH = 1_000
ZONE = ZoneInfo("Asia/Almaty")
COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "title",
    "outlet",
    "language",
    "regions",
    "groups",
    "tension",
    "hate",
    "incident",
    "url",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class Count:
    """``value`` found; when not ``exact``, more than ``value`` were."""

    value: int
    exact: bool


def _bounded(session: Session, statement: Select[Any]) -> Count:
    limit = COUNT_LIMIT
    found = int(session.scalar(select(func.count()).select_from(statement.limit(limit + 1).subquery())) or 0)
    return Count(min(found, limit), found <= limit)


def count_found(
    session: Session,
    scope: RegionScope,
    filters: DocumentFilters,
    ranked: Sequence[int] | None = None,
) -> tuple[Count, Count]:
    """The documents and the stories a search finds. Documents: a search by meaning counts the
    documents it ranks (those the other filters find). Stories: all of them for a national
    view without filters; else the stories of the last ``STORY_COUNT_DOCUMENTS`` documents found (a search by
    meaning: of ``ranked``, its nearest documents).

    SQLite counts exactly: the documents the scope and the other filters allow, from the
    columns kept per process (``doc_columns``; with an ethnic filter, the ids SQLite finds),
    checked against the term's cached document set; these counts may lag changes of scores,
    links and story memberships by up to ``doc_columns.REFRESH_SECONDS`` (new documents count
    at once). PostgreSQL counts up to ``COUNT_LIMIT``."""
    if scope.all_regions and not filters.narrowed():
        return (
            Count(int(session.scalar(select(func.count()).select_from(DocumentRow)) or 0), True),
            Count(int(session.scalar(select(func.count()).select_from(StoryRow)) or 0), True),
        )
    found_ids: list[int] | None = None
    if session.get_bind().dialect.name == "sqlite":
        terms = [] if filters.semantic else query_terms(filters.q)
        match = " ".join(f'"{term}"*' for term in terms) if terms else None
        allowed = replace(filters, q="", mode="text", sort="newest")
        held = doc_columns.found_mask(session, scope, allowed, match)
        if held is not None:  # the filters' columns, kept per process
            columns, mask = held
            positions = np.flatnonzero(mask)
            documents = Count(len(positions), True)
            if ranked is not None:
                return documents, _stories_of(session, ranked, exact=True)
            # the stories of the newest-added documents found (ids grow as documents arrive)
            stories = columns.story[positions[-STORY_COUNT_DOCUMENTS:]]
            exact = len(positions) <= STORY_COUNT_DOCUMENTS
            return documents, Count(len(np.unique(stories[stories >= 0])), exact)
        matching = fts_plan.matching_set(session, _candidates(scope, filters), match, (scope, allowed))
        documents = Count(len(matching), True)
        found_ids = [int(i) for i in np.sort(matching)[::-1][: STORY_COUNT_DOCUMENTS + 1]]
    else:
        found = queries.document_query(session, scope, filters).with_only_columns(DocumentRow.id)
        documents = _bounded(session, found)
    if ranked is not None:
        return documents, _stories_of(session, ranked, exact=True)
    ids = found_ids
    if ids is None:
        newest = replace(filters, sort="newest")
        ids = queries.matching_ids(session, scope, newest, limit=STORY_COUNT_DOCUMENTS + 1)
    sources = ids[:STORY_COUNT_DOCUMENTS]
    return documents, _stories_of(session, sources, exact=len(ids) <= STORY_COUNT_DOCUMENTS)


def _candidates(scope: RegionScope, filters: DocumentFilters) -> Select[Any]:
    """The documents the scope and the filters other than the text query allow, with the
    regions as lists of ids (so that SQLite may drive by the region index)."""
    conditions: list[Any] = queries.filter_conditions(filters)
    wanted = filters.regions
    if scope.sees_no_region:
        conditions.append(false())
    elif not scope.all_regions and not (wanted and set(wanted) <= scope.katos):
        conditions.append(_linked(tuple(sorted(scope.katos))))
    if wanted:
        conditions.append(_linked(wanted))
    return select(DocumentRow.id).where(*conditions)


def _linked(katos: tuple[str, ...]) -> Any:
    return DocumentRow.id.in_(
        select(DocumentRegionRow.document_id).where(DocumentRegionRow.region_kato.in_(katos))
    )


def _stories_of(session: Session, ids: Sequence[int], *, exact: bool) -> Count:
    if not ids:
        return Count(0, True)
    statement = select(func.count(distinct(StoryMemberRow.story_id))).where(
        StoryMemberRow.document_id.in_(list(ids))
    )
    return Count(int(session.scalar(statement) or 0), exact)


def group_names(lang: str) -> dict[str, str]:
    """Ethnic groups by their name in the language (``EthnicGroup.display_name``)."""
    return {group.id: group.display_name(lang) for group in load_ethnic_groups()}


# --- export ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportNames:
    """The reader's names of what the rows hold as codes."""

    regions: dict[str, str]
    groups: dict[str, str]
    incidents: dict[str, str]


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """The documents an export holds, in the page's order; ``truncated``: more were found."""

    ids: list[int]
    truncated: bool
    limit: int


def export_plan(
    session: Session,
    scope: RegionScope,
    filters: DocumentFilters,
    *,
    embedder: Callable[[], Embedder] | None = None,
    static: Callable[[], Embedder | None] | None = None,
) -> ExportPlan:
    """Every document the search finds, up to the limit, with every filter and the scope."""
    limit = EXPORT_LIMIT
    if filters.semantic and embedder is not None:
        companion = static() if static is not None else None
        limit = SEMANTIC_EXPORT_LIMIT
        ids = queries.semantic_ranking(session, scope, filters, embedder(), companion, limit + 1)
    else:
        ids = queries.matching_ids(session, scope, filters, limit=limit + 1)
    return ExportPlan(ids[:limit], len(ids) > limit, limit)


def export_rows(session: Session, ids: Sequence[int], names: ExportNames) -> Iterator[list[Any]]:
    """One row per document (``COLUMNS``), read in batches: the date in Asia/Almaty (aware),
    regions and ethnic groups by name, joined with "; "."""
    for start in range(0, len(ids), EXPORT_BATCH):
        batch = list(ids[start : start + EXPORT_BATCH])
        regions: dict[int, list[str]] = {}
        for doc_id, kato in session.execute(
            select(DocumentRegionRow.document_id, DocumentRegionRow.region_kato).where(
                DocumentRegionRow.document_id.in_(batch)
            )
        ):
            regions.setdefault(doc_id, []).append(names.regions.get(kato, kato))
        groups: dict[int, set[str]] = {}
        for doc_id, group in session.execute(
            select(MentionRow.document_id, MentionRow.entity_id).where(
                MentionRow.document_id.in_(batch), MentionRow.type == "ETHNIC_GROUP"
            )
        ):
            if group:
                groups.setdefault(doc_id, set()).add(names.groups.get(group, group))
        rows = {
            row.id: row
            for row in session.execute(
                select(
                    DocumentRow.id,
                    DocumentRow.published_at,
                    DocumentRow.title,
                    DocumentRow.outlet,
                    DocumentRow.lang,
                    DocumentRow.tension,
                    DocumentRow.hate,
                    DocumentRow.incident,
                    DocumentRow.url,
                ).where(DocumentRow.id.in_(batch))
            )
        }
        for doc_id in batch:
            row = rows.get(doc_id)
            if row is None:
                continue
            yield [
                row.id,
                as_utc(row.published_at).astimezone(ZONE) if row.published_at else None,
                row.title or "",
                row.outlet or "",
                row.lang or "",
                "; ".join(sorted(regions.get(doc_id, []))),
                "; ".join(sorted(groups.get(doc_id, set()))),
                _round(row.tension),
                _round(row.hate),
                names.incidents.get(row.incident, row.incident) if row.incident else "",
                row.url or "",
            ]


def local_time(iso: str | None) -> str | None:
    """An ISO moment as Asia/Almaty local time with its offset: ``2026-12-06 14:03 +05:00``."""
    if not iso:
        return None
    local = as_utc(datetime.fromisoformat(iso)).astimezone(ZONE)
    return local.strftime("%Y-%m-%d %H:%M ") + local.isoformat()[-6:]


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def safe_text(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs: a leading ``= + - @`` is quoted
    (a hostile title cannot become a formula), control characters go."""
    value = _CONTROL.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, str):
        return safe_text(value)
    return str(value)


def csv_chunks(header: Sequence[str], rows: Iterator[list[Any]], note: str | None) -> Iterator[str]:
    """The CSV text in pieces of some hundred rows (UTF-8 with a BOM, so that spreadsheets read
    the Cyrillic); ``note``: a last line saying the export was cut."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(value) for value in row])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if note:
        writer.writerow([f"# {note}"])
    yield buffer.getvalue()


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterator[list[Any]],
    *,
    sheet: str,
    about_sheet: str,
    about: Sequence[tuple[str, str]],
    note: str | None,
) -> bytes:
    """The workbook: the rows (dates as Asia/Almaty local times, the zone in the header), and a
    second sheet saying what was exported: the filters, the scope, when, and whether it was cut."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    table = book.create_sheet(sheet[:31])
    table.append(list(header))
    for row in rows:
        cells: list[Any] = []
        for value in row:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(table, value=value.replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm"
                cells.append(cell)
            elif isinstance(value, str):
                cells.append(safe_text(value))
            else:
                cells.append(value)
        table.append(cells)
    if note:
        table.append([f"# {note}"])
    info = book.create_sheet(about_sheet[:31])
    for key, value in about:
        info.append([safe_text(key), safe_text(value)])
    if note:
        info.append([safe_text(note)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
