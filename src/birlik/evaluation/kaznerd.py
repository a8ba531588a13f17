"""Kazakh NER on the held-out part of KazNERD ``IOB2_valid.txt`` (exact spans).

KazNERD (Yeshpanov, Khassanov, Varol, LREC 2022; CC BY 4.0) is read from the datasets folder;
only its validation file is available here, so the project's Kazakh model is trained on 80% of
it and measured on the other 20%. ``split_kaznerd`` is the one split both use.

The corpus repeats most sentences twice in a row (numbers spelled out, then as digits;
"кюар-код" then "QR-код"), so the split works on groups of neighbouring near-duplicates: a
sentence-by-sentence split would put one twin in training and the other in the test.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage, normalise, tokenize
from birlik.evaluation.base import Metrics, PRFByType, register_eval
from birlik.nlp.ner_kk import KAZNERD_TYPES, KazakhNer, KazakhNerStage, bio_chunks, token_gaps

log = logging.getLogger(__name__)

DATA_FILE = "IOB2_valid.txt"
HELD_OUT_EVERY = 5
"""Every fifth group of neighbouring sentences is held out (20%)."""
NEAR_DUPLICATE = 0.5
"""Word-set Jaccard similarity above which neighbouring sentences are one group."""

Span = tuple[int, int, str]
_OUR_TYPES = frozenset(KAZNERD_TYPES.values())


@dataclass(frozen=True)
class GoldSentence:
    """One KazNERD sentence: its gold tokens and their IOB2 tags (all 25 classes)."""

    words: tuple[str, ...]
    tags: tuple[str, ...]

    @cached_property
    def text(self) -> str:
        """The sentence as text: gold tokens joined by single spaces."""
        return " ".join(self.words)

    @cached_property
    def word_offsets(self) -> list[tuple[int, int]]:
        offsets, start = [], 0
        for word in self.words:
            offsets.append((start, start + len(word)))
            start += len(word) + 1
        return offsets

    def gold_spans(self, types: dict[str, str] | None = None) -> set[Span]:
        """Character spans of the entities of ``types`` (default: the project's four),
        trimmed to their first and last letter or digit (a few spans start with a quote)."""
        types = KAZNERD_TYPES if types is None else types
        spans: set[Span] = set()
        for first, last, kaznerd_type in bio_chunks(self.tags):
            if kaznerd_type in types:
                start, end = self.word_offsets[first][0], self.word_offsets[last][1]
                spans.add((*_trim(self.text, start, end), types[kaznerd_type]))
        return spans

    def projected(self) -> tuple[list[str], list[str], list[str]]:
        """The words of the project's tokenizer over ``text`` (original case), the gold tags
        carried onto them, and the punctuation around them (``token_gaps``). A token takes the
        tag of the gold token it lies in; punctuation, which the project does not tokenize,
        drops out (a following ``I-`` becomes ``B-``)."""
        words, tags = [], []
        gold_index, last_gold_index, previous = 0, -1, "O"
        norm_text = normalise(self.text)
        tokens = tokenize(norm_text)
        for token in tokens:
            while self.word_offsets[gold_index][1] <= token.start:
                gold_index += 1
            tag = _continue(self.tags[gold_index], previous, gold_index == last_gold_index)
            words.append(self.text[token.start:token.end])
            tags.append(tag)
            previous, last_gold_index = tag, gold_index
        return words, tags, token_gaps(norm_text, tokens, 0, len(norm_text))


def _continue(gold_tag: str, previous: str, inside_same_word: bool) -> str:
    if gold_tag == "O":
        return "O"
    entity_type = gold_tag[2:]
    continues = previous != "O" and previous[2:] == entity_type
    if gold_tag.startswith("I-") or inside_same_word:
        return f"I-{entity_type}" if continues else f"B-{entity_type}"
    return gold_tag


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


def read_kaznerd(path: Path) -> list[GoldSentence]:
    """Sentences of a KazNERD IOB2 file (``token TAG`` lines, blank line between sentences)."""
    sentences: list[GoldSentence] = []
    words: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) == 2:
                words.append(parts[0])
                tags.append(parts[1])
            elif not parts and words:
                sentences.append(GoldSentence(tuple(words), tuple(tags)))
                words, tags = [], []
    if words:
        sentences.append(GoldSentence(tuple(words), tuple(tags)))
    return sentences


def sentence_groups(sentences: list[GoldSentence]) -> list[list[GoldSentence]]:
    """Runs of neighbouring sentences where each is a near-duplicate of one of the two
    before it."""
    groups: list[list[GoldSentence]] = []
    vocabularies: list[set[str]] = []
    for index, sentence in enumerate(sentences):
        vocabulary = {word.lower() for word in sentence.words if word[0].isalpha()}
        vocabularies.append(vocabulary)
        if groups and any(
            _jaccard(vocabulary, vocabularies[back]) > NEAR_DUPLICATE
            for back in (index - 1, index - 2) if back >= 0
        ):
            groups[-1].append(sentence)
        else:
            groups.append([sentence])
    return groups


def _jaccard(left: set[str], right: set[str]) -> float:
    union = left | right
    return len(left & right) / len(union) if union else 1.0


def split_kaznerd(
    sentences: list[GoldSentence], fold: int = HELD_OUT_EVERY - 1
) -> tuple[list[GoldSentence], list[GoldSentence]]:
    """``(rest, held_out)``: the groups whose index is ``fold`` modulo 5 are held out.
    The default fold is the test part; training tunes on another fold of the rest."""
    rest: list[GoldSentence] = []
    held_out: list[GoldSentence] = []
    for index, group in enumerate(sentence_groups(sentences)):
        (held_out if index % HELD_OUT_EVERY == fold else rest).extend(group)
    return rest, held_out


def held_out_sentences(dataset_dir: Path) -> list[GoldSentence]:
    return split_kaznerd(read_kaznerd(dataset_dir / DATA_FILE))[1]


def score(sentences: list[GoldSentence], docs: list[Document], prefix: str = "") -> Metrics:
    """Exact-span precision, recall and F1 per type and micro-averaged."""
    counts = PRFByType()
    for sentence, doc in zip(sentences, docs, strict=True):
        predicted = {(m.start, m.end, m.type) for m in doc.entities if m.type in _OUR_TYPES}
        counts.add(sentence.gold_spans(), predicted)
    return {f"{prefix}{key}": value for key, value in counts.metrics().items()}


def _documents(sentences: list[GoldSentence]) -> list[Document]:
    return [
        Document(id=f"kaznerd-{index}", text=sentence.text, lang="kk")
        for index, sentence in enumerate(sentences)
    ]


@register_eval(
    "kaznerd",
    dataset="kaznerd",
    files=(DATA_FILE,),
    description="Kazakh NER, exact spans of PERSON/ORG/PLACE/ETHNIC_GROUP on the held-out 20% "
    "of KazNERD valid: the default pipeline, and the ner_kk CRF alone (crf.*)",
)
def run(dataset_dir: Path) -> Metrics:
    sentences = held_out_sentences(dataset_dir)
    metrics = crf_metrics(sentences, KazakhNer.load())
    try:
        from birlik.nlp.factory import default_pipeline
        from birlik.settings import Settings

        pipeline = default_pipeline(Settings(), signals=False)  # entities: no signal stage adds any
    except ImportError as error:
        log.warning("default pipeline unavailable, only crf.* measured: %s", error)
        return metrics
    metrics.update(score(sentences, pipeline(_documents(sentences))))
    return metrics


def crf_metrics(sentences: list[GoldSentence], model: KazakhNer) -> Metrics:
    """NormaliseStage, SegmentStage and the CRF stage alone, the language given as Kazakh."""
    docs = _documents(sentences)
    for stage in (NormaliseStage(), SegmentStage(), KazakhNerStage(model)):
        docs = stage(docs)
    return score(sentences, docs, prefix="crf.")
