"""The ``hate`` signal: hostility, derogation, dehumanisation or incitement aimed at an
ethnic group, in Kazakh, Russian and English.

Kept apart from toxicity: a sentence counts only when it names a group (an ``ETHNIC_GROUP``
mention, or a target of ``resources/data/hostility_hate.yaml`` the ethnic lexicon lacks: its
``slurs`` are stems that take any Russian ending and survive look-alike digits, a masking "*"
and dots between letters), or follows one that does and carries a strong cue, or has a pronoun
beside dehumanisation or expulsion ("гнать их"). In such a sentence the evidence is

- a derogatory ethnonym (``hate.slur``);
- cues of ``hate.dehumanisation`` ("тараканы", "мал сияқты"), ``hate.expulsion`` ("пусть
  убираются", "кетсін"), ``hate.incitement`` ("бить", "қуу керек"), ``hate.stereotype``
  ("воры", "сатқын") and ``hate.generalisation`` ("все они", "бәрі де"), damped in a
  preventive context ("профилактика экстремизма", "алдын алу");
- the toxicity of the same sentence (``hate.hostile_context``): an insult, obscenity, or the
  toxicity model's verdict, from ``doc.signals["toxicity"]``;
- in a sentence that reports someone else's hostility (an arrest, a court, "shouted",
  "wrote", "according to": ``reporting``) every cue and slur is damped, and so is a cue or slur
  inside quotation marks anywhere (quoted hate): the signal is the author's own hostility, not
  a report or a quotation of it (``hate.reported`` names the damping);
- optionally a classifier of hostile sentences (``hate.model``), applied only to sentences that
  name a group. No such classifier ships yet (too little licensed data labelled for ethnic
  hostility): the shipped stage is built with ``model=None``.

The pieces are joined per sentence by noisy-or; the document takes its worst sentences (the
rule score). A learned layer (``hate_v2.json``, fitted on the gold train split by
``scripts/train_signals.py``) then reads the rule score, the strongest evidence of each kind
(slur, cues, hostile context), whether the hostility was only reported, whether a group is
named, the language and a compact block of word stems, and gives the document's score; its
decision point is moved on the dev split so that ``hate >= 0.5`` is the call of hate. The
stems that pushed the score up are evidence ``hate.lexical``. Without the learned layer
(``learned=None``) the rule score is the score.
``labels`` maps each targeted group id to the score of the worst sentence aimed at it (the
document's score when the learned layer is on).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Evidence, Mention, Sentence, Signal
from birlik.domain.text import normalise
from birlik.nlp.embed import Embedder
from birlik.nlp.signals.calibrated import CalibratedLogistic, load_model, model_file
from birlik.nlp.signals.tension import WORD, word_stems
from birlik.nlp.signals.toxicity import (
    LinearTextModel,
    ToxicityLexicon,
    document_score,
    load_toxicity_lexicon,
    model_path,
    model_words,
)
from birlik.nlp.spans import StartIndex
from birlik.resources.yaml_data import load_yaml

SIGNAL = "hate"
LEXICON_FILE = "hostility_hate.yaml"
MODEL_FILE = "hate_charngram.npz"
CUE_KINDS: tuple[str, ...] = (
    "dehumanisation", "expulsion", "incitement", "stereotype", "generalisation",
)
STRONG_CUES = frozenset({"dehumanisation", "expulsion", "incitement"})
WEIGHT_KEYS = frozenset(CUE_KINDS) | {
    "slur", "insult_context", "obscenity_context", "model_context",
}
PRONOUN_CUES = frozenset({"dehumanisation", "expulsion"})
"""The cues for which a pronoun stands for a group in a text that names none ("гнать их", "они
не люди"); a call to violence with only a pronoun ("убить всех", "их надо бить") is violent
talk whose target the text does not say: toxicity, not hate."""
WEAK_TARGET = 0.6
"""Strength of a target mentioned with low confidence (a language: "русский язык")."""
PRONOUN_TARGET = 0.9
"""Strength of a pronoun standing for a group beside a strong cue ("гнать их надо")."""
LABEL_FLOOR = 0.3
MODEL_WEIGHT = 0.6
LEARNED_FILE = "hate_v2.json"
EVIDENCE_KINDS: tuple[str, ...] = ("slur", *CUE_KINDS, "hostile_context")
LANGS = ("kk", "ru", "en")
LEXICAL_EVIDENCE = 3
REPORT_CAP = 0.25
UNTARGETED_CAP = 0.3
"""The learned score of a text that names no group and has no rule evidence at all."""
"""The learned score of a text that reports ("according to the police", an arrest, a court)
and in which the rules found no hostility of the author's own (rule score below LABEL_FLOOR)."""


@dataclass(frozen=True, slots=True)
class Target:
    pattern: re.Pattern[str]
    group_id: str
    derogatory: bool


@dataclass(frozen=True, slots=True)
class HateLexicon:
    cues: dict[str, re.Pattern[str]]
    preventive: re.Pattern[str]
    reporting: re.Pattern[str]
    pronouns: re.Pattern[str]
    targets: tuple[Target, ...]
    any_target: re.Pattern[str]
    """Every target pattern in one: a sentence none of them matches is skipped at once."""
    weights: dict[str, float]
    damping: float
    previous_sentence: float


@dataclass(frozen=True, slots=True)
class HateModel:
    """A classifier of hostile sentences and the lexicon that de-obfuscates its words."""

    classifier: LinearTextModel
    words: ToxicityLexicon


def parse_hate_lexicon(raw: object, *, source: str = "<data>") -> HateLexicon:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("cues"), Mapping):
        raise ConfigError(f"{source} must be a mapping with 'cues'", code=codes.R211)
    weights = {str(k): float(v) for k, v in dict(raw.get("weights") or {}).items()}
    if set(weights) != WEIGHT_KEYS or set(raw["cues"]) != set(CUE_KINDS):
        raise ConfigError(
            f"{source}: cues must be {list(CUE_KINDS)}, weights {sorted(WEIGHT_KEYS)}",
            code=codes.R212,
        )
    targets = (*(_target(item, source) for item in raw.get("targets") or ()),
               *_slur_targets(raw.get("slurs"), raw.get("not_slurs"), source))
    return HateLexicon(
        cues={kind: _bounded([p for forms in dict(raw["cues"][kind]).values() for p in forms],
                             source) for kind in CUE_KINDS},
        preventive=_bounded([p for forms in dict(raw.get("preventive") or {}).values()
                             for p in forms], source),
        reporting=_bounded([p for forms in dict(raw.get("reporting") or {}).values()
                            for p in forms], source),
        pronouns=_bounded([p for forms in dict(raw.get("pronouns") or {}).values()
                           for p in forms], source),
        targets=targets,
        any_target=_bounded([t.pattern.pattern for t in targets], source),
        weights=weights,
        damping=float(raw.get("damping", 0.2)),
        previous_sentence=float(raw.get("previous_sentence", 0.7)),
    )


def _bounded(patterns: Sequence[str], source: str) -> re.Pattern[str]:
    joined = "|".join(f"(?:{p})" for p in patterns) or r"(?!x)x"
    try:
        return re.compile(rf"(?<!\w)(?:{joined})(?!\w)")
    except re.error as exc:
        raise ConfigError(f"{source}: bad pattern: {exc}", code=codes.R213) from exc


def _target(item: object, source: str) -> Target:
    if not isinstance(item, Mapping) or not {"pattern", "id"} <= set(item):
        raise ConfigError(f"{source}: a target needs 'pattern' and 'id', got {item!r}", code=codes.R214)
    return Target(_bounded([str(item["pattern"])], source), str(item["id"]),
                  bool(item.get("derogatory", False)))


LOOKALIKE_CLASSES = {"о": "о0", "а": "а@", "е": "е3", "з": "з3", "ч": "ч4", "б": "б6", "и": "иі"}
"""Characters written for a Russian letter to evade filters (normalise() has already turned
Latin look-alikes Cyrillic)."""
SLUR_GAP = r"[.\-_]?"
"""One dot, dash or underscore between two letters ("чуч.мек", "х-ач")."""
MASK = "*"


def slur_pattern(stem: str) -> str:
    """A stem of a derogatory name as a pattern: any Russian ending follows it, each letter after
    the first may be a look-alike digit or a masking ``*``, and one dot, dash or underscore
    may split two letters («х0хлы», «ч*рки», «чуч.меков»)."""
    letters = [re.escape(stem[0])]
    for char in stem[1:]:
        letters.append(SLUR_GAP + "[" + re.escape(LOOKALIKE_CLASSES.get(char, char)) + r"\*]")
    return "".join(letters) + r"\w*"


def _slur_targets(raw: object, excluded: object, source: str) -> list[Target]:
    """``slurs`` (group id -> stems) as derogatory targets; ``not_slurs`` are ordinary words that
    begin like a slur ("хохлатый" crested, "жидкий" liquid, "хачапури")."""
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: 'slurs' must map a group id to stems", code=codes.R214)
    guard = "|".join(f"(?:{p})" for p in excluded) if isinstance(excluded, list) else ""
    prefix = rf"(?!(?:{guard})(?!\w))" if guard else ""
    return [Target(_bounded([prefix + "(?:" + "|".join(slur_pattern(str(s)) for s in stems) + ")"],
                            source), str(group), True)
            for group, stems in raw.items() if stems]


def masked_too_much(found: str) -> bool:
    """A slur match that is mostly masks ("х**", "ж**олиз" could be anything): two masks in a
    row, fewer than three letters, or more masks than a third of its length."""
    masks = found.count(MASK)
    return masks > 0 and (MASK * 2 in found or len(found) - masks < 3 or masks * 3 > len(found))


@lru_cache(maxsize=1)
def load_hate_lexicon() -> HateLexicon:
    """The cues shipped with Birlik, parsed once per process."""
    source = resources.files("birlik.resources") / "data" / LEXICON_FILE
    try:
        raw = load_yaml(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {LEXICON_FILE}: {exc} — reinstall Birlik", code=codes.R210) from exc
    return parse_hate_lexicon(raw, source=LEXICON_FILE)


@lru_cache(maxsize=1)
def load_hate_learned() -> CalibratedLogistic:
    """The learned layer shipped with Birlik (``resources/models/hate_v2.json``)."""
    return load_model(model_file(LEARNED_FILE))


def groups_named(doc: Document) -> bool:
    return any(m.type == "ETHNIC_GROUP" for m in doc.entities)


def hate_features(rule: Signal, doc: Document) -> dict[str, float]:
    """What the learned layer reads: the rule score, the strongest evidence of each kind,
    whether hostility was only reported, whether a group is named, and the language."""
    values = dict.fromkeys(EVIDENCE_KINDS, 0.0)
    reported = 0.0
    for item in rule.evidence:
        kind = item.reason.removeprefix("hate.")
        if kind in values:
            values[kind] = max(values[kind], item.weight)
        elif kind == "reported":
            reported = 1.0
    values["rule"] = rule.score or 0.0
    values["reported"] = reported
    values["target"] = 1.0 if groups_named(doc) else 0.0
    for code in LANGS:
        values[f"lang_{code}"] = 1.0 if doc.lang == code else 0.0
    return values


def load_hate_model(path: Path | str | None = None) -> HateModel:
    return HateModel(LinearTextModel.load(path or model_path(MODEL_FILE)), load_toxicity_lexicon())


@dataclass(frozen=True, slots=True)
class _Aim:
    """A group named in a sentence: its span, id, whether by a slur, and how sure."""

    start: int
    end: int
    group_id: str
    derogatory: bool
    strength: float


@dataclass(frozen=True, slots=True)
class SentenceHate:
    sentence: Sentence
    score: float
    groups: tuple[str, ...]
    evidence: tuple[Evidence, ...]


class HateStage:
    """Sets ``doc.signals["hate"]``: 0–1, evidence, reasons and ``labels`` per targeted group."""

    name = "hate.v2"
    requires = frozenset({"entities", "sentences", "signals.toxicity"})
    provides = frozenset({"signals.hate"})

    def __init__(self, model: HateModel | None, lexicon: HateLexicon,
                 embedder: Embedder | None = None, learned: CalibratedLogistic | None = None) -> None:
        self.model = model
        self.lexicon = lexicon
        self.embedder = embedder
        self.learned = learned

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.signals[SIGNAL] = self.signal(doc)
        return docs

    def signal(self, doc: Document) -> Signal:
        rule = self.rule_signal(doc)
        if self.learned is None:
            return rule
        norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        stems = word_stems(norm, self.learned.lexical_size)
        score = round(self.learned.probability(hate_features(rule, doc), stems), 4)
        if rule.score is not None and rule.score < LABEL_FLOOR and score > REPORT_CAP \
                and self.lexicon.reporting.search(norm) is not None:
            score = REPORT_CAP  # a report the rules found no own hostility in stays a report
        if not rule.evidence and not groups_named(doc) and score > UNTARGETED_CAP:
            score = UNTARGETED_CAP  # hate is aimed at a group: without one it is not hate
        evidence = [*rule.evidence, *self._lexical(doc.text, norm)] if score >= LABEL_FLOOR \
            else list(rule.evidence)
        reasons = sorted({e.reason for e in evidence if e.reason != "hate.target"})
        groups = list(rule.labels) or list(dict.fromkeys(
            m.id for m in doc.entities if m.type == "ETHNIC_GROUP" and m.id))
        labels = {group: score for group in groups} if score >= LABEL_FLOOR else {}
        return Signal(name=SIGNAL, score=score, evidence=evidence, reasons=reasons, labels=labels)

    def _lexical(self, text: str, norm: str) -> list[Evidence]:
        """The words whose stems pushed the learned score up most."""
        assert self.learned is not None
        weights, size = self.learned.lexical, self.learned.lexical_size
        spans: dict[str, Evidence] = {}
        for match in WORD.finditer(norm):
            stem = match.group(0)[:size]
            if weights.get(stem, 0.0) > 0.05 and stem not in spans:
                spans[stem] = Evidence(start=match.start(), end=match.end(),
                                       text=text[match.start() : match.end()], reason="hate.lexical",
                                       weight=weights[stem])
        return sorted(spans.values(), key=lambda e: -e.weight)[:LEXICAL_EVIDENCE]

    def rule_signal(self, doc: Document) -> Signal:
        """The score of the rules alone (the learned layer's main input)."""
        norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        mentions = StartIndex(m for m in doc.entities if m.type == "ETHNIC_GROUP" and m.id)
        toxicity = doc.signals.get("toxicity")
        toxic_evidence = toxicity.evidence if toxicity is not None else []
        scored: list[SentenceHate] = []
        previous: list[_Aim] = []
        for sentence in doc.sentences or [Sentence(0, len(doc.text))]:
            aims = self._aims(norm, sentence, mentions.starting_in(sentence.start, sentence.end))
            scored.append(self.sentence(doc.text, norm, sentence, aims, previous, toxic_evidence))
            previous = aims
        labels: dict[str, float] = {}
        for item in scored:
            for group in item.groups:
                labels[group] = max(labels.get(group, 0.0), item.score)
        evidence = [e for item in scored for e in item.evidence]
        return Signal(
            name=SIGNAL, score=document_score([s.score for s in scored]), evidence=evidence,
            reasons=sorted({e.reason for e in evidence if e.reason != "hate.target"}),
            labels={g: s for g, s in labels.items() if s >= LABEL_FLOOR},
        )

    def sentence(
        self, text: str, norm: str, sentence: Sentence, aims: list[_Aim], previous: list[_Aim],
        toxic_evidence: Sequence[Evidence],
    ) -> SentenceHate:
        cues = self._cues(norm, sentence)
        factor = 1.0
        if not aims and any(kind in STRONG_CUES for _, _, kind in cues):
            aims, factor = previous, self.lexicon.previous_sentence
            aims = [_Aim(a.start, a.end, a.group_id, False, a.strength) for a in aims]
            if not aims and any(kind in PRONOUN_CUES for _, _, kind in cues):
                factor = 1.0
                aims = [_Aim(m.start(), m.end(), "unnamed_group", False, PRONOUN_TARGET) for m in
                        self.lexicon.pronouns.finditer(norm, sentence.start, sentence.end)][:1]
        if not aims:
            return SentenceHate(sentence, 0.0, (), ())
        strength = factor * max(a.strength for a in aims)
        weights = self.lexicon.weights
        reported = self.lexicon.reporting.search(norm, sentence.start, sentence.end) is not None
        damping = self.lexicon.damping if reported or self.lexicon.preventive.search(
            norm, sentence.start, sentence.end) else 1.0
        quotes = _quoted_spans(norm, sentence)
        evidence = [
            Evidence(start=a.start, end=a.end, text=text[a.start : a.end], reason="hate.slur",
                     weight=weights["slur"] * a.strength * self._damped(reported, quotes, a.start))
            for a in aims if a.derogatory
        ]
        evidence += [
            Evidence(start=s, end=e, text=text[s:e], reason=f"hate.{kind}",
                     weight=weights[kind] * strength * damping
                     * self._damped(False, quotes, s))
            for s, e, kind in cues
        ]
        context = self._context(text, sentence, toxic_evidence, strength * damping,
                                model_counts=bool(cues) or any(a.derogatory for a in aims))
        evidence += context
        if self.model is not None:
            evidence += _model_evidence(self.model, text, sentence, strength * damping)
        if reported and (cues or any(a.derogatory for a in aims)):
            evidence.append(Evidence(start=sentence.start, end=sentence.end,
                                     text=text[sentence.start : sentence.end],
                                     reason="hate.reported", weight=0.0))
        miss = 1.0
        for item in evidence:
            miss *= 1.0 - item.weight
        score = 1.0 - miss
        if score >= LABEL_FLOOR:
            evidence += [Evidence(start=a.start, end=a.end, text=text[a.start : a.end],
                                  reason="hate.target", weight=score) for a in aims
                         if a.start >= sentence.start]
        return SentenceHate(sentence, score, tuple(dict.fromkeys(a.group_id for a in aims)),
                            tuple(evidence))

    def _damped(self, reported: bool, quotes: Sequence[tuple[int, int]], start: int) -> float:
        """The damping of a cue or slur that a report carries or that sits inside quotes."""
        if reported or any(s <= start < e for s, e in quotes):
            return self.lexicon.damping
        return 1.0

    def _aims(self, norm: str, sentence: Sentence, mentions: Sequence[Mention]) -> list[_Aim]:
        aims = [
            _Aim(m.start, m.end, m.id or "", m.derogatory,
                 1.0 if m.confidence >= 0.8 else WEAK_TARGET)
            for m in mentions if sentence.start <= m.start < sentence.end
        ]
        if self.lexicon.any_target.search(norm, sentence.start, sentence.end) is None:
            return aims
        taken = {(a.start, a.end) for a in aims}
        for target in self.lexicon.targets:
            for match in target.pattern.finditer(norm, sentence.start, sentence.end):
                if target.derogatory and masked_too_much(match.group(0)):
                    continue
                if not any(s <= match.start() < e for s, e in taken):
                    taken.add((match.start(), match.end()))
                    aims.append(_Aim(match.start(), match.end(), target.group_id,
                                     target.derogatory, 1.0))
        return aims

    def _cues(self, norm: str, sentence: Sentence) -> list[tuple[int, int, str]]:
        return [
            (m.start(), m.end(), kind)
            for kind, pattern in self.lexicon.cues.items()
            for m in pattern.finditer(norm, sentence.start, sentence.end)
        ]

    def _context(self, text: str, sentence: Sentence, toxic_evidence: Sequence[Evidence],
                 strength: float, *, model_counts: bool = True) -> list[Evidence]:
        """The sentence's toxicity as hostility; the toxicity model's verdict counts only beside a
        cue or slur (alone it fires on lists of ethnonyms: "казахский бешбармак, дунганский …")."""
        weights = self.lexicon.weights
        inside = [e for e in toxic_evidence if sentence.start <= e.start < sentence.end]
        best = 0.0
        for item in inside:
            if item.reason in ("toxicity.insult.lexicon", "toxicity.slur.lexicon"):
                best = max(best, weights["insult_context"])
            elif item.reason == "toxicity.obscenity.lexicon":
                best = max(best, weights["obscenity_context"])
            elif item.reason == "toxicity.model" and model_counts:
                best = max(best, weights["model_context"] * item.weight)
        if best == 0.0:
            return []
        return [Evidence(start=sentence.start, end=sentence.end,
                         text=text[sentence.start : sentence.end],
                         reason="hate.hostile_context", weight=best * strength)]


def _quoted_spans(norm: str, sentence: Sentence) -> list[tuple[int, int]]:
    """Spans inside quotation marks in a sentence (the normalised text has one kind of quote)."""
    out: list[tuple[int, int]] = []
    position = sentence.start
    while position < sentence.end:
        opening = norm.find('"', position, sentence.end)
        if opening < 0:
            break
        closing = norm.find('"', opening + 1, sentence.end)
        if closing < 0:
            break
        out.append((opening + 1, closing))
        position = closing + 1
    return out


def _model_evidence(model: HateModel, text: str, sentence: Sentence, strength: float
                    ) -> list[Evidence]:
    words = model_words(model.words.words(text, sentence.start, sentence.end))
    probability = model.classifier.published(model.classifier.probability(words))
    if probability < 0.5:
        return []
    return [Evidence(start=sentence.start, end=sentence.end,
                     text=text[sentence.start : sentence.end], reason="hate.model",
                     weight=MODEL_WEIGHT * probability * strength)]
