"""The Concept's target table (seeded by the migration, corrected by users) and monitoring visits."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from birlik.domain.errors import BadInput
from birlik.store.repository import Store
from birlik.surveys.targets import (
    SEED_INDICATORS,
    get_indicator,
    list_indicators,
    load_targets_file,
    save_indicators,
)
from birlik.surveys.visits import (
    VisitError,
    add_visit,
    list_recommendations,
    list_visits,
    load_visits_file,
    set_recommendation_status,
)

DEMO = Path(__file__).resolve().parents[2] / "src" / "birlik" / "demo"


def test_migration_seeds_the_two_surviving_rows(store: Store) -> None:
    with store.transaction() as session:
        indicators = list_indicators(session)
    assert indicators == list(SEED_INDICATORS)
    mood, tolerance = indicators
    assert (mood.number, mood.baseline, mood.targets[2025], mood.targets[2030]) == (4, 85.5, 77.0, 79.5)
    assert list(tolerance.targets.values()) == [69.0, 69.5, 70.0, 70.5, 71.0, 71.5]
    assert mood.name("kk") == "Халықтың әлеуметтік көңіл-күйінің деңгейі"


def test_users_add_and_correct_rows_from_yaml_and_csv(store: Store, tmp_path: Path) -> None:
    yaml_file = tmp_path / "rows.yaml"
    yaml_file.write_text(
        "- id: trust_assembly\n  number: 1\n  names: {en: Trust in the Assembly, ru: Доверие к Ассамблее}\n"
        "  baseline: 60\n  baseline_year: 2024\n  targets: {2025: 61, 2026: '62,5%'}\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "rows.csv"
    csv_file.write_text("id,name_en,2026,2027\ntolerance,Level of tolerance,69.7,70.1\n", encoding="utf-8")
    with store.transaction() as session:
        save_indicators(session, load_targets_file(yaml_file))
        save_indicators(session, load_targets_file(csv_file))
    with store.transaction() as session:
        added = get_indicator(session, "trust_assembly")
        corrected = get_indicator(session, "tolerance")
        ids = [i.id for i in list_indicators(session)]
    assert added.targets == {2025: 61.0, 2026: 62.5}
    assert corrected.targets[2026] == 69.7 and corrected.targets[2025] == 69.0
    assert corrected.baseline == 69.0  # not given, kept
    assert corrected.names["ru"] == "Уровень толерантности между этносами Казахстана"
    assert ids == ["trust_assembly", "social_mood", "tolerance"]


def test_bad_target_rows_have_codes(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- id: x\n  names: {en: X}\n  targets: {2026: lots}\n", encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        load_targets_file(path)
    assert caught.value.code == "U107"


def test_visits_and_the_register_of_recommendations(store: Store) -> None:
    records = load_visits_file(DEMO / "visits.yaml")
    assert [v.region_kato for v in records] == ["310000000", "550000000"]
    with store.transaction() as session:
        for record in records:
            add_visit(session, record)
    with store.transaction() as session:
        september = list_visits(session, since=date(2026, 9, 1), until=date(2026, 10, 1))
        open_items = list_recommendations(session, statuses=("open", "in_progress"))
        assert [v.title for v in september] == ["Павлодар облысына мониторингтік сапар"]
        assert [r.deadline for r in open_items] == [date(2026, 9, 30), date(2026, 10, 1), date(2026, 12, 15)]
        set_recommendation_status(session, open_items[0].id, "done", "schedule published")
    with store.transaction() as session:
        assert len(list_recommendations(session, statuses=("open", "in_progress"))) == 2
        with pytest.raises(VisitError):
            set_recommendation_status(session, open_items[1].id, "forgotten")


def test_visit_without_region_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("title: x\ndates: [2026-08-01, 2026-08-02]\nregion: Нарния\n", encoding="utf-8")
    with pytest.raises(VisitError) as caught:
        load_visits_file(path)
    assert caught.value.code == "U203"
