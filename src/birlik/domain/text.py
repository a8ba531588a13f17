"""Normalisation, sentence splitting, tokenisation and folding for kk/ru/en text.

The one text-normalisation module: ``nlp`` (analysis) and ``resources`` (reference data, e.g.
the world places' name keys) both use it, so it sits below both.

Normalisation never changes the length of the text, so offsets found in
``norm_text`` are offsets into ``text`` as well.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from birlik.domain.records import Document, Sentence, Token

_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2011": "-",
        "\u00a0": " ",
        "\u0451": "\u0435",
        "\u0401": "\u0415",
    }
)
_LATIN_LOOKALIKES = str.maketrans("aceopxyABCEHKMOPTXy", "асеорхуАВСЕНКМОРТХу")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD_RUN = re.compile(r"\w+")

TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:['-]\w+)*")

_ABBREVIATIONS = frozenset(
    [
        "г",
        "гг",
        "ж",
        "жж",
        "т",
        "б",
        "др",
        "т.б",
        "т.е",
        "пр",
        "им",
        "ул",
        "обл",
        "р-н",
        "рн",
        "мкр",
        "тыс",
        "млн",
        "млрд",
        "руб",
        "тг",
        "тенге",
        "проф",
        "акад",
        "доц",
        "стр",
        "с",
        "им",
        "inc",
        "ltd",
        "mr",
        "mrs",
        "dr",
        "st",
        "no",
        "vs",
        "etc",
    ]
)
# runs start where they start and are taken possessively: linear on "……" or long spaces
_SENTENCE_END = re.compile(
    r"(?<![.!?…])([.!?…]++[\"')\]]*+)(\s++)(?=[\"'«(\[]?[\w\u0400-\u04ff])|\n\s*\n|\n(?=\s*[-•*\d])"
)


def safe_lower(text: str) -> str:
    """Lower-case without changing the length (a few letters grow when lowered)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def normalise(text: str) -> str:
    """Same-length normal form: lower case, one kind of quote and dash, ё→е, and
    Latin look-alike letters inside Cyrillic words turned Cyrillic (a common evasion)."""
    out = text.translate(_QUOTES)
    if _LATIN.search(out) and _CYRILLIC.search(out):
        out = _WORD_RUN.sub(_cyrillic_lookalikes, out)
    return safe_lower(out)


def _cyrillic_lookalikes(word: re.Match[str]) -> str:
    """A word with both Cyrillic and Latin letters, its Latin look-alikes made Cyrillic.
    (Checked word by word in linear time: one regex for "a word with both scripts"
    backtracks cubically on a long word of one script.)"""
    text = word.group(0)
    if _LATIN.search(text) and _CYRILLIC.search(text):
        return text.translate(_LATIN_LOOKALIKES)
    return text


def _control_class() -> re.Pattern[str]:
    """One character class (as ranges) of every control, format and surrogate code point."""
    ranges: list[tuple[int, int]] = []
    # control, format and surrogate code points live in planes 0, 1 and the tag block of 14
    for code in itertools.chain(range(0x20000), range(0xE0000, 0xE0100)):
        if chr(code) in "\n\t" or unicodedata.category(chr(code)) not in ("Cc", "Cf", "Cs"):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    body = "".join(
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    )
    return re.compile(f"[{body}]+")


_CONTROL = _control_class()


def clean_input(text: str) -> str:
    """Clean text once at the edge (before any offset exists): NFC, no control characters,
    unified line ends. The result is what offsets refer to."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _CONTROL.sub("", text)


def split_sentences(text: str) -> list[Sentence]:
    sentences: list[Sentence] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start(2) if match.group(2) is not None else match.start()
        if match.group(1) is not None and _ends_with_abbreviation(text, start, match.start(1)):
            continue
        _add_sentence(text, start, end, sentences)
        start = match.end()
    _add_sentence(text, start, len(text), sentences)
    return sentences


def _ends_with_abbreviation(text: str, start: int, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > start and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    return (len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS


def _add_sentence(text: str, start: int, end: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end))


def tokenize(text: str) -> list[Token]:
    return [Token(m.start(), m.end(), m.group(0)) for m in TOKEN_RE.finditer(text)]


class NormaliseStage:
    name = "normalise.v1"
    requires = frozenset({"text"})
    provides = frozenset({"norm_text"})

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.norm_text = normalise(doc.text)
        return docs


class SegmentStage:
    """Sentences and tokens; token text is taken from the normalised text."""

    name = "segment.v1"
    requires = frozenset({"norm_text"})
    provides = frozenset({"sentences", "tokens"})

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            norm = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
            doc.sentences = split_sentences(doc.text)
            doc.tokens = tokenize(norm)
        return docs


_SPACE_RUN = re.compile(r"\s+")


def headline(text: str, limit: int = 120) -> str:
    """``text`` on one line, at most ``limit`` characters, cut between words (never inside
    one) and ended with «…» when cut."""
    line = _SPACE_RUN.sub(" ", text).strip()
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:—–-") + "…"


_FOLD = str.maketrans("әғқңөұүһіё", "агкноуухие")
_STEM_CUTS = ("ая", "ий", "ый", "ое", "ые", "ие", "а", "я", "ы", "и", "ь", "й", "о", "е")


def fold(word: str) -> str:
    """Kazakh letters to their Russian neighbours (``қ→к``, ``ұ→у``…), ``ё→е``, no apostrophes:
    a Kazakh name typed on a Russian keyboard folds to the same key."""
    return word.translate(_FOLD).replace("'", "")


def word_stems(word: str) -> set[str]:
    """The keys a lexicon word is registered under: itself and, for words that decline
    by changing their ending (Russian ``Астана → Астане``), the stem without it."""
    folded = fold(word)
    stems = {folded}
    for cut in _STEM_CUTS:
        if folded.endswith(cut) and len(folded) - len(cut) >= 4:
            stems.add(folded[: -len(cut)])
            break
    return stems
