"""Russian NER stage: a table of sentences → expected entities, exact offsets."""

from __future__ import annotations

import pytest

from birlik.domain.records import Document
from birlik.nlp.ner_ru import NerSpan, RussianNer, RussianNerStage, adapt_span, clean_spans

pytest.importorskip("slovnet", reason="natasha is not installed")


@pytest.fixture(scope="session")
def russian_ner() -> RussianNer:
    return RussianNer.load()


@pytest.fixture(scope="session")
def stage(russian_ner: RussianNer) -> RussianNerStage:
    return RussianNerStage(russian_ner)


def run(stage: RussianNerStage, text: str, lang: str = "ru", langs: list[str] | None = None
        ) -> set[tuple[str, str]]:
    doc = Document(id="d1", text=text, lang=lang, langs=langs if langs is not None else [lang])
    (doc,) = stage([doc])
    for mention in doc.entities:
        assert doc.text[mention.start : mention.end] == mention.text
        assert mention.id is None
    return {(mention.type, mention.text) for mention in doc.entities}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Глава государства Касым-Жомарт Токаев выступил на сессии Ассамблеи народа "
            "Казахстана в Астане.",
            # the place inside an organisation's name is a PLACE as well
            {("PERSON", "Касым-Жомарт Токаев"), ("ORG", "Ассамблеи народа Казахстана"),
             ("PLACE", "Казахстана"), ("PLACE", "Астане")},
        ),
        (
            "В Алматы прошёл фестиваль культур этнокультурных объединений.",
            {("PLACE", "Алматы")},
        ),
        (
            "Аким Жамбылской области Ербол Карашукеев встретился с жителями Кордайского района.",
            {("PLACE", "Жамбылской области"), ("PERSON", "Ербол Карашукеев"),
             ("PLACE", "Кордайского района")},
        ),
        (
            "Президент Касым-Жомарт Токаев подписал указ.",
            {("PERSON", "Касым-Жомарт Токаев")},  # the title is not part of the name
        ),
        (
            "Министерство информации и общественного развития Республики Казахстан "
            "провело брифинг в Шымкенте.",
            {("ORG", "Министерство информации и общественного развития Республики Казахстан"),
             ("PLACE", "Республики Казахстан"), ("PLACE", "Шымкенте")},
        ),
        (
            "Аким Жамбылской области встретился с жителями Кордайского района.",
            {("PLACE", "Жамбылской области"), ("PLACE", "Кордайского района")},
        ),
        ("Погода сегодня тёплая, ветер слабый.", set()),
    ],
)
def test_russian_entities(stage: RussianNerStage, text: str, expected: set[tuple[str, str]]
                          ) -> None:
    assert run(stage, text) == expected


def test_kazakh_documents_are_ignored(stage: RussianNerStage) -> None:
    text = ("Қасым-Жомарт Тоқаев Алматы қаласында Қазақстан халқы Ассамблеясының "
            "сессиясында сөйледі.")
    assert run(stage, text, lang="kk") == set()


def test_mixed_document_tags_only_russian_sentences(stage: RussianNerStage) -> None:
    text = ("Тоқаев Алматыда сөз сөйледі. "
            "В Караганде открылся дом дружбы.")
    found = run(stage, text, lang="kk", langs=["kk", "ru"])
    assert found == {("PLACE", "Караганде")}


def test_offsets_are_exact_in_long_documents(stage: RussianNerStage) -> None:
    paragraph = "Депутат Мажилиса Ирина Смирнова посетила Павлодар.\n"
    text = "  " + paragraph * 80  # ~4,000 characters: several chunks
    doc = Document(id="d2", text=text, lang="ru", langs=["ru"])
    (doc,) = stage([doc])
    places = [m for m in doc.entities if m.type == "PLACE"]
    assert len(places) == 80
    assert all(text[m.start : m.end] == "Павлодар" for m in places)


def test_names_do_not_run_across_lines(stage: RussianNerStage) -> None:
    found = run(stage, "Ерлан Карин\nПресс-конференция")
    assert ("PERSON", "Ерлан Карин") in found


def test_clean_spans_splits_brackets_and_trims() -> None:
    text = "Шону Комбсу (Diddy) — "
    spans = list(clean_spans(text, [NerSpan(0, 21, "PER")]))
    assert [text[s.start : s.end] for s in spans] == ["Шону Комбсу", "Diddy"]


def test_clean_spans_drops_buildings() -> None:
    text = "на Кунцевском кладбище"
    assert list(clean_spans(text, [NerSpan(3, 22, "LOC")])) == []


def test_adapt_span_maps_types() -> None:
    doc = Document(id="d", text="xx Алматы", lang="ru")
    mention = adapt_span(NerSpan(0, 6, "LOC"), 3, doc)
    assert mention is not None
    assert (mention.type, mention.start, mention.end, mention.text) == ("PLACE", 3, 9, "Алматы")
    assert adapt_span(NerSpan(0, 6, "MISC"), 3, doc) is None


def test_same_tags_as_slovnet(russian_ner: RussianNer) -> None:
    """Our forward pass over the shipped weights agrees with slovnet's own."""
    import importlib

    from birlik.nlp.ner_ru import _natasha_dir

    navec = importlib.import_module("navec").Navec.load(
        str(_natasha_dir() / "data/emb/navec_news_v1_1B_250K_300d_100q.tar"))
    slovnet = importlib.import_module("slovnet").NER.load(
        str(_natasha_dir() / "data/model/slovnet_ner_news_v1.tar"))
    slovnet.navec(navec)
    texts = [
        "Вчера в Астане глава МИД Мурат Нуртлеу принял посла Германии.",
        "По данным агентства «Казинформ», в Усть-Каменогорске открылся центр.",
    ]
    ours = russian_ner.tag(texts)
    for text, spans in zip(texts, ours, strict=True):
        theirs = [(s.start, s.stop, s.type) for s in slovnet(text).spans]
        assert [(s.start, s.end, s.label) for s in spans] == theirs


def test_a_shouted_word_opening_a_post_is_not_an_organisation() -> None:
    from birlik.nlp.ner_ru import NerSpan, clean_spans

    text = "СРОЧНО!!! Кордай, сегодня ночью."
    spans = list(clean_spans(text, [NerSpan(0, 6, "ORG"), NerSpan(10, 16, "LOC")]))
    assert [text[s.start : s.end] for s in spans] == ["Кордай"]
