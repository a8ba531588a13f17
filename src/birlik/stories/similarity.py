"""How strongly two documents tell one story.

The score is the cosine of their multilingual embeddings, each centred on the mean vector of
its language (e5 puts any two texts of one language closer than a text and its translation;
removing the language direction undoes most of that), plus the Jaccard similarity of what they
share that does not depend on the language: figures and day-month dates, and linked entities
(places by KATO code, ethnic groups, organisations by their ids, people by a folded surname
stem) with proper-name stems. Years are left out: every text of a period shares them. Two
texts that both give figures and share none lose a little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from birlik.domain.records import Document
from birlik.stories.cues import dates, fold_name, name_stems, numbers
from birlik.stories.text import lead_text

_YEAR = re.compile(r"^(19|20)\d\d$")
NEAR_DUPLICATE_CHARS = 6000


@dataclass(frozen=True, slots=True, kw_only=True)
class SimilaritySettings:
    number_weight: float = 0.2
    """Weight of the Jaccard similarity of the two sets of figures."""
    entity_weight: float = 0.2
    """Weight of the Jaccard similarity of linked entities and name stems."""
    number_conflict: float = 0.15
    """Malus when both texts give two or more figures and share none."""

    @property
    def max_bonus(self) -> float:
        return self.number_weight + self.entity_weight


@dataclass(slots=True, kw_only=True)
class StoryFeatures:
    """What the linker compares, taken from a document once."""

    key: str
    time: datetime
    embedding: npt.NDArray[np.float32]
    lang: str = "und"
    outlet: str | None = None
    entities: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()
    text: str = ""
    """The text (up to ``NEAR_DUPLICATE_CHARS``) for near-duplicate signatures."""
    extra: dict[str, object] = field(default_factory=dict)


def entity_keys(doc: Document) -> set[str]:
    """Linked entities and name stems as language-independent keys."""
    keys: set[str] = set()
    for mention in doc.entities:
        if mention.type == "PERSON":
            surname = mention.text.split()[-1] if mention.text.split() else ""
            stem = fold_name(surname)[:5]
            if len(stem) >= 4:
                keys.add(f"PERSON:{stem}")
        elif mention.id:
            keys.add(f"{mention.type}:{mention.id}")
    keys.update(f"NAME:{stem}" for stem in name_stems(lead_text(doc, 1500)))
    return keys


def salient_numbers(text: str) -> set[str]:
    """Figures of two or more characters that are not years."""
    return {n for n in numbers(text) if len(n) >= 2 and not _YEAR.match(n)}


def features_of(doc: Document, embedding: npt.NDArray[np.float32], time: datetime) -> StoryFeatures:
    body = lead_text(doc, 1500)
    return StoryFeatures(
        key=doc.id,
        time=time,
        embedding=np.asarray(embedding, dtype=np.float32),
        lang=doc.lang or "und",
        outlet=doc.source or None,
        entities=frozenset(entity_keys(doc)),
        numbers=frozenset(salient_numbers(body)),
        dates=frozenset(dates(body)),
        text=lead_text(doc, NEAR_DUPLICATE_CHARS),
    )


def jaccard(first: frozenset[str], second: frozenset[str]) -> float:
    union = len(first | second)
    return len(first & second) / union if union else 0.0


def bonus(first: StoryFeatures, second: StoryFeatures, settings: SimilaritySettings) -> float:
    """What shared figures, dates and entities add to the cosine (negative when figures clash)."""
    figures_a, figures_b = first.numbers | first.dates, second.numbers | second.dates
    total = settings.number_weight * jaccard(figures_a, figures_b)
    total += settings.entity_weight * jaccard(first.entities, second.entities)
    if min(len(figures_a), len(figures_b)) >= 2 and not figures_a & figures_b:
        total -= settings.number_conflict
    return total
