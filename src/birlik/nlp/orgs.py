"""Organisations from the project's registry (the Assembly's units, state bodies), and the
akimat of every region, district and town the gazetteer knows: a place mention next to the
word for akimat ("Алматы облысының әкімдігі", "акимат Алматинской области", "акимата города
Шымкент", "Akimat of Almaty region", "Алматы қаласының әкімдігі") is one ORG with id
``akimat:<KATO>``. Place mentions are those the place stage (run before this one) has added.

A registry state body takes the republic it belongs to into its span ("ҚР ДСМ", "Министерство
здравоохранения Республики Казахстан"); next to a foreign country ("Ресейдің Сыртқы істер
министрлігі", "МВД России") it is another state's body and keeps no registry id. An
ethnocultural association named by its people ("Украин этномәдени бірлестігі", "Ассоциация
корейцев Казахстана") is one ORG linked to ``ethnocultural_association``."""

from __future__ import annotations

import bisect
import re

from birlik.domain.records import Document, Mention
from birlik.domain.text import normalise, tokenize
from birlik.nlp.matcher import LexiconMatcher
from birlik.resources.organisations import Organisation, OrganisationRegistry

_OPENING_QUOTES = "\"'«“„"
_AKIMAT_AFTER = ("әкімдіг", "акимат")
_AKIMAT_BEFORE = ("акимат", "akimat")
_UNIT_WORDS = ("қаласы", "қаласының", "облысы", "облысының", "ауданы", "ауданының", "ауылы",
               "ауылының", "кенті", "кентінің")
_KK_REPUBLIC_BEFORE = re.compile(r"(?<!\w)(?:ҚР|Қазақстан\s+Республикасы(?:ның)?)\s+$")
_RU_REPUBLIC_AFTER = re.compile(r"\s+(?:Республики\s+Казахстан|РК)(?!\w)")
_BETWEEN_BEFORE = frozenset({"города", "г", "of", "the", "city", "of the"})

# KazNERD annotates a name, not a common noun: a Kazakh organisation written all in lower case
# («әкімдікке», «медициналық ұйымдарда») is not one. And an organisation right before the
# head of a person's title in its possessive form (-(с)ы/-(с)і, then any case: «Үкімет
# басшысы», «Мәжіліс төрағасы», «академиясының жаттықтырушысы») is inside that title, which
# KazNERD tags as a POSITION as a whole. The plural of members (депутаттары, мүшелері,
# өкілдері) leaves the organisation standing. Written for this project.
KK_TITLE_AFTER = re.compile(
    r"\s{1,4}(?:басшы|төраға|спикер|орынбасар|хатшы|директор|бастығ|жетекші|ректор|жаттықтырушы"
    r"|министр|вице-министр|президент|бас\s{1,3}хатшы)с?[ыі](?:\w{0,5})(?!\w)", re.IGNORECASE)
_KK_TITLE_PLURAL = re.compile(r"(?:лар|лер|дар|дер|тар|тер)[ыі]", re.IGNORECASE)
_KEPT_IN_TITLES = ("assembly", "association")
"""The Assembly's units stay linked inside a title («ҚХА Төрағасының орынбасары»): the
monitoring counts their mentions."""


def kk_common_noun(text: str) -> bool:
    """An organisation's span with no capital letter, digit or quote: a common noun."""
    return not any(c.isupper() or c.isdigit() or c in _OPENING_QUOTES for c in text)


def kk_inside_title(text: str, end: int) -> bool:
    """Is the organisation ending at ``end`` followed by the head of a person's title?"""
    title = KK_TITLE_AFTER.match(text, end)
    return title is not None and not _KK_TITLE_PLURAL.search(title.group())


class OrgStage:
    name = "orgs.v1"
    requires = frozenset({"tokens"})
    provides = frozenset({"entities.org"})

    def __init__(self, registry: OrganisationRegistry) -> None:
        entries: list[tuple[list[str], tuple[Organisation, bool]]] = []
        for org in registry.organisations:
            for name in org.all_names():
                words = [t.text for t in tokenize(normalise(name))]
                entries.append((words, (org, _is_abbreviation(name))))
        self._matcher: LexiconMatcher[tuple[Organisation, bool]] = LexiconMatcher(entries)

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            for match in self._matcher.find(doc.tokens):
                org, abbreviation = match.payload
                start = doc.tokens[match.start_token].start
                end = doc.tokens[match.end_token - 1].end
                surface = doc.text[start:end]
                if abbreviation and not surface.isupper():
                    continue
                if org.capitalised and not _written_as_name(doc.text, start):
                    continue
                if doc.lang == "kk" and not org.kind.startswith(_KEPT_IN_TITLES) and (
                        kk_common_noun(surface) or kk_inside_title(doc.text, end)):
                    continue
                entity_id: str | None = org.id
                if org.kind == "state_body":
                    start, end = _with_the_republic(doc.text, start, end)
                    surface = doc.text[start:end]
                    foreign = _foreign_owner(doc, start, end)
                    if foreign is not None:  # Ресейдің Сыртқы істер министрлігі, МВД России
                        start, end = min(start, foreign.start), max(end, foreign.end)
                        surface, entity_id = doc.text[start:end], None
                doc.entities.append(Mention(start=start, end=end, text=surface, type="ORG",
                                            id=entity_id))
            doc.entities.extend(akimats(doc))
            doc.entities.extend(ethnocultural_associations(doc))
        return docs


# An ethnocultural association named by the people it gathers: «Украин этномәдени
# бірлестігі», «Кәріс қауымдастығы», «уйгурский этнокультурный центр», «Ассоциация корейцев
# Казахстана», with a level before it (Республикалық, Областной). Written for this project.
_KK_ASSOCIATION_AFTER = re.compile(
    r"\s+(?:этномәдени\s+(?:бірлест|орталы)|бірлестіг|қауымдастығ)\w*", re.IGNORECASE)
_RU_ASSOCIATION_AFTER = re.compile(
    r"\s+(?:(?:этнокультурн|национально-культурн|культурн)\w*\s+)"
    r"(?:объединени|центр|обществ|ассоциаци)\w*", re.IGNORECASE)
_RU_ASSOCIATION_BEFORE = re.compile(
    r"(?:Ассоциаци|Обществ|Союз|Конгресс|Ассамбле)\w*\s+$", re.IGNORECASE)
_OF_KAZAKHSTAN = re.compile(r"\s+(?:Казахстана|Қазақстан|Республики Казахстан)\b")
_LEVEL_BEFORE = re.compile(
    r"(?:Республикалық|Облыстық|Қалалық|Республиканск|Областн|Городск)\w*\s+$")


def ethnocultural_associations(doc: Document) -> list[Mention]:
    """ORG mentions (``ethnocultural_association``) of the associations named by a people
    that the ethnic stage found (``ETHNIC_GROUP`` mentions with an id). In Kazakh the name
    is capitalised or has its level before it: a lower-case people is a description and
    stays a group (``қазақ қауымдастығы``, ``корей этномәдени бірлестігінің жанында``)."""
    text = doc.text
    found: list[Mention] = []
    for group in doc.entities:
        if group.type != "ETHNIC_GROUP" or group.id is None:
            continue
        start, end = group.start, group.end
        kazakh = _KK_ASSOCIATION_AFTER.match(text, end)
        after = kazakh or _RU_ASSOCIATION_AFTER.match(text, end)
        before = None if after else _RU_ASSOCIATION_BEFORE.search(text, max(0, start - 40), start)
        if after is None and before is None:
            continue
        level = _LEVEL_BEFORE.search(text, max(0, start - 40), start)
        if kazakh is not None and not (group.text[:1].isupper() or level is not None):
            continue  # корей этномәдени бірлестігі: a description, the people is the entity
        if after is not None:
            end = after.end()
        elif before is not None:
            start = before.start()
            country = _OF_KAZAKHSTAN.match(text, end)
            end = country.end() if country else end
        else:
            continue
        if level is not None:
            start = level.start()
        found.append(Mention(start=start, end=end, text=text[start:end], type="ORG",
                             id="ethnocultural_association"))
    return found


def akimats(doc: Document) -> list[Mention]:
    """ORG mentions of the akimats of the places of Kazakhstan named in ``doc``."""
    starts = [token.start for token in doc.tokens]
    found: list[Mention] = []
    for place in doc.entities:
        if place.type != "PLACE" or place.id is None or not place.id[:1].isdigit():
            continue
        kato, end = place.id, place.end
        index = bisect.bisect_left(starts, end)
        after = doc.tokens[index] if index < len(doc.tokens) else None
        if (after is not None and index + 1 < len(doc.tokens)
                and after.text.lower().startswith(_UNIT_WORDS)
                and doc.text[end:after.start].isspace()):
            # Алматы қаласының әкімдігі: the gazetteer's name is the city's, the word for
            # the kind of unit stands between it and the akimat
            end, after = after.end, doc.tokens[index + 1]
        if after is not None and doc.text[end:after.start].isspace() \
                and after.text.lower().startswith(_AKIMAT_AFTER):
            found.append(_akimat(doc, place.start, after.end, kato))
            continue
        before = bisect.bisect_left(starts, place.start) - 1
        while before >= 0 and doc.tokens[before].text.lower() in _BETWEEN_BEFORE:
            before -= 1
        if before >= 0 and doc.tokens[before].text.lower().startswith(_AKIMAT_BEFORE) \
                and place.start - doc.tokens[before].end < 20:
            found.append(_akimat(doc, doc.tokens[before].start, place.end, kato))
    return found


def _akimat(doc: Document, start: int, end: int, kato: str) -> Mention:
    return Mention(start=start, end=end, text=doc.text[start:end], type="ORG", id=f"akimat:{kato}")


def _foreign_owner(doc: Document, start: int, end: int) -> Mention | None:
    """A foreign country or city that owns the state body named at ``start:end``: right
    before it (Kazakh: ``Ресейдің``, ``Ресей``) or right after it (Russian: ``МВД
    России``). The registry's state bodies are Kazakhstan's."""
    for place in doc.entities:
        if place.type != "PLACE" or place.id is None or place.id[:1].isdigit() \
                or place.id == "iso:KZ":
            continue
        if place.end <= start and doc.text[place.end:start].isspace():
            return place
        if place.start >= end and doc.text[end:place.start].isspace() \
                and place.start - end <= 2:
            return place
    return None


def _with_the_republic(text: str, start: int, end: int) -> tuple[int, int]:
    """A state body's span with the republic it belongs to, as official texts write it:
    «Қазақстан Республикасының Денсаулық сақтау министрлігі», «ҚР ДСМ», «Министерство
    здравоохранения Республики Казахстан», «МВД РК» are one organisation each."""
    before = _KK_REPUBLIC_BEFORE.search(text, max(0, start - 30), start)
    after = _RU_REPUBLIC_AFTER.match(text, end)
    return (before.start() if before else start), (after.end() if after else end)


def _is_abbreviation(name: str) -> bool:
    return name.isupper() and " " not in name


def _written_as_name(text: str, start: int) -> bool:
    return text[start].isupper() or (start > 0 and text[start - 1] in _OPENING_QUOTES)
