from __future__ import annotations

import numpy as np
import pytest

from birlik.domain.records import Document
from birlik.domain.text import NormaliseStage, SegmentStage
from birlik.nlp.embed import CharNgramEmbedder
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.toxicity import (
    LEXICON_FEATURES,
    ToxicityStage,
    WordForm,
    deobfuscate,
    lexicon_features,
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
        ("х.у.й", "хуй", "obscenity"),
        ("п-и-з-д-а", "пизда", "obscenity"),
        ("с\u00adу\u200bка", "сука", "obscenity"),
        ("уёбок", "уебок", "obscenity"),
        ("нищеброд", "нищеброд", "insult"),
        ("работы", "работы", None),
        ("скот", "скот", None),
        ("троллейбус", "троллейбус", None),
        ("кое-кто", "кое-кто", None),
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


CASES = [
    # (lang, text, toxic?) — abuse, obfuscated abuse, a rude-looking word in another sense, news
    ("ru", "Ты конченый дебил, иди проспись.", True),
    ("ru", "Заткнись уже, нищеброд, никто тебя не спрашивал.", True),
    ("ru", "Да пошёл ты на х*й со своими советами.", True),
    ("ru", "Ну ты и у.е.б.о.к, честное слово.", True),
    ("ru", "Автор — п и з д а б о л, каких мало.", True),
    ("ru", "Какая же ты тв@рь, с.ка.", True),
    ("ru", "На выставке победила сука породы алабай, а тупой угол треугольника равен 120 градусам.", False),
    ("ru", "Фермеры пригнали скот на ярмарку, а в субботу откроется новая выставка.", False),
    ("ru", "Правительство утвердило программу поддержки малого бизнеса на 2025 год.", False),
    ("ru", "В Павлодаре открыли новый троллейбусный маршрут до вокзала.", False),
    ("kk", "Сен нағыз ақымақсың, аузыңды жап!", True),
    ("kk", "Әй, қаншық, құрып кетші осы жерден.", True),
    ("kk", "Мына оңбағандар халықтың ақшасын ұрлап жатыр, иттің баласы!", True),
    ("kk", "Құрылысшылар көпірді уақытында көтерді.", False),
    ("kk", "Ауыл шаруашылығы министрлігі қой мен ешкі санының өскенін хабарлады.", False),
    ("kk", "Астанада жастар форумы өтті, оған мыңнан астам адам қатысты.", False),
    ("en", "Shut up, you pathetic moron.", True),
    ("en", "You are a f*cking idiot and everyone knows it.", True),
    ("en", "What a d1ckhead, go to hell.", True),
    ("en", "The ship's cockpit and the dickens novel were on display at the museum.", False),
    ("en", "Scunthorpe council approved the new budget on Tuesday.", False),
    ("en", "The ministry said exports of grain rose by ten percent this year.", False),
]


@pytest.mark.parametrize(("lang", "text", "toxic"), CASES)
def test_table_of_cases(toxicity: Pipeline, lang: str, text: str, toxic: bool) -> None:
    signal = score(toxicity, text, lang).signals["toxicity"]
    assert signal.score is not None and 0.0 <= signal.score <= 1.0
    assert (signal.score >= 0.5) is toxic, (text, signal.score, signal.reasons)


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t ", "слово " * 170_000, "🙂😡🔥" * 50, "🤬", "аб" * 500_000, "\u200b\u00ad\ufeff",
     "Қазақ тілі and русский язык 123 — mixed!!!"],
    ids=["empty", "blank", "one-word-1mb", "emoji", "one-emoji", "one-token-1mb", "invisible", "mixed"],
)
def test_bad_input_gets_a_defined_score(toxicity: Pipeline, text: str) -> None:
    signal = score(toxicity, text).signals["toxicity"]
    assert signal.score is not None and 0.0 <= signal.score <= 1.0
    if not text.strip() or set(text) <= set("🙂😡🔥🤬\u200b\u00ad\ufeff"):
        assert signal.score < 0.5 and not signal.evidence


def test_lexicon_features_count_each_category() -> None:
    pipeline = Pipeline([NormaliseStage(), SegmentStage()])
    text = "Ты дебил и идиот, блин."
    doc = pipeline([Document(id="f", text=text, lang="ru")])[0]
    from birlik.nlp.signals.toxicity import lexicon_evidence

    _, evidence = lexicon_evidence(load_toxicity_lexicon(), text, doc.norm_text or "", doc.sentences[0])
    features = dict(zip(LEXICON_FEATURES, lexicon_features(evidence), strict=True))
    assert features["insult.log_count"] == pytest.approx(np.log1p(2))
    assert features["mild.any"] == 1.0 and features["obscenity.any"] == 0.0
    assert 0.8 < features["lexicon.score"] < 1.0


def test_spaced_letters_are_one_word_with_exact_offsets() -> None:
    text = "ну ты б л я т ь даёшь"
    words = load_toxicity_lexicon().words(text)
    spaced = [w for w in words if w.category is not None]
    assert spaced == [WordForm(6, 15, "блять", "obscenity")]
    assert text[6:15] == "б л я т ь"
    assert [w.form for w in words if w.category is None] == ["ну", "ты", "даешь"]


def test_the_head_reads_only_the_embedder_it_was_trained_with() -> None:
    model = load_toxicity_model()
    other = ToxicityStage(model, CharNgramEmbedder())
    assert other.head is None
    doc = Document(id="e", text="Ты дебил.", lang="ru", embedding=np.ones(384, np.float32))
    pipeline = Pipeline([NormaliseStage(), SegmentStage(), other])
    signal = pipeline([doc])[0].signals["toxicity"]
    assert "embedding" not in signal.labels and "toxicity.embedding" not in signal.reasons


def test_the_head_scores_a_document_that_has_an_embedding() -> None:
    model = load_toxicity_model()
    if model.head is None:
        pytest.skip("the shipped model has no embedding head")

    class Named:
        name = model.head.embedder if model.head else ""
        dim = 384

        def embed(self, texts: list[str], kind: str = "passage") -> np.ndarray:
            raise AssertionError("the toxicity stage must not run the embedding model")

    stage = ToxicityStage(model, Named())
    pipeline = Pipeline([NormaliseStage(), SegmentStage(), stage])
    vector = np.zeros(384, np.float32)
    vector[0] = 1.0
    with_vector = pipeline([Document(id="a", text="Ты дебил.", lang="ru", embedding=vector)])[0]
    without = pipeline([Document(id="b", text="Ты дебил.", lang="ru")])[0]
    assert "embedding" in with_vector.signals["toxicity"].labels
    assert "embedding" not in without.signals["toxicity"].labels
    bad = np.full(384, np.nan, np.float32)
    broken = pipeline([Document(id="c", text="Ты дебил.", lang="ru", embedding=bad)])[0]
    assert broken.signals["toxicity"].score == without.signals["toxicity"].score


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
