"""Tables of the early-warning layer: indicators, source volumes, alerts and their history,
and the notification outbox with its dead letters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from birlik.store.models import Base, utcnow
from birlik.store.types import UtcDateTime


class IndicatorRow(Base):
    """One metric of one region (KATO code, or ``KZ`` for the country) on one day.

    ``count`` is the raw amount (documents, or summed tension); ``volume`` is the number of
    documents that day from the sources covering the region; ``value`` is ``count / volume``.
    """

    __tablename__ = "indicators"
    __table_args__ = (Index("ix_indicators_day", "day"),)

    region_kato: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(80), primary_key=True)
    count: Mapped[float] = mapped_column(Float, default=0.0)
    volume: Mapped[float] = mapped_column(Float, default=0.0)
    value: Mapped[float] = mapped_column(Float, default=0.0)


class SourceVolumeRow(Base):
    """Dated documents of one source (outlet) per day: about a region, or in all (``KZ``)."""

    __tablename__ = "source_volumes"
    __table_args__ = (Index("ix_source_volumes_region_day", "region_kato", "day"),)

    source_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    region_kato: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)


class AlertRow(Base):
    """One alert: an episode of one kind about one subject (region, story or source).

    ``key`` (kind, subject, first day) makes raising the same alert twice impossible.
    ``case_id`` is the case opened on escalation (no foreign key: cases depend on alerts).
    """

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_subject", "kind", "subject", "last_day"),
        Index("ix_alerts_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(200))
    region_kato: Mapped[str | None] = mapped_column(String(12), index=True)
    metric: Mapped[str | None] = mapped_column(String(80))
    story_id: Mapped[str | None] = mapped_column(String(80))
    source_name: Mapped[str | None] = mapped_column(String(200))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(15), default="new")
    title: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AlertEventRow(Base):
    """The history of an alert: every change of status, who made it and why."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(15))
    to_status: Mapped[str] = mapped_column(String(15))
    note: Mapped[str | None] = mapped_column(Text)


class OutboxRow(Base):
    """A notification to deliver, written in the same transaction as its alert."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_outbox_pending", "delivered_at", "dead_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dead_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DeadLetterRow(Base):
    """A notification given up after its last attempt, kept to inspect and send again."""

    __tablename__ = "notification_dead_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("notification_outbox.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    died_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    requeued_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
