from __future__ import annotations

import pytest

from birlik.nlp.text import clean_input, normalise, split_sentences, tokenize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ёлка «Қазақ»", 'елка "қазақ"'),
        ("Kaзах", "казах"),  # Latin K inside a Cyrillic word is an evasion
        ("İstanbul", "İstanbul".lower()[:1] + "stanbul"),
        ("Hello World", "hello world"),
    ],
)
def test_normalise_keeps_length(text: str, expected: str) -> None:
    out = normalise(text)
    assert len(out) == len(text)
    if text != "İstanbul":
        assert out == expected


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Алматыда фестиваль өтті. Оған 500 адам қатысты! Келесі жылы да өтеді.", 3),
        ("Встреча прошла в г. Алматы. Н. Назарбаев выступил.", 2),
        ("Mr. Smith came to Astana. He met the Assembly.", 2),
        ("Первый абзац без точки\n\nВторой абзац", 2),
        ("", 0),
    ],
)
def test_sentences(text: str, count: int) -> None:
    sentences = split_sentences(text)
    assert len(sentences) == count
    for sentence in sentences:
        assert text[sentence.start : sentence.end].strip() == text[sentence.start : sentence.end]


def test_tokens_keep_hyphens_and_apostrophes() -> None:
    assert [t.text for t in tokenize("Нур-Султан, Qazaq'stan 1 000,5")] == [
        "Нур-Султан",
        "Qazaq'stan",
        "1",
        "000,5",
    ]


def test_clean_input_removes_control_characters_and_unifies_line_ends() -> None:
    assert clean_input("a\x00b\r\nc\u200bd") == "ab\ncd"
