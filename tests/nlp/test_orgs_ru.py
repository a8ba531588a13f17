"""Russian organisations of the whole entity pipeline (issue 17, items 2 and 6): bodies named by
a common noun, units of an organisation, names that are no organisation, shouted words and
hashtags. Each row: text, entities that must be there ``(type, text, id)`` (``id`` ``...`` when
any id will do) and ``(type, text)`` pairs that must not be."""

from __future__ import annotations

from typing import Any

import pytest

from birlik.domain.records import Document, Mention
from birlik.nlp.factory import entity_stages
from birlik.nlp.orgs_ru import russian_organisations
from birlik.nlp.pipeline import Pipeline
from birlik.settings import Settings


@pytest.fixture(scope="module")
def entities() -> Pipeline:
    return Pipeline(entity_stages(Settings()))


def run(pipeline: Pipeline, text: str, lang: str = "ru") -> list[Mention]:
    return pipeline([Document(id="1", text=text, lang=lang)])[0].entities


COMMON_NOUNS = [
    pytest.param("Правительство России одобрило законопроект.",
                 [("ORG", "Правительство России", None), ("PLACE", "России", ...)], [],
                 id="government-with-its-country"),
    pytest.param("Вчера британская полиция задержала двух человек.",
                 [("ORG", "британская полиция", None)], [("ORG", "полиция")],
                 id="police-with-the-country-adjective"),
    pytest.param("Расследование по данному факту проводит прокуратура Бишкека.",
                 [("ORG", "прокуратура Бишкека", None)], [], id="prosecutors-of-a-city"),
    pytest.param("Как сообщили в пресс-службе, парламент одобрил закон о бюджете.",
                 [("ORG", "парламент", None)], [], id="bare-parliament"),
    pytest.param("Власти США обвинили его в отмывании денег.",
                 [("ORG", "Власти США", None)], [], id="authorities-of-a-country"),
    pytest.param("Власти заявили, что угрозы нет.", [], [("ORG", "Власти")],
                 id="bare-authorities-are-no-organisation"),
    pytest.param("Он стал нападающим сборной России по хоккею.",
                 [("ORG", "сборной России по хоккею", None)], [], id="national-team"),
    pytest.param("Федеральный закон «О полиции» вступил в силу.", [], [("ORG", "полиции")],
                 id="a-law-title-is-no-organisation"),
    pytest.param("Об этом сообщил Белый дом.", [("ORG", "Белый дом", None)], [],
                 id="white-house-the-administration"),
    pytest.param("Ужин для корреспондентов прошёл в Белом доме.", [],
                 [("ORG", "Белом доме")], id="in-the-white-house-the-building"),
    pytest.param("Федеральный апелляционный суд отклонил иск.",
                 [("ORG", "Федеральный апелляционный суд", None)], [], id="court-with-its-kind"),
    pytest.param("Суд Милана приговорил бизнесмена к году тюрьмы.",
                 [("ORG", "Суд Милана", None)], [], id="court-of-a-city"),
    pytest.param("Суд счёл запрет необоснованным.", [], [("ORG", "Суд")],
                 id="bare-court-is-no-organisation"),
    pytest.param("Об этом сообщили в правительстве Дмитрия Медведева.",
                 [("ORG", "правительстве Дмитрия Медведева", None)], [],
                 id="government-of-its-head"),
    pytest.param("Он подал в мэрию Москвы уведомление о митинге.",
                 [("ORG", "мэрию Москвы", None)], [], id="mayoralty"),
    pytest.param("Новым главкомом сухопутных войск назначен генерал.",
                 [("ORG", "сухопутных войск", None)], [], id="troops-of-a-kind"),
    pytest.param("Он надеется вывести войска из страны.", [], [("ORG", "войска")],
                 id="bare-troops-are-no-organisation"),
    pytest.param("Правительство Республики Казахстан утвердило план.",
                 [("ORG", "Правительство Республики Казахстан", "government")], [],
                 id="registry-government-keeps-its-id"),
]

UNITS = [
    pytest.param("Об этом в среду заявила пресс-служба Кремля.",
                 [("ORG", "пресс-служба Кремля", None)], [("ORG", "Кремля")],
                 id="press-service"),
    pytest.param("Совет Безопасности ООН принял резолюцию.",
                 [("ORG", "Совет Безопасности ООН", ...)], [("ORG", "ООН")],
                 id="two-organisations-one-name"),
    pytest.param("Дело вёл Следственный комитет при прокуратуре РФ.",
                 [("ORG", "Следственный комитет при прокуратуре РФ", ...)], [],
                 id="a-body-under-another"),
    pytest.param("Ноту протеста направил японский МИД.", [("ORG", "японский МИД", ...)],
                 [("ORG", "МИД")], id="country-adjective-before-an-abbreviation"),
    pytest.param("Солистка группы «Ленинград» дала концерт.", [("ORG", "Ленинград", None)],
                 [("PLACE", "Ленинград")], id="quoted-name-after-its-kind"),
    pytest.param("Сотрудники ГУ МВД России по г. Москве задержали подозреваемого.",
                 [("ORG", "ГУ МВД России по г. Москве", ...)], [], id="regional-directorate"),
]

NOT_ORGANISATIONS = [
    pytest.param("Певица опубликовала фотографию в своём Твиттере.", [],
                 [("ORG", "Твиттере")], id="platform-where-something-is-posted"),
    pytest.param("Запись появилась в Facebook в понедельник.", [], [("ORG", "Facebook")],
                 id="platform-in-latin-letters"),
    pytest.param("Экипаж вернулся с Международной космической станции.", [],
                 [("ORG", "Международной космической станции")], id="space-station"),
    pytest.param("Туристы посетили Исаакиевский собор.", [], [("ORG", "Исаакиевский собор")],
                 id="cathedral"),
    pytest.param("Боевики ИГ взяли на себя ответственность за теракт.",
                 [("ORG", "ИГ", None)], [], id="abbreviation-the-model-misses"),
]

SHOUTED = [
    pytest.param("СРОЧНО!!! В Алматы задержали мужчину.", [("PLACE", "Алматы", ...)],
                 [("ORG", "СРОЧНО"), ("PERSON", "СРОЧНО")], id="shouted"),
    pytest.param("ВНИМАНИЕ: в Шымкенте пропал ребёнок.", [("PLACE", "Шымкенте", ...)],
                 [("ORG", "ВНИМАНИЕ"), ("PERSON", "ВНИМАНИЕ")], id="shouted-with-colon"),
    pytest.param("#Срочно новости из Астаны", [("PLACE", "Астаны", ...)],
                 [("ORG", "Срочно"), ("PERSON", "Срочно"), ("ORG", "#Срочно"),
                  ("PERSON", "#Срочно")], id="hashtag"),
    pytest.param("#Новости #Казахстан: в Таразе открыли школу.", [("PLACE", "Таразе", ...)],
                 [("ORG", "Новости"), ("PERSON", "Новости"), ("ORG", "#Новости")],
                 id="hashtags"),
]


@pytest.mark.parametrize(("text", "present", "absent"),
                         COMMON_NOUNS + UNITS + NOT_ORGANISATIONS + SHOUTED)
def test_russian_organisations(entities: Pipeline, text: str, present: list[tuple[Any, ...]],
                               absent: list[tuple[str, str]]) -> None:
    seen = {(m.type, m.text): m for m in run(entities, text)}
    for entity_type, name, entity_id in present:
        assert (entity_type, name) in seen, f"{entity_type} {name!r} missing from {list(seen)}"
        if entity_id is not ...:
            assert seen[(entity_type, name)].id == entity_id
    for pair in absent:
        assert pair not in seen, f"{pair} should not be found in {list(seen)}"


def test_kazakh_documents_are_left_alone(entities: Pipeline) -> None:
    """The Russian rules run on Russian documents only: a Kazakh sentence that quotes a
    Russian word for the police finds no organisation there."""
    found = run(entities, "Жиында «полиция» сөзі талқыланды.", lang="kk")
    assert not any(m.type == "ORG" for m in found)


def test_a_place_after_the_noun_is_kept_inside_the_organisation() -> None:
    text = "Полиция Малайзии подтвердила сообщения."
    place = Mention(start=8, end=16, text="Малайзии", type="PLACE", id="iso:MY")
    found = russian_organisations(text, [place])
    assert [(m.type, m.text) for m in found] == [("ORG", "Полиция Малайзии"),
                                                  ("PLACE", "Малайзии")]
