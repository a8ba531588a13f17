"""Kazakh named entities: PERSON, ORG, PLACE and ETHNIC_GROUP from a CRF trained on KazNERD.

The model (``resources/models/kk_ner.crfsuite``, card in ``kk_ner.md``) is trained by
``scripts/train_kk_ner.py`` on the project's own tokens, with ``FeatureExtractor`` below:
the same class makes the features at training and at run time, so any change to it needs a
retrained model. ``KazakhNer`` is built once (``KazakhNer.load()``) and passed to ``KazakhNerStage``.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from importlib import resources
from typing import NamedTuple

import pycrfsuite  # type: ignore[import-untyped]  # python-crfsuite ships no type hints

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Mention, Token
from birlik.domain.text import normalise

MODEL_PACKAGE = "birlik.resources"
MODEL_PATH = ("models", "kk_ner.crfsuite")

#: KazNERD class -> the project's entity type; every other class is outside (``O``).
KAZNERD_TYPES: dict[str, str] = {
    "PERSON": "PERSON", "ORGANISATION": "ORG", "GPE": "PLACE", "LOCATION": "PLACE",
    "NORP": "ETHNIC_GROUP",
}
_LABEL_TYPES = {**KAZNERD_TYPES, **{ours: ours for ours in KAZNERD_TYPES.values()}}
OTHER_NAME = "OTHER"
"""The model's class for KazNERD's 20 other kinds of names (a facility, an event, a title, a
law, an amount…). The stage emits these spans too, so that resolution does not put a lexicon
place or organisation inside "Алматы әуежайы" or "АҚШ Мемлекеттік хатшысы";
``EntityResolveStage`` drops them."""

_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_AFFIX_LENGTHS = (1, 2, 3, 4, 5)

#: Endings stripped from the end of a word, at most one of each group in this order (case,
#: possessive, plural, demonym), longest first, keeping three letters: a crude stem
#: ("облыстарындағы" -> "облыс", "ақтөбеліктердің" -> "ақтөбе").
_ENDING_GROUPS: tuple[tuple[str, ...], ...] = tuple(
    tuple(sorted(group.split(), key=len, reverse=True)) for group in (
        "ның нің дың дің тың тің ға ге қа ке на не а е ны ні ды ді ты ті н да де та те нда нде "
        "дан ден тан тен нан нен мен бен пен менен дағы дегі тағы тегі ндағы ндегі",
        "ым ім м ың ің ң ы і сы сі мыз міз ңыз ңіз ымыз іміз",
        "лар лер дар дер тар тер",
        "лық лік дық дік тық тік",
    )
)
_MIN_STEM = 3
#: Each group's endings by length, longest first: a word ends with at most one of each length.
_ENDINGS_BY_LENGTH: tuple[tuple[tuple[int, frozenset[str]], ...], ...] = tuple(
    tuple((length, frozenset(e for e in group if len(e) == length))
          for length in sorted({len(e) for e in group}, reverse=True))
    for group in _ENDING_GROUPS
)

#: Stems of place names: the regions and large cities of Kazakhstan, neighbours and
#: frequent foreign places. A feature, not a gazetteer: the model learns how far to trust it.
_PLACE_NAMES = """
    қазақстан астана нұр-сұлтан алматы шымкент ақмола ақтөбе атырау ақтау маңғыстау
    қарағанды қостанай қызылорда павлодар петропавл түркістан тараз жамбыл орал өскемен
    семей талдықорған жетісу ұлытау жезқазған абай көкшетау екібастұз теміртау байқоңыр
    кентау жаңаөзен балқаш сәтбаев арқалық рудный лисаковск риддер зайсан қонаев арыс
    сарыағаш жаркент ресей мәскеу қытай бейжің өзбекстан ташкент қырғызстан бішкек
    тәжікстан түрікменстан әзербайжан грузия армения украина беларусь түркия анкара
    ыстамбұл иран ауғанстан моңғолия жапония корея сеул үндістан пәкістан
    германия берлин франция париж италия испания британия лондон америка ақш вашингтон
    канада польша чехия венгрия австрия швейцария нидерланд бельгия швеция норвегия
    финляндия дания израиль египет сауд араб эмираттар дубай катар кувейт сингапур
    малайзия индонезия вьетнам таиланд бразилия аргентина мексика австралия еуропа
    азия африка еуразия каспий арал балқаш ертіс есіл сырдария іле алатау алтай тарбағатай
"""
_PLACE_STEMS = frozenset(_PLACE_NAMES.split())

#: Stems of ethnonyms (nouns and adjectives) of peoples of Kazakhstan and neighbours.
_ETHNONYMS = """
    қазақ орыс өзбек ұйғыр украин татар неміс кәріс корей түрік әзербайжан дүнген беларус
    шешен ингуш қырғыз тәжік түрікмен башқұрт поляк грек күрд армян грузин еврей қытай
    жапон араб парсы моңғол қарақалпақ чуваш мордва лезгин ноғай француз ағылшын америка
    славян түркі
"""
_ETHNIC_STEMS = frozenset(_ETHNONYMS.split())


def word_features(words: Sequence[str], gaps: Sequence[str] | None = None) -> list[list[str]]:
    """CRF features of each word of a sentence (see ``FeatureExtractor``)."""
    return FeatureExtractor().features(words, gaps)


class _WordFeatures(NamedTuple):
    """What a word contributes to its own features and to its neighbours'."""

    lower: str
    own: tuple[str, ...]
    as_previous: tuple[str, ...]
    as_next: tuple[str, ...]
    as_second_previous: tuple[str, ...]
    as_second_next: tuple[str, ...]


class FeatureExtractor:
    """The features of the model: the word itself (lower-cased), its stem, prefixes and
    suffixes, shape, capitals, Kazakh letters, membership of a few place names and
    ethnonyms, the words two either side, and the punctuation between words (``gaps``, see
    ``token_gaps``; the tokenizer drops it, but a comma or a quote is where names start and
    end). Training and tagging use this one class, so they see the same features.

    Given ``known`` (the features a trained model has weights for), every other feature is
    dropped: the tags do not change, and crfsuite has fewer strings to look up. Words are
    cached (up to ``cache_size``), so frequent words cost one dictionary look-up."""

    def __init__(self, known: frozenset[str] | None = None, cache_size: int = 50_000) -> None:
        self.known = known
        self.cache_size = cache_size
        self._cache: dict[str, _WordFeatures] = {}

    def features(self, words: Sequence[str], gaps: Sequence[str] | None = None) -> list[list[str]]:
        cache = self._cache
        infos = [cache.get(word) or self._word(word) for word in words]
        known = self.known
        out: list[list[str]] = []
        last = len(words) - 1
        for index, info in enumerate(infos):
            features = list(info.own)
            if index == 0:
                features.append("first")
            else:
                previous = infos[index - 1]
                features += previous.as_previous
                pair = "w-1|w=" + previous.lower + "|" + info.lower
                if known is None or pair in known:
                    features.append(pair)
                if index > 1:
                    features += infos[index - 2].as_second_previous
            if index == last:
                features.append("last")
            else:
                features += infos[index + 1].as_next
                if index < last - 1:
                    features += infos[index + 2].as_second_next
            out.append(features)
        if gaps is not None:
            self._add_gaps(out, gaps)
        return out

    def _add_gaps(self, features: list[list[str]], gaps: Sequence[str]) -> None:
        known = self.known
        for index, word in enumerate(features):
            before, after = gaps[index], gaps[index + 1]
            if before and (known is None or "<" + before in known):
                word.append("<" + before)
            if after and (known is None or ">" + after in known):
                word.append(">" + after)

    def _word(self, word: str) -> _WordFeatures:
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            cached = self._cache[word] = self._describe(word)
        return cached

    def _describe(self, word: str) -> _WordFeatures:
        lower = normalise(word)
        shape = _shape(word)
        stems = _stems(lower)
        keep = self._keep
        return _WordFeatures(
            lower=lower,
            own=keep(_own_features(word, lower, shape, stems)),
            as_previous=keep(("w-1=" + lower, "sh-1=" + shape, "st-1=" + stems[-1])),
            as_next=keep(("w+1=" + lower, "sh+1=" + shape, "st+1=" + stems[-1])),
            as_second_previous=keep(("w-2=" + lower,)),
            as_second_next=keep(("w+2=" + lower,)),
        )

    def _keep(self, features: Sequence[str]) -> tuple[str, ...]:
        known = self.known
        return tuple(features if known is None else filter(known.__contains__, features))


def _own_features(word: str, lower: str, shape: str, stems: list[str]) -> list[str]:
    features = ["bias", "w=" + lower, "sh=" + shape, "st=" + stems[-1]]
    if not _PLACE_STEMS.isdisjoint(stems):
        features.append("gaz=place")
    if not _ETHNIC_STEMS.isdisjoint(stems):
        features.append("gaz=ethnic")
    for length in _AFFIX_LENGTHS:
        if len(lower) > length:
            features += (f"p{length}=" + lower[:length], f"s{length}=" + lower[-length:])
    if word[:1].isupper():
        features.append("upper" if word.isupper() and len(word) > 1 else "title")
    if not _KAZAKH_LETTERS.isdisjoint(word):
        features.append("kk")
    if any(char.isdigit() for char in word):
        features.append("digit")
    return features


def token_gaps(norm_text: str, tokens: Sequence[Token], start: int, end: int) -> list[str]:
    """The punctuation before each token and after the last one (``len(tokens) + 1`` items)
    within ``norm_text[start:end]``, spaces removed, at most three characters."""
    gaps: list[str] = []
    for token in tokens:
        gaps.append(_gap(norm_text[start:token.start]))
        start = token.end
    gaps.append(_gap(norm_text[start:end]))
    return gaps


def _gap(between: str) -> str:
    if between == " ":
        return ""
    return "".join(between.split())[:3] if between and not between.isspace() else ""


def _shape(word: str) -> str:
    """``Xx`` (capitalised), ``x``, ``X``, ``d``, ``X-Xx``…: runs of one kind kept once."""
    kinds: list[str] = []
    for char in word:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
    return "".join(kinds)


def _stems(lower: str) -> list[str]:
    """The word and each shorter form after stripping one more group of endings."""
    forms = [lower]
    for by_length in _ENDINGS_BY_LENGTH:
        for length, endings in by_length:
            if len(lower) - length >= _MIN_STEM and lower[-length:] in endings:
                lower = lower[:-length]
                forms.append(lower)
                break
    return forms


class KazakhNer:
    """A loaded CRF tagger. ``tag`` maps words (original case) to BIO tags of the project's
    types (``B-PERSON``, ``I-ORG``, ``B-PLACE``, ``B-ETHNIC_GROUP``, ``O``)."""

    def __init__(self, tagger: pycrfsuite.Tagger, model: bytes) -> None:
        self._tagger = tagger
        self._model = model
        """The tagger reads the model from this buffer without copying it: keep it alive."""
        known = frozenset(attribute for attribute, _ in tagger.info().state_features)
        self._features = FeatureExtractor(known)

    @classmethod
    def load(cls) -> KazakhNer:
        """The model shipped in the package."""
        model = resources.files(MODEL_PACKAGE).joinpath(*MODEL_PATH)
        if not model.is_file():
            raise ConfigError(
                f"Kazakh NER model {'/'.join(MODEL_PATH)} is missing from {MODEL_PACKAGE} — "
                "run scripts/train_kk_ner.py or reinstall birlik",
                code=codes.N101,
            )
        return cls.from_bytes(model.read_bytes())

    @classmethod
    def from_bytes(cls, model: bytes) -> KazakhNer:
        tagger = pycrfsuite.Tagger()
        tagger.open_inmemory(model)
        return cls(tagger, model)

    def tag(self, words: list[str], gaps: list[str] | None = None) -> list[str]:
        """BIO tags of ``words``; ``gaps`` (``token_gaps``) is the punctuation around them,
        which the model was trained with: without it, names run across commas more often."""
        return self.tag_with_confidence(words, gaps)[0]

    def tag_with_confidence(
        self, words: list[str], gaps: list[str] | None = None, *, other: bool = False
    ) -> tuple[list[str], list[float]]:
        """Tags and, for each tagged (non-``O``) word, the marginal probability of its tag;
        with ``other``, names of other kinds are tagged ``B-OTHER``/``I-OTHER``, not ``O``."""
        if not words:
            return [], []
        raw: list[str] = self._tagger.tag(self._features.features(words, gaps))
        confidence = [
            0.0 if label == "O" else float(self._tagger.marginal(label, index))
            for index, label in enumerate(raw)
        ]
        return [_project_label(label, other) for label in raw], confidence


def _project_label(label: str, other: bool = False) -> str:
    if label == "O" or (other and label[2:] == OTHER_NAME):
        return label
    entity_type = _LABEL_TYPES.get(label[2:])
    return "O" if entity_type is None else f"{label[:2]}{entity_type}"


def bio_chunks(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(first, last, type)`` word indices of each entity; a stray ``I-`` opens one."""
    chunks: list[tuple[int, int, str]] = []
    for index, tag in enumerate(tags):
        if tag == "O":
            continue
        entity_type = tag[2:]
        previous = chunks[-1] if chunks else None
        if tag[0] == "I" and previous and previous[1] == index - 1 and previous[2] == entity_type:
            chunks[-1] = (previous[0], index, entity_type)
        else:
            chunks.append((index, index, entity_type))
    return chunks


class KazakhNerStage:
    """Entities of Kazakh documents (``doc.lang == "kk"`` or ``"kk" in doc.langs``), tagged
    sentence by sentence and appended to ``doc.entities`` without a canonical id; names of
    other kinds as ``OTHER_NAME`` mentions, which only resolution reads."""

    name = "ner_kk.v1"
    requires = frozenset({"tokens", "sentences", "lang"})
    provides = frozenset({"entities.ner_kk"})

    def __init__(self, model: KazakhNer) -> None:
        self.model = model

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            if doc.lang == "kk" or "kk" in doc.langs:
                doc.entities.extend(self._mentions(doc))
        return docs

    def _mentions(self, doc: Document) -> list[Mention]:
        norm_text = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        starts = [token.start for token in doc.tokens]
        mentions: list[Mention] = []
        for sentence in doc.sentences:
            first = bisect.bisect_left(starts, sentence.start)
            last = bisect.bisect_left(starts, sentence.end)
            tokens = [t for t in doc.tokens[first:last] if t.end <= sentence.end]
            if tokens:
                gaps = token_gaps(norm_text, tokens, sentence.start, sentence.end)
                mentions += self._sentence_mentions(doc.text, tokens, gaps)
        return mentions

    def _sentence_mentions(self, text: str, tokens: list[Token], gaps: list[str]) -> list[Mention]:
        words = [text[t.start:t.end] for t in tokens]
        tags, confidence = self.model.tag_with_confidence(words, gaps, other=True)
        return [
            Mention(
                start=tokens[first].start, end=tokens[last].end,
                text=text[tokens[first].start:tokens[last].end], type=entity_type,
                confidence=round(min(confidence[first:last + 1]), 4),
            )
            for first, last, entity_type in bio_chunks(tags)
        ]
