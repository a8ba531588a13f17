"""Identity groups and the places adjectives stand for (issue 17, item 4).

Runs after resolution, over the final mentions of a document:

- every ``ETHNIC_GROUP`` gets a ``kind``: ``ethnic`` when the lexicon linked a people
  (``id`` set), otherwise ``civic`` ("казахстанцы", "қазақстандықтар"), ``foreign``
  ("американцы", "туареги", "ресейлік") or ``regional`` ("алматинцы", "арыстықтар"), from
  ``identities.yaml`` and, for Kazakh words in -лық/-лік, from the place they are formed on
  (the gazetteer: regional; Kazakhstan: civic; a place abroad: foreign);
- a demonym noun no stage found is added (``id`` None, with its kind); a Kazakh word in
  -лық/-лік that the model took for a place ("Арыстықтарға") is a group, not the place;
- a Russian adjective of a people or a country counts as a group only where it denotes
  people: before a noun for people ("польский композитор", "российский боксёр") or standing
  alone ("русские"). Before a noun for a thing ("британской группы", "китайских соцсетях"),
  a proper name ("армянском Гаваре") or a noun of state power ("британской королевы",
  "северокорейский лидер", "белорусские власти") it stands for the country: a ``PLACE``
  linked to it, as NEREL annotates these adjectives. An adjective of a people with no
  country of its own ("славянской внешности", "уйгурской общины") stays a group: it says
  something about people whatever noun follows. Inside a longer name ("Китайская Народная
  Республика") resolution has already kept the name.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Sequence
from typing import Literal

from birlik.domain.records import Document, Mention, Token
from birlik.domain.text import fold
from birlik.nlp.morph_ru import russian_analyzer
from birlik.resources.gazetteer import Gazetteer, Place
from birlik.resources.identities import Identities
from birlik.resources.world import World

log = logging.getLogger(__name__)

ETHNIC = "ETHNIC_GROUP"
Reading = Literal["people", "place", "alone", "language"]
PeopleNoun = Callable[[str], bool | None]
"""``word -> True`` (a noun for people), ``False`` (another noun), ``None`` (not a noun)."""

_RU_ADJECTIVE = re.compile(
    r"(ий|ый|ой|ая|яя|ое|ее|ие|ые|ого|его|ому|ему|ом|ем|ую|юю|их|ых|им|ым|ими|ыми|ей)$"
)
_RU_NOUN_ENDINGS = frozenset((
    "", "а", "у", "ом", "ем", "е", "ы", "и", "ов", "ев", "ам", "ами", "ах", "ей", "ой", "ою",
    "ин", "ина", "ину", "ином", "ине", "ка", "ки", "ке", "ку", "кой", "ок", "кам", "ками",
    "ках", "ям", "ями", "ях", "ю", "я",
))
_KK_DEMONYM = re.compile(r"^(.+?)(лық|лік|дық|дік|тық|тік)")
_KK_MAX_INFLECTION = 9
_COORDINATION = frozenset({"и", "или", "и/или"})
#: Nouns of state power: an adjective before them names the state, not a nationality.
STATE_NOUNS = frozenset((
    "власть", "лидер", "глава", "президент", "премьер", "премьер-министр", "министр",
    "правительство", "король", "королева", "принц", "принцесса", "император", "императрица",
    "монарх", "корона", "посол", "дипломат", "политик", "военный", "войско", "армия",
    "генерал", "солдат", "силовик", "чиновник", "депутат", "парламентарий", "оппозиционер",
    "гражданин", "подданный", "сми", "канцлер", "наследник",
))
#: Nouns for a body of people or where one comes from: an adjective before them is a people
#: ("венгерского происхождения", "японские корни", "пуэрториканской семье", "индийской общине").
PEOPLE_COLLECTIVES = frozenset((
    "происхождение", "корень", "семья", "община", "диаспора", "народность", "племя",
    "меньшинство", "землячество", "национальность",
))
#: Adjective stems of countries that also name a language (an adjective of a people in the
#: lexicon names its language anyway): "свободно владеет английским".
LANGUAGE_STEMS = frozenset((
    "английск", "французск", "немецк", "испанск", "итальянск", "португальск", "японск",
    "китайск", "корейск", "арабск", "греческ", "турецк", "польск", "чешск", "венгерск",
    "финск", "шведск", "норвежск", "датск", "голландск", "нидерландск", "персидск",
))
_CITY_NAME_MIN = 4
_RU_WORD = re.compile(r"[а-я]+(-[а-я]+)*")
_MAX_ADJECTIVES = 2
_PREFIX = 3
_CACHE_SIZE = 100_000


class IdentityStage:
    """Kinds of identity groups; adjectives read as people or as places (module doc)."""

    name = "identities.v1"
    requires = frozenset({"entities"})
    provides = frozenset({"entities.kinds"})

    def __init__(
        self, identities: Identities, gazetteer: Gazetteer, world: World,
        people_noun: PeopleNoun | None = None,
    ) -> None:
        self.adjectives = {**_city_adjectives(world), **identities.place_adjectives}
        self.demonyms = _demonym_table(identities)
        self.people_noun = people_noun or russian_people_noun()
        self.kk_places = _kazakh_place_kinds(gazetteer, world)
        self.ru_places = _russian_place_kinds(gazetteer, world)
        self._kinds: dict[str, str | None] = {}

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.entities = self.mentions(doc)
        return docs

    def mentions(self, doc: Document) -> list[Mention]:
        mentions = list(doc.entities)
        if doc.lang == "ru" or "ru" in doc.langs:
            mentions = self._adjectives(doc, mentions)
        mentions = self._demonyms(doc, mentions)
        return sorted((self._with_kind(m) for m in mentions), key=lambda m: (m.start, m.end))

    def _adjectives(self, doc: Document, mentions: list[Mention]) -> list[Mention]:
        tokens = doc.tokens
        ethnic_spans = {(m.start, m.end) for m in mentions if m.type == ETHNIC}
        for index, token in enumerate(tokens):
            word = token.text.lower()
            ending = _RU_ADJECTIVE.search(word)
            if ending is None:
                continue
            stem = word[: ending.start()]
            place_id = self.adjectives.get(stem)
            if "-" in word and place_id is None:
                continue
            if place_id is None and (token.start, token.end) not in ethnic_spans:
                continue
            here = [m for m in mentions if m.start < token.end and token.start < m.end]
            ethnic = [m for m in here if m.type == ETHNIC and (m.start, m.end) == (
                token.start, token.end)]
            if any(m not in ethnic and (m.type != "ORG" or _kato(place_id)) for m in here):
                continue  # part of a longer name, or another reading
            reading = self._reading(doc.text, tokens, index)
            if reading == "alone" and _language_form(word) and (
                    any(m.id for m in ethnic) or stem in LANGUAGE_STEMS):
                reading = "language"  # "на русском", "владеть английским", "освоила немецкий"
            if reading == "language":
                mentions = [m for m in mentions if m not in ethnic] + [
                    _as_language(m) for m in ethnic]
                continue
            if reading == "people" and place_id is not None and place_id.startswith("city:"):
                reading = "place"  # "московского студента": a city, not a nationality
            if reading == "place" and place_id is not None:
                mentions = [m for m in mentions if m not in ethnic]
                mentions.append(_word_mention(doc, token, "PLACE", id=place_id, confidence=0.8))
            elif reading == "people" and not ethnic and not here:
                mentions.append(_word_mention(doc, token, ETHNIC, kind=_adjective_kind(place_id)))
        return mentions

    def _reading(self, text: str, tokens: Sequence[Token], index: int) -> Reading:
        """What the adjective at ``index`` qualifies: people, a thing or place, or nothing."""
        following = index + 1
        skipped = 0
        while following < len(tokens) and _joined(text, tokens[following - 1], tokens[following]):
            word = tokens[following].text
            if word.isdigit() and skipped < _MAX_ADJECTIVES:
                # "венгерский 86-летний писатель": a number and what is joined to it qualify
                following += 1
                if following < len(tokens) and \
                        text[tokens[following - 1].end:tokens[following].start] == "-":
                    following += 1
                skipped += 1
                continue
            if word.lower() in _COORDINATION or (
                _RU_ADJECTIVE.search(word.lower()) and skipped < _MAX_ADJECTIVES
                and self.people_noun(word) is None
            ):
                following += 1
                skipped += 1
                continue
            if word[:1].isupper():
                return "place"  # "армянском Гаваре", "испанской «Барселоны»"
            if word.lower().startswith("язык"):
                return "language"  # "на чувашском и русском языках"
            noun = self.people_noun(word)
            if noun is None:
                return "alone"
            return "people" if noun else "place"
        if following < len(tokens) and text[tokens[following - 1].end:tokens[following].start] \
                .strip() in ("«", '"', "“"):
            return "place"
        return "alone"

    def _demonyms(self, doc: Document, mentions: list[Mention]) -> list[Mention]:
        out = list(mentions)
        for token in doc.tokens:
            kind = self._demonym_kind(doc.text[token.start:token.end])
            if kind is None:
                continue
            here = [m for m in out if m.start < token.end and token.start < m.end]
            if not here:
                out.append(_word_mention(doc, token, ETHNIC, kind=kind))
            elif len(here) == 1 and here[0].type == "PLACE" \
                    and (here[0].start, here[0].end) == (token.start, token.end) and (
                        here[0].id is None or self._russian_demonym(token.text.lower())):
                # "Арыстықтарға": people of Arys, not Arys; "Шымкентцы" linked to Shymkent
                out.remove(here[0])
                out.append(_word_mention(doc, token, ETHNIC, kind=kind))
        return out

    def _demonym_kind(self, word: str) -> str | None:
        lower = word.lower()
        if lower in self._kinds:
            return self._kinds[lower]
        kind = next((kind for kind, stem in self.demonyms.get(lower[:_PREFIX], ())
                     if _inflected(lower, stem)), None) or self._kazakh_demonym(lower) \
            or self._russian_demonym(lower)
        if len(self._kinds) >= _CACHE_SIZE:
            self._kinds.clear()
        self._kinds[lower] = kind
        return kind

    def _kazakh_demonym(self, lower: str) -> str | None:
        match = _KK_DEMONYM.match(lower)
        if match is None or len(lower) - match.end() > _KK_MAX_INFLECTION:
            return None
        return self.kk_places.get(fold(match.group(1)))

    def _russian_demonym(self, lower: str) -> str | None:
        """A Russian noun formed on a place's name with -ец/-цы or -анин/-яне
        (``сингапурцы``, ``иорданцев``, ``норвежца``, ``берлинцы``, ``парижане``): one of the
        people of that place, foreign, regional or civic by the place."""
        if len(lower) < _RU_DEMONYM_MIN or _KAZAKH_ONLY.search(lower):
            return None
        for suffix in _RU_DEMONYM_SUFFIXES:
            if lower.endswith(suffix):
                stem = lower[: -len(suffix)]
                for candidate in (stem, *_undo_alternation(stem)):
                    if len(candidate) >= _RU_DEMONYM_STEM and candidate in self.ru_places:
                        return self.ru_places[candidate]
        return None

    def _with_kind(self, mention: Mention) -> Mention:
        if mention.type != ETHNIC or mention.kind is not None:
            return mention
        kind = "ethnic" if mention.id is not None else self._word_kind(mention.text)
        if kind is None:
            return mention
        return Mention(
            start=mention.start, end=mention.end, text=mention.text, type=mention.type,
            id=mention.id, derogatory=mention.derogatory, confidence=mention.confidence,
            kind=kind,
        )

    def _word_kind(self, text: str) -> str | None:
        words = text.split()
        return self._demonym_kind(words[-1]) if words else None


def _language_form(word: str) -> bool:
    """A masculine or neuter singular adjective: standing alone it names a language
    ("на русском", "с английского", "владеть немецким"); the plural names people."""
    return word.endswith(("ий", "ый", "ого", "ому", "ом", "им", "ым"))


def _as_language(mention: Mention) -> Mention:
    """A people's adjective naming its language ("на русском"): ``kind`` ``language``, the
    confidence kept, so the signals read it as before (a group named in passing)."""
    return Mention(start=mention.start, end=mention.end, text=mention.text, type=mention.type,
                   id=mention.id, derogatory=mention.derogatory, confidence=mention.confidence,
                   kind="language")

def _city_adjectives(world: World) -> dict[str, str]:
    """Adjective stems formed on the Russian names of the world's cities by the regular
    suffix -ск- (Мюнхен -> мюнхенск-, Милан -> миланск-, Брюссель -> брюссельск-, Рига ->
    рижск- is irregular and stays out): "мюнхенской полиции", "нью-йоркском суде"."""
    stems: dict[str, str] = {}
    for place in world.places:
        if place.kind != "city":
            continue
        for name in place.names.get("ru", ()):
            stem = _adjective_stem(name.lower().replace("ё", "е"))
            if stem is not None:
                stems.setdefault(stem, place.id)
    return stems


def _adjective_stem(name: str) -> str | None:
    if " " in name or len(name) < _CITY_NAME_MIN or not _RU_WORD.fullmatch(name):
        return None
    if name.endswith("ск"):
        return name  # Минск, Омск: the adjective is the name
    if name.endswith("ль"):
        return name + "ск"  # Брюссель -> брюссельский
    if name[-1] in "ьаяоеиуйы":
        name = name[:-1]  # Казань -> казанский, Варшава -> варшавский
    return name + ("к" if name.endswith("сс") else "ск")


def _kato(place_id: str | None) -> bool:
    """A place of Kazakhstan: inside an organisation's name it is the organisation's own
    (the akimat of "Алматинской области" is the region's, not the city's)."""
    return place_id is not None and place_id[:1].isdigit()


def _word_mention(doc: Document, token: Token, entity_type: str, *, id: str | None = None,
                  confidence: float = 1.0, kind: str | None = None) -> Mention:
    return Mention(start=token.start, end=token.end, text=doc.text[token.start:token.end],
                   type=entity_type, id=id, confidence=confidence, kind=kind)


def _inflected(word: str, stem: str) -> bool:
    if not word.startswith(stem):
        return False
    rest = word[len(stem):]
    if re.search("[әғқңөұүһі]", stem):
        return len(rest) <= _KK_MAX_INFLECTION
    return rest in _RU_NOUN_ENDINGS or (stem.isascii() and rest in ("", "s"))


def _joined(text: str, left: Token, right: Token) -> bool:
    return text[left.end:right.start].strip() == ""


def _adjective_kind(place_id: str | None) -> str:
    return "civic" if place_id == "iso:KZ" else "foreign"


def _demonym_table(identities: Identities) -> dict[str, list[tuple[str, str]]]:
    """First letters of a stem -> (kind, stem): a word is compared with a few stems only."""
    table: dict[str, list[tuple[str, str]]] = {}
    for kind, langs in identities.demonyms.items():
        for stems in langs.values():
            for stem in stems:
                table.setdefault(stem[:_PREFIX], []).append((kind, stem))
    return table


def _demonym_places(gazetteer: Gazetteer) -> list[Place]:
    """Places whose names form demonyms: not those that are places only with a head word
    (flag ``h``: villages named like people or common words — «Қоғам», «Бірлестік» — whose
    «қоғамдық» is no group of people)."""
    return [place for place in gazetteer.places if "h" not in place.flags]


def _kazakh_place_kinds(gazetteer: Gazetteer, world: World) -> dict[str, str]:
    """Folded Kazakh names of places -> the kind of a demonym formed on them."""
    kinds: dict[str, str] = {}
    for place in world.places:
        for name in place.names.get("kk", ()):
            kinds[fold(name.lower())] = "foreign"
    for unit in _demonym_places(gazetteer):
        for name in unit.names.get("kk", ()):
            kinds[fold(name.lower())] = "regional"
    kinds[fold("қазақстан")] = "civic"
    return {name: kind for name, kind in kinds.items() if " " not in name and len(name) > 2}


_RU_DEMONYM_SUFFIXES = tuple(sorted((
    "ец", "ца", "цу", "цем", "це", "цы", "цев", "цам", "цами", "цах",
    "анин", "анина", "анину", "анином", "анине", "ане", "ан", "анам", "анами", "анах",
    "янин", "янина", "янину", "янином", "янине", "яне", "ян", "янам", "янами", "янах",
), key=len, reverse=True))
_RU_DEMONYM_MIN = 6
_RU_DEMONYM_STEM = 4
_KAZAKH_ONLY = re.compile("[әғқңөұүһі]")
#: Consonants that change before -ец (Норвегия → норвежец, Квебек → квебечанин).
_ALTERNATION = {"ж": "г", "ч": "к", "ш": "х"}


def _undo_alternation(stem: str) -> tuple[str, ...]:
    back = _ALTERNATION.get(stem[-1:])
    return (stem[:-1] + back,) if back else ()


def _russian_place_kinds(gazetteer: Gazetteer, world: World) -> dict[str, str]:
    """Stems of one-word Russian place names (the name, and the name less its final
    vowel or -ия/-ья: Сингапур, иордан-, норвег-, кени-) -> the kind of a demonym on them."""
    kinds: dict[str, str] = {}

    def add(name: str, kind: str) -> None:
        lower = name.lower().replace("ё", "е")
        if " " in lower or not lower[:1].isalpha() or len(lower) < _RU_DEMONYM_STEM:
            return
        stems = {lower}
        for ending in ("ия", "ья", "а", "я", "ь", "й", "и", "о", "е"):
            if lower.endswith(ending):
                stems.add(lower[: -len(ending)])
        for stem in stems:
            if len(stem) >= _RU_DEMONYM_STEM:
                kinds.setdefault(stem, kind)

    add("Казахстан", "civic")
    for place in world.places:
        for name in place.names.get("ru", ()):
            add(name, "foreign")
    for unit in _demonym_places(gazetteer):
        for name in unit.names.get("ru", ()):
            add(name, "regional")
    return kinds


def russian_people_noun() -> PeopleNoun:
    """pymorphy3: is a word a noun for people (animate, not of state power)?"""
    analyzer = russian_analyzer()
    if analyzer is None:
        log.warning("pymorphy3 is not installed: Russian adjectives are not read")
        return lambda word: None

    @functools.lru_cache(maxsize=50_000)
    def people_noun(word: str) -> bool | None:
        parses = [p for p in analyzer.parse(word.lower()) if p.score >= 0.2]
        nouns = [p for p in parses[:2] if "NOUN" in p.tag]
        if not nouns:
            return None
        noun = nouns[0]
        return ("anim" in noun.tag and noun.normal_form not in STATE_NOUNS) \
            or noun.normal_form in PEOPLE_COLLECTIVES

    return people_noun
