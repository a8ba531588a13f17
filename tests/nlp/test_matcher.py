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


def test_memoised_tokens_find_what_a_fresh_matcher_finds() -> None:
    """``find`` skips a token its memo says starts no entry: the matches of a text read a
    second time (all tokens memoised) are those of a matcher that has read nothing."""
    entries = [(["алматы", "облысы"], "region"), (["алматы"], "city"), (["астана"], "astana")]
    text = "Алматы облысы мен Алматыда, Астана. Облысы Алматы облысының Астанада алматы"
    tokens = tokenize(normalise(text))
    warm = LexiconMatcher(entries)
    first = warm.find(tokens)
    assert warm._candidate_cache.get("мен") == ()  # memoised as starting nothing
    assert warm.find(tokens) == first == LexiconMatcher(entries).find(tokens)
    assert [(m.start_token, m.end_token, m.payload) for m in first] == [
        (0, 2, "region"), (3, 4, "city"), (4, 5, "astana"), (6, 8, "region"),
        (8, 9, "astana"), (9, 10, "city")]
