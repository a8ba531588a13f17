"""Sentiment of a document: negative / neutral / positive, from its sentences.

Each sentence (the title and up to ``max_sentences`` of the text) is embedded and scored by a
linear model trained on KazSAnDRA polarity (Kazakh reviews, CC BY 4.0) and on team-written
neutral news sentences in kk/ru/en (``scripts/train_sentiment.py``); the document's scores
are the mean of its sentences', and its most polar sentences are the evidence.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from birlik.domain.records import Document, Evidence, Sentence, Signal
from birlik.nlp.embed import Embedder
from birlik.nlp.signals.topics import Floats, LinearModel, model_path

SENTIMENTS: tuple[str, ...] = ("negative", "neutral", "positive")
DEFAULT_MODEL = "sentiment_e5_small.npz"
MAX_SENTENCES = 12
SENTENCE_CHARS = 500
EVIDENCE_MIN = 0.5
MAX_EVIDENCE = 3


def load_sentiment_model(path: Path | None = None) -> LinearModel:
    return LinearModel.load(path or model_path(DEFAULT_MODEL))


class SentimentStage:
    """``signals["sentiment"]``: the label, its probability, per-label scores and evidence."""

    name = "sentiment.v1"
    requires = frozenset({"sentences"})
    provides = frozenset({"signals.sentiment"})

    def __init__(self, model: LinearModel, embedder: Embedder, max_sentences: int = MAX_SENTENCES) -> None:
        model.check_embedder(embedder)
        self.model = model
        self.embedder = embedder
        self.max_sentences = max_sentences

    def __call__(self, docs: list[Document]) -> list[Document]:
        units = [self._units(doc) for doc in docs]
        texts = [text for doc_units in units for _, text in doc_units]
        probabilities = self.model.probabilities(self.embedder.embed(texts)) if texts else None
        row = 0
        for doc, doc_units in zip(docs, units, strict=True):
            rows = probabilities[row : row + len(doc_units)] if probabilities is not None else None
            row += len(doc_units)
            doc.signals["sentiment"] = self._signal(doc, doc_units, rows)
        return docs

    def _units(self, doc: Document) -> list[tuple[Sentence | None, str]]:
        """(sentence or None for the title, text) pieces to score."""
        units: list[tuple[Sentence | None, str]] = [(None, doc.title)] if doc.title else []
        sentences = doc.sentences or ([Sentence(0, len(doc.text))] if doc.text.strip() else [])
        for sentence in sentences[: self.max_sentences]:
            units.append((sentence, doc.text[sentence.start : sentence.end][:SENTENCE_CHARS]))
        return units

    def _signal(
        self, doc: Document, units: list[tuple[Sentence | None, str]], rows: Floats | None
    ) -> Signal:
        if rows is None or not len(rows):
            return Signal(name="sentiment", label=None, score=None, reasons=["sentiment.empty"])
        scores = dict(zip(self.model.labels, (float(p) for p in rows.mean(axis=0)), strict=True))
        label = max(scores, key=lambda key: scores[key])
        column = self.model.labels.index(label)
        evidence = [
            Evidence(start=sentence.start, end=sentence.end,
                     text=doc.text[sentence.start : sentence.end],
                     reason=f"sentiment.{label}.model", weight=float(rows[i, column]))
            for i in np.argsort(-rows[:, column])
            if (sentence := units[i][0]) is not None and rows[i, column] >= EVIDENCE_MIN
        ][:MAX_EVIDENCE if label != "neutral" else 1]
        return Signal(name="sentiment", label=label, score=scores[label],
                      labels={key: round(value, 4) for key, value in scores.items()},
                      evidence=evidence, reasons=[f"sentiment.{label}.model"])
