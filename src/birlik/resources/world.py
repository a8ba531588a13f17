"""Places outside Kazakhstan: countries (and Kazakhstan as a whole), world cities and regions.

The data file is ``data/world_places.yaml`` (its header documents the format). Ids are
``iso:XX`` (ISO 3166-1 alpha-2) for countries, ``hist:XX`` for former states,
``city:<iso>:<slug>`` for cities and ``region:<slug>`` for regions. A written form that is
also the name of a place in Kazakhstan's gazetteer is dropped when the data is loaded: the
gazetteer stage links those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.domain.text import normalise, tokenize, word_stems
from birlik.resources.gazetteer import Gazetteer, load_gazetteer
from birlik.resources.yaml_data import load_yaml

PlaceKind = Literal["country", "city", "region"]
LANGS: tuple[str, ...] = ("kk", "ru", "en")
DATA_FILE = "world_places.yaml"
_SECTIONS: dict[str, PlaceKind] = {"countries": "country", "cities": "city", "regions": "region"}
_ID_PREFIXES: dict[PlaceKind, tuple[str, ...]] = {
    "country": ("iso:", "hist:"),
    "city": ("city:",),
    "region": ("region:",),
}
_KNOWN_KEYS = frozenset({"id", "country", "caps", "strict", "not", *LANGS})


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldPlace:
    id: str
    kind: PlaceKind
    names: Mapping[str, tuple[str, ...]]
    """Written forms by language (``kk``, ``ru``, ``en``)."""
    country: str | None = None
    """The country id of a city."""
    capitalised: bool = False
    """The name is also an ordinary word: it counts only when written with a capital."""
    strict: bool = False
    """As ``capitalised``, and not at the start of a sentence (``Того``, ``Мали``)."""
    not_forms: frozenset[str] = frozenset()
    """Lower-case tokens that look like a form of the name but are other words."""

    def all_names(self) -> list[str]:
        return [name for names in self.names.values() for name in names]

    def display_name(self, lang: str = "en") -> str:
        names = self.names.get(lang) or self.names.get("en") or next(iter(self.names.values()))
        return names[0]


@dataclass(frozen=True, slots=True)
class World:
    places: tuple[WorldPlace, ...]

    def get(self, place_id: str) -> WorldPlace:
        for place in self.places:
            if place.id == place_id:
                return place
        raise ConfigError(f"no world place {place_id!r} — see {DATA_FILE} for the ids", code=codes.R301)

    def excluding(self, names: Iterable[str]) -> World:
        """The same places without the written forms that may be read as one of ``names``:
        every word shares a stem (``Астрахань`` and the Kazakh district ``Астрахан``)."""
        taken: dict[tuple[int, str], list[tuple[frozenset[str], ...]]] = {}
        for name in names:
            stems = name_stems(name)
            for first in stems[0] if stems else ():
                taken.setdefault((len(stems), first), []).append(stems)
        kept = []
        for place in self.places:
            forms = {
                lang: tuple(n for n in values if not _collides(name_stems(n), taken))
                for lang, values in place.names.items()
            }
            forms = {lang: values for lang, values in forms.items() if values}
            if forms:
                kept.append(replace(place, names=forms))
        return World(tuple(kept))


def name_stems(name: str) -> tuple[frozenset[str], ...]:
    """Per word of a written form, the stems the lexicon matcher registers it under."""
    return tuple(frozenset(word_stems(t.text)) for t in tokenize(normalise(name)))


def _collides(
    stems: tuple[frozenset[str], ...], taken: dict[tuple[int, str], list[tuple[frozenset[str], ...]]]
) -> bool:
    candidates = [other for first in stems[0] for other in taken.get((len(stems), first), ())]
    return any(all(a & b for a, b in zip(stems, other, strict=True)) for other in candidates)


def gazetteer_names(gazetteer: Gazetteer) -> list[str]:
    return [form.text for place in gazetteer.places for form in place.forms]


@lru_cache(maxsize=1)
def load_world() -> World:
    """The packaged world places, minus forms that name a place in Kazakhstan."""
    try:
        raw = resources.files("birlik.resources").joinpath(f"data/{DATA_FILE}").read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {DATA_FILE}: {exc} — reinstall Birlik", code=codes.R300) from exc
    world = parse_world(raw, DATA_FILE)
    return world.excluding(gazetteer_names(load_gazetteer()))


def parse_world(raw: str, source: str = DATA_FILE) -> World:
    try:
        data = load_yaml(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source} is not valid YAML: {exc} — fix the file", code=codes.R302) from exc
    if not isinstance(data, dict) or not set(data) <= set(_SECTIONS):
        raise ConfigError(
            f"{source} must be a mapping with lists under {sorted(_SECTIONS)}", code=codes.R303
        )
    places = [
        _place(entry, kind, source)
        for section, kind in _SECTIONS.items()
        for entry in data.get(section) or []
    ]
    _check_ids(places, source)
    return World(tuple(places))


def _place(entry: Any, kind: PlaceKind, source: str) -> WorldPlace:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise ConfigError(f"{source}: every place must be a mapping with an 'id', got {entry!r}",
                          code=codes.R304)
    place_id = entry["id"]
    unknown = set(entry) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{source}: {place_id}: unknown keys {sorted(unknown)}", code=codes.R305)
    if not place_id.startswith(_ID_PREFIXES[kind]):
        raise ConfigError(
            f"{source}: {place_id}: a {kind} id starts with {' or '.join(_ID_PREFIXES[kind])}",
            code=codes.R306,
        )
    names = {lang: _strings(entry[lang], place_id, source) for lang in LANGS if lang in entry}
    if not any(names.values()):
        raise ConfigError(f"{source}: {place_id} has no names — add kk, ru or en", code=codes.R307)
    country = entry.get("country")
    if (kind == "city") != isinstance(country, str):
        raise ConfigError(f"{source}: {place_id}: a city, and only a city, has a 'country'",
                          code=codes.R308)
    return WorldPlace(
        id=place_id,
        kind=kind,
        names=names,
        country=country,
        capitalised=bool(entry.get("caps")) or bool(entry.get("strict")),
        strict=bool(entry.get("strict")),
        not_forms=frozenset(s.lower() for s in _strings(entry.get("not", []), place_id, source)),
    )


def _strings(value: Any, place_id: str, source: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{source}: {place_id}: names must be a list of strings, got {value!r}",
                          code=codes.R309)
    return tuple(value)


def _check_ids(places: list[WorldPlace], source: str) -> None:
    seen: set[str] = set()
    for place in places:
        if place.id in seen:
            raise ConfigError(f"{source}: id {place.id!r} is listed twice", code=codes.R310)
        seen.add(place.id)
    countries = {place.id for place in places if place.kind == "country"}
    for place in places:
        if place.country is not None and place.country not in countries:
            raise ConfigError(
                f"{source}: {place.id}: unknown country {place.country!r} — add it to countries",
                code=codes.R311,
            )
