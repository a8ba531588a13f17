from __future__ import annotations

import pytest

from birlik.domain.text import normalise, tokenize
from birlik.nlp.matcher import LexiconMatcher

MATCHER = LexiconMatcher(
    [
        (["алматы", "облысы"], "region"),
        (["алматинская", "область"], "region"),
        (["алматы"], "city"),
        (["астана"], "astana"),
        (["ұйғыр"], "uyghur"),
        (["уйгур"], "uyghur"),
        (["ақ"], "short"),
    ]
)


def found(text: str) -> list[tuple[str, str]]:
    tokens = tokenize(normalise(text))
    return [
        (text[tokens[m.start_token].start : tokens[m.end_token - 1].end], m.payload)
        for m in MATCHER.find(tokens)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Алматы облысының әкімі", [("Алматы облысының", "region")]),
        ("в Алматинской области", [("Алматинской области", "region")]),
        ("Алматыда өтті", [("Алматыда", "city")]),
        ("в Астане и Астанада", [("Астане", "astana"), ("Астанада", "astana")]),
        ("ұйғырлардың мәдениеті", [("ұйғырлардың", "uyghur")]),
        ("с уйгурами", [("уйгурами", "uyghur")]),
        ("уйгырлар", [("уйгырлар", "uyghur")]),  # Kazakh typed on a Russian keyboard
        ("ақша", []),  # short entries match only exactly
        ("Казакстан", []),
    ],
)
def test_inflected_forms(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected
