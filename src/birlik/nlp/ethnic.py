"""Mentions of ethnic groups (``ETHNIC_GROUP``) in kk/ru/en text.

The lexicon's forms are matched with ``LexiconMatcher`` over the document's tokens, with
hyphenated tokens split ("русско-казахский", "турки-месхетинцы"). Then, per candidate:

- the form wins whose letters match the text and whose language is the document's
  (kk "қазақ" and ru "казак" (Cossack) fold to the same key);
- a group's ``exclude`` patterns veto tokens that only look like its forms ("Украина");
- Latin forms count only when capitalised ("Polish", not "polish"); capitalised Cyrillic
  tokens ending like a Russian surname inside a sentence ("Поляков") do not count, unless
  the form can only be the genitive plural of the people: after a preposition ("для
  Узбеков": a surname there would be "Узбекова"), in a list with another group ("Дагов,
  Узбеков, Таджиков") or written in capitals ("ДОЛОЙ КАЗАХОВ": shouting, not a name);
- in Russian documents a word the dictionary (pymorphy3) does not know that is one letter
  away (a letter wrong, missing, added or two swapped) from a stem of a Russian form of at
  least ``FUZZY_MIN`` letters is that form misspelt ("таджыки", "кауказца", "рускую");
- ambiguous forms (kk "шешен", "қытай") count only with context: a plural ending, a cue
  word next to them ("халқы", "диаспора", "people") or a mention of another group close by.

Language mentions ("русский язык", "орыс тілі", "қазақша", "по-русски") are kept as mentions
of the group, since language policy is part of interethnic relations, but with confidence
``LANGUAGE_CONFIDENCE`` so that consumers who want people only can drop them.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from birlik.domain.records import Document, Mention, Token
from birlik.domain.text import fold, normalise, word_stems
from birlik.nlp.matcher import MIN_STEM, LexiconMatcher, Match, token_keys
from birlik.nlp.morph_ru import russian_analyzer
from birlik.resources.ethnic import EthnicForm, EthnicLexicon

log = logging.getLogger(__name__)

MENTION_TYPE = "ETHNIC_GROUP"
LANGUAGE_CONFIDENCE = 0.5
CONTEXT_CONFIDENCE = 0.8
GATE = 4
FUZZY_MIN = 6
"""Russian forms this long or longer are also found misspelt by one letter."""
FUZZY_STEM = 5
"""…through their stems of at least this many letters (shorter ones meet ordinary words)."""
CACHE_SIZE = 200_000
NEIGHBOUR_WINDOW = 3
"""Tokens either side within which a mention of another group confirms an ambiguous one
(lists: "шешендер, ингуштар және аварлар")."""

_WORD_SPLIT = re.compile(r"[\s-]+")
_KAZAKH_LETTERS = re.compile(r"[әғқңөұүһі]")
_KK_PLURAL = re.compile(r"(лар|лер|дар|дер|тар|тер)")
_RU_PLURAL = frozenset({"ы", "и", "е", "ам", "ами", "ах"})
_RU_PLURAL_CASES = frozenset({"ы", "и", "ов", "ев", "ей", "ам", "ям", "ами", "ями", "ах", "ях"})
_CUE_PREFIXES = tuple(fold(p) for p in (
    "халқ", "ұлт", "диаспор", "этн", "қауым", "жастар", "тілі", "тілд",
    "народ", "нац", "общин", "земляч", "язык",
    "people", "communit", "diaspor", "ethnic", "minorit", "language",
))
_SURNAME_ENDINGS = ("ов", "ев", "ова", "ева", "овым", "евым", "овой", "евой", "ину", "ина", "ин")
_LANGUAGE_PREFIXES = tuple(fold(p) for p in ("тілі", "тілд", "язык", "language"))
_GENITIVE_PLURAL = ("ов", "ев")
_COUNTRY_ENDINGS = ("ия", "ии", "ию", "ией")
"""A misspelt "Белорусия" is the country, not a people."""
#: Prepositions that govern the genitive: a surname after them would not end in -ов/-ев.
_GENITIVE_PREPOSITIONS = frozenset((
    "для", "от", "у", "из", "без", "против", "среди", "кроме", "вместо", "возле", "около",
    "до", "после", "ради", "вокруг", "мимо", "насчет", "насчёт", "из-за", "из-под",
))
_LIST_JOINS = frozenset((",", "и", "или", ", и", ", или", ";"))
KnownWord = Callable[[str], bool]
"""``word -> does the dictionary know it?`` (the guard against fuzzy matches)."""


@dataclass(frozen=True, slots=True)
class _Entry:
    form: EthnicForm
    key_prefix: str
    """The form lower-cased, unfolded: tells "қазақ" from "казак" when both fold alike."""


@dataclass(frozen=True, slots=True)
class _Candidate:
    form: EthnicForm
    first: int
    last: int
    language: bool


class EthnicStage:
    """Appends ``ETHNIC_GROUP`` mentions (id = canonical group id) to ``doc.entities``."""

    name = "ethnic.v1"
    requires = frozenset({"tokens"})
    provides = frozenset({"entities.ethnic"})

    def __init__(self, lexicon: EthnicLexicon, known_word: KnownWord | None = None) -> None:
        forms = list(lexicon.forms())
        self._known_word = known_word if known_word is not None else russian_known_word()
        self._fuzzy = _fuzzy_index(forms)
        self._fuzzy_cache: dict[str, EthnicForm | None] = {}
        self._matcher: LexiconMatcher[_Entry] = LexiconMatcher(
            (words, _Entry(form, " ".join(words))) for form in forms
            if (words := _entry_words(form.text))
        )
        self._by_key = _single_word_index(forms)
        first_words = [words[0] for form in forms if (words := _entry_words(form.text))]
        first_keys = {key for word in first_words for key in _keys_of(word)}
        self._gate = frozenset(key[:GATE] for key in first_keys)
        self._short_keys = frozenset(key for key in first_keys if len(key) < GATE)
        self._max_words = max(len(_entry_words(form.text)) for form in forms)
        self._exclude = {
            group.id: re.compile("|".join(f"(?:{normalise(p)})" for p in group.exclude))
            for group in lexicon if group.exclude
        }
        self._resolved: dict[str, tuple[tuple[str, _Entry], ...]] = {}
        self._gate_cache: dict[str, bool] = {}

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.entities.extend(self.mentions(doc))
        return docs

    def mentions(self, doc: Document) -> list[Mention]:
        tokens = split_hyphens(doc.tokens)
        doc_lang = _document_lang(doc, tokens)
        matches = self._find(tokens)
        candidates: list[_Candidate] = []
        surnames: list[_Candidate] = []
        for match in matches:
            cand = self._candidate(match, tokens, doc, doc_lang)
            if cand is None:
                continue
            if cand.last - cand.first == 1 and _looks_like_surname(doc, tokens, cand.first):
                surnames.append(cand)
            else:
                candidates.append(cand)
        if doc_lang == "ru":
            candidates.extend(self._misspelt(doc, tokens, matches))
        candidates.extend(_listed(doc, tokens, surnames, candidates))
        candidates.sort(key=lambda cand: cand.first)
        confident = [c for c in candidates if not c.form.ambiguous]
        return [
            _mention(doc, tokens, cand) for cand in candidates
            if not cand.form.ambiguous or _has_context(doc, cand, tokens, confident)
        ]

    def _find(self, tokens: Sequence[Token]) -> list[Match[_Entry]]:
        """``LexiconMatcher.find``, run only where an entry can start: every key the matcher
        tries is a prefix of the folded token, and keys are shorter than ``GATE`` letters only
        for short words."""
        matches: list[Match[_Entry]] = []
        gate = self._gate_cache
        i = 0
        while i < len(tokens):
            may_start = gate.get(tokens[i].text)
            if may_start is None:
                may_start = self._may_start(tokens[i].text)
            if may_start:
                found = self._matcher.find(tokens[i : i + self._max_words])
                if found and found[0].start_token == 0:
                    width = found[0].end_token
                    matches.append(Match(i, i + width, found[0].payload))
                    i += width
                    continue
            i += 1
        return matches

    def _may_start(self, token: str) -> bool:
        folded = fold(token)
        may_start = folded[:GATE] in self._gate or folded[:MIN_STEM] in self._short_keys
        if len(self._gate_cache) < CACHE_SIZE:
            self._gate_cache[token] = may_start
        return may_start

    def _candidate(
        self, match: Match[_Entry], tokens: Sequence[Token], doc: Document, doc_lang: str | None
    ) -> _Candidate | None:
        first, last = match.start_token, match.end_token
        form = match.payload.form
        if last - first == 1:
            resolved = self._resolve(tokens[first].text, doc_lang)
            if resolved is None:
                return None
            form = resolved
        if form.text[:1].isascii() and not doc.text[tokens[first].start].isupper():
            return None
        veto = self._exclude.get(form.group_id)
        if veto is not None and any(
            veto.fullmatch(token.text) for token in tokens[first:last]
        ):
            return None
        return _Candidate(form, first, last, _is_language(tokens, first, last))

    def _misspelt(
        self, doc: Document, tokens: Sequence[Token], matches: list[Match[_Entry]]
    ) -> list[_Candidate]:
        """Russian forms misspelt by one letter, among the tokens no form matched, written in
        lower case or capitalised only as a sentence's first word."""
        covered = {i for match in matches for i in range(match.start_token, match.end_token)}
        found: list[_Candidate] = []
        for i, token in enumerate(tokens):
            if i in covered or len(token.text) < FUZZY_MIN or not token.text.isalpha():
                continue
            if doc.text[token.start].isupper() and not _sentence_start(doc, token):
                continue  # a name ("Венгер", "Салтовки", "ТЮРКСОЙ"), not a misspelling
            if token.text in self._fuzzy_cache:
                form = self._fuzzy_cache[token.text]
            else:
                form = self._fuzzy_form(token.text)
                if len(self._fuzzy_cache) < CACHE_SIZE:
                    self._fuzzy_cache[token.text] = form
            veto = self._exclude.get(form.group_id) if form is not None else None
            if form is not None and not (veto and veto.fullmatch(token.text)):
                found.append(_Candidate(form, i, i + 1, _is_language(tokens, i, i + 1)))
        return found

    def _fuzzy_form(self, token: str) -> EthnicForm | None:
        word = fold(normalise(token))
        if _KAZAKH_LETTERS.search(token.lower()) or word.endswith(_COUNTRY_ENDINGS):
            return None
        for key in sorted(token_keys(word), key=len, reverse=True):
            if len(key) < FUZZY_STEM - 1:  # a letter short of a lexicon stem
                continue
            for stem in _one_letter_less(key) | {key}:
                for lexicon_key, form in self._fuzzy.get(stem, ()):
                    if (key[0] == lexicon_key[0] and _one_edit(key, lexicon_key)
                            and not self._known_word(token.lower())):
                        return form
        return None

    def _resolve(self, token: str, doc_lang: str | None) -> EthnicForm | None:
        """Among the forms a single token matches through its longest key, the one written
        like the token and in the document's language."""
        options = self._resolved.get(token)
        if options is None:
            options = self._options(token)
            if len(self._resolved) < CACHE_SIZE:
                self._resolved[token] = options
        if not options:
            return None
        lang_weight = 3 if doc_lang == "kk" else 1
        best = max(options, key=lambda option: (
            2 * token.startswith(option[1].key_prefix[: len(option[0])])
            + lang_weight * (option[1].form.lang == doc_lang)
        ))
        return best[1].form

    def _options(self, token: str) -> tuple[tuple[str, _Entry], ...]:
        folded = fold(token)
        for key in sorted(token_keys(token), key=len, reverse=True):
            entries = [
                entry for entry in self._by_key.get(key, ())
                if key == folded or len(key) >= 4
            ]
            if entries:
                return tuple((key, entry) for entry in entries)
        return ()


def split_hyphens(tokens: Iterable[Token]) -> list[Token]:
    """Hyphenated tokens as their parts: "турки-месхетинцы" → "турки", "месхетинцы"."""
    out: list[Token] = []
    for token in tokens:
        if "-" not in token.text:
            out.append(token)
            continue
        start = token.start
        for part in token.text.split("-"):
            if part:
                out.append(Token(start, start + len(part), part))
            start += len(part) + 1
    return out


def _entry_words(text: str) -> list[str]:
    return [word for word in _WORD_SPLIT.split(normalise(text)) if word]


def _single_word_index(forms: Iterable[EthnicForm]) -> dict[str, list[_Entry]]:
    """The keys the matcher registers a one-word form under, mapped back to the forms."""
    index: dict[str, list[_Entry]] = {}
    for form in forms:
        words = _entry_words(form.text)
        if len(words) != 1:
            continue
        for key in _keys_of(words[0]):
            index.setdefault(key, []).append(_Entry(form, words[0]))
    return index


def _keys_of(word: str) -> set[str]:
    """The keys ``LexiconMatcher`` registers a word under (short words: only themselves)."""
    return {fold(word)} if len(fold(word)) < 4 else word_stems(word)


def _document_lang(doc: Document, tokens: Sequence[Token]) -> str | None:
    if doc.lang:
        return doc.lang
    if any(_KAZAKH_LETTERS.search(token.text) for token in tokens):
        return "kk"
    return None


def _looks_like_surname(doc: Document, tokens: Sequence[Token], index: int) -> bool:
    """"Поляков", "Татаринова" inside a sentence: a Russian surname, not "поляков". Not in
    capitals ("КАЗАХОВ") nor as a genitive plural after a preposition ("для Узбеков")."""
    token = tokens[index]
    written = doc.text[token.start : token.end]
    if not written[:1].isupper() or not token.text.lower().endswith(_SURNAME_ENDINGS):
        return False
    if len(written) > 3 and written.isupper():
        return False
    if (index > 0 and token.text.lower().endswith(_GENITIVE_PLURAL)
            and tokens[index - 1].text.lower() in _GENITIVE_PREPOSITIONS):
        return False
    return not _sentence_start(doc, token)


def _sentence_start(doc: Document, token: Token) -> bool:
    before = doc.text[max(0, token.start - 3) : token.start].rstrip(" \"'«(")
    return not before or before[-1] in ".!?…\n:"


def _listed(
    doc: Document, tokens: Sequence[Token], surnames: list[_Candidate], others: list[_Candidate]
) -> list[_Candidate]:
    """The surname-like forms that stand in a list with another group ("Дагов, Узбеков,
    Таджиков"): a list of peoples, not of surnames."""
    if not surnames:
        return []
    spans = [(tokens[c.first].start, tokens[c.last - 1].end) for c in (*surnames, *others)]

    def joined(left: int, right: int) -> bool:
        return " ".join(doc.text[left:right].split()) in _LIST_JOINS

    return [
        cand for cand in surnames
        if any(
            (start, end) != (tokens[cand.first].start, tokens[cand.last - 1].end)
            and (joined(end, tokens[cand.first].start)
                 or joined(tokens[cand.last - 1].end, start))
            for start, end in spans
        )
    ]


def _fuzzy_index(forms: Iterable[EthnicForm]) -> dict[str, list[tuple[str, EthnicForm]]]:
    """The stems of one-word Russian forms of ``FUZZY_MIN`` letters or more, under themselves
    and each of their one-letter-less variants (to find one-letter misspellings)."""
    index: dict[str, list[tuple[str, EthnicForm]]] = {}
    for form in forms:
        words = _entry_words(form.text)
        if form.lang != "ru" or form.ambiguous or len(words) != 1 or len(words[0]) < FUZZY_MIN:
            continue
        for key in _keys_of(words[0]):
            if len(key) < FUZZY_STEM:
                continue
            for variant in _one_letter_less(key) | {key}:
                index.setdefault(variant, []).append((key, form))
    return index


def _one_letter_less(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Is ``a`` a typo of ``b``: one letter swapped for a neighbour on the keyboard or for one
    that sounds alike ("таджыки", "кауказца"), added or dropped inside the stem ("рускую"),
    or two neighbours swapped? A letter added or dropped at the stem's end is a suffix
    ("москальский"), and "украишка" for "украинка" a diminutive: word formation, not typos."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return frozenset((a[diff[0]], b[diff[0]])) in _TYPO_PAIRS
        return len(diff) == 2 and diff[1] == diff[0] + 1 and (
            a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_) - 1))


def _typo_pairs() -> frozenset[frozenset[str]]:
    """Letters typed for one another: neighbours on the ЙЦУКЕН keyboard (in a row and between
    rows) and letters that sound alike."""
    rows = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
    pairs = {frozenset(row[i : i + 2]) for row in rows for i in range(len(row) - 1)}
    for upper, lower in itertools.pairwise(rows):
        for i, letter in enumerate(lower):
            pairs.update(frozenset((letter, upper[j])) for j in (i, i + 1) if j < len(upper))
    sounds = ("иы", "еэ", "ао", "еи", "яа", "юу", "шщ", "зс", "дт", "бп", "гк", "вф", "жш", "ьъ")
    pairs.update(frozenset(pair) for pair in sounds)
    return frozenset(pairs)


_TYPO_PAIRS = _typo_pairs()


def russian_known_word() -> KnownWord:
    """pymorphy3: does the dictionary know a Russian word? Without pymorphy3 every word is
    known, and nothing is taken for a misspelling."""
    analyzer = russian_analyzer()
    if analyzer is None:
        log.warning("pymorphy3 is not installed: misspelt ethnic names are not found")
        return lambda word: True

    @functools.lru_cache(maxsize=50_000)
    def known(word: str) -> bool:
        return bool(analyzer.word_is_known(word))

    return known


def _is_language(tokens: Sequence[Token], first: int, last: int) -> bool:
    word = fold(tokens[last - 1].text)
    if last - first == 1 and len(word) > 5 and word.endswith(("ша", "ше")):
        return True  # kk "қазақша", "орысша"
    if first > 0 and tokens[first - 1].text == "по" and word.endswith("ски"):
        return True  # ru "по-русски"
    return last < len(tokens) and fold(tokens[last].text).startswith(_LANGUAGE_PREFIXES)


def _has_context(
    doc: Document, cand: _Candidate, tokens: Sequence[Token], confident: list[_Candidate]
) -> bool:
    token = tokens[cand.first]
    if _is_plural(cand, token.text, doc.text[token.start : token.end]):
        return True
    around = [i for i in (cand.first - 1, cand.last) if 0 <= i < len(tokens)]
    if any(fold(tokens[i].text).startswith(_CUE_PREFIXES) for i in around):
        return True
    return any(
        other.form.group_id != cand.form.group_id
        and other.last > cand.first - NEIGHBOUR_WINDOW
        and other.first < cand.last + NEIGHBOUR_WINDOW
        for other in confident
    )


def _is_plural(cand: _Candidate, token: str, written: str) -> bool:
    if cand.last - cand.first != 1:
        return False
    stem = fold(normalise(cand.form.text))
    word = fold(token)
    if cand.form.lang == "ru" and (written[:1].islower() or written.isupper()):
        # the oblique plurals decline the stem: "хохлы" → "хохлов", "хохлам", "хохлами"
        # (capitalised, "Хохлов" is a surname)
        short = min(_keys_of(normalise(cand.form.text)), key=len)
        if word.startswith(short) and word[len(short):] in _RU_PLURAL_CASES:
            return True
    if not word.startswith(stem):
        return False
    rest = word[len(stem):]
    if cand.form.lang == "kk":
        return bool(_KK_PLURAL.search(rest))
    if cand.form.lang == "ru":
        return rest in _RU_PLURAL or (not rest and word.endswith(("ы", "и")))
    return rest == "s"


def _mention(doc: Document, tokens: Sequence[Token], cand: _Candidate) -> Mention:
    start, end = tokens[cand.first].start, tokens[cand.last - 1].end
    confidence = 1.0
    if cand.form.ambiguous:
        confidence = CONTEXT_CONFIDENCE
    if cand.language:
        confidence = min(confidence, LANGUAGE_CONFIDENCE)
    return Mention(
        start=start, end=end, text=doc.text[start:end], type=MENTION_TYPE,
        id=cand.form.group_id, derogatory=cand.form.derogatory, confidence=confidence,
    )
