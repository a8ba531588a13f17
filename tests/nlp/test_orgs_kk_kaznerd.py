"""Kazakh organisations as KazNERD annotates them (issue 17): a lower-case common noun is no
organisation, an organisation before the head of a person's title is part of that title, and a
quoted name before a described head («Ақжарма» фольклорлық ансамблі) is one."""

from __future__ import annotations

import pytest

from birlik.domain.records import Document, Mention
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.entities import quoted_organisations, without_unnamed_organisations
from birlik.nlp.orgs import OrgStage
from birlik.resources.organisations import load_organisations

STAGES = [NormaliseStage(), SegmentStage(), OrgStage(load_organisations())]


def registry_orgs(text: str, lang: str = "kk") -> list[tuple[str, str | None]]:
    docs = [Document(id="1", text=text, lang=lang)]
    for stage in STAGES:
        docs = stage(docs)
    return [(m.text, m.id) for m in docs[0].entities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Үкімет басшысы Асқар Мамин ескертті.", []),
        ("Үкімет басшысының орынбасары келді.", []),
        ("Мәжіліс төрағасы Нұрлан Нығматулин сөйледі.", []),
        ("Сенат спикері мәлімдеді.", []),
        ("Мәжіліс депутаттары заңды қабылдады.", [("Мәжіліс", "parliament")]),
        ("Үкімет отырысында талқыланды.", [("Үкімет", "government")]),
        # the Assembly stays linked inside a title: the monitoring counts it
        ("ҚХА Төрағасының орынбасары келді.", [("ҚХА", "apk")]),
        ("Кейуана қалалық әкімдікке де арызданды.", []),
        ("Жергілікті әкімдіктен рұқсат алды.", []),
    ],
)
def test_kazakh_registry_organisations(text: str, expected: list[tuple[str, str]]) -> None:
    assert registry_orgs(text) == expected


def test_russian_documents_keep_their_organisations() -> None:
    assert registry_orgs("акимат выделил средства", lang="ru") == [("акимат", "akimat")]


def _mention(text: str, part: str) -> Mention:
    start = text.index(part)
    return Mention(start=start, end=start + len(part), text=part, type="ORG")


@pytest.mark.parametrize(
    ("text", "model_org", "kept"),
    [
        ("Бүкіл медициналық ұйымдарда карантин басталады.", "медициналық ұйымдарда", False),
        ("Спорт және туризм академиясының жаттықтырушысы шеттетілді.",
         "Спорт және туризм академиясының", False),
        ("Гарвард университеті шақырту жіберіпті.", "Гарвард университеті", True),
        ("ТМД Парламентаралық ассамблеясының өкілдері келді.",
         "ТМД Парламентаралық ассамблеясының", True),
    ],
)
def test_model_organisations(text: str, model_org: str, kept: bool) -> None:
    mention = _mention(text, model_org)
    assert (without_unnamed_organisations(text, [mention]) == [mention]) is kept


@pytest.mark.parametrize(
    ("text", "kazakh", "expected"),
    [
        ("« Ақжарма » фольклорлық ансамблі мен « Жорға » халықтық би ансамбльдері келді",
         True, ["Ақжарма", "Жорға"]),
        ("« Жаркент » орман шаруашылығы мекемесінің қызметкерлері", True, ["Жаркент"]),
        ("« СКАТ » әуекомпаниясына қарасты лайнер", True, ["СКАТ"]),
        ("« Алтын дала » ЖШС қызметкері", True, ["Алтын дала"]),
        # the head opens a person's title: KazNERD tags the title as a whole
        ("« Генералдар кеңесі » қоғамдық бірлестігінің төрағасы келді", True, []),
        ("« Алтын дала » ЖШС директоры", True, []),
        # no head, or a word that only begins like one
        ("« Алтын дала » шағынауданына жақын жерде", True, []),
        ("« Қыс-2019 » республикалық командалық-штабтық оқу-жаттығулар", True, []),
        ("« Цифрлық Қазақстан » жобасы аясында", True, []),
        # the described head is a Kazakh compound: Russian text keeps the strict rule
        ("« Ақжарма » фольклорлық ансамблі", False, []),
    ],
)
def test_quoted_names_before_a_described_head(text: str, kazakh: bool,
                                              expected: list[str]) -> None:
    found = quoted_organisations(text, [], kazakh=kazakh)
    assert [m.text for m in found if m.type == "ORG"] == expected
