"""Seed for the pages of reports, targets, surveys and visits (test_reports_pages and
test_browser_pages): the demo survey wave and a visit to each seeded region."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest

from birlik.reports.quarterly import Quarter
from birlik.store.repository import Store
from birlik.surveys.codebook import load_codebook
from birlik.surveys.importer import import_survey
from birlik.surveys.visits import Recommendation, Visit, add_visit
from web.conftest import PAVLODAR, ZHAMBYL

DAY = (datetime.now(UTC) - timedelta(days=1)).date()  # the seeded documents' day
QUARTER = Quarter.of(DAY)


@pytest.fixture
def surveyed(store: Store, seeded: dict[str, int]) -> dict[str, int]:
    """The demo survey wave (respondents in every region) and one visit to each seeded region,
    in the documents' quarter, with an overdue, a future and a done-late recommendation."""
    demo = Path(str(resources.files("birlik.demo")))
    with store.transaction() as session:
        import_survey(session, demo / "survey_2026.csv", load_codebook(demo / "survey_codebook.yaml"))
        ids = {}
        for name, region in (("Visit Z", ZHAMBYL), ("Visit P", PAVLODAR)):
            row = add_visit(
                session,
                Visit(
                    region_kato=region,
                    title=name,
                    started_on=DAY,
                    ended_on=DAY,
                    team=("A. Researcher",),
                    meetings=({"with": f"{name} secretariat"},),
                    findings=(f"{name} finding",),
                    risks=({"text": f"{name} risk", "level": "high"},),
                    recommendations=(
                        Recommendation(text=f"{name} late", owner="akimat", deadline=date(2020, 1, 1)),
                        Recommendation(text=f"{name} future", owner="akimat", deadline=date(2999, 1, 1)),
                        Recommendation(
                            text=f"{name} done", owner="akimat", deadline=date(2020, 1, 1), status="done"
                        ),
                    ),
                ),
            )
            ids[name] = row.id
            ids[f"{name} late"] = row.recommendations[0].id
    return ids
