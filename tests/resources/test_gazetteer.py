"""The gazetteer: completeness, structure, lookups and coded errors for a broken file."""

from __future__ import annotations

from importlib import resources

import pytest

from birlik.domain.errors import ConfigError
from birlik.resources.gazetteer import (
    SETTLEMENTS_FILE,
    Place,
    load_gazetteer,
    parse_gazetteer,
    parse_places,
)


def test_twenty_regions_with_2022_borders() -> None:
    regions = {p.kato: p for p in load_gazetteer().regions()}
    assert len(regions) == 20
    for kato, en in [("100000000", "Abai"), ("330000000", "Zhetysu"), ("620000000", "Ulytau"),
                     ("710000000", "Astana"), ("750000000", "Almaty"), ("790000000", "Shymkent")]:
        assert regions[kato].name("en") == en
    assert sum(p.is_city for p in regions.values()) == 3


def test_second_level_units_are_complete_and_consistent() -> None:
    gazetteer = load_gazetteer()
    units = gazetteer.second_level()
    assert len(units) >= 224
    codes = [p.kato for p in gazetteer.places if p.owns_code]
    assert len(codes) == len(set(codes))
    for place in gazetteer.places:
        assert len(place.kato) == 9 and place.kato.isdigit()
        assert place.region_kato in gazetteer
        assert place.parent_kato is None or place.parent_kato in gazetteer
        assert place.names["kk"] and place.names["ru"] and place.names["en"]
    assert sum(len(gazetteer.districts(r.kato)) for r in gazetteer.regions()) == len(units)


@pytest.mark.parametrize(("kato", "region"), [
    ("196600000", "190000000"),   # Uighur district, Almaty region
    ("334600000", "330000000"),   # Panfilov district, Zhetysu
    ("751510000", "750000000"),   # Zhetysu district of Almaty city
    ("750000000", "750000000"),
    ("194030100", "190000000"),   # a settlement code: by its first digits
])
def test_region_of(kato: str, region: str) -> None:
    assert load_gazetteer().region_of(kato) == region


def test_lookups() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer["191000000"].former_names[0] == "Қапшағай"
    assert gazetteer.get("999999999") is None
    assert gazetteer.region_of("999999999") is None
    assert {p.name("ru") for p in gazetteer.localities("314800000")} >= {"Масанчи", "Сортобе"}
    assert load_gazetteer() is gazetteer


@pytest.mark.parametrize("text", [
    "100000000|R|-||Абай|Абай|Abai",                          # a column missing
    "10000000|R|-||Абай|Абай|Abai|",                          # an 8-digit code
    "100000000|X|-||Абай|Абай|Abai|",                         # an unknown level
    "100000000|R|-|z|Абай|Абай|Abai|",                        # an unknown flag
    "103200000|D|-||Абай|Абай|Abai|",                         # a district without parent
    "100000000|R|-||Абай|Абай|Abai|\n100000000|R|-||Абай|Абай|Abai|",  # a duplicate code
    "103200000|D|100000000||Абай|Абай|Abai|",                 # an unknown parent
])
def test_broken_file_raises_a_coded_config_error(text: str) -> None:
    with pytest.raises(ConfigError, match=r"^\[R00\d\] "):
        parse_gazetteer(text)


def _settlements() -> list[Place]:
    text = resources.files("birlik.resources").joinpath("data", SETTLEMENTS_FILE).read_text(
        "utf-8")
    return parse_places(text, SETTLEMENTS_FILE)


def test_settlements_link_to_their_district_and_need_a_head_word() -> None:
    gazetteer = load_gazetteer()
    settlements = _settlements()
    assert len(settlements) >= 100
    assert set(settlements) <= set(gazetteer.places)
    for place in settlements:
        assert place.level == "village" and not place.owns_code
        district = gazetteer[place.kato]
        assert district.level in ("district", "city") and district.parent_kato is not None
        assert place.flags == frozenset("h") and not place.bare_ok
    sarykemer = next(p for p in settlements if "Сарыкемер" in p.names["ru"])
    assert sarykemer.kato == "313600000"  # Байзак ауданы, Жамбыл облысы
    assert sarykemer in gazetteer.localities("313600000")


def test_settlements_repeat_no_hand_checked_name() -> None:
    hand_checked = parse_places(
        resources.files("birlik.resources").joinpath("data", "gazetteer.txt").read_text("utf-8"))
    listed = {name.lower() for place in hand_checked for names in place.names.values()
              for name in names}
    for place in _settlements():
        assert not {n.lower() for names in place.names.values() for n in names} & listed


def test_a_broken_settlements_line_names_its_file() -> None:
    with pytest.raises(ConfigError, match=r"settlements\.txt line 2") as error:
        parse_places("# header\n313600000|V|313600000|h|Сарыкемер\n", SETTLEMENTS_FILE)
    assert error.value.code == "R002"
