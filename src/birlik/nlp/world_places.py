"""Places outside Kazakhstan (and Kazakhstan as a whole) in kk/ru/en text → world place ids.

One ``LexiconMatcher`` over every written form finds the names (``Ресейге``, ``России``,
``в Москве``, ``АҚШ-тың``, ``from the USA``); the text then decides whether a match counts:

- a form in capitals (``США``, ``UK``, ``US``) counts only in capitals, and a Kazakh case
  ending after a hyphen (``АҚШ-тың``, ``РФ-да``) belongs to the name;
- a name that is also an ordinary word (``Перу``, ``Вена``, ``Куба``; every English name)
  needs its capital letters; the riskiest (``Того``, ``Мали``, ``Чад``) must also not open
  a sentence;
- a demonym, adjective or language built on a name is not the place: ``казахстанцы``,
  ``китайцы``, ``Russian``, ``Омской``, ``қытайша``.

Kazakhstan's own regions, districts and towns are the gazetteer's (``PlaceStage``); forms
shared with the gazetteer were dropped when the world data was loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from birlik.domain.records import Document, Mention, Token
from birlik.domain.text import fold, normalise, tokenize, word_stems
from birlik.nlp.matcher import ENDINGS, LexiconMatcher
from birlik.resources.world import World, WorldPlace

#: What may follow a name's stem in the same word without making it a place: demonyms
#: (китайцы, иракец), an inhabitant's or surname ending (Москвина), an English demonym
#: (Russian, Iranian), the Kazakh "in the language of" (қытайша).
_DEMONYM_TAILS = frozenset(
    [
        "ец",
        "цы",
        "цев",
        "цам",
        "цами",
        "цах",
        "ца",
        "цу",
        "цем",
        "ки",
        "ку",
        "кой",
        "кам",
        "ками",
        "ках",
        "ек",
        "ин",
        "ина",
        "ину",
        "ином",
        "ине",
        "ины",
        "н",
        "не",
        "нам",
        "нами",
        "нах",
        "n",
        "an",
        "ian",
        "ans",
        "ians",
        "ша",
        "ше",
        # -янин/-анин and -янка after a name in -я/-а (россиянин, римлянин): one of the people
        *(vowel + tail for vowel in ("", "я", "а") for tail in (
            "нин", "нина", "нину", "нином", "нине", "нка", "нки", "нке", "нку", "нкой", "нок")),
    ]
)
#: Kazakh plural markers: after a country's name they make its people (``Қытайлар``,
#: ``қытайлардың``: the Chinese), never the country.
_KK_PLURAL_TAILS = ("лар", "лер", "дар", "дер", "тар", "тер")
#: A stem this short matches ordinary words (``само`` in ``самое``): only with a capital.
_LOWER_CASE_STEM = 5
#: Words after a country name that make it part of another name (a currency, the SCO).
_NOT_PLACE_AFTER = tuple(fold(word) for word in ["доллар", "dollar", "рубл", "юан", "ынтымақтастық"])
#: Russian adjective endings, refused after a whole name (``Омской``, ``Омская``): after a
#: shortened stem they are case forms (``Москвой``).
_ADJECTIVE_TAILS = frozenset(
    [
        "ой",
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
        "ую",
        "юю",
        "ых",
        "их",
        "ым",
        "им",
        "ыми",
        "ими",
    ]
)
#: "Батыс Қазақстан", "Западного Казахстана", "North Kazakhstan" are regions of Kazakhstan.
_COMPASS_STEMS = tuple(
    fold(word)
    for word in [
        "батыс",
        "солтүстік",
        "шығыс",
        "оңтүстік",
        "запад",
        "север",
        "восточ",
        "южн",
        "west",
        "north",
        "east",
        "south",
    ]
)
KAZAKHSTAN = "iso:KZ"
_SENTENCE_BREAK = frozenset(".!?\n…")
_OPENING_PUNCT = frozenset(" \t\"'«»“”„(—–-")
_SHORT_WORD = 4
"""The matcher registers words shorter than this as they are, without stems."""


@dataclass(frozen=True, slots=True)
class _Form:
    """One written form of a place, as the matcher registered it."""

    place: WorldPlace
    abbreviation: bool
    capitals: tuple[bool, ...]
    """Per word: is it written with a capital in the data (``сектор Газа``)?"""
    last_stems: tuple[str, ...]
    """The stems of the last word, longest first."""


class WorldPlaceStage:
    """Appends a ``PLACE`` mention with its world id for every country, world city or region."""

    name = "world_places.v1"
    requires = frozenset({"tokens"})
    provides = frozenset({"entities.world"})

    def __init__(self, world: World) -> None:
        entries: dict[tuple[str, ...], tuple[list[str], _Form]] = {}
        for place in world.places:
            for name in place.all_names():
                words = [t.text for t in tokenize(normalise(name))]
                if words:
                    # the first place listed keeps a form two places share (Конго)
                    entries.setdefault(tuple(fold(w) for w in words), (words, _form(place, name, words)))
        self._matcher: LexiconMatcher[_Form] = LexiconMatcher(entries.values())

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.entities.extend(self.find(doc.text, doc.tokens))
        return docs

    def find(self, text: str, tokens: Sequence[Token]) -> list[Mention]:
        heads, ends = _split_suffixes(tokens)
        mentions: list[Mention] = []
        for match in self._matcher.find(heads):
            form = match.payload
            words = heads[match.start_token : match.end_token]
            if not _counts(text, words, form):
                continue
            if form.place.id == KAZAKHSTAN and _after_compass(heads, match.start_token):
                continue
            if _part_of_longer_name(text, heads, match.end_token, form):
                continue
            start, end = words[0].start, ends[match.end_token - 1]
            mentions.append(
                Mention(start=start, end=end, text=text[start:end], type="PLACE", id=form.place.id)
            )
        return mentions

    def find_text(self, text: str) -> list[Mention]:
        return self.find(text, tokenize(normalise(text)))


def _form(place: WorldPlace, name: str, words: list[str]) -> _Form:
    original = [word for word in name.split() if any(ch.isalnum() for ch in word)]
    capitals = tuple(word[:1].isupper() for word in original)
    if len(capitals) != len(words):
        capitals = (name[:1].isupper(),) + (False,) * (len(words) - 1)
    last = fold(words[-1])
    stems = {last} if len(last) < _SHORT_WORD else word_stems(words[-1])
    return _Form(
        place=place,
        abbreviation=_is_abbreviation(name),
        capitals=capitals,
        last_stems=tuple(sorted(stems, key=len, reverse=True)),
    )


def _is_abbreviation(name: str) -> bool:
    letters = name.replace(".", "")
    return letters.isupper() and " " not in name and len(letters) <= _SHORT_WORD + 1


def _split_suffixes(tokens: Sequence[Token]) -> tuple[list[Token], list[int]]:
    """Tokens with a case ending written after a hyphen cut off (``ақш-тың`` → ``ақш``), and
    where each original token ended, so that the mention keeps its ending."""
    heads: list[Token] = []
    ends: list[int] = []
    for token in tokens:
        head, dash, tail = token.text.rpartition("-")
        if dash and head and fold(tail) in ENDINGS:
            heads.append(Token(token.start, token.start + len(head), head))
        else:
            heads.append(token)
        ends.append(token.end)
    return heads, ends


def _counts(text: str, words: Sequence[Token], form: _Form) -> bool:
    surface = text[words[0].start : words[-1].end]
    if form.abbreviation:
        return surface.replace(".", "").replace(" ", "").isupper()
    if words[-1].text in form.place.not_forms:
        return False
    stem = _stem_of(words[-1].text, form)
    if stem is None:
        return False
    lower_ok = (
        not form.place.capitalised
        and not words[0].text.isascii()
        and (len(words) > 1 or len(stem) >= _LOWER_CASE_STEM)
    )
    if not lower_ok and not _capitals_fit(text, words, form):
        return False
    if form.place.strict:
        return not surface.isupper() and not _sentence_initial(text, words[0].start)
    return True


def _capitals_fit(text: str, words: Sequence[Token], form: _Form) -> bool:
    return all(
        text[word.start].isupper() for word, capital in zip(words, form.capitals, strict=True) if capital
    )


def _stem_of(token: str, form: _Form) -> str | None:
    """The stem of the name the last word starts with, if what follows it is a case ending,
    not a demonym, adjective or language (``России`` → ``росси``; ``россиян``, ``Омской``,
    ``Russian`` → None)."""
    folded = fold(token)
    for stem in form.last_stems:
        if folded.startswith(stem):
            tail = folded[len(stem) :]
            if tail in _DEMONYM_TAILS or (stem == form.last_stems[0] and tail in _ADJECTIVE_TAILS):
                return None
            if tail.startswith(_KK_PLURAL_TAILS):
                return None
            return stem
    return folded


def _part_of_longer_name(text: str, tokens: Sequence[Token], end: int, form: _Form) -> bool:
    """``Ресей Премьер-министрі``, ``Қазақстан Республикасы Қылмыстық кодексі``, ``АҚШ
    доллары``: a name in its bare form before a capitalised word, or before a currency, is
    part of a longer name, not a place on its own."""
    if end >= len(tokens) or not text[tokens[end - 1].end : tokens[end].start].isspace():
        return False
    following = tokens[end]
    if fold(following.text).startswith(_NOT_PLACE_AFTER):
        return True
    # not after an abbreviation: "президент США Дональд Трамп"
    bare = fold(tokens[end - 1].text) == form.last_stems[0] and not form.abbreviation
    return bare and text[following.start].isupper() and not form.place.id.startswith("region:")


def _after_compass(tokens: Sequence[Token], first: int) -> bool:
    return first > 0 and fold(tokens[first - 1].text).startswith(_COMPASS_STEMS)


def _sentence_initial(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENING_PUNCT:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_BREAK
