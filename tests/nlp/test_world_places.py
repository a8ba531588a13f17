"""World places: countries, world cities and regions in kk/ru/en text."""

from __future__ import annotations

import pytest

from birlik.domain.errors import ConfigError
from birlik.nlp.world_places import WorldPlaceStage
from birlik.resources.gazetteer import load_gazetteer
from birlik.resources.world import gazetteer_names, load_world, name_stems, parse_world


@pytest.fixture(scope="module")
def stage() -> WorldPlaceStage:
    return WorldPlaceStage(load_world())


def found(stage: WorldPlaceStage, text: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.id) for m in stage.find_text(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kk
        ("Делегация Ресейге барды.", [("Ресейге", "iso:RU")]),
        ("Ресейдің сыртқы істер министрі келді.", [("Ресейдің", "iso:RU")]),
        ("Кездесу Мәскеуде өтті.", [("Мәскеуде", "city:ru:moscow")]),
        ("АҚШ-тың елшісі мәлімдеді.", [("АҚШ-тың", "iso:US")]),
        ("Біз Ұлыбританияда оқимыз.", [("Ұлыбританияда", "iso:GB")]),
        ("Шыңжаңдағы қазақтар", [("Шыңжаңдағы", "region:xinjiang")]),
        ("Орталық Азия елдері", [("Орталық Азия", "region:central-asia")]),
        ("Қазақстанда тұрады.", [("Қазақстанда", "iso:KZ")]),
        ("Түркияға сапар", [("Түркияға", "iso:TR")]),
        # ru
        ("Президент России прибыл в Москве.", [("России", "iso:RU"), ("Москве", "city:ru:moscow")]),
        ("Переговоры в Великобритании и США.", [("Великобритании", "iso:GB"), ("США", "iso:US")]),
        ("Он родился в СССР.", [("СССР", "hist:SU")]),
        ("Граница с Республикой Казахстан", [("Республикой Казахстан", "iso:KZ")]),
        ("Рейс из Нью-Йорка в Ташкент", [("Нью-Йорка", "city:us:new-york"),
                                        ("Ташкент", "city:uz:tashkent")]),
        ("Миротворцы в Того и Мали.", [("Того", "iso:TG"), ("Мали", "iso:ML")]),
        ("Президент США Дональд Трамп", [("США", "iso:US")]),
        # en
        ("He flew in from the USA.", [("USA", "iso:US")]),
        ("Talks between the United Kingdom and China", [("United Kingdom", "iso:GB"),
                                                        ("China", "iso:CN")]),
        ("The U.S. and Russia", [("U.S", "iso:US"), ("Russia", "iso:RU")]),
    ],
)
def test_places_are_linked(stage: WorldPlaceStage, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(stage, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "того же самого, мали, чад от костра",  # ordinary words in lower case
        "Того же дня он уехал.",  # "Того" opening a sentence
        "казахстанцы и қазақстандық азаматтар",  # demonyms
        "китайцы, иракцы, россиян",
        "Қытайлар келді, қытайлардың дүкені",  # kk plural: the people, not the country
        "российский, британской, американских, Омской",  # adjectives
        "Russian and Iranian officials",
        "турки приехали",  # the Turks, not Türkiye
        "Түркі халықтары",  # Turkic, not Türkiye
        "let us go; the us of it",  # "US" only in capitals
        "самое главное",
        "1 АҚШ доллары",  # a currency
        "Ресей Премьер-министрі",  # part of a title
    ],
)
def test_homonyms_demonyms_and_adjectives_are_not_places(stage: WorldPlaceStage, text: str) -> None:
    assert found(stage, text) == []


@pytest.mark.parametrize(
    "text", ["Алматы облысы", "Батыс Қазақстан облысы", "Западно-Казахстанская область",
             "в городе Шымкенте", "Астрахан ауданы"],
)
def test_places_in_kazakhstan_are_left_to_the_gazetteer(stage: WorldPlaceStage, text: str) -> None:
    assert found(stage, text) == []


def test_no_form_is_also_a_kazakh_place() -> None:
    kazakh = {name_stems(name) for name in gazetteer_names(load_gazetteer())}
    world = load_world()
    assert not [n for p in world.places for n in p.all_names() if name_stems(n) in kazakh]
    assert "city:ru:astrakhan" not in {place.id for place in world.places}  # Астрахан ауданы


def test_every_city_names_a_known_country_and_ids_are_unique() -> None:
    world = load_world()
    assert world.get("city:ru:moscow").country == "iso:RU"
    assert len({p.id for p in world.places}) == len(world.places)
    assert sum(p.kind == "country" for p in world.places) >= 193


def test_stage_appends_place_mentions(stage: WorldPlaceStage) -> None:
    from birlik.domain.records import Document
    from birlik.domain.text import NormaliseStage, SegmentStage

    docs = [Document(id="1", text="Визит в Пекин и Урумчи.")]
    for step in (NormaliseStage(), SegmentStage(), stage):
        docs = step(docs)
    assert [(m.type, m.id, m.text) for m in docs[0].entities] == [
        ("PLACE", "city:cn:beijing", "Пекин"), ("PLACE", "city:cn:urumqi", "Урумчи")]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("countries: [{id: 'RU', ru: [Россия]}]", "R306"),
        ("countries: [{id: 'iso:RU'}]", "R307"),
        ("cities: [{id: 'city:ru:moscow', country: 'iso:RU', ru: [Москва]}]", "R311"),
        ("countries: [{id: 'iso:RU', ru: [Россия]}, {id: 'iso:RU', ru: [РФ]}]", "R310"),
        ("planets: []", "R303"),
        ("countries: [{id: 'iso:RU', ru: Россия}]", "R309"),
        ("countries: [{id: 'iso:RU', ru: [Россия], colour: red}]", "R305"),
    ],
)
def test_broken_data_is_a_config_error(raw: str, code: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_world(raw, "test.yaml")
    assert error.value.code == code
