"""Tables. SQLite (WAL) is the embedded default; PostgreSQL runs the same models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from birlik.domain.records import Document
from birlik.store.types import UtcDateTime
from birlik.store.vectors import EmbeddingType, Vector

MAX_ID = 2**31 - 1
"""The largest row id both databases hold (PostgreSQL ``integer``): a larger one names nothing."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    # SQLAlchemy reads this class attribute once, when the mapping is configured
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}  # noqa: RUF012


class SourceRow(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(Text)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    poll_interval: Mapped[int] = mapped_column(Integer, default=900)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_polled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_ok_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class DocumentRow(Base):
    __tablename__ = "documents"
    __allow_unmapped__ = True  # for ``analysed`` alone, which is not a column
    __table_args__ = (
        Index("ix_documents_published_filters", "published_at", "lang", "tension", "incident"),
        Index("ix_documents_lang", "lang"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    ext_id: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text, unique=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    outlet: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8), default="und")
    langs: Mapped[list[str]] = mapped_column(default=list)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    date_flag: Mapped[str | None] = mapped_column(String(40))
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    author: Mapped[str | None] = mapped_column(String(80))
    platform: Mapped[str | None] = mapped_column(String(40))
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    tension: Mapped[float | None] = mapped_column(Float, index=True)
    hate: Mapped[float | None] = mapped_column(Float)
    incident: Mapped[str | None] = mapped_column(String(40), index=True)
    embedding: Mapped[Vector | None] = mapped_column(EmbeddingType)
    """The document's one unit vector (float32 numpy; stored as ``store.vectors`` says), or None."""
    embedding_model: Mapped[str | None] = mapped_column(String(80))
    """The embedder that made ``embedding`` (None: stored before migration 0010)."""
    stages: Mapped[list[str] | None] = mapped_column(JSON)
    """Versioned names of the stages that produced the stored analysis (``Document.stages``);
    None for documents stored before they were recorded (revision 0009): stale."""

    analysed: Document | None = None
    """Not a column: the analysis the row was just stored from, while the storing session
    is open, so after-batch consumers read what the stages found (claims) instead of
    redoing it; None for rows read from the database."""

    mentions: Mapped[list[MentionRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )
    regions: Mapped[list[DocumentRegionRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )
    signals: Mapped[list[SignalRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True
    )


class MentionRow(Base):
    __tablename__ = "mentions"
    __table_args__ = (Index("ix_mentions_type_entity", "type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str | None] = mapped_column(String(80))
    derogatory: Mapped[bool] = mapped_column(Boolean, default=False)

    document: Mapped[DocumentRow] = relationship(back_populates="mentions")


class SignalRow(Base):
    """One scored signal of a document with its evidence (see ``domain.records.Signal``)."""

    __tablename__ = "document_signals"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(String(60))
    labels: Mapped[dict[str, Any]] = mapped_column(default=dict)
    evidence: Mapped[list[str]] = mapped_column(default=list)
    reasons: Mapped[list[str]] = mapped_column(default=list)

    document: Mapped[DocumentRow] = relationship(back_populates="signals")


class DocumentRegionRow(Base):
    __tablename__ = "document_regions"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    region_kato: Mapped[str] = mapped_column(String(12), primary_key=True, index=True)
    confidence: Mapped[float] = mapped_column(Float)

    document: Mapped[DocumentRow] = relationship(back_populates="regions")


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source_name", "item_key", name="uq_quarantine_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_name: Mapped[str] = mapped_column(String(200))
    source_kind: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(Text)
    """Where a retry fetches the item again (a path, a URL or the whole export)."""
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    item_key: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
