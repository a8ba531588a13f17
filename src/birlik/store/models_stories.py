"""Tables of stories, story membership (with near-duplicate groups) and claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from birlik.store.models import Base, utcnow
from birlik.store.types import UtcDateTime


class StoryRow(Base):
    """One story: the same event or release across outlets and languages."""

    __tablename__ = "stories"
    __table_args__ = (Index("ix_stories_last_seen", "last_seen"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    """Title (or opening words) of the first document."""
    representative_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    doc_count: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)
    """Documents that are near-duplicates of another document of the story."""
    outlets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Documents per outlet."""
    langs: Mapped[list[str]] = mapped_column(default=list)
    regions: Mapped[list[str]] = mapped_column(default=list)
    peak_tension: Mapped[float | None] = mapped_column(Float, index=True)
    timeline: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Per day (ISO date): ``{"docs": n, "tension": max}`` — how the story grew."""
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StoryMemberRow(Base):
    """A document's story and near-duplicate group."""

    __tablename__ = "story_members"
    __table_args__ = (Index("ix_story_members_seen_at", "seen_at"),)

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    dup_group: Mapped[int] = mapped_column(Integer, index=True)
    """Id of the canonical document of its near-duplicate group (its own id if none)."""
    canonical: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_to: Mapped[int | None] = mapped_column(Integer)
    """The document it was matched with when it joined the story."""
    score: Mapped[float] = mapped_column(Float, default=0.0)
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    """The time the linker used: publication time, else fetch time."""
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    """The title-and-lead vector the linker compared (float32 bytes)."""


class ClaimRow(Base):
    """A quantitative statement of a document (see ``stories.claims``)."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_subject_unit", "subject", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(80))
    subject_text: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(12))
    value: Mapped[float] = mapped_column(Float)
    qualifier: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    sentence: Mapped[str] = mapped_column(Text)
    period: Mapped[str | None] = mapped_column(String(8))
    region_kato: Mapped[str | None] = mapped_column(String(80))  # a KATO code or a world place's id
    source: Mapped[str | None] = mapped_column(String(200))
    lang: Mapped[str | None] = mapped_column(String(8))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
