"""Tables of the Concept's target indicators, survey waves, respondents and monitoring visits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from birlik.store.models import Base, utcnow
from birlik.store.types import UtcDateTime


class TargetIndicatorRow(Base):
    """One row of the Concept's table of target indicators (section 6)."""

    __tablename__ = "target_indicators"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer)
    """The row's number in the Concept's table."""
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unit: Mapped[str] = mapped_column(String(20), default="%")
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    direction: Mapped[str] = mapped_column(String(10), default="higher")
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    targets: Mapped[list[IndicatorTargetRow]] = relationship(
        back_populates="indicator",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="IndicatorTargetRow.year",
    )


class IndicatorTargetRow(Base):
    __tablename__ = "indicator_targets"

    indicator_id: Mapped[str] = mapped_column(
        ForeignKey("target_indicators.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[float] = mapped_column(Float)

    indicator: Mapped[TargetIndicatorRow] = relationship(back_populates="targets")


class SurveyRow(Base):
    """One wave of a survey, imported with its codebook."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    fielded_from: Mapped[date | None] = mapped_column(Date)
    fielded_to: Mapped[date | None] = mapped_column(Date)
    source_file: Mapped[str] = mapped_column(Text)
    codebook: Mapped[dict[str, Any]] = mapped_column(default=dict)
    respondents: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    responses: Mapped[list[SurveyResponseRow]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", passive_deletes=True
    )


class SurveyResponseRow(Base):
    """One respondent: design variables and the indicator values the codebook gave the answers."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    respondent: Mapped[str] = mapped_column(String(80))
    weight: Mapped[float] = mapped_column(Float)
    region_kato: Mapped[str | None] = mapped_column(String(12))
    ethnic_group: Mapped[str | None] = mapped_column(String(60))
    age: Mapped[int | None] = mapped_column(Integer)
    age_band: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(8))
    indicator_values: Mapped[dict[str, Any]] = mapped_column(default=dict)

    survey: Mapped[SurveyRow] = relationship(back_populates="responses")


class VisitRow(Base):
    """A monitoring visit to a region."""

    __tablename__ = "monitoring_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_kato: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(Text)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date] = mapped_column(Date)
    team: Mapped[list[str]] = mapped_column(JSON, default=list)
    meetings: Mapped[list[Any]] = mapped_column(JSON, default=list)
    findings: Mapped[list[str]] = mapped_column(JSON, default=list)
    risks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    recommendations: Mapped[list[RecommendationRow]] = relationship(
        back_populates="visit",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="RecommendationRow.id",
    )


class RecommendationRow(Base):
    """A recommendation of a visit: who owns it, by when, and where it stands."""

    __tablename__ = "visit_recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("monitoring_visits.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    deadline: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    status_note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    visit: Mapped[VisitRow] = relationship(back_populates="recommendations")
