"""Message catalogues in Kazakh, Russian and English: one format for every text a user reads.

A catalogue is one JSON file per language, ``<package>/locales/<lang>.json``, a flat object of
message keys (``area.name``) to templates formatted with ``str.format``. A message that counts
something has a form per plural category of the language (CLDR: Russian ``one`` 1, 21 · ``few``
2–4, 22 · ``many`` 5–20, 25 · ``other`` fractions; Kazakh and English ``one`` and ``other``),
stored as ``key#one``, ``key#few``… and chosen by its ``count`` or ``n`` value. The web interface
(``birlik.web``) and the quarterly report (``birlik.reports``) each keep their own catalogue in
this format and read it through :class:`Catalogue`; ``tests/domain/test_i18n.py`` checks that
every catalogue has the same keys, and the same placeholders, in every language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import ClassVar

from birlik.domain.codes import Code
from birlik.domain.errors import ConfigError

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
FALLBACK = "en"
COUNT_NAMES = ("count", "n")
PLURAL_FORMS: Mapping[str, tuple[str, ...]] = {
    "kk": ("one", "other"),
    "ru": ("one", "few", "many", "other"),
    "en": ("one", "other"),
}
_INTEGER = re.compile(r"[+-]?\d+")


def plural_category(lang: str, count: object) -> str:
    """The CLDR plural category of ``count`` in ``lang`` (``one``, ``few``, ``many``, ``other``).
    ``count`` may be a number or a number already written out (``1\u202f234``); anything else is
    ``other``."""
    if isinstance(count, str):
        digits = count.replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        count = int(digits) if _INTEGER.fullmatch(digits) else None
    if isinstance(count, bool) or not isinstance(count, int | float):
        return "other"
    if count != int(count):
        return "other"
    n = abs(int(count))
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "other"


@cache
def load(package: str, lang: str) -> dict[str, str]:
    """The catalogue of ``package`` in ``lang``; :class:`FileNotFoundError` when it has none."""
    raw = resources.files(package).joinpath("locales", f"{lang}.json").read_text("utf-8")
    data = json.loads(raw)
    return {str(key): str(value) for key, value in data.items()}


class Catalogue:
    """``texts("key", name=…)``: the template of the key in this language, formatted.

    A key missing in this language falls back to English, then to the key itself, so a string
    added after a translation was made still shows something readable (the tests keep the
    languages complete)."""

    package: ClassVar[str]
    missing: ClassVar[Code[ConfigError]]

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._strings = self._load(lang)

    @classmethod
    def _load(cls, lang: str) -> dict[str, str]:
        try:
            return load(cls.package, lang)
        except FileNotFoundError as exc:
            raise ConfigError(f"no {cls.package} catalogue for {lang!r} — reinstall birlik",
                              code=cls.missing) from exc

    def text(self, key: str) -> str | None:
        """The template of ``key`` (English when this language lacks it), or ``None``."""
        found = self._strings.get(key)
        return found if found is not None else self._load(FALLBACK).get(key)

    def template(self, key: str, values: Mapping[str, object]) -> str | None:
        """The template of ``key`` for these values: a counted message's form for the count."""
        found = self.text(key)
        if found is not None:
            return found
        count = next((values[name] for name in COUNT_NAMES if name in values), None)
        category = plural_category(self.lang, count)
        return self.text(f"{key}#{category}") or self.text(f"{key}#other")

    def __call__(self, key: str, **values: object) -> str:
        text = self.template(key, values) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return self.text(key) is not None or self.text(f"{key}#other") is not None

    def label(self, prefix: str, value: str | None) -> str:
        """The name of a stored code (``label("language.", "kk")``), or the code itself when the
        catalogue has no name for it (a value added after this release)."""
        text = self.text(f"{prefix}{value or 'und'}")
        return text if text is not None else (value or "—")

    def keys(self) -> list[str]:
        return list(self._strings)
