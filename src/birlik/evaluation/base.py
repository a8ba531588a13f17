"""Evaluations register by name; each reads its dataset from the datasets folder and
returns flat metrics (``{"PERSON.f1": 0.91, …}``). Floors live in ``eval_baseline.json``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from birlik.domain import codes
from birlik.domain.errors import ConfigError

Metrics = dict[str, float]


@dataclass(frozen=True, slots=True)
class Evaluation:
    name: str
    dataset: str
    """Folder under the datasets directory; its files are hashed to pin the floors."""
    files: tuple[str, ...]
    run: Callable[[Path], Metrics]
    description: str = ""


_REGISTRY: dict[str, Evaluation] = {}


def register_eval(
    name: str, *, dataset: str, files: Iterable[str], description: str = ""
) -> Callable[[Callable[[Path], Metrics]], Callable[[Path], Metrics]]:
    def add(run: Callable[[Path], Metrics]) -> Callable[[Path], Metrics]:
        _REGISTRY[name] = Evaluation(name, dataset, tuple(files), run, description)
        return run

    return add


#: Metric names (their last dotted part) where less is better: the highest score an official
#: seed text gets, how many of them are flagged, the gap between two languages, a calibration
#: error. These get a ceiling, not a floor.
LOWER_IS_BETTER_PREFIXES = ("max_", "incidents", "false_")
LOWER_IS_BETTER_SUFFIXES = ("_gap",)
LOWER_IS_BETTER_NAMES = frozenset({"ece"})


def lower_is_better(metric: str) -> bool:
    name = metric.rsplit(".", 1)[-1]
    return (name.startswith(LOWER_IS_BETTER_PREFIXES) or name.endswith(LOWER_IS_BETTER_SUFFIXES)
            or name in LOWER_IS_BETTER_NAMES)


def evaluations() -> dict[str, Evaluation]:
    from birlik.evaluation import builtin  # noqa: F401  (registers the built-in evaluations)

    return dict(sorted(_REGISTRY.items()))


def dataset_hash(datasets_dir: Path, evaluation: Evaluation) -> str:
    digest = hashlib.sha256()
    for name in evaluation.files:
        path = datasets_dir / evaluation.dataset / name
        if not path.exists():
            raise ConfigError(f"{path} is missing — is the datasets folder complete?", code=codes.V001)
        digest.update(name.encode())
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


@dataclass(slots=True)
class PRF:
    """Counts for precision, recall and F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set[object], predicted: set[object]) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def metrics(self, prefix: str) -> Metrics:
        return {
            f"{prefix}.precision": round(self.precision, 4),
            f"{prefix}.recall": round(self.recall, 4),
            f"{prefix}.f1": round(self.f1, 4),
        }


@dataclass(slots=True)
class PRFByType:
    per_type: dict[str, PRF] = field(default_factory=dict)

    def add(self, gold: set[tuple[int, int, str]], predicted: set[tuple[int, int, str]]) -> None:
        for entity_type in {t for *_, t in gold} | {t for *_, t in predicted}:
            self.per_type.setdefault(entity_type, PRF()).add(
                {g for g in gold if g[2] == entity_type}, {p for p in predicted if p[2] == entity_type}
            )

    def metrics(self) -> Metrics:
        out: Metrics = {}
        micro = PRF()
        for entity_type, counts in sorted(self.per_type.items()):
            out.update(counts.metrics(entity_type))
            micro.tp += counts.tp
            micro.fp += counts.fp
            micro.fn += counts.fn
        out.update(micro.metrics("micro"))
        return out
