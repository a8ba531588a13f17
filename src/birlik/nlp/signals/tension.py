"""The ``tension`` signal: one 0–1 score per document that combines hate, incidents,
toxicity and sentiment with who is mentioned.

A component counts more when the document names an ethnic group (an incident that involves
a named group weighs more than a brawl without one), and most when the hostility is aimed
at a group (``hate``). Components join by noisy-or, so one strong component is enough and
several weak ones add up without passing 1. The weights are set so that official good-news
texts (the project's seeds) stay below 0.2 and hostile posts of the demo corpus rise above
0.5; ``tests/nlp/test_tension.py`` pins both. The evidence of the components that
contributed is carried over with a ``tension.from_<signal>`` reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from birlik.domain.records import Document, Evidence, Signal

NAME = "tension"


@dataclass(frozen=True, slots=True)
class TensionWeights:
    hate: float = 0.95
    incident_with_group: float = 0.55
    incident_alone: float = 0.3
    toxicity_with_group: float = 0.35
    toxicity_alone: float = 0.12
    negative_with_group: float = 0.15
    negative_alone: float = 0.04
    max_evidence: int = 6


class TensionStage:
    name = "tension.v1"
    requires = frozenset({"entities", "signals.hate", "signals.toxicity", "signals.incident"})
    provides = frozenset({"signals.tension"})

    def __init__(self, weights: TensionWeights | None = None) -> None:
        self.weights = weights or TensionWeights()

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.signals[NAME] = self.score(doc)
        return docs

    def score(self, doc: Document) -> Signal:
        parts = self._components(doc)
        calm = 1.0
        evidence: list[Evidence] = []
        reasons: list[str] = []
        for signal_name, weighted in parts:
            if weighted <= 0:
                continue
            calm *= 1.0 - weighted
            reasons.append(f"tension.from_{signal_name}")
            evidence.extend(_carried(doc.signals[signal_name], signal_name))
        evidence.sort(key=lambda e: -e.weight)
        return Signal(
            name=NAME, score=round(1.0 - calm, 4), evidence=evidence[: self.weights.max_evidence],
            reasons=reasons, labels={name: round(value, 4) for name, value in parts},
        )

    def _components(self, doc: Document) -> list[tuple[str, float]]:
        w = self.weights
        with_group = any(m.type == "ETHNIC_GROUP" for m in doc.entities)
        parts = [("hate", w.hate * _score(doc, "hate"))]
        incident = doc.signals.get("incident")
        if incident is not None and incident.label is not None:
            weight = w.incident_with_group if with_group else w.incident_alone
            parts.append(("incident", weight * (incident.score or 0.0)))
        weight = w.toxicity_with_group if with_group else w.toxicity_alone
        parts.append(("toxicity", weight * _score(doc, "toxicity")))
        sentiment = doc.signals.get("sentiment")
        if sentiment is not None and sentiment.label == "negative":
            weight = w.negative_with_group if with_group else w.negative_alone
            parts.append(("sentiment", weight * sentiment.labels.get("negative", 0.0)))
        return parts


def _score(doc: Document, name: str) -> float:
    signal = doc.signals.get(name)
    return signal.score or 0.0 if signal is not None else 0.0


def _carried(signal: Signal, name: str) -> list[Evidence]:
    return [
        Evidence(start=e.start, end=e.end, text=e.text, reason=f"tension.from_{name}:{e.reason}",
                 weight=e.weight)
        for e in signal.evidence
    ]
