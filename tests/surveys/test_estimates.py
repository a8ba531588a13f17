"""Weighted estimates against values computed by hand, and the met / on track / at risk rule."""

from __future__ import annotations

import math

import pytest

from birlik.surveys.estimates import Z_95, assess, estimate, weighted_estimate
from birlik.surveys.importer import Respondent
from birlik.surveys.targets import TargetIndicator

# five respondents: value 100 = "yes", 0 = "no"
VALUES = [100.0, 0.0, 100.0, 100.0, 0.0]
WEIGHTS = [1.0, 2.0, 1.0, 0.5, 1.5]


def test_weighted_share_matches_hand_arithmetic() -> None:
    # Σw = 1 + 2 + 1 + 0.5 + 1.5 = 6; Σwy = 100 + 100 + 50 = 250 → p = 250 / 6 = 41.667 %
    # Σw² = 1 + 4 + 1 + 0.25 + 2.25 = 8.5 → Kish n_eff = 6² / 8.5 = 4.2353, deff = 5 / 4.2353 = 1.1806
    # s² = p(1 − p) = 41.667 × 58.333 = 2430.56 → SE = √(2430.56 / 4.2353) = √573.88 = 23.956
    # 95% CI = 41.667 ± 1.96 × 23.956 = [−5.29, 88.62] → clipped to [0, 88.62]
    result = weighted_estimate(VALUES, WEIGHTS)
    assert result is not None
    assert result.value == pytest.approx(250 / 6)
    assert result.n == 5
    assert result.weight_sum == pytest.approx(6.0)
    assert result.n_eff == pytest.approx(36 / 8.5)
    assert result.deff == pytest.approx(5 / (36 / 8.5))
    p = 250 / 6
    se = math.sqrt(p * (100 - p) / (36 / 8.5))
    assert se == pytest.approx(23.956, abs=1e-3)
    assert result.se == pytest.approx(se)
    assert result.ci_low == 0.0
    assert result.ci_high == pytest.approx(p + Z_95 * se)
    assert result.ci_high == pytest.approx(88.62, abs=0.01)
    assert result.unreliable


def test_equal_weights_give_the_simple_binomial_interval() -> None:
    values = [100.0] * 60 + [0.0] * 40
    result = weighted_estimate(values, [2.5] * 100)
    assert result is not None
    # n_eff = n when all weights are equal: SE = √(60 × 40 / 100) = 4.899
    assert result.n_eff == pytest.approx(100)
    assert result.se == pytest.approx(math.sqrt(60 * 40 / 100))
    assert (result.ci_low, result.ci_high) == pytest.approx(
        (60 - Z_95 * 4.89898, 60 + Z_95 * 4.89898), abs=1e-4
    )


def test_mean_of_scores_uses_the_weighted_variance() -> None:
    # y = 0, 50, 100 with w = 1, 1, 2: ȳ = (0 + 50 + 200) / 4 = 62.5
    # s² = (1·62.5² + 1·12.5² + 2·37.5²) / 4 = (3906.25 + 156.25 + 2812.5) / 4 = 1718.75
    # n_eff = 16 / 6 = 2.6667 → SE = √(1718.75 / 2.6667) = 25.388
    result = weighted_estimate([0.0, 50.0, 100.0], [1.0, 1.0, 2.0], bounds=None)
    assert result is not None
    assert result.value == pytest.approx(62.5)
    assert result.se == pytest.approx(math.sqrt(1718.75 / (16 / 6)))


def _respondent(region: str, value: float | None, weight: float, lang: str = "kk") -> Respondent:
    return Respondent(
        respondent=f"{region}-{value}-{weight}",
        weight=weight,
        region_kato=region,
        language=lang,
        values={"tolerance": value},
    )


def test_breakdown_by_region_skips_missing_answers() -> None:
    people = [
        _respondent("310000000", 100.0, 1.0),
        _respondent("310000000", 0.0, 3.0),
        _respondent("550000000", 100.0, 1.0),
        _respondent("550000000", None, 5.0),
    ]
    by_region = estimate(people, "tolerance", by="region")
    assert [(e.group, e.n) for e in by_region] == [("310000000", 2), ("550000000", 1)]
    assert by_region[0].value == pytest.approx(25.0)  # 100·1 / (1 + 3)
    overall = estimate(people, "tolerance")[0]
    assert overall.value == pytest.approx(200 / 5)  # (100 + 0 + 100) weighted by 1, 3, 1


INDICATOR = TargetIndicator(id="tolerance", names={"en": "Tolerance"}, baseline=69.0, targets={2026: 69.5})


@pytest.mark.parametrize(
    ("value", "low", "high", "status"),
    [
        (70.0, 67.0, 73.0, "met"),
        (69.5, 66.5, 72.5, "met"),
        (68.0, 65.0, 71.0, "on_track"),
        (64.0, 61.0, 67.0, "at_risk"),
    ],
)
def test_status_against_the_year_target(value: float, low: float, high: float, status: str) -> None:
    cell = weighted_estimate([value], [1.0])
    assert cell is not None
    from dataclasses import replace

    cell = replace(cell, value=value, ci_low=low, ci_high=high)
    assert assess(cell, INDICATOR, 2026).status == status
    assert assess(cell, INDICATOR, 2031).status == "no_target"
