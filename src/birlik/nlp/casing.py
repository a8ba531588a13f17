"""Capitals are not names by themselves: shouting, sentence starts and hashtags.

The NER models lean on capitals: «СРОЧНО!!!» opening a post came out as an organisation,
«ЖАҢАЛЫҚ» or «Внимание» at the start of a message as a name. A model's mention with no
lexicon id whose only sign of being a name may be its capitals is checked once more:

- a word in capitals (``СРОЧНО``, ``ШҰҒЫЛ``), a capitalised word opening a sentence
  (``Внимание``; not after an opening quote) or a hashtag (``#Срочно``), when the mention is
  that one word or only such words;
- Russian: the word must be one the dictionary (pymorphy3) knows as a name, a surname, a
  place, an organisation or an abbreviation, or not know at all (``Газпром``); a known
  common word (``срочно``, ``внимание``) is no name;
- Kazakh: words in capitals longer than an abbreviation and hashtags only (the model was
  trained with sentence-initial capitals and has a feature for them; re-checking them lost
  real names on the development part); the sentence is tagged again with the word in lower
  case, and a name the model still sees without its capitals (``алматы``) stays.

Mentions the lexicons linked (``#Алматы``, ``АЛМАТЫ``) are facts, not guesses, and are not
checked; nor are identity groups (``Қазақстандықтар`` opening a sentence is a NORP).
"""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import replace

from birlik.domain.records import Document, Mention, Token
from birlik.domain.text import normalise
from birlik.nlp.morph_ru import russian_analyzer
from birlik.nlp.ner_kk import KazakhNer, bio_chunks, token_gaps

log = logging.getLogger(__name__)

CHECKED_TYPES = frozenset({"PERSON", "ORG", "PLACE"})
#: pymorphy3 grammemes of names: first names, surnames, patronymics, places,
#: organisations, abbreviations, trademarks.
NAME_GRAMMEMES = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Abbr", "Trad"})
ABBREVIATION_LETTERS = 4
"""Kazakh words in capitals up to this length are taken for abbreviations."""
_SENTENCE_OPENERS = frozenset(" \t(—–-")
_QUOTES = frozenset("\"'«“„")
_KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SURNAME = re.compile(r"(?:[оеё]в|ин|ын)(?:а|у|ым|ом|е|ой|ою|ых|ыми|ы)?$|(?:улы|уулу|кызы)$")

IsName = Callable[[str], bool]
PartOfSpeech = Callable[[str], str | None]
# A capitalised sentence opener of these parts of speech (pymorphy3) is cut off a PERSON or
# PLACE the model ran into it: ``Вчера Токаев``, ``Поддерживаемый Кремлём``, ``Герб Армении``.
# Organisation names start with common words (``Министерство``, ``Федеральная служба``) and
# are left whole; a place may start with an adjective (``Мёртвое море``).
_NOT_A_NAME_START = frozenset({"ADVB", "PREP", "CONJ", "PRCL", "INTJ", "VERB", "INFN", "GRND",
                               "PRED", "NPRO", "NUMR", "PRTF", "COMP"})
_TRIMMED: dict[str, frozenset[str]] = {
    "PERSON": _NOT_A_NAME_START | {"ADJF"},
    "PLACE": _NOT_A_NAME_START | {"NOUN"},
}


class CasingStage:
    """Drops model mentions (no id) that rest on capitals alone; see the module doc."""

    name = "casing.v1"
    requires = frozenset({"entities.ner_kk", "entities.ner_ru", "sentences", "tokens"})
    provides = frozenset({"entities.cased"})

    def __init__(self, kazakh: KazakhNer | None, russian_is_name: IsName | None = None,
                 russian_pos: PartOfSpeech | None = None) -> None:
        self.kazakh = kazakh
        self.russian_is_name = russian_is_name or russian_dictionary()
        self.russian_pos = russian_pos or russian_parts_of_speech()

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            kept = [m for m in doc.entities if not self._capitals_only(doc, m)]
            doc.entities = [self._without_opener(doc, m) for m in kept]
        return docs

    def _without_opener(self, doc: Document, mention: Mention) -> Mention:
        """A Russian person or place the model ran into the capitalised common word
        opening the sentence (``Вчера Токаев``, ``Сегодня Астана``) loses that word."""
        if mention.id is not None or mention.type not in _TRIMMED or doc.lang == "kk":
            return mention
        if _KAZAKH_LETTERS.search(mention.text):
            return mention
        words = list(_WORD.finditer(doc.text, mention.start, mention.end))
        if len(words) < 2 or words[0].start() != mention.start:
            return mention
        first = words[0].group()
        if not (first[:1].isupper() and _opens_sentence(doc.text, mention.start)):
            return mention
        if (len(first) < 3 or self.russian_is_name(first) or _surname_shaped(first)
                or self.russian_pos(first) not in _TRIMMED[mention.type]):
            return mention
        start = words[1].start()
        return replace(mention, start=start, text=doc.text[start:mention.end])

    def _capitals_only(self, doc: Document, mention: Mention) -> bool:
        if mention.id is not None or mention.type not in CHECKED_TYPES:
            return False
        words = list(_WORD.finditer(doc.text, mention.start, mention.end))
        if _KAZAKH_LETTERS.search(mention.text) or doc.lang == "kk":
            if not words or not (
                all(_kazakh_suspect(doc.text, w.start(), w.group()) for w in words)
                or _shouted_phrase([w.group() for w in words])
            ):
                return False
            return self.kazakh is not None and not self._kazakh_name(doc, mention)
        if not words or not all(_suspect(doc.text, w.start(), w.group()) for w in words):
            return False
        return not any(self.russian_is_name(w.group()) or _surname_shaped(w.group())
                       for w in words)

    def _kazakh_name(self, doc: Document, mention: Mention) -> bool:
        """Does the model still tag the mention's words with them in lower case?"""
        assert self.kazakh is not None
        sentence = next((s for s in doc.sentences if s.start <= mention.start < s.end), None)
        if sentence is None:
            return True
        starts = [token.start for token in doc.tokens]
        first = bisect.bisect_left(starts, sentence.start)
        last = bisect.bisect_left(starts, sentence.end)
        tokens = [t for t in doc.tokens[first:last] if t.end <= sentence.end]
        words = [_lowered(doc.text, t, mention) for t in tokens]
        norm_text = doc.norm_text if doc.norm_text is not None else normalise(doc.text)
        tags = self.kazakh.tag(words, token_gaps(norm_text, tokens, sentence.start, sentence.end))
        return any(
            entity_type in CHECKED_TYPES
            and tokens[first_word].start < mention.end and mention.start < tokens[last_word].end
            for first_word, last_word, entity_type in bio_chunks(tags)
        )


def _lowered(text: str, token: Token, mention: Mention) -> str:
    word = text[token.start:token.end]
    return word.lower() if mention.start <= token.start < mention.end else word


def _suspect(text: str, start: int, word: str) -> bool:
    """A word whose capital may say nothing: in capitals, opening a sentence, a hashtag."""
    if len(word) > 1 and word.isupper():
        return True
    return word[:1].isupper() and (_hashtag(text, start) or _opens_sentence(text, start))


def _kazakh_suspect(text: str, start: int, word: str) -> bool:
    """Kazakh: a shouted word longer than an abbreviation (ҚХА, АҚШ, ҰҚК), or a hashtag.
    A capital opening a sentence is left to the model, which was trained with it."""
    if len(word) > ABBREVIATION_LETTERS and word.isupper():
        return True
    return word[:1].isupper() and _hashtag(text, start)


def _shouted_phrase(words: list[str]) -> bool:
    """Several words in capitals, one of them longer than an abbreviation ("ТАҒЫ ДА ШУЛАДЫ")."""
    return len(words) > 1 and all(w.isupper() for w in words) and any(
        len(w) > ABBREVIATION_LETTERS for w in words)


def _surname_shaped(word: str) -> bool:
    """A capitalised (not shouted) word with a surname's ending in -ов/-ев/-ин in any
    case (``Токаев``, which pymorphy3 reads as a plural of ``токай``; ``Назарбаевой``) or
    a Kazakh patronymic (``Кемелулы``). -ский is left out: adjectives end so too."""
    return word[:1].isupper() and not word.isupper() and bool(_SURNAME.search(word))


def _hashtag(text: str, start: int) -> bool:
    return start > 0 and text[start - 1] == "#"


def _opens_sentence(text: str, start: int) -> bool:
    """After a full stop, a line break, a colon or at the start; not after a quote, which
    marks a name («Қазақмыс»)."""
    i = start - 1
    if i >= 0 and text[i] in _QUOTES:
        return False
    while i >= 0 and text[i] in _SENTENCE_OPENERS:
        i -= 1
    return i < 0 or text[i] in ".!?…\n:#"


def russian_dictionary() -> IsName:
    """``word -> may it be a name?`` from pymorphy3; without pymorphy3 every word may."""
    analyzer = russian_analyzer()
    if analyzer is None:
        log.warning("pymorphy3 is not installed: shouted Russian words are not checked")
        return lambda word: True

    @functools.lru_cache(maxsize=50_000)
    def is_name(word: str) -> bool:
        parses = analyzer.parse(word.lower())
        known = [p for p in parses if p.is_known]
        return not known or any(NAME_GRAMMEMES & set(p.tag.grammemes) for p in parses)

    return is_name


def russian_parts_of_speech() -> PartOfSpeech:
    """``word -> pymorphy3's part of speech`` of its first parse (None when unknown or
    pymorphy3 is missing)."""
    analyzer = russian_analyzer()
    if analyzer is None:
        return lambda word: None

    @functools.lru_cache(maxsize=50_000)
    def pos(word: str) -> str | None:
        parses = analyzer.parse(word.lower())
        if not parses or not parses[0].is_known:
            return None
        return str(parses[0].tag.POS) if parses[0].tag.POS else None

    return pos
