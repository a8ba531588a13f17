"""Bad input in general gets a defined result, never an exception (issue 18).

Each text runs through the whole default pipeline and its ``analyze`` output: a language
(``und`` when there is none to tell), every signal with a score in [0, 1], entity offsets
that point into the text, and the ``analysed_chars`` flag when only the first part was read.
"""

from __future__ import annotations

import json
import math

import pytest

from birlik.domain.records import Document
from birlik.nlp.jsonl import document_to_json
from birlik.nlp.pipeline import ANALYSED_CHARS_FLAG, Pipeline

SIGNALS = {"hate", "incident", "sentiment", "tension", "topics", "toxicity"}

HOSTILE_TEXTS: list[tuple[str, str, str | None]] = [
    ("empty", "", "und"),
    ("only whitespace", " \n\t \u00a0", "und"),
    ("only emoji", "😀🔥🇰🇿" * 300, "und"),
    ("one word of 1 MB", "қазақ" * 200_000, "kk"),
    ("one Latin word of 1 MB", "a" * 1_000_000, None),
    ("digits", "1" * 200_000, "und"),
    ("punctuation", "!?." * 40_000, "und"),
    ("mixed scripts", "Алмaты Almaty алматы ALMATY 阿拉木图 ألماتي " * 50, None),
    ("control and format characters", "Алматы\x00\ufeff\u200b\u202e қаласы\u202c", None),
    ("a long Latin word after Cyrillic", "Тараз " + "A" * 50_000, None),
]


@pytest.mark.parametrize(("name", "text", "lang"), HOSTILE_TEXTS, ids=[case[0] for case in HOSTILE_TEXTS])
def test_hostile_text_gets_a_defined_result(
    pipeline: Pipeline, name: str, text: str, lang: str | None
) -> None:
    [doc] = pipeline([Document(id=name, text=text)])
    out = json.loads(json.dumps(document_to_json(doc, {"id": name}), ensure_ascii=False))
    assert isinstance(out["lang"], str) and (lang is None or out["lang"] == lang)
    assert set(out["signals"]) == SIGNALS
    for signal in out["signals"].values():
        score = signal.get("score")
        assert score is None or (math.isfinite(score) and 0.0 <= score <= 1.0)
    for entity in out["entities"]:
        assert text[entity["start"] : entity["end"]] == entity["text"]
    long = len(text) > (pipeline.max_chars or len(text))
    assert any(flag.startswith(ANALYSED_CHARS_FLAG) for flag in out.get("flags", [])) == long
    assert doc.text == text  # kept whole
