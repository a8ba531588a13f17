"""Place linking (places.v1) and document regions (regions.v1): tables of text → KATO."""

from __future__ import annotations

from pathlib import Path

import pytest

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.places import PlaceLinker, PlaceStage
from birlik.nlp.regions import DocumentRegionsStage
from birlik.resources.gazetteer import load_gazetteer

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def linker() -> PlaceLinker:
    return PlaceLinker(load_gazetteer())


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    gazetteer = load_gazetteer()
    return Pipeline([NormaliseStage(), SegmentStage(), PlaceStage(gazetteer),
                     DocumentRegionsStage(gazetteer)])


def links(linker: PlaceLinker, text: str) -> list[tuple[str, str | None]]:
    return [(m.text, m.id) for m in linker.link_text(text)]


@pytest.mark.parametrize(("text", "expected"), [
    # regions vs their cities
    ("Алматы облысында жиын өтті.", [("Алматы облысында", "190000000")]),
    ("В Алматинской области и в Алматы.", [("Алматинской области", "190000000"),
                                          ("Алматы", "750000000")]),
    ("Almaty Region and the city of Almaty.", [("Almaty Region", "190000000"),
                                              ("Almaty", "750000000")]),
    ("Туркестан и Туркестанская область.", [("Туркестан", "611000000"),
                                            ("Туркестанская область", "610000000")]),
    ("Түркістан облысының әкімі", [("Түркістан облысының", "610000000")]),
    ("Turkistan Region, Turkestan", [("Turkistan Region", "610000000"),
                                     ("Turkestan", "611000000")]),
    # inflected forms
    ("Мы были в Семее, Караганде, Астане и Таразе.", [
        ("Семее", "101000000"), ("Караганде", "351000000"), ("Астане", "710000000"),
        ("Таразе", "311000000")]),
    ("Шымкентте, Өскеменнің, Оралда, Қызылордадан", [
        ("Шымкентте", "790000000"), ("Өскеменнің", "631000000"), ("Оралда", "271000000"),
        ("Қызылордадан", "431000000")]),
    ("в Енбекшиказахском районе", [("Енбекшиказахском районе", "194000000")]),
    # transliteration variants and abbreviations
    ("Zhetysu, Zhetisu, Jetisu region", [("Zhetysu", "330000000"), ("Zhetisu", "330000000"),
                                        ("Jetisu region", "330000000")]),
    ("ЗКО, СКО, ВКО и ЮКО", [("ЗКО", "270000000"), ("СКО", "590000000"),
                             ("ВКО", "630000000"), ("ЮКО", "610000000")]),
    # former names
    ("Нур-Султан, Целиноград, Акмолинск", [("Нур-Султан", "710000000"),
                                           ("Целиноград", "710000000"),
                                           ("Акмолинск", "710000000")]),
    ("Семипалатинск, Капшагай, Гурьев, Шевченко", [
        ("Семипалатинск", "101000000"), ("Капшагай", "191000000"), ("Гурьев", "231000000"),
        ("Шевченко", "471000000")]),
    ("Петропавловск, Усть-Каменогорск, Уральск, Джамбул, Чимкент, Кзыл-Орда, Алма-Ата", [
        ("Петропавловск", "591000000"), ("Усть-Каменогорск", "631000000"),
        ("Уральск", "271000000"), ("Джамбул", "311000000"), ("Чимкент", "790000000"),
        ("Кзыл-Орда", "431000000"), ("Алма-Ата", "750000000")]),
    ("Талдыкорган и Конаев", [("Талдыкорган", "331000000"), ("Конаев", "191000000")]),
    # Abai: region, district, poet, street
    ("Абай облысы әкімдігі", [("Абай облысы", "100000000")]),
    ("в области Абай", [("области Абай", "100000000")]),
    ("Абай Құнанбайұлының өлеңдері", []),
    ("Ақын Абай туралы кеш өтті.", []),
    ("Абайдың қара сөздері", []),
    ("на проспекте Абая", []),
    ("Абай Кунанбаев родился в 1845 году.", []),
    ("Қарағанды облысы Абай ауданы", [("Қарағанды облысы", "350000000"),
                                      ("Абай ауданы", "353200000")]),
    ("Абай қаласы", [("Абай", "353200000")]),
    # ethnic words and common words are not places
    ("Ұйғыр театры", []),
    ("Уйгурский театр и Уйгурский район", [("Уйгурский район", "196600000")]),
    ("бірлік пен достық, ақсу", []),
    ("Шет елдерден келгендер.", []),
    ("В Аксу и Экибастузе.", [("Аксу", "551600000"), ("Экибастузе", "552200000")]),
    ("Ақсу ауданында", [("Ақсу ауданында", "333200000")]),
    ("Жамбыл Жабаев", []),
    ("Жамбыл облысы", [("Жамбыл облысы", "310000000")]),
    # lists sharing one plural head
    ("Астана, Алматы, Шымкент қалаларында", [("Астана", "710000000"), ("Алматы", "750000000"),
                                            ("Шымкент", "790000000")]),
    ("Алматы мен Жамбыл облыстарында", [("Алматы", "190000000"),
                                         ("Жамбыл облыстарында", "310000000")]),
    ("в Алматинской и Жамбылской областях", [("Алматинской", "190000000"),
                                             ("Жамбылской областях", "310000000")]),
    # villages and the district by context
    ("Масанчи Кордайского района", [("Масанчи", "314800000"),
                                    ("Кордайского района", "314800000")]),
    ("Павлодар облысы Ақтоғай ауданы", [("Павлодар облысы", "550000000"),
                                        ("Ақтоғай ауданы", "553200000")]),
    ("АСТАНА. KAZINFORM", [("АСТАНА", "710000000")]),
    # settlements (settlements.txt): a place with its head word, before or after it
    ("В селе Сарыкемер прошёл сход.", [("Сарыкемер", "313600000")]),
    ("Сарыкемер ауылында жиын өтті.", [("Сарыкемер", "313600000")]),
    ("в посёлке Доссор и в поселке Жетыбай", [("Доссор", "235200000"),
                                              ("Жетыбай", "474200000")]),
    ("Сарыкемер — красивое место.", []),
    ("Қоғам белсенділері мен Бірлестік мүшелері", []),
])
def test_place_links(linker: PlaceLinker, text: str, expected: list[tuple[str, str]]) -> None:
    assert links(linker, text) == expected


def test_mentions_point_into_the_original_text(pipeline: Pipeline) -> None:
    doc = Document(id="1", text="«Алматы облысының» тұрғындары Шымкентке барды.")
    pipeline([doc])
    assert [(doc.text[m.start:m.end], m.type) for m in doc.entities] == [
        ("Алматы облысының", "PLACE"), ("Шымкентке", "PLACE")]


def test_seed_concept_regions_and_districts(linker: PlaceLinker) -> None:
    seeds = sorted(SEEDS.glob("002_*.txt"))
    if not seeds:
        pytest.skip("seed 002 not present")
    found = {m.id for m in linker.link_text(seeds[0].read_text(encoding="utf-8"))}
    assert {"190000000", "310000000", "330000000", "610000000"} <= found
    assert {"194000000", "196600000", "314800000", "334600000", "615200000"} <= found


def regions_of(pipeline: Pipeline, text: str, title: str | None = None) -> list[str]:
    doc = Document(id="1", text=text, title=title)
    pipeline([doc])
    return [r.kato for r in doc.regions]


def test_short_document_keeps_every_region(pipeline: Pipeline) -> None:
    text = "Жители Кордайского района и Шымкента встретились в Таразе."
    assert set(regions_of(pipeline, text)) == {"310000000", "790000000"}


def test_dateline_counts_less(pipeline: Pipeline) -> None:
    text = "АСТАНА. KAZINFORM — В Туркестанской области открыли дом дружбы. " * 1
    assert regions_of(pipeline, text) == ["610000000", "710000000"]


def test_long_document_drops_a_passing_region(pipeline: Pipeline) -> None:
    body = " ".join(["В Кордайском районе Жамбылской области прошла встреча жителей."] * 12)
    text = body + " Похожая встреча была раньше в Павлодаре. " + "Обсуждали планы. " * 80
    assert regions_of(pipeline, text) == ["310000000"]


def test_title_weighs_more(pipeline: Pipeline) -> None:
    text = "Встреча прошла в Актау. Гости обсудили планы."
    regions = regions_of(pipeline, text, title="Ұйғыр ауданында жастар форумы")
    assert regions == ["190000000", "470000000"]


def test_regions_are_sorted_with_confidence(pipeline: Pipeline) -> None:
    doc = Document(id="1", text="Шымкентте және Шымкентте, Таразда кездесу.")
    pipeline([doc])
    assert [r.kato for r in doc.regions] == ["790000000", "310000000"]
    assert all(0 < r.confidence <= 1 for r in doc.regions)
    assert doc.regions[0].confidence > doc.regions[1].confidence
