"""One flat, linked list of entities per document.

Lexicon stages (ethnic groups, places, organisations) give linked mentions; the NER
stages give typed spans without ids. Overlaps are resolved once here: a multi-word
person name beats a place it contains (the poet Abai is not Abai region), a longer
organisation beats a place inside it, a linked mention beats an unlinked one of the same
span, and an ethnic-group span that no lexicon entry links is dropped (civic words such as
"қазақстандық" are not ethnic groups).
"""

from __future__ import annotations

from birlik.domain.records import Document, Mention


class EntityResolveStage:
    name = "entities.v1"
    requires = frozenset({"entities.ethnic", "entities.place", "entities.org"})
    provides = frozenset({"entities"})

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.entities = resolve(doc.entities)
        return docs


def resolve(mentions: list[Mention]) -> list[Mention]:
    kept: list[Mention] = []
    for mention in sorted(mentions, key=_rank):
        if mention.type == "ETHNIC_GROUP" and mention.id is None:
            continue
        if any(mention.start < other.end and other.start < mention.end for other in kept):
            continue
        kept.append(mention)
    return sorted(kept, key=lambda m: (m.start, m.end))


def _rank(mention: Mention) -> tuple[int, int, int, int, int]:
    length = mention.end - mention.start
    multiword_person = mention.type == "PERSON" and " " in mention.text.strip()
    if multiword_person:
        priority = 0
    elif mention.id is not None or mention.type == "ORG":
        priority = 1
    else:
        priority = 2
    return (priority, -length, 0 if mention.id is not None else 1, _type_order(mention), mention.start)


def _type_order(mention: Mention) -> int:
    """For the same span: a capitalised Cyrillic word is a name (Ұйғыр ауданы, the district),
    a lower-case one an ethnonym (ұйғыр, the people); English capitalises both."""
    name_like = mention.text[:1].isupper() and "\u0400" <= mention.text[:1] <= "\u04ff"
    if mention.type == "PLACE":
        return 0 if name_like else 1
    if mention.type == "ETHNIC_GROUP":
        return 1 if name_like else 0
    return 2
