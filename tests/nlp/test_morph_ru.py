"""Every stage that reads Russian words shares the process's one pymorphy3 analyser (each
analyser holds its own dictionary: five of them cost ~75 MB more per worker)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from birlik.nlp.casing import russian_dictionary, russian_parts_of_speech
from birlik.nlp.ethnic import russian_known_word
from birlik.nlp.identities import russian_people_noun
from birlik.nlp.lemma_kk import RussianLemmatizer
from birlik.nlp.morph_ru import russian_analyzer

pytest.importorskip("pymorphy3")


def _analyzers_in(function: Callable[[str], Any]) -> list[object]:
    inner = getattr(function, "__wrapped__", function)
    cells = inner.__closure__ or ()
    return [cell.cell_contents for cell in cells
            if type(cell.cell_contents).__name__ == "MorphAnalyzer"]


def test_one_analyser_serves_every_russian_reader() -> None:
    shared = russian_analyzer()
    assert shared is not None and russian_analyzer() is shared
    for build in (russian_dictionary, russian_parts_of_speech, russian_known_word,
                  russian_people_noun):
        assert _analyzers_in(build()) == [shared], build.__name__
    lemmatizer = RussianLemmatizer.create()
    assert lemmatizer is not None and lemmatizer._analyzer is shared
    assert lemmatizer.lemma("казахами") == "казах"
