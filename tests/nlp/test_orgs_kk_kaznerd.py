"""Kazakh organisations as KazNERD annotates them (issue 17): a lower-case common noun is no
organisation, an organisation before the head of a person's title is part of that title, and a
quoted name before a described head («Ақжарма» фольклорлық ансамблі) is one; a name that
describes a body and ends with its head (Қаржы нарқын реттеу агенттігі) is one, and a quoted
name of a project, book or building is none."""

from __future__ import annotations

import pytest

from birlik.domain.records import Document, Mention
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.entities import quoted_organisations, without_unnamed_organisations
from birlik.nlp.orgs import OrgStage
from birlik.nlp.orgs_kk import (
    described_organisations,
    organisations_ending_at_their_head,
    without_quoted_non_organisations,
)
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


def _span(text: str, part: str, entity_type: str, entity_id: str | None = None) -> Mention:
    start = text.index(part)
    return Mention(start=start, end=start + len(part), text=part, type=entity_type, id=entity_id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Былтыр оны Қаржы нарқын реттеу және дамыту агенттігінің өкілі тексерді.",
         ["Қаржы нарқын реттеу және дамыту агенттігінің"]),
        ("Жиынға Халықаралық сауда орталықтары қауымдастығы мен банктер келді.",
         ["Халықаралық сауда орталықтары қауымдастығы"]),
        ("Істі Павлодар облыстық Экономикалық тергеу департаменті қолға алды.",
         ["Павлодар облыстық Экономикалық тергеу департаменті"]),
        ("Інісі Қазақтың спорт және туризм академиясын бітірді.",
         ["Қазақтың спорт және туризм академиясын"]),
        ("Биыл Ұлттық ғылым академиясы жаңа зертхана ашты.", ["Ұлттық ғылым академиясы"]),
        # the first word of a sentence may be any word: no name begins there
        ("Жаңа сауда орталығы ашылды.", []),
        # a place in a case of its own, or a genitive right before the head, is no name
        ("Ертең Алматыда сауда орталығы ашылады.", []),
        ("Оны кейін Американың компаниясы сатып алды.", []),
        # no capitalised word before the head, or punctuation between
        ("Ол кеше сауда орталығына барды.", []),
        ("Ол Астана, сауда орталығына барды.", []),
        # the head opens a person's title: KazNERD tags the title as a whole
        ("Кеше Ұлттық ғылым академиясының президенті сөйледі.", []),
        # a plural or an upper-case head is no head; a Latin name is left to the model
        ("Біз Ұлттық ғылым академияларына бардық.", []),
        ("Біз Nest Investments Holdings компаниясын білеміз.", []),
    ],
)
def test_described_organisations(text: str, expected: list[str]) -> None:
    assert [m.text for m in described_organisations(text, [])] == expected


def test_described_organisations_take_the_place_inside_and_keep_an_id() -> None:
    text = "Істі Павлодар облыстық Экономикалық тергеу департаменті қолға алды."
    place = _span(text, "Павлодар", "PLACE", "550000000")
    found = described_organisations(text, [place])
    assert [(m.text, m.type) for m in found] == [
        ("Павлодар облыстық Экономикалық тергеу департаменті", "ORG")]
    text = "Бүгін Ұлттық банкі мәлімдеді."
    registry = _span(text, "Ұлттық банк", "ORG", "national_bank")
    found = described_organisations(text, [registry])
    assert [(m.text, m.id) for m in found] == [("Ұлттық банкі", "national_bank")]


def test_described_organisations_leave_the_model_start_and_crossing_spans() -> None:
    text = "Ал Еуразия ұлттық университеті лагерь ашты."
    model = _span(text, "Еуразия ұлттық университеті", "ORG")
    assert described_organisations(text, [model]) == [model]
    text = "Біз Ұлттық банкі Алматы филиалында болдық."
    crossing = _span(text, "банкі Алматы", "PLACE")
    assert described_organisations(text, [crossing]) == [crossing]


@pytest.mark.parametrize(
    ("text", "name", "dropped"),
    [
        ("Павлодарда « Цифрлық Қазақстан » жобасы аясында жұмыс жүр.", "Цифрлық Қазақстан", True),
        ("Енді « Цифрлы Қазақстан » деген бағдарлама бар.", "Цифрлы Қазақстан", True),
        ("Ол « Менің атым – Қожа » деген кітабын аударды.", "Менің атым – Қожа", True),
        ("« Эгалите » тұрғын үй кешенінің тұрғындары шағымданды.", "Эгалите", True),
        ("Оқушы « Жас ғалым » олимпиадасында жүлде алды.", "Жас ғалым", True),
        ("Ағасы ескі « Газ » жүк көлігін жөндеді.", "Газ", True),
        ("« Рухани жаңғыру » бағдарламасы мен « Жасыл ел » акциясы", "Жасыл ел", True),
        ("Мәжіліс « Білім туралы » заңын қабылдады.", "Білім туралы", True),
        # the word for an organisation, or none at all, after the quote: the ORG stands
        ("« ҚазАгроға » қатысты түбегейлі шаралар қабылдау керек.", "ҚазАгроға", False),
        ("« Нұр Отан » партиясы съезін өткізді.", "Нұр Отан", False),
        ("« Нұр Отан » мемлекеттік басқару жүйесі үшін маман дайындайды.", "Нұр Отан", False),
        ("« Қазақстан темір жолының » қаржылық бағыттары өзгерді.",
         "Қазақстан темір жолының", False),
    ],
)
def test_quoted_names_of_other_things(text: str, name: str, dropped: bool) -> None:
    org = _span(text, name, "ORG")
    kept = without_quoted_non_organisations(text, [org])
    assert (kept == []) is dropped
    registry = _span(text, name, "ORG", "registry")
    assert without_quoted_non_organisations(text, [registry]) == [registry]


@pytest.mark.parametrize(
    ("text", "model_org", "expected"),
    [
        ("Сыртқы істер министрлігі Қытай аумағындағы азаматтармен байланыста.",
         "Сыртқы істер министрлігі Қытай", "Сыртқы істер министрлігі"),
        ("Олар Ұлттық банктің базасына шағын қаржы ұйымы ретінде тіркеледі.",
         "Ұлттық банктің базасына шағын қаржы ұйымы", "Ұлттық банктің"),
        # the head is the last word: nothing to cut
        ("Еуразия ұлттық университеті лагерь ашты.", "Еуразия ұлттық университеті",
         "Еуразия ұлттық университеті"),
        ("Ол Назарбаев Зияткерлік мектебінде оқиды.", "Назарбаев Зияткерлік мектебінде",
         "Назарбаев Зияткерлік мектебінде"),
    ],
)
def test_organisations_end_at_their_head(text: str, model_org: str, expected: str) -> None:
    found = organisations_ending_at_their_head(text, [_span(text, model_org, "ORG")])
    assert [m.text for m in found] == [expected]
    registry = _span(text, model_org, "ORG", "registry")
    assert organisations_ending_at_their_head(text, [registry]) == [registry]
