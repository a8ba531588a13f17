"""The ``toxicity`` signal: abuse in general — obscenity, insults, rudeness — in Kazakh,
Russian and English. (Hostility towards an ethnic group is the separate ``hate`` signal.)

A document is cut into comment-sized windows of sentences (what the model was trained on:
whole comments). Each window is scored by a logistic regression over

- its hits in a lexicon (``resources/data/hostility_toxicity.yaml``) of obscenity, insults and
  mild rudeness, matched on de-obfuscated tokens: Latin look-alikes and digits inside
  Cyrillic words become letters ("xyй", "6лять"), long runs of a letter shrink ("дебииил"),
  letters split by dots, dashes or spaces are joined ("х.у.й", "б л я т ь"), invisible
  characters are dropped, and tokens with ``*``, ``@``, ``#`` or dots in place of letters are
  compared with the lexicon's masked words ("х*й", "п**дец", "бл@");
- hashed character n-grams of the same de-obfuscated words.

The document's probability is its worst window's, raised a little by the second worst. When
the pipeline's ``embed`` stage gave the document an embedding from the embedder the model was
trained with, a second logistic regression reads that embedding together with the lexical
probability, and its verdict is the score; the stage never runs an embedding model itself.
Both are trained by ``scripts/train_toxicity.py`` (``birlik.nlp.signals.toxicity_training``)
and shipped as ``resources/models/toxicity_v2.npz``. Scores are published on a scale where the
decision threshold chosen by cross-validation is 0.5.

Evidence: every lexicon hit (``toxicity.obscenity.lexicon``, ``toxicity.insult.lexicon``,
``toxicity.mild.lexicon``), each window the classifier finds toxic (``toxicity.model``, weight
= its published probability), and derogatory ethnonyms found by an earlier entity stage
(``toxicity.slur.lexicon``, which floors the score at 0.6). ``labels``: the worst lexicon
weight per category, ``model`` (the lexical classifier) and ``embedding`` (the head, when used).
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

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Evidence, Sentence, Signal
from birlik.nlp.embed import Embedder
from birlik.resources.yaml_data import load_yaml

SIGNAL = "toxicity"
LEXICON_FILE = "hostility_toxicity.yaml"
MODEL_FILE = "toxicity_v2.npz"
CATEGORIES: tuple[str, ...] = ("obscenity", "insult", "mild")
MODEL_EVIDENCE_FLOOR = 0.5
"""Model probability (on the published scale) from which a sentence is cited as evidence."""
WINDOW_CHARS = 400
"""Sentences are joined into windows of at most this many characters (comment-sized)."""
SLUR_FLOOR = 0.6
MAX_WORD = 40
"""Longer words reach the classifier cut to this length (a megabyte-long "word" is noise)."""
WORST_SENTENCES = 2
SECOND_SENTENCE_WEIGHT = 0.25
CACHE_SIZE = 200_000

Floats = npt.NDArray[np.float32]

_LOOKALIKES = str.maketrans("aceopxykmtbhurn", "асеорхукмтвнигп")
_DIGITS = str.maketrans("03469", "озчбя")
_MASK_CHARS = "*#%$…@."
_MASK_RUN = re.compile(r"[*#%$…@.]+")
_LONG_RUN = re.compile(r"(\w)\1{2,}")
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_DROP_INVISIBLE = str.maketrans("", "", _INVISIBLE)
_SEPARATED = re.compile(r"[^\W\d_](?:[._\-][^\W\d_]){2,}")
"""Single letters split by dots, underscores or dashes: "х.у.й", "п-и-з-д-а"."""
_SPACED = re.compile(r"(?<!\w)[^\W\d_](?:[ ][^\W\d_]){2,}(?!\w)")
"""Single letters split by spaces: "б л я т ь"."""
_DOUBLE = re.compile(r"(\w)\1+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
TOKEN_RE = re.compile(r"[\w*@#%$…'.\-\u00ad\u200b\u200c\u200d\u2060\ufeff]+")
_STRIP = ".'-…"


@dataclass(frozen=True, slots=True)
class WordForm:
    """A token of the text: its span, its de-obfuscated form, and its lexicon category."""

    start: int
    end: int
    form: str
    category: str | None


def deobfuscate(token: str) -> str:
    """Invisible characters dropped, lower case, ё→е, look-alike Latin letters and digits
    inside a Cyrillic word turned into Cyrillic letters, runs of three or more of one letter
    shortened to one."""
    word = token.translate(_DROP_INVISIBLE).lower().replace("ё", "е")
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
    calm_phrases: re.Pattern[str] | None = None
    """Phrases where a lexicon word has its ordinary sense ("тупой угол", "сука породы
    алабай"): hits inside them do not count."""
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
        """Tokens of ``text[start:end]`` with exact offsets into ``text``; a run of single
        letters split by spaces that spells a lexicon word is one token."""
        stop = len(text) if end is None else end
        spaced = [m for m in _SPACED.finditer(text, start, stop)
                  if self.word(m.group(0).replace(" ", ""))[1] is not None]
        out: list[WordForm] = []
        pieces = self._pieces
        for match in TOKEN_RE.finditer(text, start, stop):
            if spaced and any(m.start() <= match.start() < m.end() for m in spaced):
                continue
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
        for m in spaced:
            form, category = self.word(m.group(0).replace(" ", ""))
            out.append(WordForm(m.start(), m.end(), form, category))
        return sorted(out, key=lambda w: w.start) if spaced else out

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
        if _SEPARATED.fullmatch(word):
            joined = re.sub(r"[._\-]", "", word)
            category = self._category(joined)
            if category is not None:
                return joined, category
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
        raise ConfigError(f"{source} must be a mapping with 'tokens'", code=codes.R201)
    weights = {str(k): float(v) for k, v in dict(raw.get("weights") or {}).items()}
    unknown = set(raw["tokens"]) - set(CATEGORIES)
    if unknown or set(weights) != set(CATEGORIES):
        raise ConfigError(
            f"{source}: categories must be {list(CATEGORIES)} with a weight each", code=codes.R202
        )
    return ToxicityLexicon(
        token_patterns=_compile(raw["tokens"], source, whole_token=True),
        phrase_patterns=_compile(raw.get("phrases") or {}, source, whole_token=False),
        masked_words=tuple(deobfuscate(w) for w in raw.get("masked_words") or ()),
        calm=frozenset(deobfuscate(w) for w in raw.get("calm") or ()),
        weights=weights,
        calm_phrases=_calm_phrases(raw.get("calm_phrases") or {}, source),
    )


def _calm_phrases(table: Mapping[str, Any], source: str) -> re.Pattern[str] | None:
    patterns = [p for forms in dict(table).values() for p in forms]
    if not patterns:
        return None
    try:
        return re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{p})" for p in patterns) + r")(?!\w)")
    except re.error as exc:
        raise ConfigError(f"{source}: calm_phrases: bad pattern: {exc}", code=codes.R203) from exc


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
            raise ConfigError(f"{source}: {category}: bad pattern: {exc}", code=codes.R203) from exc
    return out


@lru_cache(maxsize=1)
def load_toxicity_lexicon() -> ToxicityLexicon:
    """The lexicon shipped with Birlik, parsed once per process."""
    source = resources.files("birlik.resources") / "data" / LEXICON_FILE
    try:
        raw = load_yaml(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {LEXICON_FILE}: {exc} — reinstall Birlik", code=codes.R200) from exc
    return parse_toxicity_lexicon(raw, source=LEXICON_FILE)


class HashedCharNgrams:
    """Hashed features of words: the word itself and its character n-grams (``<word>``
    padded), counted, L2-normalised. Deterministic across processes (CRC32)."""

    def __init__(self, dim: int = 1 << 18, low: int = 2, high: int = 5) -> None:
        if dim & (dim - 1):
            raise ConfigError(f"hash dimension {dim} must be a power of two", code=codes.M201)
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
            raise ConfigError(f"cannot load model {path}: {exc} — retrain it", code=codes.M202) from exc

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


LEXICON_FEATURES: tuple[str, ...] = (
    "obscenity.log_count", "insult.log_count", "mild.log_count",
    "obscenity.any", "insult.any", "mild.any", "lexicon.score",
)
"""What the classifier reads from the lexicon hits of a window, besides its character n-grams."""


def lexicon_features(evidence: Iterable[Evidence]) -> Floats:
    """The window's lexicon hits as ``LEXICON_FEATURES``: per category the log of one plus
    the count and whether any, then the noisy-or of the hits' weights."""
    counts = dict.fromkeys(CATEGORIES, 0)
    hits = [e for e in evidence if e.reason.endswith(".lexicon")]
    for item in hits:
        category = item.reason.split(".")[1]
        if category in counts:
            counts[category] += 1
    values = [math.log1p(counts[c]) for c in CATEGORIES] + [float(counts[c] > 0) for c in CATEGORIES]
    return np.array([*values, lexical_score(hits)], dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Window:
    """A comment-sized run of sentences: what the classifier was trained on (whole comments)."""

    start: int
    end: int
    words: tuple[str, ...]
    features: Floats
    evidence: tuple[Evidence, ...]
    sentences: tuple[Sentence, ...] = ()


def windows(lexicon: ToxicityLexicon, text: str, norm: str, sentences: Sequence[Sentence],
            max_chars: int = WINDOW_CHARS) -> list[Window]:
    """Consecutive sentences joined while the run stays within ``max_chars`` (a sentence
    longer than that is a window of its own), with their words (less the lexicon's calm words:
    "cockpit" is not to be read by its n-grams) and lexicon hits."""
    out: list[Window] = []
    group: list[tuple[Sentence, list[WordForm], list[Evidence]]] = []

    def flush() -> None:
        if group:
            words = tuple(w[:MAX_WORD] for _, forms, _ in group for w in model_words(forms)
                          if w not in lexicon.calm)
            evidence = tuple(e for *_, hits in group for e in hits)
            out.append(Window(group[0][0].start, group[-1][0].end, words,
                              lexicon_features(evidence), evidence, tuple(s for s, *_ in group)))
            group.clear()

    for sentence in sentences:
        if group and sentence.end - group[0][0].start > max_chars:
            flush()
        forms, evidence = lexicon_evidence(lexicon, text, norm, sentence)
        group.append((sentence, forms, evidence))
    flush()
    return out


@dataclass(frozen=True, slots=True)
class ToxicityClassifier:
    """Logistic regression over a window's hashed character n-grams and its
    ``LEXICON_FEATURES``; ``threshold`` (chosen by cross-validation when trained) is published
    as 0.5."""

    ngram_weights: Floats
    lexicon_weights: Floats
    bias: float
    threshold: float
    features: HashedCharNgrams

    def logit(self, window: Window) -> float:
        indices, values = self.features.vector(window.words)
        return (self.bias + float(self.ngram_weights[indices] @ values)
                + float(self.lexicon_weights @ window.features))

    def probability(self, window: Window) -> float:
        return sigmoid(self.logit(window))


@dataclass(frozen=True, slots=True)
class EmbeddingHead:
    """Logistic regression over the document's embedding and the logit of the lexical
    document probability (stacked: trained on out-of-fold lexical probabilities).
    ``embedder`` names the only embedder whose vectors it reads."""

    weights: Floats
    lexical_weight: float
    bias: float
    threshold: float
    embedder: str

    def probability(self, embedding: Floats, lexical: float) -> float:
        return sigmoid(self.bias + float(self.weights @ embedding) + self.lexical_weight * logit(lexical))


def sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-min(max(value, -50.0), 50.0)))


def logit(probability: float) -> float:
    p = min(max(probability, 1e-6), 1.0 - 1e-6)
    return math.log(p / (1.0 - p))


@dataclass(frozen=True, slots=True)
class ToxicityModel:
    """What the toxicity stage needs: the lexicon, the lexical classifier and (optionally)
    the head that also reads the document's embedding."""

    lexicon: ToxicityLexicon
    classifier: ToxicityClassifier
    head: EmbeddingHead | None = None


def save_toxicity_model(path: Path | str, classifier: ToxicityClassifier,
                        head: EmbeddingHead | None, **meta: Any) -> None:
    arrays: dict[str, Any] = {
        "ngram_weights": classifier.ngram_weights.astype(np.float16),
        "lexicon_weights": classifier.lexicon_weights.astype(np.float32),
        "bias": np.float32(classifier.bias), "threshold": np.float32(classifier.threshold),
        "ngram_range": np.array([classifier.features.low, classifier.features.high]),
        "lexicon_features": np.array(LEXICON_FEATURES),
    }
    if head is not None:
        arrays |= {
            "head_weights": head.weights.astype(np.float32),
            "head_lexical_weight": np.float32(head.lexical_weight),
            "head_bias": np.float32(head.bias), "head_threshold": np.float32(head.threshold),
            "head_embedder": np.array(head.embedder),
        }
    np.savez_compressed(path, **arrays, **meta)


def load_toxicity_model(path: Path | str | None = None) -> ToxicityModel:
    """The shipped model (or the one at ``path``), with the shipped lexicon."""
    source = path or model_path(MODEL_FILE)
    try:
        with np.load(source) as data:
            if tuple(str(v) for v in data["lexicon_features"]) != LEXICON_FEATURES:
                raise ValueError("its lexicon features differ from this version's")
            weights = data["ngram_weights"].astype(np.float32)
            low, high = (int(v) for v in data["ngram_range"])
            classifier = ToxicityClassifier(
                weights, data["lexicon_weights"].astype(np.float32), float(data["bias"]),
                float(data["threshold"]), HashedCharNgrams(len(weights), low, high))
            head = None
            if "head_weights" in data:
                head = EmbeddingHead(
                    data["head_weights"].astype(np.float32), float(data["head_lexical_weight"]),
                    float(data["head_bias"]), float(data["head_threshold"]),
                    str(data["head_embedder"]))
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(
            f"cannot load toxicity model {source}: {exc} — rebuild it with "
            "scripts/train_toxicity.py", code=codes.M203) from exc
    return ToxicityModel(load_toxicity_lexicon(), classifier, head)


@dataclass(frozen=True, slots=True)
class WindowToxicity:
    window: Window
    model: float
    """The classifier's probability on the published scale."""
    probability: float
    evidence: tuple[Evidence, ...]


class ToxicityStage:
    """Sets ``doc.signals["toxicity"]``: 0–1, evidence with reason codes, per-category labels.

    ``embedder``: the embedder of the pipeline's ``embed`` stage. When it is the one the
    model's head was trained with and the document has an embedding, the score comes from the
    head (embedding + lexical probability); otherwise from the lexical classifier alone. The
    stage never runs an embedding model itself.
    """

    name = "toxicity.v2"
    requires = frozenset({"tokens", "sentences"})
    provides = frozenset({"signals.toxicity"})

    def __init__(self, model: ToxicityModel, embedder: Embedder | None = None) -> None:
        self.model = model
        self.embedder = embedder
        head = model.head
        self.head = head if head is not None and embedder is not None and (
            embedder.name == head.embedder and embedder.dim == len(head.weights)) else None

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.signals[SIGNAL] = self.signal(doc)
        return docs

    def signal(self, doc: Document) -> Signal:
        norm = doc.norm_text if doc.norm_text is not None else _normalise(doc.text)
        scored = self.windows(doc.text, norm, _sentences(doc))
        evidence = [e for w in scored for e in w.evidence] + _slur_evidence(doc)
        lexical = aggregate([w.probability for w in scored])
        classifier = self.model.classifier
        labels = _labels(scored, evidence)
        score = to_published(lexical, classifier.threshold)
        reasons = {e.reason for e in evidence}
        embedding = self._embedding(doc)
        if self.head is not None and embedding is not None:
            score = to_published(self.head.probability(embedding, lexical), self.head.threshold)
            labels["embedding"] = score
            reasons.add("toxicity.embedding")
        if any(e.reason == "toxicity.slur.lexicon" for e in evidence):
            score = max(score, SLUR_FLOOR)
        return Signal(name=SIGNAL, score=score, evidence=evidence, reasons=sorted(reasons),
                      labels=labels)

    def windows(self, text: str, norm: str, sentences: Sequence[Sentence]) -> list[WindowToxicity]:
        classifier = self.model.classifier
        out = []
        for window in windows(self.model.lexicon, text, norm, sentences):
            probability = classifier.probability(window)
            model = to_published(probability, classifier.threshold)
            evidence = list(window.evidence)
            if model >= MODEL_EVIDENCE_FLOOR:
                evidence += [Evidence(start=s.start, end=s.end, text=text[s.start : s.end],
                                      reason="toxicity.model", weight=model)
                             for s in _cited(window)]
            out.append(WindowToxicity(window, model, probability, tuple(evidence)))
        return out

    def _embedding(self, doc: Document) -> Floats | None:
        vector = doc.embedding
        if self.head is None or vector is None:
            return None
        array = np.asarray(vector, dtype=np.float32)
        if array.shape != self.head.weights.shape or not np.all(np.isfinite(array)):
            return None
        return array


def _cited(window: Window) -> list[Sentence]:
    """The sentences of a toxic window to cite: those with lexicon hits, else all of them."""
    sentences = list(window.sentences) or [Sentence(window.start, window.end)]
    hit = [s for s in sentences if any(s.start <= e.start < s.end for e in window.evidence)]
    return hit or sentences


def lexicon_evidence(
    lexicon: ToxicityLexicon, text: str, norm: str, sentence: Sentence
) -> tuple[list[WordForm], list[Evidence]]:
    """The sentence's words and its lexicon hits (tokens and phrases, none inside a calm
    phrase) as evidence."""
    words = lexicon.words(text, sentence.start, sentence.end)
    calm = [] if lexicon.calm_phrases is None else [
        m.span() for m in lexicon.calm_phrases.finditer(norm, sentence.start, sentence.end)]
    if calm:
        words = [WordForm(w.start, w.end, w.form, None)
                 if any(s <= w.start < e for s, e in calm) else w for w in words]
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


def aggregate(window_probabilities: Iterable[float]) -> float:
    """A document's probability from its windows': the worst, raised a little by the second
    worst (a long text has more chances of one false alarm, and of real abuse)."""
    return document_score(window_probabilities)


def document_score(sentence_scores: Iterable[float], *, slur: bool = False) -> float:
    """The worst sentence, raised a little by the second worst; a slur floors it at 0.6."""
    worst = sorted(sentence_scores, reverse=True)[:WORST_SENTENCES] or [0.0]
    score = worst[0]
    if len(worst) > 1:
        score += SECOND_SENTENCE_WEIGHT * worst[1] * (1.0 - worst[0])
    return max(score, SLUR_FLOOR) if slur else score


def sentences_of(text: str) -> list[Sentence]:
    """The sentences the stage would see for a bare text (the segment stage's splitter)."""
    from birlik.domain.text import split_sentences

    return split_sentences(text) or _whole_text(text)


def _normalise(text: str) -> str:
    from birlik.domain.text import normalise

    return normalise(text)


def _whole_text(text: str) -> list[Sentence]:
    return [Sentence(0, len(text))] if text.strip() else []


def _sentences(doc: Document) -> list[Sentence]:
    return doc.sentences or _whole_text(doc.text)


def _slur_evidence(doc: Document) -> list[Evidence]:
    return [
        Evidence(start=m.start, end=m.end, text=m.text, reason="toxicity.slur.lexicon", weight=SLUR_FLOOR)
        for m in doc.entities if m.type == "ETHNIC_GROUP" and m.derogatory
    ]


def _labels(scored: Sequence[WindowToxicity], evidence: Sequence[Evidence]) -> dict[str, float]:
    labels = {"model": max((w.model for w in scored), default=0.0)}
    for e in evidence:
        if e.reason.endswith(".lexicon"):
            kind = e.reason.split(".")[1]
            labels[kind] = max(labels.get(kind, 0.0), e.weight)
    return labels
