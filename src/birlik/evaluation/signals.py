"""The signals gold set (docs/signals.md): tension, hate and incident on its TEST split.

``signals_gold`` runs the signal stages (no embedding: they do not use it) over the gold texts of
the test split and reports, per language (kk, ru, en) and over all:

* ``<lang>.tension2.f1``: tension ≥ 2 versus < 2, predicted as ``tension`` score ≥ 0.5;
* ``<lang>.tension.ece``: expected calibration error of the tension score against tension ≥ 2
  (10 equal-width bins; a score of 0.7 should mean that 70 % of such texts are tension ≥ 2);
* ``hate.f1`` (hate score ≥ 0.5 versus the author's hostility), ``incident.type_accuracy`` on the
  texts with a gold incident (the predicted label must be the gold type) and
  ``incident.detection_f1`` (any incident versus none);
* ``agreement.*``: Cohen's κ between the gold labels and the independent second pass, when it
  exists (``signals_gold.load_agreement``).

The model behind ``tension`` was fitted on the train split and calibrated on the dev split
(``scripts/train_signals.py``); nothing is fitted on the test split.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from birlik.domain.records import Document
from birlik.evaluation.base import PRF, Metrics, register_eval
from birlik.nlp.factory import entity_stages
from birlik.nlp.pipeline import Pipeline, Stage
from birlik.nlp.signals.hate import HateStage, load_hate_learned, load_hate_lexicon
from birlik.nlp.signals.incident import IncidentStage, load_incident_classifier
from birlik.nlp.signals.tension import TensionStage
from birlik.nlp.signals.toxicity import ToxicityStage, load_toxicity_model
from birlik.settings import Settings

LANGS = ("kk", "ru", "en")
THRESHOLD = 0.5
BINS = 10
GOLD_FILES = (
    "kaznerd/IOB2_valid.txt",
    "ru_distorted_toxicity_vk/train.tsv",
    *(f"sib200_kk_ru_en/{code}/{part}.tsv" for code in ("kaz_Cyrl", "rus_Cyrl", "eng_Latn")
      for part in ("train", "dev")),
)


@dataclass(frozen=True, slots=True)
class Labelled:
    """One gold text as the evaluation and the training script need it."""

    key: str
    lang: str
    split: str
    text: str
    tension: int
    hate: bool
    incident: str | None


@dataclass(frozen=True, slots=True)
class Predicted:
    item: Labelled
    tension: float
    hate: float
    incident: str | None
    doc: Document


def signal_stages(*, learned: bool = True) -> list[Stage]:
    """The signal stages of this release that the gold set measures (no model pass);
    ``learned=False`` leaves hate and incident to their rules (what their learned layers read)."""
    return [ToxicityStage(load_toxicity_model()),
            HateStage(None, load_hate_lexicon(), learned=load_hate_learned() if learned else None),
            IncidentStage(classifier=load_incident_classifier() if learned else None), TensionStage()]


def signals_pipeline(*, learned: bool = True) -> Pipeline:
    return Pipeline([*entity_stages(Settings()), *signal_stages(learned=learned)])


def gold_items(datasets_dir: Path) -> list[Labelled]:
    from birlik.evaluation.signals_gold import load_gold

    return [Labelled(g.key, g.lang, g.split, g.text, g.label.tension, g.label.hate, g.label.incident)
            for g in load_gold(datasets_dir)]


def predict(pipeline: Pipeline, items: Sequence[Labelled], batch: int = 64) -> list[Predicted]:
    out: list[Predicted] = []
    for offset in range(0, len(items), batch):
        chunk = items[offset : offset + batch]
        docs = pipeline([Document(id=item.key, text=item.text) for item in chunk])
        out += [Predicted(item, doc.signals["tension"].score or 0.0, doc.signals["hate"].score or 0.0,
                          doc.signals["incident"].label, doc)
                for item, doc in zip(chunk, docs, strict=True)]
    return out


def expected_calibration_error(scores: Sequence[float], truths: Sequence[bool], bins: int = BINS) -> float:
    """Σ over equal-width bins of (share of texts in the bin) × |mean score − share positive|."""
    if not scores:
        return 0.0
    total = 0.0
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        inside = [(s, t) for s, t in zip(scores, truths, strict=True)
                  if low <= s < high or (index == bins - 1 and s == 1.0)]
        if inside:
            mean_score = sum(s for s, _ in inside) / len(inside)
            positive = sum(t for _, t in inside) / len(inside)
            total += len(inside) / len(scores) * abs(mean_score - positive)
    return total


def f1_at(truths: Iterable[bool], scores: Iterable[float], threshold: float = THRESHOLD) -> PRF:
    counts = PRF()
    for truth, score in zip(truths, scores, strict=True):
        counts.add({0} if truth else set(), {0} if score >= threshold else set())
    return counts


def signal_metrics(predicted: Sequence[Predicted]) -> Metrics:
    """Every figure of the module docstring over ``predicted`` (any split)."""
    metrics: Metrics = {}
    for lang in (*LANGS, "all"):
        part = [p for p in predicted if lang in ("all", p.item.lang)]
        if not part:
            continue
        truths = [p.item.tension >= 2 for p in part]
        scores = [p.tension for p in part]
        metrics.update(f1_at(truths, scores).metrics(f"{lang}.tension2"))
        metrics[f"{lang}.tension.ece"] = round(expected_calibration_error(scores, truths), 4)
        metrics[f"{lang}.items"] = float(len(part))
    metrics.update(f1_at([p.item.hate for p in predicted], [p.hate for p in predicted]).metrics("hate"))
    with_incident = [p for p in predicted if p.item.incident is not None]
    if with_incident:
        right = sum(p.incident == p.item.incident for p in with_incident)
        metrics["incident.type_accuracy"] = round(right / len(with_incident), 4)
    detection = PRF()
    for p in predicted:
        detection.add({0} if p.item.incident else set(), {0} if p.incident else set())
    metrics.update(detection.metrics("incident.detection"))
    return metrics


def agreement_metrics(datasets_dir: Path) -> Metrics:
    from birlik.evaluation.signals_gold import load_agreement

    found: dict[str, Any] = load_agreement(datasets_dir)
    if not found.get("items"):
        return {}
    return {f"agreement.{name}": round(float(value), 4) for name, value in found.items()}


@register_eval(
    "signals_gold", dataset=".", files=GOLD_FILES,
    description="gold test split: tension>=2 F1 and ECE per language, hate F1, incident type accuracy, κ",
)
def evaluate_signals_gold(folder: Path) -> Metrics:
    test = [item for item in gold_items(folder) if item.split == "test"]
    metrics = signal_metrics(predict(signals_pipeline(), test))
    metrics.update(agreement_metrics(folder))
    return metrics
