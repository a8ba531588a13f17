"""Fixed scales of the overview map: what a region's number means, its bin and its colour.

The colour of a region depends on its own value and the indicator's fixed bins only, never on
the other regions (docs/map.md):

- ``documents`` and ``incidents`` are counts per 100,000 residents per 30 days: the region's
  count over the period × 100,000 / its population (``resources/data/region_reference.yaml``)
  × 30 / the period's days. Bins grow by a factor of 5; the top bin is open.
- ``tension`` (mean tension of the region's documents) and ``hate`` (mean hate score, 0 when
  absent) are on the fixed 0–1 scale in five equal bins.

Counts are known for every region in scope (no document is a count of 0); a mean of no document
is "no data", drawn apart from every bin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from birlik.resources.regions import region_references

RATE_PER = 100_000
RATE_DAYS = 30
COUNT_BLUES = ("#dae8f5", "#bcd5ec", "#79acd8", "#3a7fbf", "#12457f")
WARM = ("#fff3c4", "#fdc56a", "#f7893b", "#d9442a", "#8c1a1a")


@dataclass(frozen=True, slots=True)
class Scale:
    indicator: str
    kind: str
    """``rate`` (per 100,000 residents per 30 days), ``score`` (fixed 0–1) or ``count`` (whole numbers)."""
    edges: tuple[float, ...]
    """Bin ``i`` holds ``edges[i] <= value < edges[i + 1]``; the last bin is closed at 1 for a
    score, open above for a rate."""
    colours: tuple[str, ...]

    @property
    def bins(self) -> int:
        return len(self.colours)

    def bin_of(self, value: float | None) -> int | None:
        if value is None:
            return None
        for index in range(self.bins - 1, -1, -1):
            if value >= self.edges[index]:
                return index
        return 0

    def colour_of(self, value: float | None) -> str | None:
        index = self.bin_of(value)
        return None if index is None else self.colours[index]

    def ranges(self) -> list[tuple[float, float | None]]:
        """(low, high) of each bin; high is None for an open top bin."""
        out: list[tuple[float, float | None]] = []
        for index in range(self.bins):
            high = self.edges[index + 1] if index + 1 < len(self.edges) else None
            out.append((self.edges[index], high))
        return out


SCORE_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
SCALES: Mapping[str, Scale] = {
    "documents": Scale("documents", "rate", (0.0, 0.2, 1.0, 5.0, 25.0), COUNT_BLUES),
    "incidents": Scale("incidents", "rate", (0.0, 0.02, 0.1, 0.5, 2.5), COUNT_BLUES),
    "tension": Scale("tension", "score", SCORE_EDGES, WARM),
    "hate": Scale("hate", "score", SCORE_EDGES, WARM),
}


DISTRICT_DOCUMENTS = Scale("district_documents", "count", (0.0, 1.0, 3.0, 10.0, 30.0), COUNT_BLUES)
"""A district's documents of the period (no district populations are kept): 0, 1–2, 3–9, 10–29, ≥ 30."""


def scale_of(indicator: str) -> Scale:
    return SCALES.get(indicator, SCALES["documents"])


def per_100k(count: float, population: int, days: int) -> float:
    return count * RATE_PER / population * RATE_DAYS / max(1, days)


def map_values(
    indicator: str, raw: Mapping[str, float], katos: Iterable[str], days: int, *, visible: bool = True
) -> dict[str, float | None]:
    """Each region of ``katos`` (those in scope) → its value on the indicator's scale, None for
    no data. ``raw`` is the store's number per region (a count, or a mean); ``visible`` False
    (a reader who sees no documents, e.g. a mediator) makes every region "no data", not 0."""
    scale = scale_of(indicator)
    populations = region_references().regions
    out: dict[str, float | None] = {}
    for kato in katos:
        if not visible:
            out[kato] = None
        elif scale.kind == "rate":
            reference = populations.get(kato)
            out[kato] = per_100k(raw.get(kato, 0.0), reference.population, days) if reference else None
        else:
            value = raw.get(kato)
            out[kato] = None if value is None else min(1.0, max(0.0, value))
    return out
