"""Alert rules per region from YAML, and the surge rule evaluated over indicator series.

The shipped ``data/rules.yaml`` documents every key; ``BIRLIK_RULES_FILE`` points to a file
of the same shape that replaces it. A region's rule is layered: ``defaults.surge``, then the
first entry of ``defaults.metrics`` that matches the metric (``incident:*`` patterns), then
the region's ``surge``, then the region's ``metrics``.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.resources.yaml_data import load_yaml
from birlik.signals.baseline import poisson_z, robust_baseline
from birlik.signals.indicators import COUNTRY, History

Severity = Literal["low", "medium", "high"]
SEVERITY_RANK: Mapping[str, int] = {"low": 1, "medium": 2, "high": 3}
RULES_FILE = "rules.yaml"
COLD_MIN_DAYS = 3
"""Fewer known days and no country prior: no judgement at all."""
DEFAULT_WATCH = ("ethnic_docs", "ethnic:*", "derogatory_docs", "hate_docs", "tension", "incident:*")
RuleT = TypeVar("RuleT", bound=BaseModel)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SurgeRule(_Strict):
    enabled: bool = True
    min_count: float = Field(5, ge=1)
    z: float = Field(4.0, gt=0)
    min_ratio: float = Field(2.0, ge=1)
    history_days: int = Field(56, ge=7)
    min_history_days: int = Field(14, ge=1)
    cold_min_count: float = Field(10, ge=1)
    cold_ratio: float = Field(3.0, ge=1)
    severity_medium: float = Field(6.0, gt=0)
    severity_high: float = Field(10.0, gt=0)
    window_days: int = Field(3, ge=1)


class StoryRule(_Strict):
    enabled: bool = True
    window_hours: int = Field(24, ge=1)
    min_new_outlets: int = Field(4, ge=1)
    min_new_languages: int = Field(1, ge=1)
    min_new_regions: int = Field(2, ge=1)
    min_documents: int = Field(3, ge=1)
    window_days: int = Field(3, ge=1)


class HealthRule(_Strict):
    enabled: bool = True
    silent_hours: float = Field(48, gt=0)
    volume_drop_ratio: float = Field(0.25, gt=0, lt=1)
    volume_min_baseline: float = Field(5, ge=1)
    volume_history_days: int = Field(14, ge=3)
    parse_failure_min: int = Field(5, ge=1)
    parse_failure_ratio: float = Field(0.3, gt=0, le=1)
    window_days: int = Field(2, ge=1)


class Targets(_Strict):
    email: tuple[str, ...] = ()
    webhook: tuple[str, ...] = ()


class _Layer(_Strict):
    surge: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, dict[str, Any]] = Field(default_factory=dict)
    story_growth: dict[str, Any] = Field(default_factory=dict)
    notify: Targets = Targets()
    name: str | None = None


class _Defaults(_Layer):
    source_health: dict[str, Any] = Field(default_factory=dict)
    watch: tuple[str, ...] = DEFAULT_WATCH


class _RulesFile(_Strict):
    version: Literal[1] = 1
    defaults: _Defaults = _Defaults()
    regions: dict[str, _Layer] = Field(default_factory=dict)


@dataclass(slots=True)
class RuleSet:
    """The rules of every region, resolved on demand and cached."""

    defaults: _Defaults
    regions: Mapping[str, _Layer]
    source: str
    _surge_cache: dict[tuple[str, str], SurgeRule | None] = field(default_factory=dict)

    def surge(self, region: str, metric: str) -> SurgeRule | None:
        """The surge rule of a metric in a region, or None when it is not watched there."""
        key = (region, metric)
        if key not in self._surge_cache:
            self._surge_cache[key] = self._resolve_surge(region, metric)
        return self._surge_cache[key]

    def _resolve_surge(self, region: str, metric: str) -> SurgeRule | None:
        if not any(fnmatch.fnmatchcase(metric, pattern) for pattern in self.defaults.watch):
            return None
        merged = dict(self.defaults.surge) | _matching(self.defaults.metrics, metric)
        layer = self.regions.get(region)
        if layer is not None:
            merged |= dict(layer.surge) | _matching(layer.metrics, metric)
        rule = _build(SurgeRule, merged, f"surge rule of {metric} in {region}", self.source)
        return rule if rule.enabled else None

    def story(self, region: str | None) -> StoryRule:
        merged = dict(self.defaults.story_growth)
        layer = self.regions.get(region) if region else None
        if layer is not None:
            merged |= layer.story_growth
        return _build(StoryRule, merged, f"story rule of {region}", self.source)

    @property
    def health(self) -> HealthRule:
        return _build(HealthRule, dict(self.defaults.source_health), "source health rule", self.source)

    def targets(self, region: str | None) -> Targets:
        """Extra recipients of a region's alerts (besides the ones in the settings)."""
        layer = self.regions.get(region) if region else None
        extra = layer.notify if layer is not None else Targets()
        return Targets(
            email=tuple(dict.fromkeys(self.defaults.notify.email + extra.email)),
            webhook=tuple(dict.fromkeys(self.defaults.notify.webhook + extra.webhook)),
        )

    def max_history_days(self) -> int:
        return max(
            [SurgeRule.model_validate(self.defaults.surge).history_days]
            + [int(layer.surge.get("history_days", 0)) for layer in self.regions.values()]
        )


def _matching(metrics: Mapping[str, dict[str, Any]], metric: str) -> dict[str, Any]:
    if metric in metrics:
        return dict(metrics[metric])
    for pattern, values in metrics.items():
        if fnmatch.fnmatchcase(metric, pattern):
            return dict(values)
    return {}


def _build(cls: type[RuleT], values: dict[str, Any], what: str, source: str) -> RuleT:
    try:
        return cls.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(
            f"{source}: {what}: {where}: {first['msg']} — fix the rules file", code=codes.W002
        ) from exc


def load_rules(path: Path | None = None) -> RuleSet:
    """The rules in ``path``, or the ones shipped with Birlik."""
    if path is None:
        return _shipped_rules()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read the rules file {path}: {exc} — check BIRLIK_RULES_FILE", code=codes.W001
        ) from exc
    return parse_rules(text, str(path))


@lru_cache(maxsize=1)
def _shipped_rules() -> RuleSet:
    text = resources.files("birlik.signals").joinpath("data", RULES_FILE).read_text("utf-8")
    return parse_rules(text, RULES_FILE)


def parse_rules(text: str, source: str = "rules") -> RuleSet:
    try:
        raw = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML: {exc} — fix the rules file", code=codes.W001) from exc
    if isinstance(raw, dict) and isinstance(raw.get("regions"), dict):
        raw["regions"] = {str(kato): layer or {} for kato, layer in raw["regions"].items()}
    try:
        parsed = _RulesFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"{source}: {where}: {first['msg']} — fix the rules file", code=codes.W002) from exc
    _check_regions(parsed.regions, source)
    rules = RuleSet(defaults=parsed.defaults, regions=parsed.regions, source=source)
    for region in (None, *parsed.regions):
        rules.story(region)
    rules.health  # noqa: B018  # validates the health rule now rather than in the monitor loop
    for layer in (parsed.defaults, *parsed.regions.values()):
        for overrides in (layer.surge, *layer.metrics.values()):
            _build(SurgeRule, dict(parsed.defaults.surge) | dict(overrides), "surge rule", source)
    return rules


def _check_regions(regions: Mapping[str, _Layer], source: str) -> None:
    from birlik.resources.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    for kato in regions:
        place = gazetteer.get(kato)
        if kato != COUNTRY and (place is None or place.level != "region"):
            raise ConfigError(
                f"{source}: {kato!r} is not the KATO code of one of the 20 regions "
                "(nor KZ) — `birlik indicators --regions` lists them",
                code=codes.W003,
            )


def region_name(kato: str | None) -> str:
    if kato is None:
        return "—"
    if kato == COUNTRY:
        return "Kazakhstan"
    from birlik.resources.gazetteer import load_gazetteer

    place = load_gazetteer().get(kato)
    return place.name("en") if place is not None else kato


# --- findings --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """What a rule found on one day; ``alerts.record_findings`` turns findings into alerts."""

    kind: str
    """``surge``, ``story_growth``, ``source_silent``, ``source_volume_drop``, ``parse_failures``."""
    subject: str
    """What one alert is about: a region, a story or a source."""
    day: date
    severity: Severity
    title: str
    window_days: int
    region_kato: str | None = None
    metric: str | None = None
    story_id: str | None = None
    source_name: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricSurge:
    metric: str
    count: float
    volume: float
    rate: float
    expected: float
    z: float
    ratio: float
    severity: Severity
    cold: bool
    z_threshold: float = 0.0
    ratio_threshold: float = 0.0
    count_threshold: float = 0.0
    """The thresholds the finding passed (after a cold start made them stricter)."""

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "count": round(self.count, 3),
            "volume": round(self.volume, 3),
            "rate": round(self.rate, 6),
            "expected": round(self.expected, 6),
            "z": round(self.z, 2),
            "ratio": round(self.ratio, 2),
            "severity": self.severity,
            "cold_start": self.cold,
            "rule": {
                "z": self.z_threshold,
                "min_ratio": self.ratio_threshold,
                "min_count": self.count_threshold,
            },
        }


def evaluate_surges(history: History, day: date, rules: RuleSet) -> list[Finding]:
    """Surge findings of one day, one per region (its surging metrics inside)."""
    index = history.index(day)
    if not 0 <= index < history.length:
        return []
    weekdays = (history.start.weekday() + np.arange(history.length, dtype=np.int64)) % 7
    by_region: dict[str, list[MetricSurge]] = {}
    windows: dict[str, int] = {}
    for region, metric, counts in history.series():
        rule = rules.surge(region, metric)
        if rule is None or counts[index] < rule.min_count:
            continue
        prior = country_prior(history, metric, index, rule) if metric != "docs" else 0.0
        surge = metric_surge(history, region, metric, counts, index, weekdays, rule, prior)
        if surge is not None:
            by_region.setdefault(region, []).append(surge)
            windows[region] = max(windows.get(region, 1), rule.window_days)
    return [_surge_finding(region, day, surges, windows[region]) for region, surges in by_region.items()]


@dataclass(frozen=True, slots=True, kw_only=True)
class Expectation:
    """What a surge rule compares one day with: the expected rate and its spread (count per
    volume), and the count and ratio the day must reach (stricter in a cold start)."""

    expected: float
    spread: float
    cold: bool
    min_count: float
    min_ratio: float


def surge_expectation(
    counts: np.ndarray[Any, np.dtype[np.float64]],
    volumes: np.ndarray[Any, np.dtype[np.float64]],
    index: int,
    weekdays: np.ndarray[Any, np.dtype[np.int64]],
    rule: SurgeRule,
    prior: float,
) -> Expectation | None:
    """The baseline of day ``index`` from the days before it, or None when the rule cannot
    judge that day (no volume, or neither the region's history nor a country prior)."""
    if float(volumes[index]) <= 0:
        return None
    low = max(0, index - rule.history_days)
    past_volumes = volumes[low:index]
    known = past_volumes > 0
    rates = counts[low:index][known] / past_volumes[known]
    base = robust_baseline(
        rates, weekdays[low:index][known], int(weekdays[index]), min_history=rule.min_history_days
    )
    expected, min_count, min_ratio = base.expected, rule.min_count, rule.min_ratio
    if base.history < COLD_MIN_DAYS and prior <= 0:
        return None  # nothing to compare with: neither the region's days nor the country's
    if base.cold:
        expected = max(expected, prior)
        min_count, min_ratio = max(min_count, rule.cold_min_count), max(min_ratio, rule.cold_ratio)
    return Expectation(
        expected=expected, spread=base.spread, cold=base.cold, min_count=min_count, min_ratio=min_ratio
    )


def surge_z(count: float, volume: float, expectation: Expectation) -> float:
    """How far a day's count lies above its expectation: the smaller of the Poisson quantile
    of the count and the rate's distance in spreads (both must agree)."""
    rate = count / volume
    z_count = poisson_z(count, expectation.expected * volume)
    if expectation.spread > 0:
        return min(z_count, (rate - expectation.expected) / expectation.spread)
    return z_count


def metric_surge(
    history: History,
    region: str,
    metric: str,
    counts: np.ndarray[Any, np.dtype[np.float64]],
    index: int,
    weekdays: np.ndarray[Any, np.dtype[np.int64]],
    rule: SurgeRule,
    prior: float,
) -> MetricSurge | None:
    volumes = history.volume(region)
    base = surge_expectation(counts, volumes, index, weekdays, rule, prior)
    if base is None:
        return None
    count, volume = float(counts[index]), float(volumes[index])
    if count < base.min_count:
        return None
    # both must agree: the count is unlikely under Poisson noise, and the rate is far out of
    # the spread the history itself shows (real counts vary more than Poisson's)
    z = surge_z(count, volume, base)
    ratio = count / max(base.expected * volume, 0.5)
    if z < rule.z or ratio < base.min_ratio:
        return None
    severity: Severity = (
        "high" if z >= rule.severity_high else "medium" if z >= rule.severity_medium else "low"
    )
    if base.cold and severity == "high":
        severity = "medium"
    return MetricSurge(
        metric=metric,
        count=count,
        volume=volume,
        rate=count / volume,
        expected=base.expected,
        z=z,
        ratio=ratio,
        severity=severity,
        cold=base.cold,
        z_threshold=rule.z,
        ratio_threshold=base.min_ratio,
        count_threshold=base.min_count,
    )


def surge_threshold(volume: float, expectation: Expectation, rule: SurgeRule) -> float:
    """The smallest count on a day of ``volume`` that the surge rule calls a surge: at least
    ``min_count``, ``min_ratio`` times the expected count, and ``z`` by both measures of
    ``surge_z`` (the Poisson part in whole counts)."""
    expected_count = expectation.expected * volume
    floor = max(expectation.min_count, expectation.min_ratio * max(expected_count, 0.5))
    if expectation.spread > 0:
        floor = max(floor, (expectation.expected + rule.z * expectation.spread) * volume)
    if poisson_z(floor, expected_count) >= rule.z:
        return floor
    low, high = math.ceil(floor), max(math.ceil(floor) + 1, 2 * math.ceil(floor))
    while poisson_z(high, expected_count) < rule.z:
        low, high = high, 2 * high
    while high - low > 1:  # poisson_z grows with the count: the first whole count that passes
        middle = (low + high) // 2
        if poisson_z(middle, expected_count) >= rule.z:
            high = middle
        else:
            low = middle
    return float(high)


def country_prior(history: History, metric: str, index: int, rule: SurgeRule) -> float:
    """The country's rate of ``metric`` over the rule's history before day ``index``: what a
    region without history of its own is compared with."""
    counts = history.counts.get((COUNTRY, metric))
    if counts is None:
        return 0.0
    low = max(0, index - rule.history_days)
    volume = float(history.volume(COUNTRY)[low:index].sum())
    return float(counts[low:index].sum()) / volume if volume > 0 else 0.0


def _surge_finding(region: str, day: date, surges: Sequence[MetricSurge], window_days: int) -> Finding:
    ordered = sorted(surges, key=lambda s: (-SEVERITY_RANK[s.severity], -s.z, s.metric))
    severity = ordered[0].severity
    summary = ", ".join(f"{s.metric} ×{s.ratio:.1f} ({s.count:g})" for s in ordered[:3])
    return Finding(
        kind="surge",
        subject=region,
        day=day,
        severity=severity,
        title=f"Surge in {region_name(region)}: {summary}",
        window_days=window_days,
        region_kato=region,
        metric=ordered[0].metric,
        details={"metrics": [s.as_json() for s in ordered]},
    )
