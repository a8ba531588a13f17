"""The one table from a region's name to its KATO code, built from the gazetteer.

Region shapes (GeoJSON) name their features in English (``Jambyl Region``, ``Almaty``…), or
carry a KATO code; the report's charts and the web map both read them through
``kato_of_feature``. A name with a head word (``Region``, ``oblast``, ``облысы``, ``область``)
is an oblast; a bare name is first a city of republican significance (Astana, Almaty,
Shymkent), then an oblast. Every current name of the gazetteer counts, in kk, ru and en; former names do not
(Akmola was also the name of Astana).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from birlik.resources.gazetteer import load_gazetteer

KATO_KEYS = ("kato", "KATO", "region_kato")
NAME_KEYS = ("ADM1_EN", "name_en", "name", "NAME_1")
HEAD_WORDS = frozenset({"region", "oblast", "oblysy", "облысы", "область"})


@lru_cache(maxsize=1)
def _tables() -> tuple[Mapping[str, str], Mapping[str, str]]:
    """(cities that are regions, oblasts): each casefolded name → KATO code."""
    cities: dict[str, str] = {}
    oblasts: dict[str, str] = {}
    for place in load_gazetteer().regions():
        table = cities if place.is_city else oblasts
        current = [name for names in place.names.values() for name in names]
        forms = [form.text for form in place.forms if form.lang != "former"]  # adjectives: Алматинская
        for name in current + forms:
            table.setdefault(name.casefold(), place.kato)
    return cities, oblasts


def region_kato(name: str) -> str | None:
    """The KATO code of the region called ``name``, or None."""
    words = name.casefold().split()
    cities, oblasts = _tables()
    if len(words) > 1 and words[-1] in HEAD_WORDS:
        return oblasts.get(" ".join(words[:-1]))
    text = " ".join(words)
    return cities.get(text) or oblasts.get(text)


def kato_of_feature(properties: Mapping[str, Any]) -> str | None:
    """The region of a GeoJSON feature: its KATO property, else its name."""
    for key in KATO_KEYS:
        if properties.get(key):
            return str(properties[key])
    for key in NAME_KEYS:
        kato = region_kato(str(properties.get(key) or ""))
        if kato is not None:
            return kato
    return None
