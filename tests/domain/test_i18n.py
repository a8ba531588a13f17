"""The message catalogues (web interface, quarterly report): one format, complete in kk, ru and en."""

from __future__ import annotations

import json
import string
from importlib import resources

import pytest

from birlik.domain.errors import ConfigError
from birlik.domain.i18n import LANGUAGES, Catalogue
from birlik.reports.i18n import Texts
from birlik.web.i18n import Translator

CATALOGUES = (Translator, Texts)
CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі")


def _raw(package: str, lang: str) -> dict[str, str]:
    text = resources.files(package).joinpath("locales", f"{lang}.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)
    return data


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("kind", CATALOGUES, ids=lambda kind: kind.package)
def test_every_language_has_the_same_keys_and_placeholders(kind: type[Catalogue]) -> None:
    english = _raw(kind.package, "en")
    for lang in LANGUAGES:
        strings = _raw(kind.package, lang)
        assert set(strings) == set(english), f"{kind.package} {lang}: keys differ from en"
        assert list(strings) == sorted(strings), f"{kind.package} {lang}: keys are not sorted"
        for key, template in strings.items():
            assert template.strip(), f"{kind.package} {lang} {key} is empty"
            assert _fields(template) == _fields(english[key]), f"{kind.package} {lang} {key}"


@pytest.mark.parametrize("kind", CATALOGUES, ids=lambda kind: kind.package)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_kazakh_and_russian_are_translated_not_copied(kind: type[Catalogue], lang: str) -> None:
    english = _raw(kind.package, "en")
    strings = _raw(kind.package, lang)
    translated = [key for key, text in strings.items() if CYRILLIC & set(text.lower())]
    # names, units and formats may stay as they are; nearly every message is in Cyrillic
    assert len(translated) >= 0.9 * len(english), f"{kind.package} {lang}: too few translated"
    if lang == "kk":
        kazakh = [key for key, text in strings.items() if set("әғқңөұүһі") & set(text.lower())]
        assert len(kazakh) >= 0.5 * len(strings), "the Kazakh catalogue reads as Russian"


def test_a_missing_key_falls_back_to_english_then_to_the_key() -> None:
    texts = Texts("kk")
    assert texts("title", quarter="Q") != Texts("en")("title", quarter="Q")
    assert texts("no.such.key") == "no.such.key"
    assert texts.label("status.", "not-a-status") == "not-a-status"
    assert texts.language(None) == "—"


def test_a_catalogue_that_is_not_installed_is_a_coded_error() -> None:
    class Missing(Catalogue):
        package = "birlik.domain"
        missing = Texts.missing

    with pytest.raises(ConfigError) as caught:
        Missing("kk")
    assert caught.value.code == "G004"


def test_a_report_language_outside_the_three_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        Texts("de")
    assert caught.value.code == "G002"
    assert Translator("de").lang == "kk", "the interface reads an unknown language as the default"
