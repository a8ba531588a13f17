"""Which ``ETHNIC_GROUP`` mentions the signals take for a group a text can be hostile to.

``docs/signals.md`` defines a group as an ethnic group, nationality or diaspora or a religious
community; states do not count. So a people (``kind`` ``ethnic``) and a nationality named by its
demonym (``foreign``: «американцы», «пакистанцы», «ресейліктер») are targets; on the gold train
and dev splits, texts whose only mentions are foreign ones are tension ≥ 2 in 3 of 18, a little
above the texts naming no group (0.14). A mention no rule could classify (``kind`` None: the
Kazakh model's «қазақ», «қытай», «мұсылман» where the lexicon linked none) is one too: such texts
are tension ≥ 2 in 5 of 13. A civic identity («казахстанцы», «қазақстандықтар»: every
people of the country) and a regional one («алматинцы», «атыраулық») are not groups between
which interethnic conflict happens: texts naming only those are tension ≥ 2 in 1 of 14. A
language (an ethnic mention with ``LANGUAGE_CONFIDENCE``) stays a target, a weak one: language
policy is part of interethnic relations, and texts of train and dev naming only a language are
tension ≥ 2 in 7 of 11.
"""

from __future__ import annotations

from collections.abc import Iterator

from birlik.domain.records import Document, Mention

ETHNIC_GROUP = "ETHNIC_GROUP"
NOT_TARGETS = frozenset({"civic", "regional"})


def is_ethnic_target(mention: Mention) -> bool:
    return mention.type == ETHNIC_GROUP and mention.kind not in NOT_TARGETS


def ethnic_targets(doc: Document) -> Iterator[Mention]:
    """The document's mentions of groups (in order), civic and regional identities left out."""
    return (m for m in doc.entities if is_ethnic_target(m))
