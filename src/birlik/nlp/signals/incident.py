"""Incident type of a document (``incident.v2``) from kk/ru/en cue lexicons
(``incident_cues.yaml``), with the place it happened; types and rules: docs/signals.md.

Each sentence is scored per incident type from the cues that match in it (a strong cue 0.7,
a weak one 0.3, a pair of cues such as "mosque" + "damaged" its own weight); the score is
then lowered where the sentence talks about prevention, plans, risks or training examples
rather than an event, reports a claim ("якобы", "деген атпен", a cue in «scare quotes»), talks
about a war between states (armies, shelling, a front: violence, killing, disorder and damage
cues count for less) or a death by accident, illness or old age (killing cues count for less), or
where a negation stands next to the cue, and raised where the sentence ties the event to
ethnicity. A document's score for a type is its best sentence, helped a little by a second
one; a document that refutes the report ("информация не подтвердилась", "жалған ақпарат") or
calls it domestic ("не носил межнациональный характер") is marked down, with a reason.

A refuted report, a report that a rumour or fake circulates, or a text that itself spreads an
unverified alarm of an event ("СРОЧНО", "распространите", "таратыңыздар", "share before it is
deleted") is a ``rumour_disinformation`` incident; that type wins when its rule applies, and
otherwise the most serious type over the threshold is the label (``SEVERITY``). The place is the
PLACE mention nearest the strongest cue of the label (its sentence first), given as evidence
``incident.place`` and, when it links to a KATO code, the reason ``incident.place:<code>``.

A learned type classifier (``incident_v2.json``: multinomial logistic regression fitted on the
gold train split by ``scripts/train_signals.py``) then reads the per-type cue scores, the
context flags, the rule's label and a block of word stems, and chooses the label (a type or
none; reason ``incident.learned``), except that it does not veto a clear rule decision (a rule
label scoring ``CLEAR_RULE`` or more stays when the classifier says none). ``labels`` keeps the
cue scores per type (what tension reads). Without it (``classifier=None``) the rules' label
stands.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Evidence, Mention, Sentence, Signal
from birlik.domain.text import normalise
from birlik.nlp.signals.calibrated import LinearClassifier, load_classifier, model_file
from birlik.nlp.signals.tension import WORD, word_stems
from birlik.nlp.spans import StartIndex
from birlik.resources.yaml_data import load_yaml

INCIDENT_TYPES: tuple[str, ...] = (
    "violence_brawl", "mass_disorder", "killing", "arson_vandalism", "protest_rally",
    "discrimination", "hate_propaganda", "rumour_disinformation",
)
SEVERITY: tuple[str, ...] = (
    "killing", "mass_disorder", "arson_vandalism", "violence_brawl", "hate_propaganda",
    "discrimination", "protest_rally",
)
"""Most serious first: the label when several types pass the threshold (and no rumour)."""
RUMOUR = "rumour_disinformation"
EVENT_TYPES = frozenset(INCIDENT_TYPES) - {RUMOUR}
REFUTED_RUMOUR = 0.8
SPREAD_RUMOUR = 0.6
SPREAD_STEP = 0.12
STRONG, WEAK = 0.7, 0.3
THRESHOLD = 0.5
PREVENTION_FACTOR = 0.1
CELEBRATION_FACTOR = 0.15
NEGATION_FACTOR = 0.1
REFUTED_FACTOR = 0.3
DOMESTIC_FACTOR = 0.75
HEARSAY_FACTOR = 0.3
MILITARY_FACTOR = 0.3
ACCIDENT_FACTOR = 0.3
"""A death from an accident, a disaster, illness or old age is not a killing (docs/signals.md:
people killed — murder, killed in a clash or attack): in such a sentence killing cues count for
less."""
MILITARY_TYPES = frozenset({"violence_brawl", "mass_disorder", "killing", "arson_vandalism"})
"""Wars and military operations between states are not incidents (docs/signals.md): in a
sentence about armies, shelling or a front, these types' cues count for less (also when a
people is named: «русская армия», «украинские войска» name states' armies, not civilians)."""
SCARE_QUOTE_WORDS = 6
ETHNIC_BOOST = 0.25
CLEAR_RULE = 0.75
"""A rule label scoring at least this (more than one strong cue alone: corroborated by a second
cue, a pair or an ethnic framing) is not vetoed to none by the learned classifier."""
SECOND_SENTENCE_SHARE = 0.5
NEGATION_WINDOW = 24
MAX_EVIDENCE = 8
CLASSIFIER_FILE = "incident_v2.json"
NONE = "none"
FLAGS: tuple[str, ...] = (
    "incident.refuted", "incident.spreading", "incident.hearsay", "incident.domestic",
    "incident.negated", "incident.prevention_context", "incident.ethnic_context",
)
LEXICAL_EVIDENCE = 3


def incident_features(rule: Signal) -> dict[str, float]:
    """What the learned classifier reads: the cue score of each type, the context flags and the
    rules' label."""
    values = {f"score.{t}": rule.labels.get(t, 0.0) for t in INCIDENT_TYPES}
    values.update({flag: 1.0 if flag in rule.reasons else 0.0 for flag in FLAGS})
    values.update({f"label.{t}": 1.0 if rule.label == t else 0.0 for t in INCIDENT_TYPES})
    return values


@cache
def load_incident_classifier() -> LinearClassifier:
    """The learned type classifier shipped with Birlik (``resources/models/incident_v2.json``)."""
    return load_classifier(model_file(CLASSIFIER_FILE))


@dataclass(frozen=True, slots=True)
class Cue:
    """The cues of one type that share a weight, as one pattern."""

    pattern: re.Pattern[str]
    weight: float
    reason: str
    incident_type: str = ""


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
    return parse_incident_cues(load_yaml(text))


def parse_incident_cues(raw: dict[str, Any]) -> IncidentCues:
    types = raw.get("types") or {}
    unknown = set(types) - set(INCIDENT_TYPES)
    if unknown:
        raise ConfigError(f"incident_cues.yaml names unknown types {sorted(unknown)} — use one of "
                          f"{list(INCIDENT_TYPES)}", code=codes.M311)
    cues: dict[str, list[Cue]] = {}
    pairs: dict[str, list[PairCue]] = {}
    for incident_type, spec in types.items():
        by_weight: dict[float, list[str]] = {}
        for key, default in (("strong", STRONG), ("weak", WEAK)):
            for entry in spec.get(key, []):
                stem, weight = (entry, default) if isinstance(entry, str) else (str(entry[0]), entry[1])
                by_weight.setdefault(float(weight), []).append(stem)
        cues[incident_type] = [
            Cue(stem_pattern(stems), weight, f"incident.{incident_type}.lexicon", incident_type)
            for weight, stems in sorted(by_weight.items(), reverse=True)
        ]
        pairs[incident_type] = [
            PairCue(stem_pattern(first), stem_pattern(second), float(weight),
                    f"incident.{incident_type}.pair")
            for first, second, weight in spec.get("pairs", [])
        ]
    contexts = {name: stem_pattern(patterns, whole_word=(name == "negation"))
                for name, patterns in (raw.get("contexts") or {}).items()}
    return IncidentCues(cues, pairs, contexts)


class IncidentStage:
    """``signals["incident"]``: the incident type (or None), its confidence, evidence and place."""

    name = "incident.v2"
    requires = frozenset({"sentences", "tokens", "entities.place"})
    provides = frozenset({"signals.incident"})

    def __init__(self, cues: IncidentCues | None = None, threshold: float = THRESHOLD,
                 classifier: LinearClassifier | None = None) -> None:
        self.cues = cues or load_incident_cues()
        self.threshold = threshold
        self.classifier = classifier
        self._all_cues = [cue for group in self.cues.cues.values() for cue in group]
        self._any_cue = re.compile("|".join(f"(?:{cue.pattern.pattern})" for cue in self._all_cues)
                                   or r"(?!x)x")
        """Every cue in one pattern: a text none of them matches is not searched cue by cue."""

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.signals["incident"] = self.detect(doc)
        return docs

    def detect(self, doc: Document) -> Signal:
        rule, hits = self._rules(doc)
        if self.classifier is None:
            return rule
        norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        probabilities = self.classifier.probabilities(
            incident_features(rule), word_stems(norm, self.classifier.lexical_size))
        best = max(probabilities, key=lambda name: probabilities[name])
        label = None if best == NONE else best
        if label is None and rule.label is not None and (rule.score or 0.0) >= CLEAR_RULE:
            label = rule.label  # the learned layer chooses among types; it does not veto a clear rule
        if label == rule.label:
            return Signal(name="incident", label=label, score=rule.score, labels=rule.labels,
                          evidence=rule.evidence, reasons=rule.reasons)
        if label is None:
            return Signal(name="incident", label=None, score=round(1 - probabilities[NONE], 4),
                          labels=rule.labels, evidence=[],
                          reasons=sorted({*rule.reasons, "incident.learned"}))
        evidence = [e for e in rule.evidence if e.reason.startswith(f"incident.{label}.")]
        evidence += self._lexical(doc.text, norm, label)
        reasons = sorted({*(e.reason for e in evidence), "incident.learned"})
        place = _place(doc, [h for h in hits if h.incident_type == label] or hits)
        if place is not None:
            evidence.append(Evidence(start=place.start, end=place.end, text=place.text,
                                     reason="incident.place"))
            if place.id:
                reasons.append(f"incident.place:{place.id}")
        return Signal(name="incident", label=label, score=round(probabilities[label], 4),
                      labels=rule.labels, evidence=evidence, reasons=reasons)

    def rule_signal(self, doc: Document) -> Signal:
        """The label and scores of the cue rules alone (what the classifier reads)."""
        return self._rules(doc)[0]

    def _lexical(self, text: str, norm: str, label: str) -> list[Evidence]:
        """The words whose stems pushed ``label`` up most."""
        assert self.classifier is not None
        column = self.classifier.classes.index(label)
        weights, size = self.classifier.lexical, self.classifier.lexical_size
        spans: dict[str, Evidence] = {}
        for match in WORD.finditer(norm):
            stem = match.group(0)[:size]
            weight = weights[stem][column] if stem in weights else 0.0
            if weight > 0.1 and stem not in spans:
                spans[stem] = Evidence(start=match.start(), end=match.end(),
                                       text=text[match.start() : match.end()],
                                       reason=f"incident.{label}.lexical", weight=weight)
        return sorted(spans.values(), key=lambda e: -e.weight)[:LEXICAL_EVIDENCE]

    def _rules(self, doc: Document) -> tuple[Signal, list[_Hit]]:
        norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        sentences = doc.sentences or [Sentence(0, len(doc.text))]
        hits = self._hits(doc, norm, sentences)
        reasons: list[str] = []
        refuted = self.cues.contexts["refuted"].search(norm) is not None
        factor = self._document_factor(norm, refuted, reasons)
        scores = {t: round(s * (1.0 if t == RUMOUR else factor), 4)
                  for t, s in _type_scores(hits).items() if s > 0}
        rumour, spread = self._rumour(norm, refuted, scores, reasons)
        if rumour > scores.get(RUMOUR, 0.0):
            scores[RUMOUR] = round(rumour, 4)
        label = self._label(scores)
        evidence = [Evidence(start=m.start(), end=m.end(), text=doc.text[m.start() : m.end()],
                             reason="incident.rumour_disinformation.spreading", weight=rumour)
                    for m in spread[:3]] + _evidence(doc, hits, scores)
        cited = {(e.start, e.end) for e in evidence}
        reasons = sorted({r for h in hits if (h.start, h.end) in cited for r in h.reasons}
                         | set(reasons))
        if label is not None:
            place = _place(doc, [h for h in hits if h.incident_type == label] or hits)
            if place is not None:
                evidence.append(Evidence(start=place.start, end=place.end, text=place.text,
                                         reason="incident.place"))
                if place.id:
                    reasons.append(f"incident.place:{place.id}")
        return Signal(name="incident", label=label, score=scores[label] if label else
                      max(scores.values(), default=0.0),
                      labels=scores, evidence=evidence, reasons=reasons), hits

    def _label(self, scores: dict[str, float]) -> str | None:
        if scores.get(RUMOUR, 0.0) >= self.threshold:
            return RUMOUR
        passing = [t for t in SEVERITY if scores.get(t, 0.0) >= self.threshold]
        return passing[0] if passing else None

    def _document_factor(self, norm: str, refuted: bool, reasons: list[str]) -> float:
        factor = 1.0
        if self.cues.contexts["domestic"].search(norm):
            # "domestic, not interethnic" with a denial denies the ethnic framing, not the event
            factor *= DOMESTIC_FACTOR
            reasons.append("incident.domestic")
        elif refuted:
            factor *= REFUTED_FACTOR
        if refuted:
            reasons.append("incident.refuted")
        return factor

    def _rumour(self, norm: str, refuted: bool, scores: dict[str, float], reasons: list[str]
                ) -> tuple[float, list[re.Match[str]]]:
        """A refuted report, or an unverified alarm the text spreads, of an event: the score and
        the spans that spread it."""
        event = max((s for t, s in scores.items() if t in EVENT_TYPES), default=0.0)
        if refuted and (event > 0 or scores.get(RUMOUR, 0.0) > 0):
            return REFUTED_RUMOUR, []
        if event < WEAK or self.cues.contexts["sourced"].search(norm):
            return 0.0, []
        spread = list({m.group(0): m for m in self.cues.contexts["spreading"].finditer(norm)}.values())
        if not spread:
            return 0.0, []
        reasons.append("incident.spreading")
        return min(0.95, SPREAD_RUMOUR + SPREAD_STEP * len(spread) + 0.2 * event), spread

    def _hits(self, doc: Document, norm: str, sentences: list[Sentence]) -> list[_Hit]:
        """Cue and pair hits, each with the modifiers of its sentence applied."""
        starts = [s.start for s in sentences]
        ethnic = StartIndex(m for m in doc.entities if m.type == "ETHNIC_GROUP")
        by_sentence: dict[int, list[_Hit]] = {}
        negation = self.cues.contexts["negation"]
        for cue in self._all_cues if self._any_cue.search(norm) else ():
            for match in cue.pattern.finditer(norm):
                index = max(0, bisect.bisect_right(starts, match.start()) - 1)
                sentence = sentences[index]
                hit = _Hit(cue.incident_type, match.start(), match.end(), cue.weight, [cue.reason],
                           sentence.start)
                window = norm[max(sentence.start, match.start() - NEGATION_WINDOW):
                              min(sentence.end, match.end() + NEGATION_WINDOW)]
                if negation.search(window):
                    hit.weight *= NEGATION_FACTOR
                    hit.reasons.append("incident.negated")
                if cue.incident_type != RUMOUR and _in_scare_quotes(
                        norm[sentence.start : sentence.end], match.start() - sentence.start,
                        match.end() - sentence.start):
                    hit.weight *= HEARSAY_FACTOR
                    hit.reasons.append("incident.hearsay")
                by_sentence.setdefault(index, []).append(hit)
        if self._any_pair_part(norm):
            for index, sentence in enumerate(sentences):
                found = self._pair_hits(norm, sentence)
                if found:
                    by_sentence.setdefault(index, []).extend(found)
        out: list[_Hit] = []
        for index, found in sorted(by_sentence.items()):
            self._modify(norm, sentences[index], found, ethnic)
            out.extend(found)
        return out

    def _any_pair_part(self, norm: str) -> bool:
        return any(pair.first.search(norm) for pairs in self.cues.pairs.values() for pair in pairs)

    def _pair_hits(self, norm: str, sentence: Sentence) -> list[_Hit]:
        out = []
        for incident_type, pairs in self.cues.pairs.items():
            for pair in pairs:
                first = pair.first.search(norm, sentence.start, sentence.end)
                second = pair.second.search(norm, sentence.start, sentence.end) if first else None
                if first and second:
                    start, end = min(first.start(), second.start()), max(first.end(), second.end())
                    out.append(_Hit(incident_type, start, end, pair.weight, [pair.reason], sentence.start))
        return out

    def _modify(self, norm: str, sentence: Sentence, hits: list[_Hit], ethnic: StartIndex) -> None:
        shared = self._sentence_modifiers(norm[sentence.start : sentence.end], sentence, ethnic)
        for hit in hits:
            for reason, factor in sorted(shared, key=lambda item: item[1]):
                if reason == "incident.celebration_context" and hit.incident_type != "protest_rally":
                    continue
                if reason == "incident.military_context" and hit.incident_type not in MILITARY_TYPES:
                    continue
                if reason == "incident.accident_context" and hit.incident_type != "killing":
                    continue
                if hit.incident_type == RUMOUR and factor > 0 and reason == "incident.hearsay":
                    continue  # hearsay is what a rumour is made of
                if factor < 0 and hit.weight <= WEAK:
                    continue  # ethnicity alone never lifts a weak cue over the threshold
                boosted = hit.weight + (1 - hit.weight) * ETHNIC_BOOST
                hit.weight = boosted if factor < 0 else hit.weight * factor
                hit.reasons.append(reason)

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
        military = contexts.get("military")
        if military is not None and military.search(text):
            out.append(("incident.military_context", MILITARY_FACTOR))
        accident = contexts.get("accident")
        if accident is not None and accident.search(text):
            out.append(("incident.accident_context", ACCIDENT_FACTOR))
        if contexts["celebration"].search(text):
            out.append(("incident.celebration_context", CELEBRATION_FACTOR))
        ethnic_mention = bool(ethnic.starting_in(sentence.start, sentence.end))
        if ethnic_mention or contexts["ethnic"].search(text):
            out.append(("incident.ethnic_context", -1.0))
        return out


def _place(doc: Document, hits: list[_Hit]) -> Mention | None:
    """The PLACE mention nearest the strongest hit: in its sentence, else the first in the text."""
    places = [m for m in doc.entities if m.type == "PLACE"]
    if not places:
        return None
    if not hits:
        return min(places, key=lambda m: m.start)
    best = max(hits, key=lambda h: h.weight)
    sentence_end = next((s.end for s in doc.sentences if s.start == best.sentence_start), len(doc.text))
    near = [m for m in places if best.sentence_start <= m.start < sentence_end]
    if near:
        return min(near, key=lambda m: abs(m.start - best.start))
    return min(places, key=lambda m: m.start)


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
