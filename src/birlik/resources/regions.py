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
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.yaml_data import load_yaml

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


# --- reference data and display names ----------------------------------------------------

REFERENCE_FILE = "region_reference.yaml"
CITY_WORD = {"kk": "{} қаласы", "ru": "город {}", "en": "{} city"}
CITY_SHORT = {"kk": "{} қ.", "ru": "г. {}", "en": "{} city"}
REGION_WORD = {"kk": "{} облысы", "ru": "{} область", "en": "{} Region"}
REGION_SHORT = {"kk": "{} обл.", "ru": "{} обл.", "en": "{} Region"}


@dataclass(frozen=True, slots=True)
class RegionReference:
    kato: str
    population: int
    label: tuple[float, float]
    """(longitude, latitude) where the name is written."""
    callout: tuple[float, float] | None
    """Where the name is written instead, with a leader line to ``label`` (small regions)."""


@dataclass(frozen=True, slots=True)
class RegionReferences:
    regions: Mapping[str, RegionReference]
    population_year: int
    population_source: str


def _point(raw: Any, where: str) -> tuple[float, float]:
    if not isinstance(raw, list) or len(raw) != 2:
        raise ConfigError(f"{REFERENCE_FILE}: {where} must be [longitude, latitude]", code=codes.R007)
    return float(raw[0]), float(raw[1])


@lru_cache(maxsize=1)
def region_references() -> RegionReferences:
    """Population and label anchors of the 20 regions (``data/region_reference.yaml``)."""
    raw = load_yaml((resources.files("birlik.resources") / "data" / REFERENCE_FILE).read_text("utf-8"))
    known = {place.kato for place in load_gazetteer().regions()}
    table: dict[str, RegionReference] = {}
    for kato, entry in (raw.get("regions") or {}).items():
        if str(kato) not in known:
            raise ConfigError(f"{REFERENCE_FILE}: {kato} is not a region of the gazetteer", code=codes.R007)
        callout = entry.get("callout")
        table[str(kato)] = RegionReference(
            kato=str(kato),
            population=int(entry["population"]),
            label=_point(entry.get("label"), f"{kato}.label"),
            callout=_point(callout, f"{kato}.callout") if callout is not None else None,
        )
    return RegionReferences(
        regions=MappingProxyType(table),
        population_year=int(raw["population_year"]),
        population_source=str(raw["population_source"]),
    )


def _russian_adjective(kato: str) -> str | None:
    place = load_gazetteer().get(kato)
    if place is None:
        return None
    return next((form.text for form in place.forms if form.lang == "ru" and form.adjective), None)


def region_full_name(kato: str, lang: str) -> str:
    """The region's name with its head word: ``Алматы облысы`` / ``Алматинская область`` /
    ``Almaty Region`` against ``Алматы қаласы`` / ``город Алматы`` / ``Almaty city``."""
    place = load_gazetteer().get(kato)
    if place is None:
        return kato
    lang = lang if lang in REGION_WORD else "en"
    if place.is_city:
        return CITY_WORD[lang].format(place.name(lang))
    if lang == "ru" and (adjective := _russian_adjective(kato)) is not None:
        return REGION_WORD["ru"].format(adjective)
    return REGION_WORD[lang].format(place.name(lang))


def region_short_name(kato: str, lang: str) -> str:
    """The name written on the map: bare for an oblast, unless a city of republican significance
    has the same bare name (Almaty), where the head word tells them apart; cities say so."""
    gazetteer = load_gazetteer()
    place = gazetteer.get(kato)
    if place is None:
        return kato
    lang = lang if lang in REGION_WORD else "en"
    name = place.name(lang)
    if place.is_city:
        return CITY_SHORT[lang].format(name)
    if any(other.is_city and other.name(lang) == name for other in gazetteer.regions()):
        adjective = _russian_adjective(kato) if lang == "ru" else None
        return REGION_SHORT[lang].format(adjective or name)
    return name
