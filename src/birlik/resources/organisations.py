"""Registry of the Assembly's units and projects, state bodies and international bodies."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.resources.yaml_data import load_yaml


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    kind: str
    names: dict[str, tuple[str, ...]]
    capitalised: bool = False
    """The name counts only when written with a capital (or after an opening quote)."""

    def all_names(self) -> list[str]:
        return [name for names in self.names.values() for name in names]

    def display_name(self, lang: str) -> str:
        names = self.names.get(lang) or self.names.get("en") or next(iter(self.names.values()))
        return names[0]


@dataclass(frozen=True, slots=True)
class OrganisationRegistry:
    organisations: tuple[Organisation, ...]

    def get(self, org_id: str) -> Organisation:
        for org in self.organisations:
            if org.id == org_id:
                return org
        raise ConfigError(f"unknown organisation id {org_id!r}", code=codes.R400)


@lru_cache(maxsize=1)
def load_organisations() -> OrganisationRegistry:
    raw = resources.files("birlik.resources").joinpath("data/organisations.yaml").read_text("utf-8")
    data = load_yaml(raw)
    try:
        return OrganisationRegistry(tuple(_organisation(entry) for entry in data["organisations"]))
    except (KeyError, TypeError) as exc:
        raise ConfigError(
            f"organisations.yaml is malformed: {exc!r} — fix the data file", code=codes.R401
        ) from exc


def _organisation(entry: dict[str, Any]) -> Organisation:
    names = {lang: tuple(values) for lang, values in entry["names"].items()}
    if not names:
        raise ConfigError(f"organisation {entry['id']!r} has no names", code=codes.R402)
    return Organisation(
        id=entry["id"],
        kind=entry["kind"],
        names=names,
        capitalised=bool(entry.get("capitalised")),
    )
