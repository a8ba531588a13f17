"""Topics of a document over the directions of the Assembly's work in the Concept until 2030.

Two sources are combined: cue lexicons in kk/ru/en (``topic_cues.yaml``), whose sentences are
the evidence, and a linear classifier over the document's lead embedding (title and first
sentences), trained on team-written examples (``team_examples_topics.jsonl``, see
``scripts/train_topics.py``). A document may have several topics; ``other`` when none passes.

The small numpy ``LinearModel`` (softmax over standardised embeddings, weights in ``.npz``)
is shared with the sentiment signal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Evidence, Sentence, Signal
from birlik.domain.text import normalise
from birlik.nlp.embed import Embedder, Vectors
from birlik.nlp.passages import model_vector
from birlik.resources.yaml_data import load_yaml

TOPICS: tuple[str, ...] = (
    "assembly_organisation", "state_bodies_law_enforcement", "ethnocultural_culture_languages",
    "information_space", "science_expertise_monitoring", "international_cooperation", "other",
)
DIRECTIONS = TOPICS[:-1]
THRESHOLD = 0.5
LEXICON_SHARE = 0.6
"""At most this much of a topic's score comes from cues alone (many cue sentences)."""
LEXICON_SCALE = 2.0
LEAD_CHARS = 1200
MAX_EVIDENCE_PER_TOPIC = 3
DEFAULT_MODEL = "topics_e5_small.npz"

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Softmax regression over standardised embeddings: ``softmax(((x - center) / scale) @ W + b)``."""

    labels: tuple[str, ...]
    weights: Floats
    bias: Floats
    center: Floats
    scale: Floats
    embedder: str
    """Name of the embedder the model was trained with; vectors of another one are refused."""

    def probabilities(self, vectors: Vectors) -> Floats:
        logits = ((np.asarray(vectors, dtype=np.float64) - self.center) / self.scale) @ self.weights
        logits += self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)

    def check_embedder(self, embedder: Embedder) -> None:
        if embedder.name != self.embedder:
            raise ConfigError(
                f"the model was trained on {self.embedder!r} vectors but the embedder is "
                f"{embedder.name!r} — pass the same embedder or retrain the model", code=codes.M302,
            )

    def save(self, path: Path, **meta: str) -> None:
        arrays: dict[str, npt.NDArray[Any]] = {
            "labels": np.array(self.labels), "weights": self.weights.astype(np.float32),
            "bias": self.bias.astype(np.float32), "center": self.center.astype(np.float32),
            "scale": self.scale.astype(np.float32), "embedder": np.array(self.embedder),
        }
        arrays.update({f"meta_{key}": np.array(value) for key, value in meta.items()})
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy stubs type **kwds as bool

    @classmethod
    def load(cls, path: Path | str) -> LinearModel:
        if not Path(path).exists():
            raise ConfigError(f"model file {path} not found — run the training script in scripts/",
                              code=codes.M301)
        with np.load(path) as data:
            return cls(
                labels=tuple(str(label) for label in data["labels"]),
                weights=data["weights"].astype(np.float64), bias=data["bias"].astype(np.float64),
                center=data["center"].astype(np.float64), scale=data["scale"].astype(np.float64),
                embedder=str(data["embedder"]),
            )


def fit_linear_model(
    vectors: npt.ArrayLike, targets: npt.ArrayLike, labels: Sequence[str], embedder: str, *,
    l2: float = 1e-2, epochs: int = 400, learning_rate: float = 0.05,
    sample_weight: npt.ArrayLike | None = None,
) -> LinearModel:
    """Full-batch softmax regression with Adam and an L2 penalty (numpy only)."""
    x = np.asarray(vectors, dtype=np.float64)
    center = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-6
    x = (x - center) / scale
    n, dim = x.shape
    y = np.zeros((n, len(labels)))
    y[np.arange(n), np.asarray(targets)] = 1.0
    w_sample = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w_sample = w_sample / w_sample.sum()
    params = [np.zeros((dim, len(labels))), np.zeros(len(labels))]
    moments = [[np.zeros_like(p), np.zeros_like(p)] for p in params]
    for step in range(1, epochs + 1):
        logits = x @ params[0] + params[1]
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        error = (prob - y) * w_sample[:, None]
        grads = [x.T @ error + l2 * params[0], error.sum(axis=0)]
        for param, grad, moment in zip(params, grads, moments, strict=True):
            moment[0] = 0.9 * moment[0] + 0.1 * grad
            moment[1] = 0.999 * moment[1] + 0.001 * grad**2
            corrected = moment[0] / (1 - 0.9**step)
            param -= learning_rate * corrected / (np.sqrt(moment[1] / (1 - 0.999**step)) + 1e-8)
    return LinearModel(tuple(labels), params[0], params[1], center, scale, embedder)


def model_path(name: str) -> Path:
    return Path(str(resources.files("birlik.resources").joinpath(f"models/{name}")))


def load_topic_model(path: Path | None = None) -> LinearModel:
    return LinearModel.load(path or model_path(DEFAULT_MODEL))


@cache
def load_topic_cues() -> dict[str, re.Pattern[str]]:
    text = resources.files("birlik.resources").joinpath("data/topic_cues.yaml").read_text("utf-8")
    return parse_topic_cues(load_yaml(text))


def parse_topic_cues(raw: dict[str, Any]) -> dict[str, re.Pattern[str]]:
    unknown = set(raw) - set(DIRECTIONS)
    if unknown:
        raise ConfigError(f"topic_cues.yaml names unknown topics {sorted(unknown)} — use one of "
                          f"{list(DIRECTIONS)}", code=codes.M312)
    return {topic: _stems(list(dict.fromkeys(cues))) for topic, cues in raw.items()}


def _stems(cues: list[str]) -> re.Pattern[str]:
    parts = [r"\w*\W+".join(cue.split(" ")) for cue in cues]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")\w*")


def lead_text(doc: Document, limit: int = LEAD_CHARS) -> str:
    """Title and the first sentences, up to ``limit`` characters: what the topic is read from."""
    parts = [doc.title] if doc.title else []
    size = len(doc.title or "")
    for sentence in doc.sentences or [Sentence(0, len(doc.text))]:
        if size >= limit:
            break
        piece = doc.text[sentence.start : sentence.end][: limit - size]
        parts.append(piece)
        size += len(piece) + 1
    return " ".join(parts).strip() or doc.text[:limit]


class TopicStage:
    """``signals["topics"]``: a score per topic, the chosen topics and their evidence sentences."""

    name = "topics.v1"
    requires = frozenset({"sentences"})
    provides = frozenset({"signals.topics"})

    def __init__(
        self, model: LinearModel | None, embedder: Embedder,
        cues: dict[str, re.Pattern[str]] | None = None, threshold: float = THRESHOLD,
        use_doc_embedding: bool = False, embed_missing: bool = True,
    ) -> None:
        """``use_doc_embedding``: read ``doc.embedding`` (made by the same embedder in an
        earlier stage) instead of embedding the lead again; saves one model call per document.
        Without a model (one trained on another embedder's vectors), cue lexicons alone."""
        if model is not None:
            model.check_embedder(embedder)
        self.model = model
        self.embedder = embedder
        self.cues = cues if cues is not None else load_topic_cues()
        self.threshold = threshold
        self.use_doc_embedding = use_doc_embedding
        self.embed_missing = embed_missing
        if use_doc_embedding and model is not None:
            self.requires = frozenset({"sentences", "embedding"})

    def __call__(self, docs: list[Document]) -> list[Document]:
        """With ``embed_missing`` False, documents without an embedding are scored by the
        cue lexicons alone (the model is not run for them)."""
        model = self.model
        modelled = [d for d in docs if self.embed_missing or self._own_vector(d) is not None] if model else []
        scores: dict[int, dict[str, float]] = {}
        if model is not None and modelled:
            probabilities = model.probabilities(self._vectors(modelled))
            for doc, row in zip(modelled, probabilities, strict=True):
                scores[id(doc)] = dict(zip(model.labels, (float(p) for p in row), strict=True))
        for doc in docs:
            doc.signals["topics"] = self._signal(doc, scores.get(id(doc), {}))
        return docs

    def _vectors(self, docs: list[Document]) -> Vectors:
        reuse = [self._own_vector(doc) for doc in docs]
        missing = [lead_text(doc) for doc, vector in zip(docs, reuse, strict=True) if vector is None]
        fresh: Iterator[Vectors] = iter(self.embedder.embed(missing) if missing else [])
        return np.stack([np.asarray(vector, dtype=np.float32) if vector is not None else next(fresh)
                         for vector in reuse])

    def _own_vector(self, doc: Document) -> Any:
        """The document's vector when this stage reads it and this model's embedder made it."""
        return model_vector(doc, self.embedder.name) if self.use_doc_embedding else None

    def _signal(self, doc: Document, model_scores: dict[str, float]) -> Signal:
        cue_sentences = self._cue_sentences(doc)
        scores: dict[str, float] = {}
        for topic in TOPICS:
            lexical = 1 - math.exp(-len(cue_sentences.get(topic, [])) / LEXICON_SCALE)
            scores[topic] = 1 - (1 - model_scores.get(topic, 0.0)) * (1 - LEXICON_SHARE * lexical)
        chosen = [t for t in DIRECTIONS if scores[t] >= self.threshold] or ["other"]
        chosen.sort(key=lambda t: -scores[t])
        evidence, reasons = self._evidence(doc, chosen, cue_sentences, model_scores)
        return Signal(name="topics", label=chosen[0], score=scores[chosen[0]],
                      labels={t: round(s, 4) for t, s in scores.items()}, evidence=evidence,
                      reasons=reasons)

    def _cue_sentences(self, doc: Document) -> dict[str, list[tuple[Sentence, str]]]:
        norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        found: dict[str, list[tuple[Sentence, str]]] = {}
        for sentence in doc.sentences:
            text = norm[sentence.start : sentence.end]
            for topic, pattern in self.cues.items():
                match = pattern.search(text)
                if match:
                    found.setdefault(topic, []).append((sentence, match.group(0)))
        return found

    def _evidence(
        self, doc: Document, chosen: list[str],
        cue_sentences: dict[str, list[tuple[Sentence, str]]], model_scores: dict[str, float],
    ) -> tuple[list[Evidence], list[str]]:
        evidence: list[Evidence] = []
        reasons: set[str] = set()
        for topic in chosen:
            if topic == "other":
                reasons.add("topics.other.none_passed")
                continue
            for sentence, _cue in cue_sentences.get(topic, [])[:MAX_EVIDENCE_PER_TOPIC]:
                evidence.append(_sentence_evidence(doc, sentence, f"topics.{topic}.lexicon"))
                reasons.add(f"topics.{topic}.lexicon")
            if model_scores.get(topic, 0.0) >= self.threshold / 2:
                reasons.add(f"topics.{topic}.model")
                if topic not in cue_sentences and doc.sentences:
                    evidence.append(_sentence_evidence(doc, doc.sentences[0], f"topics.{topic}.model",
                                                       model_scores[topic]))
        return evidence, sorted(reasons)


def _sentence_evidence(doc: Document, sentence: Sentence, reason: str, weight: float = 1.0) -> Evidence:
    return Evidence(start=sentence.start, end=sentence.end,
                    text=doc.text[sentence.start : sentence.end], reason=reason, weight=weight)
