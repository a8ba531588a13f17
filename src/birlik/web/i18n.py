"""The interface in Kazakh, Russian and English: the catalogue ``web/locales/<lang>.json``
(the format is ``birlik.domain.i18n``'s, shared with the report)."""

from __future__ import annotations

from markupsafe import Markup, escape

from birlik.domain import codes
from birlik.domain.i18n import LANGUAGES, Catalogue

DEFAULT_LANGUAGE = "kk"
LANG_COOKIE = "birlik_lang"

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "LANG_COOKIE", "Translator", "catalogue", "choose_language"]


def catalogue(lang: str) -> dict[str, str]:
    """The interface's strings in ``lang`` (the JSON file ``web/locales/<lang>.json``)."""
    return Translator._load(lang)


class Translator(Catalogue):
    """``t("key", name=…)``: the interface's string of the key in this language, formatted.
    An unknown language is read as the default one."""

    package = "birlik.web"
    missing = codes.W120

    def __init__(self, lang: str) -> None:
        super().__init__(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)

    def code(self, key: str, **values: object) -> Markup:
        """The string with each value set as ``<code>`` (a command, a path, a column name):
        technical words stay as they are typed, in every language, and are marked as such."""
        coded = {name: Markup("<code>{}</code>").format(value) for name, value in values.items()}
        return Markup(escape(self.text(key) or key).format(**coded))


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return str(cookie)
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
