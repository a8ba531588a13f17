"""A robust baseline of a daily rate, with day-of-week seasonality and a cold start.

The level is the larger of the median and the 10 %-winsorised mean of the recent days (the
median alone is 0 for a rare event that happens on a third of the days); the weekday factor
is the median of the same weekday over the whole history divided by that level, shrunk
towards 1 when few such weekdays are known; the spread is the scaled median absolute
deviation of what level and weekday factors leave unexplained. With fewer than
``min_history`` days known the baseline is *cold*: the rules then fall back to a prior (the
country's rate) and demand more.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

Array = np.ndarray[Any, np.dtype[np.float64]]

MAD_SCALE = 1.4826
"""Makes the median absolute deviation estimate a normal standard deviation."""
WEEKDAY_SHRINK = 6.0
"""Weeks of evidence at which a weekday counts half: rates (unlike counts) vary little by weekday."""
TRIM = 0.1
MIN_EXPECTED = 0.25
"""A count never seen is still expected this often: 5 where 0 were usual is not infinite."""
EXACT_LIMIT = 400
_NORMAL = NormalDist()


@dataclass(frozen=True, slots=True, kw_only=True)
class Baseline:
    expected: float
    spread: float
    history: int
    """Days the baseline was computed from."""
    cold: bool


def robust_baseline(
    values: Array,
    weekdays: np.ndarray[Any, np.dtype[np.int64]],
    target_weekday: int,
    *,
    min_history: int,
    recent: int = 28,
) -> Baseline:
    """The expected value (and spread) on ``target_weekday`` from past ``values``.

    ``values`` and ``weekdays`` run oldest first and hold only days that had a volume.
    (Plain Python on short lists: numpy's per-call cost dominates at 56 values.)
    """
    known = len(values)
    if known == 0:
        return Baseline(expected=0.0, spread=0.0, history=0, cold=True)
    all_values: list[float] = values.tolist()
    all_weekdays: list[int] = weekdays.tolist()
    window = all_values[-recent:]
    ordered = sorted(window)
    level = max(_median(ordered), trimmed_mean(ordered))
    by_weekday: list[list[float]] = [[] for _ in range(7)]
    for value, weekday in zip(all_values, all_weekdays, strict=True):
        by_weekday[weekday].append(value)
    factors = [weekday_factor(sorted(same), level) for same in by_weekday]
    residuals = sorted(
        value - level * factors[weekday]
        for value, weekday in zip(window, all_weekdays[-recent:], strict=True)
    )
    centre = _median(residuals)
    spread = MAD_SCALE * _median(sorted(abs(r - centre) for r in residuals))
    factor = factors[target_weekday]
    return Baseline(expected=level * factor, spread=spread * factor, history=known, cold=known < min_history)


def _median(ordered: list[float]) -> float:
    size = len(ordered)
    if not size:
        return 0.0
    middle = size // 2
    return ordered[middle] if size % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def trimmed_mean(ordered: list[float], trim: float = TRIM) -> float:
    """The mean of sorted values with the top ``trim`` share capped at the highest value
    kept (winsorised): a past surge does not raise it, a rare event is not averaged away."""
    size = len(ordered)
    if not size:
        return 0.0
    kept = size - int(size * trim)
    return (sum(ordered[:kept]) + ordered[kept - 1] * (size - kept)) / size


def weekday_factor(same: list[float], level: float) -> float:
    """How one weekday's (sorted) values compare with the level, shrunk towards 1."""
    if level <= 0 or not same:
        return 1.0
    raw = max(_median(same), trimmed_mean(same)) / level
    weight = len(same) / (len(same) + WEEKDAY_SHRINK)
    return max(0.5, 1.0 + weight * (raw - 1.0))


def anscombe_z(count: float, expected_count: float) -> float:
    """Anscombe's variance-stabilising transform of a Poisson count, on a normal scale."""
    return 2.0 * (math.sqrt(count + 0.375) - math.sqrt(max(expected_count, 0.0) + 0.375))


def poisson_z(count: float, expected_count: float) -> float:
    """How unusual at least ``count`` is for a Poisson count expected at ``expected_count``,
    as the standard normal quantile of its upper tail (exact below ``EXACT_LIMIT``)."""
    expected = max(expected_count, MIN_EXPECTED)
    if count <= expected:
        return 0.0
    if count > EXACT_LIMIT:
        return anscombe_z(count, expected)
    tail = poisson_tail(math.ceil(count - 1e-9), expected)
    return -_NORMAL.inv_cdf(min(max(tail, 1e-300), 0.5))


def poisson_tail(k: int, expected: float) -> float:
    """P(X ≥ k) for X ~ Poisson(expected), summed from k upwards (no cancellation)."""
    term = math.exp(k * math.log(expected) - expected - math.lgamma(k + 1))
    total, i = 0.0, k
    while term > total * 1e-16 and i < k + 10_000:
        total += term
        i += 1
        term *= expected / i
    return min(total, 1.0)
