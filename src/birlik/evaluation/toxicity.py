"""Toxicity (Russian, Kazakh, English) at the shipped threshold (published score >= 0.5).

* ``toxicity.ru_vk_heldout``: the fifth of the VK distorted-toxicity corpus (MIT) that
  ``scripts/train_toxicity.py`` never trains on (comment id hashed, ``vk_is_heldout``), plus the
  team-written examples held out from training (``team_heldout.*`` all languages,
  ``kk_team_heldout.*`` Kazakh only: written by the team, not a real corpus).
* ``toxicity.ru_2ch_pikabu``: the 2ch/Pikabu comments (licence unverified: evaluation only,
  never trained on): ``ru_2ch_pikabu.*``.
"""

from __future__ import annotations

import csv
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.evaluation.base import PRF, Metrics, register_eval
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.toxicity import ToxicityStage, load_toxicity_model

VK_FILE = "train.tsv"
TEAM_FILE = "team_examples_hate.jsonl"
THRESHOLD = 0.5
HELDOUT_BUCKETS = 5
"""One comment id in five is held out of training."""


@dataclass(frozen=True, slots=True)
class LabelledText:
    id: str
    text: str
    label: int
    lang: str = "ru"


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamExample:
    """A text the team wrote: ``category`` is hostile, neutral, official or insult."""

    id: str
    lang: str
    category: str
    hate: int
    toxic: int
    split: str
    text: str


def read_vk(folder: Path) -> list[LabelledText]:
    """The VK comments, one per distinct text (the file repeats some rows)."""
    seen: set[str] = set()
    out: list[LabelledText] = []
    with (folder / VK_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            text = (row.get("comments") or "").strip()
            if text and text not in seen:
                seen.add(text)
                out.append(LabelledText(row["comment_id"], text, int(row["toxicity"])))
    return out


def vk_is_heldout(item: LabelledText) -> bool:
    return zlib.crc32(f"vk:{item.id}".encode()) % HELDOUT_BUCKETS == 0


def read_2ch_pikabu(folder: Path) -> list[LabelledText]:
    with (folder / "train.csv").open(encoding="utf-8", newline="") as handle:
        return [
            LabelledText(str(number), row["comment"].strip(), int(float(row["toxic"])))
            for number, row in enumerate(csv.DictReader(handle))
            if row["comment"].strip()
        ]


def read_team_examples() -> list[TeamExample]:
    source = resources.files("birlik.resources") / "data" / TEAM_FILE
    lines = source.read_text(encoding="utf-8").splitlines()
    return [TeamExample(**json.loads(line)) for line in lines if line.strip()]


def toxicity_pipeline() -> Pipeline:
    return Pipeline([NormaliseStage(), SegmentStage(), ToxicityStage(load_toxicity_model())])


def signal_scores(pipeline: Pipeline, texts: Iterable[tuple[str, str | None]], signal: str,
                  batch_size: int = 256) -> list[float]:
    """Score of ``signal`` for each ``(text, lang)``."""
    docs = (Document(id=str(i), text=text, lang=lang) for i, (text, lang) in enumerate(texts))
    return [
        doc.signals[signal].score or 0.0
        for doc in pipeline.run_batches(docs, batch_size=batch_size)
    ]


def prf_at(labels: Sequence[int], scores: Sequence[float], threshold: float = THRESHOLD) -> PRF:
    counts = PRF()
    for number, (label, score) in enumerate(zip(labels, scores, strict=True)):
        counts.add({number} if label else set(), {number} if score >= threshold else set())
    return counts


def team_metrics(pipeline: Pipeline, signal: str, label: str) -> Metrics:
    heldout = [e for e in read_team_examples() if e.split == "heldout"]
    scores = signal_scores(pipeline, ((e.text, e.lang) for e in heldout), signal)
    out: Metrics = {}
    for prefix, langs in (("team_heldout", ("kk", "ru", "en")), ("kk_team_heldout", ("kk",))):
        chosen = [(getattr(e, label), s) for e, s in zip(heldout, scores, strict=True)
                  if e.lang in langs]
        out.update(prf_at([g for g, _ in chosen], [s for _, s in chosen]).metrics(prefix))
    return out


@register_eval(
    "toxicity.ru_vk_heldout", dataset="ru_distorted_toxicity_vk", files=(VK_FILE,),
    description="toxicity on the held-out fifth of VK comments and on held-out team examples",
)
def evaluate_vk(folder: Path) -> Metrics:
    pipeline = toxicity_pipeline()
    heldout = [item for item in read_vk(folder) if vk_is_heldout(item)]
    scores = signal_scores(pipeline, ((item.text, "ru") for item in heldout), "toxicity")
    metrics = prf_at([item.label for item in heldout], scores).metrics("ru_vk_heldout")
    metrics.update(team_metrics(pipeline, "toxicity", "toxic"))
    return metrics


@register_eval(
    "toxicity.ru_2ch_pikabu", dataset="ru_toxic_2ch_pikabu", files=("train.csv",),
    description="toxicity on 2ch/Pikabu comments (never trained on)",
)
def evaluate_2ch_pikabu(folder: Path) -> Metrics:
    items = read_2ch_pikabu(folder)
    scores = signal_scores(toxicity_pipeline(), ((item.text, "ru") for item in items), "toxicity")
    return prf_at([item.label for item in items], scores).metrics("ru_2ch_pikabu")
