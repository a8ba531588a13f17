"""The interface in Kazakh, Russian and English: one JSON catalogue per language in locales/."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from birlik.domain import codes
from birlik.domain.errors import ConfigError

LANGUAGES: tuple[str, ...] = ("kk", "ru", "en")
DEFAULT_LANGUAGE = "kk"
LANG_COOKIE = "birlik_lang"


@cache
def catalogue(lang: str) -> dict[str, str]:
    try:
        raw = resources.files("birlik.web").joinpath("locales", f"{lang}.json").read_text("utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"no interface catalogue for {lang!r} — reinstall birlik", code=codes.W120) from exc
    data = json.loads(raw)
    return {str(key): str(value) for key, value in data.items()}


class Translator:
    """``t("key", name=…)``: the string of the key in this language, formatted."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self._strings = catalogue(self.lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self._strings.get(key) or catalogue("en").get(key, key)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in self._strings or key in catalogue("en")

    def label(self, prefix: str, value: str | None) -> str:
        """The name of a stored code (``label("language.", "kk")``), or the code itself when the
        catalogue has no name for it (an action or language added after this release)."""
        key = f"{prefix}{value or 'und'}"
        text = self._strings.get(key) or catalogue("en").get(key)
        return text if text is not None else (value or "—")


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
