"""Names in lists, filters, chart titles and messages: no two regions read the same, and an
ethnic group has one name per language."""

from __future__ import annotations

import pytest

from birlik.query.search_results import group_names
from birlik.web.i18n import Translator
from birlik.web.messages import metric_name
from birlik.web.routes.pages_common import ethnic_choices, region_names


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_no_two_regions_share_a_name(lang: str) -> None:
    names = region_names(lang)
    assert len(names) == 20
    assert len(set(names.values())) == len(names), sorted(names.values())
    assert names["190000000"] != names["750000000"]  # Almaty Region, the city of Almaty


def test_the_city_and_the_region_say_which_they_are() -> None:
    assert region_names("ru")["750000000"] == "г. Алматы"
    assert region_names("kk")["190000000"] == "Алматы обл."
    assert region_names("en")["110000000"] == "Akmola"


@pytest.mark.parametrize(("lang", "name"), [("kk", "Ұйғыр"), ("ru", "Уйгур"), ("en", "Uyghurs")])
def test_an_ethnic_group_is_named_in_the_readers_language_everywhere(lang: str, name: str) -> None:
    """The search filter, the export, an alert's metric (page and e-mail) and the report use one
    name per language."""
    assert dict(ethnic_choices(lang))["uyghur"] == name
    assert group_names(lang)["uyghur"] == name
    assert name in metric_name(Translator(lang), "ethnic:uyghur")
