"""The ``tension`` signal (``tension.v2``): how strongly a text describes or stokes conflict
between ethnic groups, as a calibrated probability that an annotator would give it tension ≥ 2
(negative framing, grievance, hostility, violence, a rumour of violence, a call to act; see
docs/signals.md).

The score is a small logistic model over the explainable components of
``birlik.nlp.signals.components`` (group named, hostility, violence, ethnic framing, rumour and
mobilisation cues, and the lowering frames: reconciliation, culture, Assembly events,
condemnation, reported speech...), fitted on the gold train split and calibrated on its dev split
by ``scripts/train_signals.py`` (package data ``resources/models/tension_v2.json``). No model
pass: it reads what the earlier stages found.

``labels`` holds every non-zero component value; ``reasons`` name the components that moved the
score (``tension.<component>``), strongest first; ``evidence`` carries their spans.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from birlik.domain.records import Document, Evidence, Signal
from birlik.domain.text import normalise
from birlik.nlp.signals.calibrated import CalibratedLogistic, load_model, model_file
from birlik.nlp.signals.components import (
    Component,
    CueLexicon,
    extract_components,
    load_cue_lexicon,
)

NAME = "tension"
MODEL_FILE = "tension_v2.json"
LANGS = ("kk", "ru", "en")
PEACEFUL = ("reconciliation", "mediation", "culture", "anniversary", "assembly", "unity")
REPORTING = ("reported_speech", "legal_action", "condemnation", "refuted", "prevention")
LEAD_RAISING = ("ethnic_frame", "rumour", "mobilisation", "violence_word")
LEAD_DAMPING = 0.15
"""A text whose lead (first sentence: the title of an article) is a peaceful event — festival,
Assembly session, reconciliation, anniversary — with no conflict cue in the lead, no hostility
and no spread rumour is that event (docs/signals.md, rule 13): its score is multiplied by this."""
REASON_FLOOR = 0.25
"""A component whose share of the logit is at least this (either way) is named in ``reasons``."""
MAX_EVIDENCE = 12
LEXICAL_EVIDENCE = 3
WORD = re.compile(r"[\w*@]{3,}")
"""A word for the lexical block (obfuscation characters kept: "ж*ды", "к@лбиты")."""


@lru_cache(maxsize=256)
def word_stems(norm: str, size: int) -> frozenset[str]:
    """The stems of a text's words; cached, as hate, incident and tension all read them."""
    return frozenset(match.group(0)[:size] for match in WORD.finditer(norm))


@cache
def load_tension_model() -> CalibratedLogistic:
    return load_model(model_file(MODEL_FILE))


def feature_values(components: Mapping[str, Component], lang: str | None) -> dict[str, float]:
    """Component values plus what the model combines them with: the language, and the
    strongest of the ethnic cues, of the peaceful frames and of the reporting frames."""
    values = {name: c.value for name, c in components.items()}
    values["ethnic"] = max(values.get("group_target", 0.0), values.get("ethnic_frame", 0.0))
    values["peaceful"] = max(values.get(name, 0.0) for name in PEACEFUL)
    values["reporting"] = max(values.get(name, 0.0) for name in REPORTING)
    for code in LANGS:
        values[f"lang_{code}"] = 1.0 if lang == code else 0.0
    return values


@dataclass(frozen=True, slots=True)
class TensionResult:
    score: float
    components: dict[str, Component]
    contributions: dict[str, float]


class TensionStage:
    name = "tension.v2"
    requires = frozenset({"entities", "signals.hate", "signals.incident"})
    provides = frozenset({"signals.tension"})

    def __init__(self, model: CalibratedLogistic | None = None, cues: CueLexicon | None = None) -> None:
        self.model = model or load_tension_model()
        self.cues = cues or load_cue_lexicon()

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.signals[NAME] = self.score(doc)
        return docs

    def evaluate(self, doc: Document) -> TensionResult:
        components = extract_components(doc, self.cues)
        values = feature_values(components, doc.lang)
        norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        stems = word_stems(norm, self.model.lexical_size) if self.model.lexical else frozenset()
        if self.model.lexical:
            components["lexical"] = self._lexical(doc.text, norm, stems)
        score = self.model.probability(values, stems)
        lead = self._peaceful_lead(doc, norm, components)
        if lead is not None:
            components["peaceful_lead"] = lead
            score *= LEAD_DAMPING
        contributions = self.model.contributions(values, stems)
        if lead is not None:
            contributions["peaceful_lead"] = -REASON_FLOOR * 10
        return TensionResult(score, components, contributions)

    def _peaceful_lead(self, doc: Document, norm: str, components: Mapping[str, Component]
                       ) -> Component | None:
        if len(doc.sentences) < 2 or components["hostility"].value >= 0.5 or (
                components["incident_other"].value >= 0.5 and components["rumour"].value > 0):
            return None
        lead = doc.sentences[0]
        patterns = self.cues.patterns
        if any(patterns[name].search(norm, lead.start, lead.end) for name in LEAD_RAISING):
            return None
        found = [m for name in PEACEFUL for m in [patterns[name].search(norm, lead.start, lead.end)] if m]
        if not found:
            return None
        return Component("peaceful_lead", 1.0, tuple(
            Evidence(start=m.start(), end=m.end(), text=doc.text[m.start() : m.end()],
                     reason="tension.peaceful_lead") for m in found[:2]))

    def _lexical(self, text: str, norm: str, stems: frozenset[str]) -> Component:
        """The words whose stems pushed the score up most, as the lexical block's evidence."""
        weights = self.model.lexical
        size = self.model.lexical_size
        spans: dict[str, Evidence] = {}
        if not any(weights.get(stem, 0.0) > 0 for stem in stems):
            return Component("lexical", 0.0)
        for match in WORD.finditer(norm):
            stem = match.group(0)[:size]
            if weights.get(stem, 0.0) > 0 and stem not in spans:
                spans[stem] = Evidence(start=match.start(), end=match.end(),
                                       text=text[match.start() : match.end()], reason="tension.lexical",
                                       weight=weights[stem])
        top = sorted(spans.values(), key=lambda e: -e.weight)[:LEXICAL_EVIDENCE]
        share = sum(weights.get(stem, 0.0) for stem in stems)
        return Component("lexical", round(min(1.0, max(0.0, share / 4)), 4), tuple(top))

    def score(self, doc: Document) -> Signal:
        result = self.evaluate(doc)
        moved = sorted(
            (name for name, share in result.contributions.items()
             if name in result.components and abs(share) >= REASON_FLOOR),
            key=lambda name: -abs(result.contributions[name]),
        )
        evidence: list[Evidence] = [e for name in moved for e in result.components[name].evidence]
        return Signal(
            name=NAME, score=round(result.score, 4), evidence=evidence[:MAX_EVIDENCE],
            reasons=[f"tension.{name}" for name in moved],
            labels={name: round(c.value, 4) for name, c in result.components.items() if c.value > 0},
        )
