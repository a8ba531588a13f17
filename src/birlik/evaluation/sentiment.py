"""Polarity on KazSAnDRA (Kazakh reviews, CC BY 4.0): macro F1 and accuracy of sentiment.v2 on
a fixed random subsample of the validation split (``04_pc_valid``, 2,000 of 16,796 reviews,
seed 13), the dataset's own convention being macro F1 over {negative, positive}."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Sentence
from birlik.evaluation.base import PRF, Metrics, register_eval

POLARITY_TRAIN = "03_pc_train_rus.zip"
POLARITY_VALID = "04_pc_valid.zip"
EVAL_SIZE = 2000
EVAL_SEED = 13


def read_kazsandra(dataset_dir: Path, name: str) -> list[tuple[str, int]]:
    """(text, label) rows of one zipped KazSAnDRA CSV; label 0 negative, 1 positive."""
    path = dataset_dir / name
    if not path.exists():
        raise ConfigError(f"{path} is missing — is the kazsandra folder complete?", code=codes.V311)
    with zipfile.ZipFile(path) as archive:
        member = archive.namelist()[0]
        with archive.open(member) as raw:
            reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            rows = [((row["text"] or row["text_cleaned"] or "").strip(), int(row["label"]))
                    for row in reader]
    return [(text, label) for text, label in rows if text]


def subsample(rows: list[tuple[str, int]], size: int, seed: int) -> list[tuple[str, int]]:
    """A deterministic random subsample (the same rows on every run and machine)."""
    order = np.random.default_rng(seed).permutation(len(rows))
    return [rows[i] for i in sorted(order[:size])]


def polarity_metrics(
    labels: Sequence[str], probabilities: npt.NDArray[np.float64], gold: Sequence[int]
) -> Metrics:
    """Macro F1 and accuracy of negative-vs-positive (neutral is ignored: the dataset has none)."""
    negative, positive = labels.index("negative"), labels.index("positive")
    predicted = (probabilities[:, positive] > probabilities[:, negative]).astype(int)
    truth = np.asarray(gold)
    f1s = []
    for cls in (0, 1):
        counts = PRF(tp=int(np.sum((predicted == cls) & (truth == cls))),
                     fp=int(np.sum((predicted == cls) & (truth != cls))),
                     fn=int(np.sum((predicted != cls) & (truth == cls))))
        f1s.append(counts.f1)
    return {"f1": round(float(np.mean(f1s)), 4), "accuracy": round(float(np.mean(predicted == truth)), 4),
            "negative.f1": round(f1s[0], 4), "positive.f1": round(f1s[1], 4)}


@register_eval(
    "kazsandra_polarity",
    dataset="kazsandra",
    files=(POLARITY_VALID,),
    description="sentiment.v2 negative-vs-positive on 2,000 reviews of 04_pc_valid (seed 13), "
    "each review scored whole; f1 is macro over the two classes (the dataset's convention)",
)
def run(dataset_dir: Path) -> Metrics:
    from birlik.evaluation.topics import cached_e5
    from birlik.nlp.signals.sentiment import SentimentStage, load_sentiment_model

    stage = SentimentStage(load_sentiment_model(), cached_e5())
    rows = subsample(read_kazsandra(dataset_dir, POLARITY_VALID), EVAL_SIZE, EVAL_SEED)
    docs = stage([Document(id=str(i), text=text, sentences=[Sentence(0, len(text))])
                  for i, (text, _) in enumerate(rows)])
    labels = stage.model.labels
    probabilities = np.array([[doc.signals["sentiment"].labels[label] for label in labels]
                              for doc in docs])
    return polarity_metrics(labels, probabilities, [label for _, label in rows])
