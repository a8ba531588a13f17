"""Incident type of a document from kk/ru/en cue lexicons (``incident_cues.yaml``).

Each sentence is scored per incident type from the cues that match in it (a strong cue 0.7,
a weak one 0.3, a pair of cues such as "mosque" + "damaged" its own weight); the score is
then lowered where the sentence talks about prevention, plans, risks or training examples
rather than an event, reports a claim ("якобы", "деген атпен", a cue in «scare quotes»), or
where a negation stands next to the cue, and raised where the sentence ties the event to
ethnicity. A document's score for a type is its best sentence, helped a little by a second
one; a document that refutes the report ("информация не подтвердилась", "жалған ақпарат") or
calls it domestic ("не носил межнациональный характер") is marked down, with a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Evidence, Sentence, Signal
from birlik.nlp.spans import StartIndex
from birlik.nlp.text import normalise

INCIDENT_TYPES: tuple[str, ...] = (
    "violence_brawl", "mass_disorder", "protest_rally", "discrimination_complaint",
    "vandalism_cultural_religious", "threats_calls_to_violence", "migration_conflict",
)
STRONG, WEAK = 0.7, 0.3
THRESHOLD = 0.5
PREVENTION_FACTOR = 0.1
CELEBRATION_FACTOR = 0.15
NEGATION_FACTOR = 0.1
REFUTED_FACTOR = 0.3
DOMESTIC_FACTOR = 0.75
HEARSAY_FACTOR = 0.3
SCARE_QUOTE_WORDS = 6
ETHNIC_BOOST = 0.25
SECOND_SENTENCE_SHARE = 0.5
NEGATION_WINDOW = 24
MAX_EVIDENCE = 8


@dataclass(frozen=True, slots=True)
class Cue:
    pattern: re.Pattern[str]
    weight: float
    reason: str


@dataclass(frozen=True, slots=True)
class PairCue:
    first: re.Pattern[str]
    second: re.Pattern[str]
    weight: float
    reason: str


@dataclass(frozen=True, slots=True)
class IncidentCues:
    """Compiled cues by incident type and the context patterns that modify them."""

    cues: dict[str, list[Cue]]
    pairs: dict[str, list[PairCue]]
    contexts: dict[str, re.Pattern[str]]


@dataclass(slots=True)
class _Hit:
    incident_type: str
    start: int
    end: int
    weight: float
    reasons: list[str] = field(default_factory=list)
    sentence_start: int = 0


def stem_pattern(cues: list[str], whole_word: bool = False) -> re.Pattern[str]:
    """One pattern for a list of cue stems; spaces stand for runs of non-word characters."""
    parts = [r"\w*\W+".join(cue.split(" ")) for cue in cues]
    tail = r"(?!\w)" if whole_word else r"\w*"
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")" + tail)


@cache
def load_incident_cues() -> IncidentCues:
    text = resources.files("birlik.resources").joinpath("data/incident_cues.yaml").read_text("utf-8")
    return parse_incident_cues(yaml.safe_load(text))


def parse_incident_cues(raw: dict[str, Any]) -> IncidentCues:
    types = raw.get("types") or {}
    unknown = set(types) - set(INCIDENT_TYPES)
    if unknown:
        raise ConfigError(f"incident_cues.yaml names unknown types {sorted(unknown)} — use one of "
                          f"{list(INCIDENT_TYPES)}", code="M311")
    cues: dict[str, list[Cue]] = {}
    pairs: dict[str, list[PairCue]] = {}
    for incident_type, spec in types.items():
        cues[incident_type] = [
            _cue(entry, weight, f"incident.{incident_type}.lexicon")
            for key, weight in (("strong", STRONG), ("weak", WEAK))
            for entry in spec.get(key, [])
        ]
        pairs[incident_type] = [
            PairCue(stem_pattern(first), stem_pattern(second), float(weight),
                    f"incident.{incident_type}.pair")
            for first, second, weight in spec.get("pairs", [])
        ]
    contexts = {name: stem_pattern(patterns, whole_word=(name == "negation"))
                for name, patterns in (raw.get("contexts") or {}).items()}
    return IncidentCues(cues, pairs, contexts)


def _cue(entry: str | list[Any], default_weight: float, reason: str) -> Cue:
    """A cue is a stem, or [stem, weight] where a phrase is more telling than its class."""
    if isinstance(entry, str):
        return Cue(stem_pattern([entry]), default_weight, reason)
    stem, weight = entry
    return Cue(stem_pattern([str(stem)]), float(weight), reason)


class IncidentStage:
    """``signals["incident"]``: the incident type (or None), its confidence and evidence."""

    name = "incident.v1"
    requires = frozenset({"sentences", "tokens"})
    provides = frozenset({"signals.incident"})

    def __init__(self, cues: IncidentCues | None = None, threshold: float = THRESHOLD) -> None:
        self.cues = cues or load_incident_cues()
        self.threshold = threshold

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.signals["incident"] = self.detect(doc)
        return docs

    def detect(self, doc: Document) -> Signal:
        norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        ethnic = StartIndex(m for m in doc.entities if m.type == "ETHNIC_GROUP")
        hits = [hit for sentence in doc.sentences for hit in self._sentence_hits(doc, norm, sentence, ethnic)]
        reasons: list[str] = []
        factor = self._document_factor(norm, reasons)
        scores = {t: round(s * factor, 4) for t, s in _type_scores(hits).items() if s > 0}
        best = max(scores, key=lambda t: scores[t], default=None)
        label = best if best is not None and scores[best] >= self.threshold else None
        evidence = _evidence(doc, hits, scores)
        cited = {(e.start, e.end) for e in evidence}
        reasons = sorted({r for h in hits if (h.start, h.end) in cited for r in h.reasons}
                         | set(reasons))
        return Signal(name="incident", label=label, score=scores.get(best, 0.0) if best else 0.0,
                      labels=scores, evidence=evidence, reasons=reasons)

    def _document_factor(self, norm: str, reasons: list[str]) -> float:
        factor = 1.0
        refuted = self.cues.contexts["refuted"].search(norm) is not None
        if self.cues.contexts["domestic"].search(norm):
            # "domestic, not interethnic" with a denial denies the ethnic framing, not the event
            factor *= DOMESTIC_FACTOR
            reasons.append("incident.domestic")
        elif refuted:
            factor *= REFUTED_FACTOR
        if refuted:
            reasons.append("incident.refuted")
        return factor

    def _sentence_hits(self, doc: Document, norm: str, sentence: Sentence, ethnic: StartIndex) -> list[_Hit]:
        text = norm[sentence.start : sentence.end]
        hits = self._cue_hits(text) + self._pair_hits(text)
        if not hits:
            return []
        shared = self._sentence_modifiers(text, sentence, ethnic)
        for hit in hits:
            hit.start += sentence.start
            hit.end += sentence.start
            hit.sentence_start = sentence.start
            for reason, factor in sorted(shared, key=lambda item: item[1]):
                if reason == "incident.celebration_context" and hit.incident_type != "protest_rally":
                    continue
                if factor < 0 and hit.weight <= WEAK:
                    continue  # ethnicity alone never lifts a weak cue over the threshold
                boosted = hit.weight + (1 - hit.weight) * ETHNIC_BOOST
                hit.weight = boosted if factor < 0 else hit.weight * factor
                hit.reasons.append(reason)
        return hits

    def _cue_hits(self, text: str) -> list[_Hit]:
        out = []
        negation = self.cues.contexts["negation"]
        for incident_type, cues in self.cues.cues.items():
            for cue in cues:
                for match in cue.pattern.finditer(text):
                    hit = _Hit(incident_type, match.start(), match.end(), cue.weight, [cue.reason])
                    window = text[max(0, match.start() - NEGATION_WINDOW) : match.end() + NEGATION_WINDOW]
                    if negation.search(window):
                        hit.weight *= NEGATION_FACTOR
                        hit.reasons.append("incident.negated")
                    if _in_scare_quotes(text, match.start(), match.end()):
                        hit.weight *= HEARSAY_FACTOR
                        hit.reasons.append("incident.hearsay")
                    out.append(hit)
        return out

    def _pair_hits(self, text: str) -> list[_Hit]:
        out = []
        for incident_type, pairs in self.cues.pairs.items():
            for pair in pairs:
                first, second = pair.first.search(text), pair.second.search(text)
                if first and second:
                    start, end = min(first.start(), second.start()), max(first.end(), second.end())
                    out.append(_Hit(incident_type, start, end, pair.weight, [pair.reason]))
        return out

    def _sentence_modifiers(
        self, text: str, sentence: Sentence, ethnic: StartIndex
    ) -> list[tuple[str, float]]:
        """(reason, factor) pairs for the whole sentence; a negative factor means a boost."""
        contexts = self.cues.contexts
        out: list[tuple[str, float]] = []
        if contexts["prevention"].search(text) or contexts["teaching"].search(text):
            out.append(("incident.prevention_context", PREVENTION_FACTOR))
        if contexts["hearsay"].search(text):
            out.append(("incident.hearsay", HEARSAY_FACTOR))
        if contexts["celebration"].search(text):
            out.append(("incident.celebration_context", CELEBRATION_FACTOR))
        ethnic_mention = bool(ethnic.starting_in(sentence.start, sentence.end))
        if ethnic_mention or contexts["ethnic"].search(text):
            out.append(("incident.ethnic_context", -1.0))
        return out


def _in_scare_quotes(text: str, start: int, end: int) -> bool:
    """The cue sits inside a short quotation ("«межнациональное столкновение»"): a framing."""
    opening = text.rfind('"', 0, start)
    closing = text.find('"', end)
    if opening < 0 or closing < 0 or text.count('"', 0, start) % 2 == 0:
        return False
    return len(text[opening + 1 : closing].split()) <= SCARE_QUOTE_WORDS


def _type_scores(hits: list[_Hit]) -> dict[str, float]:
    """Per type: the best sentence's score, helped by the second best when that one is at least
    as strong as a weak cue (sentences are keyed by where they start)."""
    by_sentence: dict[tuple[str, int], float] = {}
    for hit in hits:
        key = (hit.incident_type, hit.sentence_start)
        by_sentence[key] = 1 - (1 - by_sentence.get(key, 0.0)) * (1 - hit.weight)
    scores: dict[str, float] = {}
    for incident_type in INCIDENT_TYPES:
        ranked = sorted((s for (t, _), s in by_sentence.items() if t == incident_type), reverse=True)
        if ranked:
            second = ranked[1] if len(ranked) > 1 and ranked[1] >= WEAK else 0.0
            scores[incident_type] = 1 - (1 - ranked[0]) * (1 - SECOND_SENTENCE_SHARE * second)
    return scores


def _evidence(doc: Document, hits: list[_Hit], scores: dict[str, float]) -> list[Evidence]:
    """The strongest cue spans of the types that scored, strongest first."""
    ranked = sorted((h for h in hits if h.incident_type in scores), key=lambda h: -h.weight)
    out: list[Evidence] = []
    seen: set[tuple[int, int]] = set()
    for hit in ranked:
        if (hit.start, hit.end) in seen or len(out) >= MAX_EVIDENCE:
            continue
        seen.add((hit.start, hit.end))
        out.append(Evidence(start=hit.start, end=hit.end, text=doc.text[hit.start : hit.end],
                            reason=hit.reasons[0], weight=hit.weight))
    return out
