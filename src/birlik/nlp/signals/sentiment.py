"""Sentiment of a document: negative / neutral / positive, from its one vector.

A linear model trained on KazSAnDRA polarity (Kazakh reviews, CC BY 4.0) and on team-written
neutral news sentences in kk/ru/en (``scripts/train_sentiment.py``) scores the document's
vector: the one ``embed.v2`` made with the same model (title, lead and salient sentences), or,
for a document without it, one vector of its title and first sentences. One model pass per
document, never one per sentence; the evidence is the sentences that vector was made from.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from birlik.domain.records import Document, Evidence, Sentence, Signal
from birlik.nlp.embed import DEFAULT_MAX_CHARS, Embedder, truncate_text
from birlik.nlp.passages import model_vector
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

    name = "sentiment.v2"
    requires = frozenset({"sentences"})
    provides = frozenset({"signals.sentiment"})

    def __init__(self, model: LinearModel, embedder: Embedder, max_sentences: int = MAX_SENTENCES) -> None:
        model.check_embedder(embedder)
        self.model = model
        self.embedder = embedder
        self.max_sentences = max_sentences

    def __call__(self, docs: list[Document]) -> list[Document]:
        vectors: list[Floats | None] = [model_vector(doc, self.embedder.name) for doc in docs]
        missing = [row for row, vector in enumerate(vectors) if vector is None and self._text(docs[row])]
        if missing:
            fresh = self.embedder.embed([self._text(docs[row]) for row in missing], "passage")
            for index, row in enumerate(missing):
                vectors[row] = fresh[index]
        present = [row for row, vector in enumerate(vectors) if vector is not None]
        probabilities = (
            self.model.probabilities(np.stack([np.asarray(vectors[r], dtype=np.float32) for r in present]))
            if present else np.zeros((0, len(self.model.labels)))
        )
        scored = dict(zip(present, probabilities, strict=True))
        for row, doc in enumerate(docs):
            doc.signals["sentiment"] = self._signal(doc, scored.get(row))
        return docs

    def _sentences(self, doc: Document) -> list[Sentence]:
        """The sentences the document's vector was made from (its passages, else its first ones)."""
        sentences = doc.passages or doc.sentences or (
            [Sentence(0, len(doc.text))] if doc.text.strip() else []
        )
        return sentences[: self.max_sentences]

    def _text(self, doc: Document) -> str:
        parts = [doc.title.strip()] if doc.title and doc.title.strip() else []
        parts += [doc.text[s.start : s.end].strip()[:SENTENCE_CHARS] for s in self._sentences(doc)]
        return truncate_text(" ".join(part for part in parts if part), DEFAULT_MAX_CHARS)

    def _signal(self, doc: Document, row: Floats | None) -> Signal:
        if row is None:
            return Signal(name="sentiment", label=None, score=None, reasons=["sentiment.empty"])
        scores = dict(zip(self.model.labels, (float(p) for p in row), strict=True))
        label = max(scores, key=lambda key: scores[key])
        evidence = [
            Evidence(start=sentence.start, end=sentence.end,
                     text=doc.text[sentence.start : sentence.end],
                     reason=f"sentiment.{label}.model", weight=scores[label])
            for sentence in self._sentences(doc)
            if scores[label] >= EVIDENCE_MIN and doc.text[sentence.start : sentence.end].strip()
        ][:MAX_EVIDENCE if label != "neutral" else 1]
        return Signal(name="sentiment", label=label, score=scores[label],
                      labels={key: round(value, 4) for key, value in scores.items()},
                      evidence=evidence, reasons=[f"sentiment.{label}.model"])
