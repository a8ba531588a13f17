"""Lexicon matching that tolerates Kazakh and Russian inflection.

Folding and the stems of a lexicon word (``fold``, ``word_stems``) live in ``birlik.domain.text``,
which the reference data in ``resources`` uses as well.

Entries are sequences of words (``["алматы", "облысы"]``). A text token matches an entry
word when, after folding, it equals the word or one of the word's stems followed by a
known inflectional ending (``алматыда``, ``облысының``, ``жамбылской``, ``уйгурам``).
Kazakh letters are folded to their Russian neighbours on both sides (``қ→к``, ``ұ→у``…)
so that Kazakh names typed on a Russian keyboard still match.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Generic, TypeVar

from birlik.domain.records import Token
from birlik.domain.text import fold, word_stems

T = TypeVar("T")

MIN_STEM = 2


def _kazakh_endings() -> frozenset[str]:
    plural = ["", "лар", "лер", "дар", "дер", "тар", "тер"]
    possessive = [
        "",
        "ы",
        "і",
        "сы",
        "сі",
        "ың",
        "ің",
        "ым",
        "ім",
        "мыз",
        "міз",
        "ымыз",
        "іміз",
        "ыңыз",
        "іңіз",
        "ңыз",
        "ңіз",
    ]
    case = [
        "",
        "ның",
        "нің",
        "дың",
        "дің",
        "тың",
        "тің",
        "ға",
        "ге",
        "қа",
        "ке",
        "на",
        "не",
        "а",
        "е",
        "ны",
        "ні",
        "ды",
        "ді",
        "ты",
        "ті",
        "н",
        "да",
        "де",
        "та",
        "те",
        "нда",
        "нде",
        "дан",
        "ден",
        "тан",
        "тен",
        "нан",
        "нен",
        "ынан",
        "інен",
        "мен",
        "бен",
        "пен",
        "менен",
        "дағы",
        "дегі",
        "тағы",
        "тегі",
        "ндағы",
        "ндегі",
        "ша",
        "ше",
    ]
    endings = {"".join(parts) for parts in product(plural, possessive, case)}
    # no derivational -лық/-шы: "алматылық" (an Almaty resident) is not the place Almaty
    endings |= {"дай", "дей", "тай", "тей", "нікі", "ныкі", "дікі", "дыкі"}
    personal = ["мын", "мін", "пын", "пін", "бын", "бін", "сың", "сің", "сыз", "сіз", "мыз", "міз"]
    endings |= {p + e for p in ("", "лар", "лер", "дар", "дер", "тар", "тер") for e in personal}
    return frozenset(fold(e) for e in endings)


_RUSSIAN_ENDINGS = frozenset(
    [
        "а",
        "я",
        "у",
        "ю",
        "е",
        "и",
        "ы",
        "о",
        "ом",
        "ем",
        "ой",
        "ей",
        "ою",
        "ею",
        "ах",
        "ях",
        "ам",
        "ям",
        "ами",
        "ями",
        "ов",
        "ев",
        "ий",
        "ый",
        "ая",
        "яя",
        "ое",
        "ее",
        "ые",
        "ие",
        "ого",
        "его",
        "ому",
        "ему",
        "ым",
        "им",
        "ую",
        "юю",
        "ых",
        "их",
        "ыми",
        "ими",
        "ка",
        "ки",
        "ке",
        "ку",
        "кой",
        "ек",
        "цы",
        "цев",
        "цам",
        "цами",
        "цах",
        "ец",
        "ин",
        "ина",
        "ину",
        "ином",
        "ине",
        "ины",
        "ин",
        "ке",
        "кам",
        "ками",
        "ках",
    ]
)
_ENGLISH_ENDINGS = frozenset(["s", "'s", "es", "n", "an", "ans", "ian", "ians"])
ENDINGS: frozenset[str] = _kazakh_endings() | _RUSSIAN_ENDINGS | _ENGLISH_ENDINGS
_MAX_ENDING = max(len(e) for e in ENDINGS)


_VOICED = {"г": "к", "б": "п"}
_VOWELS = frozenset("аеиоуыэюяі")


def token_keys(token: str) -> set[str]:
    """The keys a text token may match: itself and every known stem + ending split."""
    folded = fold(token)
    keys = {folded}
    for cut in range(1, min(_MAX_ENDING, len(folded) - MIN_STEM) + 1):
        if folded[-cut:] in ENDINGS:
            stem = folded[:-cut]
            keys.add(stem)
            # Kazakh voices a final қ/к/п before a vowel ending: қазақ → қазағы, кітап → кітабы
            if stem[-1] in _VOICED and folded[-cut] in _VOWELS:
                keys.add(stem[:-1] + _VOICED[stem[-1]])
    return keys


_KAZAKH_LETTERS = frozenset("әғқңөұүһі")
_VOICING = frozenset({("қ", "ғ"), ("к", "г"), ("п", "б")})


def script_compatible(token: str, word: str) -> bool:
    """Folding lets Kazakh typed on a Russian keyboard match (``казакстан``), but a token
    written with Kazakh letters must carry the entry's own letters: ``көреді`` (sees) is
    not ``корей``, ``өсетін`` (growing) is not ``осетин``. Only the part the word covers
    is compared; the word's last letter may be voiced before an ending (қазақ → қазағы)."""
    token = token.lower().replace("'", "")
    if not _KAZAKH_LETTERS.intersection(token):
        return True
    last = len(word) - 1
    for position, (seen, wanted) in enumerate(zip(token, word, strict=False)):
        if seen == wanted or (seen not in _KAZAKH_LETTERS and wanted not in _KAZAKH_LETTERS):
            continue
        if position == last and (wanted, seen) in _VOICING:
            continue
        return False
    return True


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    start_token: int
    end_token: int
    payload: T


_Candidate = tuple[tuple[frozenset[str], ...], tuple[str, ...], T]


class LexiconMatcher(Generic[T]):
    """Finds the longest lexicon entries in a token sequence, left to right."""

    def __init__(self, entries: Iterable[tuple[Sequence[str], T]]) -> None:
        self._first: dict[str, list[tuple[tuple[frozenset[str], ...], tuple[str, ...], T]]] = {}
        self._exact_short: set[str] = set()
        self._key_cache: dict[str, set[str]] = {}
        self._candidate_cache: dict[str, tuple[_Candidate[T], ...]] = {}
        for words, payload in entries:
            if not words:
                continue
            stems = tuple(frozenset(self._register(w)) for w in words)
            raw = tuple(w.lower().replace("'", "") for w in words)
            for key in stems[0]:
                self._first.setdefault(key, []).append((stems, raw, payload))
        for candidates in self._first.values():
            candidates.sort(key=lambda item: -len(item[0]))

    def _register(self, word: str) -> set[str]:
        stems = word_stems(word)
        if len(fold(word)) < 4:
            self._exact_short.add(fold(word))
            return {fold(word)}
        return stems

    def _keys(self, token: str) -> set[str]:
        keys = self._key_cache.get(token)
        if keys is None:
            keys = token_keys(token)
            if len(self._key_cache) < 200_000:
                self._key_cache[token] = keys
        return keys

    def find(self, tokens: Sequence[Token]) -> list[Match[T]]:
        matches: list[Match[T]] = []
        cached = self._candidate_cache
        i = 0
        while i < len(tokens):
            # most tokens start no entry: one dictionary look-up decides (the same memo as
            # ``_candidates``), before any call
            if cached.get(tokens[i].text, True) == ():
                i += 1
                continue
            best = self._best_at(tokens, i)
            if best is None:
                i += 1
                continue
            matches.append(best)
            i = best.end_token
        return matches

    def _candidates(self, token: str) -> tuple[_Candidate[T], ...]:
        """The entries a token may start, longest key first, so that a whole word wins
        over a shorter stem + ending (memoised per token text: most tokens start none)."""
        found = self._candidate_cache.get(token)
        if found is None:
            candidates: list[_Candidate[T]] = []
            for key in sorted(self._keys(token), key=lambda k: (-len(k), k)):
                candidates.extend(self._first.get(key, ()))
            found = tuple(candidates)
            if len(self._candidate_cache) < 200_000:
                self._candidate_cache[token] = found
        return found

    def _best_at(self, tokens: Sequence[Token], i: int) -> Match[T] | None:
        candidates = self._candidates(tokens[i].text)
        if not candidates:
            return None
        best: Match[T] | None = None
        for stems, raw, payload in candidates:
            n = len(stems)
            if best is not None and n <= best.end_token - best.start_token:
                continue
            if i + n > len(tokens) or not self._fits(stems, tokens, i):
                continue
            if not all(script_compatible(tokens[i + k].text, raw[k]) for k in range(n)):
                continue
            best = Match(i, i + n, payload)
        return best

    def _fits(self, stems: tuple[frozenset[str], ...], tokens: Sequence[Token], i: int) -> bool:
        first = fold(tokens[i].text)
        if len(stems) == 1 and first not in stems[0] and stems[0] & self._exact_short:
            return False
        return all(self._keys(tokens[i + k].text) & stems[k] for k in range(1, len(stems)))
