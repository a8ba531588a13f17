"""Weighted estimates with confidence intervals that account for the weights, and the
comparison of an estimate with the year's target.

For the respondents of a cell with valid values ``y`` and weights ``w``:

- estimate ``ȳ = Σwy / Σw`` (a share in % when ``y`` is 100 or 0);
- Kish effective sample size ``n_eff = (Σw)² / Σw²`` and design effect ``deff = n / n_eff``;
- standard error ``SE = sqrt(s² / n_eff)`` with the weighted variance ``s² = Σw(y − ȳ)² / Σw``
  (for a share ``s² = p(1 − p)``);
- 95% interval ``ȳ ± 1.96·SE``, clipped to the scale of the indicator for shares.

The design effect counts only the unequal weights (Kish's approximation): clustering and
stratification of the sample are not in the microdata and are not modelled.

Status against the target of the survey's year (for an indicator where higher is better; mirrored
for one where lower is better):

- ``met``: the estimate reaches the target;
- ``on_track``: the estimate is below the target but the 95% interval reaches it — the shortfall
  is within sampling error;
- ``at_risk``: the whole interval lies below the target;
- ``no_target``: the Concept sets no target for that year.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.surveys.importer import Respondent, list_surveys, load_respondents
from birlik.surveys.targets import TargetIndicator

Z_95 = 1.959963984540054
BREAKDOWNS = ("region", "ethnic_group", "age_band", "language")
SMALL_CELL = 30
"""Cells with a smaller effective sample are flagged as unreliable."""
STATUSES = ("met", "on_track", "at_risk", "no_target")


@dataclass(frozen=True, slots=True, kw_only=True)
class Estimate:
    indicator_id: str
    by: str
    """``all`` or one of ``BREAKDOWNS``."""
    group: str
    """``all``, or the category (KATO code, ethnic-group id, age band, language code)."""
    n: int
    weight_sum: float
    n_eff: float
    deff: float
    value: float
    se: float
    ci_low: float
    ci_high: float

    @property
    def unreliable(self) -> bool:
        return self.n_eff < SMALL_CELL


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    indicator_id: str
    year: int
    estimate: Estimate
    target: float | None
    status: str
    gap: float | None
    """Estimate minus target (positive: better than the target for ``higher`` indicators)."""


def weighted_estimate(
    values: Sequence[float],
    weights: Sequence[float],
    *,
    indicator_id: str = "",
    by: str = "all",
    group: str = "all",
    bounds: tuple[float, float] | None = (0.0, 100.0),
) -> Estimate | None:
    """The estimate of one cell, or None when it has no valid value."""
    if not values:
        return None
    total = math.fsum(weights)
    squares = math.fsum(w * w for w in weights)
    mean = math.fsum(w * y for w, y in zip(weights, values, strict=True)) / total
    variance = math.fsum(w * (y - mean) ** 2 for w, y in zip(weights, values, strict=True)) / total
    n_eff = total * total / squares
    se = math.sqrt(variance / n_eff)
    low, high = mean - Z_95 * se, mean + Z_95 * se
    if bounds is not None:
        low, high = max(bounds[0], low), min(bounds[1], high)
    return Estimate(
        indicator_id=indicator_id,
        by=by,
        group=group,
        n=len(values),
        weight_sum=total,
        n_eff=n_eff,
        deff=len(values) / n_eff,
        value=mean,
        se=se,
        ci_low=low,
        ci_high=high,
    )


def estimate(
    respondents: Iterable[Respondent], indicator_id: str, *, by: str = "all", share: bool = True
) -> list[Estimate]:
    """The estimate over all respondents (``by="all"``) or one per category, sorted by category."""
    if by != "all" and by not in BREAKDOWNS:
        raise ConfigError(f"cannot break down by {by!r} — use one of {list(BREAKDOWNS)}", code=codes.U030)
    cells: dict[str, tuple[list[float], list[float]]] = {}
    for respondent in respondents:
        value = respondent.values.get(indicator_id)
        group = "all" if by == "all" else respondent.group(by)
        if value is None or group is None:
            continue
        values, weights = cells.setdefault(group, ([], []))
        values.append(value)
        weights.append(respondent.weight)
    bounds = (0.0, 100.0) if share else None
    out = [
        weighted_estimate(values, weights, indicator_id=indicator_id, by=by, group=group, bounds=bounds)
        for group, (values, weights) in sorted(cells.items())
    ]
    return [e for e in out if e is not None]


def assess(estimate: Estimate, indicator: TargetIndicator, year: int) -> Assessment:
    """Met / on track / at risk against the year's target (see the module's documentation)."""
    target = indicator.target_for(year)
    if target is None:
        return Assessment(
            indicator_id=indicator.id, year=year, estimate=estimate, target=None, status="no_target", gap=None
        )
    sign = 1.0 if indicator.direction == "higher" else -1.0
    gap = estimate.value - target
    best_bound = estimate.ci_high if sign > 0 else estimate.ci_low
    if sign * gap >= 0:
        status = "met"
    elif sign * (best_bound - target) >= 0:
        status = "on_track"
    else:
        status = "at_risk"
    return Assessment(
        indicator_id=indicator.id, year=year, estimate=estimate, target=target, status=status, gap=gap
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class WavePoint:
    survey: str
    year: int
    fielded_to: str | None
    estimate: Estimate


def trend(
    session: Session,
    indicator_id: str,
    *,
    until_year: int | None = None,
    regions: Sequence[str] | None = None,
) -> list[WavePoint]:
    """The national estimate of one indicator in every wave that measured it, oldest first (with
    ``regions``: the estimate over the respondents of those regions)."""
    points = []
    for survey in list_surveys(session):
        if until_year is not None and survey.year > until_year:
            continue
        coding = survey.codebook.get("indicators", {}).get(indicator_id)
        if coding is None:
            continue
        respondents = load_respondents(session, survey.id, regions=regions)
        found = estimate(respondents, indicator_id, share="scores" not in coding)
        if found:
            fielded = survey.fielded_to.isoformat() if survey.fielded_to else None
            points.append(
                WavePoint(survey=survey.name, year=survey.year, fielded_to=fielded, estimate=found[0])
            )
    return points
