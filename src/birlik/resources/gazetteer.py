"""The gazetteer of Kazakhstan: 20 regions, their second-level units and the main towns.

Every place links to a KATO code. Regions (17 oblasts and the cities of republican
significance Astana, Almaty, Shymkent) and second-level units (districts and cities of
regional significance) own their code; a town or village inside a district links to the
code of its district. The data file is ``data/gazetteer.txt`` (its header documents the
format).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Literal, NoReturn

from birlik.domain import codes
from birlik.domain.errors import ConfigError

Level = Literal["region", "district", "city", "village"]
LANGS: tuple[str, ...] = ("kk", "ru", "en")

_LEVELS: Mapping[str, Level] = {
    "R": "region", "Q": "region", "C": "city", "D": "district", "T": "city", "V": "village",
}
_FLAGS = frozenset("bhcp")
_KATO = re.compile(r"\d{9}")
_COLUMNS = 8
DATA_FILE = "gazetteer.txt"


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceName:
    """One written form of a place's name and how it may be used in text."""

    text: str
    lang: str
    """``kk``, ``ru``, ``en`` or ``former``."""
    adjective: bool = False
    """A Russian adjective (``Алматинская``): a place only with a head word (``область``)."""
    abbreviation: bool = False
    """Written in capitals only (``ЗКО``)."""
    bare: bool | None = None
    """Overrides the place's rule for use without a head word (``None``: the place decides)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Place:
    kato: str
    level: Level
    region_kato: str
    parent_kato: str | None
    is_city: bool
    """Astana, Almaty and Shymkent (regions that are cities), cities and towns."""
    owns_code: bool
    """False for towns and villages, which link to the code of their district."""
    names: Mapping[str, tuple[str, ...]] = field(hash=False, compare=False)
    former_names: tuple[str, ...] = ()
    forms: tuple[PlaceName, ...] = field(default=(), hash=False, compare=False)
    flags: frozenset[str] = frozenset()

    def name(self, lang: str = "en") -> str:
        return self.names.get(lang, ())[0] if self.names.get(lang) else self.names["kk"][0]

    @property
    def bare_ok(self) -> bool:
        """May the bare name (without облысы/ауданы/город…) denote this place?"""
        if "b" in self.flags:
            return True
        if "h" in self.flags or "p" in self.flags:
            return False
        return not (self.level == "region" and not self.is_city)

    @property
    def common_word(self) -> bool:
        return "c" in self.flags

    @property
    def person_name(self) -> bool:
        return "p" in self.flags


class Gazetteer:
    """Places and their lookups by KATO code."""

    def __init__(self, places: Iterable[Place]) -> None:
        self.places: tuple[Place, ...] = tuple(places)
        self._units: dict[str, Place] = {}
        for place in self.places:
            if place.owns_code:
                if place.kato in self._units:
                    raise ConfigError(
                        f"KATO {place.kato} is listed twice — every region and second-level "
                        "unit needs its own code", code=codes.R005,
                    )
                self._units[place.kato] = place
        self._check_parents()

    def _check_parents(self) -> None:
        for place in self.places:
            for kato in (place.parent_kato, place.region_kato):
                if kato is not None and kato not in self._units:
                    raise ConfigError(
                        f"{place.name('ru')} ({place.kato}) refers to unknown unit {kato} — "
                        "add that unit or fix the parent column", code=codes.R006,
                    )

    def __len__(self) -> int:
        return len(self.places)

    def __contains__(self, kato: object) -> bool:
        return kato in self._units

    def get(self, kato: str) -> Place | None:
        """The region or second-level unit that owns ``kato``."""
        return self._units.get(kato)

    def __getitem__(self, kato: str) -> Place:
        place = self._units.get(kato)
        if place is None:
            raise KeyError(kato)
        return place

    def region_of(self, kato: str) -> str | None:
        """The region code of any code (unit, or a settlement code by its first two digits)."""
        place = self._units.get(kato)
        if place is not None:
            return place.region_kato
        region = kato[:2] + "0000000"
        return region if region in self._units and len(kato) == 9 else None

    def regions(self) -> tuple[Place, ...]:
        return tuple(p for p in self._units.values() if p.level == "region")

    def districts(self, region_kato: str) -> tuple[Place, ...]:
        """Second-level units (districts and cities of regional significance) of a region."""
        return tuple(
            p for p in self._units.values()
            if p.parent_kato == region_kato and p.level != "region"
        )

    def second_level(self) -> tuple[Place, ...]:
        return tuple(p for p in self._units.values() if p.parent_kato is not None)

    def localities(self, district_kato: str) -> tuple[Place, ...]:
        """Towns and villages that link to a district's code."""
        return tuple(p for p in self.places if not p.owns_code and p.kato == district_kato)


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer shipped with Birlik, read once per process."""
    try:
        text = resources.files("birlik.resources").joinpath("data", DATA_FILE).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"cannot read the gazetteer data file {DATA_FILE}: {exc} — reinstall birlik",
            code=codes.R001,
        ) from exc
    return parse_gazetteer(text)


def parse_gazetteer(text: str) -> Gazetteer:
    places = [
        _parse_line(line, number)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]
    return Gazetteer(places)


def _parse_line(line: str, number: int) -> Place:
    columns = [column.strip() for column in line.split("|")]
    if len(columns) != _COLUMNS:
        _broken(number, f"has {len(columns)} columns instead of {_COLUMNS}")
    kato, level_code, parent, flags_text, kk, ru, en, former = columns
    if not _KATO.fullmatch(kato) or level_code not in _LEVELS:
        _broken(number, f"has a bad KATO code {kato!r} or level {level_code!r}")
    flags = frozenset(f for f in flags_text.split(",") if f)
    if not flags <= _FLAGS:
        _broken(number, f"has unknown flags {sorted(flags - _FLAGS)}")
    parent_kato = None if parent == "-" else parent
    if (parent_kato is None) != (level_code in "RQ"):
        _broken(number, "needs a parent unless it is a region (R, Q)")
    forms = tuple(
        _parse_name(raw, lang, number)
        for lang, column in zip((*LANGS, "former"), (kk, ru, en, former), strict=True)
        for raw in column.split(",") if raw.strip()
    )
    if not kk:
        _broken(number, "has no Kazakh name")
    return _build_place(kato, level_code, parent_kato, flags, forms)


def _build_place(
    kato: str, level_code: str, parent_kato: str | None, flags: frozenset[str],
    forms: tuple[PlaceName, ...],
) -> Place:
    names = {
        lang: tuple(f.text for f in forms if f.lang == lang and not f.adjective)
        for lang in LANGS
    }
    owns_code = level_code not in "TV"
    return Place(
        kato=kato,
        level=_LEVELS[level_code],
        region_kato=kato if parent_kato is None else kato[:2] + "0000000",
        parent_kato=parent_kato,
        is_city=level_code in "QCT",
        owns_code=owns_code,
        names=MappingProxyType(names),
        former_names=tuple(f.text for f in forms if f.lang == "former"),
        forms=forms,
        flags=flags,
    )


def _parse_name(raw: str, lang: str, number: int) -> PlaceName:
    text = raw.strip()
    marker = text[0]
    if marker in "@*+-":
        text = text[1:].strip()
    if not text:
        _broken(number, f"has an empty name in {lang}")
    return PlaceName(
        text=text,
        lang=lang,
        adjective=marker == "@",
        abbreviation=marker == "*",
        bare={"+": True, "-": False, "*": True}.get(marker),
    )


def _broken(number: int, problem: str) -> NoReturn:
    raise ConfigError(
        f"gazetteer line {number} {problem} — see the format in the header of {DATA_FILE}",
        code=codes.R002,
    )
