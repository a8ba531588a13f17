"""Kazakh lemma accuracy against the gold lemmas of UD Kazakh-KTB.

Each sentence's ``# text`` is normalised and tokenised by the project's own tokenizer;
gold words are found in the text left to right by their FORM and a project token counts
when it covers exactly the same characters. A multiword token (``Баласыз`` = ``бала`` +
``сыз``) is skipped with its parts. Lemmas compare case-insensitively: UD writes PROPN
lemmas capitalised (``Шолпан``), Birlik's lemmas are lower case. The lemmatiser is given
the next aligned token, as the lemma stage gives it the next word of the document (it tells
an adjective in -ды/-ты before a noun from an accusative).

Three figures, each overall and per part of speech:

- plain (``accuracy``, ``VERB.accuracy``, …): the lemmatiser as shipped, on the whole file;
- ``kfold.*``: the file's documents split into five folds; each fold is lemmatised by a
  lemmatiser whose hand-written lists (stems, closed-class and irregular forms) lose every
  lemma that occurs in that fold and in no other one — as if the lists had been written
  from the four training folds only — and the five held-out results are pooled. The gap
  between plain and k-fold is what the lists owe to this very file;
- ``no_hunspell.*``: rules, lists and word frequencies without the hunspell-kk dictionary
  (an installation without the system package);
- ``ktb_train.*``: the shipped lemmatiser on the treebank's small training file (other
  documents, 31 sentences), which no rule or list was tuned on.

``birlik eval`` also scores a hand-checked sample of KazNERD tokens
(``lemma_kk_kaznerd``, see ``evaluation/data/lemma_kk_kaznerd_sample.jsonl``): Kazakh text
the rules were never tuned on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.text import normalise, tokenize
from birlik.evaluation.base import Metrics, register_eval
from birlik.nlp.lemma_kk import KazakhLemmatizer, load_word_frequencies

TEST_FILE = "kk_ktb-ud-test-even.conllu"
UNTUNED_FILE = "kk_ktb-ud-train.conllu"
"""UD Kazakh-KTB's small training file (31 sentences, other documents): no rule or list
was tuned on it, so ``ktb_train.*`` is a second held-out check beside the k-fold one."""
REPORTED_UPOS = ("NOUN", "VERB", "ADJ", "PROPN", "ADV", "PRON", "AUX")
FOLDS = 5


@dataclass(frozen=True, slots=True)
class GoldWord:
    form: str
    lemma: str
    upos: str


@dataclass(slots=True)
class GoldSentence:
    text: str
    words: list[GoldWord] = field(default_factory=list)
    document: str = ""
    """The source document (``sent_id`` up to its first colon)."""


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
    skip_until, document = 0, ""
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("# sent_id = "):
                document = line[len("# sent_id = "):].split(":", 1)[0]
            elif line.startswith("# text = "):
                sentence = GoldSentence(line[len("# text = "):], document=document)
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


class Scores:
    """Accuracy overall and per part of speech, and how many gold words were aligned."""

    def __init__(self) -> None:
        self.overall = Tally()
        self.per_upos = {upos: Tally() for upos in REPORTED_UPOS}
        self.aligned = 0
        self.gold_words = 0

    def add(self, sentences: Iterator[GoldSentence] | list[GoldSentence],
            lemmatizer: KazakhLemmatizer) -> None:
        for sentence in sentences:
            aligned = list(align(sentence))
            for index, (word, token_text) in enumerate(aligned):
                if word.upos in ("PUNCT", "MWT", "SYM"):
                    continue
                self.gold_words += 1
                if token_text is None:
                    continue
                self.aligned += 1
                following = aligned[index + 1][1] if index + 1 < len(aligned) else None
                initial = sentence_initial(aligned, index)
                ok = lemmatizer.lemma(token_text, following, initial=initial) == gold_lemma(word)
                self.overall.add(ok)
                if word.upos in self.per_upos:
                    self.per_upos[word.upos].add(ok)

    def metrics(self, prefix: str = "") -> Metrics:
        metrics: Metrics = {f"{prefix}accuracy": self.overall.accuracy}
        metrics.update({f"{prefix}{upos}.accuracy": tally.accuracy
                        for upos, tally in self.per_upos.items()})
        return metrics


_SENTENCE_END = frozenset(".!?…")


def sentence_initial(aligned: list[tuple[GoldWord, str | None]], index: int) -> bool:
    """Does the word open the sentence (only punctuation before it, or a full stop, ! or ?
    after the last word)? The lemma stage asks the same of a document's tokens."""
    for word, _ in reversed(aligned[:index]):
        if word.upos == "MWT":
            continue
        if word.upos != "PUNCT":
            return False
        if word.form in _SENTENCE_END:
            return True
    return True


def gold_lemma(word: GoldWord) -> str:
    return word.lemma.lower().replace("ё", "е")


def evaluate_file(path: Path, lemmatizer: KazakhLemmatizer) -> Metrics:
    scores = Scores()
    scores.add(read_conllu(path), lemmatizer)
    metrics = scores.metrics()
    metrics["aligned"] = round(scores.aligned / scores.gold_words, 4) if scores.gold_words else 0.0
    metrics["tokens"] = float(scores.overall.total)
    return metrics


def document_folds(sentences: list[GoldSentence], folds: int = FOLDS) -> list[list[GoldSentence]]:
    """Whole documents to folds, largest first into the fold with fewest sentences, so no
    document is split between training and held-out folds."""
    documents: dict[str, list[GoldSentence]] = {}
    for sentence in sentences:
        documents.setdefault(sentence.document, []).append(sentence)
    out: list[list[GoldSentence]] = [[] for _ in range(folds)]
    for name in sorted(documents, key=lambda d: (-len(documents[d]), d)):
        min(out, key=len).extend(documents[name])
    return [fold for fold in out if fold]


def fold_only_lemmas(folds: list[list[GoldSentence]], index: int) -> frozenset[str]:
    """Gold lemmas of fold ``index`` that no other fold has."""
    def lemmas(fold: list[GoldSentence]) -> set[str]:
        return {gold_lemma(w) for s in fold for w in s.words if w.lemma}

    others: set[str] = set()
    for other, fold in enumerate(folds):
        if other != index:
            others |= lemmas(fold)
    return frozenset(lemmas(folds[index]) - others)


def evaluate_kfold(path: Path, make: Callable[[Collection[str]], KazakhLemmatizer],
                   folds: int = FOLDS) -> Metrics:
    """Pooled held-out accuracy over document folds (``kfold.*`` metrics)."""
    split = document_folds(list(read_conllu(path)), folds)
    scores = Scores()
    for index, fold in enumerate(split):
        scores.add(fold, make(fold_only_lemmas(split, index)))
    return scores.metrics("kfold.")


@register_eval(
    "ud_kazakh_lemma",
    dataset="ud_kazakh_ktb",
    files=(TEST_FILE, UNTUNED_FILE),
    description=(
        "Kazakh lemma accuracy (KazakhLemmatizer, hunspell-kk stems where installed) on "
        f"{TEST_FILE}, punctuation excluded, case-insensitive, per part of speech; "
        f"plain, {FOLDS}-fold by document (hand-written lists trained on the other folds), "
        f"and without hunspell-kk; ktb_train.*: the same on {UNTUNED_FILE}, never tuned on; "
        "a capital at a sentence's start is read as a common word unless it reads as a name"
    ),
)
def run(dataset_dir: Path) -> Metrics:
    path = dataset_dir / TEST_FILE
    frequencies = load_word_frequencies()
    metrics = evaluate_file(path, KazakhLemmatizer(frequencies=frequencies))
    metrics.update(evaluate_kfold(
        path, lambda held: KazakhLemmatizer(frequencies=frequencies, withhold=held)))
    bare = Scores()
    bare.add(read_conllu(path), KazakhLemmatizer(use_hunspell=False, frequencies=frequencies))
    metrics.update(bare.metrics("no_hunspell."))
    untuned = Scores()
    untuned.add(read_conllu(dataset_dir / UNTUNED_FILE), KazakhLemmatizer(frequencies=frequencies))
    metrics.update(untuned.metrics("ktb_train."))
    return metrics


# --- a hand-checked sample of text the rules were never tuned on ---------------------------
KAZNERD_FILE = "IOB2_valid.txt"
SAMPLE_FILE = "lemma_kk_kaznerd_sample.jsonl"


@dataclass(frozen=True, slots=True)
class SampleKey:
    sentence: int
    """Index of the sentence in IOB2_valid.txt (sentences are separated by blank lines)."""
    token: int
    lemma: str


def load_sample(name: str = SAMPLE_FILE) -> list[SampleKey]:
    """The stored keys and gold lemmas (no dataset text: the tokens are read from KazNERD)."""
    text = resources.files("birlik.evaluation").joinpath("data", name).read_text("utf-8")
    keys = []
    for line in text.splitlines():
        if line.strip():
            row = json.loads(line)
            keys.append(SampleKey(int(row["sentence"]), int(row["token"]), str(row["lemma"])))
    return keys


def read_iob_tokens(path: Path) -> list[list[str]]:
    """Sentences of a KazNERD IOB2 file as lists of tokens."""
    sentences: list[list[str]] = [[]]
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if sentences[-1]:
                    sentences.append([])
                continue
            sentences[-1].append(line.rpartition(" ")[0] or line)
    return [s for s in sentences if s]


def evaluate_sample(path: Path, keys: list[SampleKey], lemmatizer: KazakhLemmatizer) -> Metrics:
    sentences = read_iob_tokens(path)
    tally = Tally()
    for key in keys:
        if key.sentence >= len(sentences) or key.token >= len(sentences[key.sentence]):
            raise ConfigError(f"{path} has no token {key.sentence}:{key.token} — is it the pinned "
                              "KazNERD file?", code=codes.V320)
        tokens = sentences[key.sentence]
        following = tokens[key.token + 1] if key.token + 1 < len(tokens) else None
        tally.add(lemmatizer.lemma(tokens[key.token], following) == key.lemma)
    return {"accuracy": tally.accuracy, "tokens": float(tally.total)}


@register_eval(
    "lemma_kk_kaznerd",
    dataset="kaznerd",
    files=(KAZNERD_FILE,),
    description=(
        "Kazakh lemma accuracy on a hand-checked sample of 160 KazNERD tokens (one per sentence, "
        f"all parts of speech; keys and gold lemmas in evaluation/data/{SAMPLE_FILE}): text the "
        "rules were never tuned on"
    ),
)
def run_kaznerd_sample(dataset_dir: Path) -> Metrics:
    return evaluate_sample(dataset_dir / KAZNERD_FILE, load_sample(), KazakhLemmatizer())
