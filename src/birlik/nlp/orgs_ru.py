"""Russian organisations named by a common noun, units of organisations, and names that
are not organisations (issue 17, item 2). Runs on Russian documents only, after ``resolve``.

Russian news name the bodies of a state by the common noun of the body: «правительство»,
«полиция», «парламент», «прокуратура», «кабинет министров», «сенат», «мэрия», «вооружённые
силы», «Кремль», «Белый дом» (the presidency; «в Белом доме», «в Кремле» are mostly the
building). Such a noun is the organisation itself (NEREL annotates it as one, with the
country's or kind's adjective before it and the owner in the genitive after it: «британское
правительство», «Полиция Малайзии», «федеральная прокуратура Бельгии», «правительство
Медведева»). Other nouns name a body only with such an adjective or owner: «власти»,
«сборная», «армия», «администрация», «посольство», «суд», «кабинет», «войска», «ведомство»
(«российские власти», «сборной Бразилии по футболу», «федеральный апелляционный суд»; bare
«власти» are the authorities in general, a bare «суд» is mostly the trial). The place inside
stays a place of its own (``resolve`` keeps places nested in an organisation in Russian
documents).

A unit named before its organisation is one organisation with it («пресс-служба Кремля»,
«совет директоров "Газпрома"», «центральный аппарат ФСБ»); so are two organisations one
space apart or joined by «при» («ГУ МВД», «Совет Безопасности ООН», «Следственный комитет
при прокуратуре РФ»), a regional directorate takes the region it serves («ГУ МВД России по
г. Москве»), and a country's adjective before an abbreviated body is part of its name
(«японский МИД», «российском Минфине»: another state's body, without the registry's id).
A quoted name after the word for what it names is an organisation, the name alone as NEREL
annotates it («группы «Ленинград»», «клуба «Барселона»»: not the city).

Names natasha tags as organisations that are not ones: a web platform where something is
posted («в Facebook», «в своём Твиттере»: the platform, a product), the web itself
(«Интернет», «в Сети»), a few well-known things written in capitals (the space station «МКС»,
the treaty «СНВ», a power station «ГЭС»), and a building or site whose name opens or ends
with the word for it («Исаакиевский собор», «Саяно-Шушенской ГЭС»).

Well-known abbreviations that the model does not know (``ABBREVIATIONS``: «ИГ», «ФИФА»,
«МОК») are added where nothing else was found. The rules follow the annotation of NEREL's
train part (its dev part only measures them); written for this project.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from birlik.domain.records import Mention

# The nouns, in the singular and (for Кремль) capitalised only: «в Кремле» is mostly the
# building, and the plural («правительства обеих стран» aside) is the genitive singular here
# too. ``(?<!\w)`` and ``(?!\w)``: whole words.
_BODY = re.compile(
    r"(?<!\w)(?:[Пп]равительств(?:о|а|у|ом|е)|[Пп]олици(?:я|и|ю|ей)"
    r"|[Пп]арламент(?:|а|у|ом|е)|[Пп]рокуратур(?:а|ы|е|у|ой)"
    r"|[Кк]абинет(?:|а|у|ом|е)[^\S\n]{1,3}министров|[Кк]абмин(?:|а|у|ом|е)"
    r"|[Сс]енат(?:|а|у|ом|е)|Кремл(?:ь|я|ю|ём|ем)|[Мм]эри(?:я|и|ю|ей)"
    r"|[Вв]ооруж[её]нн(?:ые|ых|ым|ыми)[^\S\n]{1,3}сил(?:|ы|ам|ами|ах)"
    r"|Бел(?:ый|ого|ому|ым)[^\S\n]{1,3}дом(?:|а|у|ом))(?!\w)")
_OWNED_BODY = re.compile(
    r"(?<!\w)(?:[Вв]ласт(?:и|ей|ям|ями|ях)|[Сс]борн(?:ая|ой|ую|ые|ых)|[Аа]рми(?:я|и|ю|ей)"
    r"|[Аа]дминистраци(?:я|и|ю|ей)|[Пп]осольств(?:о|а|у|ом|е)|[Кк]онсульств(?:о|а|у|ом|е)"
    r"|[Сс]уд(?:|а|у|ом|е)|[Кк]абинет(?:|а|у|ом|е)|[Вв]ойск(?:а|ами|ам|ах)?"
    r"|[Вв]едомств(?:о|а|у|ом|е))(?!\w)")
# The adjective before the noun that NEREL takes into the name: a country's or a people's
# («российское», «британской», «израильские»), a level or a kind of the body («федеральная
# прокуратура», «военной полиции», «коалиционное правительство»).
_ADJECTIVE = (
    r"(?:[^\W\d_][^\W\d_-]{1,30}(?:ск|цк)|федеральн|военн|коалиционн|столичн|генеральн|временн"
    r"|переходн|краев|областн|городск|муниципальн|национальн|местн|центральн|региональн|земельн"
    r"|нижн|верхн|верховн|конституционн|административн|районн|межрайонн|уголовн|апелляционн"
    r"|окружн|специальн|кассационн|надзорн|высок|арбитражн|иммиграционн|сухопутн|оборонн"
    r"|дипломатическ)"
    r"(?:ий|ый|ой|ая|ое|ие|ые|ого|его|ому|ом|ую|юю|их|ых|им|ым|ими|ыми|яя|ей)")
_ADJECTIVE_BEFORE = re.compile(
    r"(?<![\w-])" + _ADJECTIVE + r"(?:[^\S\n]{1,3}" + _ADJECTIVE + r")?[^\S\n]{1,3}$",
    re.IGNORECASE)
# The chamber of a parliament: «нижней палаты парламента», «обеих палат парламента»
_CHAMBER_BEFORE = re.compile(
    r"(?<![\w-])(?:(?:нижн|верхн)\w{1,3}|обеих)[^\S\n]{1,3}палат\w{0,3}[^\S\n]{1,3}$",
    re.IGNORECASE)
# What may follow the noun as its owner besides a place: «страны», «города», «столицы»; a
# team's sport («сборной России по хоккею»)
_OWNER_WORD_AFTER = re.compile(r"[^\S\n]{1,3}(?:страны|города|столицы|республики)(?!\w)")
_SPORT_AFTER = re.compile(
    r"[^\S\n]{1,3}по[^\S\n]{1,3}(?:[^\W\d_]{2,30}(?:ой|ому)[^\S\n]{1,3})?"
    r"[^\W\d_]{2,30}(?:у|ю|е)(?!\w)")
_ADJECTIVE_SPAN = 80
# «закон «О полиции»», «Федеральный закон «О правительстве»»: the title of a law
_LAW_TITLE_BEFORE = re.compile(r"[«\"“]\s{0,2}(?:[Оо]б?)\s{1,3}$")

#: Web platforms (the stems of their Russian names): after «в», «на», «через» (and a
#: possessive) the platform is where something is posted, not the company.
PLATFORMS = frozenset((
    "facebook", "фейсбук", "twitter", "твиттер", "youtube", "ютуб", "instagram", "инстаграм",
    "telegram", "телеграм", "tumblr", "reddit", "skype", "tiktok", "тикток", "вконтакт",
    "одноклассник", "livejournal", "википеди", "wikipedia", "linkedin", "myspace", "flickr",
    "whatsapp",
))
_PLATFORM_BEFORE = re.compile(
    r"(?<!\w)(?:в|во|на|через)(?:[^\S\n]{1,3}(?:сво\w{1,3}|его|её|ее|их|мо\w{1,3}))?"
    r"[^\S\n]{1,3}$", re.IGNORECASE)
# Case endings a platform's name takes in Russian (Твиттере, Википедии, Фейсбуке)
_PLATFORM_ENDING = re.compile(r"(?:а|е|и|у|ом|ой|ю|я|ы|ей|ах|ам)?$")
#: Things natasha tags as organisations that are not ones (lower-cased, any case form).
NOT_ORGANISATIONS = frozenset((
    "интернет", "интернета", "интернете", "интернету", "интернетом", "сеть", "сети", "сетью",
    "мкс", "снв", "гэс", "аэс", "тэц", "вднх",
))
#: Abbreviations of organisations well known in Russian news that the model misses.
ABBREVIATIONS = frozenset((
    "ИГ", "ИГИЛ", "ФИФА", "УЕФА", "МОК", "ВАДА", "РУСАДА", "МАГАТЭ", "ЮНИСЕФ", "ПАСЕ", "МВФ",
    "ОПЕК", "ЕЦБ", "ФРС", "ЦРУ", "ФБР", "АНБ", "МИ-6", "ХАМАС", "ФСБ", "ФСИН", "ФСО", "СВР",
    "ГРУ", "СКР", "ЦИК", "ЦБ", "РАН", "МГУ", "СПбГУ", "КПРФ", "ЛДПР", "ВГТРК", "РЖД",
))
#: A name opening or ending with one of these words is a building or a site: «Исаакиевский
#: собор», «Храм Христа Спасителя», «Саяно-Шушенская ГЭС», «Международная космическая станция».
#: Not a church («Русская православная церковь» is an organisation), a museum or a theatre.
_FACILITY_STEMS = (
    "собор", "храм", "кладбищ", "дворц", "дворец", "станци", "гэс", "аэс", "тэц", "аэропорт",
    "вокзал", "стадион", "мечет", "монастыр", "здани",
)
_ABBREVIATION = re.compile(
    r"(?<![\w-])(?:" + "|".join(sorted(map(re.escape, ABBREVIATIONS), key=len, reverse=True))
    + r")(?![\w-])")


def russian_organisations(text: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` of a Russian document with the bodies named by a common noun added, the
    well-known abbreviations added, and the platforms and things that are not organisations
    dropped (see the module's description)."""
    kept = [m for m in mentions if not (m.type == "ORG" and m.id is None
                                        and _not_an_organisation(text, m))]
    found_before = _Index(kept)
    index = _Index(kept)
    added: list[Mention] = []
    for pattern, owned in ((_BODY, False), (_OWNED_BODY, True)):
        for match in pattern.finditer(text):
            found = _body(text, match.start(), match.end(), found_before, owned=owned)
            if found is not None and not _clashes(found, index.overlapping(found.start,
                                                                           found.end)):
                added.append(found)
                index.add(found)
    for match in _ABBREVIATION.finditer(text):
        start, end = match.span()
        if not index.overlapping(start, end):
            found = Mention(start=start, end=end, text=match.group(), type="ORG",
                            confidence=0.8)
            added.append(found)
            index.add(found)
    retyped: set[int] = set()
    for quote in _QUOTED_NAME.finditer(text):
        start, end = quote.span(1)
        if not _HEAD_BEFORE.search(text, max(0, quote.start() - 40), quote.start()):
            continue
        here = index.overlapping(start, end)
        if all((m.start, m.end) == (start, end) and m.type in ("PLACE", "PERSON")
               for m in here):
            retyped.update(id(m) for m in here)
            found = Mention(start=start, end=end, text=text[start:end], type="ORG",
                            confidence=0.8)
            added.append(found)
            index.add(found)
    if retyped:
        kept = [m for m in kept if id(m) not in retyped]
    if not added and len(kept) == len(mentions):
        return with_subdivisions(text, mentions)
    return with_subdivisions(text, sorted(kept + added, key=lambda m: (m.start, m.end)))


# A quoted name after the word for what it names, in the Russian order: «группы "Ленинград"»,
# «партия «Единая Россия»», «газета «Коммерсантъ»», «клуба «Барселона»». NEREL annotates the
# name inside the quotes.
_HEAD_BEFORE = re.compile(
    r"(?<![\w-])(?:компани|групп|парти|газет|журнал|клуб|агентств|телеканал|банк|фонд|концерн"
    r"|холдинг|издани|издательств|театр|движени|объединени|организаци|ассоциаци|корпораци"
    r"|завод|фабрик)[а-яё]{0,4}[^\S\n]{1,3}$", re.IGNORECASE)
_QUOTED_NAME = re.compile(r"[«\"“]([А-ЯЁA-Z][^«»\"“”\n]{1,60}?)[»\"”]")


class _Index:
    """Mentions sorted by start, to find those overlapping a span or starting at a position
    without looking at all of them (a long document has thousands)."""

    def __init__(self, mentions: list[Mention]) -> None:
        self._items = sorted(mentions, key=_start)
        self._starts = [m.start for m in self._items]
        self._longest = max((m.end - m.start for m in self._items), default=0)

    def add(self, mention: Mention) -> None:
        at = bisect_right(self._starts, mention.start)
        self._starts.insert(at, mention.start)
        self._items.insert(at, mention)
        self._longest = max(self._longest, mention.end - mention.start)

    def overlapping(self, start: int, end: int) -> list[Mention]:
        low = bisect_right(self._starts, start - self._longest)
        high = bisect_left(self._starts, end)
        return [m for m in self._items[low:high] if m.end > start and m.start < end]

    def starting_at(self, position: int) -> list[Mention]:
        low = bisect_left(self._starts, position)
        high = bisect_right(self._starts, position)
        return self._items[low:high]


def _start(mention: Mention) -> int:
    return mention.start


# A unit of an organisation named before it: «пресс-служба Кремля», «факультет журналистики
# МГУ» (not this one: a word stands between), «совет директоров "Газпрома"», «центральный
# аппарат ФСБ». NEREL annotates the unit with its organisation as one organisation.
_SUBDIVISION_BEFORE = re.compile(
    r"(?<![\w-])(?:" + _ADJECTIVE + r"[^\S\n]{1,3})?"
    r"(?:пресс-служб|пресс-центр|факультет|кафедр|правлени|управлени|отдел|отделени|департамент"
    r"|дирекци|президиум|политсовет|политбюро|аппарат|штаб|комитет|комисси|филиал"
    r"|подразделени|бюро|совет\w{0,3}[^\S\n]{1,3}директоров|попечительск\w{1,3}[^\S\n]{1,3}совет)"
    r"\w{0,3}[^\S\n]{1,3}[«\"“]?$", re.IGNORECASE)


def with_subdivisions(text: str, mentions: list[Mention]) -> list[Mention]:
    """Organisations with the unit named right before them (``_SUBDIVISION_BEFORE``) and the
    place a unit serves after them («управление ФСБ по Чечне»); two organisations one space
    apart are one («ГУ МВД», «Совет Безопасности ООН», «Палаты представителей Конгресса»)."""
    index = _Index(mentions)
    out: list[Mention] = []
    for mention in mentions:
        if mention.type == "ORG" and out and out[-1].type == "ORG" \
                and text[out[-1].end:mention.start] in (" ", " при "):
            first = out.pop()
            mention = _org(text, first, mention.end, mention.id or first.id)
        unit = _SUBDIVISION_BEFORE.search(text, max(0, mention.start - _ADJECTIVE_SPAN),
                                          mention.start) if mention.type == "ORG" else None
        if unit is not None and not index.overlapping(unit.start(), mention.start):
            end = mention.end
            if unit.group()[-1:] in _OPENING_QUOTES and text[end:end + 1] in _CLOSING_QUOTES:
                end += 1
            mention = _org(text, mention, end, mention.id, start=unit.start())
        owner = _COUNTRY_BEFORE.search(text, max(0, mention.start - _ADJECTIVE_SPAN),
                                       mention.start) if mention.type == "ORG" else None
        if owner is not None and _ABBREVIATED.match(mention.text) and not any(
                m.type not in ("PLACE", "ETHNIC_GROUP")
                for m in index.overlapping(owner.start(), mention.start)):
            # another country's body is not the registry's body of Kazakhstan
            kazakh = owner.group().lower().startswith("казахстанск")
            mention = _org(text, mention, mention.end, mention.id if kazakh else None,
                           start=owner.start())
        if mention.type == "ORG" and _REGIONAL_BODY.search(mention.text):
            served = _SERVED_PLACE.match(text, mention.end)
            place = next((m for m in index.starting_at(served.end()) if m.type == "PLACE"),
                         None) if served else None
            if place is not None:
                mention = _org(text, mention, place.end, mention.id)
        out.append(mention)
    return out


# A country's adjective before an abbreviated body: «японский МИД», «российских ВВС»,
# «российском Минфине»
_COUNTRY_BEFORE = re.compile(
    r"(?<![\w-])[а-яё][а-яё-]{1,30}(?:ск|цк)(?:ий|ая|ое|ие|ого|ой|ому|ом|ую|их|им|ими|ых)"
    r"[^\S\n]{1,3}$")
_ABBREVIATED = re.compile(r"(?:[А-ЯЁ]{2,8}|Мин[а-яё]{2,20})$")
_OPENING_QUOTES = "«\"“"
_CLOSING_QUOTES = "»\"”"
# The regional directorates of the police, security and investigation bodies («ГУ МВД России
# по г. Москве», «УФСБ по Чечне», «следственное управление СК по Крыму») name the region
# they serve after «по»
_REGIONAL_BODY = re.compile(
    r"(?i:управлени|отдел|комитет)|МВД|ФСБ|(?<!\w)(?:ГУ|У[А-Я]{2,4})(?!\w)")
_SERVED_PLACE = re.compile(r"[^\S\n]{1,3}по[^\S\n]{1,3}(?:г\.[^\S\n]{0,2})?")


def _org(text: str, first: Mention, end: int, entity_id: str | None, *, start: int = -1
         ) -> Mention:
    start = first.start if start < 0 else start
    return Mention(start=start, end=end, text=text[start:end], type="ORG", id=entity_id,
                   confidence=first.confidence)


def _body(text: str, start: int, end: int, mentions: _Index, *, owned: bool
          ) -> Mention | None:
    if _LAW_TITLE_BEFORE.search(text, max(0, start - 8), start):
        return None
    noun = text[start:end].lower()
    adjective = _ADJECTIVE_BEFORE.search(text, max(0, start - _ADJECTIVE_SPAN), start)
    if noun.startswith("парламент"):
        adjective = _CHAMBER_BEFORE.search(text, max(0, start - _ADJECTIVE_SPAN), start) \
            or adjective
    owner = _owner_after(text, end, mentions, government=noun.startswith(("прав", "каб")))
    if owned and adjective is None and owner is None:
        return None
    start = adjective.start() if adjective else start
    end = owner if owner is not None else end
    if noun.startswith("сборн"):
        sport = _SPORT_AFTER.match(text, end)
        end = sport.end() if sport else end
    return Mention(start=start, end=end, text=text[start:end], type="ORG", confidence=0.8)


def _owner_after(text: str, end: int, mentions: _Index, *, government: bool
                 ) -> int | None:
    """Where the owner right after the noun ends: a place or, after a government, its head
    («правительство Медведева») in the genitive, or «страны», «города»."""
    place = _place_after(text, end, mentions, ("PLACE", "PERSON") if government else ("PLACE",))
    if place is not None:
        return place.end
    word = _OWNER_WORD_AFTER.match(text, end)
    if word is None:
        return None
    place = _place_after(text, word.end(), mentions, ("PLACE",))  # «суд города Нью-Йорка»
    return place.end if place else word.end()


def _place_after(text: str, end: int, mentions: _Index, types: tuple[str, ...]
                 ) -> Mention | None:
    """A mention of ``types`` right after the noun, one space away: its owner."""
    for position in (end + 1, end + 2):
        if text[end:position].isspace() and "\n" not in text[end:position]:
            for mention in mentions.starting_at(position):
                if mention.type in types:
                    return mention
    return None


def _clashes(found: Mention, mentions: list[Mention]) -> bool:
    """Does ``found`` overlap a mention other than a place or people inside it?"""
    for mention in mentions:
        if mention.start < found.end and found.start < mention.end and not (
                mention.type in ("PLACE", "ETHNIC_GROUP", "PERSON")
                and found.start <= mention.start and mention.end <= found.end):
            return True
    return False


def _not_an_organisation(text: str, mention: Mention) -> bool:
    name = mention.text.lower()
    if name in NOT_ORGANISATIONS:
        return True
    words = name.split()
    if words and (words[0].startswith(_FACILITY_STEMS) or words[-1].startswith(_FACILITY_STEMS)):
        return True
    for platform in PLATFORMS:
        if name.startswith(platform) and _PLATFORM_ENDING.fullmatch(name, len(platform)):
            return _PLATFORM_BEFORE.search(text, max(0, mention.start - 24),
                                           mention.start) is not None
    return False
