"""Which ``ETHNIC_GROUP`` mentions the signals take for an ethnic target.

A mention of a people (``kind`` ``ethnic``) is a target. So is one no rule could classify
(``kind`` None: the Kazakh model's «қазақ», «қытай», «мұсылман» where the lexicon linked none);
on the gold train and dev splits, texts whose only mentions are such are tension ≥ 2 in 5 of 13,
and dropping them loses real groups. A civic identity
(«казахстанцы», «қазақстандықтар», «гражданин России»), a foreign nation as a nation
(«американцы», «россиянам») and a regional one («алматинцы», «атыраулық») are not: texts of
train and dev whose only mentions are such are tension ≥ 2 in 4 of 31 (0.13), as often as the
texts naming no group at all (0.14). A language (an ethnic mention with
``LANGUAGE_CONFIDENCE``) stays a target, a weak one: language policy is part of interethnic
relations, and texts of train and dev naming only a language are tension ≥ 2 in 7 of 11.
"""

from __future__ import annotations

from collections.abc import Iterator

from birlik.domain.records import Document, Mention

ETHNIC_GROUP = "ETHNIC_GROUP"
NOT_TARGETS = frozenset({"civic", "foreign", "regional"})


def is_ethnic_target(mention: Mention) -> bool:
    return mention.type == ETHNIC_GROUP and mention.kind not in NOT_TARGETS


def ethnic_targets(doc: Document) -> Iterator[Mention]:
    """The document's mentions of ethnic groups (in order), civic, foreign and regional ones left out."""
    return (m for m in doc.entities if is_ethnic_target(m))
