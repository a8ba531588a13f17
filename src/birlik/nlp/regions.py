"""The regions a document is about, from its place mentions.

Every place mention counts for its region (a district or a town for the region that holds
it): once in the body, more in the title and the first sentence, less as a dateline
(``АСТАНА. KAZINFORM —``, ``Алматы, 12 марта —``), which says where the agency wrote, not
what happened where. A long document drops regions named once in passing while others
dominate; a short one keeps every region it names.
"""

from __future__ import annotations

import math
import re

from birlik.domain.records import Document, Mention, RegionScore
from birlik.nlp.places import PlaceLinker
from birlik.resources.gazetteer import Gazetteer

BODY_WEIGHT = 1.0
TITLE_WEIGHT = 2.0
FIRST_SENTENCE_BONUS = 0.5
DATELINE_WEIGHT = 0.3
LONG_DOCUMENT = 1500
"""Characters from which a single passing mention may be dropped."""
SHORT_DATELINE = 40
DOMINANCE = 3.0
"""A passing region is dropped when the leading one weighs this many times more."""

_DATELINE_AFTER = re.compile(r"\s*(?:[.,/(]|[-—–]\s)")
_DATELINE_BEFORE = frozenset(" \t\n\"'«")
_FIRST_SENTENCE_END = re.compile(r"[.!?…](?:\s|$)|\n")


class DocumentRegionsStage:
    """Sets ``doc.regions``: region KATO codes with a confidence, most confident first."""

    name = "regions.v1"
    requires = frozenset({"entities.place"})
    provides = frozenset({"regions"})

    def __init__(self, gazetteer: Gazetteer, linker: PlaceLinker | None = None) -> None:
        self.gazetteer = gazetteer
        self.linker = linker if linker is not None else PlaceLinker(gazetteer)

    def __call__(self, docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.regions = self.regions(doc)
        return docs

    def regions(self, doc: Document) -> list[RegionScore]:
        weights: dict[str, float] = {}
        counts: dict[str, int] = {}
        for region, weight in self._weighted(doc):
            weights[region] = weights.get(region, 0.0) + weight
            counts[region] = counts.get(region, 0) + 1
        if not weights:
            return []
        top = max(weights.values())
        kept = {
            region: weight for region, weight in weights.items()
            if not _passing(doc, weight, counts[region], top)
        }
        scores = [RegionScore(kato=r, confidence=_confidence(w, top)) for r, w in kept.items()]
        return sorted(scores, key=lambda s: (-s.confidence, s.kato))

    def _weighted(self, doc: Document) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = []
        first_end = _first_sentence_end(doc)
        for mention in doc.entities:
            region = self._region(mention)
            if region is not None:
                out.append((region, _mention_weight(doc.text, mention, first_end)))
        if doc.title:
            for mention in self.linker.link_text(doc.title):
                region = self._region(mention)
                if region is not None:
                    out.append((region, TITLE_WEIGHT))
        return out

    def _region(self, mention: Mention) -> str | None:
        if mention.type != "PLACE" or mention.id is None:
            return None
        return self.gazetteer.region_of(mention.id)


def _mention_weight(text: str, mention: Mention, first_end: int) -> float:
    if _is_dateline(text, mention):
        return DATELINE_WEIGHT
    if mention.start < first_end:
        return BODY_WEIGHT + FIRST_SENTENCE_BONUS
    return BODY_WEIGHT


def _is_dateline(text: str, mention: Mention) -> bool:
    if any(ch not in _DATELINE_BEFORE for ch in text[:mention.start]):
        return False
    return _DATELINE_AFTER.match(text, mention.end) is not None


def _first_sentence_end(doc: Document) -> int:
    """End of the lead sentence; a short first "sentence" is a dateline (``АСТАНА.``)."""
    ends = [s.end for s in doc.sentences[:2]] or _sentence_ends(doc.text)
    if len(ends) > 1 and ends[0] < SHORT_DATELINE:
        return ends[1]
    return ends[0] if ends else len(doc.text)


def _sentence_ends(text: str) -> list[int]:
    ends: list[int] = []
    for found in _FIRST_SENTENCE_END.finditer(text):
        ends.append(found.end())
        if len(ends) == 2:
            break
    return ends


def _passing(doc: Document, weight: float, count: int, top: float) -> bool:
    return (
        len(doc.text) >= LONG_DOCUMENT and count == 1 and weight <= BODY_WEIGHT
        and top >= DOMINANCE * weight
    )


def _confidence(weight: float, top: float) -> float:
    """Half the share of the leading region, half saturation with the evidence."""
    share = weight / top
    evidence = 1.0 - math.exp(-weight)
    return round(0.5 * share + 0.5 * evidence, 3)
