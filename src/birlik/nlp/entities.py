"""One flat, linked list of entities per document.

Two kinds of mentions arrive: linked ones from the lexicon stages (ethnic groups, places,
organisations: they carry an ``id``) and typed spans from the NER models (no ``id``).
The models were trained on annotated text, so where they found an entity their span and
type are kept, and the lexicon supplies the id of an overlapping mention of the same type
(``Алматы облысының`` → 190000000). A multi-word person name beats the place inside it
(the poet Abai is not Abai region); an organisation beats the place inside it. Lexicon
mentions no model found are added where they overlap nothing kept.

Identity groups that a model finds but the ethnic lexicon does not link — civic
("қазақстандық"), regional ("алматылық") or foreign nationalities — stay ``ETHNIC_GROUP``
with ``id`` None, as in the NORP/NATIONALITY annotation of KazNERD and NEREL; indicators
count only linked ethnic groups.

Three rules keep lexicon matches from over-tagging (issue 17, Kazakh PLACE precision): a
lexicon mention inside a name of another kind that the Kazakh model found (``OTHER_NAME``:
"Алматы әуежайы", "Қазақстан жылы", "АҚШ Мемлекеттік хатшысы") is not added, and those spans
are dropped; where the lexicon itself is unsure (confidence below 1: a place that is also a
person's name, "Abai") the model's PERSON stands; a registry organisation that contains the
model's span gives its whole span ("Акимат" + "Алматинской области"); registry organisations
are not dropped inside a title ("ҚХА Төрағасының орынбасары"). Places nested in an organisation's
name are kept only outside Kazakh documents, as NEREL annotates them and KazNERD does not.

In Kazakh documents two more rules drop places that only open a name of another kind:
a bare place right before the head noun of a facility, organisation, event, law, award or
product ("Алматы әуежайы", "Париж келісімі", ``without_name_modifiers``), and a bare place
inside a short quoted name ("« Арыс , біз біргеміз ! » акциясы", ``without_quoted_places``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence

from birlik.domain.records import Document, Mention, Token
from birlik.nlp.ner_kk import OTHER_NAME
from birlik.nlp.orgs import kk_common_noun, kk_inside_title
from birlik.nlp.orgs_ru import russian_organisations

LANGUAGE_CONFIDENCE = 0.5
OTHER_CONFIDENCE = 0.5
_LIST_PUNCTUATION = re.compile("[,;—–]")


class EntityResolveStage:
    name = "entities.v1"
    requires = frozenset({"entities.ethnic", "entities.place", "entities.org"})
    provides = frozenset({"entities"})

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            longer = [m for m in doc.entities if _longer_name(m)]
            resolved = resolve(doc.entities, nested_places=doc.lang != "kk")
            if doc.lang == "kk":
                resolved = without_routes(doc.text, resolved)
                resolved = without_name_modifiers(doc, resolved)
                resolved = without_quoted_places(doc, resolved)
                resolved = without_unnamed_organisations(doc.text, resolved)
            elif doc.lang == "ru":
                resolved = russian_organisations(doc.text, resolved)
            doc.entities = quoted_organisations(doc.text, resolved, longer,
                                                kazakh=doc.lang == "kk")
        return docs


# A road, route or line named by its two ends: «Көкшетау – Атбасар» тасжолы, трасса
# Алматы – Бишкек. In Kazakh documents the ends are not places of their own: KazNERD
# annotates the whole name as a facility, flat (NEREL keeps the cities nested inside the
# road, so Russian documents keep them, as they keep places nested in organisations).
# ``(?<!\s)``: a match starts only where a run of spaces starts, so a search stays linear
_ROUTE_DASH = re.compile(r"(?<!\s)\s*[–—-]\s*")
_ROUTE_LEFT_END = re.compile(r"\b[^\W\d_][^\W\d_]+\s*[–—-]\s*$")
_ROUTE_RIGHT_END = re.compile(r"(?<!\s)\s*[–—-]\s*[^\W\d_][^\W\d_]+\b")
_ROUTE_AFTER = re.compile(
    r"(?:[»\"”]|(?<![\s»\"”]))\s*"
    r"(?:тас\s*жол|күре\s*жол|автожол|темір\s*жол|жол[ыдт]|трасса|бағыт|магистрал"
    r"|рейс|дорог|автодорог|шоссе|железн|направлени|маршрут|highway|road|route|railway)",
    re.IGNORECASE)
_ROUTE_BEFORE = re.compile(
    r"(?:трасс[аеыу]|дорог[аеиу]|автодорог[аеиу]|шоссе|маршрут[аеу]?|рейс[аеу]?|направлени[еия])"
    r"\s*[«\"“]?\s*$", re.IGNORECASE)


# A quoted name followed by the word for what it names is an organisation: «Алтын дала» ЖШС,
# «Қайрат» футбол клубы, «Хабар» арнасы, «Спартак» клуб, ТОО «Жер». KazNERD and NEREL
# annotate the quoted name alone. The heads are word beginnings (any inflection follows). In
# Kazakh one or two lower-case words may describe the head (``_KK_ORG_HEADS_DESCRIBED``):
# the head then carries the possessive of a compound, -(с)ы/-(с)і, and any case after it
# («Ақжарма» фольклорлық ансамблі, «Жаркент» орман шаруашылығы мекемесінің); «Жастар TIME»
# инновациялық орталығы is left out: a centre may be a building.
_ORG_HEAD_WORDS = (
    r"(?:(?:әуе|авиа)компани|ансамбл|серіктестіг|компания"
    r"|корпорация|холдинг|партия|қоры|қорын|қорына|қорының|банк|клуб|команда|газет|журнал|арна"
    r"|телеарна|телеканал|радио|агенттіг|агентств|баспа|издательств|театр|университет|колледж"
    r"|лицей|фонд|концерн|завод|зауыт|фабрика|мекеме|ұйым|бірлестіг|қауымдастығ|ассоциаци"
    r"|объединени|движени|қозғалыс)")
_ORG_HEADS_AFTER = re.compile(
    r"(?:(?:футбол|хоккей|спорт)\w*\s+)?(?:ЖШС|АҚ|ЖАҚ|ТОО|АО|ОАО|ЗАО|ПАО|ООО|" + _ORG_HEAD_WORDS
    + r")", re.IGNORECASE)
_KK_ORG_HEADS_DESCRIBED = re.compile(
    r"(?:(?-i:[a-zа-яёәғқңөұүһі])[^\W\d_]{0,30}\s{1,3}){1,2}" + _ORG_HEAD_WORDS
    + r"\w{0,12}?с?[ыі](?:н|ның|нің|на|не|нда|нде|нан|нен|мен)?(?!\w)", re.IGNORECASE)
_QUOTED = re.compile(r"[«\"“]\s*([^«»\"“”\n]{2,80}?)\s*[»\"”]")
_MAX_QUOTED_WORDS = 6


def quoted_organisations(text: str, mentions: list[Mention], longer: Sequence[Mention] = (),
                         *, kazakh: bool = False) -> list[Mention]:
    """The quoted name before an organisation's head word (``_ORG_HEADS_AFTER``) becomes an
    ``ORG`` (id None): a place or person tagged there is retyped (``«Қайрат» клубы`` is not
    the microdistrict), and a quoted name nothing tagged is added — unless it is part of a
    longer name of another kind the model found that runs past the head word (``longer``: the
    title «Нұр Отан» партиясы төрағасы, the project «Астана-1» ақпараттық жүйесі); a name that
    ends with the head («Ақжарма» фольклорлық ансамблі) is the organisation itself. In Kazakh
    a name whose head opens a person's title («Нұр Отан» партиясы төрағасы) is left out too."""
    if "«" not in text and '"' not in text and "“" not in text:
        return mentions
    out = list(mentions)
    for quote in _QUOTED.finditer(text):
        name = quote.group(1)
        if not name[:1].isupper() or len(name.split()) > _MAX_QUOTED_WORDS:
            continue
        after = _skip_spaces(text, quote.end())
        head = _ORG_HEADS_AFTER.match(text, after) or (
            _KK_ORG_HEADS_DESCRIBED.match(text, after) if kazakh else None)
        if head is None:
            continue
        start, end = quote.start(1), quote.end(1)
        head_end = _word_end(text, head.end())
        if kazakh and kk_inside_title(text, head_end):
            continue  # «Генералдар кеңесі» бірлестігінің төрағасы: a person's title
        if any(m.start < end and start < m.end and m.end - m.start > end - start
               and m.end > head_end for m in longer):
            continue
        here = [m for m in out if m.start < end and start < m.end]
        if any(m.type == "ORG" for m in here):
            continue
        if here and not all((m.start, m.end) == (start, end) and m.type in ("PLACE", "PERSON")
                            for m in here):
            continue
        for mention in here:
            out.remove(mention)
        out.append(Mention(start=start, end=end, text=name, type="ORG", confidence=0.8))
    return sorted(out, key=lambda m: (m.start, m.end))


def without_unnamed_organisations(text: str, mentions: list[Mention]) -> list[Mention]:
    """Drops the model's Kazakh organisations that KazNERD does not annotate as one: a span
    all in lower case (a common noun, ``kk_common_noun``) and one right before the head of a
    person's title (``kk_inside_title``: «Үкімет басшысы» is a POSITION as a whole). The
    registry's organisations were sorted the same way by their kind (``OrgStage``)."""
    return [m for m in mentions if not (
        m.type == "ORG" and m.id is None
        and (kk_common_noun(m.text) or kk_inside_title(text, m.end)))]


def _word_end(text: str, at: int) -> int:
    while at < len(text) and text[at].isalnum():
        at += 1
    return at


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def without_routes(text: str, mentions: list[Mention]) -> list[Mention]:
    """Drops the places that name the ends of a road or route (see ``_ROUTE_AFTER``): two
    or more places joined by dashes, quoted together or followed (preceded, in Russian) by a
    word for a road, a route or a direction."""
    places = [m for m in mentions if m.type == "PLACE"]
    dropped: set[int] = set()
    index = 0
    while index < len(places):
        chain = [places[index]]
        while index + len(chain) < len(places):
            nxt = places[index + len(chain)]
            if not _ROUTE_DASH.fullmatch(text[chain[-1].end:nxt.start]):
                break
            chain.append(nxt)
        start, end = chain[0].start, chain[-1].end
        if len(chain) == 1:  # the other end may be a name no lexicon knows (Астрахань)
            left = _ROUTE_LEFT_END.search(text, max(0, start - 40), start)
            right = _ROUTE_RIGHT_END.match(text, end)
            left = left if left and left.group()[:1].isupper() else None
            right = right if right and right.group().lstrip(" –—-")[:1].isupper() else None
            start, end = (left.start() if left else start), (right.end() if right else end)
        joined = len(chain) > 1 or (start, end) != (chain[0].start, chain[-1].end)
        if joined and _route(text, start, end):
            dropped.update(id(m) for m in chain)
        index += len(chain)
    return [m for m in mentions if id(m) not in dropped] if dropped else mentions


# Head nouns of names that are not places: a facility, an organisation, an event, a law or
# treaty, an award, a product. A place name in the bare (nominative) form right before one of
# them, in the singular, is the first word of that name (Алматы әуежайы, Париж келісімі,
# Азия форумы, Макинск зауыты), which KazNERD annotates as a whole of another kind; a place
# in a case form (Американың компаниясы, Астанада ғимарат) or before a plural (Ақтөбе
# мектептері) stays a place. The stems are word beginnings. Written for this project.
_NAME_HEADS = (
    "әуежай", "вокзал", "стадион", "көше", "даңғыл", "порт", "кеніш", "мұражай", "музей",
    "театр", "кітапхана", "аурухана", "емхана", "мешіт", "шіркеу", "собор", "фабрика", "зауыт",
    "комбинат", "университет", "институт", "академия", "колледж", "банк", "альянс",
    "ассамблея", "партия", "министрлі", "форум", "конгресс", "съезд", "саммит", "фестиваль",
    "чемпионат", "турнир", "көрме", "жәрмеңке", "марафон", "келісім", "конвенция",
    "декларация", "кодекс", "сыйлығ", "сыйлық", "трактор", "қалалық", "облыстық", "аудандық",
)
_PLURAL_AFTER_HEAD = ("лар", "лер", "дар", "дер", "тар", "тер")


def without_name_modifiers(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Drops the Kazakh places that only open a longer name of another kind (see
    ``_NAME_HEADS``). A place counts as bare when the lemma stage left its last word
    whole; without lemmas nothing is dropped."""
    places = [m for m in mentions if m.type == "PLACE"]
    if not places or not doc.tokens:
        return mentions
    dropped: set[int] = set()
    for place in places:
        index = bisect_left(doc.tokens, place.end, key=_token_start) - 1
        if index < 0 or index + 1 >= len(doc.tokens) or doc.tokens[index].end != place.end:
            continue
        last, after = doc.tokens[index], doc.tokens[index + 1]
        if last.lemma is None or last.lemma != doc.text[last.start:last.end].lower():
            continue
        if not doc.text[last.end:after.start].isspace():
            continue
        if _name_head(doc.text[after.start:after.end].lower()):
            dropped.add(id(place))
    return [m for m in mentions if id(m) not in dropped] if dropped else mentions


# What a quoted place name can be followed by and still be a place: a microdistrict, a
# village, a district («Алғабас» ықшамауданы, «Зерделі» шағынауданы).
_PLACE_HEADS_AFTER = re.compile(
    r"\s*(?:ықшамаудан|шағынаудан|мөлтекаудан|ауыл|кент|аудан|облыс|қала|елді\s+мекен"
    r"|тұрғын\s+алаб|деген\s+атау)",
    re.IGNORECASE)


def without_quoted_places(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Drops the Kazakh places inside a short quoted name: a quoted name is the name of a
    team, a company, a product, a programme or a campaign («Арыс, біз біргеміз!», «Беларусь»
    тракторлары), which KazNERD annotates as such, unless the quote is the place alone before
    the word for a kind of place («Алғабас» ықшамауданы). A long quote (a quoted sentence)
    keeps its places, and so does a place in a case form (a quoted phrase: «Қазақстанға
    инвестиция салуға дайынбыз»): a name uses the bare form."""
    text = doc.text
    if "«" not in text and '"' not in text and "“" not in text:
        return mentions
    dropped: set[int] = set()
    for quote in _QUOTED.finditer(text):
        name = quote.group(1)
        if len(name.split()) > _MAX_QUOTED_WORDS or not name[:1].isupper():
            continue
        start, end = quote.start(1), quote.end(1)
        for mention in mentions:
            if mention.type != "PLACE" or mention.start < start or mention.end > end:
                continue
            alone = (mention.start, mention.end) == (start, end)
            if alone and _PLACE_HEADS_AFTER.match(text, quote.end()):
                continue
            index = bisect_left(doc.tokens, mention.end, key=_token_end)
            token = doc.tokens[index] if index < len(doc.tokens) else None
            if token is None or token.end != mention.end or token.lemma is None \
                    or token.lemma != text[token.start:token.end].lower():
                continue
            dropped.add(id(mention))
    return [m for m in mentions if id(m) not in dropped] if dropped else mentions


def _token_start(token: Token) -> int:
    return token.start


def _token_end(token: Token) -> int:
    return token.end


def _name_head(word: str) -> bool:
    for head in _NAME_HEADS:
        if word.startswith(head):
            return not any(p in word[len(head):] for p in _PLURAL_AFTER_HEAD)
    return False


def _route(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 40):start], text[end:end + 40]
    if before.rstrip().endswith(("«", '"', "“")) and after.lstrip().startswith(("»", '"', "”")):
        return True
    return bool(_ROUTE_AFTER.match(after.lstrip()) or _ROUTE_BEFORE.search(before))


class Spans:
    """Mentions indexed by start, to find the ones that overlap a span without looking at all
    of them (a long document has thousands: comparing each with each was quadratic)."""

    def __init__(self, mentions: list[Mention] | None = None) -> None:
        self._starts: list[int] = []
        self._items: list[tuple[int, Mention]] = []
        self._longest = 0
        self._added = 0
        for mention in mentions or ():
            self.add(mention)

    def add(self, mention: Mention) -> None:
        at = bisect_right(self._starts, mention.start)
        self._starts.insert(at, mention.start)
        self._items.insert(at, (self._added, mention))
        self._added += 1
        self._longest = max(self._longest, mention.end - mention.start)

    def remove(self, mentions: list[Mention]) -> None:
        keep = [(order, m) for order, m in self._items if not any(m is gone for gone in mentions)]
        self._items = keep
        self._starts = [m.start for _, m in keep]

    def overlapping(self, span: Mention) -> list[Mention]:
        """The mentions that share at least one character with ``span``, in the order added."""
        low = bisect_right(self._starts, span.start - self._longest)
        high = bisect_left(self._starts, span.end)
        hits = [item for item in self._items[low:high] if _overlap(item[1], span) > 0]
        return [mention for _, mention in sorted(hits, key=lambda item: item[0])]

    def __iter__(self) -> Iterator[Mention]:
        return (mention for _, mention in sorted(self._items, key=lambda item: item[0]))


def resolve(mentions: list[Mention], *, nested_places: bool = True) -> list[Mention]:
    other_names = Spans([m for m in mentions if _longer_name(m)])
    found = [m for m in mentions if m.id is None and m.type != OTHER_NAME]
    linked = Spans([m for m in mentions if m.id is not None and not _language_mention(m)
                    and not (m.type != "ORG" and _inside_longer_name(m, other_names))])
    kept = Spans()
    for mention in sorted(found, key=lambda m: (m.start, -(m.end - m.start))):
        if kept.overlapping(mention):
            continue
        resolved = _link(mention, linked.overlapping(mention))
        if resolved is None:
            continue
        clash = kept.overlapping(resolved)
        if clash:
            # the model's organisation took the registry's whole name (ҚР Денсаулық сақтау
            # министрлігі): the places inside it go, as in the lexicon pass below
            if resolved.type != "ORG" or not all(
                    _contains(resolved, k) and k.type != "PERSON" for k in clash):
                continue
            kept.remove([k for k in clash
                         if not (nested_places and _nested_foreign_place(k, [resolved]))])
        kept.add(resolved)
    for mention in sorted(linked, key=_lexicon_rank):
        hosts = kept.overlapping(mention)
        if mention.type == "ORG" and hosts and all(
                _contains(mention, k) and k.type != "PERSON" and k != mention for k in hosts):
            kept.remove(hosts)  # "Акимат Алматинской области"
            hosts = []
        if not hosts or (nested_places and _nested_foreign_place(mention, hosts)):
            kept.add(mention)
    return sorted(kept, key=lambda m: (m.start, m.end))


def _link(mention: Mention, linked: list[Mention]) -> Mention | None:
    """The model's span with the id of the best overlapping lexicon mention of its type
    (``linked``: the lexicon mentions that overlap it)."""
    same_type = [m for m in linked if m.type == mention.type and _overlap(m, mention) > 0]
    if same_type:
        best = max(same_type, key=lambda m: (_overlap(m, mention), -abs(m.start - mention.start),
                                             m.end - m.start))
        span = best if mention.type == "ORG" and _contains(best, mention) else mention
        entity_id = best.id
        if mention.type == "ORG" and span is mention and _foreign_place_added(best, mention, linked):
            entity_id = None  # МВД России is not the registry's МВД (of Kazakhstan)
        return Mention(
            start=span.start, end=span.end, text=span.text, type=mention.type, id=entity_id,
            derogatory=best.derogatory, confidence=max(mention.confidence, best.confidence),
        )
    sure = [m for m in linked if m.confidence >= 1.0]
    if any(m.start == mention.start and m.end == mention.end for m in sure):
        return None  # the same span, another type: the lexicon knows this word
    if mention.type == "PERSON" and " " not in mention.text.strip():
        other = [m for m in sure if _overlap(m, mention) > 0]
        if other:  # a one-word "person" that the lexicon knows as a place or group
            return None
    return mention


def _foreign_place_added(registry: Mention, model: Mention, linked: list[Mention]) -> bool:
    """Does the model's organisation span add a foreign place to the registry's name?"""
    return any(
        m.type == "PLACE" and m.id is not None and not m.id[:1].isdigit() and m.id != "iso:KZ"
        and _contains(model, m) and not _contains(registry, m) for m in linked)


def _inside_longer_name(mention: Mention, other_names: Spans) -> bool:
    """A lexicon mention inside a longer name of another kind ("Алматы қалалық ... басқармасы")."""
    length = mention.end - mention.start
    return any(name.end - name.start > length for name in other_names.overlapping(mention))


def _longer_name(mention: Mention) -> bool:
    """A name of another kind that the model is fairly sure of and that does not run
    across a comma or a dash (a list of amounts is not one name)."""
    return (mention.type == OTHER_NAME and mention.confidence >= OTHER_CONFIDENCE
            and not _LIST_PUNCTUATION.search(mention.text))


def _language_mention(mention: Mention) -> bool:
    """The ethnic stage marks a language ("орыс тілі", "русский язык") with confidence 0.5:
    a language is not a group of people."""
    return mention.type == "ETHNIC_GROUP" and mention.confidence <= LANGUAGE_CONFIDENCE


def _lexicon_rank(mention: Mention) -> tuple[int, int, int, int]:
    length = mention.end - mention.start
    return (-length, _type_order(mention), mention.start, 0)


def _type_order(mention: Mention) -> int:
    """For the same span: a capitalised Cyrillic word is a name (Ұйғыр ауданы, the district),
    a lower-case one an ethnonym (ұйғыр, the people); English capitalises both."""
    name_like = mention.text[:1].isupper() and "\u0400" <= mention.text[:1] <= "\u04ff"
    if mention.type == "PLACE":
        return 0 if name_like else 1
    if mention.type == "ETHNIC_GROUP":
        return 1 if name_like else 0
    return 2


def _nested_foreign_place(mention: Mention, hosts: list[Mention]) -> bool:
    """A foreign country or city inside an organisation's name ("МВД России", "АН СССР")
    is kept as well: the place matters on its own and overlaps nothing but that name
    (``hosts``: the kept mentions it overlaps)."""
    if mention.type != "PLACE" or mention.id is None or mention.id[:1].isdigit():
        return False
    return bool(hosts) and all(
        other.type == "ORG" and other.start <= mention.start and mention.end <= other.end
        for other in hosts
    )


def _contains(outer: Mention, inner: Mention) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _overlap(a: Mention, b: Mention) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))
