"""Full-text search with filters, through each backend's own engine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, column, exists, select, table, text
from sqlalchemy.orm import Session

from birlik.domain.errors import ConfigError
from birlik.store.models import DocumentRegionRow, DocumentRow, MentionRow

_WORD = re.compile(r"\w+", re.UNICODE)
_DECLINING_ENDING = re.compile(r"(?<=\w{4})[аяыиоеуюьй]$")


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchFilters:
    langs: tuple[str, ...] = ()
    region_katos: tuple[str, ...] = ()
    ethnic_ids: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchHit:
    id: int
    title: str | None
    snippet: str
    lang: str
    published_at: datetime | None
    outlet: str | None
    url: str | None
    score: float


def query_terms(query: str) -> list[str]:
    """Search prefixes for the words of a query: a word is matched with any ending,
    and a final Russian vowel is dropped so that ``Астана`` also finds ``Астане``."""
    terms = []
    for word in _WORD.findall(query.lower()):
        terms.append(_DECLINING_ENDING.sub("", word))
    if len(terms) > 32:
        raise ConfigError("the query has more than 32 words — shorten it", code="Q001")
    return terms


def search(
    session: Session, query: str, filters: SearchFilters, *, limit: int = 20, offset: int = 0
) -> list[SearchHit]:
    terms = query_terms(query)
    dialect = session.get_bind().dialect.name
    statement: Select[DocumentRow, Any]
    if not terms:
        statement = select(DocumentRow, text("0.0")).order_by(
            DocumentRow.published_at.desc().nulls_last(), DocumentRow.id.desc()
        )
    elif dialect == "sqlite":
        statement = _sqlite_match(terms)
    else:
        statement = _postgres_match(terms)
    for condition in _filter_conditions(filters):
        statement = statement.where(condition)
    rows = session.execute(statement.limit(limit).offset(offset))
    return [_hit(row, float(score), terms) for row, score in rows]


def _sqlite_match(terms: list[str]) -> Select[DocumentRow, Any]:
    fts = table("documents_fts", column("rowid"))
    match = " ".join(f'"{term}"*' for term in terms)
    return (
        select(DocumentRow, text("-bm25(documents_fts) AS rank"))
        .join(fts, fts.c.rowid == DocumentRow.id)
        .where(text("documents_fts MATCH :match").bindparams(match=match))
        .order_by(text("rank DESC"))
    )


def _postgres_match(terms: list[str]) -> Select[DocumentRow, Any]:
    tsquery = " & ".join(f"{term}:*" for term in terms)
    return (
        select(
            DocumentRow,
            text("ts_rank(search_vector, to_tsquery('simple', :tsq)) AS rank").bindparams(tsq=tsquery),
        )
        .where(text("search_vector @@ to_tsquery('simple', :tsq2)").bindparams(tsq2=tsquery))
        .order_by(text("rank DESC"))
    )


def _filter_conditions(filters: SearchFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.langs:
        conditions.append(DocumentRow.lang.in_(filters.langs))
    if filters.since is not None:
        conditions.append(DocumentRow.published_at >= filters.since)
    if filters.until is not None:
        conditions.append(DocumentRow.published_at < filters.until)
    if filters.region_katos:
        conditions.append(
            exists().where(
                DocumentRegionRow.document_id == DocumentRow.id,
                DocumentRegionRow.region_kato.in_(filters.region_katos),
            )
        )
    if filters.ethnic_ids:
        conditions.append(
            exists().where(
                MentionRow.document_id == DocumentRow.id,
                MentionRow.type == "ETHNIC_GROUP",
                MentionRow.entity_id.in_(filters.ethnic_ids),
            )
        )
    return conditions


def _hit(row: DocumentRow, score: float, terms: list[str]) -> SearchHit:
    return SearchHit(
        id=row.id,
        title=row.title,
        snippet=snippet(row.text, terms),
        lang=row.lang,
        published_at=row.published_at,
        outlet=row.outlet,
        url=row.url,
        score=round(score, 4),
    )


def snippet(body: str, terms: list[str], width: int = 160) -> str:
    lowered = body.lower()
    positions = [p for p in (lowered.find(term) for term in terms) if p >= 0]
    centre = min(positions) if positions else 0
    start = max(0, centre - width // 3)
    end = min(len(body), start + width)
    piece = " ".join(body[start:end].split())
    return ("…" if start > 0 else "") + piece + ("…" if end < len(body) else "")
