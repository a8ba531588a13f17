"""Russian named entities with the slovnet news NER model that ships inside natasha.

The model (a three-layer CNN over navec word embeddings and word shapes, with a CRF on top)
is read once from the files packaged in ``natasha`` — nothing is fetched at run time — and
its weights are run here by a numpy forward pass of our own. That pass concatenates all
chunks of a batch into one sequence separated by zero rows instead of padding them to the
longest one, and computes the widest layer once per distinct word of a batch; it is several
times faster than ``slovnet.NER`` and gives the same tags (``tests/nlp/test_ner_ru.py`` checks
it against slovnet itself), except that a span whose first tag is ``I-`` (a name opening a
headline) is kept where slovnet drops it. Tokens come from a regex that cuts as razdel does.

Text is tagged in chunks of whole sentences up to ``MAX_CHUNK_CHARS`` characters, so memory
stays flat on long documents. Spans are converted to our ``Mention`` at the edge
(``adapt_span``): PER → PERSON, ORG → ORG, LOC → PLACE.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.records import Document, Mention
from birlik.domain.text import split_sentences

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

#: natasha's labels → our entity types.
NATASHA_TYPES: Mapping[str, str] = {"PER": "PERSON", "ORG": "ORG", "LOC": "PLACE"}
MAX_CHUNK_CHARS = 2000
MAX_BATCH_TOKENS = 8192
"""Tokens per forward pass: bounds the activations (~8k x 330 floats) whatever the batch."""

_NEWS_EMBEDDING = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
_NEWS_NER = "data/model/slovnet_ner_news_v1.tar"
_KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_SPLIT_AT = re.compile(r"\s")
_LINE_BREAK = re.compile(r"(?<![^\S\n])[^\S\n]*+\n\s*+")  # from the start of a space run: linear
_PAIRS = {"(": ")", ")": "(", "«": "»", "»": "«", '"': '"', "“": "”", "”": "“", "„": "“"}
_FIRST_WORD = re.compile(r"([\w-]+)\s+")
_WORDS = re.compile(r"\w+")
_WHITE_HOUSE = re.compile(r"\bбел\w+ дом")

#: Capitalised words before a name that natasha takes into a PER span ("Папа Франциск").
PERSON_TITLES = frozenset((
    "президент", "экс-президент", "вице-президент", "премьер", "премьер-министр", "министр",
    "аким", "депутат", "сенатор", "мэр", "губернатор", "генерал", "канцлер", "посол",
    "судья", "император", "императрица", "кронпринц", "принц", "принцесса", "король",
    "королева", "папа", "патриарх", "мадам", "господин", "госпожа", "сэр", "лорд", "леди",
    "шейх", "эмир", "султан", "доктор", "профессор", "академик", "поп-звезда", "певец",
    "певица", "актер", "актёр", "актриса", "режиссер", "режиссёр", "писатель", "поэт",
))
#: Abbreviations of common nouns, not names of an organisation: "СМИ" (the media), "ДТП",
#: "ЧП", "ОПГ" (a criminal group), "НКО", "вуз", "ЖКХ", "СИЗО" (a kind of jail).
COMMON_ABBREVIATIONS = frozenset(("сми", "дтп", "чп", "опг", "нко", "вуз", "жкх", "сизо"))
#: Stems of words that make a natasha LOC a building or a street rather than a place.
FACILITY_STEMS = (
    "кладбищ", "улиц", "площад", "дворц", "дворец", "холл", "сквер", "стрит", "проспект",
    "бульвар", "переул", "шоссе", "собор", "храм", "мечет", "церк", "стадион", "аэропорт",
    "вокзал", "кремл",
)
_TOKEN = re.compile(
    r"\d+(?:[.,/—–-]\d+)+|\d+(?:-[^\W\d_]+)*|[^\W\d_]+(?:[-‐'’](?:[^\W\d_]+|\d+))*"
    r"|\.\.\.|[!?]+|\S"
)


@dataclass(frozen=True, slots=True)
class NerSpan:
    """A span as the tagger returns it: offsets into the text it was given, natasha label."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class _ConvLayer:
    """Conv1d (kernel 3, padding 1) → ReLU → BatchNorm folded into ``scale`` and ``shift``."""

    kernels: tuple[FloatArray, FloatArray, FloatArray]
    """in x out matrices applied to the previous, current and next position."""
    bias: FloatArray
    scale: FloatArray
    shift: FloatArray


@dataclass(frozen=True, slots=True)
class _Weights:
    word_ids: Mapping[str, int]
    unknown_word: int
    word_indexes: npt.NDArray[np.uint8]
    word_codes: FloatArray
    shape_ids: Mapping[str, int]
    unknown_shape: int
    first_words: FloatArray
    """word embedding dims x (3 x first layer width): the three kernels side by side."""
    first_shapes: FloatArray
    """Shape embeddings already projected by the three kernels of the first layer."""
    layers: tuple[_ConvLayer, ...]
    proj_weight: FloatArray
    proj_bias: FloatArray
    transitions: FloatArray
    tags: tuple[str, ...]


class RussianNer:
    """The slovnet news NER model, loaded once; ``tag`` maps texts to their spans."""

    def __init__(
        self, weights: _Weights, *, word_shape: Callable[[str], str],
        tokenize: Callable[[str], Iterator[tuple[int, int, str]]],
    ) -> None:
        self._weights = weights
        self._tokenize = tokenize
        self._shape_id = functools.lru_cache(maxsize=200_000)(
            lambda word: weights.shape_ids.get(word_shape(word), weights.unknown_shape)
        )

    @classmethod
    def load(cls, embedding: Path | None = None, model: Path | None = None) -> RussianNer:
        """Read navec news embeddings and the slovnet NER model (by default those in natasha)."""
        natasha_dir = _natasha_dir()
        navec = _untyped("navec").Navec.load(str(embedding or natasha_dir / _NEWS_EMBEDDING))
        api = _untyped("slovnet").NER.load(str(model or natasha_dir / _NEWS_NER))
        api.navec(navec)
        return cls(
            _extract_weights(api),
            word_shape=_untyped("slovnet.shape").word_shape,
            tokenize=regex_tokens,
        )

    def tag(self, texts: Sequence[str]) -> list[list[NerSpan]]:
        with _one_blas_thread():
            return self._tag(texts)

    def _tag(self, texts: Sequence[str]) -> list[list[NerSpan]]:
        tokens = [list(self._tokenize(text)) for text in texts]
        out: list[list[NerSpan]] = [[] for _ in texts]
        order = sorted(range(len(texts)), key=lambda index: len(tokens[index]))
        for group in _token_batches(order, [len(t) for t in tokens]):
            emissions = self._emissions([tokens[index] for index in group])
            for index, tag_ids in zip(group, _viterbi(emissions, self._weights.transitions),
                                      strict=True):
                out[index] = _bio_spans(tokens[index], [self._weights.tags[t] for t in tag_ids])
        return out

    def _emissions(self, sequences: list[list[tuple[int, int, str]]]) -> list[FloatArray]:
        """Tag scores of each sequence; sequences are joined by zero rows into one."""
        weights = self._weights
        words = [word for sequence in sequences for _, _, word in sequence]
        lengths = [len(sequence) for sequence in sequences]
        separators = np.cumsum([0] + [length + 1 for length in lengths])
        is_token = np.ones(separators[-1] + 1, dtype=bool)
        is_token[separators] = False
        word_ids = np.fromiter(
            (weights.word_ids.get(word.lower(), weights.unknown_word) for word in words),
            dtype=np.int64, count=len(words),
        )
        shape_ids = np.fromiter((self._shape_id(word) for word in words), np.int64, len(words))
        hidden = self._first_layer(word_ids, shape_ids, is_token)
        for layer in weights.layers[1:]:
            hidden = _convolve(hidden, layer)
            hidden[~is_token] = 0.0
        scores = hidden[is_token] @ weights.proj_weight + weights.proj_bias
        return list(np.split(scores, np.cumsum(lengths)[:-1]))

    def _first_layer(self, word_ids: IntArray, shape_ids: IntArray, is_token: npt.NDArray[np.bool_]
                     ) -> FloatArray:
        """The widest layer, computed once per distinct (word, shape) of the batch: its
        projections by the three kernels are gathered into the previous, current and next row."""
        weights, layer = self._weights, self._weights.layers[0]
        shapes = len(weights.first_shapes)
        distinct, where = np.unique(word_ids * shapes + shape_ids, return_inverse=True)
        quantised = weights.word_indexes[distinct // shapes]  # keys x subspaces
        subspaces = np.arange(quantised.shape[1])
        embedded = weights.word_codes[subspaces, quantised].reshape(len(distinct), -1)
        projected = embedded @ weights.first_words + weights.first_shapes[distinct % shapes]
        width = layer.bias.shape[0]
        # one zero row more, for the separators
        tables = [np.zeros((len(distinct) + 1, width), dtype=np.float32) for _ in range(3)]
        for kernel, table in enumerate(tables):
            table[:-1] = projected[:, kernel * width : (kernel + 1) * width]
        rows = np.full(len(is_token), len(distinct), dtype=np.int64)
        rows[is_token] = where
        previous, current, following = tables
        out = current[rows]
        out[1:] += previous[rows[:-1]]
        out[:-1] += following[rows[1:]]
        out += layer.bias
        _activate(out, layer)
        out[~is_token] = 0.0
        return out


class RussianNerStage:
    """PERSON, ORG and PLACE mentions in Russian documents (and Russian sentences of mixed ones)."""

    name = "ner_ru.v1"
    requires = frozenset({"text", "lang"})
    provides = frozenset({"entities.ner_ru"})

    def __init__(self, model: RussianNer) -> None:
        self.model = model

    def __call__(self, docs: list[Document]) -> list[Document]:
        pieces = [(doc, start, end) for doc in docs if is_russian(doc)
                  for start, end in russian_chunks(doc)]
        found = self.model.tag([doc.text[start:end] for doc, start, end in pieces])
        for (doc, start, end), spans in zip(pieces, found, strict=True):
            doc.entities.extend(
                mention for span in clean_spans(doc.text[start:end], spans)
                if (mention := adapt_span(span, start, doc)) is not None
            )
        return docs


def adapt_span(span: NerSpan, offset: int, doc: Document) -> Mention | None:
    """natasha span in a chunk starting at ``offset`` → our Mention, or None for other labels."""
    entity_type = NATASHA_TYPES.get(span.label)
    if entity_type is None:
        return None
    start, end = offset + span.start, offset + span.end
    return Mention(start=start, end=end, text=doc.text[start:end], type=entity_type, id=None)


def clean_spans(text: str, spans: Iterable[NerSpan]) -> Iterator[NerSpan]:
    """Bring natasha's spans to Birlik's conventions: "Шону Комбсу (Diddy)" is two names,
    punctuation at the edges goes, a leading title ("Президент", "Папа") is not part of a
    PERSON, a title alone ("Аким" opening a sentence) or a common noun's abbreviation ("СМИ")
    is no entity, buildings, streets and
    cemeteries (natasha's LOC) are not PLACEs, and an ORG that natasha ends before its place
    ("Ассамблеи народа" + "Казахстана") is extended over it; the place stays a PLACE too."""
    for span in _join_org_place(text, list(spans)):
        for part in _split_parenthesis(text, span):
            part = _trim(text, part)
            if part.label == "PER":
                part = _drop_title(text, part)
            if part.end > part.start and not _is_title_or_facility(text, part):
                yield part


def _join_org_place(text: str, spans: list[NerSpan]) -> Iterator[NerSpan]:
    for index, span in enumerate(spans):
        following = spans[index + 1] if index + 1 < len(spans) else None
        if (span.label == "ORG" and following is not None and following.label == "LOC"
                and text[span.end : following.start] == " "):
            yield NerSpan(span.start, following.end, "ORG")
        else:
            yield span


def _is_title_or_facility(text: str, span: NerSpan) -> bool:
    if text[span.start : span.end].lower() in PERSON_TITLES or _is_shouted(text, span):
        return True
    if span.label == "ORG" and text[span.start : span.end].lower() in COMMON_ABBREVIATIONS:
        return True
    return span.label == "LOC" and _is_facility(text, span)


def _is_shouted(text: str, span: NerSpan) -> bool:
    """A word in capitals that opens a line and is followed by "!" or ":" ("СРОЧНО!!!",
    "ВНИМАНИЕ:") is shouted, not a name."""
    word = text[span.start : span.end]
    opens_line = span.start == 0 or text[: span.start].rstrip(" \t").endswith("\n")
    return (opens_line and word.isalpha() and word.isupper() and len(word) >= 4
            and text[span.end : span.end + 1] in ("!", ":"))


def _split_parenthesis(text: str, span: NerSpan) -> Iterator[NerSpan]:
    opening = text.find("(", span.start, span.end)
    if opening < 0:
        yield span
        return
    closing = text.find(")", opening, span.end)
    yield NerSpan(span.start, opening, span.label)
    yield NerSpan(opening + 1, closing if closing >= 0 else span.end, span.label)


def _trim(text: str, span: NerSpan) -> NerSpan:
    start, end = span.start, span.end
    while start < end and not _keeps_edge(text, start, end, text[start]):
        start += 1
    while end > start and not _keeps_edge(text, start, end, text[end - 1]):
        end -= 1
    return NerSpan(start, end, span.label)


def _keeps_edge(text: str, start: int, end: int, char: str) -> bool:
    """Letters and digits stay; so does a quote or bracket whose partner is inside the span."""
    if char.isalnum():
        return True
    partner = _PAIRS.get(char)
    return partner is not None and text.count(partner, start, end) == text.count(char, start, end)


def _drop_title(text: str, span: NerSpan) -> NerSpan:
    match = _FIRST_WORD.match(text, span.start, span.end)
    if match and match.group(1).lower() in PERSON_TITLES and match.end() < span.end:
        return NerSpan(match.end(), span.end, span.label)
    return span


def _is_facility(text: str, span: NerSpan) -> bool:
    name = text[span.start : span.end].lower()
    return any(word.startswith(FACILITY_STEMS) for word in _WORDS.findall(name)) \
        or _WHITE_HOUSE.search(name) is not None


def is_russian(doc: Document) -> bool:
    return doc.lang == "ru" or "ru" in doc.langs


def russian_chunks(doc: Document) -> Iterator[tuple[int, int]]:
    """Runs of whole sentences of one line, up to MAX_CHUNK_CHARS; in a mixed document each
    sentence alone, and only those without Kazakh letters."""
    mixed = len(set(doc.langs) | ({doc.lang} if doc.lang else set())) > 1
    chunk_start = chunk_end = -1
    for line_start, line_end in _lines(doc):
        if mixed and _KAZAKH_LETTERS.search(doc.text, line_start, line_end):
            continue
        line_break = chunk_start >= 0 and "\n" in doc.text[chunk_end:line_start]
        if chunk_start >= 0 and (line_end - chunk_start > MAX_CHUNK_CHARS or mixed or line_break):
            yield from _split_long(doc.text, chunk_start, chunk_end)
            chunk_start = -1
        if chunk_start < 0:
            chunk_start = line_start
        chunk_end = line_end
    if chunk_start >= 0:
        yield from _split_long(doc.text, chunk_start, chunk_end)


def _lines(doc: Document) -> Iterator[tuple[int, int]]:
    """Sentences, cut at line breaks too: a heading or a caption has no full stop, and a
    name must not run into the next line."""
    for sentence in doc.sentences or split_sentences(doc.text):
        start = sentence.start
        for match in _LINE_BREAK.finditer(doc.text, sentence.start, sentence.end):
            if match.start() > start:
                yield start, match.start()
            start = match.end()
        if sentence.end > start:
            yield start, sentence.end


def _split_long(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """A sentence longer than MAX_CHUNK_CHARS (a table, a list) is cut at a space."""
    while end - start > MAX_CHUNK_CHARS:
        cut = start + MAX_CHUNK_CHARS
        spaces = [m.start() for m in _SPLIT_AT.finditer(text, start + MAX_CHUNK_CHARS // 2, cut)]
        cut = spaces[-1] if spaces else cut
        yield start, cut
        start = cut
    yield start, end


@functools.cache
def _blas_controller() -> Any:
    from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]  # no hints

    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """The layers' products are small (a batch of sentences by a few hundred units): a second
    BLAS thread only spins, which doubles their CPU time and takes a core from the other
    analysis worker. Limited to this call, so other numpy users keep their setting."""
    return _blas_controller().limit(limits=1, user_api="blas")


def _convolve(hidden: FloatArray, layer: _ConvLayer) -> FloatArray:
    previous, current, following = layer.kernels
    out = np.zeros((hidden.shape[0], current.shape[1]), dtype=np.float32)
    out[1:-1] = hidden[:-2] @ previous
    out[1:-1] += hidden[1:-1] @ current
    out[1:-1] += hidden[2:] @ following
    out[1:-1] += layer.bias
    _activate(out, layer)
    return out


def _activate(hidden: FloatArray, layer: _ConvLayer) -> None:
    np.maximum(hidden, 0.0, out=hidden)
    hidden *= layer.scale
    hidden += layer.shift


def _viterbi(emissions: list[FloatArray], transitions: FloatArray) -> list[IntArray]:
    """Best tag paths of sequences of different lengths, decoded together (longest first, so
    the sequences still running at a step are a prefix of the batch)."""
    lengths = np.array([len(scores) for scores in emissions], dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    count, longest, tags = len(emissions), int(lengths.max(initial=0)), transitions.shape[0]
    if longest == 0:
        return [np.zeros(0, dtype=np.int64) for _ in emissions]
    padded = np.zeros((count, longest, tags), dtype=np.float32)
    for row, index in enumerate(order):
        padded[row, : lengths[index]] = emissions[index]
    running = np.searchsorted(-lengths[order], -np.arange(longest), side="left")
    score = padded[:, 0].copy()
    back = np.zeros((longest, count, tags), dtype=np.int64)
    for step in range(1, longest):
        active = running[step]  # sequences longer than step
        candidates = score[:active, :, None] + transitions  # sequence x previous x next tag
        back[step, :active] = candidates.argmax(axis=1)
        score[:active] = candidates.max(axis=1) + padded[:active, step]
    return [_backtrack(back, int(score[row].argmax()), int(lengths[index]), row)
            for row, index in sorted(enumerate(order), key=lambda pair: pair[1])]


def _backtrack(back: IntArray, last: int, length: int, row: int) -> IntArray:
    path = np.zeros(length, dtype=np.int64)
    tag = last
    for step in range(length - 1, -1, -1):
        path[step] = tag
        tag = int(back[step, row, tag])
    return path


def _bio_spans(tokens: list[tuple[int, int, str]], tags: list[str]) -> list[NerSpan]:
    spans: list[NerSpan] = []
    label, start, end = "", 0, 0
    for (token_start, token_end, _), tag in zip(tokens, tags, strict=True):
        part, _, tag_label = tag.partition("-")
        if part == "I" and tag_label == label:
            end = token_end
            continue
        if label:
            spans.append(NerSpan(start, end, label))
        label, start, end = (tag_label, token_start, token_end) if part in "BI" and tag_label \
            else ("", 0, 0)
    if label:
        spans.append(NerSpan(start, end, label))
    return spans


def _token_batches(order: list[int], lengths: list[int]) -> Iterator[list[int]]:
    group: list[int] = []
    tokens = 0
    for index in order:
        if group and tokens + lengths[index] > MAX_BATCH_TOKENS:
            yield group
            group, tokens = [], 0
        group.append(index)
        tokens += lengths[index]
    if group:
        yield group


def regex_tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """Tokens as razdel cuts them (the model was trained on razdel) in 99.8% of cases on
    NEREL, ten times faster: numbers with their separators, words joined by hyphens and
    apostrophes, "..." and runs of !?, any other character alone."""
    for match in _TOKEN.finditer(text):
        yield match.start(), match.end(), match.group()


def _untyped(module: str) -> Any:
    """natasha, slovnet, navec and razdel ship no type information: they are imported by
    name and kept behind this module's typed interface."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ConfigError(
            f"{module} is not installed — install natasha (pip install natasha) for Russian NER",
            code=codes.N101,
        ) from error


def _natasha_dir() -> Path:
    spec = importlib.util.find_spec("natasha")  # found, not imported: natasha pulls pymorphy2
    if spec is None or spec.origin is None:
        raise ConfigError(
            "natasha is not installed — install it (pip install natasha) for Russian NER",
            code=codes.N101,
        )
    return Path(spec.origin).parent


def _extract_weights(api: Any) -> _Weights:
    """Pull the arrays out of a loaded ``slovnet.NER`` (slovnet 0.6 attribute layout)."""
    model, encoder = api.infer.model, api.infer.encoder
    layers = tuple(_conv_layer(layer) for layer in model.encoder.layers)
    codes = model.emb.word.codes.array  # subspaces x centroids x dims per subspace
    word_dims = codes.shape[0] * codes.shape[2]
    first_kernels = np.concatenate(layers[0].kernels, axis=1)  # inputs x 3 widths
    shape_table = np.asarray(model.emb.shape.weight.array, dtype=np.float32)
    return _Weights(
        word_ids=dict(encoder.words_vocab.item_ids),
        unknown_word=int(encoder.words_vocab.unk_id),
        word_indexes=model.emb.word.indexes.array,
        word_codes=np.asarray(model.emb.word.codes.array, dtype=np.float32),
        shape_ids=dict(encoder.shapes_vocab.item_ids),
        unknown_shape=int(encoder.shapes_vocab.item_ids["OTHER"]),  # every shape is known
        first_words=np.ascontiguousarray(first_kernels[:word_dims]),
        first_shapes=shape_table @ first_kernels[word_dims:],
        layers=layers,
        proj_weight=np.asarray(model.head.proj.weight.array, dtype=np.float32),
        proj_bias=np.asarray(model.head.proj.bias.array, dtype=np.float32),
        transitions=np.asarray(model.head.crf.transitions.array, dtype=np.float32),
        tags=tuple(api.infer.decoder.tags_vocab.items),
    )


def _conv_layer(layer: Any) -> _ConvLayer:
    weight = np.asarray(layer.conv.weight.array, dtype=np.float32)  # out x in x kernel
    if weight.shape[2] != 3 or layer.conv.padding != 1:
        raise ConfigError(
            f"unexpected slovnet NER layout {weight.shape} — pin slovnet to 0.6", code=codes.N102
        )
    norm = layer.norm
    scale = norm.weight.array / norm.std.array
    return _ConvLayer(
        kernels=(
            np.ascontiguousarray(weight[:, :, 0].T),
            np.ascontiguousarray(weight[:, :, 1].T),
            np.ascontiguousarray(weight[:, :, 2].T),
        ),
        bias=np.asarray(layer.conv.bias.array, dtype=np.float32),
        scale=np.asarray(scale, dtype=np.float32),
        shift=np.asarray(norm.bias.array - norm.mean.array * scale, dtype=np.float32),
    )
