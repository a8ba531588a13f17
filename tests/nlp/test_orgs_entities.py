from __future__ import annotations

import pytest

from birlik.domain.records import Document, Mention
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.entities import resolve
from birlik.nlp.orgs import OrgStage
from birlik.resources.organisations import load_organisations

STAGES = [NormaliseStage(), SegmentStage(), OrgStage(load_organisations())]


def orgs(text: str) -> list[tuple[str, str | None]]:
    docs = [Document(id="1", text=text)]
    for stage in STAGES:
        docs = stage(docs)
    return [(m.text, m.id) for m in docs[0].entities]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Қазақстан халқы Ассамблеясының сессиясы өтті.", [("Қазақстан халқы Ассамблеясының", "apk")]),
        ("Сессия Ассамблеи народа Казахстана", [("Ассамблеи народа Казахстана", "apk")]),
        ("the Assembly of People of Kazakhstan met", [("Assembly of People of Kazakhstan", "apk")]),
        ("Достық үйлерінде курстар ашылды", [("Достық үйлерінде", "house_of_friendship")]),
        ("в Доме дружбы Павлодара", [("Доме дружбы", "house_of_friendship")]),
        ("«Қоғамдық келісім» мекемесі", [("Қоғамдық келісім", "kogamdyk_kelisim")]),
        ("қоғамдық келісім мен бірлік", []),  # the common phrase, not the institution
        ("Аналар кеңесінің отырысы", [("Аналар кеңесінің", "mothers_council")]),
        ("совет по медиации рассмотрел", [("совет по медиации", "mediation_council")]),
        ("АНК провела форум, а анк — нет", [("АНК", "apk")]),
        ("«Жомарт жан» орталықтары", [("Жомарт жан", "zhomart_zhan")]),
    ],
)
def test_registry_organisations(text: str, expected: list[tuple[str, str]]) -> None:
    assert orgs(text) == expected


def m(start: int, end: int, kind: str, ident: str | None, text: str = "x") -> Mention:
    return Mention(start=start, end=end, text=text, type=kind, id=ident)


def test_a_person_name_beats_the_place_inside_it() -> None:
    kept = resolve([m(0, 4, "PLACE", "100000000", "Абай"), m(0, 16, "PERSON", None, "Абай Құнанбайұлы")])
    assert [(x.type, x.id) for x in kept] == [("PERSON", None)]


def test_a_linked_mention_beats_an_unlinked_one_of_the_same_span() -> None:
    kept = resolve([m(0, 6, "PLACE", None), m(0, 6, "PLACE", "750000000")])
    assert [x.id for x in kept] == ["750000000"]


def test_an_organisation_beats_a_place_inside_it() -> None:
    kept = resolve([m(0, 6, "PLACE", "750000000"), m(0, 20, "ORG", None)])
    assert [(x.type, x.start) for x in kept] == [("ORG", 0)]


def test_resolution_of_a_long_document_is_not_quadratic() -> None:
    """Issue 18, item 7: each mention was compared with every kept one (400 KB: 21 s here)."""
    import time

    mentions = []
    for k in range(20_000):
        start = 10 * k
        mentions += [m(start, start + 6, "PLACE", None), m(start, start + 6, "PLACE", f"{k}"),
                     m(start + 2, start + 8, "ETHNIC_GROUP", "uyghur")]
    started = time.thread_time()
    kept = resolve(mentions)
    assert time.thread_time() - started < 2.0
    assert len(kept) == 20_000 and all(mention.id is not None for mention in kept)
    assert [mention.id for mention in kept[:2]] == ["0", "1"]
