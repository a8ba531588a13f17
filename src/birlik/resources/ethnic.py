"""Ethnic groups of Kazakhstan: names in kk/ru/en, slurs flagged, umbrella terms.

The data is ``data/ethnic_groups.yaml`` (its header documents every field). Load it with
``load_ethnic_groups()``, built once per process; ``parse_ethnic_groups`` checks any other
mapping of the same shape. Broken data raises ``ConfigError`` with an ``R1xx`` code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from birlik.domain import codes
from birlik.domain.errors import ConfigError
from birlik.resources.yaml_data import load_yaml

LANGS: tuple[str, ...] = ("kk", "ru", "en")
DATA_FILE = "ethnic_groups.yaml"
_ID = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, slots=True, kw_only=True)
class EthnicForm:
    """One surface form of a group, as the matcher sees it."""

    group_id: str
    text: str
    lang: str
    derogatory: bool = False
    ambiguous: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EthnicGroup:
    id: str
    label: str
    names: dict[str, tuple[str, ...]]
    """lang -> neutral forms (nouns, plurals, feminine nouns, adjectives, variants)."""
    derogatory: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """lang -> slurs and pejorative forms."""
    ambiguous: frozenset[str] = frozenset()
    """Forms that count only with context (they are also ordinary words or names)."""
    exclude: tuple[str, ...] = ()
    """Regular expressions over a whole lower-cased token that never count for this group."""
    umbrella: bool = False
    members: tuple[str, ...] = ()
    share: float | None = None
    """Approximate share of the population of Kazakhstan, percent."""

    def display_name(self, lang: str) -> str:
        """The group's name for a reader of ``lang``: the lexicon's first neutral form in that
        language, capitalised (``Ұйғыр``, ``Уйгур``); the English label (``Uyghurs``) in English
        or when the lexicon has no form in the language."""
        forms = self.names.get(lang)
        if lang == "en" or not forms:
            return self.label
        return forms[0][:1].upper() + forms[0][1:]

    def forms(self) -> Iterator[EthnicForm]:
        for derogatory, table in ((False, self.names), (True, self.derogatory)):
            for lang, texts in table.items():
                for text in texts:
                    yield EthnicForm(
                        group_id=self.id, text=text, lang=lang, derogatory=derogatory,
                        ambiguous=text.lower() in self.ambiguous,
                    )


@dataclass(frozen=True, slots=True)
class EthnicLexicon:
    groups: tuple[EthnicGroup, ...]
    by_id: dict[str, EthnicGroup] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {group.id: group for group in self.groups})

    def __iter__(self) -> Iterator[EthnicGroup]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def __contains__(self, group_id: object) -> bool:
        return group_id in self.by_id

    def get(self, group_id: str) -> EthnicGroup:
        try:
            return self.by_id[group_id]
        except KeyError:
            raise ConfigError(
                f"no ethnic group {group_id!r} — see {DATA_FILE} for the known ids", code=codes.R110
            ) from None

    def forms(self) -> Iterator[EthnicForm]:
        for group in self.groups:
            yield from group.forms()


@lru_cache(maxsize=1)
def load_ethnic_groups() -> EthnicLexicon:
    """The lexicon shipped with Birlik, parsed and checked once per process."""
    source = resources.files("birlik.resources") / "data" / DATA_FILE
    try:
        raw = load_yaml(source.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"cannot read {DATA_FILE}: {exc} — reinstall Birlik or fix the file", code=codes.R101
        ) from exc
    return parse_ethnic_groups(raw, source=DATA_FILE)


def parse_ethnic_groups(raw: object, *, source: str = "<data>") -> EthnicLexicon:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("groups"), list):
        raise ConfigError(
            f"{source} must be a mapping with a list under 'groups'", code=codes.R102
        )
    groups = tuple(_parse_group(item, source) for item in raw["groups"])
    _check_ids(groups, source)
    return EthnicLexicon(groups)


def _parse_group(item: object, source: str) -> EthnicGroup:
    if not isinstance(item, Mapping):
        raise ConfigError(f"{source}: every group must be a mapping, got {item!r}", code=codes.R102)
    group_id = item.get("id")
    if not isinstance(group_id, str) or not _ID.fullmatch(group_id):
        raise ConfigError(
            f"{source}: group id {group_id!r} must be lower snake ASCII like 'uyghur'",
            code=codes.R104,
        )
    where = f"{source}: group {group_id!r}"
    names = _forms_table(item.get("names"), where, "names")
    missing = [lang for lang in LANGS if not names.get(lang)]
    if missing:
        raise ConfigError(f"{where} has no names in {missing} — add them", code=codes.R105)
    derogatory = _forms_table(item.get("derogatory", {}), where, "derogatory")
    ambiguous = frozenset(form.lower() for form in _strings(item.get("ambiguous", []), where))
    known = {form.lower() for table in (names, derogatory) for forms in table.values()
             for form in forms}
    if ambiguous - known:
        raise ConfigError(
            f"{where}: ambiguous forms {sorted(ambiguous - known)} are not among its names",
            code=codes.R108,
        )
    return EthnicGroup(
        id=group_id,
        label=str(item.get("label") or group_id),
        names=names,
        derogatory=derogatory,
        ambiguous=ambiguous,
        exclude=_patterns(item.get("exclude", []), where),
        umbrella=bool(item.get("umbrella", False)),
        members=_strings(item.get("members", []), where),
        share=_share(item.get("share"), where),
    )


def _forms_table(value: object, where: str, key: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{where}: '{key}' must map a language to forms", code=codes.R102)
    table: dict[str, tuple[str, ...]] = {}
    for lang, forms in value.items():
        if lang not in LANGS:
            raise ConfigError(
                f"{where}: language {lang!r} in '{key}' is not one of {list(LANGS)}", code=codes.R106
            )
        table[lang] = tuple(dict.fromkeys(_strings(forms, where)))
    return table


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of non-empty strings, got {value!r}",
                          code=codes.R102)
    return tuple(v.strip() for v in value)


def _patterns(value: object, where: str) -> tuple[str, ...]:
    patterns = _strings(value, where)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: exclude pattern {pattern!r}: {exc}", code=codes.R107) from exc
    return patterns


def _share(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ConfigError(f"{where}: share must be a percentage or null, got {value!r}",
                          code=codes.R102)
    return float(value)


def _check_ids(groups: tuple[EthnicGroup, ...], source: str) -> None:
    seen: set[str] = set()
    for group in groups:
        if group.id in seen:
            raise ConfigError(f"{source}: group id {group.id!r} is listed twice", code=codes.R103)
        seen.add(group.id)
    for group in groups:
        unknown = [member for member in group.members if member not in seen]
        if unknown:
            raise ConfigError(
                f"{source}: umbrella {group.id!r} lists unknown members {unknown}", code=codes.R109
            )
