"""A small calibrated logistic model over named features, shipped as JSON package data.

Features are named values of a document (components, language indicators) and products of
two of them written ``a*b``; optionally a lexical block adds a weight for each word stem (the
first ``lexical_size`` characters of a word) that occurs in the text. The raw probability
``sigmoid(w·x + b)`` is mapped through a calibration fitted on held-out data: ``isotonic`` (a
non-decreasing step function, linearly interpolated between its points), ``platt``
(``sigmoid(a·logit + c)``) or ``none``.
``scripts/train_signals.py`` writes these files; nothing here fits anything.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from birlik.domain import codes
from birlik.domain.errors import ConfigError

MODELS_PACKAGE = "birlik.resources"


@dataclass(frozen=True, slots=True)
class Calibration:
    kind: str = "none"
    points_x: tuple[float, ...] = ()
    points_y: tuple[float, ...] = ()
    a: float = 1.0
    c: float = 0.0

    def __call__(self, probability: float) -> float:
        if self.kind == "platt":
            return sigmoid(self.a * logit(probability) + self.c)
        if self.kind == "isotonic" and self.points_x:
            return _interpolate(self.points_x, self.points_y, probability)
        return probability

    def as_json(self) -> dict[str, Any]:
        if self.kind == "platt":
            return {"kind": "platt", "a": self.a, "c": self.c}
        if self.kind == "isotonic":
            return {"kind": "isotonic", "x": list(self.points_x), "y": list(self.points_y)}
        return {"kind": "none"}


@dataclass(frozen=True, slots=True)
class CalibratedLogistic:
    """``features`` and ``weights`` in the same order, a bias and a calibration."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    calibration: Calibration = field(default_factory=Calibration)
    info: dict[str, Any] = field(default_factory=dict)
    lexical: Mapping[str, float] = field(default_factory=dict)
    lexical_size: int = 5

    def vector(self, values: Mapping[str, float]) -> list[float]:
        return [feature_value(name, values) for name in self.features]

    def raw(self, values: Mapping[str, float], stems: Iterable[str] = ()) -> float:
        return sigmoid(self.logit(values, stems))

    def logit(self, values: Mapping[str, float], stems: Iterable[str] = ()) -> float:
        return (self.bias + self.lexical_share(stems)
                + sum(w * x for w, x in zip(self.weights, self.vector(values), strict=True)))

    def lexical_share(self, stems: Iterable[str]) -> float:
        """The summed weights of the stems present, scaled down for texts longer than the short
        texts the block was fitted on (``lexical_scale``)."""
        if not self.lexical:
            return 0.0
        distinct = set(stems)
        return sum(self.lexical.get(stem, 0.0) for stem in distinct) * lexical_scale(len(distinct))

    def probability(self, values: Mapping[str, float], stems: Iterable[str] = ()) -> float:
        return self.calibration(self.raw(values, stems))

    def contributions(self, values: Mapping[str, float], stems: Iterable[str] = ()) -> dict[str, float]:
        """Each base value's share of the logit (a product's share split evenly), and the
        lexical block's as ``lexical``."""
        out: dict[str, float] = {"lexical": self.lexical_share(stems)} if self.lexical else {}
        for name, weight in zip(self.features, self.weights, strict=True):
            share = weight * feature_value(name, values)
            parts = name.split("*")
            for part in parts:
                out[part] = out.get(part, 0.0) + share / len(parts)
        return out

    def as_json(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "weights": [round(w, 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "calibration": self.calibration.as_json(),
            "info": self.info,
            "lexical": {k: round(v, 5) for k, v in sorted(self.lexical.items())},
            "lexical_size": self.lexical_size,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")


LEXICAL_LENGTH = 30
"""Up to this many distinct stems a text's lexical weights count in full; beyond, they are
scaled by ``sqrt(LEXICAL_LENGTH / n)`` so that a long article is not tense by sheer length."""


def lexical_scale(distinct_stems: int) -> float:
    return 1.0 if distinct_stems <= LEXICAL_LENGTH else math.sqrt(LEXICAL_LENGTH / distinct_stems)


def feature_value(name: str, values: Mapping[str, float]) -> float:
    if "*" not in name:
        return values.get(name, 0.0)
    product = 1.0
    for part in name.split("*"):
        product *= values.get(part, 0.0)
    return product


def parse_model(raw: object, *, source: str) -> CalibratedLogistic:
    try:
        assert isinstance(raw, Mapping)
        features = tuple(str(f) for f in raw["features"])
        weights = tuple(float(w) for w in raw["weights"])
        calibration = dict(raw.get("calibration") or {"kind": "none"})
        kind = str(calibration.get("kind", "none"))
        model = CalibratedLogistic(
            features, weights, float(raw["bias"]),
            Calibration(kind, tuple(float(v) for v in calibration.get("x", ())),
                        tuple(float(v) for v in calibration.get("y", ())),
                        float(calibration.get("a", 1.0)), float(calibration.get("c", 0.0))),
            dict(raw.get("info") or {}),
            {str(k): float(v) for k, v in dict(raw.get("lexical") or {}).items()},
            int(raw.get("lexical_size", 5)),
        )
    except (AssertionError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{source} is not a signal model: {exc!r} — rebuild it with "
                          "scripts/train_signals.py", code=codes.R241) from exc
    if len(features) != len(weights) or kind not in ("none", "platt", "isotonic") or (
            len(model.calibration.points_x) != len(model.calibration.points_y)):
        raise ConfigError(f"{source}: features, weights or calibration do not fit together — rebuild "
                          "it with scripts/train_signals.py", code=codes.R242)
    return model


def model_file(name: str) -> Path:
    return Path(str(resources.files(MODELS_PACKAGE) / "models" / name))


def load_model(path: Path) -> CalibratedLogistic:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc} — reinstall Birlik or rebuild it with "
                          "scripts/train_signals.py", code=codes.R240) from exc
    return parse_model(raw, source=path.name)


def sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def logit(probability: float) -> float:
    p = min(max(probability, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def _interpolate(xs: Sequence[float], ys: Sequence[float], x: float) -> float:
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    right = bisect.bisect_right(xs, x)
    x0, x1, y0, y1 = xs[right - 1], xs[right], ys[right - 1], ys[right]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)


@dataclass(frozen=True, slots=True)
class LinearClassifier:
    """Multinomial logistic regression over named features and word stems: per class, a weight
    for each feature (``weights[class][feature]``), a bias, and stem weights
    (``lexical[stem][class]``, scaled as in ``CalibratedLogistic``)."""

    classes: tuple[str, ...]
    features: tuple[str, ...]
    weights: tuple[tuple[float, ...], ...]
    bias: tuple[float, ...]
    lexical: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    lexical_size: int = 5
    info: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, values: Mapping[str, float], stems: Iterable[str] = ()) -> dict[str, float]:
        present = [(i, x) for i, name in enumerate(self.features)
                   if (x := feature_value(name, values)) != 0.0]
        logits = [b + sum(row[i] * x for i, x in present)
                  for row, b in zip(self.weights, self.bias, strict=True)]
        distinct = set(stems)
        scale = lexical_scale(len(distinct))
        rows = [found for stem in distinct if (found := self.lexical.get(stem)) is not None]
        if rows:
            sums = [sum(column) for column in zip(*rows, strict=True)]
            logits = [value + scale * w for value, w in zip(logits, sums, strict=True)]
        top = max(logits)
        exps = [math.exp(value - top) for value in logits]
        total = sum(exps)
        return {name: e / total for name, e in zip(self.classes, exps, strict=True)}

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": "multinomial", "classes": list(self.classes), "features": list(self.features),
            "weights": [[round(w, 6) for w in row] for row in self.weights],
            "bias": [round(b, 6) for b in self.bias], "info": self.info,
            "lexical": {k: [round(w, 5) for w in v] for k, v in sorted(self.lexical.items())},
            "lexical_size": self.lexical_size,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), ensure_ascii=False, sort_keys=True) + "\n",
                        encoding="utf-8")


def load_classifier(path: Path) -> LinearClassifier:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc} — reinstall Birlik or rebuild it with "
                          "scripts/train_signals.py", code=codes.R240) from exc
    try:
        classes = tuple(str(c) for c in raw["classes"])
        features = tuple(str(f) for f in raw["features"])
        model = LinearClassifier(
            classes, features, tuple(tuple(float(w) for w in row) for row in raw["weights"]),
            tuple(float(b) for b in raw["bias"]),
            {str(k): tuple(float(w) for w in v) for k, v in dict(raw.get("lexical") or {}).items()},
            int(raw.get("lexical_size", 5)), dict(raw.get("info") or {}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path.name} is not a signal classifier: {exc!r} — rebuild it with "
                          "scripts/train_signals.py", code=codes.R241) from exc
    sizes = {len(model.bias), len(model.weights), *(len(v) for v in model.lexical.values())}
    if sizes != {len(classes)} or any(len(row) != len(features) for row in model.weights):
        raise ConfigError(f"{path.name}: classes, features and weights do not fit together — "
                          "rebuild it with scripts/train_signals.py", code=codes.R242)
    return model
