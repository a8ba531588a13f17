"""Identity words that are not ethnic groups: civic, foreign and regional demonyms, and the
places Russian adjectives stand for. Data: ``data/identities.yaml`` (its header documents it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.resources.yaml_data import load_yaml

DATA_FILE = "identities.yaml"
KINDS = ("civic", "foreign", "regional")


@dataclass(frozen=True, slots=True)
class Identities:
    demonyms: Mapping[str, Mapping[str, tuple[str, ...]]]
    """kind -> lang -> lower-case stems."""
    place_adjectives: Mapping[str, str]
    """Russian adjective stem -> place id (world place or KATO code)."""


@lru_cache(maxsize=1)
def load_identities() -> Identities:
    raw = resources.files("birlik.resources").joinpath("data", DATA_FILE).read_text("utf-8")
    return parse_identities(load_yaml(raw))


def parse_identities(raw: Any) -> Identities:
    try:
        demonyms = {
            kind: {lang: tuple(str(s).lower() for s in stems) for lang, stems in langs.items()}
            for kind, langs in raw["demonyms"].items()
        }
        adjectives = {str(stem): str(place) for stem, place in raw["place_adjectives"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{DATA_FILE} is malformed: {exc!r} — fix the data file", code=codes.R313
        ) from exc
    unknown = set(demonyms) - set(KINDS)
    if unknown:
        raise ConfigError(
            f"{DATA_FILE}: unknown kinds {sorted(unknown)} — use one of {KINDS}", code=codes.R312
        )
    return Identities(demonyms, adjectives)
