"""Region names in lists, filters and chart titles: no two regions read the same."""

from __future__ import annotations

import pytest

from birlik.web.routes.pages_common import region_names


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
