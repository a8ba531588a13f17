"""The documents behind an alert: a surge's documents of its region on its days that count in
its metrics (ethnic mentions, slurs, hate, the incident type), a story alert's members.
Returned as a statement, so that the caller applies the reader's region scope before running it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from birlik.ingest.dates import ALMATY
from birlik.signals.alert_text import surge_metrics
from birlik.signals.indicators import COUNTRY, HATE_THRESHOLD, REGION_MIN_CONFIDENCE
from birlik.store.models import DocumentRegionRow, DocumentRow, MentionRow
from birlik.store.models_signals import AlertRow
from birlik.store.models_stories import StoryMemberRow

LIMIT = 20


def alert_documents(alert: AlertRow, limit: int = LIMIT) -> Select[DocumentRow]:
    """The alert's documents, strongest tension first (at most ``limit``)."""
    statement = select(DocumentRow)
    if alert.kind == "story_growth" and alert.story_id and str(alert.story_id).isdigit():
        members = select(StoryMemberRow.document_id).where(StoryMemberRow.story_id == int(alert.story_id))
        statement = statement.where(DocumentRow.id.in_(members))
    elif alert.kind == "surge":
        start = datetime.combine(alert.first_day, time(), ALMATY)
        end = datetime.combine(alert.last_day, time(), ALMATY) + timedelta(days=1)
        statement = statement.where(DocumentRow.published_at >= start, DocumentRow.published_at < end)
        if alert.subject != COUNTRY:
            statement = statement.where(
                exists().where(
                    DocumentRegionRow.document_id == DocumentRow.id,
                    DocumentRegionRow.region_kato == alert.subject,
                    DocumentRegionRow.confidence >= REGION_MIN_CONFIDENCE,
                )
            )
        names = [str(m.get("metric")) for m in surge_metrics(alert.details or {})] or [alert.metric or "docs"]
        statement = statement.where(or_(*(_counts_in(name) for name in names)))
    else:
        statement = statement.where(false())
    return statement.order_by(DocumentRow.tension.desc().nulls_last(), DocumentRow.id.desc()).limit(limit)


def _counts_in(metric: str) -> ColumnElement[bool]:
    """The condition of a document counting in ``metric`` (see ``signals.indicators``)."""
    if metric == "ethnic_docs":
        return _mention(MentionRow.type == "ETHNIC_GROUP")
    if metric.startswith("ethnic:"):
        return _mention(and_(MentionRow.type == "ETHNIC_GROUP", MentionRow.entity_id == metric[7:]))
    if metric == "derogatory_docs":
        return _mention(MentionRow.derogatory.is_(True))
    if metric == "hate_docs":
        return DocumentRow.hate >= HATE_THRESHOLD
    if metric.startswith("incident:"):
        return DocumentRow.incident == metric[9:]
    if metric == "tension":
        return DocumentRow.tension > 0
    return true()


def _mention(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(MentionRow.document_id == DocumentRow.id, condition)
