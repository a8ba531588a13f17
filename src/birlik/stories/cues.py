"""Cues of a text that survive translation: numbers, dates, Latin-script words, name stems.

A Kazakh article and its Russian version share figures, dates written with digits, Latin
words (URLs, brands, abbreviations) and the stems of proper names once both are folded to
one Cyrillic skeleton (``Жаңбыршин`` / ``Джанбурчин`` → ``жанб`` / ``джан`` differ, but
``Қозыкөрпеш`` / ``Козы-Корпеш`` → ``козы``).
"""

from __future__ import annotations

import re

_NUMBER = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)"
    r"|(?<![\w.,])\d{1,3}(?:,\d{3})+(?![\d,])"
    r"|\d+(?:[.,]\d+)?"
)
_LATIN_WORD = re.compile(r"\b[A-Za-z][A-Za-z0-9\-]{2,}\b")
_CAPITALISED = re.compile(r"(?<![\w\-])([A-ZА-ЯЁӘҒҚҢӨҰҮҺІ][a-zа-яёәғқңөұүһі\-]{3,})")
_SENTENCE_START = re.compile(r"(?:^|[.!?…«\"“(]\s*)$")

#: Kazakh letters folded to the Russian letters that spell the same sound in names.
_FOLD = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ё": "е",
        "й": "и",
        "ы": "и",
        "-": "",
    }
)

MONTHS: dict[str, int] = {
    # kk
    "қаңтар": 1,
    "ақпан": 2,
    "наурыз": 3,
    "сәуір": 4,
    "мамыр": 5,
    "маусым": 6,
    "шілде": 7,
    "тамыз": 8,
    "қыркүйек": 9,
    "қазан": 10,
    "қараша": 11,
    "желтоқсан": 12,
    # ru (stems)
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "мая": 5,
    "май": 5,
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
    # en
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_WORDS = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_DAY_MONTH = re.compile(
    rf"\b(\d{{1,2}})(?:-?(?:ші|шы|inci|th|st|nd|rd))?\s+({_MONTH_WORDS})\w*", re.IGNORECASE
)
_MONTH_DAY = re.compile(rf"\b({_MONTH_WORDS})\w*\s+(\d{{1,2}})\b", re.IGNORECASE)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")


def numbers(text: str) -> set[str]:
    """Figures written with digits, normalised.

    ``1 000`` and ``1,000`` → ``1000``, ``2,5`` → ``2.5``, ``02`` → ``2``.
    """
    out: set[str] = set()
    for match in _NUMBER.finditer(text):
        raw = re.sub(r"[ \u00a0\u202f]", "", match.group())
        raw = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw) else raw.replace(",", ".")
        whole, _, fraction = raw.partition(".")
        out.add((whole.lstrip("0") or "0") + (f".{fraction}" if fraction else ""))
    return out


def dates(text: str) -> set[str]:
    """Day-and-month dates as ``MM-DD`` (``14 тамыз``, ``14 августа``, ``August 14``, ``14.08.2026``)."""
    out: set[str] = set()
    for match in _DAY_MONTH.finditer(text):
        month = _month(match.group(2))
        if month:
            out.add(f"{month:02d}-{int(match.group(1)):02d}")
    for match in _MONTH_DAY.finditer(text):
        month = _month(match.group(1))
        if month and match.group(1).lower() in MONTHS and len(match.group(1)) > 3:
            out.add(f"{month:02d}-{int(match.group(2)):02d}")
    for match in _NUMERIC_DATE.finditer(text):
        out.add(f"{int(match.group(2)):02d}-{int(match.group(1)):02d}")
    return out


def _month(word: str) -> int:
    word = word.lower()
    for size in range(len(word), 1, -1):
        month = MONTHS.get(word[:size])
        if month:
            return month
    return 0


def latin_words(text: str) -> set[str]:
    return {word.lower() for word in _LATIN_WORD.findall(text)}


def fold_name(word: str) -> str:
    """A name reduced to a Cyrillic skeleton shared by its Kazakh and Russian spellings."""
    return word.lower().translate(_FOLD)


def name_stems(text: str, size: int = 4) -> set[str]:
    """Stems of capitalised words that do not open a sentence (likely names)."""
    out: set[str] = set()
    for match in _CAPITALISED.finditer(text):
        if _SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()]):
            continue
        stem = fold_name(match.group(1))[:size]
        if len(stem) == size:
            out.add(stem)
    return out
