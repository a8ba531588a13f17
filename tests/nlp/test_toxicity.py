from __future__ import annotations

import pytest

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.toxicity import (
    ToxicityStage,
    deobfuscate,
    load_toxicity_lexicon,
    load_toxicity_model,
)


@pytest.fixture(scope="module")
def toxicity() -> Pipeline:
    return Pipeline([NormaliseStage(), SegmentStage(), ToxicityStage(load_toxicity_model())])


def score(pipeline: Pipeline, text: str, lang: str | None = None) -> Document:
    return pipeline([Document(id="t", text=text, lang=lang)])[0]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Сен нағыз ақымақсың, аузыңды жап!", "kk"),
        ("Мына әкім оңбаған, халықтың ақшасын ұрлап жатыр.", "kk"),
        ("Ты тупой идиот, даже читать не умеешь.", "ru"),
        ("Заткнись, урод, тебя никто не спрашивал.", "ru"),
        ("Х*й тебе, а не зарплата.", "ru"),
        ("Бл@, опять отключили свет.", "ru"),
        ("Ну ты и дебииил.", "ru"),
        ("You are a stupid idiot, learn to read.", "en"),
        ("F*ck this government.", "en"),
    ],
)
def test_toxic_texts_score_high(toxicity: Pipeline, text: str, lang: str) -> None:
    signal = score(toxicity, text, lang).signals["toxicity"]
    assert signal.score is not None and signal.score >= 0.5
    assert signal.evidence and signal.reasons


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Алматыда ұйғыр мәдени орталығы жаңа би ансамблін таныстырды.", "kk"),
        ("Қоғамдық келісім кеңесі жастар арасында экстремизмнің алдын алу жөнінде семинар өткізді.",
         "kk"),
        ("В Костанае открылся немецкий культурный центр.", "ru"),
        ("Мы застрахуем себе квартиру, хуже не будет.", "ru"),
        ("Фермеры вывезли на рынок скот и хлеб.", "ru"),
        ("The Assembly of People of Kazakhstan held a forum on national unity.", "en"),
    ],
)
def test_calm_texts_score_low(toxicity: Pipeline, text: str, lang: str) -> None:
    signal = score(toxicity, text, lang).signals["toxicity"]
    assert signal.score is not None and signal.score < 0.5


@pytest.mark.parametrize(
    ("token", "form", "category"),
    [
        ("х*й", "хуй", "obscenity"),
        ("п**дец", "пиздец", "obscenity"),
        ("бл@", "бля", "obscenity"),
        ("с.ка", "сука", "obscenity"),
        ("xyй", "хуй", "obscenity"),
        ("6лять", "блять", "obscenity"),
        ("дебииил", "дебил", "insult"),
        ("ақымақсың", "ақымақсың", "insult"),
        ("F*ck", "fuck", "obscenity"),
        ("страхуем", "страхуем", None),
        ("себе", "себе", None),
        ("сукно", "сукно", None),
        ("көтеру", "көтеру", None),
    ],
)
def test_obfuscated_spellings(token: str, form: str, category: str | None) -> None:
    assert load_toxicity_lexicon().word(token) == (form, category)


def test_deobfuscate_keeps_kazakh_letters() -> None:
    assert deobfuscate("ҚАЗАҚ") == "қазақ"
    assert deobfuscate("дуууурак") == "дурак"


def test_evidence_offsets_are_exact(toxicity: Pipeline) -> None:
    text = "Погода хорошая. А ты, Х*й, просто мразь!"
    signal = score(toxicity, text, "ru").signals["toxicity"]
    lexical = {(e.text, e.reason) for e in signal.evidence if e.reason.endswith(".lexicon")}
    assert lexical == {("Х*й", "toxicity.obscenity.lexicon"), ("мразь", "toxicity.insult.lexicon")}
    for item in signal.evidence:
        assert text[item.start : item.end] == item.text
    assert all(e.start >= text.index("А ты") for e in signal.evidence)


def test_document_is_as_toxic_as_its_worst_sentence(toxicity: Pipeline) -> None:
    calm = "Сегодня в Астане прошёл форум. Участники обсудили экономику. " * 5
    alone = score(toxicity, "Автор статьи — безмозглый кретин.", "ru").signals["toxicity"].score
    mixed = score(toxicity, calm + "Автор статьи — безмозглый кретин.", "ru").signals["toxicity"]
    assert alone is not None and mixed.score is not None
    assert mixed.score >= 0.5 and abs(mixed.score - alone) < 0.1


def test_empty_document(toxicity: Pipeline) -> None:
    signal = score(toxicity, "").signals["toxicity"]
    assert signal.score == 0.0 and signal.evidence == []


def test_seeds_are_not_toxic(toxicity: Pipeline, seed_texts: dict[str, str]) -> None:
    for name, text in seed_texts.items():
        value = score(toxicity, text).signals["toxicity"].score
        assert value is not None and value < 0.5, name


@pytest.mark.parametrize("values", [[7], [3, 3, 3], [5, 1, 5, 2, 1, 9], list(range(40, 0, -3)) * 2])
def test_unique_counts_is_np_unique(values: list[int]) -> None:
    """The per-sentence replacement of ``np.unique(..., return_counts=True)`` gives the same
    arrays (values, counts, dtypes), so the classifier's scores do not move."""
    import numpy as np

    from birlik.nlp.signals.toxicity import _unique_counts

    found = np.array(values, dtype=np.int64)
    expected_values, expected_counts = np.unique(found, return_counts=True)
    got_values, got_counts = _unique_counts(found.copy())
    assert got_values.tolist() == expected_values.tolist()
    assert got_counts.tolist() == expected_counts.tolist()
    assert (got_values.dtype, got_counts.dtype) == (expected_values.dtype, expected_counts.dtype)


def test_words_memo_keeps_offsets() -> None:
    """A token seen twice (memoised the second time) gets its own offsets each time."""
    lexicon = load_toxicity_model().lexicon
    text = "...ну и «дурак». А он — дурак!"
    first, second = [w for w in lexicon.words(text) if w.form == "дурак"]
    assert text[first.start : first.end] == text[second.start : second.end] == "дурак"
    assert first.start < second.start
