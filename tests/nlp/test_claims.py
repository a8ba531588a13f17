"""Claims normalised across kk, ru and en; discrepancies between sources."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from birlik.domain.records import Document
from birlik.nlp.claims import Claim, extract_claims, find_discrepancies, parse_figure

# text, lang → (figure as written, value, unit, qualifier, subject)
CLAIMS = [
    (
        "1000-нан астам этномәдени бірлестік жұмыс істейді",
        "kk",
        ("1000-нан астам", 1000, "count", "at_least", "ethnocultural_association"),
    ),
    (
        "объединены более 1000 этнокультурных объединений",
        "ru",
        ("более 1000", 1000, "count", "at_least", "ethnocultural_association"),
    ),
    (
        "more than 1,000 ethnocultural associations",
        "en",
        ("more than 1,000", 1000, "count", "at_least", "ethnocultural_association"),
    ),
    (
        "4000-ға жуық қоғамдық құрылым біріктірілген",
        "kk",
        ("4000-ға жуық", 4000, "count", "about", "public_structure"),
    ),
    ("около 4000 общественных структур", "ru", ("около 4000", 4000, "count", "about", "public_structure")),
    ("nearly 4000 public structures", "en", ("nearly 4000", 4000, "count", "about", "public_structure")),
    (
        "Азаматтардың 95 пайыздан астамы тұрақты деп бағалауда",
        "kk",
        ("95 пайыздан астамы", 95, "percent", "at_least", "person"),
    ),
    (
        "свыше 95% граждан считают отношения стабильными",
        "ru",
        ("свыше 95%", 95, "percent", "at_least", "person"),
    ),
    (
        "more than 95 per cent of citizens describe relations as stable",
        "en",
        ("more than 95 per cent", 95, "percent", "at_least", "person"),
    ),
    (
        "төрт мыңнан астам қоғамдық құрылым жұмыс істейді",
        "kk",
        ("төрт мыңнан астам", 4000, "count", "at_least", "public_structure"),
    ),
    ("оған 50 мыңнан астам адам тартылған", "kk", ("50 мыңнан астам", 50000, "count", "at_least", "person")),
    ("задействовано свыше 50 тысяч человек", "ru", ("свыше 50 тысяч", 50000, "count", "at_least", "person")),
    ("drawing over 250,000 participants", "en", ("over 250,000", 250000, "count", "at_least", "participant")),
    (
        "Жергілікті жерлерде 36 достық үйі жұмыс істейді",
        "kk",
        ("36", 36, "count", "exact", "house_of_friendship"),
    ),
    ("На местах функционируют 32 Дома дружбы", "ru", ("32", 32, "count", "exact", "house_of_friendship")),
    ("the country's 36 Houses of Friendship", "en", ("36", 36, "count", "exact", "house_of_friendship")),
    (
        "елімізде жүзден астам этностың өкілдері тұрады",
        "kk",
        ("жүзден астам", 100, "count", "at_least", "ethnic_group"),
    ),
    (
        "проживают представители более ста этносов",
        "ru",
        ("более ста", 100, "count", "at_least", "ethnic_group"),
    ),
    ("помощь на 305 млн тенге", "ru", ("305 млн", 305e6, "tenge", "exact", "money")),
]


@pytest.mark.parametrize(("text", "lang", "expected"), CLAIMS, ids=[f"{c[1]}:{c[2][0]}" for c in CLAIMS])
def test_claims_are_normalised_across_languages(text: str, lang: str, expected: tuple[object, ...]) -> None:
    claims = extract_claims(Document(id="d", text=text, lang=lang))
    assert [(c.text, c.value, c.unit, c.qualifier, c.subject) for c in claims][:1] == [expected]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("2022 жылғы сәуірден бастап жұмыс істейді", "kk"),
        ("14 августа 2026 года в 16.00", "ru"),
        ("Указ № 1144 от 29 декабря, 30-летие Ассамблеи", "ru"),
        ("тел.: +7 (727) 233-17-85", "ru"),
    ],
)
def test_years_dates_numbers_and_phones_are_not_claims(text: str, lang: str) -> None:
    assert extract_claims(Document(id="d", text=text, lang=lang)) == []


def test_parse_figure_reads_words() -> None:
    assert parse_figure("бір мың") == 1000
    assert parse_figure("екі жүз елу") == 250
    assert parse_figure("1 000") == 1000
    assert parse_figure("2,5") == 2.5


def _doc(doc_id: str, text: str, lang: str, source: str, day: int) -> Document:
    return Document(
        id=doc_id, text=text, lang=lang, source=source, published_at=datetime(2025, 10, day, tzinfo=UTC)
    )


def _claims(*docs: Document) -> list[Claim]:
    return [claim for doc in docs for claim in extract_claims(doc)]


def test_value_and_bound_discrepancies_between_sources() -> None:
    found = find_discrepancies(
        _claims(
            _doc("a", "На местах функционируют 32 Дома дружбы.", "ru", "kazpravda", 21),
            _doc("b", "Жергілікті жерлерде 36 достық үйі жұмыс істейді.", "kk", "akorda", 29),
            _doc(
                "c", "Ассамблея аясында төрт мыңнан астам қоғамдық құрылым жұмыс істейді.", "kk", "akorda", 29
            ),
            _doc("d", "4000-ға жуық қоғамдық құрылым біріктірілген.", "kk", "gov", 21),
            _doc("e", "The country's 36 Houses of Friendship work.", "en", "akorda-en", 29),
        )
    )
    pairs = {(d.kind, d.subject, d.first.document, d.second.document) for d in found}
    assert ("value", "house_of_friendship", "a", "b") in pairs
    assert ("value", "house_of_friendship", "a", "e") in pairs
    assert ("bound", "public_structure", "c", "d") in pairs
    assert not any({d.first.document, d.second.document} == {"b", "e"} for d in found)  # 36 = 36


def test_same_source_different_years_or_far_apart_figures_are_not_discrepancies() -> None:
    found = find_discrepancies(
        _claims(
            _doc("a", "В 2024 году работали 32 Дома дружбы.", "ru", "x", 1),
            _doc("b", "В 2025 году работают 36 Домов дружбы.", "ru", "y", 2),
            _doc("c", "Работают 36 Домов дружбы.", "ru", "x", 3),
            _doc("d", "Семинарға 7 адам қатысты.", "kk", "z", 3),
            _doc("e", "Фестивальге 3000 адам қатысты.", "kk", "w", 3),
        )
    )
    assert found == []


def test_seed_discrepancies(seed_texts: dict[str, str]) -> None:
    published = {"000": 21, "001": 21, "002": 29}
    docs = [
        Document(
            id=key,
            text=seed_texts[key],
            lang="ru" if key == "001" else "kk",
            source=f"seed-{key}",
            published_at=datetime(2025, 10 if day == 21 else 12, day, tzinfo=UTC),
        )
        for key, day in published.items()
    ]
    found = find_discrepancies(_claims(*docs))
    houses = {(d.first.value, d.second.value) for d in found if d.subject == "house_of_friendship"}
    structures = [d for d in found if d.subject == "public_structure"]
    assert (32.0, 36.0) in houses
    assert any(
        d.kind == "bound" and {d.first.qualifier, d.second.qualifier} == {"at_least", "about"}
        for d in structures
    )


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("seven men aged between 19 and 27 took part in the scuffle", "en"),
        ("В нём участвовали семь человек в возрасте 19–27 лет.", "ru"),
        ("участвовали семеро парней в возрасте от 19 до 27 лет", "ru"),
        ("41 of the 46 appeals ended in reconciliation", "en"),
    ],
)
def test_ages_ranges_and_parts_count_nothing_by_themselves(text: str, lang: str) -> None:
    """A range's start, an age and the part of «41 of the 46» are not claims; the whole is."""
    claims = extract_claims(Document(id="d", text=text, lang=lang))
    assert [(c.value, c.subject) for c in claims if c.value != 46] == []


def test_a_part_is_never_set_against_its_whole() -> None:
    """One outlet gives the whole and the part; others give one of them: no discrepancy, in
    any language (the demo's «appeal: 41 ≠ 46»)."""
    found = find_discrepancies(
        _claims(
            _doc("a", "Советы рассмотрели 46 обращений. 41 обращение завершилось примирением.", "ru", "x", 1),
            _doc("b", "Советы медиации рассмотрели 46 обращений, 41 из них завершилось примирением.",
                 "ru", "y", 2),
            _doc("c", "Кеңестер 46 өтінішті қарады. Оның 41-і татуласумен аяқталды.", "kk", "z", 3),
            _doc("d", "Mediation councils considered 46 appeals; 41 of the 46 appeals ended in peace.",
                 "en", "w", 4),
        )
    )
    assert found == []
    # a real disagreement on the whole is still found
    whole = _claims(_doc("b", "Советы рассмотрели 46 обращений.", "ru", "y", 2))
    other = _claims(_doc("e", "Советы рассмотрели 52 обращения.", "ru", "v", 5))
    found = find_discrepancies([*whole, *other])
    assert [(d.subject, d.first.value, d.second.value) for d in found] == [("appeal", 46, 52)]
