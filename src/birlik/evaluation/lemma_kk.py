"""Kazakh lemma accuracy against the gold lemmas of UD Kazakh-KTB.

Each sentence's ``# text`` is normalised and tokenised by the project's own tokenizer;
gold words are found in the text left to right by their FORM and a project token counts
when it covers exactly the same characters. A multiword token (``Баласыз`` = ``бала`` +
``сыз``) is skipped with its parts. Lemmas compare case-insensitively: UD writes PROPN
lemmas capitalised (``Шолпан``), Birlik's lemmas are lower case.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from birlik.evaluation.base import Metrics, register_eval
from birlik.nlp.lemma_kk import KazakhLemmatizer
from birlik.nlp.text import normalise, tokenize

TEST_FILE = "kk_ktb-ud-test-even.conllu"
TUNE_FILE = "kk_ktb-ud-train.conllu"
REPORTED_UPOS = ("NOUN", "VERB", "PROPN")


@dataclass(frozen=True, slots=True)
class GoldWord:
    form: str
    lemma: str
    upos: str


@dataclass(slots=True)
class GoldSentence:
    text: str
    words: list[GoldWord] = field(default_factory=list)


@dataclass(slots=True)
class Tally:
    correct: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.correct += ok
        self.total += 1

    @property
    def accuracy(self) -> float:
        return round(self.correct / self.total, 4) if self.total else 0.0


def read_conllu(path: Path) -> Iterator[GoldSentence]:
    sentence: GoldSentence | None = None
    skip_until = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("# text = "):
                sentence = GoldSentence(line[len("# text = "):])
            elif not line.strip():
                if sentence is not None:
                    yield sentence
                sentence, skip_until = None, 0
            elif sentence is not None and not line.startswith("#"):
                skip_until = _add_word(sentence, line.split("\t"), skip_until)
    if sentence is not None:
        yield sentence


def _add_word(sentence: GoldSentence, cols: list[str], skip_until: int) -> int:
    """Adds a word line; returns the last id covered by a multiword token being skipped."""
    word_id = cols[0]
    if "-" in word_id:
        last = word_id.split("-")[1]
        sentence.words.append(GoldWord(cols[1], "", "MWT"))
        return int(last)
    if "." in word_id or (word_id.isdigit() and int(word_id) <= skip_until):
        return skip_until
    sentence.words.append(GoldWord(cols[1], cols[2], cols[3]))
    return skip_until


def align(sentence: GoldSentence) -> Iterator[tuple[GoldWord, str | None]]:
    """Each gold word with the original-case text of the project token that covers
    exactly its characters (None when no token does)."""
    norm = normalise(sentence.text)
    tokens = {(t.start, t.end) for t in tokenize(norm)}
    cursor = 0
    lowered = sentence.text.lower()
    for word in sentence.words:
        at = lowered.find(word.form.lower(), cursor)
        if at < 0:
            yield word, None
            continue
        end = at + len(word.form)
        cursor = end
        yield word, sentence.text[at:end] if (at, end) in tokens else None


def evaluate_file(path: Path, lemmatizer: KazakhLemmatizer) -> Metrics:
    overall, per_upos, aligned, gold_words = Tally(), {u: Tally() for u in REPORTED_UPOS}, 0, 0
    for sentence in read_conllu(path):
        for word, token_text in align(sentence):
            if word.upos in ("PUNCT", "MWT", "SYM"):
                continue
            gold_words += 1
            if token_text is None:
                continue
            aligned += 1
            ok = lemmatizer.lemma(token_text) == word.lemma.lower().replace("ё", "е")
            overall.add(ok)
            if word.upos in per_upos:
                per_upos[word.upos].add(ok)
    metrics: Metrics = {"accuracy": overall.accuracy}
    metrics.update({f"{upos}.accuracy": tally.accuracy for upos, tally in per_upos.items()})
    metrics["aligned"] = round(aligned / gold_words, 4) if gold_words else 0.0
    metrics["tokens"] = float(overall.total)
    return metrics


@register_eval(
    "ud_kazakh_lemma",
    dataset="ud_kazakh_ktb",
    files=(TEST_FILE,),
    description=(
        "Kazakh lemma accuracy (KazakhLemmatizer, hunspell-kk stems where installed) on "
        f"{TEST_FILE}, punctuation excluded, case-insensitive; rules were tuned on "
        f"{TUNE_FILE} only"
    ),
)
def run(dataset_dir: Path) -> Metrics:
    return evaluate_file(dataset_dir / TEST_FILE, KazakhLemmatizer())
