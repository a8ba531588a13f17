"""the Concept's target indicators (seeded with rows 4 and 5), surveys, monitoring visits

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_SOURCE = {
    "kk": "әлеуметтану зерттеулері",
    "ru": "социологические исследования",
    "en": "sociological surveys",
}
# frozen copy of birlik.surveys.targets.SEED_INDICATORS as of this revision
_SEED = (
    (
        "social_mood",
        4,
        {
            "kk": "Халықтың әлеуметтік көңіл-күйінің деңгейі",
            "ru": "Уровень социального самочувствия населения",
            "en": "Level of the population's social mood",
        },
        85.5,
        (77.0, 77.5, 78.0, 78.5, 79.0, 79.5),
    ),
    (
        "tolerance",
        5,
        {
            "kk": "Қазақстан этностары арасындағы толеранттылық деңгейі",
            "ru": "Уровень толерантности между этносами Казахстана",
            "en": "Level of tolerance between Kazakhstan's ethnic groups",
        },
        69.0,
        (69.0, 69.5, 70.0, 70.5, 71.0, 71.5),
    ),
)


def upgrade() -> None:
    indicators = op.create_table(
        "target_indicators",
        sa.Column("id", sa.String(length=60), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("source", sa.JSON(), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("baseline_year", sa.Integer(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    targets = op.create_table(
        "indicator_targets",
        sa.Column("indicator_id", sa.String(length=60), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["indicator_id"], ["target_indicators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("indicator_id", "year"),
    )
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fielded_from", sa.Date(), nullable=True),
        sa.Column("fielded_to", sa.Date(), nullable=True),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("codebook", sa.JSON(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("respondent", sa.String(length=80), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("region_kato", sa.String(length=12), nullable=True),
        sa.Column("ethnic_group", sa.String(length=60), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("age_band", sa.String(length=20), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("indicator_values", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_survey_responses_survey_id", "survey_responses", ["survey_id"])
    op.create_table(
        "monitoring_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_kato", sa.String(length=12), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("team", sa.JSON(), nullable=False),
        sa.Column("meetings", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("risks", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_monitoring_visits_region_kato", "monitoring_visits", ["region_kato"])
    op.create_table(
        "visit_recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["monitoring_visits.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_visit_recommendations_visit_id", "visit_recommendations", ["visit_id"])
    op.create_index("ix_visit_recommendations_status", "visit_recommendations", ["status"])
    _seed(indicators, targets)


def _seed(indicators: sa.Table, targets: sa.Table) -> None:
    now = datetime.now(UTC)
    note = "Concept, section 6, row {}; column headings lost in the published text"
    op.bulk_insert(
        indicators,
        [
            {
                "id": key,
                "number": number,
                "names": names,
                "unit": "%",
                "source": _SOURCE,
                "baseline": baseline,
                "baseline_year": 2024,
                "direction": "higher",
                "note": note.format(number),
                "updated_at": now,
            }
            for key, number, names, baseline, _ in _SEED
        ],
    )
    op.bulk_insert(
        targets,
        [
            {"indicator_id": key, "year": 2025 + offset, "target": value}
            for key, _, _, _, values in _SEED
            for offset, value in enumerate(values)
        ],
    )


def downgrade() -> None:
    for table in (
        "visit_recommendations",
        "monitoring_visits",
        "survey_responses",
        "surveys",
        "indicator_targets",
        "target_indicators",
    ):
        op.drop_table(table)
