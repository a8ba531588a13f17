"""Organisations from the project's registry (the Assembly's units, state bodies), and the
akimat of every region, district and town the gazetteer knows: a place mention next to the
word for akimat ("Алматы облысының әкімдігі", "акимат Алматинской области", "акимата города
Шымкент", "Akimat of Almaty region") is one ORG with id ``akimat:<KATO>``. Place mentions
are those the place stage (run before this one) has added."""

from __future__ import annotations

import bisect

from birlik.domain.records import Document, Mention
from birlik.nlp.matcher import LexiconMatcher
from birlik.nlp.text import normalise, tokenize
from birlik.resources.organisations import Organisation, OrganisationRegistry

_OPENING_QUOTES = "\"'«“„"
_AKIMAT_AFTER = ("әкімдіг", "акимат")
_AKIMAT_BEFORE = ("акимат", "akimat")
_BETWEEN_BEFORE = frozenset({"города", "г", "of", "the", "city", "of the"})


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
                doc.entities.append(Mention(start=start, end=end, text=surface, type="ORG", id=org.id))
            doc.entities.extend(akimats(doc))
        return docs


def akimats(doc: Document) -> list[Mention]:
    """ORG mentions of the akimats of the places of Kazakhstan named in ``doc``."""
    starts = [token.start for token in doc.tokens]
    found: list[Mention] = []
    for place in doc.entities:
        if place.type != "PLACE" or place.id is None or not place.id[:1].isdigit():
            continue
        index = bisect.bisect_left(starts, place.end)
        after = doc.tokens[index] if index < len(doc.tokens) else None
        if after is not None and doc.text[place.end:after.start].isspace() \
                and after.text.lower().startswith(_AKIMAT_AFTER):
            found.append(_akimat(doc, place.start, after.end, place.id))
            continue
        before = bisect.bisect_left(starts, place.start) - 1
        while before >= 0 and doc.tokens[before].text.lower() in _BETWEEN_BEFORE:
            before -= 1
        if before >= 0 and doc.tokens[before].text.lower().startswith(_AKIMAT_BEFORE) \
                and place.start - doc.tokens[before].end < 20:
            found.append(_akimat(doc, doc.tokens[before].start, place.end, place.id))
    return found


def _akimat(doc: Document, start: int, end: int, kato: str) -> Mention:
    return Mention(start=start, end=end, text=doc.text[start:end], type="ORG", id=f"akimat:{kato}")


def _is_abbreviation(name: str) -> bool:
    return name.isupper() and " " not in name


def _written_as_name(text: str, start: int) -> bool:
    return text[start].isupper() or (start > 0 and text[start - 1] in _OPENING_QUOTES)
