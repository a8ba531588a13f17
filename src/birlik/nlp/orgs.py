"""Organisations from the project's registry (the Assembly's units, state bodies)."""

from __future__ import annotations

from birlik.domain.records import Document, Mention
from birlik.nlp.matcher import LexiconMatcher
from birlik.nlp.text import normalise, tokenize
from birlik.resources.organisations import Organisation, OrganisationRegistry

_OPENING_QUOTES = "\"'«“„"


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
        return docs


def _is_abbreviation(name: str) -> bool:
    return name.isupper() and " " not in name


def _written_as_name(text: str, start: int) -> bool:
    return text[start].isupper() or (start > 0 and text[start - 1] in _OPENING_QUOTES)
