from __future__ import annotations

from pathlib import Path

import pytest

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.ethnic import LANGUAGE_CONFIDENCE, EthnicStage
from birlik.nlp.pipeline import Pipeline
from birlik.resources.ethnic import load_ethnic_groups

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline([NormaliseStage(), SegmentStage(), EthnicStage(load_ethnic_groups())])


def analyse(pipeline: Pipeline, text: str, lang: str | None = None) -> Document:
    return pipeline([Document(id="t", text=text, lang=lang)])[0]


def found(pipeline: Pipeline, text: str, lang: str | None = None) -> list[tuple[str, str, bool]]:
    doc = analyse(pipeline, text, lang)
    return [(m.text, m.id or "", m.derogatory) for m in doc.entities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # kk
        ("Алматыдағы ұйғырлардың мәдени орталығы", [("ұйғырлардың", "uyghur", False)]),
        ("Ассамблея корейлерге алғыс айтты", [("корейлерге", "korean", False)]),
        ("Ақмола облысындағы немістер", [("немістер", "german", False)]),
        ("Қазақтар мен орыстар бірге тұрады", [("Қазақтар", "kazakh", False),
                                               ("орыстар", "russian", False)]),
        ("түріктердің және түрікмендердің", [("түріктердің", "turk", False),
                                             ("түрікмендердің", "turkmen", False)]),
        ("дүнген, тәжік және күрд жастары", [("дүнген", "dungan", False),
                                             ("тәжік", "tajik", False), ("күрд", "kurd", False)]),
        ("ахыска түріктері", [("ахыска түріктері", "meskhetian_turk", False)]),
        ("шешен халқының тарихы", [("шешен", "chechen", False)]),
        ("шешендер мен ингуштар", [("шешендер", "chechen", False), ("ингуштар", "ingush", False)]),
        ("Қытай халқы және қытайлар", [("Қытай", "chinese", False),
                                       ("қытайлар", "chinese", False)]),
        ("шала қазақтар", [("шала қазақтар", "kazakh", True)]),
        # ru
        ("Встреча с уйгурами", [("уйгурами", "uyghur", False)]),
        ("представители узбекской диаспоры", [("узбекской", "uzbek", False)]),
        ("немецкий этнос и корейская диаспора", [("немецкий", "german", False),
                                                 ("корейская", "korean", False)]),
        ("казахи, русские, украинцы и белорусы", [("казахи", "kazakh", False),
                                                  ("русские", "russian", False),
                                                  ("украинцы", "ukrainian", False),
                                                  ("белорусы", "belarusian", False)]),
        ("казашка и кореянка", [("казашка", "kazakh", False), ("кореянка", "korean", False)]),
        ("турки-месхетинцы и крымских татар", [("турки-месхетинцы", "meskhetian_turk", False),
                                               ("крымских татар", "crimean_tatar", False)]),
        ("русско-казахский словарь", [("русско", "russian", False),
                                      ("казахский", "kazakh", False)]),
        ("корё сарам в Уштобе", [("корё сарам", "korean", False)]),
        ("уральские казаки", [("казаки", "cossack", False)]),
        ("кавказцы и славяне", [("кавказцы", "caucasian_peoples", False),
                                ("славяне", "slavic_peoples", False)]),
        # ru slurs
        ("понаехали чурки", [("чурки", "central_asian_peoples", True)]),
        ("бей жидов", [("жидов", "jewish", True)]),
        ("эти хохлы и кацапы", [("хохлы", "ukrainian", True), ("кацапы", "russian", True)]),
        ("калбиты и китаёзы", [("калбиты", "kazakh", True), ("китаёзы", "chinese", True)]),
        ("лиц кавказской национальности", [("лиц кавказской национальности",
                                            "caucasian_peoples", True)]),
        # en
        ("Kazakhstan's Korean community", [("Korean", "korean", False)]),
        ("Uighurs and Uyghurs, Kazakhs and Russians", [("Uighurs", "uyghur", False),
                                                       ("Uyghurs", "uyghur", False),
                                                       ("Kazakhs", "kazakh", False),
                                                       ("Russians", "russian", False)]),
        ("the Polish minority and Meskhetian Turks", [("Polish", "polish", False),
                                                      ("Meskhetian Turks", "meskhetian_turk",
                                                       False)]),
        ("Koryo-saram families", [("Koryo-saram", "korean", False)]),
    ],
)
def test_mentions(pipeline: Pipeline, text: str, expected: list[tuple[str, str, bool]]) -> None:
    assert found(pipeline, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Қазақстан Республикасы", "Казахстан и казахстанцы", "Kazakhstan and Kazakhstanis",
        "қазақстандықтар", "казахстанский", "Қазақстандағы", "Украина и Украине", "Корея, Кореи",
        "Түркия", "Авария на трассе, аварийный", "Мария и Марина", "лезгинка", "құрды",
        "қарашада", "шешен сөйлеу", "шешендік өнер", "Қытай Халық Республикасы", "Қытайда",
        "Әзербайжан Республикасы", "русскоязычные", "орыстілді", "Руслан", "polish the shoes",
        "ресейлік", "Хохлов", "Азер Мамедов", "министр Поляков и г-н Татаринов",
        "известного комика", "в комитете", "под Славянском, в Славянске",
    ],
)
def test_not_ethnic(pipeline: Pipeline, text: str) -> None:
    assert found(pipeline, text) == []


@pytest.mark.parametrize(
    ("text", "span"),
    [("русский язык", "русский"), ("орыс тілінде", "орыс"), ("қазақша сөйлеу", "қазақша"),
     ("говорить по-русски", "русски"), ("the Kazakh language", "Kazakh")],
)
def test_language_mentions_have_lower_confidence(pipeline: Pipeline, text: str, span: str) -> None:
    (mention,) = analyse(pipeline, text).entities
    assert mention.text == span
    assert mention.confidence == LANGUAGE_CONFIDENCE


def test_mentions_are_well_formed(pipeline: Pipeline) -> None:
    doc = analyse(pipeline, "Сегодня уйгуры и дунгане. Бүгін ұйғырлар.")
    assert [m.type for m in doc.entities] == ["ETHNIC_GROUP"] * 3
    for mention in doc.entities:
        assert doc.text[mention.start : mention.end] == mention.text
    assert doc.entities[0].as_json()["id"] == "uyghur"


def test_cossacks_and_kazakhs_by_document_language(pipeline: Pipeline) -> None:
    assert found(pipeline, "казактар", lang="kk") == [("казактар", "kazakh", False)]
    assert found(pipeline, "казаки", lang="ru") == [("казаки", "cossack", False)]


def test_appends_to_existing_entities(pipeline: Pipeline) -> None:
    doc = Document(id="t", text="уйгуры")
    doc.entities.extend(analyse(pipeline, "казахи").entities)
    pipeline([doc])
    assert [m.id for m in doc.entities] == ["kazakh", "uyghur"]


def test_stage_contract() -> None:
    stage = EthnicStage(load_ethnic_groups())
    assert stage.name == "ethnic.v1"
    assert stage.requires == {"tokens"}
    assert stage.provides == {"entities.ethnic"}
    assert stage([]) == []


def test_concept_seed_names_the_diasporas(pipeline: Pipeline) -> None:
    paths = sorted(SEEDS.glob("002_*.txt"))
    if not paths:
        pytest.skip("../shared/seeds/002_*.txt is not present")
    doc = analyse(pipeline, paths[0].read_text(encoding="utf-8"))
    ids = {m.id for m in doc.entities}
    assert ids >= {"german", "korean", "uzbek", "ukrainian", "polish", "turk", "kurd", "uyghur"}
    assert not any(m.text.lower().startswith("қазақстан") for m in doc.entities)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Во вторую Францию пускают только для Узбеков", [("Узбеков", "uzbek", False)]),
        ("А там вообще Узбеков, Таджиков полно",
         [("Узбеков", "uzbek", False), ("Таджиков", "tajik", False)]),
        ("ребята давайте вместе ДОЛОЙ КАЗАХОВ", [("КАЗАХОВ", "kazakh", False)]),
    ],
)
def test_genitive_plural_is_a_people_not_a_surname(
    pipeline: Pipeline, text: str, expected: list[tuple[str, str, bool]]
) -> None:
    assert found(pipeline, text, lang="ru") == expected


@pytest.mark.parametrize(
    "text", ["Вчера выступил Поляков", "Мы видели Сергея и Казакова", "Поговори с Узбековым"],
)
def test_surnames_stay_surnames(pipeline: Pipeline, text: str) -> None:
    assert found(pipeline, text, lang="ru") == []


@pytest.mark.parametrize(
    ("text", "group"),
    [("опять таджыки приехали", "tajik"), ("убийство оборзевшего кауказца", "caucasian_peoples"),
     ("Рускую девушку обидели", "russian"), ("про руских так не говорят", "russian")],
)
def test_one_letter_misspellings(pipeline: Pipeline, text: str, group: str) -> None:
    assert [m.id for m in analyse(pipeline, text, lang="ru").entities] == [group]


@pytest.mark.parametrize(
    "text",
    [
        "тренер Венгер ушёл из клуба",  # a capitalised name inside a sentence
        "про москальские шутки",  # a suffix added, not a typo
        "эта украишка опять",  # a diminutive, not a typo
        "таджыки опять приехали",  # misspellings are read in Russian documents only
        "Белорусия и Казахстан",  # a country, not a people
    ],
)
def test_not_misspellings(pipeline: Pipeline, text: str) -> None:
    lang = None if text.startswith("таджыки") else "ru"
    assert found(pipeline, text, lang=lang) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an ambiguous plural ("хохлы" is also tufts) counts in its oblique cases too
        ("у хохлов опять всё плохо", [("хохлов", "ukrainian", True)]),
        ("скажи это хохлам", [("хохлам", "ukrainian", True)]),
        ("Не смейтесь над индусами", [("индусами", "indian", False)]),
        ("почему англосаксов так ненавидят", [("англосаксов", "english", False)]),
        ("на шпагах прибалтов втащили", [("прибалтов", "baltic_peoples", False)]),
        ("каклы опять за своё", [("каклы", "ukrainian", True)]),
        ("у дагов своя культура", [("дагов", "dagestani_peoples", True)]),
    ],
)
def test_informal_russian_names(
    pipeline: Pipeline, text: str, expected: list[tuple[str, str, bool]]
) -> None:
    assert found(pipeline, text, lang="ru") == expected


@pytest.mark.parametrize("text", ["хохлатые птицы", "Вчера Хохлов забил гол", "с Хохловым"])
def test_oblique_plurals_need_lower_case(pipeline: Pipeline, text: str) -> None:
    assert found(pipeline, text, lang="ru") == []


def test_the_slur_for_the_country_is_not_the_people(pipeline: Pipeline) -> None:
    assert found(pipeline, "пидорахи опять", lang="ru") == [("пидорахи", "russian", True)]
    assert found(pipeline, "живу в пидорахии", lang="ru") == []
