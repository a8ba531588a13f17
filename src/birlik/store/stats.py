"""Counts that tell what the database holds."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from birlik.store.models import (
    DocumentRegionRow,
    DocumentRow,
    MentionRow,
    QuarantineRow,
    SourceRow,
)


@dataclass(slots=True, kw_only=True)
class StoreStats:
    documents: int
    sources: int
    quarantined_open: int
    dates_flagged: int
    by_lang: dict[str, int] = field(default_factory=dict)
    by_region: dict[str, int] = field(default_factory=dict)
    by_ethnic_group: dict[str, int] = field(default_factory=dict)
    derogatory_mentions: int = 0


def collect_stats(session: Session) -> StoreStats:
    return StoreStats(
        documents=session.scalar(select(func.count()).select_from(DocumentRow)) or 0,
        sources=session.scalar(select(func.count()).select_from(SourceRow)) or 0,
        quarantined_open=session.scalar(
            select(func.count()).select_from(QuarantineRow).where(QuarantineRow.resolved_at.is_(None))
        )
        or 0,
        dates_flagged=session.scalar(
            select(func.count()).select_from(DocumentRow).where(DocumentRow.date_flag.is_not(None))
        )
        or 0,
        by_lang=_counts(session, select(DocumentRow.lang, func.count()).group_by(DocumentRow.lang)),
        by_region=_counts(
            session,
            select(DocumentRegionRow.region_kato, func.count()).group_by(DocumentRegionRow.region_kato),
        ),
        by_ethnic_group=_counts(
            session,
            select(MentionRow.entity_id, func.count(distinct(MentionRow.document_id)))
            .where(MentionRow.type == "ETHNIC_GROUP")
            .group_by(MentionRow.entity_id),
            missing="(unlinked)",
        ),
        derogatory_mentions=session.scalar(
            select(func.count()).select_from(MentionRow).where(MentionRow.derogatory.is_(True))
        )
        or 0,
    )


def _counts(session: Session, statement: object, missing: str = "(none)") -> dict[str, int]:
    """Counts by key, largest first; a missing key (NULL) is shown as ``missing``."""
    rows = session.execute(statement)  # type: ignore[call-overload]  # a typed Select of (key, count)
    pairs = [(missing if key is None else str(key), int(count)) for key, count in rows]
    return dict(sorted(pairs, key=lambda pair: -pair[1]))
