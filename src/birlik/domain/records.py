"""Plain records that flow between layers.

A ``RawItem`` is what a connector yields; a ``Document`` is what the pipeline stages
annotate. Offsets in ``Mention``, ``Sentence`` and ``Token`` are character offsets into
``Document.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

EntityType = Literal["ETHNIC_GROUP", "PERSON", "ORG", "PLACE"]
ENTITY_TYPES: tuple[str, ...] = ("ETHNIC_GROUP", "PERSON", "ORG", "PLACE")


@dataclass(frozen=True, slots=True, kw_only=True)
class RawItem:
    """One item as a connector found it, before any analysis."""

    key: str
    """Stable identity inside its source (path, URL, message id) used for quarantine."""
    text: str
    title: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    author: str | None = None
    platform: str | None = None
    lang_hint: str | None = None
    content_type: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str
    lemma: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """An entity found in a document: a span, its type and the canonical id it links to."""

    start: int
    end: int
    text: str
    type: str
    id: str | None = None
    derogatory: bool = False
    confidence: float = 1.0
    kind: str | None = None
    """For ``ETHNIC_GROUP``: ``ethnic`` (a people, linked by ``id``), ``civic``
    ("қазақстандықтар"), ``foreign`` ("американцы") or ``regional`` ("алматылықтар")."""

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "type": self.type,
            "id": self.id,
        }
        if self.derogatory:
            out["derogatory"] = True
        if self.kind is not None:
            out["kind"] = self.kind
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class RegionScore:
    """A region (KATO code) a document is about, with the confidence of that claim."""

    kato: str
    confidence: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """A span of ``Document.text`` that caused a signal, and why (a reason code such as
    ``hate.slur`` or ``incident.violence.lexicon``)."""

    start: int
    end: int
    text: str
    reason: str
    weight: float = 1.0

    def as_json(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "reason": self.reason,
            "weight": round(self.weight, 3),
        }


@dataclass(slots=True, kw_only=True)
class Signal:
    """One scored property of a document with the evidence behind it.

    ``score`` is 0–1 where the signal is a degree (hate, toxicity, tension); ``label`` is the
    chosen class where it is a choice (incident type, sentiment); ``labels`` holds per-class
    scores (topics, sentiment); ``reasons`` are the codes of the rules or models that fired.
    """

    name: str
    score: float | None = None
    label: str | None = None
    labels: dict[str, float] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.score is not None:
            out["score"] = round(self.score, 4)
        if self.label is not None or self.name in ("incident", "sentiment"):
            out["label"] = self.label
        if self.labels:
            out["labels"] = {key: round(value, 4) for key, value in self.labels.items()}
        out["evidence"] = [e.as_json() for e in self.evidence]
        out["reasons"] = list(self.reasons)
        return out


Qualifier = Literal["exact", "at_least", "about", "at_most"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One quantitative statement of one document."""

    document: str
    value: float
    unit: str
    """``count``, ``percent`` or ``tenge``."""
    qualifier: Qualifier
    subject: str
    """Language-independent subject (``house_of_friendship``) or ``lang:stem``."""
    subject_text: str
    text: str
    """The figure as written."""
    start: int
    end: int
    sentence: str
    period: str | None = None
    """The year the sentence names, if any."""
    region: str | None = None
    source: str | None = None
    published_at: datetime | None = None
    lang: str | None = None

    @property
    def interval(self) -> tuple[float, float]:
        """The values the claim allows; ``about`` allows 10 % either side."""
        if self.qualifier == "at_least":
            return self.value, float("inf")
        if self.qualifier == "at_most":
            return 0.0, self.value
        if self.qualifier == "about":
            return self.value * 0.9, self.value * 1.1
        return self.value, self.value

    def describe(self) -> str:
        words = {"exact": "", "at_least": "at least ", "about": "about ", "at_most": "at most "}
        figure = f"{self.value:g}" if self.value < 1e6 else f"{self.value:.3g}"
        unit = "%" if self.unit == "percent" else (" tenge" if self.unit == "tenge" else "")
        return f"{words[self.qualifier]}{figure}{unit} {self.subject}"

    def as_json(self) -> dict[str, Any]:
        """The ``claims`` items of ``birlik analyze`` (offsets into ``Document.text``)."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "value": self.value,
            "unit": self.unit,
            "qualifier": self.qualifier,
            "subject": self.subject,
            "subject_text": self.subject_text,
            "period": self.period,
            "region": self.region,
        }


@dataclass(slots=True, kw_only=True)
class Document:
    """A text under analysis. Stages fill the annotation fields in place."""

    id: str
    text: str
    title: str | None = None
    lang: str | None = None
    langs: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    source: str | None = None
    url: str | None = None
    flags: list[str] = field(default_factory=list)
    norm_text: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    entities: list[Mention] = field(default_factory=list)
    regions: list[RegionScore] = field(default_factory=list)
    signals: dict[str, Signal] = field(default_factory=dict)
    """Scored signals by name: hate, toxicity, incident, topics, sentiment, tension."""
    passages: list[Sentence] = field(default_factory=list)
    """Spans chosen for embedding (title is embedded separately)."""
    embedding: Any = None
    """A unit vector (numpy float32) for the document's salient passages, or None."""
    claims: list[Claim] | None = None
    """Quantitative claims (figure, subject, period, region); None until a claims stage ran."""
    stages: list[str] = field(default_factory=list)
    """Versioned names of the stages that produced this analysis (set by the pipeline)."""
    embedding_model: str | None = None
    """Name of the embedder that made ``embedding`` (the configured model or the static one)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Fields of the input that Birlik does not know: passed through untouched."""
