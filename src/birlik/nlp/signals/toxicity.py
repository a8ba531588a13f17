"""The ``toxicity`` signal: obscenity and insults in Kazakh, Russian and English.

Each sentence is scored twice and the two scores are joined (noisy-or):

- a lexicon (``resources/data/hostility_toxicity.yaml``) of obscenity, insults and mild rudeness,
  matched on de-obfuscated tokens: Latin look-alikes and digits inside Cyrillic words become
  letters ("xyй", "6лять", "с0бака"), long runs of a letter shrink ("дебииил"), and tokens with
  ``*``, ``@``, ``#`` or dots in place of letters are compared with the lexicon's masked words
  ("х*й", "п**дец", "бл@");
- a logistic regression over hashed character n-grams of the same de-obfuscated words,
  trained by ``scripts/train_toxicity.py`` and shipped as ``resources/models/toxicity_charngram.npz``.

A document is as toxic as its worst sentences. Scores are published on a scale where the
model's tuned decision threshold is 0.5. Evidence: every lexicon hit
(``toxicity.obscenity.lexicon``, ``toxicity.insult.lexicon``, ``toxicity.mild.lexicon``), each
sentence the model finds toxic (``toxicity.model``, weight = the sentence's model probability),
and derogatory ethnonyms found by an earlier entity stage (``toxicity.slur.lexicon``).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Evidence, Sentence, Signal
from birlik.nlp.embed import Embedder
from birlik.resources.yaml_data import load_yaml

SIGNAL = "toxicity"
LEXICON_FILE = "hostility_toxicity.yaml"
MODEL_FILE = "toxicity_charngram.npz"
CATEGORIES: tuple[str, ...] = ("obscenity", "insult", "mild")
MODEL_EVIDENCE_FLOOR = 0.5
"""Model probability (on the published scale) from which a sentence is cited as evidence."""
MODEL_ALONE = 0.7
WORST_SENTENCES = 2
SECOND_SENTENCE_WEIGHT = 0.25
CACHE_SIZE = 200_000

Floats = npt.NDArray[np.float32]

_LOOKALIKES = str.maketrans("aceopxykmtbhurn", "асеорхукмтвнигп")
_DIGITS = str.maketrans("03469", "озчбя")
_MASK_CHARS = "*#%$…@."
_MASK_RUN = re.compile(r"[*#%$…@.]+")
_LONG_RUN = re.compile(r"(\w)\1{2,}")
_DOUBLE = re.compile(r"(\w)\1+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
TOKEN_RE = re.compile(r"[\w*@#%$…'.\-]+")
_STRIP = ".'-…"


@dataclass(frozen=True, slots=True)
class WordForm:
    """A token of the text: its span, its de-obfuscated form, and its lexicon category."""

    start: int
    end: int
    form: str
    category: str | None


def deobfuscate(token: str) -> str:
    """Lower case, ё→е, look-alike Latin letters and digits inside a Cyrillic word turned into
    Cyrillic letters, runs of three or more of one letter shortened to one."""
    word = token.lower().replace("ё", "е")
    if _CYRILLIC.search(word):
        word = word.translate(_LOOKALIKES)
        if _LETTER.search(word):
            word = word.translate(_DIGITS)
    return _LONG_RUN.sub(r"\1", word) if _LONG_RUN.search(word) else word


@dataclass(slots=True)
class ToxicityLexicon:
    """Whole-token patterns and phrases per category, matched on de-obfuscated text."""

    token_patterns: dict[str, re.Pattern[str]]
    phrase_patterns: dict[str, re.Pattern[str]]
    masked_words: tuple[str, ...]
    calm: frozenset[str]
    weights: dict[str, float]
    _cache: dict[str, tuple[str, str | None]] = field(default_factory=dict, repr=False)
    _pieces: dict[str, tuple[int, int, str, str | None] | tuple[()]] = field(
        default_factory=dict, repr=False)

    def word(self, token: str) -> tuple[str, str | None]:
        """The de-obfuscated form of a token and its category (None: not in the lexicon)."""
        found = self._cache.get(token)
        if found is None:
            found = self._classify(token)
            if len(self._cache) < CACHE_SIZE:
                self._cache[token] = found
        return found

    def words(self, text: str, start: int = 0, end: int | None = None) -> list[WordForm]:
        """Tokens of ``text[start:end]`` with exact offsets into ``text``."""
        out: list[WordForm] = []
        pieces = self._pieces
        for match in TOKEN_RE.finditer(text, start, len(text) if end is None else end):
            raw = match.group(0)
            piece = pieces.get(raw)
            if piece is None:
                piece = self._piece(raw)
                if len(pieces) < CACHE_SIZE:
                    pieces[raw] = piece
            if piece:
                left, length, form, category = piece
                begin = match.start() + left
                out.append(WordForm(begin, begin + length, form, category))
        return out

    def _piece(self, raw: str) -> tuple[int, int, str, str | None] | tuple[()]:
        """Where the word is in a matched token (outer dots, apostrophes and hyphens cut),
        its form and category; ``()`` when it has no letter."""
        left = len(raw) - len(raw.lstrip(_STRIP))
        word = raw.strip(_STRIP)
        if not word or not _LETTER.search(word):
            return ()
        form, category = self.word(word)
        return left, len(word), form, category

    def phrases(self, norm_text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """Phrase hits ``(start, end, category)`` inside a sentence of the normalised text."""
        hits: list[tuple[int, int, str]] = []
        for category, pattern in self.phrase_patterns.items():
            hits.extend((m.start(), m.end(), category) for m in pattern.finditer(norm_text, start, end))
        return hits

    def _classify(self, token: str) -> tuple[str, str | None]:
        word = deobfuscate(token)
        if any(ch in _MASK_CHARS for ch in word):
            return self._masked(word)
        return word, self._category(word)

    def _category(self, word: str) -> str | None:
        if word in self.calm or len(word) < 2:
            return None
        single = _DOUBLE.sub(r"\1", word) if _DOUBLE.search(word) else word
        for candidate in dict.fromkeys((word, single)):
            for category, pattern in self.token_patterns.items():
                if pattern.fullmatch(candidate):
                    return category
        return None

    def _masked(self, word: str) -> tuple[str, str | None]:
        """"х*й", "бл@", "с.ка": compare with the masked words; else judge the parts."""
        plain = word.replace("@", "а")
        if "@" in word and not any(ch in _MASK_CHARS for ch in plain):
            category = self._category(plain)
            if category is not None:
                return plain, category
        if len(_LETTER.findall(word)) >= 2:
            pattern = _masked_pattern(word)
            for candidate in self.masked_words:
                if pattern.fullmatch(candidate):
                    return candidate, self._category(candidate) or "obscenity"
        parts = [part for part in _MASK_RUN.split(word) if part]
        category = next((c for c in map(self._category, parts) if c is not None), None)
        return " ".join(parts), category


def _masked_pattern(word: str) -> re.Pattern[str]:
    pieces: list[str] = []
    for piece in re.split(r"([*#%$…@.]+)", word):
        if not piece:
            continue
        if piece[0] in _MASK_CHARS:
            dots_only = set(piece) <= {"."}
            pieces.append(r"\w" if dots_only and len(piece) == 1 else r"\w{1,3}")
        else:
            pieces.append(re.escape(piece))
    return re.compile("".join(pieces))


def parse_toxicity_lexicon(raw: object, *, source: str = "<data>") -> ToxicityLexicon:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("tokens"), Mapping):
        raise ConfigError(f"{source} must be a mapping with 'tokens'", code="R201")
    weights = {str(k): float(v) for k, v in dict(raw.get("weights") or {}).items()}
    unknown = set(raw["tokens"]) - set(CATEGORIES)
    if unknown or set(weights) != set(CATEGORIES):
        raise ConfigError(
            f"{source}: categories must be {list(CATEGORIES)} with a weight each", code="R202"
        )
    return ToxicityLexicon(
        token_patterns=_compile(raw["tokens"], source, whole_token=True),
        phrase_patterns=_compile(raw.get("phrases") or {}, source, whole_token=False),
        masked_words=tuple(deobfuscate(w) for w in raw.get("masked_words") or ()),
        calm=frozenset(deobfuscate(w) for w in raw.get("calm") or ()),
        weights=weights,
    )


def _compile(table: Mapping[str, Any], source: str, *, whole_token: bool) -> dict[str, re.Pattern[str]]:
    out: dict[str, re.Pattern[str]] = {}
    for category, by_lang in table.items():
        patterns = [p for forms in dict(by_lang).values() for p in forms]
        joined = "|".join(f"(?:{p})" for p in patterns)
        if not whole_token:
            joined = rf"(?<!\w)(?:{joined})(?!\w)"
        try:
            out[str(category)] = re.compile(joined)
        except re.error as exc:
            raise ConfigError(f"{source}: {category}: bad pattern: {exc}", code="R203") from exc
    return out


@lru_cache(maxsize=1)
def load_toxicity_lexicon() -> ToxicityLexicon:
    """The lexicon shipped with Birlik, parsed once per process."""
    source = resources.files("birlik.resources") / "data" / LEXICON_FILE
    try:
        raw = load_yaml(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {LEXICON_FILE}: {exc} — reinstall Birlik", code="R200") from exc
    return parse_toxicity_lexicon(raw, source=LEXICON_FILE)


class HashedCharNgrams:
    """Hashed features of words: the word itself and its character n-grams (``<word>``
    padded), counted, L2-normalised. Deterministic across processes (CRC32)."""

    def __init__(self, dim: int = 1 << 18, low: int = 2, high: int = 5) -> None:
        if dim & (dim - 1):
            raise ConfigError(f"hash dimension {dim} must be a power of two", code="M201")
        self.dim, self.low, self.high = dim, low, high
        self._cache: dict[str, npt.NDArray[np.int64]] = {}

    def word_indices(self, word: str) -> npt.NDArray[np.int64]:
        found = self._cache.get(word)
        if found is None:
            padded = f"<{word}>"
            grams = [f"w:{word}"] + [
                padded[i : i + size]
                for size in range(self.low, self.high + 1)
                for i in range(max(1, len(padded) - size + 1))
            ]
            found = np.array([zlib.crc32(g.encode()) for g in grams], dtype=np.int64)
            found &= self.dim - 1
            if len(self._cache) < CACHE_SIZE:
                self._cache[word] = found
        return found

    def vector(self, words: Sequence[str]) -> tuple[npt.NDArray[np.int64], Floats]:
        """Sparse L2-normalised counts: (indices, values)."""
        if not words:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        indices, counts = _unique_counts(np.concatenate([self.word_indices(w) for w in words]))
        values = counts.astype(np.float32)
        return indices, values / np.float32(np.sqrt(float(values @ values)))


def _unique_counts(found: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """``np.unique(found, return_counts=True)`` without its generic overhead (same arrays:
    sorted distinct values and their counts); it ran once per sentence."""
    found.sort()
    first = np.empty(found.shape, dtype=bool)
    first[:1] = True
    np.not_equal(found[1:], found[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, found.size))
    return found[first], counts


@dataclass(frozen=True, slots=True)
class LinearTextModel:
    """Logistic regression over ``HashedCharNgrams``; weights in a ``.npz`` file."""

    weights: Floats
    bias: float
    threshold: float
    """Probability at which the model decides "yes"; mapped to 0.5 on the published scale."""
    features: HashedCharNgrams

    @classmethod
    def load(cls, path: Path | str) -> LinearTextModel:
        try:
            with np.load(path) as data:
                weights = data["weights"].astype(np.float32)
                low, high = (int(v) for v in data["ngram_range"])
                return cls(weights, float(data["bias"]), float(data["threshold"]),
                           HashedCharNgrams(len(weights), low, high))
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"cannot load model {path}: {exc} — retrain it", code="M202") from exc

    def save(self, path: Path | str, **meta: Any) -> None:
        np.savez_compressed(
            path, weights=self.weights.astype(np.float16), bias=np.float32(self.bias),
            threshold=np.float32(self.threshold),
            ngram_range=np.array([self.features.low, self.features.high]), **meta,
        )

    def probability(self, words: Sequence[str]) -> float:
        indices, values = self.features.vector(words)
        logit = self.bias + float(self.weights[indices] @ values)
        return 1.0 / (1.0 + math.exp(-min(max(logit, -50.0), 50.0)))

    def published(self, probability: float) -> float:
        return to_published(probability, self.threshold)


def to_published(probability: float, threshold: float) -> float:
    """Monotone rescale of a probability so that ``threshold`` becomes 0.5."""
    if probability < threshold:
        return 0.5 * probability / threshold
    return 0.5 + 0.5 * (probability - threshold) / (1.0 - threshold)


def model_path(name: str) -> Path:
    return Path(str(resources.files("birlik.resources") / "models" / name))


@dataclass(frozen=True, slots=True)
class ToxicityModel:
    """What the toxicity stage needs: the lexicon and the trained classifier."""

    lexicon: ToxicityLexicon
    classifier: LinearTextModel


def load_toxicity_model(path: Path | str | None = None) -> ToxicityModel:
    """The shipped model (or the one at ``path``), with the shipped lexicon."""
    return ToxicityModel(load_toxicity_lexicon(), LinearTextModel.load(path or model_path(MODEL_FILE)))


@dataclass(frozen=True, slots=True)
class SentenceToxicity:
    sentence: Sentence
    score: float
    model: float
    """The model's probability on the published scale."""
    evidence: tuple[Evidence, ...]


class ToxicityStage:
    """Sets ``doc.signals["toxicity"]``: 0–1, evidence with reason codes, per-category labels.

    ``embedder`` is accepted for the stage family's common signature; the shipped model uses
    character n-grams only (e5 embeddings did not pay for their cost on the measurements in
    ``scripts/train_toxicity.py``).
    """

    name = "toxicity.v1"
    requires = frozenset({"tokens", "sentences"})
    provides = frozenset({"signals.toxicity"})

    def __init__(self, model: ToxicityModel, embedder: Embedder | None = None) -> None:
        self.model = model
        self.embedder = embedder

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.signals[SIGNAL] = self.signal(doc)
        return docs

    def signal(self, doc: Document) -> Signal:
        norm = doc.norm_text if doc.norm_text is not None else _normalise(doc.text)
        scored = [self.sentence(doc.text, norm, s) for s in _sentences(doc)]
        evidence = [e for s in scored for e in s.evidence] + _slur_evidence(doc)
        score = document_score([s.score for s in scored], slur=any(
            e.reason == "toxicity.slur.lexicon" for e in evidence))
        return Signal(
            name=SIGNAL, score=score, evidence=evidence,
            reasons=sorted({e.reason for e in evidence}),
            labels=_labels(scored, evidence),
        )

    def sentence(self, text: str, norm: str, sentence: Sentence) -> SentenceToxicity:
        words, evidence = lexicon_evidence(self.model.lexicon, text, norm, sentence)
        classifier = self.model.classifier
        model = classifier.published(classifier.probability(model_words(words)))
        if model >= MODEL_EVIDENCE_FLOOR:
            evidence.append(Evidence(start=sentence.start, end=sentence.end,
                                     text=text[sentence.start : sentence.end],
                                     reason="toxicity.model", weight=model))
        score = combine(lexical_score(evidence), model)
        return SentenceToxicity(sentence, score, model, tuple(evidence))


def lexicon_evidence(
    lexicon: ToxicityLexicon, text: str, norm: str, sentence: Sentence
) -> tuple[list[WordForm], list[Evidence]]:
    """The sentence's words and its lexicon hits (tokens and phrases) as evidence."""
    words = lexicon.words(text, sentence.start, sentence.end)
    evidence = [
        Evidence(start=w.start, end=w.end, text=text[w.start : w.end],
                 reason=f"toxicity.{w.category}.lexicon", weight=lexicon.weights[w.category])
        for w in words if w.category is not None
    ]
    evidence += [
        Evidence(start=s, end=e, text=text[s:e], reason=f"toxicity.{category}.lexicon",
                 weight=lexicon.weights[category])
        for s, e, category in lexicon.phrases(norm, sentence.start, sentence.end)
    ]
    return words, evidence


def model_words(words: Iterable[WordForm]) -> list[str]:
    """What the classifier reads: the de-obfuscated words ("с.ка" → "сука")."""
    return [part for word in words for part in word.form.split()]


def lexical_score(evidence: Iterable[Evidence]) -> float:
    """Noisy-or of the lexicon hits' weights."""
    miss = 1.0
    for item in evidence:
        if item.reason.endswith(".lexicon"):
            miss *= 1.0 - item.weight
    return 1.0 - miss


def combine(lexical: float, model: float) -> float:
    """Noisy-or of lexicon and model; the model alone counts for less (``MODEL_ALONE``): on
    news sentences unlike its training comments it errs, and a long document has many."""
    if lexical == 0.0:
        model *= MODEL_ALONE
    return 1.0 - (1.0 - lexical) * (1.0 - model)


def document_score(sentence_scores: Iterable[float], *, slur: bool = False) -> float:
    """The worst sentence, raised a little by the second worst; a slur floors it at 0.6."""
    worst = sorted(sentence_scores, reverse=True)[:WORST_SENTENCES] or [0.0]
    score = worst[0]
    if len(worst) > 1:
        score += SECOND_SENTENCE_WEIGHT * worst[1] * (1.0 - worst[0])
    return max(score, 0.6) if slur else score


def _normalise(text: str) -> str:
    from birlik.nlp.text import normalise

    return normalise(text)


def _sentences(doc: Document) -> list[Sentence]:
    if doc.sentences:
        return doc.sentences
    return [Sentence(0, len(doc.text))] if doc.text.strip() else []


def _slur_evidence(doc: Document) -> list[Evidence]:
    return [
        Evidence(start=m.start, end=m.end, text=m.text, reason="toxicity.slur.lexicon", weight=0.6)
        for m in doc.entities if m.type == "ETHNIC_GROUP" and m.derogatory
    ]


def _labels(scored: Sequence[SentenceToxicity], evidence: Sequence[Evidence]) -> dict[str, float]:
    labels = {"model": max((s.model for s in scored), default=0.0)}
    for e in evidence:
        if e.reason.endswith(".lexicon"):
            kind = e.reason.split(".")[1]
            labels[kind] = max(labels.get(kind, 0.0), e.weight)
    return labels
