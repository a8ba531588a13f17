"""The message catalogues (web interface, quarterly report): one format, complete in kk, ru and en."""

from __future__ import annotations

import json
import string
from importlib import resources

import pytest

from birlik.domain.errors import ConfigError
from birlik.domain.i18n import LANGUAGES, PLURAL_FORMS, Catalogue, plural_category
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


def _messages(strings: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each message's templates by plural form (``""`` for a message that does not count)."""
    out: dict[str, dict[str, str]] = {}
    for key, template in strings.items():
        base, _, form = key.partition("#")
        out.setdefault(base, {})[form] = template
    return out


@pytest.mark.parametrize("kind", CATALOGUES, ids=lambda kind: kind.package)
def test_every_language_has_the_same_messages_and_placeholders(kind: type[Catalogue]) -> None:
    english = _messages(_raw(kind.package, "en"))
    for lang in LANGUAGES:
        strings = _raw(kind.package, lang)
        assert list(strings) == sorted(strings), f"{kind.package} {lang}: keys are not sorted"
        messages = _messages(strings)
        assert set(messages) == set(english), f"{kind.package} {lang}: messages differ from en"
        for key, forms in messages.items():
            fields = {name for template in english[key].values() for name in _fields(template)}
            if set(forms) != {""}:
                assert "" not in forms and "other" in forms, f"{kind.package} {lang} {key}: a plain form"
                assert set(forms) <= set(PLURAL_FORMS[lang]), f"{kind.package} {lang} {key}: {set(forms)}"
                assert set(forms) in ({"other"}, set(PLURAL_FORMS[lang])), f"{kind.package} {lang} {key}"
            for form, template in forms.items():
                assert template.strip(), f"{kind.package} {lang} {key}#{form} is empty"
                assert _fields(template) == fields, f"{kind.package} {lang} {key}#{form}"


@pytest.mark.parametrize(
    ("lang", "counts"),
    [
        ("ru", {"one": [1, 21, 101, "1\u202f001"], "few": [2, 3, 24, 102],
                "many": [0, 5, 11, 12, 14, 25, 111]}),
        ("kk", {"one": [1], "other": [0, 2, 5, 21]}),
        ("en", {"one": [1], "other": [0, 2, 11, 21, 1.5, "many", None]}),
    ],
)
def test_plural_categories_follow_cldr(lang: str, counts: dict[str, list[object]]) -> None:
    for category, values in counts.items():
        assert [plural_category(lang, value) for value in values] == [category] * len(values), category


def test_a_counted_message_agrees_with_its_number() -> None:
    web = Translator("ru")
    assert web("alerts.reason.regions", n=1) == "+1 регион"
    assert web("alerts.reason.regions", n=3) == "+3 региона"
    assert web("alerts.reason.regions", n=12) == "+12 регионов"
    assert web("search.count.semantic", count="1\u202f021").endswith("из 1\u202f021 документа")
    assert Translator("en")("alerts.reason.regions", n=1) == "+1 region"
    assert Translator("kk")("alerts.reason.regions", n=5) == "+5 өңір", "Kazakh keeps the singular"
    report = Texts("ru")
    assert "(22 респондента," in report("survey_used", name="X", n=22, n_eff="20")
    assert web.has("alerts.reason.regions") and not web.has("alerts.reason.nothing")


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
