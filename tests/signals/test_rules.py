"""Baselines with weekday seasonality and a cold start; surge rules per region from YAML."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from birlik.domain.errors import ConfigError
from birlik.settings import Settings
from birlik.signals.baseline import poisson_tail, poisson_z, robust_baseline
from birlik.signals.indicators import COUNTRY, History
from birlik.signals.rules import evaluate_surges, load_rules, parse_rules

ZHAMBYL, PAVLODAR, ALMATY_CITY = "310000000", "550000000", "750000000"
START = date(2026, 1, 5)  # a Monday


def test_weekday_seasonality_lowers_the_weekend_expectation() -> None:
    weekdays = np.arange(56, dtype=np.int64) % 7
    values = np.where(weekdays >= 5, 0.02, 0.10)
    saturday = robust_baseline(values, weekdays, 5, min_history=14)
    tuesday = robust_baseline(values, weekdays, 1, min_history=14)
    assert not saturday.cold
    assert saturday.expected < 0.07 < 0.09 < tuesday.expected


def test_cold_start_is_flagged() -> None:
    values = np.array([0.1, 0.1, 0.1])
    baseline = robust_baseline(values, np.arange(3, dtype=np.int64), 3, min_history=14)
    assert baseline.cold and baseline.history == 3
    assert robust_baseline(np.array([]), np.array([], dtype=np.int64), 0, min_history=14).expected == 0.0


def test_poisson_z_matches_the_exact_tail() -> None:
    assert poisson_tail(6, 0.7) == pytest.approx(9.0e-5, rel=0.01)
    assert poisson_z(6, 0.7) == pytest.approx(3.745, abs=0.01)
    assert poisson_z(2, 3.0) == 0.0
    assert poisson_z(5, 0.5) < 4 < poisson_z(40, 5)
    assert poisson_z(1000, 100) > 10  # Anscombe's approximation takes over


def _history(days: int, base: int, surge: dict[str, int], surge_day: int) -> History:
    history = History(START, START + timedelta(days=days - 1))
    for k in range(days):
        day = START + timedelta(days=k)
        for region in (ZHAMBYL, PAVLODAR, ALMATY_CITY):
            history.put(region, day, "volume", 100.0)
            extra = surge.get(region, 0) if k == surge_day else 0
            history.put(region, day, "ethnic_docs", float(base + (k % 3) + extra))
        history.put(COUNTRY, day, "volume", 300.0)
    return history


def test_a_surge_is_found_in_its_region_only() -> None:
    history = _history(40, 2, {ZHAMBYL: 30}, 39)
    findings = evaluate_surges(history, START + timedelta(days=39), load_rules())
    assert [f.region_kato for f in findings] == [ZHAMBYL]
    (finding,) = findings
    assert finding.kind == "surge" and finding.metric == "ethnic_docs"
    assert finding.details["metrics"][0]["count"] == 32  # base 2 + (39 % 3 = 0) + 30
    assert finding.severity in ("medium", "high")


def test_below_the_minimum_count_no_surge() -> None:
    history = _history(40, 0, {ZHAMBYL: 4}, 39)  # 0 → 4: far above baseline, under min_count 5
    assert evaluate_surges(history, START + timedelta(days=39), load_rules()) == []


def test_region_rules_from_yaml_change_the_outcome(tmp_path: Path) -> None:
    day = START + timedelta(days=39)
    # the shipped rules react earlier in Zhambyl (z 4) than elsewhere (z 4.5)
    moderate = _history(40, 2, {ZHAMBYL: 12, PAVLODAR: 12}, 39)
    assert {f.region_kato for f in evaluate_surges(moderate, day, load_rules())} == {ZHAMBYL}
    history = _history(40, 2, {ZHAMBYL: 16, PAVLODAR: 16}, 39)
    shipped = {f.region_kato for f in evaluate_surges(history, day, load_rules())}
    assert shipped == {ZHAMBYL, PAVLODAR}
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(
        "version: 1\n"
        "defaults:\n"
        "  watch: [ethnic_docs]\n"
        "  surge: {min_count: 5, z: 4.0}\n"
        "regions:\n"
        f"  '{PAVLODAR}':\n"
        "    surge: {min_count: 30}\n",
        encoding="utf-8",
    )
    settings = Settings(rules_file=rules_file)
    custom = {f.region_kato for f in evaluate_surges(history, day, load_rules(settings.rules_file))}
    assert custom == {ZHAMBYL}


def test_unwatched_metrics_and_disabled_rules() -> None:
    rules = parse_rules(
        "defaults:\n  watch: ['incident:*']\nregions:\n  '310000000':\n    surge: {enabled: false}\n"
    )
    assert rules.surge(PAVLODAR, "ethnic_docs") is None
    assert rules.surge(PAVLODAR, "incident:violence") is not None
    assert rules.surge(ZHAMBYL, "incident:violence") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("defaults: {surge: {min_cout: 3}}", "W002"),
        ("defaults: {surge: {z: -1}}", "W002"),
        ("regions: {'999999999': {surge: {z: 3}}}", "W003"),
        ("regions: {'311000000': {surge: {z: 3}}}", "W003"),  # a district, not a region
        ("defaults: [unclosed", "W001"),
        ("version: 2", "W002"),
    ],
)
def test_bad_rules_files_are_refused_with_codes(text: str, code: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_rules(text, "rules.yaml")
    assert caught.value.code == code


def test_a_missing_rules_file_is_a_coded_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[W001\]"):
        load_rules(tmp_path / "missing.yaml")


def test_region_recipients_from_yaml() -> None:
    rules = parse_rules(
        "defaults: {notify: {email: [hq@example.kz]}}\n"
        "regions: {'310000000': {notify: {email: [zhambyl@example.kz], webhook: ['http://z.example/h']}}}\n"
    )
    assert rules.targets(ZHAMBYL).email == ("hq@example.kz", "zhambyl@example.kz")
    assert rules.targets(PAVLODAR).email == ("hq@example.kz",)
    assert rules.targets(None).webhook == ()
